//! Customer search: case-insensitive substring match over name, e-mail and customer id, ordered
//! by name. Queries of three or more characters use the trigram index (`customers_fts`); a query
//! that matches very many customers pages through the name index instead, which stops as soon as
//! the page is full.

use crate::error::ApiResult;
use asm_types::{error_type, CustomerSearchEntry, CustomerSearchPage, Pagination};
use r2d2_sqlite::rusqlite::{params, Connection, Row};

/// Up to this many matches, the matches are fetched through the index and the page is taken by a
/// top-N sort; above it, matches are so dense that walking the name index fills a page sooner.
const INDEXED_MATCHES: usize = 100_000;

const COLUMNS: &str = "c.uid, c.name, c.customer_id, \
    (SELECT code FROM carts WHERE customer_id = c.customer_id AND status = 'active' ORDER BY modified DESC LIMIT 1), \
    EXISTS (SELECT 1 FROM orders WHERE customer_id = c.customer_id), c.disabled, c.consent";
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
    })
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
) -> ApiResult<CustomerSearchPage> {
    let limit = i64::from(page_size);
    let offset = i64::from(current_page) * limit;
    // No name, e-mail or id contains NUL, and SQLite would read the query only up to it: FTS5
    // fails with "unterminated string" (a 500, found by schemathesis), LIKE gets a shorter
    // pattern (wrong matches). Such a query matches nobody.
    let (total, entries) = if query.contains('\0') {
        (0, Vec::new())
    } else if query.chars().count() >= 3 {
        indexed(c, query, limit, offset)?
    } else {
        scanned(c, query, limit, offset, None)?
    };
    Ok(CustomerSearchPage {
        entries,
        pagination: Pagination {
            current_page,
            page_size,
            total_pages: u32::try_from((total + limit - 1) / limit).unwrap_or(u32::MAX),
            total_results: u64::try_from(total).unwrap_or(0),
        },
    })
}

type Found = (i64, Vec<CustomerSearchEntry>);

fn indexed(c: &Connection, query: &str, limit: i64, offset: i64) -> ApiResult<Found> {
    let phrase = phrase(query);
    let probe: i64 = c.query_row(
        "SELECT COUNT(*) FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 LIMIT ?2)",
        params![phrase, INDEXED_MATCHES as i64 + 1],
        |r| r.get(0),
    )?;
    if probe as usize > INDEXED_MATCHES {
        // Very common: walking the name index finds a page of matches quickly.
        let total: i64 = c.query_row(
            "SELECT COUNT(*) FROM customers_fts WHERE customers_fts MATCH ?1",
            params![phrase],
            |r| r.get(0),
        )?;
        return scanned(c, query, limit, offset, Some(total));
    }
    let mut stmt = c.prepare_cached(&page_sql(
        "p.rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1)",
    ))?;
    let entries = stmt
        .query_map(params![phrase, limit, offset], entry)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((probe, entries))
}

fn scanned(
    c: &Connection,
    query: &str,
    limit: i64,
    offset: i64,
    total: Option<i64>,
) -> ApiResult<Found> {
    let pattern = like_pattern(query);
    let total = match total {
        Some(t) => t,
        None => c.query_row(
            "SELECT COUNT(*) FROM customers WHERE search LIKE ?1 ESCAPE '\\'",
            params![pattern],
            |r| r.get(0),
        )?,
    };
    let mut stmt = c.prepare_cached(&page_sql("p.search LIKE ?1 ESCAPE '\\'"))?;
    let entries = stmt
        .query_map(params![pattern, limit, offset], entry)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, entries))
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
    fn indexed_and_scanned_agree() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::db::migrate(&mut c).expect("migrate");
        crate::seed::seed_if_empty(&mut c, 3_000, 1_800_000_000_000).expect("seed");
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
            let (t1, e1) = indexed(&c, q, 20, 0).expect("indexed");
            let (t2, e2) = scanned(&c, q, 20, 0, None).expect("scanned");
            assert_eq!(t1, t2, "total for {q}");
            assert_eq!(e1, e2, "page for {q}");
        }
    }

    #[test]
    fn a_query_with_nul_matches_nobody_and_does_not_fail() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::db::migrate(&mut c).expect("migrate");
        crate::seed::seed_if_empty(&mut c, 10, 1_800_000_000_000).expect("seed");
        for q in ["\0", "a\0", "ann\0", "\"\0\"", "wol\0f"] {
            let page = search_customers(&c, q, 0, 20).expect("no error");
            assert_eq!(page.pagination.total_results, 0, "{q:?}");
            assert!(page.entries.is_empty(), "{q:?}");
        }
    }

    #[test]
    fn the_index_follows_updates_and_deletes() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::db::migrate(&mut c).expect("migrate");
        crate::seed::seed_if_empty(&mut c, 10, 1_800_000_000_000).expect("seed");
        c.execute(
            "UPDATE customers SET search = 'qqqxyz' WHERE customer_id = 'C0000001'",
            [],
        )
        .expect("update");
        assert_eq!(indexed(&c, "qqqxyz", 20, 0).expect("search").0, 1);
        // The customer's carts, orders and tickets are not the point here.
        c.execute_batch("PRAGMA foreign_keys = OFF")
            .expect("pragma");
        c.execute("DELETE FROM customers WHERE customer_id = 'C0000001'", [])
            .expect("delete");
        assert_eq!(indexed(&c, "qqqxyz", 20, 0).expect("search").0, 0);
    }
}
