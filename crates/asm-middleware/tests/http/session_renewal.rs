//! The explicit session renewal (`POST /asm/agents/me/session`, the timer's "Extend") and the
//! write-back throttle of ordinary requests (at most one store write a second per session).
//! Time is the test clock's; on both session stores (`ASM_TEST_STORE=postgres`).

use crate::common;

use asm_middleware::commerce::embedded::seed::AGENT;
use asm_types::{error_type, AgentSession, EXPIRES_HEADER, REQUEST_HEADER, SESSION_RENEW_PATH};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;

const IDLE_MS: i64 = 600 * 1000;

fn renew_path() -> String {
    format!("/asm{SESSION_RENEW_PATH}")
}

/// The session's stored last use.
fn stored_last_seen(app: &TestApp) -> i64 {
    app.store_int(
        "SELECT last_seen FROM agent_sessions WHERE agent_uid = ?1",
        &[AGENT.login],
    )
    .expect("a session")
}

/// The answer's body and its `X-ASM-Session-Expires`, which must agree.
fn session_of(res: &Resp) -> AgentSession {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body: AgentSession = serde_json::from_value(res.json()).expect("an agent session");
    assert_eq!(
        res.header(EXPIRES_HEADER),
        Some(body.expires_at.to_string().as_str()),
        "the header says the body's expiry"
    );
    body
}

async fn renew(app: &TestApp, cookie: &str) -> Resp {
    app.post_raw(&renew_path(), Some(cookie), None, "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordinary_request_within_a_second_of_the_last_write_does_not_write() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.advance_secs(10);
    let me = session_of(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(
        stored_last_seen(&app),
        T0 + 10_000,
        "written: 10 s since sign-in"
    );
    assert_eq!(me.expires_at, T0 + 10_000 + IDLE_MS);

    app.advance_ms(999);
    let me = session_of(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(
        stored_last_seen(&app),
        T0 + 10_000,
        "not written within a second"
    );
    assert_eq!(
        me.expires_at,
        T0 + 10_000 + IDLE_MS,
        "the stored expiry, never a later one than the server has"
    );
    assert_eq!(me.server_time, T0 + 10_999);

    app.advance_ms(1);
    let me = session_of(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(
        stored_last_seen(&app),
        T0 + 11_000,
        "a second later: written"
    );
    assert_eq!(me.expires_at, T0 + 11_000 + IDLE_MS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_moves_the_expiry_even_right_after_another_request() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;

    // Right after the sign-in (which wrote the session).
    app.advance_ms(200);
    let renewed = session_of(&renew(&app, &cookie).await);
    assert_eq!(
        renewed.expires_at,
        T0 + 200 + IDLE_MS,
        "moved from T0 + idle"
    );
    assert_eq!(renewed.server_time, T0 + 200);
    assert_eq!(renewed.idle_timeout_seconds, 600);
    assert_eq!(renewed.agent.uid, AGENT.login);
    assert_eq!(stored_last_seen(&app), T0 + 200, "written");

    // Right after an ordinary request that did not write.
    app.advance_ms(300);
    let me = session_of(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(
        me.expires_at,
        T0 + 200 + IDLE_MS,
        "the ordinary request did not move it"
    );
    app.advance_ms(100);
    let renewed = session_of(&renew(&app, &cookie).await);
    assert_eq!(renewed.expires_at, T0 + 600 + IDLE_MS, "the renewal did");
    assert_eq!(stored_last_seen(&app), T0 + 600);

    // The server honours what it answered: alive just before, gone at the renewed expiry.
    app.clock
        .store(renewed.expires_at - 1, std::sync::atomic::Ordering::SeqCst);
    // (This request, more than a second after the renewal, writes and extends again.)
    let me = session_of(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(me.expires_at, renewed.expires_at - 1 + IDLE_MS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_stops_at_the_absolute_lifetime() {
    let app = TestApp::with_config(|c| c.max_lifetime = 1_800);
    let cookie = app.login(&AGENT).await;
    // Renewed every 500 s: never idle, but the lifetime caps the expiry.
    for step in 1..=3 {
        app.advance_secs(500);
        let renewed = session_of(&renew(&app, &cookie).await);
        let now = T0 + step * 500_000;
        assert_eq!(renewed.expires_at, (now + IDLE_MS).min(T0 + 1_800_000));
    }
    // now = T0 + 1500 s: the idle window would reach 2100 s, the lifetime ends at 1800 s.
    app.advance_secs(300);
    renew(&app, &cookie)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_still_expires_server_side() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;

    // Used within a second of the sign-in: not written, so the window still ends at T0 + idle,
    // which is what the answer says.
    app.advance_ms(999);
    let me = session_of(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(me.expires_at, T0 + IDLE_MS);
    assert_eq!(stored_last_seen(&app), T0);

    // Exactly at that expiry the session is gone, and a renewal cannot bring it back.
    app.clock
        .store(me.expires_at, std::sync::atomic::Ordering::SeqCst);
    renew(&app, &cookie)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    app.get("/asm/agents/me", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    assert_eq!(
        app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]),
        0,
        "the session was ended"
    );
    assert_eq!(app.audit_of("session-expired").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_is_refused_without_the_csrf_header_or_from_another_origin() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.advance_secs(5);

    let no_header = req(Method::POST, &renew_path())
        .header(header::ORIGIN, ALLOWED_ORIGIN)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    app.send(no_header)
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::CSRF);

    let wrong_value = req(Method::POST, &renew_path())
        .header(REQUEST_HEADER, "true")
        .header(header::ORIGIN, ALLOWED_ORIGIN)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    app.send(wrong_value)
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::CSRF);

    let other_origin = req(Method::POST, &renew_path())
        .header(REQUEST_HEADER, "1")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    app.send(other_origin)
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::CSRF);

    assert_eq!(
        stored_last_seen(&app),
        T0,
        "no refused renewal wrote the session"
    );

    // Without a session: 401.
    app.post_raw(&renew_path(), None, None, "")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    // GET is not the renewal.
    assert_eq!(
        app.get(&renew_path(), Some(&cookie)).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}
