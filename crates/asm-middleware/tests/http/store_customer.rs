//! `/store/customer/...`: the demo store's own customer sign-in and the customer shopping as
//! themselves; one session in a browser (an agent or a customer, never both), enforced by the
//! server; a customer alone cannot use a voucher valid only during a support call.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, CUSTOMER, LINDA_ID};
use asm_types::{error_type, Cart, Order, OrderHistory};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::{json, Value};
use std::net::SocketAddr;

const MESSAGE: &str = "Cannot sign in as a customer while a customer support agent is signed in. Emulate the customer or sign the agent out.";

/// The `store_customer=…` pair a response sets (not a removal).
fn customer_cookie(res: &Resp) -> Option<String> {
    res.set_cookies()
        .into_iter()
        .filter(|c| c.starts_with("store_customer=") && !c.starts_with("store_customer=;"))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .next()
}

async fn sign_in(app: &TestApp, cookie: Option<&str>, password: &str) -> Resp {
    let from: SocketAddr = "10.1.1.1:40000".parse().expect("address");
    app.send(
        with_cookie(req(Method::POST, "/store/customer/login"), cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .extension(ConnectInfo(from))
            .body(Body::from(
                json!({"email": CUSTOMER.login, "password": password}).to_string(),
            ))
            .expect("request"),
    )
    .await
}

/// A JSON request of the store (no CSRF header: the store API needs only the content type).
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> Resp {
    let b = req(method, path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json");
    let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
    app.send(b.body(body).expect("request")).await
}

async fn linda(app: &TestApp) -> String {
    let res = sign_in(app, None, CUSTOMER.password).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let set = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("store_customer="))
        .expect("a cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.ends_with("Path=/"),
        "{set}"
    );
    customer_cookie(&res).expect("signed in")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_signs_in_shops_and_orders_as_themselves() {
    let app = TestApp::new();
    let cookie = linda(&app).await;
    let me = call(&app, Method::GET, "/store/customer/me", &cookie, None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(me.json()["customerId"], LINDA_ID);
    assert_eq!(me.json()["name"], "Linda Wolf");

    let added = call(
        &app,
        Method::POST,
        "/store/customer/cart/entries",
        &cookie,
        Some(json!({"productCode": "300938", "quantity": 2})),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    let cart: Cart = serde_json::from_value(added.json()).expect("Cart");
    assert!(cart.entries.iter().any(|e| e.product_code == "300938"));
    let read = call(&app, Method::GET, "/store/customer/cart", &cookie, None).await;
    assert_eq!(read.json()["code"], cart.code.as_str(), "her active cart");

    // A call-only voucher is the agent's to give; an ordinary one works.
    let vouchers = format!("/store/customer/cart/{}/vouchers", cart.code);
    let err = call(
        &app,
        Method::POST,
        &vouchers,
        &cookie,
        Some(json!({"voucherId": "CALL10"})),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    assert!(
        err.message.contains("only during a call"),
        "{}",
        err.message
    );
    let with = call(
        &app,
        Method::POST,
        &vouchers,
        &cookie,
        Some(json!({"voucherId": "SAVE10"})),
    )
    .await;
    assert_eq!(with.status, StatusCode::OK, "{}", with.text());

    // Her order, placed by herself.
    let placed = call(
        &app,
        Method::POST,
        "/store/customer/orders",
        &cookie,
        Some(json!({"cartId": cart.code})),
    )
    .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text());
    let order: Order = serde_json::from_value(placed.json()).expect("Order");
    assert_eq!(order.placed_by, None, "not by an agent");
    assert_eq!(order.vouchers, vec!["SAVE10".to_owned()]);
    let history = call(&app, Method::GET, "/store/customer/orders", &cookie, None).await;
    let history: OrderHistory = serde_json::from_value(history.json()).expect("history");
    assert_eq!(history.orders[0].code, order.code);
    let one = call(
        &app,
        Method::GET,
        &format!("/store/customer/orders/{}", order.code),
        &cookie,
        None,
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    // Nobody's else's: another customer's order is not found.
    let other: String = app.scalar(
        "SELECT code FROM orders WHERE customer_id <> ?1 LIMIT 1",
        [LINDA_ID],
    );
    call(
        &app,
        Method::GET,
        &format!("/store/customer/orders/{other}"),
        &cookie,
        None,
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);

    // Signing out ends the session on the server.
    let out = call(&app, Method::POST, "/store/customer/logout", &cookie, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text());
    call(&app, Method::GET, "/store/customer/me", &cookie, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_refused_alike_and_throttled() {
    let app = TestApp::new();
    sign_in(&app, None, "wrong")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    let res = app
        .send(
            req(Method::POST, "/store/customer/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"email": "nobody@example.com", "password": "x"}).to_string(),
                ))
                .expect("request"),
        )
        .await;
    let unknown = res.assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    assert_eq!(unknown.message, "Wrong e-mail or password.");
    // No cookie for a refusal, and after the limit even the right password waits.
    for _ in 0..4 {
        assert_eq!(customer_cookie(&sign_in(&app, None, "wrong").await), None);
    }
    sign_in(&app, None, CUSTOMER.password)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    // Writes without the JSON content type are refused (a cross-site form cannot send it).
    let res = app
        .send(
            req(Method::POST, "/store/customer/logout")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_and_a_customer_are_never_both_signed_in_in_one_browser() {
    let app = TestApp::new();
    // A customer shopping; an agent signs in in the same browser: her store session ends.
    let customer = linda(&app).await;
    let res = app
        .send(
            with_cookie(
                csrf_ok(req(Method::POST, "/asm/agents/login")),
                Some(&customer),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": AGENT.login, "password": AGENT.password}).to_string(),
            ))
            .expect("request"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.set_cookies()
            .iter()
            .any(|c| c.starts_with("store_customer=") && c.contains("Max-Age=0")),
        "the customer's cookie is removed: {:?}",
        res.set_cookies()
    );
    let agent = res.session_cookie().expect("agent cookie");
    call(&app, Method::GET, "/store/customer/me", &customer, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);

    // While the agent is signed in, the customer can neither sign in nor shop as herself.
    let err = sign_in(&app, Some(&agent), CUSTOMER.password)
        .await
        .assert_error(StatusCode::CONFLICT, error_type::AGENT_SIGNED_IN);
    assert_eq!(err.message, MESSAGE);
    let fresh = linda(&app).await;
    let both = format!("{agent}; {fresh}");
    call(&app, Method::GET, "/store/customer/me", &both, None)
        .await
        .assert_error(StatusCode::CONFLICT, error_type::AGENT_SIGNED_IN);
    call(
        &app,
        Method::POST,
        "/store/customer/cart/entries",
        &both,
        Some(json!({"productCode": "300938"})),
    )
    .await
    .assert_error(StatusCode::CONFLICT, error_type::AGENT_SIGNED_IN);

    // The agent signs out: she may sign in again.
    let res = app
        .post_json("/asm/agents/logout", Some(&agent), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = sign_in(&app, Some(&agent), CUSTOMER.password).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}
