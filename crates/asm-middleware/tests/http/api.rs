//! HTTP-level tests of the ASM middleware: every `/asm` endpoint through the real router
//! (`tower::ServiceExt::oneshot`), each over its own seeded SQLite file and a manual clock.

use crate::common;

use asm_middleware::commerce::embedded::seed::{
    AGENT, CUSTOMER, DISABLED_ID, INJECTION_FIRST, INJECTION_ID, INJECTION_LAST, LINDA_ID, MANAGER,
    NO_CONSENT_ID,
};
use asm_types::{error_type, AgentSession, AssistedSession, CartList, CustomerSearchPage};
use asm_types::{REQUEST_HEADER, SALES_MANAGER_GROUP, SESSION_COOKIE};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::json;
use std::collections::HashSet;

const IDLE_MS: i64 = 600 * 1000;

fn agent_session(res: &Resp) -> AgentSession {
    serde_json::from_value(res.json()).expect("AgentSession shape")
}

fn assisted(res: &Resp) -> AssistedSession {
    serde_json::from_value(res.json()).expect("AssistedSession shape")
}

async fn search(app: &TestApp, cookie: &str, query_string: &str) -> Resp {
    app.get(
        &format!("/asm/customers/search?{query_string}"),
        Some(cookie),
    )
    .await
}

async fn search_page(app: &TestApp, cookie: &str, query_string: &str) -> CustomerSearchPage {
    let res = search(app, cookie, query_string).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("CustomerSearchPage shape")
}

async fn search_total(app: &TestApp, cookie: &str, q: &str) -> u64 {
    search_page(app, cookie, &format!("baseSite={SITE}&query={}", enc(q)))
        .await
        .pagination
        .total_results
}

/// Percent-encodes a query parameter value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_http_only_strict_cookie_and_keeps_the_token_out_of_the_body() {
    let app = TestApp::new();
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": AGENT.password}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    let set_cookie = res.session_set_cookie().expect("session cookie set");
    let attrs: Vec<String> = set_cookie
        .split(';')
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attrs.contains(&"httponly".to_owned()), "{set_cookie}");
    assert!(
        attrs.contains(&"samesite=strict".to_owned()),
        "{set_cookie}"
    );
    assert!(attrs.contains(&"path=/".to_owned()), "{set_cookie}");
    assert!(
        !attrs.contains(&"secure".to_owned()),
        "not Secure by default: {set_cookie}"
    );
    let token = res
        .session_cookie()
        .unwrap()
        .trim_start_matches(&format!("{SESSION_COOKIE}="))
        .to_owned();
    assert_eq!(token.len(), 64, "32 random bytes as hex: {token}");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        !res.text().contains(&token),
        "the token must not appear in the body"
    );
    // The database keeps only the token's hash.
    let stored = app.store_count(
        "SELECT COUNT(*) FROM agent_sessions WHERE token_hash = ?1",
        &[&token],
    );
    assert_eq!(stored, 0, "raw token stored");
    let sessions = app.store_count(
        "SELECT COUNT(*) FROM agent_sessions WHERE agent_uid = ?1",
        &[AGENT.login],
    );
    assert_eq!(sessions, 1);

    let body = agent_session(&res);
    assert_eq!(body.agent.uid, AGENT.login);
    assert_eq!(body.agent.groups, vec![asm_types::AGENT_GROUP.to_owned()]);
    assert!(!body.agent.is_sales_manager());
    assert_eq!(body.server_time, T0);
    assert_eq!(body.expires_at, T0 + IDLE_MS);
    assert_eq!(body.idle_timeout_seconds, 600);
    assert!(body.emulation.is_none());
    assert!(res.json().get("emulation").is_none());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));

    let signins = app.audit_of("sign-in");
    assert_eq!(signins.len(), 1);
    assert_eq!(signins[0].agent.as_deref(), Some(AGENT.login));
    assert_eq!(signins[0].at, T0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_cookie_is_secure_when_configured() {
    let app = TestApp::with_config(|c| c.secure_cookie = true);
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": AGENT.password}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let set_cookie = res.session_set_cookie().expect("cookie");
    assert!(
        set_cookie
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("secure")),
        "{set_cookie}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_signs_in_by_email_in_any_case_and_is_a_sales_manager() {
    let app = TestApp::new();
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "  ASMANAGER@ASM.example ", "password": MANAGER.password}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = agent_session(&res);
    assert_eq!(body.agent.uid, MANAGER.login);
    assert!(body.agent.groups.contains(&SALES_MANAGER_GROUP.to_owned()));
    assert!(body.agent.is_sales_manager());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_401_invalid_credentials_without_cookie() {
    let app = TestApp::new();
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": "Agent#2025"}),
        )
        .await;
    res.assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    assert!(res.session_set_cookie().is_none());
    let sessions: i64 = app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]);
    assert_eq!(sessions, 0);
    let failed = app.audit_of("sign-in-failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].agent.as_deref(), Some(AGENT.login));
    assert!(app.audit_of("sign-in").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_user_gets_the_same_answer_as_a_wrong_password() {
    let app = TestApp::new();
    let wrong = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": "nope"}),
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    let unknown = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "nobody-here", "password": "nope"}),
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    assert_eq!(wrong, unknown, "no user enumeration through the answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_credentials_are_refused_with_not_an_agent() {
    let app = TestApp::new();
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": CUSTOMER.login, "password": CUSTOMER.password}),
        )
        .await;
    let err = res.assert_error(StatusCode::FORBIDDEN, error_type::NOT_AN_AGENT);
    assert!(
        err.message.to_lowercase().contains("agent"),
        "{}",
        err.message
    );
    assert!(res.session_set_cookie().is_none());
    let sessions: i64 = app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]);
    assert_eq!(sessions, 0);
    let refused = app.audit_of("sign-in-refused-customer");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].detail.as_deref(), Some(CUSTOMER.login));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_login_with_a_wrong_password_does_not_reveal_the_customer() {
    let app = TestApp::new();
    app.post_json(
        "/asm/agents/login",
        None,
        &json!({"username": CUSTOMER.login, "password": "Customer#2025"}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    assert!(app.audit_of("sign-in-refused-customer").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_validates_blank_fields() {
    let app = TestApp::new();
    let err = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "   ", "password": "x"}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("username"));
    let err = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": ""}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("password"));
    assert!(app.audit().is_empty(), "nothing checked, nothing audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_login_bodies_get_the_json_error_body() {
    let app = TestApp::new();
    for body in [
        "{not json",
        "",
        r#"{"username":"asagent"}"#,
        r#"{"username":1,"password":2}"#,
        "[]",
    ] {
        let res = app
            .post_raw("/asm/agents/login", None, Some("application/json"), body)
            .await;
        let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("body"), "body {body:?}");
    }
    // Without a JSON content type: 415, still the JSON error body.
    let res = app
        .post_raw(
            "/asm/agents/login",
            None,
            Some("text/plain"),
            r#"{"username":"asagent","password":"Agent#2026"}"#,
        )
        .await;
    res.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    let res = app
        .post_raw(
            "/asm/agents/login",
            None,
            None,
            r#"{"username":"asagent","password":"Agent#2026"}"#,
        )
        .await;
    res.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    assert!(res.session_set_cookie().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_again_returns_the_emulation_in_progress() {
    let app = TestApp::new();
    let first = app.login(&AGENT).await;
    let started = app.emulate(&first, LINDA_ID).await;
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": AGENT.password}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let emulation = agent_session(&res).emulation.expect("emulation resumed");
    assert_eq!(emulation.session_id, started["sessionId"].as_str().unwrap());
    assert_eq!(emulation.customer_id, LINDA_ID);
}

// ---------------------------------------------------------------------------------------------
// Me, agent details
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_requires_a_valid_session_cookie() {
    let app = TestApp::new();
    app.get("/asm/agents/me", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    for cookie in [
        format!("{SESSION_COOKIE}="),
        format!("{SESSION_COOKIE}=deadbeef"),
        format!("{SESSION_COOKIE}={}", "0".repeat(64)),
        "other=1".to_owned(),
    ] {
        app.get("/asm/agents/me", Some(&cookie))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    }
    // A real cookie works, among other cookies too.
    let cookie = app.login(&AGENT).await;
    let res = app
        .get(
            "/asm/agents/me",
            Some(&format!("theme=dark; {cookie}; x=y")),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let me = agent_session(&res);
    assert_eq!(me.agent.uid, AGENT.login);
    assert_eq!(me.agent.name, "Avery Agent");
    assert!(me.emulation.is_none());
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_agent_details() {
    let app = TestApp::new();
    app.get("/asm/agents/asmanager", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    let res = app.get("/asm/agents/asmanager", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let agent: asm_types::Agent = serde_json::from_value(res.json()).expect("Agent shape");
    assert_eq!(agent.uid, MANAGER.login);
    assert_eq!(agent.name, "Morgan Manager");
    assert_eq!(agent.email, "asmanager@asm.example");
    assert!(agent.is_sales_manager());
    assert!(
        !res.text().contains("argon2") && !res.text().to_lowercase().contains("password"),
        "no password hash leaks: {}",
        res.text()
    );
    app.get("/asm/agents/nobody", Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    // Customers are not agents.
    app.get(&format!("/asm/agents/{LINDA_ID}"), Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// Session lifetime: idle timeout, absolute lifetime, sign-out
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_extends_the_idle_window() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;

    app.advance_secs(300);
    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(me.server_time, T0 + 300_000);
    assert_eq!(me.expires_at, T0 + 300_000 + IDLE_MS, "expiresAt moved");

    // 899 s after sign-in: past the first window, inside the extended one.
    app.advance_secs(599);
    let res = app.get("/asm/agents/me", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(agent_session(&res).expires_at, T0 + 899_000 + IDLE_MS);

    // Any authenticated request extends it, e.g. a search.
    app.advance_secs(500);
    search_page(&app, &cookie, &format!("baseSite={SITE}&query=linda")).await;
    let last_seen = app
        .store_int(
            "SELECT last_seen FROM agent_sessions WHERE agent_uid = ?1",
            &[AGENT.login],
        )
        .expect("a session");
    assert_eq!(last_seen, T0 + 1_399_000);
    app.advance_secs(500);
    assert_eq!(
        app.get("/asm/agents/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_ends_the_session_and_the_emulation() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let started = app.emulate(&cookie, LINDA_ID).await;
    let session_id = started["sessionId"].as_str().unwrap().to_owned();

    // One millisecond before the end: still signed in (and this extends the window).
    app.advance_ms(IDLE_MS - 1);
    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(me.expires_at, T0 + IDLE_MS - 1 + IDLE_MS);
    assert!(me.emulation.is_some());

    // Exactly at expiresAt: gone.
    let expires_at = me.expires_at;
    app.clock
        .store(expires_at, std::sync::atomic::Ordering::SeqCst);
    app.get("/asm/agents/me", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);

    let (ended, reason) = app.emulation_end("session_id = ?1", &[&session_id]);
    assert_eq!(ended, Some(expires_at));
    assert_eq!(reason.as_deref(), Some("timeout"));
    let sessions: i64 = app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]);
    assert_eq!(sessions, 0, "the expired session is deleted");

    let ends = app.audit_of("emulation-end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].customer.as_deref(), Some(LINDA_ID));
    assert_eq!(ends[0].detail.as_deref(), Some("timeout"));
    assert_eq!(app.audit_of("session-expired").len(), 1);

    // Stays expired, for every endpoint.
    app.get("/asm/agents/me", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    app.get(&format!("/asm/sessions/{session_id}"), Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    assert_eq!(app.audit_of("session-expired").len(), 1, "audited once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_lifetime_ends_even_an_active_session() {
    let app = TestApp::with_config(|c| c.max_lifetime = 1_800);
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;

    // Active every 500 s: never idle, but the lifetime caps expiresAt.
    for step in 1..=3 {
        app.advance_secs(500);
        let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
        let now = T0 + step * 500_000;
        assert_eq!(me.expires_at, (now + IDLE_MS).min(T0 + 1_800_000));
    }
    // now = T0 + 1500 s: the idle window would reach 2100 s, the lifetime ends at 1800 s.
    app.advance_secs(299);
    assert_eq!(
        app.get("/asm/agents/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
    app.advance_secs(1);
    app.get("/asm/agents/me", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let reason = app
        .store_text(
            "SELECT end_reason FROM emulations WHERE customer_id = ?1",
            &[LINDA_ID],
        )
        .expect("an emulation");
    assert_eq!(reason, "timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_expiry_is_capped_by_a_short_lifetime() {
    let app = TestApp::with_config(|c| c.max_lifetime = 120);
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": AGENT.password}),
        )
        .await;
    assert_eq!(agent_session(&res).expires_at, T0 + 120_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_clears_the_cookie_and_ends_the_emulation() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let started = app.emulate(&cookie, LINDA_ID).await;
    app.advance_secs(10);

    let res = app
        .post_json("/asm/agents/logout", Some(&cookie), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(res.body.is_empty());
    let cleared = res.session_set_cookie().expect("removal cookie");
    let lower = cleared.to_ascii_lowercase();
    assert!(
        cleared.starts_with(&format!("{SESSION_COOKIE}=;")),
        "{cleared}"
    );
    assert!(lower.contains("max-age=0"), "{cleared}");
    assert!(lower.contains("httponly"), "{cleared}");
    assert!(lower.contains("samesite=strict"), "{cleared}");
    assert!(lower.contains("path=/"), "{cleared}");

    app.get("/asm/agents/me", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let (ended, reason) =
        app.emulation_end("session_id = ?1", &[started["sessionId"].as_str().unwrap()]);
    assert_eq!(ended, Some(T0 + 10_000));
    assert_eq!(reason.as_deref(), Some("sign-out"));
    let ends = app.audit_of("emulation-end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].detail.as_deref(), Some("sign-out"));
    let outs = app.audit_of("sign-out");
    assert_eq!(outs.len(), 1);
    assert_eq!(outs[0].agent.as_deref(), Some(AGENT.login));
    let sessions: i64 = app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]);
    assert_eq!(sessions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_without_a_session_still_clears_the_cookie() {
    let app = TestApp::new();
    for cookie in [None, Some("asm_session=0123abcd")] {
        let res = app
            .post_json("/asm/agents/logout", cookie, &json!({}))
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        let cleared = res.session_set_cookie().expect("removal cookie");
        assert!(
            cleared.to_ascii_lowercase().contains("max-age=0"),
            "{cleared}"
        );
    }
    assert!(app.audit_of("sign-out").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_of_a_stale_second_session_does_not_end_the_live_emulation() {
    // The agent signed in on two devices (or signed in again and left an old session behind),
    // with `--end-older-sessions false`.
    let app = TestApp::with_config(|c| c.end_older_sessions = false);
    let stale = app.login(&AGENT).await;
    app.advance_secs(60);
    let live = app.login(&AGENT).await;
    let started = app.emulate(&live, LINDA_ID).await;
    let session_id = started["sessionId"].as_str().unwrap();

    // The live session stays active; the stale one idles out.
    app.advance_secs(400);
    assert_eq!(
        app.get("/asm/agents/me", Some(&live)).await.status,
        StatusCode::OK
    );
    app.advance_secs(300);
    app.get("/asm/agents/me", Some(&stale))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);

    let res = app.get("/asm/agents/me", Some(&live)).await;
    assert_eq!(res.status, StatusCode::OK);
    let emulation = agent_session(&res)
        .emulation
        .expect("the live session's emulation goes on");
    assert_eq!(emulation.session_id, session_id);
    assert!(app.audit_of("emulation-end").is_empty());
    assert_eq!(app.audit_of("session-expired").len(), 1);

    // When the last session expires, the emulation ends.
    app.advance_secs(600);
    app.get("/asm/agents/me", Some(&live))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let reason = app
        .store_text(
            "SELECT end_reason FROM emulations WHERE session_id = ?1",
            &[session_id],
        )
        .expect("an emulation");
    assert_eq!(reason, "timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_but_unswept_session_does_not_keep_the_emulation_alive() {
    // Found by the end-to-end suite: an old session that has idled out itself (but was not
    // swept yet) counted as "another session", so the emulation outlived its own session and
    // the agent found it still running on the next sign-in. (Two sessions at once: with
    // `--end-older-sessions false`.)
    let app = TestApp::with_config(|c| c.end_older_sessions = false);
    let _stale = app.login(&AGENT).await;
    app.advance_secs(60);
    let live = app.login(&AGENT).await;
    let started = app.emulate(&live, LINDA_ID).await;
    let session_id = started["sessionId"].as_str().unwrap().to_owned();

    // Both sessions are past the idle timeout; the live one is noticed first.
    app.advance_secs(700);
    app.get("/asm/agents/me", Some(&live))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let reason = app.store_text(
        "SELECT end_reason FROM emulations WHERE session_id = ?1",
        &[session_id.as_str()],
    );
    assert_eq!(reason.as_deref(), Some("timeout"));

    let again = app.login(&AGENT).await;
    let res = app.get("/asm/agents/me", Some(&again)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(agent_session(&res).emulation.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_ends_expired_sessions_and_their_emulations() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let manager = app.login(&MANAGER).await;
    app.advance_secs(300);
    assert_eq!(
        app.get("/asm/agents/me", Some(&manager)).await.status,
        StatusCode::OK
    );
    app.advance_secs(300);

    let swept = app
        .state
        .sessions
        .expire_agent_sessions(
            app.now(),
            asm_middleware::ports::Timeouts {
                idle_ms: IDLE_MS,
                max_ms: 12 * 3600 * 1000,
            },
        )
        .await
        .expect("sweep");
    assert_eq!(
        swept.len(),
        1,
        "only the agent's session was idle for 600 s"
    );
    let reason = app
        .store_text(
            "SELECT end_reason FROM emulations WHERE customer_id = ?1",
            &[LINDA_ID],
        )
        .expect("an emulation");
    assert_eq!(reason, "timeout");
    app.get("/asm/agents/me", Some(&cookie))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    assert_eq!(
        app.get("/asm/agents/me", Some(&manager)).await.status,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------------

fn login_body() -> Body {
    Body::from(json!({"username": AGENT.login, "password": AGENT.password}).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_without_the_request_header_are_refused() {
    let app = TestApp::new();
    let res = app
        .send(
            req(Method::POST, "/asm/agents/login")
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(login_body())
                .unwrap(),
        )
        .await;
    let err = res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    assert!(err.message.contains(REQUEST_HEADER), "{}", err.message);
    assert!(res.session_set_cookie().is_none());
    assert!(app.audit().is_empty(), "the handler did not run");

    let cookie = app.login(&AGENT).await;
    let res = app
        .send(
            req(Method::POST, "/asm/sessions")
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "r"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    let n: i64 = app.store_count("SELECT COUNT(*) FROM emulations", &[]);
    assert_eq!(n, 0);

    let res = app
        .send(
            req(Method::POST, "/asm/agents/logout")
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    assert!(res.session_set_cookie().is_none());
    assert_eq!(
        app.get("/asm/agents/me", Some(&cookie)).await.status,
        StatusCode::OK,
        "a forged sign-out does not sign out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_or_missing_origins_are_refused() {
    let app = TestApp::new();
    let origins: [Option<&str>; 6] = [
        None,
        Some("http://evil.example"),
        Some("null"),
        Some("http://asm.test.evil.example"),
        Some("http://asm.test:8080"),
        Some("http://shop.example.evil.example"),
    ];
    for origin in origins {
        let mut b = req(Method::POST, "/asm/agents/login")
            .header(REQUEST_HEADER, "1")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        let res = app.send(b.body(login_body()).unwrap()).await;
        res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
        assert!(res.session_set_cookie().is_none(), "origin {origin:?}");
    }
    assert!(app.audit().is_empty());
}

/// A sign-in with `Origin` (and `Host`) as given; its status.
async fn login_from(app: &TestApp, host: &str, origin: &str) -> StatusCode {
    app.send(
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/asm/agents/login")
            .header(header::HOST, host)
            .header(REQUEST_HEADER, "1")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(login_body())
            .unwrap(),
    )
    .await
    .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_listed_public_and_loopback_origins_pass_and_host_alone_does_not() {
    let app = TestApp::new();
    assert_eq!(login_from(&app, HOST, ALLOWED_ORIGIN).await, StatusCode::OK);
    // A page on a name that resolves to this server (DNS rebinding) sends its own name as
    // Host and Origin: that alone is not this server's origin.
    for origin in [format!("http://{HOST}"), format!("https://{HOST}")] {
        assert_eq!(
            login_from(&app, HOST, &origin).await,
            StatusCode::FORBIDDEN,
            "{origin}"
        );
    }
    // On a loopback address (development, the demo) the own origin follows Host, with its port.
    for (host, origin) in [
        ("localhost:8080", "http://localhost:8080"),
        ("127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("[::1]:9000", "http://[::1]:9000"),
    ] {
        assert_eq!(
            login_from(&app, host, origin).await,
            StatusCode::OK,
            "{origin}"
        );
    }
    assert_eq!(
        login_from(&app, "localhost:8080", "http://localhost:8081").await,
        StatusCode::FORBIDDEN
    );
    // --public-url names the own origin, whatever Host says.
    let public = TestApp::with_config(|c| c.public_url = Some("https://asm.example.com/".into()));
    assert_eq!(
        login_from(&public, "internal:8080", "https://asm.example.com").await,
        StatusCode::OK
    );
    assert_eq!(
        login_from(&public, "asm.example.com", "http://asm.example.com").await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_needs_the_csrf_header_too() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let started = app.emulate(&cookie, LINDA_ID).await;
    let path = format!("/asm/sessions/{}", started["sessionId"].as_str().unwrap());
    for b in [
        req(Method::DELETE, &path).header(header::ORIGIN, ALLOWED_ORIGIN),
        req(Method::DELETE, &path).header(header::ORIGIN, "http://evil.example"),
        req(Method::DELETE, &path).header(REQUEST_HEADER, "1"),
    ] {
        app.send(
            b.header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    }
    let s = assisted(&app.get(&path, Some(&cookie)).await);
    assert_eq!(s.status, asm_types::SessionStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_need_no_csrf_header() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app
        .send(
            req(Method::GET, "/asm/agents/me")
                .header(header::ORIGIN, "http://evil.example")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.header("access-control-allow-origin").is_none(),
        "a foreign origin cannot read the answer"
    );
}

// ---------------------------------------------------------------------------------------------
// CORS
// ---------------------------------------------------------------------------------------------

fn preflight(origin: &str) -> axum::http::Request<Body> {
    req(Method::OPTIONS, "/asm/sessions")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-asm-request",
        )
        .body(Body::empty())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_allows_the_allow_listed_origin_with_credentials() {
    let app = TestApp::new();
    let res = app.send(preflight(ALLOWED_ORIGIN)).await;
    assert!(res.status.is_success(), "{}", res.status);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    let methods = res
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    for m in ["GET", "POST", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let headers = res
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(headers.contains("x-asm-request"), "{headers}");
    assert!(headers.contains("content-type"), "{headers}");
    assert_eq!(res.header("access-control-max-age"), Some("600"));
    let n: i64 = app.store_count("SELECT COUNT(*) FROM emulations", &[]);
    assert_eq!(n, 0, "a preflight runs no handler");

    // The actual answer to that origin is readable too.
    let cookie = app.login(&AGENT).await;
    let res = app
        .send(
            req(Method::GET, "/asm/agents/me")
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_gives_a_foreign_origin_nothing() {
    let app = TestApp::new();
    let res = app.send(preflight("http://evil.example")).await;
    assert!(
        res.header("access-control-allow-origin").is_none(),
        "{:?}",
        res.headers
    );
    // The answer depends on the Origin, so caches must key on it.
    assert!(
        res.header("vary")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .contains("origin"),
        "{:?}",
        res.headers
    );
    let n: i64 = app.store_count("SELECT COUNT(*) FROM emulations", &[]);
    assert_eq!(n, 0, "a preflight runs no handler");

    // The actual answer to a foreign origin is not readable by its script either.
    let res = app
        .send(
            req(Method::GET, "/asm/customers/search?baseSite=electronics")
                .header(header::ORIGIN, "http://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    assert!(res.header("access-control-allow-origin").is_none());
}

// ---------------------------------------------------------------------------------------------
// Customer search
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_requires_sign_in_and_a_base_site() {
    let app = TestApp::new();
    app.get(&format!("/asm/customers/search?baseSite={SITE}"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    for qs in ["query=linda", "baseSite=&query=linda", "baseSite=%20%20"] {
        let err = search(&app, &cookie, qs)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("baseSite"), "{qs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_page_size_bounds() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for size in ["0", "101", "100000"] {
        let err = search(&app, &cookie, &format!("baseSite={SITE}&pageSize={size}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("pageSize"), "{size}");
    }
    for qs in [
        "pageSize=-1",
        "pageSize=ten",
        "currentPage=-1",
        "currentPage=x",
    ] {
        let err = search(&app, &cookie, &format!("baseSite={SITE}&{qs}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("query"), "{qs}");
    }
    let page = search_page(&app, &cookie, &format!("baseSite={SITE}&pageSize=100")).await;
    assert_eq!(page.entries.len(), 100);
    assert_eq!(page.pagination.page_size, 100);
    let page = search_page(&app, &cookie, &format!("baseSite={SITE}&pageSize=1")).await;
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.pagination.total_pages as u64, TOTAL_CUSTOMERS);
    // Defaults: first page of 20.
    let page = search_page(&app, &cookie, &format!("baseSite={SITE}")).await;
    assert_eq!(page.entries.len(), 20);
    assert_eq!(page.pagination.page_size, 20);
    assert_eq!(page.pagination.current_page, 0);
}

/// Only the first 1,000 results can be paged through (counts stop there too), so no search
/// walks deeper than that; the last page inside the window still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_beyond_the_result_window_are_refused() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for qs in [
        "currentPage=50&pageSize=20",
        "currentPage=10&pageSize=100",
        "currentPage=4294967295&pageSize=100",
        "currentPage=1000&pageSize=1&sort=byUidDesc",
    ] {
        let err = search(&app, &cookie, &format!("baseSite={SITE}&{qs}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("currentPage"), "{qs}");
        assert!(err.message.contains("1000"), "{}", err.message);
    }
    for qs in [
        "currentPage=49&pageSize=20",
        "currentPage=999&pageSize=1&sort=byUidDesc",
    ] {
        let res = search(&app, &cookie, &format!("baseSite={SITE}&{qs}")).await;
        assert_eq!(res.status, StatusCode::OK, "{qs}: {}", res.text());
    }
}

/// Over everybody, a query that more than 1,000 customers match (or one under 3 characters)
/// can be sorted by name only: another order would sort every match. Fewer matches sort fine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_a_huge_match_other_than_by_name_is_refused() {
    // More customers than the count cap, all at example.com.
    let app = TestApp::with_config(|c| c.customers = 1_100);
    let cookie = app.login(&AGENT).await;
    for qs in [
        "query=example.com&sort=byUidAsc",
        "query=example.com&sort=byOrderDateDesc",
        "query=an&sort=byUidDesc",
    ] {
        let err = search(&app, &cookie, &format!("baseSite={SITE}&{qs}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("sort"), "{qs}");
        assert!(err.message.contains("sort by name"), "{}", err.message);
    }
    for qs in [
        "query=example.com&sort=byNameDesc",
        "query=wolf&sort=byUidAsc",
        "sort=byUidAsc",
    ] {
        let res = search(&app, &cookie, &format!("baseSite={SITE}&{qs}")).await;
        assert_eq!(res.status, StatusCode::OK, "{qs}: {}", res.text());
    }
    let page = search_page(
        &app,
        &cookie,
        &format!("baseSite={SITE}&query=wolf&sort=byUidAsc"),
    )
    .await;
    let uids: Vec<String> = page.entries.iter().map(|e| e.uid.to_lowercase()).collect();
    let mut sorted = uids.clone();
    sorted.sort();
    assert_eq!(uids, sorted);
    assert!(!uids.is_empty());
}

/// One agent with three searches in flight gets 429 (with Retry-After) for a fourth; another
/// agent is not affected, and the agent searches again once one of its searches is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_with_three_searches_in_flight_waits_and_others_do_not() {
    let app = TestApp::new();
    let agent = app.login(&AGENT).await;
    let manager = app.login(&MANAGER).await;
    let held: Vec<_> = (0..asm_middleware::http::busy::PER_AGENT)
        .map(|_| app.state.busy.acquire(AGENT.login).expect("permit"))
        .collect();
    let res = search(&app, &agent, &format!("baseSite={SITE}&query=lin")).await;
    assert_eq!(res.header("retry-after"), Some("1"));
    res.assert_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsError");
    let other = search(&app, &manager, &format!("baseSite={SITE}&query=lin")).await;
    assert_eq!(other.status, StatusCode::OK);
    drop(held);
    let again = search(&app, &agent, &format!("baseSite={SITE}&query=lin")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        app.state.busy.in_flight(AGENT.login),
        0,
        "released after the answer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_through_everyone_in_name_order() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let mut ids = Vec::new();
    let mut names = Vec::new();
    for page_no in 0..5 {
        let page = search_page(
            &app,
            &cookie,
            &format!("baseSite={SITE}&pageSize=50&currentPage={page_no}"),
        )
        .await;
        assert_eq!(page.pagination.total_results, TOTAL_CUSTOMERS);
        assert_eq!(page.pagination.total_pages, 5);
        assert_eq!(page.pagination.current_page, page_no);
        assert_eq!(page.pagination.page_size, 50);
        let expected = if page_no < 4 { 50 } else { 4 };
        assert_eq!(page.entries.len(), expected, "page {page_no}");
        for e in page.entries {
            ids.push(e.customer_id);
            names.push(e.name.to_lowercase());
        }
    }
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len() as u64, TOTAL_CUSTOMERS, "pages do not overlap");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by name, case-insensitively");

    // Past the end: no entries, same totals.
    let page = search_page(
        &app,
        &cookie,
        &format!("baseSite={SITE}&pageSize=50&currentPage=5"),
    )
    .await;
    assert!(page.entries.is_empty());
    assert_eq!(page.pagination.total_results, TOTAL_CUSTOMERS);
    assert_eq!(page.pagination.current_page, 5);

    // A query with no match: zero pages.
    let page = search_page(&app, &cookie, &format!("baseSite={SITE}&query=zzzqqq")).await;
    assert!(page.entries.is_empty());
    assert_eq!(page.pagination.total_results, 0);
    assert_eq!(page.pagination.total_pages, 0);
}

/// A typed search (no sort asked for) lists the best matches first: the customer whose e-mail
/// or id it is, then word starts, then other substrings; an explicit sort keeps name order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_search_lists_the_best_matches_first() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let create = format!("/asm/customers?baseSite={SITE}");
    for (first, last, email) in [
        ("Ann", "Zzyzx", "ann.zzyzx@example.com"),
        ("Aaa", "Hannover", "aaa.hannover@example.com"),
        ("Zora", "Quill", "ann@example.org"),
    ] {
        let body = json!({"firstName": first, "lastName": last, "emailAddress": email});
        let res = app.post_json(&create, Some(&cookie), &body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let names = |p: &CustomerSearchPage| -> Vec<String> {
        p.entries.iter().map(|e| e.name.clone()).collect()
    };
    let typed = search_page(
        &app,
        &cookie,
        &format!("baseSite={SITE}&query=ann&pageSize=100"),
    )
    .await;
    let got = names(&typed);
    assert_eq!(
        got[..2],
        ["Ann Zzyzx", "Zora Quill"],
        "word starts first, by name"
    );
    assert!(got[2..].contains(&"Aaa Hannover".to_string()));
    assert_eq!(typed.pagination.sort, None);
    assert!(typed.sorts.iter().all(|s| !s.selected));
    let by_name = search_page(
        &app,
        &cookie,
        &format!("baseSite={SITE}&query=ann&pageSize=100&sort=byNameAsc"),
    )
    .await;
    assert_eq!(
        by_name.entries[0].name, "Aaa Hannover",
        "an explicit sort is name order"
    );
    assert_eq!(
        by_name.pagination.total_results,
        typed.pagination.total_results
    );
    // Pages are slices of that one order.
    let mut paged = Vec::new();
    for page_no in 0..20 {
        let page = search_page(
            &app,
            &cookie,
            &format!("baseSite={SITE}&query=ann&pageSize=5&currentPage={page_no}"),
        )
        .await;
        paged.extend(names(&page));
    }
    assert_eq!(paged, got);
    // The e-mail typed in full comes first, though another e-mail contains it.
    let exact = search_page(
        &app,
        &cookie,
        &format!("baseSite={SITE}&query=ann%40example.org"),
    )
    .await;
    assert_eq!(exact.entries[0].name, "Zora Quill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_is_case_insensitive_over_name_email_and_id() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for q in [
        "LINDA WOLF",
        "linda wolf",
        "lInDa.WoLf@EXAMPLE.COM",
        "c-linda",
        "  Linda Wolf  ",
    ] {
        let page = search_page(&app, &cookie, &format!("baseSite={SITE}&query={}", enc(q))).await;
        assert_eq!(page.pagination.total_results, 1, "query {q:?}");
        let linda = &page.entries[0];
        assert_eq!(linda.customer_id, LINDA_ID);
        assert_eq!(linda.name, "Linda Wolf");
        assert_eq!(linda.uid, CUSTOMER.login);
        assert!(linda.has_order);
        assert!(linda.last_cart_id.is_some());
    }
    // Partial matches count every customer that contains the text.
    let page = search_page(&app, &cookie, &format!("baseSite={SITE}&query=WOLF")).await;
    let expected: i64 = app.scalar(
        "SELECT COUNT(*) FROM customers WHERE lower(name || ' ' || uid || ' ' || customer_id) LIKE '%wolf%'",
        [],
    );
    assert_eq!(page.pagination.total_results, expected as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_treats_like_wildcards_literally() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let total = |q: &'static str| search_total(&app, &cookie, q);
    assert_eq!(total("%").await, 0, "% is not a wildcard");
    assert_eq!(total("wolf%").await, 0);
    assert_eq!(total("l_nda").await, 0, "_ is not a wildcard");
    assert_eq!(total("\\").await, 0);
    assert_eq!(total("\\%").await, 0);
    // The only customer with a literal underscore is the injection customer (`__asmPwned`).
    let page = search_page(&app, &cookie, &format!("baseSite={SITE}&query=_")).await;
    assert_eq!(page.pagination.total_results, 1);
    assert_eq!(page.entries[0].customer_id, INJECTION_ID);
    assert_eq!(total("__asmpwned").await, 1);
    // Sanity: without wildcards the same letters match.
    assert_eq!(total("linda").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injection_customer_comes_back_verbatim_as_json() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = search(&app, &cookie, &format!("baseSite={SITE}&query=mallory")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.content_type().starts_with("application/json"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    let page: CustomerSearchPage = serde_json::from_value(res.json()).unwrap();
    assert_eq!(page.entries.len(), 1);
    let m = &page.entries[0];
    assert_eq!(m.customer_id, INJECTION_ID);
    assert_eq!(m.name, format!("{INJECTION_FIRST} {INJECTION_LAST}"));
    assert_eq!(m.uid, "mallory@example.com");

    let s = app.emulate(&cookie, INJECTION_ID).await;
    assert_eq!(
        s["customerName"].as_str(),
        Some(format!("{INJECTION_FIRST} {INJECTION_LAST}").as_str())
    );
}

// ---------------------------------------------------------------------------------------------
// Carts
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_carts() {
    let app = TestApp::new();
    let path = format!("/asm/customers/{LINDA_ID}/carts?baseSite={SITE}");
    app.get(&path, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;

    let res = app.get(&path, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list: CartList = serde_json::from_value(res.json()).expect("CartList shape");
    assert!(!list.carts.is_empty(), "Linda always has a cart");
    let search = search_page(&app, &cookie, &format!("baseSite={SITE}&query=c-linda")).await;
    assert_eq!(
        Some(&list.carts[0].code),
        search.entries[0].last_cart_id.as_ref(),
        "most recent cart first, as in search"
    );
    for cart in &list.carts {
        assert!(!cart.entries.is_empty());
        assert_eq!(
            cart.total_items,
            cart.entries.iter().map(|e| e.quantity).sum::<u32>()
        );
        assert!(cart.total.starts_with('$'), "{}", cart.total);
        assert!(cart.modified.ends_with('Z'), "{}", cart.modified);
    }
    let db_carts: i64 = app.scalar(
        "SELECT COUNT(*) FROM carts WHERE customer_id = ?1 AND status = 'active'",
        [LINDA_ID],
    );
    assert_eq!(list.carts.len() as i64, db_carts);

    app.get(
        &format!("/asm/customers/C-NOBODY/carts?baseSite={SITE}"),
        Some(&cookie),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let err = app
        .get(&format!("/asm/customers/{LINDA_ID}/carts"), Some(&cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("baseSite"));
}

// ---------------------------------------------------------------------------------------------
// Emulation sessions
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_read_and_show_an_emulation() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.advance_secs(5);
    let res = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "  ticket 42  "}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["status"], "ACTIVE");
    let s = assisted(&res);
    assert_eq!(s.agent_id, AGENT.login);
    assert_eq!(s.customer_id, LINDA_ID);
    assert_eq!(s.customer_name, "Linda Wolf");
    assert_eq!(s.customer_email, CUSTOMER.login);
    assert_eq!(s.base_site, SITE);
    assert_eq!(s.created_at, "2026-01-01T00:00:05Z");
    assert_eq!(s.session_id.len(), 32);
    let last_cart: Option<String> = app
        .db()
        .query_row(
            "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' ORDER BY modified DESC LIMIT 1",
            [LINDA_ID],
            |r| r.get(0),
        )
        .ok();
    assert_eq!(s.cart_id, last_cart, "the latest cart by default");
    assert!(s.cart_id.is_some());

    let read = assisted(
        &app.get(&format!("/asm/sessions/{}", s.session_id), Some(&cookie))
            .await,
    );
    assert_eq!(read, s);
    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(me.emulation.as_ref(), Some(&s));

    let starts = app.audit_of("emulation-start");
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].agent.as_deref(), Some(AGENT.login));
    assert_eq!(starts[0].customer.as_deref(), Some(LINDA_ID));
    assert_eq!(starts[0].detail.as_deref(), Some("ticket 42"));
    assert_eq!(starts[0].at, T0 + 5_000);
    let reason = app.store_text(
        "SELECT reason FROM emulations WHERE session_id = ?1",
        &[&s.session_id],
    );
    assert_eq!(reason.as_deref(), Some("ticket 42"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_with_the_customers_own_cart_and_a_reason() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let carts: Vec<String> = {
        let c = app.db();
        let mut stmt = c
            .prepare("SELECT code FROM carts WHERE customer_id = ?1 ORDER BY modified")
            .unwrap();
        stmt.query_map([LINDA_ID], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let cart = carts.first().expect("Linda has a cart").clone();
    let res = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": LINDA_ID, "baseSite": SITE, "cartId": cart, "reason": "  Ticket 4711 "}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(assisted(&res).cart_id.as_deref(), Some(cart.as_str()));
    let starts = app.audit_of("emulation-start");
    assert_eq!(starts[0].detail.as_deref(), Some("Ticket 4711"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulation_refusals_have_distinct_types() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let cases = [
        (
            DISABLED_ID,
            StatusCode::FORBIDDEN,
            error_type::CUSTOMER_DISABLED,
        ),
        (NO_CONSENT_ID, StatusCode::FORBIDDEN, error_type::NO_CONSENT),
        (
            MANAGER.login,
            StatusCode::FORBIDDEN,
            error_type::CANNOT_EMULATE_AGENT,
        ),
        (
            AGENT.login,
            StatusCode::FORBIDDEN,
            error_type::CANNOT_EMULATE_AGENT,
        ),
        ("C-NOBODY", StatusCode::NOT_FOUND, error_type::NOT_FOUND),
    ];
    for (id, status, kind) in cases {
        let res = app
            .post_json(
                "/asm/sessions",
                Some(&cookie),
                &json!({"customerId": id, "baseSite": SITE, "reason": "r"}),
            )
            .await;
        let err = res.assert_error(status, kind);
        assert_eq!(err.subject.as_deref(), Some(id), "subject for {id}");
    }
    let n: i64 = app.store_count("SELECT COUNT(*) FROM emulations", &[]);
    assert_eq!(n, 0);
    assert!(app.audit_of("emulation-start").is_empty());
    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert!(me.emulation.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_emulation_keeps_the_current_one() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let s = app.emulate(&cookie, LINDA_ID).await;
    app.post_json(
        "/asm/sessions",
        Some(&cookie),
        &json!({"customerId": DISABLED_ID, "baseSite": SITE, "reason": "r"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::CUSTOMER_DISABLED);
    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(
        me.emulation.map(|e| e.session_id).as_deref(),
        s["sessionId"].as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_emulation_validates_its_body() {
    let app = TestApp::new();
    app.post_json(
        "/asm/sessions",
        None,
        &json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "r"}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    let anonymous_cart: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id IS NULL LIMIT 1",
        [],
    );
    let someone_elses_cart: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id IS NOT NULL AND customer_id <> ?1 LIMIT 1",
        [LINDA_ID],
    );
    let cases = [
        (json!({"customerId": LINDA_ID, "baseSite": ""}), "baseSite"),
        (
            json!({"customerId": LINDA_ID, "baseSite": "  "}),
            "baseSite",
        ),
        (json!({"customerId": "   ", "baseSite": SITE}), "customerId"),
        (json!({"baseSite": SITE}), "body"),
        (json!({"customerId": LINDA_ID}), "body"),
        (json!({"customerId": 7, "baseSite": SITE}), "body"),
        (
            json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "r", "cartId": anonymous_cart}),
            "cartId",
        ),
        (
            json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "r", "cartId": someone_elses_cart}),
            "cartId",
        ),
        (
            json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "r", "cartId": "99999999"}),
            "cartId",
        ),
        // The reason is required: missing, blank, over-long or with control characters.
        (json!({"customerId": LINDA_ID, "baseSite": SITE}), "reason"),
        (
            json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": " \t "}),
            "reason",
        ),
        (
            json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "x".repeat(501)}),
            "reason",
        ),
        (
            json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "a\u{0}b"}),
            "reason",
        ),
    ];
    for (body, subject) in cases {
        let err = app
            .post_json("/asm/sessions", Some(&cookie), &body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{body}");
    }
    for raw in ["{\"customerId\":", "customerId=C-LINDA", "null"] {
        let err = app
            .post_raw(
                "/asm/sessions",
                Some(&cookie),
                Some("application/json"),
                raw,
            )
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("body"), "{raw}");
    }
    let n: i64 = app.store_count("SELECT COUNT(*) FROM emulations", &[]);
    assert_eq!(n, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_emulation_ends_the_first() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let first = app.emulate(&cookie, LINDA_ID).await;
    let first_id = first["sessionId"].as_str().unwrap();
    app.advance_secs(30);
    let second = app.emulate(&cookie, INJECTION_ID).await;
    let second_id = second["sessionId"].as_str().unwrap();
    assert_ne!(first_id, second_id);

    let old = assisted(
        &app.get(&format!("/asm/sessions/{first_id}"), Some(&cookie))
            .await,
    );
    assert_eq!(old.status, asm_types::SessionStatus::Ended);
    let (ended, reason) = app.emulation_end("session_id = ?1", &[first_id]);
    assert_eq!(ended, Some(T0 + 30_000));
    assert_eq!(reason.as_deref(), Some("switched"));
    let active = app.store_count(
        "SELECT COUNT(*) FROM emulations WHERE agent_uid = ?1 AND ended IS NULL",
        &[AGENT.login],
    );
    assert_eq!(active, 1, "one emulation at a time");

    let ends = app.audit_of("emulation-end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].customer.as_deref(), Some(LINDA_ID));
    assert_eq!(ends[0].detail.as_deref(), Some("switched"));
    let actions: Vec<String> = app.audit().into_iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            "sign-in",
            "emulation-start",
            "emulation-end",
            "emulation-start"
        ]
    );

    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert_eq!(
        me.emulation.map(|e| e.session_id).as_deref(),
        Some(second_id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_an_emulation_is_idempotent_and_audited_once() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let s = app.emulate(&cookie, LINDA_ID).await;
    let path = format!("/asm/sessions/{}", s["sessionId"].as_str().unwrap());
    app.advance_secs(42);

    let res = app.delete(&path, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "ENDED");
    let me = agent_session(&app.get("/asm/agents/me", Some(&cookie)).await);
    assert!(me.emulation.is_none());
    assert_eq!(
        assisted(&app.get(&path, Some(&cookie)).await).status,
        asm_types::SessionStatus::Ended
    );

    app.advance_secs(1);
    let again = app.delete(&path, Some(&cookie)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["status"], "ENDED");
    let (ended, reason) = app.emulation_end("1 = 1", &[]);
    assert_eq!(ended, Some(T0 + 42_000), "the first end counts");
    assert_eq!(reason.as_deref(), Some("agent"));
    let ends = app.audit_of("emulation-end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].detail.as_deref(), Some("agent"));
    assert_eq!(ends[0].customer.as_deref(), Some(LINDA_ID));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_agent_cannot_read_or_end_the_session() {
    let app = TestApp::new();
    let agent = app.login(&AGENT).await;
    let manager = app.login(&MANAGER).await;
    let s = app.emulate(&agent, LINDA_ID).await;
    let path = format!("/asm/sessions/{}", s["sessionId"].as_str().unwrap());

    app.get(&path, Some(&manager))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    app.delete(&path, Some(&manager))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let me = agent_session(&app.get("/asm/agents/me", Some(&manager)).await);
    assert!(me.emulation.is_none());

    let still = assisted(&app.get(&path, Some(&agent)).await);
    assert_eq!(still.status, asm_types::SessionStatus::Active);
    assert!(app.audit_of("emulation-end").is_empty());
    // Without a session at all: 401, not 404.
    app.get(&path, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    app.delete(&path, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_sessions_are_404() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for id in [
        "0123456789abcdef0123456789abcdef",
        "x%27%20OR%20%271%27=%271",
    ] {
        let path = format!("/asm/sessions/{id}");
        app.get(&path, Some(&cookie))
            .await
            .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
        app.delete(&path, Some(&cookie))
            .await
            .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    }
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_asm_routes_are_404_json() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for path in [
        "/asm/nope",
        "/asm/agents/me/extra",
        "/asm/customers/a/carts/b",
        "/asm/sessions/a/b",
    ] {
        let res = app.get(path, Some(&cookie)).await;
        res.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
        assert_eq!(res.header("cache-control"), Some("no-store"), "{path}");
        // Also without a session: the route does not exist either way.
        app.get(path, None)
            .await
            .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    }
    app.post_json("/asm/nope", Some(&cookie), &json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_get_the_json_error_body() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let cases = [
        (Method::GET, "/asm/agents/login", "POST"),
        (Method::GET, "/asm/sessions", "POST"),
        (Method::PUT, "/asm/agents/me", "GET"),
        (Method::POST, "/asm/customers/search", "GET"),
        (Method::PATCH, "/asm/sessions/abc", "DELETE"),
    ];
    for (method, path, allowed) in cases {
        let res = app
            .send(
                csrf_ok(req(method.clone(), path))
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        res.assert_error(StatusCode::METHOD_NOT_ALLOWED, error_type::NOT_FOUND);
        let allow = res.header("allow").unwrap_or_default();
        assert!(allow.contains(allowed), "{method} {path}: Allow {allow:?}");
    }
    // Nothing ran: GET on the login route did not sign anyone in.
    assert_eq!(app.audit_of("sign-in").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_authenticated_answer_reports_the_new_session_expiry() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.advance_ms(120_000);
    let res = app
        .get(
            "/asm/customers/search?query=lin&baseSite=electronics",
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let reported: i64 = res
        .header(asm_types::EXPIRES_HEADER)
        .expect("expiry header")
        .parse()
        .expect("a number");
    assert_eq!(reported, app.now() + 600_000);
    // Answers without a session carry no expiry.
    let anonymous = app
        .get("/asm/customers/search?query=lin&baseSite=electronics", None)
        .await;
    assert!(anonymous.header(asm_types::EXPIRES_HEADER).is_none());
}
