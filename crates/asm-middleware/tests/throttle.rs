//! Sign-in throttling through HTTP: per account and per client address, temporary, with
//! `Retry-After`.

mod common;

use asm_middleware::commerce::embedded::seed::{AGENT, MANAGER};
use asm_types::error_type;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::json;
use std::net::SocketAddr;

async fn attempt(app: &TestApp, user: &str, password: &str, from: &str) -> Resp {
    let addr: SocketAddr = format!("{from}:40000").parse().expect("address");
    app.send(
        csrf_ok(req(Method::POST, "/asm/agents/login"))
            .header(header::CONTENT_TYPE, "application/json")
            .extension(ConnectInfo(addr))
            .body(Body::from(
                json!({ "username": user, "password": password }).to_string(),
            ))
            .expect("request"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_locked_for_a_while_after_five_wrong_passwords() {
    let app = TestApp::new();
    for _ in 0..5 {
        attempt(&app, AGENT.login, "wrong", "10.1.1.1")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    // Even the right password now waits, from any address, and says how long.
    let res = attempt(&app, AGENT.login, AGENT.password, "10.9.9.9").await;
    let err = res.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    assert_eq!(res.header("retry-after"), Some("300"));
    assert!(err.message.contains("5 minutes"), "{}", err.message);
    assert_eq!(app.audit_of("sign-in-throttled").len(), 1);
    // Other accounts are not affected.
    let other = attempt(&app, MANAGER.login, MANAGER.password, "10.9.9.9").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
    // The lock is temporary.
    app.advance_secs(299);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.9.9.9").await;
    res.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    assert_eq!(res.header("retry-after"), Some("1"));
    app.advance_secs(2);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.9.9.9").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_key_ignores_case() {
    let app = TestApp::new();
    for name in ["ASAGENT", "AsAgent", "asagent", "asAGENT", "Asagent"] {
        attempt(&app, name, "wrong", "10.1.1.1")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    attempt(&app, AGENT.login, AGENT.password, "10.1.1.2")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_clears_earlier_failures() {
    let app = TestApp::new();
    for _ in 0..4 {
        attempt(&app, AGENT.login, "wrong", "10.1.1.1").await;
    }
    let ok = attempt(&app, AGENT.login, AGENT.password, "10.1.1.1").await;
    assert_eq!(ok.status, StatusCode::OK);
    for _ in 0..4 {
        attempt(&app, AGENT.login, "wrong", "10.1.1.1")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    let ok = attempt(&app, AGENT.login, AGENT.password, "10.1.1.1").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_many_accounts_is_locked() {
    let app = TestApp::new();
    for i in 0..20 {
        attempt(&app, &format!("nobody{i}"), "wrong", "10.2.2.2")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    attempt(&app, AGENT.login, AGENT.password, "10.2.2.2")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    let elsewhere = attempt(&app, AGENT.login, AGENT.password, "10.3.3.3").await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text());
}
