//! The sign-in port: agents signing in through an identity provider by OAuth 2.0 authorization
//! code + PKCE, the middleware being the client (a backend-for-frontend: the browser only ever
//! holds the session cookie). Implemented for OpenID Connect providers (`identity::oidc`) and for
//! SAP Commerce Cloud's authorization server (`commerce::sapcc`).

use super::DomainResult;
use asm_types::Agent;
use async_trait::async_trait;

/// Tokens of the backend that the middleware keeps for a signed-in agent (never sent to the
/// browser): SAP Commerce's access and refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The bearer token.
    pub access_token: String,
    /// The refresh token, when the server issued one.
    pub refresh_token: Option<String>,
    /// When the access token expires (ms since the epoch).
    pub expires_at: i64,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// An agent signed in by a provider, with the backend tokens to keep (if any).
#[derive(Debug, Clone)]
pub struct ExternalSignIn {
    /// Who signed in.
    pub agent: Agent,
    /// Tokens for the commerce backend (SAP); `None` for providers that only identify.
    pub tokens: Option<TokenGrant>,
}

/// One authorization-code flow's secrets, created when the browser is sent to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The `state` parameter (random, checked on the callback).
    pub state: String,
    /// The PKCE `code_challenge` (S256 of the verifier).
    pub code_challenge: String,
    /// The OpenID `nonce` (random; providers without ID tokens ignore it).
    pub nonce: String,
    /// The exact redirect URI registered with the provider.
    pub redirect_uri: String,
}

/// An identity provider agents sign in with. See the module comment.
#[async_trait]
pub trait SignInProvider: Send + Sync + 'static {
    /// What the bar's button says after "Sign in with", e.g. `Contoso SSO`.
    fn label(&self) -> String;

    /// Checks the `iss` parameter of the authorization response (RFC 9207, the defence against
    /// a response from another provider). Providers that do not send it accept `None`.
    async fn check_issuer(&self, iss: Option<&str>) -> DomainResult<()> {
        let _ = iss;
        Ok(())
    }

    /// The provider's authorization URL to send the browser to.
    async fn authorize_url(&self, request: &AuthorizeRequest) -> DomainResult<String>;

    /// Exchanges the callback's single-use `code` (with the PKCE verifier and the nonce of the
    /// flow) for the agent. A refusal (not an agent, a bad code) is a `DomainError::Refused`.
    async fn complete(
        &self,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> DomainResult<ExternalSignIn>;
}
