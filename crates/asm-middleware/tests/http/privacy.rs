//! Privacy and small rules (issue 14, item 4): the CSRF header's value, bounded parameters,
//! `baseSite` against the configured sites, bidirectional controls in names, older sessions ending
//! at a new sign-in, and Customer 360° reads needing consent and leaving an audit record.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID, MANAGER, NO_CONSENT_ID};
use asm_types::{error_type, REQUEST_HEADER};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_header_must_be_exactly_1() {
    let app = TestApp::new();
    for value in ["", "0", "true", "yes", "11", " 1"] {
        let res = app
            .send(
                req(Method::POST, "/asm/agents/login")
                    .header(header::ORIGIN, ALLOWED_ORIGIN)
                    .header(REQUEST_HEADER, value)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        json!({"username": AGENT.login, "password": AGENT.password}).to_string(),
                    ))
                    .expect("request"),
            )
            .await;
        res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
        assert!(res.session_set_cookie().is_none(), "{value:?}");
    }
    assert!(app.audit().is_empty(), "no handler ran");
    // `1` passes.
    app.login(&AGENT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_path_segments_and_query_values_are_refused() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let long = "a".repeat(257);
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query={long}"),
            Some(&cookie),
        )
        .await;
    let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("query"));
    let res = app
        .get(
            &format!("/asm/customers/{long}?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("path"));
    // 256 is fine.
    let ok = app
        .get(
            &format!(
                "/asm/customers/search?baseSite={SITE}&query={}",
                "a".repeat(256)
            ),
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_site_must_be_a_configured_site() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for site in ["x", "electronics-spa", &"e".repeat(200)] {
        let res = app
            .get(
                &format!("/asm/customers/search?baseSite={site}&query=linda"),
                Some(&cookie),
            )
            .await;
        let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("baseSite"));
        let res = app
            .post_json(
                "/asm/sessions",
                Some(&cookie),
                &json!({"customerId": LINDA_ID, "baseSite": site, "reason": "T-1"}),
            )
            .await;
        let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("baseSite"));
    }
    assert!(app.audit_of("emulation-start").is_empty());
    let ok = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=linda"),
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    // Another configured list.
    let app = TestApp::with_config(|c| c.base_sites = vec!["apparel".into(), "electronics".into()]);
    let cookie = app.login(&AGENT).await;
    let ok = app
        .get(
            "/asm/customers/search?baseSite=apparel&query=linda",
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_with_bidirectional_controls_are_refused() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app
        .post_json(
            &format!("/asm/customers?baseSite={SITE}"),
            Some(&cookie),
            &json!({"firstName": "Rtl\u{202E}gnp.exe", "lastName": "Doe", "emailAddress": "rtl@example.com"}),
        )
        .await;
    let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("firstName"));
    assert!(app.audit_of("customer-created").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sign_in_ends_the_agents_older_sessions_but_not_the_emulation() {
    let app = TestApp::new();
    let first = app.login(&AGENT).await;
    let other_agent = app.login(&MANAGER).await;
    app.emulate(&first, LINDA_ID).await;
    let second = app.login(&AGENT).await;
    assert_eq!(
        app.get("/asm/agents/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED,
        "the older session ended"
    );
    let me = app.get("/asm/agents/me", Some(&second)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.json()["emulation"]["customerId"],
        LINDA_ID,
        "the emulation carries on"
    );
    assert_eq!(
        app.get("/asm/agents/me", Some(&other_agent)).await.status,
        StatusCode::OK,
        "other agents keep theirs"
    );
    let ended: Vec<_> = app
        .audit_of("sign-out")
        .into_iter()
        .filter(|r| r.detail.as_deref() == Some("new-sign-in"))
        .collect();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].agent.as_deref(), Some(AGENT.login));
    assert!(app.audit_of("emulation-end").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_end_older_sessions_off_an_agent_keeps_several_sessions() {
    let app = TestApp::with_config(|c| c.end_older_sessions = false);
    let first = app.login(&AGENT).await;
    let second = app.login(&AGENT).await;
    for cookie in [&first, &second] {
        assert_eq!(
            app.get("/asm/agents/me", Some(cookie)).await.status,
            StatusCode::OK
        );
    }
    assert!(app.audit_of("sign-out").is_empty());
}

fn c360_path(customer: &str) -> String {
    format!("/asm/customers/{customer}/customer360?baseSite={SITE}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_360_without_emulating_needs_consent_and_is_audited() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let queries = json!({"queries": [{"type": "overview"}, {"type": "profile"}]});
    // A customer who refused consent: nothing is read.
    let res = app
        .post_json(&c360_path(NO_CONSENT_ID), Some(&cookie), &queries)
        .await;
    let err = res.assert_error(StatusCode::FORBIDDEN, error_type::NO_CONSENT);
    assert_eq!(err.subject.as_deref(), Some(NO_CONSENT_ID));
    let res = app
        .get(
            &format!("/asm/customers/{NO_CONSENT_ID}?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::NO_CONSENT);
    assert!(app.audit_of("customer360-read").is_empty());
    // A consenting customer: read, and audited with who, whom and which fragments.
    let res = app
        .post_json(&c360_path(LINDA_ID), Some(&cookie), &queries)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let reads = app.audit_of("customer360-read");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].agent.as_deref(), Some(AGENT.login));
    assert_eq!(reads[0].customer.as_deref(), Some(LINDA_ID));
    assert_eq!(reads[0].detail.as_deref(), Some("overview,profile"));
    let res = app
        .get(
            &format!("/asm/customers/{LINDA_ID}?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(app.audit_of("customer360-read").len(), 2);
    // While emulating the customer the emulation (with its reason) covers the reads.
    app.emulate(&cookie, LINDA_ID).await;
    let res = app
        .post_json(&c360_path(LINDA_ID), Some(&cookie), &queries)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(app.audit_of("customer360-read").len(), 2);
    // Nobody of that id is still 404.
    let res = app
        .post_json(&c360_path("C-NOBODY"), Some(&cookie), &queries)
        .await;
    res.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}
