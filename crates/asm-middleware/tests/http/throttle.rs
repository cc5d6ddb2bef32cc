//! Sign-in throttling through HTTP: per account and per client address, temporary, with
//! `Retry-After`.

use crate::common;

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
async fn five_wrong_passwords_lock_that_address_out_of_the_account_not_the_agent_elsewhere() {
    let app = TestApp::new();
    for _ in 0..5 {
        attempt(&app, AGENT.login, "wrong", "10.1.1.1")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    // From the guessing address even the right password waits, and says how long.
    let res = attempt(&app, AGENT.login, AGENT.password, "10.1.1.1").await;
    let err = res.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    assert_eq!(res.header("retry-after"), Some("300"));
    assert!(err.message.contains("5 minutes"), "{}", err.message);
    assert_eq!(app.audit_of("sign-in-throttled").len(), 1);
    // The agent at another address signs in at once.
    let elsewhere = attempt(&app, AGENT.login, AGENT.password, "10.9.9.9").await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text());
    // Other accounts from the guessing address are not affected either.
    let other = attempt(&app, MANAGER.login, MANAGER.password, "10.1.1.1").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
    // The lock is temporary.
    app.advance_secs(299);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.1.1.1").await;
    res.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    assert_eq!(res.header("retry-after"), Some("1"));
    app.advance_secs(2);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.1.1.1").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_id_and_its_email_are_one_account_whatever_the_case() {
    let app = TestApp::new();
    for name in [
        "ASAGENT",
        "asagent@asm.example",
        "AsAgent@ASM.example",
        "asAGENT",
        " asagent ",
    ] {
        attempt(&app, name, "wrong", "10.1.1.1")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    // Five failures of one account from one address, however it was spelled.
    for name in [AGENT.login, "asagent@asm.example"] {
        attempt(&app, name, AGENT.password, "10.1.1.1")
            .await
            .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    }
    let res = attempt(&app, "asagent@asm.example", AGENT.password, "10.1.1.2").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_many_addresses_slow_the_account_down_progressively_never_lock_it() {
    let app = TestApp::new();
    // Twice the per-address limit costs the account nothing…
    for i in 0..10 {
        attempt(&app, AGENT.login, "wrong", &format!("10.5.0.{i}"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    let ok = attempt(&app, AGENT.login, AGENT.password, "10.6.6.6").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    // …the next failure (by e-mail: the same account) makes it wait a second…
    attempt(&app, "asagent@asm.example", "wrong", "10.5.1.1")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.6.6.6").await;
    res.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    assert_eq!(res.header("retry-after"), Some("1"));
    // …the one after two seconds, and so on, doubling.
    app.advance_secs(1);
    attempt(&app, AGENT.login, "wrong", "10.5.1.2")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.6.6.6").await;
    res.assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    assert_eq!(res.header("retry-after"), Some("2"));
    // Once the wait is over the right password passes: a slow-down, not a lock.
    app.advance_secs(2);
    let res = attempt(&app, AGENT.login, AGENT.password, "10.6.6.6").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_names_and_passwords_are_refused_before_anything_is_audited() {
    let app = TestApp::new();
    let cases = [
        ("username", "a".repeat(257), "x".to_owned()),
        ("username", "a".repeat(1_500_000), "x".to_owned()),
        ("password", AGENT.login.to_owned(), "p".repeat(1025)),
    ];
    for (subject, user, password) in &cases {
        let err = attempt(&app, user, password, "10.7.7.7")
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(*subject));
    }
    assert!(app.audit().is_empty(), "nothing audited: {:?}", app.audit());
    // At the limits the attempt is checked (and audited) as usual.
    attempt(&app, &"a".repeat(256), &"p".repeat(1024), "10.7.7.7")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    assert_eq!(app.audit_of("sign-in-failed").len(), 1);
}

async fn attempt_via(app: &TestApp, password: &str, peer: &str, forwarded_for: &str) -> Resp {
    let addr: SocketAddr = format!("{peer}:40000").parse().expect("address");
    app.send(
        csrf_ok(req(Method::POST, "/asm/agents/login"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", forwarded_for)
            .extension(ConnectInfo(addr))
            .body(Body::from(
                json!({ "username": AGENT.login, "password": password }).to_string(),
            ))
            .expect("request"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_client_is_counted() {
    let app =
        TestApp::with_config(|c| c.trusted_proxies = vec!["10.0.0.0/8".parse().expect("net")]);
    for _ in 0..5 {
        attempt_via(&app, "wrong", "10.0.0.1", "203.0.113.5")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    attempt_via(&app, AGENT.password, "10.0.0.1", "203.0.113.5")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
    // Another client behind the same proxy is not locked out.
    let other = attempt_via(&app, AGENT.password, "10.0.0.1", "203.0.113.6").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_peer_cannot_choose_its_address_with_forwarded_headers() {
    let app = TestApp::new();
    for i in 0..5 {
        attempt_via(&app, "wrong", "192.0.2.1", &format!("198.51.100.{i}"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    }
    attempt_via(&app, AGENT.password, "192.0.2.1", "198.51.100.99")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_identical_refusals_are_one_audit_record_with_a_count() {
    let app = TestApp::new();
    for _ in 0..5 {
        attempt(&app, AGENT.login, "wrong", "10.8.8.8").await;
        app.advance_secs(1);
    }
    for _ in 0..30 {
        attempt(&app, AGENT.login, "wrong", "10.8.8.8")
            .await
            .assert_error(StatusCode::TOO_MANY_REQUESTS, error_type::TOO_MANY_ATTEMPTS);
        app.advance_secs(1);
    }
    let failed = app.audit_of("sign-in-failed");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].repeats, Some(5));
    assert_eq!(failed[0].last_at, Some(failed[0].at + 4_000));
    let throttled = app.audit_of("sign-in-throttled");
    assert_eq!(throttled.len(), 1, "{throttled:?}");
    assert_eq!(throttled[0].repeats, Some(30));
    assert_eq!(throttled[0].detail.as_deref(), Some(AGENT.login));
    // Another name is its own record; so is the same one after the window.
    attempt(&app, "nobody", "wrong", "10.8.8.9").await;
    assert_eq!(app.audit_of("sign-in-failed").len(), 2);
    app.advance_secs(15 * 60);
    attempt(&app, AGENT.login, "wrong", "10.8.8.7").await;
    let failed = app.audit_of("sign-in-failed");
    assert_eq!(failed.len(), 3);
    assert_eq!(failed[2].repeats, None, "a new record: once so far");
}
