//! Cancelling order lines and returning them while emulating (`/orders/{code}/cancellation`,
//! `/orderReturns`): the rules (not yet shipped to cancel, delivered to return, never more than
//! is left of a line, a return cancellable until received), bad input, the audit record of every
//! write (refusals too), and the statuses in Customer 360° Activity.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{
    error_type, C360Activity, C360ActivityType, C360FragmentData, Customer360Fragment,
    Customer360Response, Order, ReturnRequest, ReturnRequestList,
};
use axum::http::StatusCode;
use common::*;
use r2d2_sqlite::rusqlite;
use serde_json::{json, Value};

/// An order of Linda's in `status` with lines (product, quantity, cancelled), numbered from 0.
fn order_of_linda(app: &TestApp, code: &str, status: &str, lines: &[(&str, u32, u32)]) {
    let db = app.db();
    let total: i64 = lines.iter().map(|l| i64::from(l.1) * 1_000).sum();
    db.execute(
        "INSERT INTO orders (code, customer_id, placed, total_cents, status, subtotal_cents) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
        rusqlite::params![code, LINDA_ID, app.now() - 86_400_000, total, status],
    )
    .expect("order");
    for (n, (product, quantity, cancelled)) in lines.iter().enumerate() {
        db.execute(
            "INSERT INTO order_entries (order_code, product_code, product_name, quantity, price_cents, entry_number, cancelled) \
             VALUES (?1, ?2, ?3, ?4, 1000, ?5, ?6)",
            rusqlite::params![code, product, format!("Product {product}"), quantity, n as i64, cancelled],
        )
        .expect("order entry");
    }
}

fn cancellation(code: &str) -> String {
    format!("/asm/users/{LINDA_ID}/orders/{code}/cancellation")
}

fn returns_path() -> String {
    format!("/asm/users/{LINDA_ID}/orderReturns")
}

fn lines(list: &[(u32, u32)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(n, q)| json!({"orderEntryNumber": n, "quantity": q}))
            .collect(),
    )
}

async fn cancel(app: &TestApp, cookie: &str, code: &str, list: &[(u32, u32)]) -> Resp {
    app.post_json(
        &cancellation(code),
        Some(cookie),
        &json!({ "cancellationRequestEntryInputs": lines(list) }),
    )
    .await
}

async fn ask_return(app: &TestApp, cookie: &str, code: &str, list: &[(u32, u32)]) -> Resp {
    app.post_json(
        &returns_path(),
        Some(cookie),
        &json!({ "orderCode": code, "returnRequestEntryInputs": lines(list), "reason": "Damaged in transit" }),
    )
    .await
}

fn order(res: &Resp) -> Order {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("Order")
}

async fn emulating_linda(app: &TestApp) -> String {
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    cookie
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_and_quantities_cancel_until_nothing_is_left_and_every_cancellation_is_audited() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    order_of_linda(
        &app,
        "39000001",
        "PROCESSING",
        &[("300938", 3, 0), ("278688", 1, 0)],
    );

    let before = order(
        &app.get(
            &format!("/asm/users/{LINDA_ID}/orders/39000001"),
            Some(&cookie),
        )
        .await,
    );
    assert!(before.cancellable && !before.returnable);
    assert_eq!(before.entries[0].entry_number, 0);
    assert_eq!(before.entries[0].cancellable_quantity, 3);

    // Part of a line.
    let after = order(&cancel(&app, &cookie, "39000001", &[(0, 1)]).await);
    assert_eq!(after.status, "PROCESSING");
    assert!(after.cancellable);
    assert_eq!(after.entries[0].cancelled_quantity, 1);
    assert_eq!(after.entries[0].cancellable_quantity, 2);
    assert_eq!(after.entries[1].cancellable_quantity, 1);

    // More than is left (the cancelled one counts): refused, nothing changes.
    let err = cancel(&app, &cookie, "39000001", &[(0, 3)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CANCELLATION_REFUSED);
    assert_eq!(err.subject.as_deref(), Some("0"));
    assert!(err.message.contains("Only 2"), "{}", err.message);
    let cancelled: i64 = app.scalar(
        "SELECT cancelled FROM order_entries WHERE order_code = '39000001' AND entry_number = 0",
        [],
    );
    assert_eq!(cancelled, 1);

    // The rest: the whole order is cancelled, and nothing more can be.
    let after = order(&cancel(&app, &cookie, "39000001", &[(0, 2), (1, 1)]).await);
    assert_eq!(after.status, "CANCELLED");
    assert!(!after.cancellable);
    assert!(after.entries.iter().all(|e| e.cancellable_quantity == 0));
    let err = cancel(&app, &cookie, "39000001", &[(1, 1)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CANCELLATION_REFUSED);
    assert_eq!(err.subject.as_deref(), Some("code"));

    let done = app.audit_of("order-cancel");
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(done.iter().all(
        |r| r.agent.as_deref() == Some(AGENT.login) && r.customer.as_deref() == Some(LINDA_ID)
    ));
    let last = done[1].detail.as_deref().unwrap_or_default();
    assert!(
        last.contains("39000001") && last.contains("line 1"),
        "{last}"
    );
    let refused = app.refused_audit_of("order-cancel");
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused
        .iter()
        .all(|r| r.outcome.as_deref() == Some(error_type::CANCELLATION_REFUSED)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_delivered_and_unknown_orders_cannot_be_cancelled_and_bad_input_is_refused() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    order_of_linda(&app, "39000002", "SHIPPED", &[("300938", 1, 0)]);
    order_of_linda(&app, "39000003", "COMPLETED", &[("300938", 1, 0)]);
    order_of_linda(&app, "39000004", "CREATED", &[("300938", 2, 0)]);
    for code in ["39000002", "39000003"] {
        let err = cancel(&app, &cookie, code, &[(0, 1)])
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::CANCELLATION_REFUSED);
        assert!(
            err.message.contains("can no longer be cancelled"),
            "{}",
            err.message
        );
    }
    cancel(&app, &cookie, "39999999", &[(0, 1)])
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let other: String = app.scalar(
        "SELECT code FROM orders WHERE customer_id != ?1 LIMIT 1",
        [LINDA_ID],
    );
    cancel(&app, &cookie, &other, &[(0, 1)])
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    // Bad input: no lines, no such line, quantity 0, a line twice, a malformed body.
    let err = cancel(&app, &cookie, "39000004", &[])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(
        err.subject.as_deref(),
        Some("cancellationRequestEntryInputs")
    );
    let err = cancel(&app, &cookie, "39000004", &[(4, 1)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("orderEntryNumber"));
    let err = cancel(&app, &cookie, "39000004", &[(0, 0)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("quantity"));
    cancel(&app, &cookie, "39000004", &[(0, 1), (0, 1)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    for body in [
        json!({}),
        json!({"cancellationRequestEntryInputs": [{"orderEntryNumber": -1, "quantity": 1}]}),
        json!({"cancellationRequestEntryInputs": "all"}),
    ] {
        app.post_json(&cancellation("39000004"), Some(&cookie), &body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    }
    // Nothing was cancelled.
    let cancelled: i64 = app.scalar(
        "SELECT SUM(cancelled) FROM order_entries WHERE order_code IN ('39000002', '39000003', '39000004')",
        [],
    );
    assert_eq!(cancelled, 0);
    assert!(app.audit_of("order-cancel").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_orders_are_returned_within_what_is_left_and_returns_cancel_until_received() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    // Line 1: 3 ordered, 1 cancelled before delivery.
    order_of_linda(
        &app,
        "39000005",
        "COMPLETED",
        &[("300938", 2, 0), ("278688", 3, 1)],
    );
    order_of_linda(&app, "39000006", "PROCESSING", &[("300938", 1, 0)]);

    // Not delivered: refused.
    let err = ask_return(&app, &cookie, "39000006", &[(0, 1)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::RETURN_REFUSED);
    assert!(
        err.message.contains("only delivered orders"),
        "{}",
        err.message
    );

    let res = ask_return(&app, &cookie, "39000005", &[(0, 1), (1, 1)]).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let first: ReturnRequest = serde_json::from_value(res.json()).expect("ReturnRequest");
    assert_eq!(first.status, "APPROVAL_PENDING");
    assert!(first.cancellable);
    assert_eq!(first.order_code, "39000005");
    assert_eq!(first.reason.as_deref(), Some("Damaged in transit"));
    assert_eq!(first.return_entries.len(), 2);
    assert_eq!(first.return_entries[1].expected_quantity, 1);
    assert_eq!(first.total_price.value_cents, 2_000);

    // Line 1 has 1 left (3 - 1 cancelled - 1 returned); line 0 has 1 left.
    let o = order(
        &app.get(
            &format!("/asm/users/{LINDA_ID}/orders/39000005"),
            Some(&cookie),
        )
        .await,
    );
    assert!(o.returnable && !o.cancellable);
    assert_eq!(o.entries[1].returned_quantity, 1);
    assert_eq!(o.entries[1].returnable_quantity, 1);
    let err = ask_return(&app, &cookie, "39000005", &[(1, 2)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::RETURN_REFUSED);
    assert_eq!(err.subject.as_deref(), Some("1"));
    assert!(
        err.message.contains("1 cancelled, 1 returned"),
        "{}",
        err.message
    );

    // Bad input.
    let err = app
        .post_json(
            &returns_path(),
            Some(&cookie),
            &json!({"orderCode": "39000005", "returnRequestEntryInputs": lines(&[(0, 1)]), "reason": "  "}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("reason"));
    let err = ask_return(&app, &cookie, "39000005", &[])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("returnRequestEntryInputs"));
    ask_return(&app, &cookie, "39000005", &[(9, 1)])
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    app.post_json(
        &returns_path(),
        Some(&cookie),
        &json!({"orderCode": "39000005"}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    ask_return(&app, &cookie, "39999999", &[(0, 1)])
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);

    // A second return, then the list: newest first, with status.
    app.advance_secs(60);
    let res = ask_return(&app, &cookie, "39000005", &[(1, 1)]).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let second: ReturnRequest = serde_json::from_value(res.json()).expect("ReturnRequest");
    let res = app.get(&returns_path(), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list: ReturnRequestList = serde_json::from_value(res.json()).expect("list");
    let codes: Vec<&str> = list
        .return_requests
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(codes, [second.code.as_str(), first.code.as_str()]);
    assert_eq!(list.pagination.total_results, 2);
    let res = app
        .get(
            &format!("{}?pageSize=1&currentPage=1", returns_path()),
            Some(&cookie),
        )
        .await;
    let page: ReturnRequestList = serde_json::from_value(res.json()).expect("list");
    assert_eq!(page.return_requests.len(), 1);
    assert_eq!(page.return_requests[0].code, first.code);
    app.get(&format!("{}?pageSize=0", returns_path()), Some(&cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);

    // One return, and an unknown one.
    let res = app
        .get(&format!("{}/{}", returns_path(), first.code), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let again: ReturnRequest = serde_json::from_value(res.json()).expect("ReturnRequest");
    assert_eq!(again, first);
    app.get(&format!("{}/nope", returns_path()), Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);

    // Cancel the first: only `CANCELLING` is a change; then it is for good.
    let one = format!("{}/{}", returns_path(), first.code);
    app.patch_json(&one, Some(&cookie), &json!({"status": "RECEIVED"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    let res = app
        .patch_json(&one, Some(&cookie), &json!({"status": "CANCELLING"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let cancelled: ReturnRequest = serde_json::from_value(res.json()).expect("ReturnRequest");
    assert_eq!(cancelled.status, "CANCELED");
    assert!(!cancelled.cancellable);
    app.patch_json(&one, Some(&cookie), &json!({"status": "CANCELLING"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CANCEL_RETURN_REFUSED);
    // Its quantities may be returned again.
    let o = order(
        &app.get(
            &format!("/asm/users/{LINDA_ID}/orders/39000005"),
            Some(&cookie),
        )
        .await,
    );
    assert_eq!(o.entries[0].returnable_quantity, 2);
    assert_eq!(o.entries[1].returnable_quantity, 1);

    // A received return cannot be cancelled.
    app.db()
        .execute(
            "UPDATE return_requests SET status = 'RECEIVED' WHERE code = ?1",
            [&second.code],
        )
        .expect("received");
    let err = app
        .patch_json(
            &format!("{}/{}", returns_path(), second.code),
            Some(&cookie),
            &json!({"status": "CANCELLING"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CANCEL_RETURN_REFUSED);
    assert!(err.message.contains("received"), "{}", err.message);

    let created = app.audit_of("return-create");
    assert_eq!(created.len(), 2, "{created:?}");
    let detail = created[0].detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains(&first.code) && detail.contains("Damaged in transit"),
        "{detail}"
    );
    assert_eq!(app.audit_of("return-cancel").len(), 1);
    assert_eq!(app.refused_audit_of("return-cancel").len(), 2);
    assert!(app
        .refused_audit_of("return-create")
        .iter()
        .any(|r| r.outcome.as_deref() == Some(error_type::RETURN_REFUSED)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_cancelled_or_returned_outside_an_emulation_of_that_customer() {
    let app = TestApp::new();
    order_of_linda(&app, "39000007", "PROCESSING", &[("300938", 1, 0)]);
    order_of_linda(&app, "39000008", "COMPLETED", &[("300938", 1, 0)]);
    cancel(&app, "asm_session=nope", "39000007", &[(0, 1)])
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    cancel(&app, &cookie, "39000007", &[(0, 1)])
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    ask_return(&app, &cookie, "39000008", &[(0, 1)])
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.get(&returns_path(), Some(&cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.emulate(&cookie, "C0000001").await;
    app.patch_json(
        &format!("{}/50000001", returns_path()),
        Some(&cookie),
        &json!({"status": "CANCELLING"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    let cancelled: i64 = app.scalar(
        "SELECT cancelled FROM order_entries WHERE order_code = '39000007'",
        [],
    );
    assert_eq!(cancelled, 0);
    let returns: i64 = app.scalar("SELECT COUNT(*) FROM return_requests", []);
    assert_eq!(returns, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_360_activity_shows_the_cancelled_order_and_the_return_with_their_status() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    order_of_linda(&app, "39000009", "CREATED", &[("300938", 1, 0)]);
    order_of_linda(&app, "39000010", "COMPLETED", &[("300938", 2, 0)]);
    let total_before = activity(&app, &cookie).await.total_count;
    app.advance_secs(10);
    order(&cancel(&app, &cookie, "39000009", &[(0, 1)]).await);
    app.advance_secs(10);
    let res = ask_return(&app, &cookie, "39000010", &[(0, 2)]).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let r: ReturnRequest = serde_json::from_value(res.json()).expect("ReturnRequest");

    let a = activity(&app, &cookie).await;
    assert_eq!(
        a.total_count,
        total_before + 1,
        "the return is one more entry"
    );
    // Newest first: the return, then the cancelled order.
    assert_eq!(a.entries[0].kind, C360ActivityType::Order);
    assert_eq!(a.entries[0].id, "39000010");
    assert_eq!(a.entries[0].status, "APPROVAL_PENDING");
    assert!(
        a.entries[0].description.contains(&r.code),
        "{}",
        a.entries[0].description
    );
    assert_eq!(a.entries[1].id, "39000009");
    assert_eq!(a.entries[1].status, "CANCELLED");
    // Cancelling the return shows in its row.
    let res = app
        .patch_json(
            &format!("{}/{}", returns_path(), r.code),
            Some(&cookie),
            &json!({"status": "CANCELLING"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let a = activity(&app, &cookie).await;
    let row = a
        .entries
        .iter()
        .find(|e| e.description.contains(&r.code))
        .expect("return row");
    assert_eq!(row.status, "CANCELED");
}

async fn activity(app: &TestApp, cookie: &str) -> C360Activity {
    let res = app
        .post_json(
            &format!("/asm/customers/{LINDA_ID}/customer360?baseSite={SITE}"),
            Some(cookie),
            &json!({"queries": [{"type": "activity"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut body: Customer360Response = serde_json::from_value(res.json()).expect("c360");
    match body.fragments.remove(0) {
        Customer360Fragment::Data(C360FragmentData::Activity(a)) => a,
        other => panic!("not an activity list: {other:?}"),
    }
}
