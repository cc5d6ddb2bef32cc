//! The authorization server (§2): token (password, refresh_token, authorization_code grants),
//! revoke, and the authorization-code + PKCE flow with a hosted login page.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{html_error, OAuthError};
use crate::model::{AccessToken, AuthCode, AuthRequest, Data, LoginSession, RefreshToken};
use crate::{form_body, html_escape, parse_pairs, random_token, AuthMode, Params, Sim};

const SCOPE: &str = "basic openid";

/// BASE64URL without padding (RFC 7636 §4.2).
pub fn base64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = vec![];
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

/// Client credentials from the form body, or HTTP Basic.
fn client_of(headers: &HeaderMap, form: &Params) -> Option<(String, String)> {
    if let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) {
        return Some((id.to_string(), secret.to_string()));
    }
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(decode_base64(rest.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn check_client(sim: &Sim, headers: &HeaderMap, form: &Params) -> Result<String, OAuthError> {
    match client_of(headers, form) {
        Some((id, secret))
            if id == sim.config().client_id && secret == sim.config().client_secret =>
        {
            Ok(id)
        }
        // PKCE mode: parameters in the URL are ignored, so the client is unauthenticated → 401
        // with an empty body (§2.2 quirk).
        None if sim.config().auth_mode == AuthMode::Pkce => Err(OAuthError::empty_401()),
        _ => Err(OAuthError::invalid_client()),
    }
}

/// A JWT-shaped access token for `user` (header, claims, a random "signature").
fn jwt(user: &str, exp: i64) -> String {
    let b64 = |v: serde_json::Value| base64url(v.to_string().as_bytes());
    format!(
        "{}.{}.{}",
        b64(serde_json::json!({ "alg": "RS256", "typ": "JWT" })),
        b64(serde_json::json!({ "sub": user, "exp": exp, "jti": random_token(12) })),
        random_token(43)
    )
}

fn issue(sim: &Sim, data: &mut Data, user: &str, client: &str) -> (String, String) {
    let now = sim.now();
    let access = match sim.config().auth_mode {
        // Spring Authorization Server (2211-jdk21) issues JWT access tokens: `sub` names the
        // user (the roles are not in it, §1.3). Signed with nothing here: clients must not
        // verify what the token endpoint just handed them, only read it.
        AuthMode::Pkce => jwt(user, now + sim.config().token_lifetime_seconds),
        AuthMode::Password => random_token(32),
    };
    let refresh = random_token(40);
    data.access_tokens.insert(
        access.clone(),
        AccessToken {
            user: user.into(),
            client: client.into(),
            expires: now + sim.config().token_lifetime_seconds,
            refresh: refresh.clone(),
            revoked: false,
        },
    );
    data.refresh_tokens.insert(
        refresh.clone(),
        RefreshToken {
            user: user.into(),
            client: client.into(),
            expires: now + sim.config().refresh_token_lifetime_seconds,
            access: access.clone(),
            revoked: false,
        },
    );
    (access, refresh)
}

fn token_response(sim: &Sim, data: &Data, access: &str) -> Response {
    let (expires, refresh) = data
        .access_tokens
        .get(access)
        .map(|t| (t.expires, t.refresh.clone()))
        .unwrap_or((0, String::new()));
    let mut r = (
        StatusCode::OK,
        axum::Json(json!({
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": (expires - sim.now()).max(0),
            "scope": SCOPE,
        })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `POST /authorizationserver/oauth/token` (form).
pub async fn token(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match token_inner(&sim, q.as_deref(), &headers, &body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn token_inner(
    sim: &Sim,
    q: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let bad = |_| OAuthError::invalid_request("Malformed request");
    let mut form = form_body(headers, body).map_err(bad)?;
    // The JDK17 line (Spring Security OAuth) also reads parameters from the query; jdk21 ignores them.
    if sim.config().auth_mode == AuthMode::Password {
        form = form.merged(parse_pairs(q).map_err(bad)?);
    }
    let client = check_client(sim, headers, &form)?;
    let grant = form.get("grant_type").unwrap_or("");
    let mut data = sim.data();
    match grant {
        "password" => {
            if sim.config().auth_mode == AuthMode::Pkce {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "Unsupported grant type: password",
                ));
            }
            let username = form.get("username").unwrap_or("").to_ascii_lowercase();
            let password = form.get("password").unwrap_or("");
            let user = data.user(&username).cloned();
            let Some(user) = user.filter(|u| u.password == password) else {
                return Err(OAuthError::invalid_grant("Bad credentials"));
            };
            if user.deactivated.is_some_and(|t| t <= sim.now()) {
                return Err(OAuthError::invalid_grant("User is disabled"));
            }
            // The ROPC-era server hands simultaneous logins of one user with one client the same
            // live token pair (§2.1 Lifetimes).
            let now = sim.now();
            let live = data
                .access_tokens
                .iter()
                .find(|(_, t)| {
                    t.user == user.uid && t.client == client && !t.revoked && t.expires > now
                })
                .map(|(k, _)| k.clone());
            let access = match live {
                Some(a) => a,
                None => issue(sim, &mut data, &user.uid, &client).0,
            };
            Ok(token_response(sim, &data, &access))
        }
        "refresh_token" => {
            let rt = form.get("refresh_token").unwrap_or("").to_string();
            let now = sim.now();
            let Some(old) = data.refresh_tokens.get(&rt).cloned() else {
                return Err(OAuthError::invalid_grant(format!(
                    "Invalid refresh token: {rt}"
                )));
            };
            if old.revoked || old.client != client {
                return Err(OAuthError::invalid_grant(format!(
                    "Invalid refresh token: {rt}"
                )));
            }
            if old.expires <= now {
                return Err(OAuthError::invalid_grant(format!(
                    "Invalid refresh token (expired): {rt}"
                )));
            }
            // Rotation: the old refresh token is spent. jdk21 also revokes the previous access
            // token at once (§2.2); the JDK17 line lets it live until it expires.
            if let Some(t) = data.refresh_tokens.get_mut(&rt) {
                t.revoked = true;
            }
            if sim.config().auth_mode == AuthMode::Pkce {
                if let Some(a) = data.access_tokens.get_mut(&old.access) {
                    a.revoked = true;
                }
            }
            let (access, _) = issue(sim, &mut data, &old.user, &client);
            Ok(token_response(sim, &data, &access))
        }
        "authorization_code" => {
            let code = form.get("code").unwrap_or("").to_string();
            let now = sim.now();
            let Some(stored) = data.codes.get(&code).cloned() else {
                return Err(OAuthError::invalid_grant("Invalid authorization code"));
            };
            if stored.used {
                // Replay: fail and revoke what the first exchange got (§2.2).
                for a in &stored.issued {
                    let refresh = data.access_tokens.get_mut(a).map(|t| {
                        t.revoked = true;
                        t.refresh.clone()
                    });
                    if let Some(r) = refresh.and_then(|r| data.refresh_tokens.get_mut(&r)) {
                        r.revoked = true;
                    }
                }
                return Err(OAuthError::invalid_grant("Authorization code already used"));
            }
            if stored.expires <= now || stored.request.client_id != client {
                return Err(OAuthError::invalid_grant("Invalid authorization code"));
            }
            if form.get("redirect_uri") != Some(stored.request.redirect_uri.as_str()) {
                return Err(OAuthError::invalid_grant("Redirect URI mismatch"));
            }
            let Some(verifier) = form.get("code_verifier") else {
                return Err(OAuthError::invalid_grant("Missing code_verifier"));
            };
            if s256(verifier) != stored.request.challenge {
                return Err(OAuthError::invalid_grant("PKCE verification failed"));
            }
            let (access, _) = issue(sim, &mut data, &stored.user, &client);
            if let Some(c) = data.codes.get_mut(&code) {
                c.used = true;
                c.issued.push(access.clone());
            }
            Ok(token_response(sim, &data, &access))
        }
        "" => Err(OAuthError::invalid_request("Missing grant type")),
        other => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant type: {other}"),
        )),
    }
}

/// `POST /authorizationserver/oauth/revoke` (form `token`, `token_type_hint`, client credentials).
/// The JDK17 line wants `Authorization: bearer <valid access token>` on the call (§2.1).
pub async fn revoke(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match form_body(&headers, &body) {
        Ok(f) => f,
        Err(_) => return OAuthError::invalid_request("Malformed request").into_response(),
    };
    let mut data = sim.data();
    if sim.config().auth_mode == AuthMode::Password {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_string());
        let Some(bearer) = bearer else {
            return OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Full authentication is required to access this resource",
            )
            .into_response();
        };
        let now = sim.now();
        let ok = data
            .access_tokens
            .get(&bearer)
            .is_some_and(|t| !t.revoked && t.expires > now);
        if !ok {
            return OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                format!("Invalid access token: {bearer}"),
            )
            .into_response();
        }
        if form.get("client_id").is_some()
            && form.get("client_id") != Some(sim.config().client_id.as_str())
        {
            return OAuthError::invalid_client().into_response();
        }
    } else if let Err(e) = check_client(&sim, &headers, &form) {
        return e.into_response();
    }
    let token = form.get("token").unwrap_or("").to_string();
    // Revoking either half of a pair removes the pair (Spring's token store does).
    let pair = if let Some(a) = data.access_tokens.get(&token) {
        Some((token.clone(), a.refresh.clone()))
    } else {
        data.refresh_tokens
            .get(&token)
            .map(|r| (r.access.clone(), token.clone()))
    };
    if let Some((a, r)) = pair {
        if let Some(t) = data.access_tokens.get_mut(&a) {
            t.revoked = true;
        }
        if let Some(t) = data.refresh_tokens.get_mut(&r) {
            t.revoked = true;
        }
    }
    StatusCode::OK.into_response()
}

fn redirect(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{q}")
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn login_form(csrf: &str, error: bool) -> Response {
    let err = if error {
        "<p class=\"error\" role=\"alert\">Invalid username or password.</p>"
    } else {
        ""
    };
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Please sign in</title></head><body>\
<form class=\"form-signin\" method=\"post\" action=\"/authorizationserver/login\">\
<h2>Please sign in</h2>{err}\
<p><label for=\"username\">Username</label><input type=\"text\" id=\"username\" name=\"username\" autofocus></p>\
<p><label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\"></p>\
<input name=\"_csrf\" type=\"hidden\" value=\"{}\">\
<button type=\"submit\">Sign in</button></form></body></html>",
        html_escape(csrf)
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html;charset=UTF-8")],
        body,
    )
        .into_response()
}

/// `GET /authorizationserver/oauth/authorize?response_type=code&client_id&redirect_uri&code_challenge&code_challenge_method=S256&state`
/// → the hosted login page with a `_csrf` field and a `JSESSIONID` cookie.
pub async fn authorize(State(sim): State<Sim>, RawQuery(q): RawQuery) -> Response {
    let Ok(p) = parse_pairs(q.as_deref()) else {
        return html_error(StatusCode::BAD_REQUEST, "Malformed request");
    };
    let cfg = sim.config();
    if p.get("client_id") != Some(cfg.client_id.as_str()) {
        return html_error(
            StatusCode::BAD_REQUEST,
            "[invalid_request] OAuth 2.0 Parameter: client_id",
        );
    }
    let Some(redirect_uri) = p
        .get("redirect_uri")
        .filter(|r| cfg.redirect_uris.iter().any(|x| x == r))
    else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "[invalid_request] OAuth 2.0 Parameter: redirect_uri",
        );
    };
    let state = p.get("state");
    let fail = |error: &str, desc: &str| {
        let mut pairs = vec![("error", error), ("error_description", desc)];
        if let Some(s) = state {
            pairs.push(("state", s));
        }
        redirect(&with_query(redirect_uri, &pairs))
    };
    if p.get("response_type") != Some("code") {
        return fail(
            "unsupported_response_type",
            "OAuth 2.0 Parameter: response_type",
        );
    }
    let Some(challenge) = p.non_blank("code_challenge") else {
        return fail("invalid_request", "OAuth 2.0 Parameter: code_challenge");
    };
    if p.get("code_challenge_method") != Some("S256") {
        return fail(
            "invalid_request",
            "OAuth 2.0 Parameter: code_challenge_method",
        );
    }
    let session = random_token(32);
    let csrf = random_token(36);
    sim.data().login_sessions.insert(
        session.clone(),
        LoginSession {
            csrf: csrf.clone(),
            expires: sim.now() + cfg.login_session_seconds,
            request: AuthRequest {
                client_id: cfg.client_id.clone(),
                redirect_uri: redirect_uri.to_string(),
                state: state.map(str::to_string),
                challenge: challenge.to_string(),
                scope: p.get("scope").unwrap_or(SCOPE).to_string(),
            },
        },
    );
    let mut r = login_form(&csrf, false);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "JSESSIONID={session}; Path=/authorizationserver; HttpOnly"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// `GET /authorizationserver/login[?error=bad_credentials]`: the login page again for the
/// session of the cookie.
pub async fn login_page(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let error = parse_pairs(q.as_deref())
        .map(|p| p.get("error").is_some())
        .unwrap_or(false);
    let data = sim.data();
    let now = sim.now();
    match cookie(&headers, "JSESSIONID").and_then(|s| data.login_sessions.get(&s).cloned()) {
        Some(s) if s.expires > now => login_form(&s.csrf, error),
        _ => html_error(
            StatusCode::FORBIDDEN,
            "Your login session has expired. Start the sign-in again.",
        ),
    }
}

/// `POST /authorizationserver/login` (form `username`, `password`, `_csrf`, cookie `JSESSIONID`).
pub async fn login(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match std::str::from_utf8(&body)
        .ok()
        .map(|s| parse_pairs(Some(s)))
    {
        Some(Ok(f)) => f,
        _ => return html_error(StatusCode::BAD_REQUEST, "Malformed request"),
    };
    let now = sim.now();
    let mut data = sim.data();
    let session_id = cookie(&headers, "JSESSIONID");
    let session = session_id
        .as_ref()
        .and_then(|s| data.login_sessions.get(s).cloned());
    let Some(session) =
        session.filter(|s| s.expires > now && form.get("_csrf") == Some(s.csrf.as_str()))
    else {
        return html_error(
            StatusCode::FORBIDDEN,
            "Invalid CSRF Token or expired session",
        );
    };
    let username = form.get("username").unwrap_or("").to_ascii_lowercase();
    let ok = data.user(&username).is_some_and(|u| {
        Some(u.password.as_str()) == form.get("password") && u.deactivated.is_none_or(|t| t > now)
    });
    if !ok {
        return redirect("/authorizationserver/login?error=bad_credentials");
    }
    if let Some(s) = session_id {
        data.login_sessions.remove(&s);
    }
    let code = random_token(43);
    data.codes.insert(
        code.clone(),
        AuthCode {
            user: username,
            request: session.request.clone(),
            expires: now + sim.config().code_lifetime_seconds,
            used: false,
            issued: vec![],
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = session.request.state.as_deref() {
        pairs.push(("state", s));
    }
    redirect(&with_query(&session.request.redirect_uri, &pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn basic_auth_decodes() {
        assert_eq!(
            decode_base64("bW9iaWxlX2FuZHJvaWQ6c2VjcmV0"),
            Some(b"mobile_android:secret".to_vec())
        );
    }
}
