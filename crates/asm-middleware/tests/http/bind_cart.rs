//! `POST /bind-cart`: giving an anonymous cart to a customer.

use crate::common;

use asm_middleware::commerce::embedded::seed::{
    AGENT, ANONYMOUS_CARTS, DISABLED_ID, FIRST_ANONYMOUS_CART, LINDA_ID, MANAGER, NO_CONSENT_ID,
};
use asm_types::{error_type, CartList, CartSummary};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::{json, Value};

const BIND: &str = "/asm/bind-cart";

fn body(customer: &str, cart: &str) -> Value {
    json!({"customerId": customer, "cartId": cart, "baseSite": SITE})
}

/// A customer who may be emulated and has no cart at all.
fn cartless(app: &TestApp) -> String {
    app.scalar(
        "SELECT customer_id FROM customers c WHERE disabled = 0 AND consent = 1 \
         AND customer_id LIKE 'C0%' AND NOT EXISTS (SELECT 1 FROM carts WHERE customer_id = c.customer_id) \
         ORDER BY customer_id LIMIT 1",
        [],
    )
}

fn anonymous(n: u64) -> String {
    let first: u64 = FIRST_ANONYMOUS_CART.parse().expect("number");
    assert!(n < ANONYMOUS_CARTS);
    format!("{:08}", first + n)
}

async fn carts(app: &TestApp, cookie: &str, customer: &str) -> CartList {
    let res = app
        .get(
            &format!("/asm/customers/{customer}/carts?baseSite={SITE}"),
            Some(cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("carts")
}

fn owner(app: &TestApp, cart: &str) -> (Option<String>, String) {
    let c = app.db();
    c.query_row(
        "SELECT customer_id, status FROM carts WHERE code = ?1",
        [cart],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("cart")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_cart_becomes_the_customers_active_cart_and_is_audited() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let customer = cartless(&app);
    let cart = anonymous(0);
    assert_eq!(owner(&app, &cart), (None, "active".to_owned()));
    app.advance_secs(7);
    let res = app
        .post_json(BIND, Some(&cookie), &body(&customer, &cart))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.header(asm_types::EXPIRES_HEADER).is_some());
    let bound: CartSummary = serde_json::from_value(res.json()).expect("cart");
    assert_eq!(bound.code, cart);
    assert_eq!(bound.entries.len(), 1);
    assert_eq!(bound.total_items, 1);
    assert_eq!(
        owner(&app, &cart),
        (Some(customer.clone()), "active".into())
    );
    let list = carts(&app, &cookie, &customer).await;
    assert_eq!(list.carts, vec![bound]);
    assert!(list.saved_carts.is_empty());

    let rows = app.audit_of("cart-bound");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].agent.as_deref(), Some(AGENT.login));
    assert_eq!(rows[0].customer.as_deref(), Some(customer.as_str()));
    assert_eq!(rows[0].at, app.now());
    assert!(
        rows[0].detail.as_deref().unwrap_or("").contains(&cart),
        "{rows:?}"
    );

    // Bound carts can be chosen when emulating, and are not anonymous any more.
    let res = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": customer, "baseSite": SITE, "cartId": cart, "reason": "Ticket 7"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let err = app
        .post_json(BIND, Some(&cookie), &body(&customer, &cart))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CART_NOT_ANONYMOUS);
    assert_eq!(err.subject.as_deref(), Some("cartId"));
    assert!(err.message.contains("this customer"), "{}", err.message);
    assert_eq!(app.audit_of("cart-bound").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_with_items_conflicts_until_replaced_and_is_kept_as_saved() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let old: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active'",
        [LINDA_ID],
    );
    let cart = anonymous(1);
    let err = app
        .post_json(BIND, Some(&cookie), &body(LINDA_ID, &cart))
        .await
        .assert_error(StatusCode::CONFLICT, error_type::CART_CONFLICT);
    assert_eq!(err.subject.as_deref(), Some(old.as_str()));
    let mut explicit = body(LINDA_ID, &cart);
    explicit["replace"] = json!(false);
    app.post_json(BIND, Some(&cookie), &explicit)
        .await
        .assert_error(StatusCode::CONFLICT, error_type::CART_CONFLICT);
    // Nothing changed.
    assert_eq!(owner(&app, &cart), (None, "active".into()));
    assert_eq!(owner(&app, &old), (Some(LINDA_ID.into()), "active".into()));
    assert!(app.audit_of("cart-bound").is_empty());

    // Emulating Linda: the emulation follows the bound cart.
    let manager = app.login(&MANAGER).await;
    app.emulate(&manager, LINDA_ID).await;
    let session = app.emulate(&cookie, LINDA_ID).await;
    assert_eq!(session["cartId"], old.as_str());
    let mut replace = body(LINDA_ID, &cart);
    replace["replace"] = json!(true);
    let res = app.post_json(BIND, Some(&cookie), &replace).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["code"], cart.as_str());
    assert_eq!(owner(&app, &cart), (Some(LINDA_ID.into()), "active".into()));
    assert_eq!(owner(&app, &old), (Some(LINDA_ID.into()), "saved".into()));
    let list = carts(&app, &cookie, LINDA_ID).await;
    let active: Vec<&str> = list.carts.iter().map(|c| c.code.as_str()).collect();
    let saved: Vec<&str> = list.saved_carts.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(active, [cart.as_str()]);
    assert_eq!(saved, [old.as_str()]);
    assert!(
        !list.saved_carts[0].entries.is_empty(),
        "kept with its items"
    );
    let session_id = session["sessionId"].as_str().expect("id");
    let read = app
        .get(&format!("/asm/sessions/{session_id}"), Some(&cookie))
        .await;
    assert_eq!(read.json()["cartId"], cart.as_str());
    let me = app.get("/asm/agents/me", Some(&cookie)).await.json();
    assert_eq!(me["emulation"]["cartId"], cart.as_str());
    // The 360 view shows only the active cart.
    let data = app
        .get(
            &format!("/asm/customers/{LINDA_ID}?baseSite={SITE}"),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(data["activeCarts"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["activeCarts"][0]["code"], cart.as_str());
    let rows = app.audit_of("cart-bound");
    assert_eq!(rows.len(), 1);
    let detail = rows[0].detail.clone().unwrap_or_default();
    assert!(detail.contains(&cart) && detail.contains(&old), "{detail}");

    // Another agent's emulation of Linda keeps its cart.
    assert_eq!(
        app.store_text(
            "SELECT cart_id FROM emulations WHERE agent_uid = ?1",
            &[MANAGER.login],
        )
        .as_deref(),
        Some(old.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_active_cart_does_not_conflict() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let customer = cartless(&app);
    let c = app.db();
    c.execute(
        "INSERT INTO carts (code, customer_id, status, created, modified) VALUES ('E1', ?1, 'active', 1, 1)",
        [&customer],
    )
    .expect("empty cart");
    let cart = anonymous(2);
    let res = app
        .post_json(BIND, Some(&cookie), &body(&customer, &cart))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(owner(&app, "E1"), (Some(customer.clone()), "saved".into()));
    let list = carts(&app, &cookie, &customer).await;
    assert_eq!(list.carts.len(), 1);
    assert_eq!(list.carts[0].code, cart);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_has_its_error() {
    let app = TestApp::new();
    let cart = anonymous(3);
    app.post_json(BIND, None, &body(LINDA_ID, &cart))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    let c = Some(cookie.as_str());

    // CSRF: no header, or a foreign origin.
    let res = app
        .send(
            with_cookie(req(Method::POST, BIND), c)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .body(Body::from(body(LINDA_ID, &cart).to_string()))
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    let res = app
        .send(
            with_cookie(req(Method::POST, BIND), c)
                .header(header::CONTENT_TYPE, "application/json")
                .header(asm_types::REQUEST_HEADER, "1")
                .header(header::ORIGIN, "http://evil.example")
                .body(Body::from(body(LINDA_ID, &cart).to_string()))
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);

    // Malformed bodies.
    for (b, subject) in [
        (
            json!({"customerId": " ", "cartId": cart, "baseSite": SITE}),
            "customerId",
        ),
        (
            json!({"customerId": LINDA_ID, "cartId": "", "baseSite": SITE}),
            "cartId",
        ),
        (
            json!({"customerId": LINDA_ID, "cartId": cart, "baseSite": " "}),
            "baseSite",
        ),
        (json!({"customerId": LINDA_ID, "baseSite": SITE}), "body"),
        (json!({"customerId": LINDA_ID, "cartId": cart}), "body"),
        (
            json!({"customerId": LINDA_ID, "cartId": cart, "baseSite": SITE, "replace": "yes"}),
            "body",
        ),
    ] {
        let err = app
            .post_json(BIND, c, &b)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{b}");
    }
    app.post_raw(BIND, c, Some("text/plain"), "{}")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);

    // Unknown customer or cart.
    let err = app
        .post_json(BIND, c, &body("C-NOBODY", &cart))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("C-NOBODY"));
    let err = app
        .post_json(BIND, c, &body(LINDA_ID, "99999999"))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("cartId"));

    // Customers who cannot be served.
    for (customer, kind) in [
        (DISABLED_ID, error_type::CUSTOMER_DISABLED),
        (NO_CONSENT_ID, error_type::NO_CONSENT),
        (AGENT.login, error_type::CANNOT_EMULATE_AGENT),
    ] {
        let err = app
            .post_json(BIND, c, &body(customer, &cart))
            .await
            .assert_error(StatusCode::FORBIDDEN, kind);
        assert_eq!(err.subject.as_deref(), Some(customer));
    }

    // Someone else's cart.
    let someone_elses: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id IS NOT NULL AND customer_id <> ?1 LIMIT 1",
        [LINDA_ID],
    );
    let err = app
        .post_json(BIND, c, &body(LINDA_ID, &someone_elses))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CART_NOT_ANONYMOUS);
    assert_eq!(err.subject.as_deref(), Some("cartId"));
    assert!(err.message.contains("another customer"), "{}", err.message);

    // Nothing was bound, nothing audited.
    assert_eq!(owner(&app, &cart), (None, "active".into()));
    assert!(app.audit_of("cart-bound").is_empty());
}
