//! A SAP Commerce Cloud simulator: the authorization server (password grant, refresh with
//! rotation, revoke, authorization code + PKCE with a hosted login page), the
//! `assistedservicewebservices` and the OCC resources the ASM middleware uses, as described in
//! `SAP-CONTRACT.md`. State is in memory, seeded at start ([`model::seed`]).

pub mod asm;
pub mod error;
pub mod format;
pub mod model;
pub mod oauth;
pub mod occ;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use error::OccError;
use model::{Data, User};

/// Which SAP line the authorization server behaves like (§2.1 vs §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// SAP CC ≤ 2211.4x (`oauth2` extension): password grant, `InvalidTokenError`, revoke needs
    /// an `Authorization` header.
    Password,
    /// SAP CC 2211-jdk21 (`authorizationserver`): no password grant, `InvalidBearerTokenError`,
    /// a refresh revokes the previous access token at once.
    Pkce,
}

/// A fault the simulator can answer with instead of its real answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// Normal answers.
    None,
    /// A 502 HTML error page (a proxy in front of SAP failing).
    Html,
    /// 200 with `Content-Type: application/json` and a body that is not JSON.
    Garbage,
    /// The token endpoint answers 401 with an empty body (§2.2 quirk).
    EmptyTokenError,
}

/// Settings of one simulator instance.
#[derive(Clone, Debug)]
pub struct Config {
    pub auth_mode: AuthMode,
    pub client_id: String,
    pub client_secret: String,
    /// Registered redirect URIs of the client (matched exactly).
    pub redirect_uris: Vec<String>,
    pub token_lifetime_seconds: i64,
    pub refresh_token_lifetime_seconds: i64,
    pub code_lifetime_seconds: i64,
    pub login_session_seconds: i64,
    /// Expired access tokens keep working this long (§2.2: about 60 s on jdk21). Default 0.
    pub expiry_grace_seconds: i64,
    /// `toggle.customer360.enabled` (§1.4).
    pub customer360_enabled: bool,
    /// `toggle.customerList.enabled` (§1.4).
    pub customer_list_enabled: bool,
    /// Reject unknown `lang`/`curr` isocodes with 400 (§6.1).
    pub strict_site_context: bool,
    /// bind-cart accepts the opaque `customerId` as well as the uid (§3.5: uncertain).
    pub bind_cart_accepts_customer_id: bool,
    /// OCC refuses login-disabled customers in `{userId}` with 403 (§1.2.4: inferred).
    pub reject_deactivated_customers: bool,
    /// Added to every answer (fault tests).
    pub latency_ms: u64,
    pub fault: Fault,
    /// Generated customers added after the fixed seed ([`model::generate_customers`]); 0: none.
    pub customers: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth_mode: AuthMode::Password,
            client_id: "mobile_android".into(),
            client_secret: "secret".into(),
            redirect_uris: vec!["http://127.0.0.1:8080/asm/agents/oauth/callback".into()],
            token_lifetime_seconds: 43_200,
            refresh_token_lifetime_seconds: 30 * 86_400,
            code_lifetime_seconds: 300,
            login_session_seconds: 300,
            expiry_grace_seconds: 0,
            customer360_enabled: true,
            customer_list_enabled: true,
            strict_site_context: false,
            bind_cart_accepts_customer_id: false,
            reject_deactivated_customers: false,
            latency_ms: 0,
            fault: Fault::None,
            customers: 0,
        }
    }
}

struct Inner {
    config: Config,
    data: Mutex<Data>,
    clock_offset: AtomicI64,
    faults: Mutex<(Fault, u64)>,
}

/// A handle on one simulator (cheap to clone; shared by the router's handlers and tests).
#[derive(Clone)]
pub struct Sim(Arc<Inner>);

impl Sim {
    pub fn new(config: Config) -> Sim {
        let faults = (config.fault, config.latency_ms);
        let sim = Sim(Arc::new(Inner {
            config,
            data: Mutex::new(Data::default()),
            clock_offset: AtomicI64::new(0),
            faults: Mutex::new(faults),
        }));
        let now = sim.now();
        let mut seeded = model::seed(now);
        model::generate_customers(&mut seeded, sim.config().customers, now);
        *sim.data() = seeded;
        sim
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The simulator's clock (Unix seconds): real time plus what [`Sim::advance_clock`] added.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.0.clock_offset.load(Ordering::SeqCst)
    }

    /// Moves the clock forward (tests expire tokens and codes with it).
    pub fn advance_clock(&self, seconds: i64) {
        self.0.clock_offset.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn set_fault(&self, fault: Fault, latency_ms: u64) {
        *self.0.faults.lock().unwrap_or_else(|e| e.into_inner()) = (fault, latency_ms);
    }

    fn faults(&self) -> (Fault, u64) {
        *self.0.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data, locked (a poisoned lock is taken over: the data is still consistent enough for a
    /// simulator).
    pub fn data(&self) -> MutexGuard<'_, Data> {
        self.0.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The router serving everything.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/authorizationserver/oauth/token", post(oauth::token))
            .route("/authorizationserver/oauth/revoke", post(oauth::revoke))
            .route(
                "/authorizationserver/oauth/authorize",
                get(oauth::authorize),
            )
            .route(
                "/authorizationserver/login",
                get(oauth::login_page).post(oauth::login),
            )
            .merge(asm::routes())
            .merge(occ::routes())
            .merge(occ::product_routes())
            .route("/_sim/clock", post(admin_clock))
            .route("/_sim/faults", post(admin_faults))
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .layer(middleware::from_fn_with_state(self.clone(), faults_layer))
            .with_state(self.clone())
    }
}

/// Parses a query string (or a form body) into pairs; a malformed one is a 400.
pub fn parse_pairs(raw: Option<&str>) -> Result<Params, OccError> {
    let raw = raw.unwrap_or("");
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .map(Params)
        .map_err(|e| {
            OccError::bad_request("IllegalArgumentError", format!("Malformed parameters: {e}"))
        })
}

/// Request parameters (query, or query and form body merged, the first value winning).
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Present and not blank.
    pub fn non_blank(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }
    pub fn merged(mut self, other: Params) -> Params {
        self.0.extend(other.0);
        self
    }
    pub fn int(&self, name: &str) -> Result<Option<i64>, OccError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
                OccError::bad_request(
                    "MethodArgumentTypeMismatchError",
                    format!("Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: \"{v}\""),
                )
            }),
        }
    }
}

/// The signed-in principal of a request, from its bearer token.
pub fn principal(sim: &Sim, data: &Data, headers: &HeaderMap) -> Result<User, OccError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(OccError::unauthorized());
    };
    let mut parts = value.splitn(2, ' ');
    let scheme = parts.next().unwrap_or("");
    let token = parts.next().unwrap_or("").trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(OccError::unauthorized());
    }
    let kind = match sim.config().auth_mode {
        AuthMode::Password => "InvalidTokenError",
        AuthMode::Pkce => "InvalidBearerTokenError",
    };
    let Some(t) = data.access_tokens.get(token) else {
        return Err(OccError::new(
            StatusCode::UNAUTHORIZED,
            kind,
            format!("Invalid access token: {token}"),
        ));
    };
    if t.revoked {
        return Err(OccError::new(
            StatusCode::UNAUTHORIZED,
            kind,
            format!("Invalid access token: {token}"),
        ));
    }
    if sim.now() >= t.expires + sim.config().expiry_grace_seconds {
        return Err(OccError::new(
            StatusCode::UNAUTHORIZED,
            kind,
            format!("Access token expired: {token}"),
        ));
    }
    data.user(&t.user).cloned().ok_or_else(|| {
        OccError::new(
            StatusCode::UNAUTHORIZED,
            kind,
            format!("Invalid access token: {token}"),
        )
    })
}

/// Checks `lang` / `curr` against the site (only in strict mode; otherwise they are ignored).
pub fn check_site_context(sim: &Sim, site: &model::Site, params: &Params) -> Result<(), OccError> {
    if !sim.config().strict_site_context {
        return Ok(());
    }
    if let Some(lang) = params.get("lang") {
        if !site.languages.contains(&lang) {
            return Err(OccError::bad_request(
                "UnsupportedLanguageError",
                format!("Language  {lang} is not supported"),
            ));
        }
    }
    if let Some(curr) = params.get("curr") {
        if !site.currencies.contains(&curr) {
            return Err(OccError::bad_request(
                "UnsupportedCurrencyError",
                format!("Currency {curr} is not supported"),
            ));
        }
    }
    Ok(())
}

/// An empty-bodied answer with a status (SAP sends none on many writes).
pub fn empty(status: StatusCode) -> Response {
    status.into_response()
}

pub fn json(status: StatusCode, v: serde_json::Value) -> Response {
    (status, axum::Json(format::strip_nulls(v))).into_response()
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A random token of `n` URL-safe characters.
pub fn random_token(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..n)
        .map(|_| A[fastrand::usize(..A.len())] as char)
        .collect()
}

async fn not_found(req: Request) -> Response {
    OccError::new(
        StatusCode::NOT_FOUND,
        "UnknownResourceError",
        format!("There is no resource for path {}", req.uri().path()),
    )
    .into_response()
}

async fn method_not_allowed(req: Request) -> Response {
    OccError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "HttpRequestMethodNotSupportedError",
        format!("Request method '{}' is not supported", req.method()),
    )
    .into_response()
}

/// `POST /_sim/clock?advanceSeconds=N` moves the clock; answers the new time.
async fn admin_clock(
    State(sim): State<Sim>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let params = match parse_pairs(q.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    match params.int("advanceSeconds") {
        Ok(n) => {
            sim.advance_clock(n.unwrap_or(0));
            json(
                StatusCode::OK,
                serde_json::json!({ "now": sim.now(), "date": format::date(sim.now()) }),
            )
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultBody {
    mode: Fault,
    #[serde(default)]
    latency_ms: u64,
}

/// `POST /_sim/faults {"mode":"none|html|garbage|emptyTokenError","latencyMs":N}`.
async fn admin_faults(State(sim): State<Sim>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<FaultBody>(&body) {
        Ok(b) => {
            sim.set_fault(b.mode, b.latency_ms);
            empty(StatusCode::NO_CONTENT)
        }
        Err(e) => OccError::bad_json(e).into_response(),
    }
}

async fn faults_layer(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sim/") {
        return next.run(req).await;
    }
    let (fault, latency) = sim.faults();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    match fault {
        Fault::None => next.run(req).await,
        Fault::Html => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            Body::from("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"),
        )
            .into_response(),
        Fault::Garbage => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from("{\"entries\": [ {\"uid\": tru"),
        )
            .into_response(),
        Fault::EmptyTokenError => {
            if path == "/authorizationserver/oauth/token" {
                StatusCode::UNAUTHORIZED.into_response()
            } else {
                next.run(req).await
            }
        }
    }
}

/// Content of a form body when the request says it is one.
pub fn form_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, OccError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if !is_form || body.is_empty() {
        return Ok(Params::default());
    }
    parse_pairs(std::str::from_utf8(body).ok())
}

/// Items to skip for a page (saturating: huge `pageSize`/`currentPage` values must not overflow).
pub fn offset(page: i64, size: i64) -> usize {
    usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX)
}

/// Number of pages of `total` items (`size > 0`).
pub fn pages(total: i64, size: i64) -> i64 {
    if total <= 0 || size <= 0 {
        0
    } else {
        (total - 1) / size + 1
    }
}

/// A map helper for handler code.
pub type Map = HashMap<String, String>;
