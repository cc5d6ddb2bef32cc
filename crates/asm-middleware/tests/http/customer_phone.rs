//! The customer's phone in search and customer list pages (`phone` of `CustomerSearchEntry`):
//! the first phone of the customer's addresses, absent when they have none.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use axum::http::StatusCode;
use common::*;
use serde_json::Value;

async fn page(app: &TestApp, cookie: &str, params: &str) -> Value {
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&{params}"),
            Some(cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{params}: {}", res.text());
    res.json()
}

fn entry<'a>(page: &'a Value, customer_id: &str) -> &'a Value {
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["customerId"] == customer_id)
        .unwrap_or_else(|| panic!("{customer_id} not on the page: {page}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_page_carries_the_customers_phone() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let linda_phone: String = app
        .db()
        .query_row(
            "SELECT phone FROM addresses WHERE customer_id = ?1 AND phone IS NOT NULL ORDER BY id LIMIT 1",
            [LINDA_ID],
            |r| r.get(0),
        )
        .expect("the seed gives Linda a phone");
    assert!(!linda_phone.trim().is_empty());

    // In a customer list (the path with list filters and sorts)...
    let instore = page(&app, &cookie, "customerListId=instore&pageSize=100").await;
    assert_eq!(entry(&instore, LINDA_ID)["phone"], linda_phone.as_str());
    let sorted = page(
        &app,
        &cookie,
        "customerListId=instore&pageSize=100&sort=byUidDesc",
    )
    .await;
    assert_eq!(entry(&sorted, LINDA_ID)["phone"], linda_phone.as_str());
    // ...and in the plain search by name (the indexed path).
    let search = page(&app, &cookie, "query=linda%20wolf").await;
    assert_eq!(entry(&search, LINDA_ID)["phone"], linda_phone.as_str());
    // Queries under three characters take the scanning path.
    let short = page(&app, &cookie, "query=-l").await;
    assert_eq!(entry(&short, LINDA_ID)["phone"], linda_phone.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_without_a_phone_has_no_phone_field() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let without: String = app
        .db()
        .query_row(
            "SELECT c.customer_id FROM customers c WHERE NOT EXISTS \
             (SELECT 1 FROM addresses a WHERE a.customer_id = c.customer_id AND a.phone IS NOT NULL) \
             ORDER BY c.customer_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a customer without a phone");
    let found = page(&app, &cookie, &format!("query={}", without.to_lowercase())).await;
    let e = entry(&found, &without);
    assert!(e.get("phone").is_none(), "{e}");

    // A blank phone is no phone.
    app.db()
        .execute(
            "UPDATE addresses SET phone = '  ' WHERE customer_id = ?1",
            [LINDA_ID],
        )
        .expect("blank Linda's phones");
    let search = page(&app, &cookie, "query=linda%20wolf").await;
    assert!(entry(&search, LINDA_ID).get("phone").is_none());
}
