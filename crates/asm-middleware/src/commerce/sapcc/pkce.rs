//! Agent sign-in at SAP Commerce 2211-jdk21's authorization server: authorization code + PKCE
//! through SAP's hosted sign-in page (§2.2), as a [`SignInProvider`].

use super::tokens::Grant;
use super::{now_ms, SapCommerce};
use crate::ports::{AuthorizeRequest, DomainError, DomainResult, ExternalSignIn, SignInProvider};
use asm_types::error_type;
use async_trait::async_trait;

/// SAP's authorization server as the agents' sign-in.
pub struct SapSignIn {
    sap: SapCommerce,
}

impl SapSignIn {
    /// Sign-in through `sap`'s authorization server.
    pub fn new(sap: SapCommerce) -> Self {
        Self { sap }
    }
}

#[async_trait]
impl SignInProvider for SapSignIn {
    fn label(&self) -> String {
        "SAP Commerce".to_owned()
    }

    async fn authorize_url(&self, request: &AuthorizeRequest) -> DomainResult<String> {
        let oauth = &self.sap.shared.oauth;
        let query = [
            ("response_type", "code"),
            ("client_id", oauth.client_id.as_str()),
            ("redirect_uri", request.redirect_uri.as_str()),
            ("code_challenge", request.code_challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", request.state.as_str()),
            ("scope", "basic openid"),
        ];
        let url =
            reqwest::Url::parse_with_params(&format!("{}/oauth/authorize", oauth.base), query)
                .map_err(DomainError::internal)?;
        Ok(url.into())
    }

    async fn complete(
        &self,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> DomainResult<ExternalSignIn> {
        let _ = nonce;
        let grant = self
            .sap
            .shared
            .oauth
            .token(
                &self.sap.shared.http,
                "authorization_code",
                &[
                    ("code", code),
                    ("code_verifier", code_verifier),
                    ("redirect_uri", redirect_uri),
                ],
                now_ms(),
            )
            .await?;
        let grant = match grant {
            Grant::Granted(g) => g,
            Grant::Refused(_) | Grant::Unsupported => {
                return Err(DomainError::refused(
                    error_type::INVALID_CREDENTIALS,
                    "SAP Commerce did not accept this sign-in (the code was used or expired). \
                     Please sign in again.",
                ));
            }
        };
        let uid = token_subject(&grant.access_token).ok_or_else(|| {
            DomainError::BackendUnavailable(
                "SAP Commerce's token does not name the agent (no JWT `sub`); sign in with a \
                 password instead (--sapcc-auth password)."
                    .into(),
            )
        })?;
        match self.sap.agent_for_grant(&grant, &uid).await? {
            Some(agent) => Ok(ExternalSignIn {
                agent,
                tokens: Some(grant),
            }),
            None => Err(DomainError::refused(
                error_type::NOT_AN_AGENT,
                "This SAP Commerce user is not a customer support agent.",
            )),
        }
    }
}

/// The user a JWT access token was issued to (`sub`, or SAP's `user_name`), read from the token
/// the token endpoint just gave us over TLS (so not verified again). `None` for opaque tokens.
fn token_subject(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&raw).ok()?;
    ["user_name", "sub"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()))
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_is_read_from_a_jwt_and_opaque_tokens_name_nobody() {
        use base64::Engine;
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let jwt = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"RS256"}"#),
            enc(r#"{"sub":"ASAgent"}"#)
        );
        assert_eq!(token_subject(&jwt).as_deref(), Some("asagent"));
        assert_eq!(token_subject("opaque-token"), None);
        assert_eq!(token_subject("a.!!.c"), None);
    }
}
