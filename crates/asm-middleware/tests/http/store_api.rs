//! `/store/carts/...`: the demo store's anonymous carts.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, FIRST_ANONYMOUS_CART, LINDA_ID};
use asm_types::{error_type, Cart};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::json;

/// A product of the seeded catalogue.
fn product(app: &TestApp, n: i64) -> (String, i64) {
    app.db()
        .query_row(
            "SELECT code, price_cents FROM products ORDER BY code LIMIT 1 OFFSET ?1",
            [n],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("product")
}

fn cart(res: &Resp) -> Cart {
    serde_json::from_value(res.json()).expect("cart shape")
}

async fn new_cart(app: &TestApp) -> Cart {
    let res = app.post_json("/store/carts", None, &json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    cart(&res)
}

/// `DELETE path` as the store sends it (with the JSON content type).
async fn del(app: &TestApp, path: &str, _cookie: Option<&str>) -> Resp {
    app.send(
        req(Method::DELETE, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

fn linda_cart(app: &TestApp) -> String {
    app.scalar(
        "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' LIMIT 1",
        [LINDA_ID],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_cart_is_anonymous_empty_and_numbered_after_every_other_cart() {
    let app = TestApp::new();
    let max: i64 = app.scalar("SELECT MAX(CAST(code AS INTEGER)) FROM carts", []);
    let first = new_cart(&app).await;
    assert_eq!(first.code, format!("{:08}", max + 1));
    assert!(first.entries.is_empty());
    assert_eq!(first.total_items, 0);
    assert_eq!(first.total_price.value_cents, 0);
    let owner: Option<String> = app.scalar(
        "SELECT customer_id FROM carts WHERE code = ?1",
        [&first.code],
    );
    assert_eq!(owner, None, "nobody owns it");
    let second = new_cart(&app).await;
    assert_ne!(second.code, first.code);

    let res = app.get(&format!("/store/carts/{}", first.code), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(cart(&res), first);
    assert!(app.audit().iter().all(|r| !r.action.starts_with("cart")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_are_added_changed_and_removed() {
    let app = TestApp::new();
    let code = new_cart(&app).await.code;
    let (p1, price1) = product(&app, 0);
    let (p2, price2) = product(&app, 1);
    let entries = format!("/store/carts/{code}/entries");

    let res = app
        .post_json(&entries, None, &json!({"productCode": p1, "quantity": 2}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let c = cart(&res);
    assert_eq!(c.total_items, 2);
    assert_eq!(c.sub_total.value_cents, 2 * price1);
    // Without a quantity: one; the same product again: quantities add up.
    let res = app
        .post_json(&entries, None, &json!({"productCode": p2}))
        .await;
    assert_eq!(cart(&res).total_items, 3);
    let res = app
        .post_json(&entries, None, &json!({"productCode": p1, "quantity": 1}))
        .await;
    let c = cart(&res);
    assert_eq!(c.total_items, 4);
    assert_eq!(c.sub_total.value_cents, 3 * price1 + price2);

    let res = app
        .patch_json(&format!("{entries}/{p1}"), None, &json!({"quantity": 5}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let c = cart(&res);
    let line = c
        .entries
        .iter()
        .find(|e| e.product_code == p1)
        .expect("line");
    assert_eq!(line.quantity, 5);
    assert_eq!(line.total_price.value_cents, 5 * price1);

    let res = del(&app, &format!("{entries}/{p2}"), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let c = cart(&res);
    assert_eq!(c.entries.len(), 1);
    // Quantity 0 removes the line.
    let res = app
        .patch_json(&format!("{entries}/{p1}"), None, &json!({"quantity": 0}))
        .await;
    assert!(cart(&res).entries.is_empty());
    // The line is gone now.
    del(&app, &format!("{entries}/{p1}"), None)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    app.patch_json(&format!("{entries}/{p1}"), None, &json!({"quantity": 1}))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quantities_stay_within_bounds() {
    let app = TestApp::new();
    let code = new_cart(&app).await.code;
    let (p, _) = product(&app, 0);
    let entries = format!("/store/carts/{code}/entries");
    for q in [0, 100] {
        let err = app
            .post_json(&entries, None, &json!({"productCode": p, "quantity": q}))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("quantity"));
    }
    app.post_json(&entries, None, &json!({"productCode": p, "quantity": -1}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    app.post_json(&entries, None, &json!({"productCode": p, "quantity": 99}))
        .await;
    // Adding more caps at 99.
    let res = app
        .post_json(&entries, None, &json!({"productCode": p, "quantity": 5}))
        .await;
    assert_eq!(cart(&res).total_items, 99);
    let err = app
        .patch_json(&format!("{entries}/{p}"), None, &json!({"quantity": 100}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("quantity"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_products_and_carts_answer_404() {
    let app = TestApp::new();
    let code = new_cart(&app).await.code;
    let err = app
        .post_json(
            &format!("/store/carts/{code}/entries"),
            None,
            &json!({"productCode": "NO-SUCH-PRODUCT"}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("productCode"));
    let err = app
        .get("/store/carts/99999999", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("cartId"));
    let (p, _) = product(&app, 0);
    app.post_json(
        "/store/carts/99999999/entries",
        None,
        &json!({"productCode": p}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_cart_is_not_reachable_and_not_changed() {
    let app = TestApp::new();
    let owned = linda_cart(&app);
    let (p, _) = product(&app, 0);
    let before: i64 = app.scalar(
        "SELECT COUNT(*) FROM cart_entries WHERE cart_code = ?1",
        [&owned],
    );
    app.get(&format!("/store/carts/{owned}"), None)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    app.post_json(
        &format!("/store/carts/{owned}/entries"),
        None,
        &json!({"productCode": p}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let line: String = app.scalar(
        "SELECT product_code FROM cart_entries WHERE cart_code = ?1 LIMIT 1",
        [&owned],
    );
    app.patch_json(
        &format!("/store/carts/{owned}/entries/{line}"),
        None,
        &json!({"quantity": 7}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    del(&app, &format!("/store/carts/{owned}/entries/{line}"), None)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let after: i64 = app.scalar(
        "SELECT COUNT(*) FROM cart_entries WHERE cart_code = ?1",
        [&owned],
    );
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_bound_by_an_agent_is_no_longer_anonymous() {
    let app = TestApp::new();
    // A seeded anonymous cart is reachable until an agent binds it to Linda.
    let res = app
        .get(&format!("/store/carts/{FIRST_ANONYMOUS_CART}"), None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let code = new_cart(&app).await.code;
    let cookie = app.login(&AGENT).await;
    let res = app
        .post_json(
            "/asm/bind-cart",
            Some(&cookie),
            &json!({"customerId": LINDA_ID, "cartId": code, "baseSite": SITE, "replace": true}),
        )
        .await;
    assert!(res.status.is_success(), "bind: {}", res.text());
    app.get(&format!("/store/carts/{code}"), None)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordered_cart_is_gone() {
    let app = TestApp::new();
    let code = new_cart(&app).await.code;
    app.db()
        .execute(
            "UPDATE carts SET status = 'ordered' WHERE code = ?1",
            [&code],
        )
        .expect("update");
    app.get(&format!("/store/carts/{code}"), None)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_well_formed_json() {
    let app = TestApp::new();
    let code = new_cart(&app).await.code;
    let entries = format!("/store/carts/{code}/entries");
    let err = app
        .post_raw(
            &entries,
            None,
            Some("application/json"),
            "{\"productCode\":",
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("body"));
    app.post_raw(
        &entries,
        None,
        Some("application/json"),
        "{\"quantity\": 1}",
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    app.post_raw(
        &entries,
        None,
        Some("text/plain"),
        "{\"productCode\":\"x\"}",
    )
    .await
    .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    app.post_raw(&entries, None, None, "")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    // Creating a cart and removing a line have no body, but still need the JSON content type.
    app.post_raw("/store/carts", None, Some("text/plain"), "")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    let (p, _) = product(&app, 0);
    app.post_json(&entries, None, &json!({"productCode": p}))
        .await;
    let res = app
        .send(
            req(Method::DELETE, &format!("{entries}/{p}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    res.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    let res = app
        .send(
            req(Method::DELETE, &format!("{entries}/{p}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(cart(&res).entries.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The per-address limit on anonymous cart creation (`--guest-cart-burst`, `--guest-cart-refill-ms`)
// ---------------------------------------------------------------------------------------------

/// `POST /store/carts` from the TCP peer `peer`, optionally through a proxy's `X-Forwarded-For`.
async fn create_from(app: &TestApp, peer: &str, forwarded_for: Option<&str>) -> Resp {
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().expect("address");
    let mut b = req(Method::POST, "/store/carts")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(axum::extract::ConnectInfo(addr));
    if let Some(xff) = forwarded_for {
        b = b.header("x-forwarded-for", xff);
    }
    app.send(b.body(Body::from("{}")).expect("request")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_gets_its_burst_of_carts_then_429_with_retry_after_others_are_not_affected() {
    let app = TestApp::new();
    let carts_before: i64 = app.scalar("SELECT COUNT(*) FROM carts", []);
    for i in 0..20 {
        let res = create_from(&app, "192.0.2.10", None).await;
        assert_eq!(res.status, StatusCode::CREATED, "cart {i}: {}", res.text());
    }
    let refused = create_from(&app, "192.0.2.10", None).await;
    refused.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::BUSY);
    assert_eq!(refused.header("retry-after"), Some("1"));
    let carts: i64 = app.scalar("SELECT COUNT(*) FROM carts", []);
    assert_eq!(carts, carts_before + 20, "the refused request made no cart");

    // Another address is not affected.
    let other = create_from(&app, "192.0.2.11", None).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());

    // A second later (test clock) the first address has one more cart, and only one.
    app.advance_ms(999);
    create_from(&app, "192.0.2.10", None)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::BUSY);
    app.advance_ms(1);
    assert_eq!(
        create_from(&app, "192.0.2.10", None).await.status,
        StatusCode::CREATED
    );
    create_from(&app, "192.0.2.10", None)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::BUSY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cart_limit_follows_the_flags_and_counts_clients_behind_a_trusted_proxy() {
    let app = TestApp::with_config(|c| {
        c.guest_cart_burst = 2;
        c.guest_cart_refill_ms = 10_000;
        c.trusted_proxies = vec!["10.0.0.0/8".parse().expect("net")];
    });
    for _ in 0..2 {
        let res = create_from(&app, "10.0.0.1", Some("203.0.113.5")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let refused = create_from(&app, "10.0.0.1", Some("203.0.113.5")).await;
    refused.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::BUSY);
    assert_eq!(refused.header("retry-after"), Some("10"));
    // Another client behind the same proxy has its own bucket.
    assert_eq!(
        create_from(&app, "10.0.0.1", Some("203.0.113.6"))
            .await
            .status,
        StatusCode::CREATED
    );
    // An untrusted peer's header is not believed: its own address counts.
    for _ in 0..2 {
        assert_eq!(
            create_from(&app, "192.0.2.20", Some("198.51.100.1"))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    create_from(&app, "192.0.2.20", Some("198.51.100.2"))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::BUSY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_zero_turns_the_cart_limit_off() {
    let app = TestApp::with_config(|c| c.guest_cart_burst = 0);
    for i in 0..30 {
        let res = create_from(&app, "192.0.2.30", None).await;
        assert_eq!(res.status, StatusCode::CREATED, "cart {i}: {}", res.text());
    }
}
