//! Customer search: case-insensitive substring match over name, e-mail and customer id, ordered
//! by name. Queries of three or more characters use the trigram index (`customers_fts`), whose
//! rowid is the customer's `sort_key`: a number in name order (see [`assign_key`]). The index
//! yields matches in rowid order, that is by name, so a page is the first matches after the
//! offset and the count stops after [`COUNT_CAP`] + 1: the cost follows the page, not how many
//! customers match. Shorter queries walk the name index with `LIKE`.
//!
//! [`search`] adds customer lists, the order filter and the other sorts; the default search (no
//! list, no order, by name) keeps the path above.

use crate::ports::{DomainError, DomainResult};
use asm_types::{
    error_type, CustomerListId, CustomerSearchEntry, CustomerSearchPage, CustomerSort, Pagination,
    SortOption,
};
use r2d2_sqlite::rusqlite::types::Value;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

/// Matches counted exactly. A query with more reports `totalResults` = this and
/// `totalIsLowerBound` (narrowing the query gives an exact count).
pub const COUNT_CAP: usize = 1_000;

/// Distance between neighbouring sort keys after a renumbering: room for 20 customers inserted
/// one after another between the same two neighbours before the keys are renumbered.
pub const KEY_GAP: i64 = 1 << 20;

/// Numbers every customer in name order (`sort_key` = rank × [`KEY_GAP`]), which also indexes
/// them for search: after a bulk load, or when no gap is left between two neighbours. The
/// trigram index is then merged into one segment (`optimize`): renumbering rewrites every entry,
/// and a search over the many segments that leaves behind walked three times as much (at 1M
/// customers `sofia.rossi` 4.4 → 1.4 ms in the `sqlite3` shell).
pub fn rekey_all(c: &Connection) -> r2d2_sqlite::rusqlite::Result<()> {
    c.execute_batch(&format!(
        "UPDATE customers SET sort_key = NULL WHERE sort_key IS NOT NULL; \
         WITH ranked AS (SELECT rowid AS id, ROW_NUMBER() OVER \
             (ORDER BY name COLLATE NOCASE, customer_id) AS n FROM customers) \
         UPDATE customers SET sort_key = ranked.n * {KEY_GAP} FROM ranked WHERE customers.rowid = ranked.id; \
         INSERT INTO customers_fts(customers_fts) VALUES ('optimize'); \
         INSERT INTO customers_words(customers_words) VALUES ('optimize');"
    ))?;
    count_trigrams(c)
}

/// Recounts how many customers each trigram of the search index is in (`search_trigrams`, read
/// by [`narrowest_window`]): a full read of the index (0.9 s at 1M customers), so only after a
/// renumbering. Between two, new and renamed customers leave the counts a little behind, which
/// only makes a window choice a little less good, never a search wrong.
pub fn count_trigrams(c: &Connection) -> r2d2_sqlite::rusqlite::Result<()> {
    c.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.customers_fts_terms \
             USING fts5vocab(main, customers_fts, row); \
         DELETE FROM search_trigrams; \
         INSERT INTO search_trigrams (term, docs) SELECT term, doc FROM temp.customers_fts_terms; \
         DROP TABLE temp.customers_fts_terms;",
    )
}

/// Gives `customer_id` a sort key between its neighbours in name order (after it was created or
/// renamed), renumbering everybody when there is no room left.
pub fn assign_key(c: &Connection, customer_id: &str) -> DomainResult<()> {
    let name: String = c.query_row(
        "SELECT name FROM customers WHERE customer_id = ?1",
        params![customer_id],
        |r| r.get(0),
    )?;
    let before: Option<i64> = c
        .query_row(
            "SELECT sort_key FROM customers WHERE sort_key IS NOT NULL \
             AND (name COLLATE NOCASE, customer_id) < (?1, ?2) \
             ORDER BY name COLLATE NOCASE DESC, customer_id DESC LIMIT 1",
            params![name, customer_id],
            |r| r.get(0),
        )
        .optional()?;
    let after: Option<i64> = c
        .query_row(
            "SELECT sort_key FROM customers WHERE sort_key IS NOT NULL \
             AND (name COLLATE NOCASE, customer_id) > (?1, ?2) \
             ORDER BY name COLLATE NOCASE, customer_id LIMIT 1",
            params![name, customer_id],
            |r| r.get(0),
        )
        .optional()?;
    let key = match (before, after) {
        (None, None) => Some(KEY_GAP),
        (Some(b), None) => b.checked_add(KEY_GAP),
        (None, Some(a)) => a.checked_sub(KEY_GAP),
        (Some(b), Some(a)) => (a - b > 1).then(|| b + (a - b) / 2),
    };
    match key {
        Some(key) => {
            c.execute(
                "UPDATE customers SET sort_key = ?1 WHERE customer_id = ?2",
                params![key, customer_id],
            )?;
        }
        None => rekey_all(c)?,
    }
    Ok(())
}

const COLUMNS: &str = "c.uid, c.name, c.customer_id, \
    (SELECT code FROM carts WHERE customer_id = c.customer_id AND status = 'active' ORDER BY modified DESC LIMIT 1), \
    EXISTS (SELECT 1 FROM orders WHERE customer_id = c.customer_id), c.disabled, c.consent, \
    (SELECT phone FROM addresses WHERE customer_id = c.customer_id AND trim(phone) <> '' ORDER BY id LIMIT 1)";
const ORDER: &str = "ORDER BY c.name COLLATE NOCASE, c.customer_id";

/// The page of customers matching `filter` (over `p`, the customers table): the page's rowids
/// are chosen first, so the per-row columns are computed for the page only.
fn page_sql(filter: &str) -> String {
    format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.rowid IN \
         (SELECT p.rowid FROM customers p WHERE {filter} \
          ORDER BY p.name COLLATE NOCASE, p.customer_id LIMIT ?2 OFFSET ?3) {ORDER}"
    )
}

fn entry(r: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<CustomerSearchEntry> {
    Ok(CustomerSearchEntry {
        uid: r.get(0)?,
        name: r.get(1)?,
        customer_id: r.get(2)?,
        last_cart_id: r.get(3)?,
        has_order: r.get(4)?,
        emulation_blocked: if r.get::<_, bool>(5)? {
            Some(error_type::CUSTOMER_DISABLED.to_owned())
        } else if !r.get::<_, bool>(6)? {
            Some(error_type::NO_CONSENT.to_owned())
        } else {
            None
        },
        order_id: None,
        cart_id: None,
        cart_status: None,
        phone: r.get(7)?,
    })
}

/// The owner of the active or saved cart `code`, with the cart named; a guest cart, an
/// ordered one or none at all is a `ValidationError` on `cartId` that says which.
fn by_cart(c: &Connection, code: &str) -> DomainResult<Vec<CustomerSearchEntry>> {
    let cart: Option<(Option<String>, String)> = c
        .query_row(
            "SELECT customer_id, status FROM carts WHERE code = ?1",
            params![code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (owner, status) =
        match cart {
            Some((Some(owner), status)) if status != "ordered" => (owner, status),
            Some((None, _)) => return Err(DomainError::invalid(
                "cartId",
                "This is a guest cart: it has no customer yet. Emulate the customer, then bind it.",
            )),
            _ => {
                return Err(DomainError::invalid(
                    "cartId",
                    "No customer's cart has this number.",
                ))
            }
        };
    let mut e = c.query_row(
        &format!("SELECT {COLUMNS} FROM customers c WHERE c.customer_id = ?1"),
        params![owner],
        entry,
    )?;
    e.cart_id = Some(code.to_owned());
    e.cart_status = Some(if status == "saved" {
        asm_types::CartStatus::Saved
    } else {
        asm_types::CartStatus::Active
    });
    Ok(vec![e])
}

/// An FTS5 phrase matching `query` as a substring (trigram tokenizer).
fn phrase(query: &str) -> String {
    format!("\"{}\"", query.replace('"', "\"\""))
}

/// A LIKE pattern matching `query` as a substring.
fn like_pattern(query: &str) -> String {
    let mut p = String::with_capacity(query.len() + 2);
    p.push('%');
    for ch in query.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// One page of the customers whose name, e-mail or id contains `query` (lower-cased by the caller).
pub fn search_customers(
    c: &Connection,
    query: &str,
    current_page: u32,
    page_size: u32,
) -> DomainResult<CustomerSearchPage> {
    search_customers_counting(c, query, current_page, page_size, COUNT_CAP)
}

/// [`search_customers`], counting up to `cap` matches.
fn search_customers_counting(
    c: &Connection,
    query: &str,
    current_page: u32,
    page_size: u32,
    cap: usize,
) -> DomainResult<CustomerSearchPage> {
    let limit = i64::from(page_size);
    let offset = i64::from(current_page) * limit;
    // No name, e-mail or id contains NUL, and SQLite would read the query only up to it: FTS5
    // fails with "unterminated string" (a 500, found by schemathesis), LIKE gets a shorter
    // pattern (wrong matches). Such a query matches nobody.
    let (count, entries) = if query.contains('\0') {
        (Count::exact(0), Vec::new())
    } else if query.chars().count() >= 3 {
        indexed(c, query, limit, offset, cap)?
    } else {
        scanned(c, query, limit, offset, cap)?
    };
    Ok(page(
        entries,
        count,
        current_page,
        page_size,
        CustomerSort::ByNameAsc,
        false,
    ))
}

/// The search as an agent types it (no sort asked for): the best matches first. First the
/// customer whose id or e-mail is the query, then those with it as a whole word of their name or
/// e-mail, then those with a word starting with it (`ann` finds Ann, then Anna Smith, before
/// Aaron Zimmermann), then the other substring matches; name order within each. The matches are
/// the same as [`search_customers`]'; only their order differs, and the count goes only one past
/// the page (exact when fewer match, `totalIsLowerBound` otherwise). Every walk is in name order
/// through an index and stops after the page, which is at most [`COUNT_CAP`] deep (the domain
/// refuses deeper pages). Queries under three characters keep name order.
fn relevant(
    c: &Connection,
    query: &str,
    current_page: u32,
    page_size: u32,
) -> DomainResult<CustomerSearchPage> {
    if query.contains('\0') || query.chars().count() < 3 {
        return search_customers(c, query, current_page, page_size);
    }
    let limit = usize::try_from(page_size).unwrap_or(usize::MAX);
    let offset = usize::try_from(current_page)
        .unwrap_or(usize::MAX)
        .saturating_mul(limit);
    let want = offset.saturating_add(limit).min(COUNT_CAP + 1);
    // The sort keys of the matches in relevance order, up to the end of the page.
    let mut keys: Vec<i64> = Vec::with_capacity(want);
    let mut seen = std::collections::HashSet::new();
    let mut take = |keys: &mut Vec<i64>, key: i64| {
        if keys.len() < want && seen.insert(key) {
            keys.push(key);
        }
    };
    let mut exact = c.prepare_cached(
        "SELECT sort_key FROM customers WHERE (uid = ?1 OR customer_id IN (?1, upper(?1))) \
         AND sort_key IS NOT NULL ORDER BY sort_key",
    )?;
    for key in exact.query_map(params![query], |r| r.get::<_, i64>(0))? {
        take(&mut keys, key?);
    }
    if let Some(words) = word_prefix(query) {
        // Whole words first (`schmidt`), then words that start so (`schmidtke`): the first walks
        // one word's list and stops after the page; the second merges every word starting so,
        // which is only needed when the whole words do not fill the page. Both only substring
        // matches too (so the walk below finds them as well).
        let mut stmt = c.prepare_cached(
            "SELECT w.rowid FROM customers_words w JOIN customers c ON c.sort_key = w.rowid \
             WHERE customers_words MATCH ?1 AND instr(c.search, ?2) > 0 ORDER BY w.rowid LIMIT ?3",
        )?;
        for words in [phrase(query), words] {
            if keys.len() >= want {
                break;
            }
            let skip = keys.len();
            let rows = stmt.query_map(params![words, query, (want + skip) as i64], |r| {
                r.get::<_, i64>(0)
            })?;
            for key in rows {
                take(&mut keys, key?);
            }
        }
    }
    // The substring matches in name order, as far as the page needs: the better matches taken
    // above are among them, so `want` + their number + 1 are enough to fill the page and to
    // know whether another page follows. The count is exact when the walk ends before that,
    // and "at least" otherwise: nobody reads a count of the search as an agent types it, and
    // counting to the cap was most of its cost (`anna`: 1,001 matches walked for 20 shown).
    let walk = want
        .saturating_add(keys.len())
        .saturating_add(1)
        .min(COUNT_CAP + 1);
    let matches = matching_keys(c, query, walk, false)?;
    let count = if matches.len() < walk {
        Count::exact(matches.len() as i64)
    } else {
        Count::at_least(matches.len().min(COUNT_CAP))
    };
    // Every better match is in `seen` now: the rest in name order, skipping those. At most
    // `keys.len()` of the walked matches are taken already, so enough are left.
    for key in &matches {
        if keys.len() >= want {
            break;
        }
        take(&mut keys, *key);
    }
    let mut one = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.sort_key = ?1"
    ))?;
    let entries = keys
        .get(offset.min(keys.len())..)
        .unwrap_or_default()
        .iter()
        .take(limit)
        .map(|key| one.query_row(params![key], entry))
        .collect::<Result<Vec<_>, _>>()?;
    let mut answer = page(
        entries,
        count,
        current_page,
        page_size,
        CustomerSort::ByNameAsc,
        false,
    );
    // Best matches first is no sort the agent can choose: none is marked as applied.
    answer.pagination.sort = None;
    for s in &mut answer.sorts {
        s.selected = false;
    }
    Ok(answer)
}

/// An FTS5 query (word tokenizer) for rows with consecutive words starting as `query`'s words
/// do, the last one as a prefix (`"anna schm" *`); `None` when the query has no letter, or a
/// digit (the word index leaves digits out: an id or a numbered e-mail is found exactly or as a
/// substring).
fn word_prefix(query: &str) -> Option<String> {
    let letters = query.chars().any(char::is_alphabetic);
    let digits = query.chars().any(|c| c.is_ascii_digit());
    (letters && !digits).then(|| format!("{} *", phrase(query)))
}

/// How many customers match: exactly, or at least (counting stopped at [`COUNT_CAP`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// The count, or the cap.
    pub total: i64,
    /// Whether `total` is a lower bound.
    pub lower_bound: bool,
}

impl Count {
    /// An exact count.
    pub fn exact(total: i64) -> Self {
        Self {
            total,
            lower_bound: false,
        }
    }

    /// At least `found` (counting stopped there).
    pub fn at_least(found: usize) -> Self {
        Self {
            total: found as i64,
            lower_bound: true,
        }
    }

    /// A count of up to `cap + 1` found rows: exact up to the cap, "at least" above.
    pub fn capped(found: usize, cap: usize) -> Self {
        if found > cap {
            Self {
                total: cap as i64,
                lower_bound: true,
            }
        } else {
            Self::exact(found as i64)
        }
    }
}

/// The page answer: paging totals, the applied sort and the sorts offered.
fn page(
    entries: Vec<CustomerSearchEntry>,
    count: Count,
    current_page: u32,
    page_size: u32,
    sort: CustomerSort,
    my_sessions: bool,
) -> CustomerSearchPage {
    let limit = i64::from(page_size).max(1);
    let total = count.total;
    CustomerSearchPage {
        entries,
        pagination: Pagination {
            current_page,
            page_size,
            total_pages: u32::try_from((total + limit - 1) / limit).unwrap_or(u32::MAX),
            total_results: u64::try_from(total).unwrap_or(0),
            sort: Some(sort.code().to_owned()),
            total_is_lower_bound: count.lower_bound,
        },
        sorts: CustomerSort::ALL
            .into_iter()
            .filter(|s| my_sessions || *s != CustomerSort::BySessionDateDesc)
            .map(|s| SortOption {
                code: s.code().to_owned(),
                name: s.label().to_owned(),
                selected: s == sort,
            })
            .collect(),
    }
}

pub use crate::ports::{ListFilter, SearchRequest};

/// One page of customers matching `req`. Answers 400 `ValidationError` for an unknown order
/// (`orderId`) and for `bySessionDateDesc` outside the `mysessions` list (`sort`).
pub fn search(c: &Connection, req: &SearchRequest) -> DomainResult<CustomerSearchPage> {
    let my_sessions = matches!(req.list, Some(ListFilter::Emulated(_)));
    let sort = req.sort.unwrap_or(if my_sessions {
        CustomerSort::BySessionDateDesc
    } else {
        CustomerSort::ByNameAsc
    });
    if sort == CustomerSort::BySessionDateDesc && !my_sessions {
        return Err(DomainError::invalid(
            "sort",
            "bySessionDateDesc sorts only the mysessions list.",
        ));
    }
    if let (Some(cart), None) = (&req.cart_id, &req.order_id) {
        let entries = by_cart(c, cart)?;
        return Ok(page(
            entries,
            Count::exact(1),
            req.current_page,
            req.page_size.max(1),
            sort,
            my_sessions,
        ));
    }
    if let Some(order) = &req.order_id {
        let known = c
            .query_row(
                "SELECT 1 FROM orders WHERE code = ?1",
                params![order],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !known {
            return Err(DomainError::invalid("orderId", "No order has this code."));
        }
    }
    if req.list.is_none() && req.order_id.is_none() && req.sort.is_none() {
        return relevant(c, &req.query, req.current_page, req.page_size);
    }
    if req.list.is_none() && req.order_id.is_none() && sort == CustomerSort::ByNameAsc {
        return search_customers(c, &req.query, req.current_page, req.page_size);
    }
    let page_size = req.page_size.max(1);
    // Z to A over everybody: the trigram index backwards, stopping after the page.
    if sort == CustomerSort::ByNameDesc
        && req.list.is_none()
        && req.order_id.is_none()
        && !req.query.contains('\0')
        && req.query.chars().count() >= 3
    {
        let limit = i64::from(page_size);
        let offset = i64::from(req.current_page) * limit;
        let (count, entries) = indexed_in(c, &req.query, limit, offset, COUNT_CAP, true)?;
        return Ok(page(
            entries,
            count,
            req.current_page,
            page_size,
            sort,
            my_sessions,
        ));
    }
    if req.query.contains('\0') {
        return Ok(page(
            Vec::new(),
            Count::exact(0),
            req.current_page,
            page_size,
            sort,
            my_sessions,
        ));
    }
    let everybody = req.list.is_none() && req.order_id.is_none();
    let mut filters: Vec<&str> = Vec::new();
    let mut args: Vec<(&str, Value)> = Vec::new();
    if !req.query.is_empty() {
        // Inside a list or an order the few members drive the query and `LIKE` checks them;
        // over everybody, the index finds the matches unless they are too many to gather.
        let dense = req.list.is_some()
            || req.order_id.is_some()
            || req.query.chars().count() < 3
            || {
                let probe: i64 = c.query_row(
                "SELECT COUNT(*) FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 LIMIT ?2)",
                params![phrase(&req.query), COUNT_CAP as i64 + 1],
                |r| r.get(0),
            )?;
                probe as usize > COUNT_CAP
            };
        // Over everybody, another order than by name has no index to walk together with the
        // query: the matches are gathered from the trigram index and sorted, which is cheap up
        // to the count cap and refused beyond (a walk of the e-mail index took seconds).
        if dense && everybody && !matches!(sort, CustomerSort::ByNameAsc | CustomerSort::ByNameDesc)
        {
            return Err(DomainError::invalid(
                "sort",
                format!(
                    "More than {COUNT_CAP} customers match (or the search is under 3 characters): \
                     narrow the search to sort by {}, or sort by name.",
                    sort.label().to_lowercase()
                ),
            ));
        }
        if dense {
            filters.push("p.search LIKE :pattern ESCAPE '\\'");
            args.push((":pattern", Value::Text(like_pattern(&req.query))));
        } else {
            filters.push(
                "p.sort_key IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH :phrase)",
            );
            args.push((":phrase", Value::Text(phrase(&req.query))));
        }
    }
    match &req.list {
        Some(ListFilter::Stored(id)) => {
            filters.push(
                "p.customer_id IN (SELECT customer_id FROM customer_list_members WHERE list_id = :list)",
            );
            args.push((":list", Value::Text(id.as_str().to_owned())));
        }
        Some(ListFilter::Emulated(members)) => {
            filters.push("p.customer_id IN (SELECT j.value ->> 0 FROM json_each(:members) j)");
            args.push((":members", Value::Text(members_json(members))));
        }
        None => {}
    }
    if let Some(order) = &req.order_id {
        filters.push("p.customer_id = (SELECT customer_id FROM orders WHERE code = :order)");
        args.push((":order", Value::Text(order.clone())));
    }
    let filter = if filters.is_empty() {
        String::from("1")
    } else {
        filters.join(" AND ")
    };
    let count = {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM customers p WHERE {filter} LIMIT {})",
            COUNT_CAP + 1
        ))?;
        bind(&mut stmt, &args)?;
        let mut rows = stmt.raw_query();
        let found: i64 = match rows.next()? {
            Some(r) => r.get(0)?,
            None => 0,
        };
        Count::capped(usize::try_from(found).unwrap_or(0), COUNT_CAP)
    };
    let limit = i64::from(page_size);
    args.push((":limit", Value::Integer(limit)));
    args.push((
        ":offset",
        Value::Integer(i64::from(req.current_page) * limit),
    ));
    let rowids: Vec<i64> = {
        // Over everybody, name order is key order: the unique key index walks in either
        // direction and stops after the page (the name index would need a sort for DESC ties).
        let order = match sort {
            CustomerSort::ByNameAsc if everybody => "p.sort_key",
            CustomerSort::ByNameDesc if everybody => "p.sort_key DESC",
            other => order_by(other),
        };
        let mut stmt = c.prepare_cached(&format!(
            "SELECT p.rowid FROM customers p WHERE {filter} ORDER BY {order} LIMIT :limit OFFSET :offset"
        ))?;
        bind(&mut stmt, &args)?;
        let mut rows = stmt.raw_query();
        let mut ids = Vec::new();
        while let Some(r) = rows.next()? {
            ids.push(r.get(0)?);
        }
        ids
    };
    let mut one = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.rowid = ?1"
    ))?;
    let mut pickup_order = c.prepare_cached(
        "SELECT code FROM orders WHERE customer_id = ?1 ORDER BY placed DESC, code DESC LIMIT 1",
    )?;
    let pickup = req.list == Some(ListFilter::Stored(CustomerListId::Pickup));
    let mut entries = Vec::with_capacity(rowids.len());
    for rowid in rowids {
        let mut e = one.query_row(params![rowid], entry)?;
        e.order_id = match &req.order_id {
            Some(order) => Some(order.clone()),
            None if pickup => pickup_order
                .query_row(params![e.customer_id], |r| r.get(0))
                .optional()?,
            None => None,
        };
        entries.push(e);
    }
    Ok(page(
        entries,
        count,
        req.current_page,
        page_size,
        sort,
        my_sessions,
    ))
}

/// The members of an emulated-customers list as a JSON array of `[customerId, startedMs]`.
fn members_json(members: &[(String, i64)]) -> String {
    serde_json::to_string(members).unwrap_or_else(|_| String::from("[]"))
}

/// `ORDER BY` of a sort over `p`, the customers table; ties by name, then customer id.
fn order_by(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::ByNameAsc => "p.name COLLATE NOCASE, p.customer_id",
        CustomerSort::ByNameDesc => "p.name COLLATE NOCASE DESC, p.customer_id DESC",
        CustomerSort::ByUidAsc => "p.uid COLLATE NOCASE",
        CustomerSort::ByUidDesc => "p.uid COLLATE NOCASE DESC",
        // `last_order` is kept by a trigger on `orders`; these orders match its two indexes.
        CustomerSort::ByOrderDateAsc => {
            "p.last_order IS NULL, p.last_order, p.name COLLATE NOCASE, p.customer_id"
        }
        CustomerSort::ByOrderDateDesc => {
            "p.last_order IS NULL, p.last_order DESC, p.name COLLATE NOCASE, p.customer_id"
        }
        CustomerSort::BySessionDateDesc => {
            "(SELECT j.value ->> 1 FROM json_each(:members) j \
              WHERE j.value ->> 0 = p.customer_id) DESC, \
             p.name COLLATE NOCASE, p.customer_id"
        }
    }
}

/// Binds the named arguments the statement uses (the others are left out).
fn bind(
    stmt: &mut r2d2_sqlite::rusqlite::CachedStatement<'_>,
    args: &[(&str, Value)],
) -> DomainResult<()> {
    stmt.clear_bindings();
    for (name, value) in args {
        if let Some(i) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    Ok(())
}

type Found = (Count, Vec<CustomerSearchEntry>);

/// Through the trigram index: its rowids are sort keys, so both the count (up to `cap + 1`) and
/// the page (the matches after the offset, in key order) stop early.
fn indexed(
    c: &Connection,
    query: &str,
    limit: i64,
    offset: i64,
    cap: usize,
) -> DomainResult<Found> {
    indexed_in(c, query, limit, offset, cap, false)
}

/// [`indexed`] in name order (`descending`: Z to A; the index walks either way).
fn indexed_in(
    c: &Connection,
    query: &str,
    limit: i64,
    offset: i64,
    cap: usize,
    descending: bool,
) -> DomainResult<Found> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let offset = usize::try_from(offset).unwrap_or(0);
    let keys = matching_keys(
        c,
        query,
        (cap + 1).max(offset.saturating_add(limit)),
        descending,
    )?;
    let count = Count::capped(keys.len(), cap);
    let mut one = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.sort_key = ?1"
    ))?;
    let entries = keys
        .iter()
        .skip(offset)
        .take(limit)
        .map(|key| one.query_row(params![key], entry))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((count, entries))
}

/// The sort keys of the first `max` customers whose name, e-mail or id contains `query`, in
/// name order (`descending`: Z to A), through the trigram index. One walk gives both the count
/// and any page within it: counting first and walking again for the page read the index twice,
/// which for an id-like query (`c000123`, whose trigrams `c00` and `000` are in every id) is
/// most of the search's cost. When [`narrowest_window`] finds a shorter part of the query that
/// is cheaper to walk, the index walks that part and each customer it finds is checked for the
/// whole query.
fn matching_keys(
    c: &Connection,
    query: &str,
    max: usize,
    descending: bool,
) -> DomainResult<Vec<i64>> {
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let keys = match narrowest_window(c, query)? {
        Some(window) => {
            let mut stmt = c.prepare_cached(if descending {
                "SELECT f.rowid FROM customers_fts f JOIN customers c ON c.sort_key = f.rowid \
                 WHERE customers_fts MATCH ?1 AND instr(c.search, ?2) > 0 \
                 ORDER BY f.rowid DESC LIMIT ?3"
            } else {
                "SELECT f.rowid FROM customers_fts f JOIN customers c ON c.sort_key = f.rowid \
                 WHERE customers_fts MATCH ?1 AND instr(c.search, ?2) > 0 \
                 ORDER BY f.rowid LIMIT ?3"
            })?;
            let rows = stmt.query_map(params![phrase(window), query, max], |r| r.get(0))?;
            rows.collect::<Result<Vec<i64>, _>>()?
        }
        None => {
            let mut stmt = c.prepare_cached(if descending {
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2"
            } else {
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 ORDER BY rowid LIMIT ?2"
            })?;
            let rows = stmt.query_map(params![phrase(query), max], |r| r.get(0))?;
            rows.collect::<Result<Vec<i64>, _>>()?
        }
    };
    Ok(keys)
}

/// How many times more customers a trigram at a query's end must be in than the query's rarest
/// trigram for the walk to leave it out.
const COMMON_END: i64 = 8;

/// A part of `query` (at least four characters) whose index walk is much cheaper than the
/// whole query's, or `None` to walk the whole query. The index walks every trigram of a phrase
/// together, so a trigram in very many customers costs much even when the phrase matches few:
/// in `c000123`, `c00` is in every tenth customer (100k of 1M) while `123` is in 5,109, and
/// walking `000123` and checking its 11 customers for `c000123` took half the time. Trigrams
/// are dropped from either end while the end one is in more than [`COMMON_END`] times as many
/// customers as the rarest of the rest (`search_trigrams`). Only ASCII queries: the check is a
/// byte comparison with the lower-cased search text, which for ASCII is what the index's case
/// folding matches.
fn narrowest_window<'q>(c: &Connection, query: &'q str) -> DomainResult<Option<&'q str>> {
    if !query.is_ascii() || query.len() < 5 {
        return Ok(None);
    }
    let mut docs = c.prepare_cached("SELECT docs FROM search_trigrams WHERE term = ?1")?;
    let mut counts = Vec::with_capacity(query.len() - 2);
    for start in 0..query.len() - 2 {
        let term = query.get(start..start + 3).unwrap_or_default();
        match docs
            .query_row(params![term], |r| r.get::<_, i64>(0))
            .optional()?
        {
            Some(n) => counts.push(n),
            // A trigram in nobody (or not counted yet): the whole query's walk ends at once.
            None => return Ok(None),
        }
    }
    let (mut first, mut last) = (0, counts.len());
    // At least two trigrams (four characters) stay: one trigram's walk finds too many to check.
    while last - first > 2 {
        let rest_min =
            |range: std::ops::Range<usize>| counts.get(range).and_then(|r| r.iter().min().copied());
        let head = counts.get(first).copied().unwrap_or(0);
        let tail = counts.get(last - 1).copied().unwrap_or(0);
        if head >= tail
            && rest_min(first + 1..last).is_some_and(|m| head > m.saturating_mul(COMMON_END))
        {
            first += 1;
        } else if rest_min(first..last - 1).is_some_and(|m| tail > m.saturating_mul(COMMON_END)) {
            last -= 1;
        } else {
            break;
        }
    }
    Ok((first > 0 || last < counts.len())
        .then(|| query.get(first..last + 2))
        .flatten())
}

/// Without the index (queries under three characters): a `LIKE` over the name index, counted
/// up to the cap.
fn scanned(
    c: &Connection,
    query: &str,
    limit: i64,
    offset: i64,
    cap: usize,
) -> DomainResult<Found> {
    let found: i64 = c.query_row(
        "SELECT COUNT(*) FROM (SELECT 1 FROM customers WHERE search LIKE ?1 ESCAPE '\\' LIMIT ?2)",
        params![like_pattern(query), cap as i64 + 1],
        |r| r.get(0),
    )?;
    let count = Count::capped(usize::try_from(found).unwrap_or(0), cap);
    Ok((count, scanned_page(c, query, limit, offset)?))
}

/// One page of the customers whose search text contains `query`, walking the name index.
fn scanned_page(
    c: &Connection,
    query: &str,
    limit: i64,
    offset: i64,
) -> DomainResult<Vec<CustomerSearchEntry>> {
    let mut stmt = c.prepare_cached(&page_sql("p.search LIKE ?1 ESCAPE '\\'"))?;
    let entries = stmt
        .query_map(params![like_pattern(query), limit, offset], entry)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_quotes_and_doubles_quotes() {
        assert_eq!(phrase("ann"), "\"ann\"");
        assert_eq!(phrase("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn name_descending_through_the_index_is_the_ascending_order_reversed() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 3_000, 1_800_000_000_000)
            .expect("seed");
        for q in ["ann", "wolf", "example.com", "zzz"] {
            // Every match, both ways ("example.com" matches everybody: over the cap).
            let (asc_count, mut asc) = indexed(&c, q, 1_000, 0, COUNT_CAP).expect("asc");
            let (desc_count, desc) = indexed_in(&c, q, 1_000, 0, COUNT_CAP, true).expect("desc");
            assert_eq!(desc_count, asc_count, "{q}");
            if asc_count.lower_bound {
                // The first of Z-A comes after the last of the first thousand A-Z.
                assert!(desc[0].name >= asc[asc.len() - 1].name, "{q}");
                continue;
            }
            asc.reverse();
            assert_eq!(desc, asc, "{q}");
            // And a later page is that part of the reversed list.
            let (_, page) = indexed_in(&c, q, 5, 5, COUNT_CAP, true).expect("desc page");
            assert_eq!(
                page.as_slice(),
                &asc[asc.len().min(5)..asc.len().min(10)],
                "{q}"
            );
        }
    }

    #[test]
    fn indexed_and_scanned_agree() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 3_000, 1_800_000_000_000)
            .expect("seed");
        for q in [
            "ann",
            "wolf",
            "example.com",
            "c000123",
            "zzz",
            "o\"k",
            "50%",
            "a_b",
            "ΩΩΩ",
        ] {
            let (t1, e1) = indexed(&c, q, 20, 0, COUNT_CAP).expect("indexed");
            let (t2, e2) = scanned(&c, q, 20, 0, COUNT_CAP).expect("scanned");
            assert_eq!(t1, t2, "total for {q}");
            assert_eq!(e1, e2, "page for {q}");
            // Later pages agree too, on both sides of the cap.
            let (_, e1) = indexed(&c, q, 20, 40, COUNT_CAP).expect("indexed");
            assert_eq!(
                e1,
                scanned_page(&c, q, 20, 40).expect("scanned"),
                "page 3 for {q}"
            );
        }
    }

    /// The keys the whole query's index walk finds, in name order (`descending`: reversed).
    fn walked_whole(c: &Connection, query: &str, descending: bool) -> Vec<i64> {
        let order = if descending { "DESC" } else { "" };
        let mut stmt = c
            .prepare(&format!(
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 ORDER BY rowid {order}"
            ))
            .expect("prepare");
        let rows = stmt
            .query_map(params![phrase(query)], |r| r.get(0))
            .expect("query");
        rows.collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn an_id_like_query_walks_a_rarer_part_and_finds_the_same_customers() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 3_000, 1_800_000_000_000)
            .expect("seed");
        // `c00` is in every id, `123` in a few: the walk leaves the common end out.
        let window = narrowest_window(&c, "c000123").expect("window");
        assert!(
            window.is_some_and(|w| w.len() >= 4 && w.len() < 7 && "c000123".contains(w)),
            "{window:?}"
        );
        // A customer added after the counts were made is found all the same.
        add_customer(&c, "C0001239X", "Late Comer");
        for q in [
            "c000123",
            "c0001239x",
            "c00012",
            "c0002999",
            "c0000",
            "c00123x",
            "0001230",
        ] {
            for descending in [false, true] {
                let keys = matching_keys(&c, q, COUNT_CAP + 1, descending).expect("keys");
                assert_eq!(keys, walked_whole(&c, q, descending), "{q} {descending}");
            }
        }
        assert!(!matching_keys(&c, "c0001239x", 10, false)
            .expect("keys")
            .is_empty());
        // Only whole-query walks where the check could disagree with the index, or nothing is
        // known of the trigrams.
        assert_eq!(narrowest_window(&c, "c0ä00123").expect("window"), None);
        assert_eq!(narrowest_window(&c, "c000").expect("window"), None);
        // The window finds `c0000123` too (it contains `000123`); the check leaves it out.
        assert!(walked_whole(&c, "000123", false).len() > walked_whole(&c, "c000123", false).len());
        c.execute("DELETE FROM search_trigrams", [])
            .expect("forget");
        assert_eq!(narrowest_window(&c, "c000123").expect("window"), None);
        // Renumbering counts them again.
        rekey_all(&c).expect("rekey");
        assert!(narrowest_window(&c, "c000123").expect("window").is_some());
    }

    #[test]
    fn counting_stops_at_the_cap_and_says_so() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 3_000, 1_800_000_000_000)
            .expect("seed");
        let cap = 1_000;
        let everybody = search_customers_counting(&c, "example.com", 0, 20, cap).expect("search");
        assert_eq!(everybody.pagination.total_results, cap as u64);
        assert!(everybody.pagination.total_is_lower_bound);
        assert_eq!(everybody.entries.len(), 20);
        assert!(everybody
            .entries
            .windows(2)
            .all(|w| w[0].name.to_lowercase() <= w[1].name.to_lowercase()));
        let few = search_customers_counting(&c, "wolf", 0, 20, cap).expect("search");
        assert!(!few.pagination.total_is_lower_bound);
        assert!(few.pagination.total_results < cap as u64);
        let short = search_customers_counting(&c, "e", 0, 20, cap).expect("search");
        assert!(short.pagination.total_is_lower_bound);
    }

    /// Customer ids in sort-key order equal those in name order, and every customer has a key.
    fn assert_keys_in_name_order(c: &Connection) {
        let ids = |sql: &str| -> Vec<String> {
            let mut stmt = c.prepare(sql).expect("prepare");
            let rows = stmt.query_map([], |r| r.get(0)).expect("query");
            rows.collect::<Result<_, _>>().expect("rows")
        };
        let by_key = ids("SELECT customer_id FROM customers ORDER BY sort_key");
        let by_name =
            ids("SELECT customer_id FROM customers ORDER BY name COLLATE NOCASE, customer_id");
        assert_eq!(by_key, by_name);
        let unkeyed: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM customers WHERE sort_key IS NULL",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(unkeyed, 0);
    }

    fn add_customer(c: &Connection, id: &str, name: &str) {
        c.execute(
            "INSERT INTO customers (customer_id, uid, first_name, last_name, name, town, country, \
             signed_up, search) VALUES (?1, ?2, 'F', 'L', ?3, '', '', 0, lower(?3 || ' ' || ?2 || ' ' || ?1))",
            params![id, format!("{id}@example.org"), name],
        )
        .expect("insert");
        assign_key(c, id).expect("key");
    }

    #[test]
    fn new_and_renamed_customers_take_their_place_in_name_order() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 500, 1_800_000_000_000)
            .expect("seed");
        assert_keys_in_name_order(&c);
        add_customer(&c, "C-NEW1", "Maria Zzyzx");
        add_customer(&c, "C-NEW2", "aaaa Firstofall");
        add_customer(&c, "C-NEW3", "Zzzz Lastofall");
        assert_keys_in_name_order(&c);
        let page = search_customers(&c, "zzyzx", 0, 20).expect("search");
        assert_eq!(page.entries[0].customer_id, "C-NEW1");
        // Renamed: moves, and the index follows.
        c.execute(
            "UPDATE customers SET name = 'Aaron Qqrename', search = 'aaron qqrename' WHERE customer_id = 'C-NEW1'",
            [],
        )
        .expect("rename");
        assign_key(&c, "C-NEW1").expect("key");
        assert_keys_in_name_order(&c);
        assert!(search_customers(&c, "zzyzx", 0, 20)
            .expect("search")
            .entries
            .is_empty());
        assert_eq!(
            search_customers(&c, "qqrename", 0, 20)
                .expect("search")
                .entries
                .len(),
            1
        );
    }

    #[test]
    fn when_no_gap_is_left_everybody_is_renumbered() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 100, 1_800_000_000_000)
            .expect("seed");
        // Same name, ids descending: each lands just before the previous one, halving one gap.
        for i in (0..40).rev() {
            add_customer(&c, &format!("C-SAME{i:02}"), "Mmm Samename");
        }
        assert_keys_in_name_order(&c);
        let page = search_customers(&c, "samename", 0, 50).expect("search");
        assert_eq!(page.pagination.total_results, 40);
        let ids: Vec<&str> = page
            .entries
            .iter()
            .map(|e| e.customer_id.as_str())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn a_query_with_nul_matches_nobody_and_does_not_fail() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 10, 1_800_000_000_000)
            .expect("seed");
        for q in ["\0", "a\0", "ann\0", "\"\0\"", "wol\0f"] {
            let page = search_customers(&c, q, 0, 20).expect("no error");
            assert_eq!(page.pagination.total_results, 0, "{q:?}");
            assert!(page.entries.is_empty(), "{q:?}");
        }
    }

    #[test]
    fn the_index_follows_updates_and_deletes() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 10, 1_800_000_000_000)
            .expect("seed");
        c.execute(
            "UPDATE customers SET search = 'qqqxyz' WHERE customer_id = 'C0000001'",
            [],
        )
        .expect("update");
        assert_eq!(
            indexed(&c, "qqqxyz", 20, 0, COUNT_CAP).expect("search").0,
            Count::exact(1)
        );
        // The customer's carts, orders and tickets are not the point here.
        c.execute_batch("PRAGMA foreign_keys = OFF")
            .expect("pragma");
        c.execute("DELETE FROM customers WHERE customer_id = 'C0000001'", [])
            .expect("delete");
        assert_eq!(
            indexed(&c, "qqqxyz", 20, 0, COUNT_CAP).expect("search").0,
            Count::exact(0)
        );
    }

    /// A seeded shop with these customers added (id, first name, last name, e-mail).
    fn shop_with(extra: &[(&str, &str, &str, &str)]) -> Connection {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        crate::commerce::embedded::seed::seed_if_empty(&mut c, 2_000, 1_800_000_000_000)
            .expect("seed");
        for (id, first, last, email) in extra {
            let name = format!("{first} {last}");
            c.execute(
                "INSERT INTO customers (customer_id, uid, first_name, last_name, name, town, country, \
                 signed_up, search) VALUES (?1, ?2, ?3, ?4, ?5, 'Berlin', 'DE', 0, ?6)",
                params![id, email, first, last, name, format!("{name} {email} {id}").to_lowercase()],
            )
            .expect("insert");
            assign_key(&c, id).expect("key");
        }
        c
    }

    fn typed(c: &Connection, query: &str, current_page: u32, page_size: u32) -> CustomerSearchPage {
        search(
            c,
            &SearchRequest {
                query: query.into(),
                current_page,
                page_size,
                ..SearchRequest::default()
            },
        )
        .expect("search")
    }

    fn names(page: &CustomerSearchPage) -> Vec<String> {
        page.entries.iter().map(|e| e.name.clone()).collect()
    }

    #[test]
    fn typed_searches_list_the_exact_customer_then_whole_words_then_word_starts_then_the_rest() {
        let c = shop_with(&[
            ("X1", "Zed", "Quill", "ann@example.com"),
            ("X2", "Joann", "Annex", "joann.annex@example.com"),
            ("X3", "Anna", "Smith", "anna.smith@example.com"),
            ("X4", "Ann", "Baker", "a.baker@example.com"),
            ("X5", "Aaron", "Zimmermann", "aaron.zimmermann@example.com"),
        ]);
        // `ann`: the whole word (Ann, "ann@…") by name, then words starting with it (Anna,
        // Annex), then the rest.
        let page = typed(&c, "ann", 0, 100);
        let got = names(&page);
        assert_eq!(
            got[..4],
            ["Ann Baker", "Zed Quill", "Anna Smith", "Joann Annex"]
        );
        assert!(got.contains(&"Aaron Zimmermann".to_string()));
        let rest = &got[4..];
        let mut sorted = rest.to_vec();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(rest, sorted.as_slice(), "the other matches by name");
        assert!(rest
            .iter()
            .all(|n| !n.to_lowercase().split(' ').any(|w| w.starts_with("ann"))));
        // The same customers and count as the name-ordered search: only the order differs.
        let by_name = search_customers(&c, "ann", 0, 1_000).expect("by name");
        assert!(!by_name.pagination.total_is_lower_bound);
        let all = typed(&c, "ann", 0, 1_000);
        let mut a = names(&all);
        let mut b = names(&by_name);
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert_eq!(
            all.pagination.total_results,
            by_name.pagination.total_results
        );
        assert!(!all.pagination.total_is_lower_bound);
        // A page of 100 of those counts only one past itself and says so.
        assert!(by_name.pagination.total_results > 101);
        assert!(page.pagination.total_is_lower_bound);
        assert!(page.pagination.total_results > 100);
        assert!(page.pagination.total_results < by_name.pagination.total_results);
        assert_eq!(page.pagination.total_pages, 2, "another page follows");
        assert_eq!(
            page.pagination.sort, None,
            "best matches first is not a sort option"
        );
        // The e-mail typed in full comes first, though Joann's also contains it.
        assert_eq!(names(&typed(&c, "ann@example.com", 0, 5))[0], "Zed Quill");
        // So does the customer id (ids are upper-case, the query lower-case).
        assert_eq!(names(&typed(&c, "x5", 0, 5)), ["Aaron Zimmermann"]);
        let id = typed(&c, "c0000012", 0, 5);
        assert_eq!(id.entries[0].customer_id, "C0000012");
    }

    #[test]
    fn typed_search_pages_are_slices_of_one_order() {
        let c = shop_with(&[("X4", "Ann", "Baker", "a.baker@example.com")]);
        for q in ["ann", "son", "example.com", "c00001", "#@!", "zzz"] {
            let all = typed(&c, q, 0, 100);
            let mut paged = Vec::new();
            for p in 0..10 {
                paged.extend(typed(&c, q, p, 10).entries);
            }
            assert_eq!(paged, all.entries, "{q}");
        }
    }

    #[test]
    fn typed_search_pages_reach_the_count_cap_without_repeats_or_gaps() {
        // `example.com` is in every e-mail: more matches than the cap, so the whole words and
        // the exact match come from the other walks and the rest from the name-ordered walk,
        // which goes one past each page (so each says another follows) and stops at the cap;
        // the deepest page allowed is still full and no customer comes twice.
        let c = shop_with(&[("X4", "Ann", "Baker", "a.baker@example.com")]);
        let mut seen = std::collections::HashSet::new();
        for p in 0..10 {
            let page = typed(&c, "example.com", p, 100);
            assert_eq!(page.entries.len(), 100, "page {p}");
            assert!(page.pagination.total_is_lower_bound);
            let total = page.pagination.total_results;
            if p == 9 {
                assert_eq!(total, COUNT_CAP as u64);
            } else {
                assert!(total > (p as u64 + 1) * 100, "page {p}: {total}");
                assert!(page.pagination.total_pages > p + 1, "page {p}");
            }
            for e in page.entries {
                assert!(e.uid.contains("example.com"), "{}", e.uid);
                assert!(
                    seen.insert(e.customer_id.clone()),
                    "{} twice",
                    e.customer_id
                );
            }
        }
        assert_eq!(seen.len(), COUNT_CAP);
    }
}
