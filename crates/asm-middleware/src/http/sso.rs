//! Agent sign-in through the identity provider (authorization code + PKCE), the middleware being
//! the OAuth client: the sign-in options, the start (a redirect to the provider) and the callback
//! (back from the provider: the agent session, then a redirect to the storefront page the agent
//! came from). Provider-neutral: the provider is the `SignInProvider` port of [`AppState`].
//!
//! - The flow's secrets (state, PKCE verifier, nonce) stay server-side, in the session store, so
//!   the callback may land on any instance; a flow lives [`FLOW_TTL_MS`] and is used once.
//! - The flow is bound to the browser that started it by the [`FLOW_COOKIE`] (HttpOnly,
//!   `SameSite=Lax`: the callback is a cross-site top-level navigation, which a `Strict` cookie
//!   would miss), whose SHA-256 the flow keeps.
//! - `returnTo` must be on an allowed origin (the server's own, `--public-url`'s, or
//!   `--allowed-origins`): never an open redirect. Every failure after the start goes back to it
//!   with [`SSO_ERROR_PARAM`] (an [`SsoError`] code) for the overlay to show; without a
//!   trustworthy `returnTo` (an unknown state) the answer is a small HTML page.

use crate::http::agents::open_session;
use crate::http::auth;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::Json;
use crate::ports::{AuthorizeRequest, DomainError, NewAudit, SignInFlow};
use crate::AppState;
use asm_types::{
    error_type, AuditAction, ErrorList, SignInOptions, SsoError, SsoOption, SSO_ERROR_PARAM,
    SSO_RETURN_PARAM,
};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::collections::HashMap;

/// The cookie that binds a sign-in flow to the browser that started it.
pub const FLOW_COOKIE: &str = "asm_sso_flow";
/// How long a sign-in flow may take, from the start to the callback (ms).
pub const FLOW_TTL_MS: i64 = 10 * 60 * 1000;
/// The longest `returnTo` accepted.
pub const MAX_RETURN_TO: usize = 4096;
/// The path of the flow routes under the public URL.
const SSO_PATH: &str = "/asm/agents/sso";

/// The start and callback URLs and the cookie path, from `--public-url`.
struct SsoUrls {
    start: String,
    callback: String,
    cookie_path: String,
    origin: String,
}

fn sso_urls(state: &AppState) -> Option<SsoUrls> {
    let public = state
        .config
        .public_url
        .as_deref()?
        .trim()
        .trim_end_matches('/');
    let url = url::Url::parse(public).ok()?;
    let base = format!("{public}{SSO_PATH}");
    Some(SsoUrls {
        start: format!("{base}/start"),
        callback: format!("{base}/callback"),
        cookie_path: format!("{}{SSO_PATH}", url.path().trim_end_matches('/')),
        origin: url.origin().ascii_serialization(),
    })
}

/// The exact redirect URI to register with the identity provider, from `--public-url`.
pub fn redirect_uri(public_url: &str) -> String {
    format!(
        "{}{SSO_PATH}/callback",
        public_url.trim().trim_end_matches('/')
    )
}

/// `GET /agents/sign-in-options`: whether the password form is offered, and the identity provider.
#[utoipa::path(
    get,
    path = "/agents/sign-in-options",
    tag = "agents",
    operation_id = "signInOptions",
    security(()),
    responses(
        (status = 200, description = "How agents may sign in: the password form (`password`) and, when an identity provider is configured, its button label and start URL (`sso`).",
            body = SignInOptions,
            example = json!({"password": true, "sso": {"label": "company sign-in", "startUrl": "https://asm.example.com/asm/agents/sso/start"}})),
    )
)]
pub async fn sign_in_options(State(state): State<AppState>) -> Json<SignInOptions> {
    let sso = match (&state.sign_in, sso_urls(&state)) {
        (Some(provider), Some(urls)) => Some(SsoOption {
            label: provider.label(),
            start_url: urls.start,
        }),
        _ => None,
    };
    Json(SignInOptions {
        password: state.config.password_offered(),
        sso,
    })
}

/// Query of the start.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartParams {
    /// The storefront page to come back to (absolute URL on an allowed origin), usually the page
    /// the agent is on, with `asm=true` and any deep link.
    #[serde(rename = "returnTo")]
    #[param(
        required = true,
        example = "https://shop.example.com/?asm=true&customerId=C-LINDA"
    )]
    pub return_to: Option<String>,
}

/// Query of the callback (as the provider sends it).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    /// The single-use authorization code.
    pub code: Option<String>,
    /// The flow's `state`.
    pub state: Option<String>,
    /// The issuer that answered (RFC 9207); checked against the provider's when it announces it.
    pub iss: Option<String>,
    /// The provider's error code instead of a code (e.g. `access_denied`: cancelled).
    pub error: Option<String>,
    /// The provider's text for `error`.
    pub error_description: Option<String>,
}

/// The first value of each query parameter (a repeated one keeps its first value).
fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// `returnTo` checked: an absolute http(s) URL on an allowed origin, without credentials.
fn allowed_return_to(
    state: &AppState,
    headers: &HeaderMap,
    urls: &SsoUrls,
    value: Option<&str>,
) -> ApiResult<url::Url> {
    let invalid =
        |m: &str| Failure::validation(SSO_RETURN_PARAM, format!("The returnTo parameter {m}."));
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid("is required"))?;
    if value.len() > MAX_RETURN_TO {
        return Err(invalid("is too long"));
    }
    let url = url::Url::parse(value).map_err(|_| invalid("must be an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(invalid("must be an http(s) URL without credentials"));
    }
    let origin = url.origin().ascii_serialization();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if origin == urls.origin || auth::origin_allowed(state, &origin, host) {
        Ok(url)
    } else {
        Err(invalid(
            "is not on an origin allowed to use this ASM service",
        ))
    }
}

/// `url` with [`SSO_ERROR_PARAM`] set to `error` (any earlier one removed; the other
/// parameters and the fragment kept).
pub fn with_sso_error(url: &str, error: SsoError) -> String {
    let Ok(mut url) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != SSO_ERROR_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair(SSO_ERROR_PARAM, error.as_str());
    url.to_string()
}

fn flow_cookie(value: String, path: String, secure: bool) -> Cookie<'static> {
    Cookie::build((FLOW_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path(path)
        .max_age(time::Duration::milliseconds(FLOW_TTL_MS))
        .build()
}

fn clear_flow_cookie(path: String, secure: bool) -> Cookie<'static> {
    let mut c = flow_cookie(String::new(), path, secure);
    c.make_removal();
    c
}

fn redirect(jar: CookieJar, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, jar, [(header::LOCATION, v)]).into_response(),
        Err(_) => Failure::internal("a redirect location is not a header value").into_response(),
    }
}

/// The small page shown when there is no storefront page to go back to.
fn error_page(status: StatusCode, error: SsoError) -> Response {
    let text = error
        .message()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed \
         — Assisted Service Mode</title></head><body><h1>Sign-in failed</h1><p role=\"alert\">{text}\
         </p><p>Go back to the storefront page and sign in again.</p></body></html>\n"
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The [`SsoError`] the agent is told for a failed sign-in.
fn sso_error_of(e: &DomainError) -> SsoError {
    match e {
        DomainError::Unavailable(_) => SsoError::ProviderUnavailable,
        DomainError::Refused { kind, .. } if *kind == error_type::NOT_AN_AGENT => {
            SsoError::NotAnAgent
        }
        DomainError::Refused { .. } => SsoError::ProviderError,
        _ => SsoError::Failed,
    }
}

/// Records a failed SSO sign-in (best effort: a store failure is logged, the agent is told
/// about the sign-in's failure).
async fn audit_failure(state: &AppState, label: &str, why: &str, now: i64) {
    let record = NewAudit {
        at: now,
        agent_uid: None,
        customer_id: None,
        action: AuditAction::SsoSignInFailed,
        detail: Some(format!("{label}: {why}")),
    };
    if let Err(e) = state.sessions.audit(record).await {
        tracing::error!(error = %e, "cannot audit a failed SSO sign-in");
    }
}

/// `GET /agents/sso/start?returnTo=…`: sends the browser to the identity provider.
#[utoipa::path(
    get,
    path = "/agents/sso/start",
    tag = "agents",
    operation_id = "ssoStart",
    params(StartParams),
    security(()),
    responses(
        (status = 302, description = "To the identity provider's authorization endpoint (code flow, PKCE S256, `state`, `nonce`); sets the flow cookie. When the provider cannot be reached: back to `returnTo` with `asmSsoError=provider-unavailable`.",
            headers(
                ("Location" = String, description = "The provider's authorization URL (or `returnTo` with `asmSsoError`)."),
                ("Set-Cookie" = String, description = "`asm_sso_flow=...; HttpOnly; SameSite=Lax; Path=/asm/agents/sso; Max-Age=600`"),
            )),
        (status = 400, description = "`ValidationError` (`subject` `returnTo`): missing, not an absolute http(s) URL, or not on an allowed origin.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no identity provider is configured.", body = ErrorList),
        (status = 503, description = "`ServiceUnavailableError`: the session store cannot be reached.", body = ErrorList),
    )
)]
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let (Some(provider), Some(urls)) = (state.sign_in.clone(), sso_urls(&state)) else {
        return Err(Failure::not_found("Single sign-on"));
    };
    let params = query_map(query.as_deref());
    let return_to = allowed_return_to(
        &state,
        &headers,
        &urls,
        params.get(SSO_RETURN_PARAM).map(String::as_str),
    )?;
    let now = state.now();
    // 32 random bytes each; the verifier is 64 characters of RFC 7636's alphabet.
    let flow_state = auth::random_id(32)?;
    let code_verifier = auth::random_id(32)?;
    let nonce = auth::random_id(32)?;
    let binding = auth::random_id(32)?;
    let request = AuthorizeRequest {
        state: flow_state.clone(),
        code_challenge: crate::secret::pkce_challenge(&code_verifier),
        nonce: nonce.clone(),
        redirect_uri: urls.callback.clone(),
    };
    let location = match provider.authorize_url(&request).await {
        Ok(location) => location,
        Err(e) => {
            audit_failure(&state, &provider.label(), e.kind(), now).await;
            let back = with_sso_error(return_to.as_str(), sso_error_of(&e));
            return Ok(redirect(jar, &back));
        }
    };
    state
        .sessions
        .create_sign_in_flow(&SignInFlow {
            state: flow_state,
            binding_hash: auth::token_hash(&binding),
            code_verifier,
            nonce,
            return_to: return_to.to_string(),
            created: now,
            expires_at: now.saturating_add(FLOW_TTL_MS),
        })
        .await?;
    let jar = jar.add(flow_cookie(
        binding,
        urls.cookie_path,
        state.config.secure_cookie,
    ));
    Ok(redirect(jar, &location))
}

/// `GET /agents/sso/callback?code&state` (or `?error&state`): back from the identity provider.
#[utoipa::path(
    get,
    path = "/agents/sso/callback",
    tag = "agents",
    operation_id = "ssoCallback",
    params(CallbackParams),
    security(()),
    responses(
        (status = 302, description = "Signed in: sets the httpOnly `asm_session` cookie and goes back to the flow's `returnTo`. Failed (cancelled at the provider, expired or replayed flow, another browser's flow, a refused code, the provider down, not an agent): back to `returnTo` with `asmSsoError` = `cancelled`, `provider-error`, `provider-unavailable`, `expired`, `state-mismatch`, `not-an-agent` or `failed`. Either way the flow cookie is cleared.",
            headers(
                ("Location" = String, description = "The storefront page the agent came from."),
                ("Set-Cookie" = String, description = "`asm_session=...; HttpOnly; SameSite=Strict; Path=/` on success; removes `asm_sso_flow`."),
            )),
        (status = 400, description = "No known sign-in attempt has this `state` (missing, forged, or long expired): a short HTML page says so.", content_type = "text/html", body = String),
        (status = 404, description = "No identity provider is configured: a short HTML page says so.", content_type = "text/html", body = String),
        (status = 503, description = "The session store cannot be reached: a short HTML page says so.", content_type = "text/html", body = String),
    )
)]
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let (Some(provider), Some(urls)) = (state.sign_in.clone(), sso_urls(&state)) else {
        return error_page(StatusCode::NOT_FOUND, SsoError::Failed);
    };
    let params = query_map(query.as_deref());
    let label = provider.label();
    let now = state.now();
    let Some(flow_state) = params.get("state").filter(|s| !s.is_empty()) else {
        audit_failure(&state, &label, "no state", now).await;
        state
            .metrics
            .sign_in_failed("sso", SsoError::Expired.as_str());
        return error_page(StatusCode::BAD_REQUEST, SsoError::Expired);
    };
    let (flow, first_use) = match state.sessions.take_sign_in_flow(flow_state).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            audit_failure(&state, &label, "unknown state", now).await;
            state
                .metrics
                .sign_in_failed("sso", SsoError::Expired.as_str());
            return error_page(StatusCode::BAD_REQUEST, SsoError::Expired);
        }
        Err(e) => {
            tracing::error!(error = %e, "SSO callback: cannot read the sign-in flow");
            state
                .metrics
                .sign_in_failed("sso", SsoError::Failed.as_str());
            return error_page(StatusCode::SERVICE_UNAVAILABLE, SsoError::Failed);
        }
    };
    let secure = state.config.secure_cookie;
    let binding_ok = jar
        .get(FLOW_COOKIE)
        .is_some_and(|c| auth::token_hash(c.value()) == flow.binding_hash);
    // The flow cookie is this flow's only when it matches; another flow's stays.
    let jar = if binding_ok {
        jar.add(clear_flow_cookie(urls.cookie_path.clone(), secure))
    } else {
        jar
    };
    let fail = |jar: CookieJar, error: SsoError| {
        state.metrics.sign_in_failed("sso", error.as_str());
        redirect(jar, &with_sso_error(&flow.return_to, error))
    };
    if !first_use {
        audit_failure(&state, &label, "replayed callback", now).await;
        return fail(jar, SsoError::Expired);
    }
    if now >= flow.expires_at {
        audit_failure(&state, &label, "expired", now).await;
        return fail(jar, SsoError::Expired);
    }
    if !binding_ok {
        audit_failure(&state, &label, "state mismatch", now).await;
        return fail(jar, SsoError::StateMismatch);
    }
    // RFC 9207: the answer (a code or an error) must come from the provider the flow went to.
    if let Err(e) = provider
        .check_issuer(params.get("iss").map(String::as_str))
        .await
    {
        let (detail, kind) = match &e {
            DomainError::Unavailable(_) => ("provider unavailable", SsoError::ProviderUnavailable),
            _ => ("issuer mismatch", SsoError::ProviderError),
        };
        audit_failure(&state, &label, detail, now).await;
        return fail(jar, kind);
    }
    if let Some(error) = params.get("error") {
        audit_failure(&state, &label, &format!("provider: {error}"), now).await;
        let kind = if error == "access_denied" {
            SsoError::Cancelled
        } else {
            SsoError::ProviderError
        };
        return fail(jar, kind);
    }
    let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
        audit_failure(&state, &label, "no code", now).await;
        return fail(jar, SsoError::ProviderError);
    };
    let completed = provider
        .complete(code, &flow.code_verifier, &flow.nonce, &urls.callback)
        .await;
    let signed_in = match crate::domain::agent::external_sign_in(completed, &label, now) {
        Ok(signed_in) => signed_in,
        Err(refusal) => {
            if let DomainError::Unavailable(m) | DomainError::Internal(m) = &refusal.error {
                tracing::warn!(provider = %label, error = %m, "SSO sign-in failed");
            }
            if let Err(e) = state.sessions.audit(refusal.audit).await {
                tracing::error!(error = %e, "cannot audit a refused SSO sign-in");
            }
            return fail(jar, sso_error_of(&refusal.error));
        }
    };
    let uid = signed_in.agent.uid.clone();
    match open_session(&state, jar.clone(), signed_in.agent, signed_in.tokens, now).await {
        Ok((jar, _)) => {
            let record = NewAudit {
                at: now,
                agent_uid: Some(uid),
                customer_id: None,
                action: AuditAction::SsoSignIn,
                detail: Some(label),
            };
            if let Err(e) = state.sessions.audit(record).await {
                tracing::error!(error = %e, "cannot audit an SSO sign-in");
            }
            redirect(jar, &flow.return_to)
        }
        Err(e) => {
            tracing::error!(error = ?e, "SSO sign-in: cannot open the session");
            fail(jar, SsoError::Failed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_parameter_is_added_and_deep_links_kept() {
        let url = with_sso_error(
            "https://shop.example/p/1?asm=true&customerId=C-1&ticketId=T%201&asmSsoError=old#top",
            SsoError::Cancelled,
        );
        let parsed = url::Url::parse(&url).expect("url");
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("asm".into(), "true".into()),
                ("customerId".into(), "C-1".into()),
                ("ticketId".into(), "T 1".into()),
                (SSO_ERROR_PARAM.into(), "cancelled".into()),
            ]
        );
        assert_eq!(parsed.fragment(), Some("top"));
        assert_eq!(parsed.path(), "/p/1");
    }

    #[test]
    fn the_redirect_uri_is_under_the_public_url() {
        assert_eq!(
            redirect_uri("https://asm.example.com/"),
            "https://asm.example.com/asm/agents/sso/callback"
        );
    }

    #[test]
    fn repeated_query_parameters_keep_the_first() {
        let m = query_map(Some("state=a&state=b&code=c%2Bd"));
        assert_eq!(m.get("state").map(String::as_str), Some("a"));
        assert_eq!(m.get("code").map(String::as_str), Some("c+d"));
    }
}
