//! Agent authentication: password hashing, opaque session tokens in an httpOnly cookie, the
//! signed-in extractor (which enforces idle and absolute timeouts), and the CSRF guard.

use crate::domain::session::SessionEnd;
use crate::http::error::Failure;
use crate::ports::{AgentContext, Commerce};
use crate::AppState;
use asm_types::{error_type, Agent, REQUEST_HEADER, SESSION_COOKIE};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub use crate::secret::{random_id, token_hash};

/// The session cookie carrying `token`.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// A cookie that removes the session cookie.
pub fn clear_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure);
    c.make_removal();
    c
}

/// How often a session in use is written back (its `last_seen`), at most: a busy agent costs
/// no store write per request. [`SignedIn::renew`] (the timer's "Extend") always writes.
pub const TOUCH_EVERY_MS: i64 = 1_000;

/// The signed-in agent of this request. Extracting it checks the cookie, the idle timeout and
/// the absolute lifetime, and extends the idle window — writing the session back at most once
/// every [`TOUCH_EVERY_MS`], so the expiry it answers counts from the stored time and is never
/// later than the server's own.
#[derive(Clone)]
pub struct SignedIn {
    /// The agent.
    pub agent: Agent,
    /// Hash of the session token.
    pub token_hash: String,
    /// When the session now ends unless extended (ms since the epoch), as stored.
    pub expires_at: i64,
    /// The commerce backend as this agent sees it (SAP: with the agent's tokens).
    pub commerce: Arc<dyn Commerce>,
    /// Sign-in time (ms since the epoch).
    created: i64,
    /// The session's last use as stored now (ms since the epoch).
    last_seen: i64,
    /// Where the expiry answered in [`asm_types::EXPIRES_HEADER`] is left.
    slot: Option<ExpirySlot>,
}

impl SignedIn {
    /// Renews the session at `now` (the timer's "Extend"): writes the new last use back even
    /// within [`TOUCH_EVERY_MS`] of the last write, and moves [`SignedIn::expires_at`] and the
    /// answered expiry header with it.
    pub async fn renew(&mut self, state: &AppState, now: i64) -> Result<(), Failure> {
        if now > self.last_seen {
            state
                .sessions
                .touch_agent_session(&self.token_hash, now)
                .await?;
            self.last_seen = now;
        }
        self.expires_at = state.timeouts().expires_at(self.created, self.last_seen);
        if let Some(slot) = &self.slot {
            slot.0.store(self.expires_at, Ordering::SeqCst);
        }
        Ok(())
    }
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("agent", &self.agent)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let slot = parts.extensions.get::<ExpirySlot>().cloned();
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(Failure::unauthenticated)?;
        let hash = token_hash(&token);
        let now = state.now();
        let timeouts = state.timeouts();
        let Some(session) = state.sessions.agent_session(&hash).await? else {
            return Err(Failure::unauthenticated());
        };
        if !timeouts.is_live(session.created, session.last_seen, now) {
            state
                .sessions
                .end_agent_session(&hash, now, SessionEnd::Timeout.as_str(), timeouts)
                .await?;
            return Err(Failure::unauthenticated());
        }
        crate::telemetry::record_agent(&session.agent.uid);
        // Used again within a second of the last write: not written again (the stored time
        // counts, and the expiry answered below is the stored one).
        let last_seen = if now.saturating_sub(session.last_seen) >= TOUCH_EVERY_MS {
            state.sessions.touch_agent_session(&hash, now).await?;
            now
        } else {
            session.last_seen
        };
        let context = AgentContext {
            session: hash.clone(),
            agent: session.agent.clone(),
            backend_tokens: session.backend_tokens,
        };
        let commerce = state
            .commerce
            .for_agent(&context)
            .unwrap_or_else(|| state.commerce.clone());
        let signed_in = SignedIn {
            agent: session.agent,
            token_hash: hash,
            expires_at: timeouts.expires_at(session.created, last_seen),
            commerce,
            created: session.created,
            last_seen,
            slot,
        };
        if let Some(slot) = &signed_in.slot {
            slot.0.store(signed_in.expires_at, Ordering::SeqCst);
        }
        Ok(signed_in)
    }
}

/// Where the signed-in extractor leaves the session's new expiry for [`expiry_header`].
#[derive(Clone, Default)]
pub struct ExpirySlot(Arc<AtomicI64>);

/// Reports the agent session's new expiry (ms) in [`asm_types::EXPIRES_HEADER`] on every
/// authenticated answer, so the overlay's timer mirrors the server's idle window.
pub async fn expiry_header(mut req: Request, next: Next) -> Response {
    let slot = ExpirySlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let at = slot.0.load(Ordering::SeqCst);
    if at > 0 {
        if let Ok(v) = HeaderValue::from_str(&at.to_string()) {
            res.headers_mut().insert(asm_types::EXPIRES_HEADER, v);
        }
    }
    res
}

/// Whether `origin` may call the API: one on the allow-list (`--allowed-origins`), the origin of
/// `--public-url`, or — for a middleware reached on a loopback address, as in development and
/// the demo — the origin its own `Host` names. A `Host` that is not loopback never counts: a
/// DNS-rebinding page sends its own name as both `Host` and `Origin`.
pub fn origin_allowed(state: &AppState, origin: &str, host: Option<&str>) -> bool {
    if state.config.allowed_origins.iter().any(|o| o == origin) {
        return true;
    }
    let public = state
        .config
        .public_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization());
    if public.as_deref() == Some(origin) {
        return true;
    }
    host.filter(|h| is_loopback_host(h))
        .is_some_and(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let Ok(url) = url::Url::parse(&format!("http://{host}/")) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// CSRF guard: a state-changing request needs the `X-ASM-Request: 1` header and an allowed `Origin`.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if headers.get(REQUEST_HEADER).map(HeaderValue::as_bytes) != Some(b"1") {
        return Failure::new(
            StatusCode::FORBIDDEN,
            error_type::CSRF,
            format!("The {REQUEST_HEADER} header is required, with the value 1."),
        )
        .into_response();
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match origin {
        Some(o) if origin_allowed(&state, o, host) => next.run(req).await,
        _ => Failure::new(
            StatusCode::FORBIDDEN,
            error_type::CSRF,
            "This origin may not call the ASM API.",
        )
        .into_response(),
    }
}
