//! `GET /customers/{customerId}`: the seed contract's customer 360 summary.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, INJECTION_FIRST, INJECTION_ID, LINDA_ID};
use asm_types::{error_type, Customer360Data};
use axum::http::StatusCode;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linda_has_her_profile_orders_and_cart() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app
        .get(
            &format!("/asm/customers/{LINDA_ID}?baseSite=electronics"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let data: Customer360Data = serde_json::from_value(res.json()).expect("Customer360Data");
    assert_eq!(data.overview.name, "Linda Wolf");
    assert_eq!(data.overview.email, "linda.wolf@example.com");
    assert!(!data.overview.address.town.is_empty());
    assert!(data.overview.signed_up_date.ends_with('Z'));
    // The seed gives Linda at least one order and one active cart.
    let db = app.db();
    let orders: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM orders WHERE customer_id = ?1",
            [LINDA_ID],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(data.recent_orders.len() as i64, orders.min(5));
    assert!(data
        .recent_orders
        .windows(2)
        .all(|w| w[0].placed >= w[1].placed));
    assert!(data.recent_orders[0].total.starts_with('$'));
    assert!(!data.active_carts.is_empty());
    assert!(data.active_carts[0].total_items > 0);
    let activity = data.overview.latest_activity.expect("latest activity");
    assert!(activity.kind == "ORDER" || activity.kind == "CART");
    // Her support tickets, most recently updated first.
    let tickets: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM tickets WHERE customer_id = ?1",
            [LINDA_ID],
            |r| r.get(0),
        )
        .expect("count");
    assert!(tickets > 0);
    assert_eq!(data.support_tickets.len() as i64, tickets);
    let latest: String = db
        .query_row(
            "SELECT id FROM tickets WHERE customer_id = ?1 ORDER BY updated DESC, id DESC LIMIT 1",
            [LINDA_ID],
            |r| r.get(0),
        )
        .expect("latest ticket");
    assert_eq!(data.support_tickets[0].id, latest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_data_comes_back_verbatim() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app
        .get(
            &format!("/asm/customers/{INJECTION_ID}?baseSite=electronics"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let data: Customer360Data = serde_json::from_value(res.json()).expect("Customer360Data");
    assert!(data.overview.name.starts_with(INJECTION_FIRST));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_unknown_customer_no_session_no_site() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let err = app
        .get("/asm/customers/C-NOPE?baseSite=electronics", Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("C-NOPE"));
    app.get(
        &format!("/asm/customers/{LINDA_ID}?baseSite=electronics"),
        None,
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    app.get(&format!("/asm/customers/{LINDA_ID}"), Some(&cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_results_say_who_cannot_be_emulated() {
    use asm_types::CustomerSearchPage;
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for (query, expected) in [
        ("dan.disabled", Some(error_type::CUSTOMER_DISABLED)),
        ("nora.noconsent", Some(error_type::NO_CONSENT)),
        ("linda.wolf", None),
    ] {
        let res = app
            .get(
                &format!("/asm/customers/search?query={query}&baseSite=electronics"),
                Some(&cookie),
            )
            .await;
        let page: CustomerSearchPage = serde_json::from_value(res.json()).expect("page");
        assert_eq!(page.entries.len(), 1, "{query}");
        assert_eq!(
            page.entries[0].emulation_blocked.as_deref(),
            expected,
            "{query}"
        );
    }
}
