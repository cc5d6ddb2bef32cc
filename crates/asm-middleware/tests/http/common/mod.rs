//! Test harness for the HTTP-level tests: a fresh seeded database per test, a manual clock,
//! and small helpers to send requests through the router with `tower::ServiceExt::oneshot`.
//!
//! The session store is SQLite (in the shop's file) by default; with `ASM_TEST_STORE=postgres`
//! (and `ASM_TEST_POSTGRES`, see `pg_support`) every test runs on its own fresh PostgreSQL
//! database instead — one suite, two stores. What a test reads of the store goes through
//! [`TestApp::audit`] and the `store_*` helpers, which ask whichever store is in use. Tests run
//! on the multi-threaded runtime so that those synchronous helpers can wait for the store.

#![allow(dead_code)]

pub(crate) use crate::pg_support;

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
    error_type::BUSY,
    error_type::INVALID_CREDENTIALS,
    error_type::NOT_AN_AGENT,
    error_type::AGENT_SIGNED_IN,
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
    error_type::SAVED_CART,
    error_type::CANCELLATION_REFUSED,
    error_type::RETURN_REFUSED,
    error_type::CANCEL_RETURN_REFUSED,
    error_type::SIGN_IN_PROVIDER,
    error_type::INTERNAL,
    error_type::UNAVAILABLE,
];

/// The SAP Commerce simulator serving on a loopback port for one test.
pub struct SimServer {
    /// The simulator (clock, faults, data).
    pub sim: sapcc_sim::Sim,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl SimServer {
    /// Starts a simulator with `config` (call from a multi-threaded tokio test).
    pub async fn start(config: sapcc_sim::Config) -> Self {
        let sim = sapcc_sim::Sim::new(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let router = sim.router();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { sim, url, task }
    }

    /// Stops serving (SAP down); the port then refuses connections.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One application over its own database file and manual clock.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<AtomicI64>,
    pub db_path: PathBuf,
    /// The PostgreSQL database of the session store, when the suite runs on PostgreSQL.
    pub pg: Option<pg_support::TestDb>,
    _dir: TempDir,
}

/// Whether this run uses the PostgreSQL session store (`ASM_TEST_STORE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("ASM_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// Waits for `f` from synchronous test code (the test runs on the multi-threaded runtime).
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

/// A value read from the session store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
}

impl Cell {
    pub fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(v) => *v,
            Cell::Text(None) => None,
            Cell::Text(Some(_)) => panic!("not an integer: {self:?}"),
        }
    }
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Text(v) => v.clone(),
            Cell::Int(None) => None,
            Cell::Int(Some(_)) => panic!("not text: {self:?}"),
        }
    }
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
        let (state, pg) = if on_postgres() {
            let db = pg_support::TestDb::create_migrated_blocking()
                .expect("ASM_TEST_STORE=postgres needs ASM_TEST_POSTGRES");
            let store = asm_middleware::store::postgres::PostgresStore::lazy(&db.url, 4)
                .expect("PostgreSQL store");
            let state = AppState::with_store(config, Clock::manual(clock.clone()), Arc::new(store))
                .expect("open state");
            (state, Some(db))
        } else {
            let state = AppState::open(config, Clock::manual(clock.clone())).expect("open state");
            (state, None)
        };
        let state = state
            .configure_sign_in()
            .expect("sign-in provider settings");
        Self {
            router: app(state.clone()),
            state,
            clock,
            db_path,
            pg,
            _dir: dir,
        }
    }

    /// The middleware on SAP Commerce at `sap_url` (`--commerce sapcc`), with `Config::for_tests`
    /// changed by `f`; the session store as in [`TestApp::with_config`].
    pub fn sap(sap_url: &str, f: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("asm-test.sqlite");
        let mut config = Config::for_tests(db_path.clone());
        config.commerce = asm_middleware::config::CommerceKind::Sapcc;
        config.sapcc_url = sap_url.to_owned();
        config.sapcc_client_id = "mobile_android".into();
        config.sapcc_client_secret = "secret".into();
        config.sapcc_sales_managers = vec!["asmanager".into()];
        config.token_key = "11".repeat(32);
        f(&mut config);
        let clock = Arc::new(AtomicI64::new(T0));
        let (store, pg): (Arc<dyn asm_middleware::ports::SessionStore>, _) = if on_postgres() {
            let db = pg_support::TestDb::create_migrated_blocking()
                .expect("ASM_TEST_STORE=postgres needs ASM_TEST_POSTGRES");
            let store = asm_middleware::store::postgres::PostgresStore::lazy(&db.url, 4)
                .expect("PostgreSQL store");
            (Arc::new(store), Some(db))
        } else {
            let store =
                asm_middleware::store::sqlite::SqliteStore::open(&db_path).expect("SQLite store");
            (Arc::new(store), None)
        };
        let state = AppState::sap(config, Clock::manual(clock.clone()), store).expect("SAP state");
        Self {
            router: app(state.clone()),
            state,
            clock,
            db_path,
            pg,
            _dir: dir,
        }
    }

    /// Signs in with a user name and password; asserts 200 and returns the session cookie.
    pub async fn login_as(&self, username: &str, password: &str) -> String {
        let res = self
            .post_json(
                "/asm/agents/login",
                None,
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "login: {}", res.text());
        res.session_cookie().expect("login sets the session cookie")
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

    /// Audit rows as (agent, customer, action, detail), oldest first, read through the store.
    pub fn audit(&self) -> Vec<AuditRow> {
        let query = asm_middleware::ports::AuditQuery {
            page_size: 1_000_000,
            ..Default::default()
        };
        let (_, mut entries) = block(self.state.sessions.audit_page(&query)).expect("audit page");
        entries.reverse();
        entries
            .into_iter()
            .map(|e| AuditRow {
                at: ms_of(&e.at),
                agent: e.agent_id,
                customer: e.customer_id,
                action: e.action.as_str().to_owned(),
                detail: e.detail,
                outcome: e.outcome,
                repeats: e.repeats,
                last_at: e.last_at.as_deref().map(ms_of),
            })
            .collect()
    }

    /// One row of a query on the session store's tables (`?1`, `?2` … for the text `params`),
    /// on SQLite or PostgreSQL; `None` when no row matches.
    pub fn store_row(&self, sql: &str, params: &[&str]) -> Option<Vec<Cell>> {
        match &self.pg {
            None => {
                let c = self.db();
                let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let columns = stmt.column_count();
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(params.iter()))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                let row = rows.next().unwrap_or_else(|e| panic!("{sql}: {e}"))?;
                Some(
                    (0..columns)
                        .map(|i| match row.get_ref(i).expect("column") {
                            rusqlite::types::ValueRef::Integer(v) => Cell::Int(Some(v)),
                            rusqlite::types::ValueRef::Text(t) => {
                                Cell::Text(Some(String::from_utf8_lossy(t).into_owned()))
                            }
                            rusqlite::types::ValueRef::Null => Cell::Int(None),
                            other => panic!("{sql}: unexpected value {other:?}"),
                        })
                        .collect(),
                )
            }
            Some(db) => {
                let mut pg_sql = sql.to_owned();
                for i in (1..=params.len()).rev() {
                    pg_sql = pg_sql.replace(&format!("?{i}"), &format!("${i}"));
                }
                let url = db.url.clone();
                block(async move {
                    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                        .await
                        .expect("connect to the test database");
                    tokio::spawn(connection);
                    let args: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                        .iter()
                        .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                        .collect();
                    let row = client
                        .query_opt(&pg_sql, &args)
                        .await
                        .unwrap_or_else(|e| panic!("{pg_sql}: {e}"))?;
                    Some(
                        row.columns()
                            .iter()
                            .enumerate()
                            .map(|(i, col)| {
                                use tokio_postgres::types::Type;
                                match *col.type_() {
                                    Type::INT8 => Cell::Int(row.get::<_, Option<i64>>(i)),
                                    Type::INT4 => {
                                        Cell::Int(row.get::<_, Option<i32>>(i).map(i64::from))
                                    }
                                    Type::BOOL => {
                                        Cell::Int(row.get::<_, Option<bool>>(i).map(i64::from))
                                    }
                                    _ => Cell::Text(row.get::<_, Option<String>>(i)),
                                }
                            })
                            .collect(),
                    )
                })
            }
        }
    }

    /// The first column of [`TestApp::store_row`] as an integer (a count, a time).
    pub fn store_int(&self, sql: &str, params: &[&str]) -> Option<i64> {
        self.store_row(sql, params)
            .and_then(|r| r.first().and_then(Cell::int))
    }

    /// The first column of [`TestApp::store_row`] as text.
    pub fn store_text(&self, sql: &str, params: &[&str]) -> Option<String> {
        self.store_row(sql, params)
            .and_then(|r| r.first().and_then(Cell::text))
    }

    /// `SELECT COUNT(*) …` on the session store.
    pub fn store_count(&self, sql: &str, params: &[&str]) -> i64 {
        self.store_int(sql, params).unwrap_or(0)
    }

    /// `ended` and `end_reason` of the first emulation matching `where_` (e.g.
    /// `session_id = ?1`).
    pub fn emulation_end(&self, where_: &str, params: &[&str]) -> (Option<i64>, Option<String>) {
        let row = self
            .store_row(
                &format!("SELECT ended, end_reason FROM emulations WHERE {where_}"),
                params,
            )
            .expect("an emulation");
        (row[0].int(), row[1].text())
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
    /// How many times, when a repeated refusal was counted on this row.
    pub repeats: Option<u32>,
    /// When it last happened (ms), for a repeated one.
    pub last_at: Option<i64>,
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

/// Milliseconds since the epoch of an RFC 3339 time.
pub fn ms_of(rfc3339: &str) -> i64 {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"));
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).expect("ms")
}
