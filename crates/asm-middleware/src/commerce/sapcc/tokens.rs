//! The agent's SAP tokens: sealed (ChaCha20-Poly1305, key from the configuration) before they go
//! into the session store, and the authorization server's token, refresh and revoke calls
//! (§2 of SAP-CONTRACT.md).

use super::http::{Answer, Http};
use crate::ports::{DomainError, TokenGrant};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};

/// Seals and opens token grants with one 256-bit key.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

/// What a sealed grant holds.
#[derive(Serialize, Deserialize)]
struct Sealed {
    a: String,
    r: Option<String>,
    e: i64,
}

/// Version prefix of sealed grants (a new key or format gets a new one).
const PREFIX: &str = "v1.";

impl Sealer {
    /// A sealer with `key` (32 bytes).
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    /// Reads a key given as 64 hex digits or as base64 of 32 bytes.
    pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|e| e.to_string())?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .or_else(|_| URL_SAFE_NO_PAD.decode(text))
                .map_err(|_| {
                    "the token key must be 64 hex digits or base64 of 32 bytes".to_owned()
                })?
        };
        bytes
            .try_into()
            .map_err(|_| "the token key must be 32 bytes (64 hex digits)".to_owned())
    }

    /// A random key (tokens then do not survive a restart, nor reach another instance).
    pub fn random_key() -> Result<[u8; 32], String> {
        let mut key = [0_u8; 32];
        getrandom::fill(&mut key).map_err(|e| format!("no randomness: {e}"))?;
        Ok(key)
    }

    /// The grant, encrypted and authenticated, as text.
    pub fn seal(&self, grant: &TokenGrant) -> Result<String, DomainError> {
        let plain = serde_json::to_vec(&Sealed {
            a: grant.access_token.clone(),
            r: grant.refresh_token.clone(),
            e: grant.expires_at,
        })
        .map_err(DomainError::internal)?;
        let mut nonce = [0_u8; 12];
        getrandom::fill(&mut nonce).map_err(DomainError::internal)?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| DomainError::internal("cannot seal the SAP tokens"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// The grant in `text`; `None` when it was sealed with another key or is damaged (the
    /// agent then signs in again).
    pub fn open(&self, text: &str) -> Option<TokenGrant> {
        let raw = URL_SAFE_NO_PAD.decode(text.strip_prefix(PREFIX)?).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), sealed).ok()?;
        let s: Sealed = serde_json::from_slice(&plain).ok()?;
        Some(TokenGrant {
            access_token: s.a,
            refresh_token: s.r,
            expires_at: s.e,
        })
    }
}

/// The token endpoint's success answer (RFC 6749 §5.1).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

/// Lifetime assumed when SAP's answer has no `expires_in` (the client library's fallback).
const FALLBACK_LIFETIME_S: i64 = 3600;

/// What a token request came to.
#[derive(Debug)]
pub enum Grant {
    /// Tokens.
    Granted(TokenGrant),
    /// `invalid_grant` (a wrong password, a used or expired code or refresh token) or
    /// `invalid_token`: SAP's refusal text.
    Refused(String),
    /// The grant type is not offered (`unsupported_grant_type`: the jdk21 line has no password
    /// grant).
    Unsupported,
}

/// The OAuth client of the middleware at SAP's authorization server.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    /// `{host}/authorizationserver`.
    pub base: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
}

impl OAuthClient {
    /// `POST /oauth/token` with `fields` after `grant_type`, `scope` and the client's
    /// credentials (the order Spartacus sends them in, §2.1).
    pub async fn token(
        &self,
        http: &Http,
        grant_type: &str,
        fields: &[(&str, &str)],
        now_ms: i64,
    ) -> Result<Grant, DomainError> {
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", grant_type),
            ("scope", ""),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
        ];
        form.extend_from_slice(fields);
        let answer = http
            .send(
                http.client()
                    .post(format!("{}/oauth/token", self.base))
                    .form(&form),
            )
            .await?;
        read_grant(&answer, now_ms)
    }

    /// Revokes the access and the refresh token (two calls, each with the access token as
    /// bearer, §2.1). Failures are logged and ignored: the agent is signed out anyway.
    pub async fn revoke(&self, http: &Http, grant: &TokenGrant) {
        let mut tokens = vec![(grant.access_token.as_str(), "access_token")];
        if let Some(refresh) = grant.refresh_token.as_deref() {
            tokens.push((refresh, "refresh_token"));
        }
        for (token, hint) in tokens {
            let request = http
                .client()
                .post(format!("{}/oauth/revoke", self.base))
                .bearer_auth(&grant.access_token)
                .form(&[
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", self.client_secret.as_str()),
                    ("token", token),
                    ("token_type_hint", hint),
                ]);
            match http.send(request).await {
                Ok(a) if a.status.is_success() => {}
                Ok(a) => tracing::warn!(
                    status = a.status.as_u16(),
                    "SAP token revocation answered an error"
                ),
                Err(e) => tracing::warn!(error = ?e, "SAP token revocation failed"),
            }
        }
    }
}

/// Reads a token endpoint answer.
fn read_grant(answer: &Answer, now_ms: i64) -> Result<Grant, DomainError> {
    if answer.status.is_success() {
        let t: TokenAnswer = answer.json()?;
        let lifetime = t.expires_in.unwrap_or(FALLBACK_LIFETIME_S).max(0);
        return Ok(Grant::Granted(TokenGrant {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_at: now_ms.saturating_add(lifetime.saturating_mul(1000)),
        }));
    }
    if answer.status.is_server_error() {
        return Err(answer.error());
    }
    match answer.sap_error() {
        Some(e) if e.kind == "invalid_grant" || e.kind == "invalid_token" => {
            Ok(Grant::Refused(e.message))
        }
        Some(e) if e.kind == "unsupported_grant_type" || e.kind == "unauthorized_client" => {
            Ok(Grant::Unsupported)
        }
        Some(e) if e.kind == "invalid_client" => {
            tracing::error!(detail = %e.message, "SAP Commerce refused the OAuth client");
            Err(client_refused())
        }
        // An empty 401 (a jdk21 quirk) says the request or the client is wrong.
        None if answer.status == reqwest::StatusCode::UNAUTHORIZED => {
            tracing::error!("SAP Commerce's token endpoint answered an empty 401");
            Err(client_refused())
        }
        _ => Err(answer.error()),
    }
}

fn client_refused() -> DomainError {
    DomainError::BackendUnavailable(
        "SAP Commerce refused the middleware's OAuth client; ask the operator to check its \
         client id and secret."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_grants_open_only_with_their_key() {
        let sealer = Sealer::new([7; 32]);
        let grant = TokenGrant {
            access_token: "at".into(),
            refresh_token: Some("rt".into()),
            expires_at: 42,
        };
        let sealed = sealer.seal(&grant).expect("seal");
        assert!(!sealed.contains("at\""), "the token is not readable");
        assert_eq!(sealer.open(&sealed), Some(grant.clone()));
        assert_ne!(sealer.seal(&grant).expect("seal"), sealed, "a fresh nonce");
        assert_eq!(Sealer::new([8; 32]).open(&sealed), None);
        assert_eq!(sealer.open("v1.AAAA"), None);
        assert_eq!(sealer.open("garbage"), None);
    }

    #[test]
    fn keys_read_as_hex_or_base64() {
        let hex = "00".repeat(31) + "ff";
        assert_eq!(Sealer::parse_key(&hex).expect("hex")[31], 255);
        let b64 = base64::engine::general_purpose::STANDARD.encode([1_u8; 32]);
        assert_eq!(Sealer::parse_key(&b64).expect("b64"), [1; 32]);
        assert!(Sealer::parse_key("short").is_err());
    }
}
