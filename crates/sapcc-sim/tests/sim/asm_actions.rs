//! §3.5 bind-cart, §3.6 create customer.

use crate::common;

use axum::http::{Method, StatusCode};
use common::*;
use sapcc_sim::{Config, Sim};

fn bind_uri() -> String {
    format!("/assistedservicewebservices/bind-cart?baseSite={SITE}")
}

async fn current_cart(sim: &Sim, t: &str, user: &str) -> String {
    let a = get(sim, &format!("/occ/v2/{SITE}/users/{user}/carts"), t).await;
    a.json()["carts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c.get("saveTime").is_none())
        .and_then(|c| c["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

#[tokio::test]
async fn bind_cart_with_a_form_body_is_200_empty_and_becomes_current() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send_form(
        &sim,
        Method::POST,
        &bind_uri(),
        &t,
        &format!("cartId=00002001&customerId={LINDA}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.body.is_empty());
    assert_eq!(current_cart(&sim, &t, LINDA).await, "00002001");
    // Binding it again: no longer anonymous.
    let a = send_form(
        &sim,
        Method::POST,
        &bind_uri(),
        &t,
        "cartId=00002001&customerId=aaron.customer@hybris.com",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bind_cart_with_query_params_and_an_empty_json_body() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let uri = format!(
        "{}&cartId=00002002&customerId=aaron.customer@hybris.com",
        bind_uri()
    );
    let a = send(&sim, Method::POST, &uri, &t, "{}").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.body.is_empty());
}

#[tokio::test]
async fn bind_cart_errors() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let cases = [
        ("cartId=00002001&customerId=", "Customer id is missing."),
        ("cartId=&customerId=x", "Cart id is missing."),
        (
            "cartId=00002001&customerId=nobody@example.com",
            "Customer not found.",
        ),
        (
            "cartId=nope&customerId=linda.wolf@rustic-hw.com",
            "Cart not found or cart is not anonymous.",
        ),
        // a customer's cart is not anonymous
        (
            "cartId=00001003&customerId=linda.wolf@rustic-hw.com",
            "Cart not found or cart is not anonymous.",
        ),
    ];
    for (body, message) in cases {
        let a = send_form(&sim, Method::POST, &bind_uri(), &t, body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(a.error()["message"], message, "{body}");
    }
    let a = send_form(&sim, Method::POST, &bind_uri(), &t, "customerId=x").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "MissingServletRequestParameterError");
    let a = send_form(
        &sim,
        Method::POST,
        "/assistedservicewebservices/bind-cart",
        &t,
        "cartId=00002001&customerId=x",
    )
    .await;
    assert_eq!(
        a.error()["message"],
        "Required String parameter 'baseSite' is not present"
    );
}

#[tokio::test]
async fn bind_cart_by_customer_id_only_when_switched_on() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send_form(
        &sim,
        Method::POST,
        &bind_uri(),
        &t,
        &format!("cartId=00002001&customerId={LINDA_ID}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let sim = Sim::new(Config {
        bind_cart_accepts_customer_id: true,
        ..Config::default()
    });
    let t = token(&sim, "asagent").await;
    let a = send_form(
        &sim,
        Method::POST,
        &bind_uri(),
        &t,
        &format!("cartId=00002001&customerId={LINDA_ID}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn bind_cart_non_agent_is_403() {
    let sim = sim();
    let t = token(&sim, "notasagent").await;
    let a = send_form(
        &sim,
        Method::POST,
        &bind_uri(),
        &t,
        &format!("cartId=00002001&customerId={LINDA}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn replace_flow_saves_the_previous_cart_then_binds() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = call(
        &sim,
        Method::PATCH,
        &format!("/occ/v2/{SITE}/users/{LINDA_ID}/carts/00001001/save?saveCartName=00001001&saveCartDescription=-"),
        &[("authorization", &format!("Bearer {t}"))],
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let saved = a.json()["savedCartData"].clone();
    assert_eq!(saved["code"], "00001001");
    assert_eq!(saved["name"], "00001001");
    assert_eq!(saved["description"], "-");
    assert!(saved["saveTime"]
        .as_str()
        .unwrap_or_default()
        .ends_with("+0000"));
    let a = send_form(
        &sim,
        Method::POST,
        &bind_uri(),
        &t,
        &format!("cartId=00002001&customerId={LINDA}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(current_cart(&sim, &t, LINDA).await, "00002001");
}

fn create_uri() -> String {
    format!("/assistedservicewebservices/customers?baseSite={SITE}")
}

#[tokio::test]
async fn create_customer_is_201_with_customer_id() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &create_uri(),
        &t,
        r#"{"firstName":" firstName ","lastName":"lastName","emailAddress":"test@sap.com"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let j = a.json();
    assert_eq!(j["uid"], "test@sap.com");
    assert_eq!(j["name"], "firstName lastName");
    assert_eq!(j["firstName"], "firstName");
    assert_eq!(j["language"]["isocode"], "en");
    assert_eq!(j["currency"]["isocode"], "USD");
    let id = j["customerId"].as_str().unwrap_or_default().to_string();
    assert!(!id.is_empty());
    // It resolves by customerId in OCC at once.
    let a = get(&sim, &format!("/occ/v2/{SITE}/users/{id}"), &t).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["uid"], "test@sap.com");
}

#[tokio::test]
async fn create_customer_honours_lang_and_curr() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &format!("{}&lang=zh&curr=JPY", create_uri()),
        &t,
        r#"{"firstName":"a","lastName":"b","emailAddress":"zh@sap.com"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.json()["language"]["isocode"], "zh");
    assert_eq!(a.json()["currency"]["isocode"], "JPY");
}

#[tokio::test]
async fn create_customer_validation_errors_are_exact() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &create_uri(),
        &t,
        r#"{"firstName":"a","lastName":"b","emailAddress":"not-an-email"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error(),
        serde_json::json!({"type":"ValidationError","reason":"invalid","subject":"emailAddress","subjectType":"parameter","message":"This field is not a valid email addresss."})
    );
    let long = "x".repeat(101);
    let a = send(
        &sim,
        Method::POST,
        &create_uri(),
        &t,
        &format!(r#"{{"firstName":"{long}","lastName":"{long}","emailAddress":"ok@sap.com"}}"#),
    )
    .await;
    let errors = a.json()["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["subject"], "firstName");
    assert_eq!(errors[1]["subject"], "lastName");
    assert_eq!(
        errors[0]["message"],
        "This field must to be between 0 and 100 characters long."
    );
    let a = send(
        &sim,
        Method::POST,
        &create_uri(),
        &t,
        r#"{"emailAddress":""}"#,
    )
    .await;
    let errors = a.json()["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[0]["message"], "This field is required.");
    assert_eq!(errors[0]["type"], "ValidationError");
}

#[tokio::test]
async fn create_customer_duplicate_uid() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &create_uri(),
        &t,
        &format!(
            r#"{{"firstName":"a","lastName":"b","emailAddress":"{}"}}"#,
            LINDA.to_uppercase()
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error(),
        serde_json::json!({"type":"AssistedServiceDuplicatedUidError","message":"Duplicate User id"})
    );
}

#[tokio::test]
async fn create_customer_unknown_site_and_non_agent() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let body = r#"{"firstName":"a","lastName":"b","emailAddress":"n@sap.com"}"#;
    let a = send(
        &sim,
        Method::POST,
        "/assistedservicewebservices/customers?baseSite=invalid_baseSite",
        &t,
        body,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "The requested BaseSite: invalid_baseSite doesn't exist"
    );
    let t = token(&sim, "notasagent").await;
    let a = send(&sim, Method::POST, &create_uri(), &t, body).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.text().contains("Access is denied"));
}

#[tokio::test]
async fn malformed_json_is_400_not_a_panic() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(&sim, Method::POST, &create_uri(), &t, "{not json").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.json()["errors"].is_array());
}
