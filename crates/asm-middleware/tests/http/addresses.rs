//! The emulated customer's address book (`/users/{id}/addresses`), on the demo shop and on SAP
//! Commerce (its simulator): list with one default, add (checked first, audited), replace and
//! make the default, delete (the next becomes the default), refusals for bad input and for a
//! customer who is not emulated.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{error_type, Address, AddressList};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use sapcc_sim::Config as SimConfig;
use serde_json::{json, Value};

fn harbor(default: bool) -> Value {
    json!({"firstName": "Linda", "lastName": "Wolf", "line1": "5 Harbor Rd", "town": "Boston",
           "postalCode": "02110", "country": {"isocode": "us"}, "defaultAddress": default})
}

async fn list(app: &TestApp, cookie: &str, user: &str) -> AddressList {
    let res = app
        .get(&format!("/asm/users/{user}/addresses"), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("AddressList")
}

async fn put(app: &TestApp, cookie: &str, path: &str, body: &Value) -> Resp {
    app.send(
        with_cookie(csrf_ok(req(Method::PUT, path)), Some(cookie))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
    )
    .await
}

/// The whole book's life on one backend, as the agent does it for `user`.
async fn address_book(app: &TestApp, cookie: &str, user: &str) {
    let path = format!("/asm/users/{user}/addresses");
    let before = list(app, cookie, user).await;
    assert!(
        before.addresses.len() <= 1
            || before
                .addresses
                .iter()
                .filter(|a| a.default_address)
                .count()
                == 1,
        "{before:?}"
    );

    // Bad input is refused before anything is written or audited.
    let mut bad = harbor(false);
    bad["country"] = json!({"isocode": "USA"});
    let err = app
        .post_json(&path, Some(cookie), &bad)
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("country"));
    let mut bad = harbor(false);
    bad["town"] = json!("  ");
    let err = app
        .post_json(&path, Some(cookie), &bad)
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("town"));
    assert!(app.audit_of("address-create").is_empty());

    // Added as the default, with the country upper case.
    let res = app.post_json(&path, Some(cookie), &harbor(true)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let added: Address = serde_json::from_value(res.json()).expect("Address");
    assert_eq!(added.country.isocode, "US");
    let after = list(app, cookie, user).await;
    assert_eq!(after.addresses.len(), before.addresses.len() + 1);
    assert_eq!(after.addresses[0].id, added.id, "the default first");
    assert_eq!(
        after.addresses.iter().filter(|a| a.default_address).count(),
        1
    );
    let audit = app.audit_of("address-create");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].outcome.as_deref(), Some("ok"));

    // Replaced: a new street, and an old address made the default again.
    let mut moved = harbor(false);
    moved["line1"] = json!("7 Harbor Rd");
    let res = put(app, cookie, &format!("{path}/{}", added.id), &moved).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let now: Address = serde_json::from_value(res.json()).expect("Address");
    assert_eq!(now.line1, "7 Harbor Rd");
    if let Some(old) = before.addresses.first() {
        let mut again = serde_json::to_value(old).expect("json");
        let obj = again.as_object_mut().expect("object");
        obj.remove("id");
        obj.insert("defaultAddress".into(), json!(true));
        let res = put(app, cookie, &format!("{path}/{}", old.id), &again).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let book = list(app, cookie, user).await;
        assert_eq!(book.addresses[0].id, old.id, "made the default");
        assert_eq!(
            book.addresses.iter().filter(|a| a.default_address).count(),
            1
        );
    }
    put(app, cookie, &format!("{path}/no-such-address"), &moved)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);

    // Deleted.
    let res = app
        .delete(&format!("{path}/{}", added.id), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let book = list(app, cookie, user).await;
    assert!(book.addresses.iter().all(|a| a.id != added.id));
    assert_eq!(book.addresses.len(), before.addresses.len());
    assert_eq!(app.audit_of("address-delete").len(), 1);
    app.delete(&format!("{path}/{}", added.id), Some(cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_keeps_the_customers_address_book_on_the_demo_shop() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    // Not emulating: refused.
    app.get(&format!("/asm/users/{LINDA_ID}/addresses"), Some(&cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.emulate(&cookie, LINDA_ID).await;
    address_book(&app, &cookie, LINDA_ID).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_keeps_the_customers_address_book_on_sap_commerce() {
    const LINDA: &str = "8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601";
    let sim = SimServer::start(SimConfig::default()).await;
    let app = TestApp::sap(&sim.url, |_| {});
    let cookie = app.login_as("asagent", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    let before = list(&app, &cookie, LINDA).await;
    assert!(!before.addresses.is_empty(), "Linda's seeded address");
    address_book(&app, &cookie, LINDA).await;
}
