//! The embedded demo shop's schema: migrations applied in order at start.

use crate::db::Pool;
use r2d2_sqlite::rusqlite::{self, Connection};
use std::path::Path;

/// The demo shop's incentive and session-only vouchers (`CALL10`, `GIFTCARD`, `SHIPFREE`), added
/// where the catalogue has products: by the migration that brought them and by the seed.
macro_rules! incentive_vouchers {
    () => {
        r#"
INSERT OR IGNORE INTO vouchers (code, name, description, percent, kind, gift_product, session_only)
    SELECT 'CALL10', 'Support call 10%', '10% off, valid only during this call with customer support', 10, 'DISCOUNT', NULL, 1
    WHERE EXISTS (SELECT 1 FROM products);
INSERT OR IGNORE INTO vouchers (code, name, description, percent, kind, gift_product, session_only)
    SELECT 'GIFTCARD', 'Free memory card', 'A memory card as a gift', NULL, 'GIFT_PRODUCT', code, 0
    FROM products WHERE code = '3708646';
INSERT OR IGNORE INTO vouchers (code, name, description, percent, kind, gift_product, session_only)
    SELECT 'SHIPFREE', 'Free shipping', 'No delivery cost on this order, valid only during this call', NULL, 'FREE_SHIPPING', NULL, 1
    WHERE EXISTS (SELECT 1 FROM products);
"#
    };
}

/// See [`incentive_vouchers`]: SQL the seed runs once the products are in.
pub const INCENTIVE_VOUCHERS: &str = incentive_vouchers!();

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE agents (
    uid TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    groups_csv TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    name TEXT NOT NULL,
    town TEXT NOT NULL,
    country TEXT NOT NULL,
    signed_up INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    consent INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT,
    search TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name COLLATE NOCASE, customer_id);
CREATE TABLE products (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL
);
CREATE TABLE carts (
    code TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers(customer_id),
    status TEXT NOT NULL DEFAULT 'active',
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE INDEX carts_customer ON carts(customer_id, modified);
CREATE TABLE cart_entries (
    cart_code TEXT NOT NULL REFERENCES carts(code),
    product_code TEXT NOT NULL REFERENCES products(code),
    quantity INTEGER NOT NULL,
    PRIMARY KEY (cart_code, product_code)
);
CREATE TABLE orders (
    code TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    placed INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    placed_by TEXT
);
CREATE INDEX orders_customer ON orders(customer_id, placed);
CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_uid TEXT NOT NULL REFERENCES agents(uid),
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE TABLE assisted_sessions (
    session_id TEXT PRIMARY KEY,
    agent_uid TEXT NOT NULL REFERENCES agents(uid),
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    base_site TEXT NOT NULL,
    cart_id TEXT,
    reason TEXT,
    created INTEGER NOT NULL,
    ended INTEGER,
    end_reason TEXT
);
CREATE INDEX assisted_sessions_agent ON assisted_sessions(agent_uid, ended);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    agent_uid TEXT,
    customer_id TEXT,
    action TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
"#,
    // Substring search over name, e-mail and customer id through a trigram index.
    r#"
CREATE VIRTUAL TABLE customers_fts USING fts5(
    search, content = 'customers', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO customers_fts(customers_fts) VALUES ('rebuild');
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts(rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts(customers_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF search ON customers BEGIN
    INSERT INTO customers_fts(customers_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
    INSERT INTO customers_fts(rowid, search) VALUES (new.rowid, new.search);
END;
"#,
    // What the customer 360 view shows and what an agent changes while emulating: addresses,
    // saved cards, tickets, reviews, product interests, stores, cart vouchers, promotions,
    // customer coupons, and the lines of orders.
    r#"
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    kind TEXT NOT NULL CHECK (kind IN ('billing', 'delivery')),
    line1 TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    town TEXT NOT NULL,
    country TEXT NOT NULL,
    phone TEXT
);
CREATE INDEX addresses_customer ON addresses(customer_id);
CREATE TABLE payment_cards (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    expiry TEXT NOT NULL,
    holder TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX payment_cards_customer ON payment_cards(customer_id);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE INDEX tickets_customer ON tickets(customer_id, updated);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    product_code TEXT NOT NULL REFERENCES products(code),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    headline TEXT NOT NULL,
    comment TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX reviews_customer ON reviews(customer_id, created);
CREATE TABLE product_interests (
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    product_code TEXT NOT NULL REFERENCES products(code),
    kind TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (customer_id, product_code, kind)
);
CREATE TABLE stores (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    line1 TEXT NOT NULL,
    town TEXT NOT NULL,
    country TEXT NOT NULL,
    opening_hours TEXT NOT NULL
);
CREATE INDEX stores_town ON stores(country, town);
CREATE TABLE vouchers (
    code TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100)
);
CREATE TABLE cart_vouchers (
    cart_code TEXT NOT NULL REFERENCES carts(code),
    voucher_code TEXT NOT NULL,
    applied INTEGER NOT NULL,
    PRIMARY KEY (cart_code, voucher_code)
);
CREATE TABLE promotions (
    code TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    threshold_cents INTEGER NOT NULL,
    percent INTEGER NOT NULL
);
CREATE TABLE coupons (
    code TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100),
    starts INTEGER NOT NULL,
    ends INTEGER NOT NULL
);
CREATE TABLE customer_coupons (
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    coupon_code TEXT NOT NULL REFERENCES coupons(code),
    assigned INTEGER NOT NULL,
    assigned_by TEXT,
    PRIMARY KEY (customer_id, coupon_code)
);
CREATE TABLE order_entries (
    order_code TEXT NOT NULL REFERENCES orders(code),
    product_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    PRIMARY KEY (order_code, product_code)
);
ALTER TABLE orders ADD COLUMN subtotal_cents INTEGER;
ALTER TABLE orders ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN vouchers TEXT;
"#,
    // Customer lists (`instore`, `pickup`; `mysessions` comes from `assisted_sessions`), the
    // sorts of the customer search, and binding carts.
    r#"
CREATE TABLE customer_list_members (
    list_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_list_members_customer ON customer_list_members(customer_id);
CREATE INDEX assisted_sessions_agent_customer ON assisted_sessions(agent_uid, customer_id, created);
"#,
    // The customer's latest order date, kept by a trigger, so sorting customers by order date
    // walks an index instead of computing every customer's latest order.
    r#"
ALTER TABLE customers ADD COLUMN last_order INTEGER;
UPDATE customers SET last_order = (SELECT MAX(placed) FROM orders o WHERE o.customer_id = customers.customer_id);
CREATE TRIGGER orders_last_order AFTER INSERT ON orders BEGIN
    UPDATE customers SET last_order = MAX(COALESCE(last_order, new.placed), new.placed)
    WHERE customer_id = new.customer_id;
END;
CREATE INDEX customers_order_asc ON customers(last_order IS NULL, last_order, name COLLATE NOCASE, customer_id);
CREATE INDEX customers_order_desc ON customers(last_order IS NULL, last_order DESC, name COLLATE NOCASE, customer_id);
"#,
    // The trigram index's rowid becomes a key in name order (`customers.sort_key`, spaced by
    // `search::KEY_GAP`), so the index yields matches already sorted by name: a page of any
    // query, and a capped count, stop after the first matches instead of sorting them all.
    r#"
DROP TRIGGER customers_fts_insert;
DROP TRIGGER customers_fts_delete;
DROP TRIGGER customers_fts_update;
DROP TABLE customers_fts;
ALTER TABLE customers ADD COLUMN sort_key INTEGER;
WITH ranked AS (
    SELECT rowid AS id, ROW_NUMBER() OVER (ORDER BY name COLLATE NOCASE, customer_id) AS n FROM customers
)
UPDATE customers SET sort_key = ranked.n * 1048576 FROM ranked WHERE customers.rowid = ranked.id;
CREATE UNIQUE INDEX customers_sort_key ON customers(sort_key);
CREATE VIRTUAL TABLE customers_fts USING fts5(
    search, content = 'customers', content_rowid = 'sort_key', tokenize = 'trigram'
);
INSERT INTO customers_fts(customers_fts) VALUES ('rebuild');
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers WHEN new.sort_key IS NOT NULL BEGIN
    INSERT INTO customers_fts(rowid, search) VALUES (new.sort_key, new.search);
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers WHEN old.sort_key IS NOT NULL BEGIN
    INSERT INTO customers_fts(customers_fts, rowid, search) VALUES ('delete', old.sort_key, old.search);
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF search, sort_key ON customers BEGIN
    INSERT INTO customers_fts(customers_fts, rowid, search)
        SELECT 'delete', old.sort_key, old.search WHERE old.sort_key IS NOT NULL;
    INSERT INTO customers_fts(rowid, search)
        SELECT new.sort_key, new.search WHERE new.sort_key IS NOT NULL;
END;
"#,
    // The middleware's own state (agent sessions, emulations, throttle, audit) moved to the
    // session store (`store::sqlite` keeps its own tables and migrations): the shop drops its
    // old copies. An upgraded demo database loses its open sessions; agents sign in again.
    r#"
DROP TABLE agent_sessions;
DROP TABLE assisted_sessions;
"#,
    // New cart and order numbers: the largest number so far from an index (one step), instead
    // of reading every code (a scan of all carts under the write lock on each anonymous cart).
    r#"
CREATE INDEX carts_code_number ON carts(CAST(code AS INTEGER));
CREATE INDEX orders_code_number ON orders(CAST(code AS INTEGER));
"#,
    // A word index beside the trigram one, for the search's relevance (`search::relevant`):
    // customers with a word of their name, e-mail or id starting with the query come before
    // other substring matches. Same rowids (sort keys, name order), so its walks stop early too.
    // Digits separate words and are left out: `schmidt4711@…` is the word `schmidt`, so a prefix
    // query merges a few words' lists, not one per numbered e-mail (27 ms for `schmidt` at 1M).
    r#"
CREATE VIRTUAL TABLE customers_words USING fts5(
    search, content = 'customers', content_rowid = 'sort_key',
    tokenize = "unicode61 remove_diacritics 2 separators '0123456789'", prefix = '3'
);
INSERT INTO customers_words(customers_words) VALUES ('rebuild');
CREATE TRIGGER customers_words_insert AFTER INSERT ON customers WHEN new.sort_key IS NOT NULL BEGIN
    INSERT INTO customers_words(rowid, search) VALUES (new.sort_key, new.search);
END;
CREATE TRIGGER customers_words_delete AFTER DELETE ON customers WHEN old.sort_key IS NOT NULL BEGIN
    INSERT INTO customers_words(customers_words, rowid, search) VALUES ('delete', old.sort_key, old.search);
END;
CREATE TRIGGER customers_words_update AFTER UPDATE OF search, sort_key ON customers BEGIN
    INSERT INTO customers_words(customers_words, rowid, search)
        SELECT 'delete', old.sort_key, old.search WHERE old.sort_key IS NOT NULL;
    INSERT INTO customers_words(rowid, search)
        SELECT new.sort_key, new.search WHERE new.sort_key IS NOT NULL;
END;
"#,
    // Cancelling order lines and returning them (SAP OCC's `/orders/{code}/cancellation` and
    // `/orderReturns`): each order line gets its number (`entryNumber`, from 0, in name order for
    // the orders so far, in insertion order for new ones) and its cancelled quantity; return
    // requests with their lines; an order's last change (a cancellation) for the activity list.
    r#"
ALTER TABLE order_entries ADD COLUMN entry_number INTEGER;
ALTER TABLE order_entries ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
WITH ranked AS (
    SELECT rowid AS id,
           ROW_NUMBER() OVER (PARTITION BY order_code ORDER BY product_name, product_code) - 1 AS n
    FROM order_entries
)
UPDATE order_entries SET entry_number = ranked.n FROM ranked WHERE order_entries.rowid = ranked.id;
CREATE TRIGGER order_entries_number AFTER INSERT ON order_entries WHEN new.entry_number IS NULL BEGIN
    UPDATE order_entries
       SET entry_number = (SELECT COUNT(*) - 1 FROM order_entries WHERE order_code = new.order_code)
     WHERE rowid = new.rowid;
END;
ALTER TABLE orders ADD COLUMN updated INTEGER;
CREATE TABLE return_requests (
    code TEXT PRIMARY KEY,
    order_code TEXT NOT NULL REFERENCES orders(code),
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    status TEXT NOT NULL,
    reason TEXT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    created_by TEXT
);
CREATE INDEX return_requests_customer ON return_requests(customer_id, created);
CREATE INDEX return_requests_order ON return_requests(order_code);
CREATE INDEX return_requests_code_number ON return_requests(CAST(code AS INTEGER));
CREATE TABLE return_entries (
    return_code TEXT NOT NULL REFERENCES return_requests(code),
    entry_number INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (return_code, entry_number)
);
"#,
    // Support tickets and reviews written as the customer: who added a ticket or review (the
    // agent's uid, `NULL` for the customer), what a ticket is about, its messages (the first one
    // backfilled from the subject), SAP's status id `INPROCESS`, numeric ticket ids for new
    // tickets (the largest read off an index), a product's reviews by date.
    r#"
ALTER TABLE tickets ADD COLUMN added_by TEXT;
ALTER TABLE tickets ADD COLUMN associated_code TEXT;
ALTER TABLE tickets ADD COLUMN associated_type TEXT;
ALTER TABLE reviews ADD COLUMN added_by TEXT;
UPDATE tickets SET status = 'INPROCESS' WHERE status = 'IN_PROCESS';
CREATE INDEX tickets_id_number ON tickets(CAST(id AS INTEGER));
CREATE INDEX reviews_product ON reviews(product_code, created);
CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    to_status TEXT,
    created INTEGER NOT NULL,
    added_by TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
INSERT INTO ticket_events (ticket_id, author, message, created)
    SELECT t.id, c.name, t.subject, t.created FROM tickets t JOIN customers c ON c.customer_id = t.customer_id;
"#,
    // Incentive coupons (SAP's ASM course: a gift product or free shipping, offered by the
    // agent) and coupons valid only during the support call: vouchers get a kind (`percent` only
    // for a discount), a gift product and a session-only flag; an applied voucher records the
    // emulation (and agent) it was applied in, so it leaves the cart when that emulation ends.
    // Carts cost delivery (`pricing::STANDARD_DELIVERY_CENTS`); orders keep what they paid for
    // it. Order lines are numbered by their key (a gift may be a product also bought), and mark
    // gifts. The demo vouchers are added where the products exist (an upgraded demo database;
    // a new one gets them from the seed).
    concat!(
        r#"
CREATE TABLE vouchers_v2 (
    code TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    percent INTEGER CHECK (percent BETWEEN 1 AND 100),
    kind TEXT NOT NULL DEFAULT 'DISCOUNT' CHECK (kind IN ('DISCOUNT', 'GIFT_PRODUCT', 'FREE_SHIPPING')),
    gift_product TEXT REFERENCES products(code),
    session_only INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'DISCOUNT') = (percent IS NOT NULL)),
    CHECK ((kind = 'GIFT_PRODUCT') = (gift_product IS NOT NULL))
);
INSERT INTO vouchers_v2 (code, name, description, percent) SELECT code, name, description, percent FROM vouchers;
DROP TABLE vouchers;
ALTER TABLE vouchers_v2 RENAME TO vouchers;
"#,
        incentive_vouchers!(),
        r#"
ALTER TABLE cart_vouchers ADD COLUMN session_id TEXT;
ALTER TABLE cart_vouchers ADD COLUMN agent_uid TEXT;
CREATE INDEX cart_vouchers_session ON cart_vouchers(session_id) WHERE session_id IS NOT NULL;
ALTER TABLE orders ADD COLUMN delivery_cents INTEGER NOT NULL DEFAULT 0;
CREATE TABLE order_entries_v2 (
    order_code TEXT NOT NULL REFERENCES orders(code),
    entry_number INTEGER NOT NULL,
    product_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    give_away INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_code, entry_number)
);
INSERT INTO order_entries_v2 (order_code, entry_number, product_code, product_name, quantity, price_cents, cancelled)
    SELECT order_code, entry_number, product_code, product_name, quantity, price_cents, cancelled FROM order_entries;
DROP TABLE order_entries;
ALTER TABLE order_entries_v2 RENAME TO order_entries;
"#
    ),
    // The store's own customer sign-in: sessions of customers signed in on the demo store
    // (by the hash of their token), ended by signing out, by their expiry, or by an agent
    // signing in in the same browser.
    r#"
CREATE TABLE customer_sessions (
    token_hash TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX customer_sessions_expires ON customer_sessions(expires);
"#,
    // The address book: the customer's delivery addresses get the names they are for, a second
    // line and the default flag (seeded addresses carry the customer's names).
    r#"
ALTER TABLE addresses ADD COLUMN first_name TEXT;
ALTER TABLE addresses ADD COLUMN last_name TEXT;
ALTER TABLE addresses ADD COLUMN line2 TEXT;
ALTER TABLE addresses ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0;
"#,
    // Saved carts: the name, description and time a cart was saved under (carts saved before,
    // when a bound cart replaced them, go by their number).
    r#"
ALTER TABLE carts ADD COLUMN saved_name TEXT;
ALTER TABLE carts ADD COLUMN saved_description TEXT;
ALTER TABLE carts ADD COLUMN saved_at INTEGER;
"#,
    // Consent management (SAP's consent templates): the site's templates, and the customers'
    // consents to a template version, given and perhaps withdrawn (ms since the epoch). Not
    // `customers.consent`, the consent to assisted service.
    r#"
CREATE TABLE consent_templates (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO consent_templates (id, version, name, description, position) VALUES
    ('MARKETING_NEWSLETTER', 1, 'I approve to this sample MARKETING consent',
     'I would like to receive e-mails about new products and offers.', 1),
    ('STORE_USER_INFORMATION', 1, 'I approve to this sample STORE USER INFORMATION consent',
     'The store may keep my browsing and order history to help me faster.', 2),
    ('PERSONALIZATION', 1, 'I approve to this sample PERSONALIZATION consent',
     'The store may tailor offers and recommendations to me.', 3);
CREATE TABLE consents (
    code TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    template TEXT NOT NULL REFERENCES consent_templates(id),
    version INTEGER NOT NULL,
    given INTEGER NOT NULL,
    withdrawn INTEGER
);
CREATE INDEX consents_customer ON consents(customer_id, template, version);
"#,
    // How many customers each trigram of the search index is in (`search::narrowest_window`
    // leaves a very common trigram at a query's end out of the index walk): filled here and
    // after every renumbering (`search::rekey_all`).
    r#"
CREATE TABLE search_trigrams (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.customers_fts_terms USING fts5vocab(main, customers_fts, row);
INSERT INTO search_trigrams (term, docs) SELECT term, doc FROM temp.customers_fts_terms;
DROP TABLE temp.customers_fts_terms;
"#,
];

/// Opens (creating if needed) the database file, turns on WAL and foreign keys, and migrates.
pub fn open(path: &Path) -> Result<Pool, String> {
    let pool = crate::db::pool(path)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    migrate(&mut conn).map_err(|e| format!("migration failed: {e}"))?;
    Ok(pool)
}

/// Runs the migrations this database has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in (0_i64..)
        .zip(MIGRATIONS.iter())
        .skip(usize::try_from(done).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrate_is_idempotent() {
        let mut c = Connection::open_in_memory().expect("open");
        migrate(&mut c).expect("first");
        migrate(&mut c).expect("second");
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, MIGRATIONS.len() as i64);
    }
}
