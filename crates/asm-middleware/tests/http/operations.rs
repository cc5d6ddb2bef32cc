//! What operators meet: the readiness probe, the body size limit, and a clean stop on SIGTERM.

use crate::common;

use asm_middleware::config::Config;
use asm_middleware::store::postgres::PostgresStore;
use asm_middleware::{app, AppState, Clock};
use asm_types::error_type;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_ready_when_store_and_shop_answer() {
    let app = TestApp::new();
    let res = app
        .send(req(Method::GET, "/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), "ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_with_retry_after_when_the_store_is_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::for_tests(dir.path().join("shop.sqlite"));
    // A PostgreSQL store on a port nobody listens on: every call fails at once.
    let store = PostgresStore::lazy("postgres://asm@127.0.0.1:1/asm", 1).expect("store");
    let state = AppState::with_store(
        config,
        Clock::manual(Arc::new(AtomicI64::new(T0))),
        Arc::new(store),
    )
    .expect("state");
    let res = app(state)
        .oneshot(req(Method::GET, "/readyz").body(Body::empty()).unwrap())
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    let body = res.into_body().collect().await.expect("body").to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["errors"][0]["type"], error_type::UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_with_the_error_body() {
    let app = TestApp::new();
    let big = format!(
        r#"{{"username":"{}","password":"x"}}"#,
        "a".repeat(3 * 1024 * 1024)
    );
    let res = app
        .send(
            req(Method::POST, "/asm/agents/login")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(asm_types::REQUEST_HEADER, "1")
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    let err = res.assert_error(StatusCode::PAYLOAD_TOO_LARGE, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("body"));
    assert!(
        app.audit().is_empty(),
        "nothing is audited for a refused body"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shop.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_asm-middleware"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--customers",
            "50",
            "--db",
            db.to_str().expect("path"),
            "--dist",
            dir.path().to_str().expect("path"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .take(20)
        .any(|l| l.contains("listening on"));
    assert!(listening, "the server did not start");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "a SIGTERM is a clean stop: {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("stopped")),
        "says it stopped: {rest:?}"
    );
}
