//! Test harness for the HTTP-level tests: a fresh seeded database per test, a manual clock,
//! and small helpers to send requests through the router with `tower::ServiceExt::oneshot`.

#![allow(dead_code)]

use asm_middleware::commerce::embedded::seed::Persona;
use asm_middleware::config::Config;
use asm_middleware::{app, AppState, Clock};
use asm_types::{error_type, ApiError, ErrorList, REQUEST_HEADER, SESSION_COOKIE};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use r2d2_sqlite::rusqlite::{self, Connection};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

/// The manual clock's start: 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600_000;
/// The `Host` header every request carries (the server's own origin is `http://asm.test`).
pub const HOST: &str = "asm.test";
/// The origin on `Config::for_tests`' allow-list.
pub const ALLOWED_ORIGIN: &str = "http://shop.example";
/// A base site.
pub const SITE: &str = "electronics";
/// Customers `Config::for_tests` generates, plus the four personas.
pub const TOTAL_CUSTOMERS: u64 = 200 + 4;

/// Every stable error type of the contract.
pub const ERROR_TYPES: &[&str] = &[
    error_type::INVALID_CREDENTIALS,
    error_type::NOT_AN_AGENT,
    error_type::INVALID_TOKEN,
    error_type::CSRF,
    error_type::FORBIDDEN,
    error_type::VALIDATION,
    error_type::NOT_FOUND,
    error_type::CUSTOMER_DISABLED,
    error_type::NO_CONSENT,
    error_type::CANNOT_EMULATE_AGENT,
    error_type::TOO_MANY_ATTEMPTS,
    error_type::DUPLICATE_EMAIL,
    error_type::NOT_EMULATING,
    error_type::VOUCHER_INVALID,
    error_type::CART_NOT_ANONYMOUS,
    error_type::CART_CONFLICT,
    error_type::INTERNAL,
    error_type::UNAVAILABLE,
];

/// One application over its own database file and manual clock.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<AtomicI64>,
    pub db_path: PathBuf,
    _dir: TempDir,
}

impl TestApp {
    /// With `Config::for_tests`.
    pub fn new() -> Self {
        Self::with_config(|_| {})
    }

    /// With `Config::for_tests` changed by `f`.
    pub fn with_config(f: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("asm-test.sqlite");
        let mut config = Config::for_tests(db_path.clone());
        f(&mut config);
        let clock = Arc::new(AtomicI64::new(T0));
        let state = AppState::open(config, Clock::manual(clock.clone())).expect("open state");
        Self {
            router: app(state.clone()),
            state,
            clock,
            db_path,
            _dir: dir,
        }
    }

    /// The manual clock's time (ms).
    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// Moves the clock forward by `ms`.
    pub fn advance_ms(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    /// Moves the clock forward by `s` seconds.
    pub fn advance_secs(&self, s: i64) {
        self.advance_ms(s * 1000);
    }

    /// A direct connection to the database file, for checking what the server wrote.
    pub fn db(&self) -> Connection {
        let c = Connection::open(&self.db_path).expect("open db");
        c.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        c
    }

    /// Sends one request through the router.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// `GET path`, with the session cookie if given.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        self.send(
            with_cookie(req(Method::GET, path), cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A state-changing request that passes the CSRF guard (header + allowed origin), JSON body.
    pub async fn post_json(&self, path: &str, cookie: Option<&str>, body: &Value) -> Resp {
        self.send(
            with_cookie(csrf_ok(req(Method::POST, path)), cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `PATCH path` with a JSON body, passing the CSRF guard.
    pub async fn patch_json(&self, path: &str, cookie: Option<&str>, body: &Value) -> Resp {
        self.send(
            with_cookie(csrf_ok(req(Method::PATCH, path)), cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `POST path` with a raw body and content type, passing the CSRF guard.
    pub async fn post_raw(
        &self,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: &'static str,
    ) -> Resp {
        let mut b = with_cookie(csrf_ok(req(Method::POST, path)), cookie);
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// `DELETE path`, passing the CSRF guard.
    pub async fn delete(&self, path: &str, cookie: Option<&str>) -> Resp {
        self.send(
            with_cookie(csrf_ok(req(Method::DELETE, path)), cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Signs `persona` in; returns the `Cookie` header value (`asm_session=...`).
    pub async fn login(&self, persona: &Persona) -> String {
        let res = self
            .post_json(
                "/asm/agents/login",
                None,
                &serde_json::json!({"username": persona.login, "password": persona.password}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "login: {}", res.text());
        res.session_cookie().expect("login sets the session cookie")
    }

    /// Starts emulating `customer_id`; asserts 201 and returns the session JSON.
    pub async fn emulate(&self, cookie: &str, customer_id: &str) -> Value {
        let res = self
            .post_json(
                "/asm/sessions",
                Some(cookie),
                &serde_json::json!({"customerId": customer_id, "baseSite": SITE, "reason": "ticket 42"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "emulate: {}", res.text());
        res.json()
    }

    /// One query returning a single value.
    pub fn scalar<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> T {
        self.db()
            .query_row(sql, params, |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Audit rows as (agent, customer, action, detail), oldest first.
    pub fn audit(&self) -> Vec<AuditRow> {
        let c = self.db();
        let mut stmt = c
            .prepare("SELECT at, agent_uid, customer_id, action, detail, outcome FROM audit_log ORDER BY id")
            .expect("prepare");
        stmt.query_map([], |r| {
            Ok(AuditRow {
                at: r.get(0)?,
                agent: r.get(1)?,
                customer: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
                outcome: r.get(5)?,
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    }

    /// Audit rows with `action`, except attempts the backend refused (outcome an error type).
    pub fn audit_of(&self, action: &str) -> Vec<AuditRow> {
        self.audit()
            .into_iter()
            .filter(|r| r.action == action)
            .filter(|r| r.outcome.as_deref().is_none_or(|o| o == "ok"))
            .collect()
    }

    /// Audit rows with `action` whose attempt the backend refused, with the error type.
    pub fn refused_audit_of(&self, action: &str) -> Vec<AuditRow> {
        self.audit()
            .into_iter()
            .filter(|r| r.action == action)
            .filter(|r| r.outcome.as_deref().is_some_and(|o| o != "ok"))
            .collect()
    }
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub at: i64,
    pub agent: Option<String>,
    pub customer: Option<String>,
    pub action: String,
    pub detail: Option<String>,
    /// `ok`, the error type that refused the attempt, or `None` (not a backend write, or
    /// outcome unknown).
    pub outcome: Option<String>,
}

/// A request builder with the `Host` header set.
pub fn req(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
}

/// Adds the CSRF header and an allowed `Origin`.
pub fn csrf_ok(b: axum::http::request::Builder) -> axum::http::request::Builder {
    b.header(REQUEST_HEADER, "1")
        .header(header::ORIGIN, ALLOWED_ORIGIN)
}

/// Adds a `Cookie` header if given.
pub fn with_cookie(
    b: axum::http::request::Builder,
    cookie: Option<&str>,
) -> axum::http::request::Builder {
    match cookie {
        Some(c) => b.header(header::COOKIE, c),
        None => b,
    }
}

/// A collected response.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (asserts a JSON content type).
    pub fn json(&self) -> Value {
        assert!(
            self.content_type().starts_with("application/json"),
            "content type {:?} of {}",
            self.content_type(),
            self.text()
        );
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `Content-Type` header, or "".
    pub fn content_type(&self) -> &str {
        self.header(header::CONTENT_TYPE.as_str()).unwrap_or("")
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// All `Set-Cookie` headers.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The `Set-Cookie` header of the session cookie.
    pub fn session_set_cookie(&self) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
    }

    /// The session cookie as a `Cookie` request header value.
    pub fn session_cookie(&self) -> Option<String> {
        self.session_set_cookie()
            .map(|c| c.split(';').next().unwrap_or_default().trim().to_owned())
    }

    /// Asserts the one error body of the API: status, JSON content type, exactly
    /// `{"errors":[{"type","message",("reason"),("subject")}]}` with a known `type`, and returns it.
    pub fn assert_error(&self, status: StatusCode, kind: &str) -> ApiError {
        assert_eq!(self.status, status, "status of {}", self.text());
        let value = self.json();
        let obj = value.as_object().expect("error body is an object");
        assert_eq!(
            obj.keys().collect::<Vec<_>>(),
            vec!["errors"],
            "only `errors`: {value}"
        );
        let errors = obj["errors"].as_array().expect("errors is an array");
        assert_eq!(errors.len(), 1, "exactly one error: {value}");
        let first = errors[0].as_object().expect("error is an object");
        for key in first.keys() {
            assert!(
                ["type", "message", "reason", "subject"].contains(&key.as_str()),
                "unexpected key {key} in {value}"
            );
        }
        let list: ErrorList = serde_json::from_value(value.clone()).expect("ErrorList shape");
        let err = list.errors.into_iter().next().expect("one error");
        assert!(
            ERROR_TYPES.contains(&err.kind.as_str()),
            "unknown type {}",
            err.kind
        );
        assert_eq!(err.kind, kind, "type of {value}");
        assert!(!err.message.trim().is_empty(), "empty message in {value}");
        err
    }
}
