//! The demo store's customer sessions as the HTTP layer sees them: the customer's cookie, the
//! extractor of the customer shopping on their own, and the rule **an agent or a customer in a
//! browser, never both** (SAP's ASM: "Only one user session can be active at a time"), enforced
//! where both cookies arrive: while an agent session is live in the browser a customer cannot
//! sign in nor shop as themselves (409 `AgentSignedInError`); an agent signing in ends the
//! customer's store session first ([`end_customer_session`]).

use crate::http::auth;
use crate::http::error::{ApiResult, Failure};
use crate::ports::{CustomerAccounts, DomainError, StoreCustomer};
use crate::AppState;
use asm_types::{error_type, SESSION_COOKIE};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::sync::Arc;

/// The customer's store session cookie.
pub const CUSTOMER_COOKIE: &str = "store_customer";

/// How long a customer's store session lasts (8 hours).
pub const CUSTOMER_SESSION_MS: i64 = 8 * 3600 * 1000;

/// What the store shows when an agent is signed in in the browser.
pub const AGENT_SIGNED_IN_MESSAGE: &str = "Cannot sign in as a customer while a customer support agent is signed in. Emulate the customer or sign the agent out.";

/// The customer's session cookie carrying `token` (path `/`: the agent sign-in must see it).
pub fn customer_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((CUSTOMER_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// A cookie that removes the customer's session cookie.
fn clear_customer_cookie(secure: bool) -> Cookie<'static> {
    let mut c = customer_cookie(String::new(), secure);
    c.make_removal();
    c
}

/// The backend's customer sign-in (`ForbiddenError` where the backend has none).
pub fn accounts(state: &AppState) -> ApiResult<Arc<dyn CustomerAccounts>> {
    state.customer_accounts.clone().ok_or_else(|| {
        Failure::from(DomainError::refused(
            error_type::FORBIDDEN,
            "Customers sign in at the storefront of this shop's commerce system, not here.",
        ))
    })
}

/// `415` unless the request says `Content-Type: application/json`.
pub fn require_json(headers: &HeaderMap) -> ApiResult<()> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_type::VALIDATION,
            "Expected request with `Content-Type: application/json`",
        )
        .with_subject("body"))
    }
}

/// Whether the browser holds a live agent session.
pub async fn agent_signed_in(state: &AppState, jar: &CookieJar) -> ApiResult<bool> {
    let Some(token) = jar.get(SESSION_COOKIE).map(Cookie::value) else {
        return Ok(false);
    };
    let Some(record) = state
        .sessions
        .agent_session(&auth::token_hash(token))
        .await?
    else {
        return Ok(false);
    };
    Ok(state
        .timeouts()
        .is_live(record.created, record.last_seen, state.now()))
}

/// 409 `AgentSignedInError`.
pub fn agent_conflict() -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        error_type::AGENT_SIGNED_IN,
        AGENT_SIGNED_IN_MESSAGE,
    )
}

/// Ends the customer's store session of this browser, if any (an agent signs in): the jar
/// without the customer cookie. Failures leave the session to its expiry; the cookie goes.
pub async fn end_customer_session(state: &AppState, jar: CookieJar) -> CookieJar {
    let Some(token) = jar.get(CUSTOMER_COOKIE).map(|c| c.value().to_owned()) else {
        return jar;
    };
    if let Some(accounts) = state.customer_accounts.as_ref() {
        if let Err(e) = accounts.sign_out(&auth::token_hash(&token)).await {
            tracing::warn!(error = ?e, "ending a customer's store session failed");
        }
    }
    jar.add(clear_customer_cookie(state.config.secure_cookie))
}

/// The customer signed in on the store in this browser (no agent signed in beside them).
pub struct ShoppingCustomer(pub StoreCustomer);

impl FromRequestParts<AppState> for ShoppingCustomer {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let jar = CookieJar::from_headers(&parts.headers);
        if agent_signed_in(state, &jar).await? {
            return Err(agent_conflict());
        }
        let signed_out = || {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                error_type::INVALID_TOKEN,
                "You are not signed in (or your session ended): sign in again.",
            )
        };
        let token = jar.get(CUSTOMER_COOKIE).ok_or_else(signed_out)?;
        let customer = accounts(state)?
            .session(&auth::token_hash(token.value()), state.now())
            .await?
            .ok_or_else(signed_out)?;
        Ok(Self(customer))
    }
}
