//! The embedded shop on the SQLite store's database commits each audited write's record in the
//! write's own transaction (issue 11, "keep the embedded backend's stronger guarantee"); with any
//! other store (PostgreSQL, or a SQLite store in another file) the record is the attempt before
//! the write and its outcome after.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_middleware::commerce::embedded::EmbeddedShop;
use asm_middleware::config::Config;
use asm_middleware::domain::audit::audited;
use asm_middleware::ports::{audit_handoff, Commerce, NewAudit};
use asm_middleware::store::sqlite::SqliteStore;
use asm_middleware::{AppState, Clock};
use asm_types::{error_type, AuditAction, Cart};
use axum::http::StatusCode;
use common::*;
use r2d2_sqlite::rusqlite;
use serde_json::json;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;

fn cart(res: &Resp) -> Cart {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("Cart")
}

/// The agent emulates Linda; her active cart's code.
async fn emulating_linda(app: &TestApp) -> (String, String) {
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/carts"),
            Some(&cookie),
            &json!({}),
        )
        .await;
    let code = cart(&res).code;
    (cookie, code)
}

fn entries_path(cart: &str) -> String {
    format!("/asm/users/{LINDA_ID}/carts/{cart}/entries")
}

/// Only `AppState::open` (the SQLite store in the shop's file) lets the shop record audit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_sqlite_store_in_the_shops_file_lets_the_shop_record_audit() {
    let app = TestApp::new();
    assert_eq!(app.state.commerce.records_audit(), !on_postgres());

    // A SQLite store in another file does not share the shop's transactions.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("sessions.sqlite")).expect("store");
    let state = AppState::with_store(
        Config::for_tests(dir.path().join("shop.sqlite")),
        Clock::manual(Arc::new(AtomicI64::new(T0))),
        Arc::new(store),
    )
    .expect("state");
    assert!(!state.commerce.records_audit());
}

/// Both stores: one row per audited write, `ok` with the change's detail, or the error type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_write_has_one_row_ok_with_its_detail_and_a_refused_one_the_error_type() {
    let app = TestApp::new();
    let (cookie, code) = emulating_linda(&app).await;
    let count_entries = || -> i64 {
        app.scalar(
            "SELECT COALESCE(SUM(quantity), 0) FROM cart_entries WHERE cart_code = ?1",
            [code.as_str()],
        )
    };
    let items = count_entries();
    let before = app.audit().len();
    cart(
        &app.post_json(
            &entries_path(&code),
            Some(&cookie),
            &json!({"productCode": "3708646", "quantity": 2}),
        )
        .await,
    );
    let rows = app.audit();
    assert_eq!(rows.len(), before + 1, "{rows:#?}");
    let row = &rows[before];
    assert_eq!(row.action, "cart-entry-add");
    assert_eq!(row.outcome.as_deref(), Some("ok"));
    assert_eq!(
        row.detail.as_deref(),
        Some(format!("cart {code}: added 2 x 3708646").as_str())
    );
    assert_eq!(row.agent.as_deref(), Some(AGENT.login));
    assert_eq!(row.customer.as_deref(), Some(LINDA_ID));

    // Refused by the shop: no change, one row with the error type.
    app.post_json(
        &entries_path(&code),
        Some(&cookie),
        &json!({"productCode": "NO-SUCH-PRODUCT"}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let rows = app.audit();
    assert_eq!(rows.len(), before + 2, "{rows:#?}");
    let row = &rows[before + 1];
    assert_eq!(row.action, "cart-entry-add");
    assert_eq!(row.outcome.as_deref(), Some(error_type::NOT_FOUND));
    assert_eq!(row.detail, None);
    assert_eq!(
        count_entries(),
        items + 2,
        "the refused write changed nothing"
    );
}

/// SQLite: no attempt row is ever written and no row is ever updated for the shop's writes — the
/// audit log refuses both (triggers), and every write still goes through with its one row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_sqlite_store_no_write_leaves_an_outcome_unknown_row() {
    if on_postgres() {
        return; // attempt, then outcome: covered by the test above and `session_store`.
    }
    let app = TestApp::new();
    let (cookie, code) = emulating_linda(&app).await;
    let before = app.audit().len();
    app.db()
        .execute_batch(
            "CREATE TRIGGER no_attempts BEFORE INSERT ON audit_log WHEN NEW.outcome IS NULL \
             BEGIN SELECT RAISE(ABORT, 'an audited write left an outcome-unknown row'); END; \
             CREATE TRIGGER no_outcome_updates BEFORE UPDATE ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'an audited write updated its row'); END;",
        )
        .expect("triggers");
    let entries = entries_path(&code);
    cart(
        &app.post_json(&entries, Some(&cookie), &json!({"productCode": "3708646"}))
            .await,
    );
    cart(
        &app.patch_json(
            &format!("{entries}/3708646"),
            Some(&cookie),
            &json!({"quantity": 3}),
        )
        .await,
    );
    let vouchers = format!("/asm/users/{LINDA_ID}/carts/{code}/vouchers");
    cart(
        &app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "save10"}))
            .await,
    );
    app.post_json(&entries, Some(&cookie), &json!({"productCode": "NOPE"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    cart(
        &app.delete(&format!("{vouchers}/SAVE10"), Some(&cookie))
            .await,
    );
    cart(
        &app.delete(&format!("{entries}/3708646"), Some(&cookie))
            .await,
    );
    // A customer created, then the same e-mail refused.
    let ada =
        json!({"firstName": "Ada", "lastName": "Lovelace", "emailAddress": "ada@example.com"});
    let create = "/asm/customers?baseSite=electronics";
    let res = app.post_json(create, Some(&cookie), &ada).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    app.post_json(create, Some(&cookie), &ada)
        .await
        .assert_error(StatusCode::CONFLICT, error_type::DUPLICATE_EMAIL);
    let rows: Vec<(String, Option<String>)> = app.audit()[before..]
        .iter()
        .map(|r| (r.action.clone(), r.outcome.clone()))
        .collect();
    let row = |action: &str, outcome: &str| (action.to_owned(), Some(outcome.to_owned()));
    assert_eq!(
        rows,
        vec![
            row("cart-entry-add", "ok"),
            row("cart-entry-update", "ok"),
            row("voucher-apply", "ok"),
            row("cart-entry-add", error_type::NOT_FOUND),
            row("voucher-remove", "ok"),
            row("cart-entry-remove", "ok"),
            row("customer-created", "ok"),
            row("customer-created", error_type::DUPLICATE_EMAIL),
        ]
    );
}

/// A test shop on the SQLite store's database, its store, Linda's active cart and a connection.
async fn shop_and_store() -> (
    tempfile::TempDir,
    AppState,
    Arc<EmbeddedShop>,
    String,
    rusqlite::Connection,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.sqlite");
    let state = AppState::open(
        Config::for_tests(path.clone()),
        Clock::manual(Arc::new(AtomicI64::new(T0))),
    )
    .expect("state");
    let shop = state.shop.clone().expect("the embedded shop");
    assert!(shop.records_audit());
    let code = shop
        .current_cart(LINDA_ID, T0)
        .await
        .expect("cart")
        .value
        .1
        .code;
    let db = rusqlite::Connection::open(&path).expect("db");
    (dir, state, shop, code, db)
}

fn record(action: AuditAction) -> NewAudit {
    NewAudit {
        at: T0,
        agent_uid: Some(AGENT.login.into()),
        customer_id: Some(LINDA_ID.into()),
        action,
        detail: None,
    }
}

fn audit_rows(db: &rusqlite::Connection) -> Vec<(String, Option<String>, Option<String>)> {
    let mut stmt = db
        .prepare("SELECT action, outcome, detail FROM audit_log ORDER BY id")
        .expect("select");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// How many items the cart holds.
fn entries_of(db: &rusqlite::Connection, code: &str) -> i64 {
    db.query_row(
        "SELECT COALESCE(SUM(quantity), 0) FROM cart_entries WHERE cart_code = ?1",
        [code],
        |r| r.get(0),
    )
    .expect("count")
}

/// The change and its record are one transaction: when the record cannot be written, the change
/// is rolled back too (the cart is unchanged), and `audited` records the failure as one row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_record_cannot_be_written_the_change_is_rolled_back() {
    let (_dir, state, shop, code, db) = shop_and_store().await;
    db.execute_batch(
        "CREATE TRIGGER refuse_ok BEFORE INSERT ON audit_log WHEN NEW.outcome = 'ok' \
         BEGIN SELECT RAISE(ABORT, 'the audit log refuses the record'); END;",
    )
    .expect("trigger");
    let before = audit_rows(&db).len();
    let items = entries_of(&db, &code);
    let (s, c) = (shop.clone(), code.clone());
    let err = audited(
        state.sessions.as_ref(),
        shop.as_ref(),
        record(AuditAction::CartEntryAdd),
        async move {
            let change = s.add_entry(LINDA_ID, &c, "3708646", 1, T0).await?;
            Ok((change.value, Some(change.detail)))
        },
    )
    .await
    .expect_err("the write fails with its record");
    assert_eq!(err.kind(), error_type::INTERNAL, "{err:?}");
    assert_eq!(entries_of(&db, &code), items, "the change was rolled back");
    let rows = audit_rows(&db);
    assert_eq!(
        rows[before..],
        [(
            "cart-entry-add".to_owned(),
            Some(error_type::INTERNAL.to_owned()),
            None
        )]
    );

    // Without the trigger the same write commits with its record.
    db.execute_batch("DROP TRIGGER refuse_ok;").expect("drop");
    let (s, c) = (shop.clone(), code.clone());
    audited(
        state.sessions.as_ref(),
        shop.as_ref(),
        record(AuditAction::CartEntryAdd),
        async move {
            let change = s.add_entry(LINDA_ID, &c, "3708646", 1, T0).await?;
            Ok((change.value, Some(change.detail)))
        },
    )
    .await
    .expect("write");
    assert_eq!(entries_of(&db, &code), items + 1);
    assert_eq!(
        audit_rows(&db).last().cloned(),
        Some((
            "cart-entry-add".to_owned(),
            Some("ok".to_owned()),
            Some(format!("cart {code}: added 1 x 3708646"))
        ))
    );
}

/// The shop takes the record offered to its write and reports it committed only after the
/// commit; a refused write leaves it to the caller; a shop not on the store's database never
/// takes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_reports_the_record_committed_only_with_its_change() {
    let (dir, state, shop, code, db) = shop_and_store().await;
    let before = audit_rows(&db).len();
    let (ok, handoff) = audit_handoff::offer(
        record(AuditAction::CartEntryAdd),
        shop.add_entry(LINDA_ID, &code, "3708646", 4, T0),
    )
    .await;
    ok.expect("added");
    assert!(handoff.taken && handoff.committed);
    assert_eq!(audit_rows(&db).len(), before + 1);

    let (refused, handoff) = audit_handoff::offer(
        record(AuditAction::CartEntryAdd),
        shop.add_entry(LINDA_ID, &code, "NOPE", 1, T0),
    )
    .await;
    assert_eq!(
        refused.expect_err("unknown product").kind(),
        error_type::NOT_FOUND
    );
    assert!(handoff.taken && !handoff.committed);
    assert_eq!(
        audit_rows(&db).len(),
        before + 1,
        "the refused write wrote nothing"
    );

    // The same database, but a shop not assembled with the store's audit log.
    let pool = asm_middleware::db::pool(&dir.path().join("shop.sqlite")).expect("pool");
    let plain = EmbeddedShop::new(pool);
    assert!(!plain.records_audit());
    let (ok, handoff) = audit_handoff::offer(
        record(AuditAction::CartEntryAdd),
        plain.add_entry(LINDA_ID, &code, "3708646", 1, T0),
    )
    .await;
    ok.expect("added");
    assert!(!handoff.taken && !handoff.committed);
    assert_eq!(audit_rows(&db).len(), before + 1);
    // And a store-side record with its outcome is one row at once.
    state
        .sessions
        .audit_with_outcome(record(AuditAction::CartEntryAdd), error_type::NOT_FOUND)
        .await
        .expect("one row");
    assert_eq!(
        audit_rows(&db).last().cloned(),
        Some((
            "cart-entry-add".to_owned(),
            Some(error_type::NOT_FOUND.to_owned()),
            None
        ))
    );
}
