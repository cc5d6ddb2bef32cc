//! The sign-in port on any OpenID Connect provider (Entra ID, Okta, Keycloak, …): issuer
//! discovery, the authorization request (code flow, PKCE S256, nonce), the code exchange with the
//! client's secret, and ID-token validation (signature against the provider's keys, `iss`, `aud`,
//! `exp`, `nonce`) by the `openidconnect` crate. The agent comes from the validated claims: uid
//! from `preferred_username` (else `email`, else `sub`), name, e-mail, and the groups claim
//! mapped to `asagentgroup` / `asagentsalesmanagergroup`. When the ID token lacks the groups
//! claim and the provider has a userinfo endpoint, the claims of userinfo are used too.
//!
//! The provider is discovered lazily, on the first sign-in, and again after a failure or an hour
//! (its keys rotate): a provider that is down at start-up does not stop the middleware, and
//! sign-ins work as soon as it is back.

use crate::ports::{AuthorizeRequest, DomainError, DomainResult, ExternalSignIn, SignInProvider};
use asm_types::{error_type, Agent, AGENT_GROUP, SALES_MANAGER_GROUP};
use async_trait::async_trait;
use base64::Engine as _;
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
    CoreGenderClaim, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthenticationFlow, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeVerifier, ProviderMetadata, RedirectUrl, RequestTokenError, Scope,
    TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The longest one call to the provider may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a discovered configuration (endpoints, signing keys) is used before it is fetched again.
pub const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

/// How the adapter talks to the provider and maps its users to agents.
#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// The issuer URL (exactly as the provider's `iss`).
    pub issuer: String,
    /// The registered client id.
    pub client_id: String,
    /// The client secret (confidential client), if any.
    pub client_secret: Option<String>,
    /// The button's label.
    pub label: String,
    /// Scopes to ask for (`openid` is added when missing).
    pub scopes: Vec<String>,
    /// The claim that lists the user's groups or roles.
    pub groups_claim: String,
    /// The claim value that makes the user an agent.
    pub agent_group: String,
    /// The claim value that makes the user a sales manager (and an agent).
    pub sales_manager_group: String,
}

impl OidcSettings {
    /// The settings of the configuration, or `None` without `--oidc-issuer`; an error when the
    /// issuer is set but the client id is missing.
    pub fn from_config(c: &crate::config::OidcConfig) -> Result<Option<Self>, String> {
        let Some(issuer) = c
            .issuer
            .as_ref()
            .map(|i| i.trim())
            .filter(|i| !i.is_empty())
        else {
            return Ok(None);
        };
        let client_id = c
            .client_id
            .as_ref()
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .ok_or("--oidc-issuer needs --oidc-client-id (ASM_OIDC_CLIENT_ID)")?;
        IssuerUrl::new(issuer.to_owned())
            .map_err(|e| format!("--oidc-issuer {issuer}: not a URL ({e})"))?;
        let mut scopes: Vec<String> = c.scopes.split_whitespace().map(str::to_owned).collect();
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        Ok(Some(Self {
            issuer: issuer.to_owned(),
            client_id,
            client_secret: c.client_secret.clone().filter(|s| !s.is_empty()),
            label: c.label.clone(),
            scopes,
            groups_claim: c.groups_claim.clone(),
            agent_group: c.agent_group.clone(),
            sales_manager_group: c.sales_manager_group.clone(),
        }))
    }
}

/// Claims beyond the standard ones, kept as they came (the groups claim is configurable).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

/// RFC 9207's discovery field, beyond the core ones: the provider names itself (`iss`) in every
/// authorization response.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct IssuerInResponse {
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for IssuerInResponse {}

/// The discovery document: the core fields and RFC 9207's.
type Metadata = ProviderMetadata<
    IssuerInResponse,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

struct Discovered {
    metadata: Metadata,
    at: Instant,
}

/// The OpenID Connect provider. See the module comment.
pub struct OidcProvider {
    settings: OidcSettings,
    http: TimedHttp,
    discovered: Mutex<Option<Arc<Discovered>>>,
}

/// The HTTP client of the provider's calls (discovery, keys, code exchange, userinfo), each
/// timed in the metrics (`oidc`) when it has them.
struct TimedHttp {
    client: openidconnect::reqwest::Client,
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

type HttpError = openidconnect::HttpClientError<openidconnect::reqwest::Error>;

impl<'c> openidconnect::AsyncHttpClient<'c> for TimedHttp {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, HttpError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let started = Instant::now();
            let answer = openidconnect::AsyncHttpClient::call(&self.client, request).await;
            if let Some(metrics) = &self.metrics {
                let status = answer.as_ref().ok().map(|a| a.status().as_u16());
                metrics.call("oidc", status, started.elapsed());
            }
            answer
        })
    }
}

/// The client as discovery configures it: authorization endpoint set, token and userinfo
/// endpoints "maybe" set.
type DiscoveredClient = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn refused(message: impl Into<String>) -> DomainError {
    DomainError::refused(error_type::SIGN_IN_PROVIDER, message)
}

impl OidcProvider {
    /// The adapter for `settings`; nothing is fetched yet.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        let http = openidconnect::reqwest::Client::builder()
            // The provider's endpoints answer directly; following redirects would open SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for the identity provider: {e}"))?;
        Ok(Self {
            settings,
            http: TimedHttp {
                client: http,
                metrics: None,
            },
            discovered: Mutex::new(None),
        })
    }

    /// Times the provider's calls in `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.http.metrics = Some(metrics);
        self
    }

    /// The provider's configuration, discovered now when not yet known (or too old).
    async fn metadata(&self) -> DomainResult<Arc<Discovered>> {
        let mut slot = self.discovered.lock().await;
        if let Some(d) = slot.as_ref() {
            if d.at.elapsed() < DISCOVERY_TTL {
                return Ok(d.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| DomainError::internal(format!("issuer URL: {e}")))?;
        let metadata = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                let detail = error_chain(&e);
                tracing::warn!(
                    issuer = %self.settings.issuer,
                    error = %detail,
                    "identity provider discovery failed"
                );
                DomainError::Unavailable(format!(
                    "the identity provider {} did not answer its discovery request: {detail}",
                    self.settings.issuer
                ))
            })?;
        let d = Arc::new(Discovered {
            metadata,
            at: Instant::now(),
        });
        *slot = Some(d.clone());
        Ok(d)
    }

    /// Forgets the discovered configuration (the next sign-in fetches it again): after the
    /// provider's keys did not verify a token, they may have rotated.
    async fn forget(&self) {
        *self.discovered.lock().await = None;
    }

    fn client(&self, d: &Discovered, redirect_uri: &str) -> DomainResult<DiscoveredClient> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| DomainError::internal(format!("redirect URI: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            d.metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The agent of the validated claims, or a refusal.
    fn agent(&self, claims: &Map<String, Value>) -> DomainResult<Agent> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let uid = text("preferred_username")
            .or_else(|| text("email"))
            .or_else(|| text("sub"))
            .ok_or_else(|| refused("The identity provider did not say who signed in."))?;
        let email = text("email").unwrap_or_default();
        let name = text("name")
            .or_else(|| match (text("given_name"), text("family_name")) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                (g, f) => g.or(f),
            })
            .unwrap_or_else(|| uid.clone());
        let member = groups(claims.get(&self.settings.groups_claim));
        let manager = member
            .iter()
            .any(|g| g == &self.settings.sales_manager_group);
        let agent = manager || member.iter().any(|g| g == &self.settings.agent_group);
        if !agent {
            return Err(DomainError::refused(
                error_type::NOT_AN_AGENT,
                "This account is not a customer support agent's. Only agents can sign in to \
                 Assisted Service Mode.",
            )
            .with_subject(uid));
        }
        let mut mapped = vec![AGENT_GROUP.to_owned()];
        if manager {
            mapped.push(SALES_MANAGER_GROUP.to_owned());
        }
        Ok(Agent {
            uid,
            name,
            email,
            groups: mapped,
        })
    }
}

/// The values of a groups claim: a list of strings, or one string (some providers send one
/// group so, or space separated).
fn groups(claim: Option<&Value>) -> Vec<String> {
    match claim {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The payload of a JWT whose signature was verified already.
fn jwt_payload(jwt: &str) -> DomainResult<Map<String, Value>> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| refused("The identity provider sent a malformed ID token."))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| refused("The identity provider sent a malformed ID token."))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| refused("The identity provider sent a malformed ID token."))
}

/// An error and its sources, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[async_trait]
impl SignInProvider for OidcProvider {
    fn label(&self) -> String {
        self.settings.label.clone()
    }

    /// RFC 9207 (mix-up defence): an `iss` in the response must be this provider's issuer, and
    /// a provider that announces `authorization_response_iss_parameter_supported` must send it.
    async fn check_issuer(&self, iss: Option<&str>) -> DomainResult<()> {
        let d = self.metadata().await?;
        let expected = d.metadata.issuer().as_str();
        match iss {
            Some(iss) if iss == expected => Ok(()),
            Some(iss) => Err(refused(format!(
                "the authorization response names the issuer {iss}, not {expected}"
            ))),
            None if d
                .metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported =>
            {
                Err(refused(format!(
                    "the authorization response has no issuer, though {expected} announces one"
                )))
            }
            None => Ok(()),
        }
    }

    async fn authorize_url(&self, request: &AuthorizeRequest) -> DomainResult<String> {
        let d = self.metadata().await?;
        let client = self.client(&d, &request.redirect_uri)?;
        let (state, nonce) = (request.state.clone(), request.nonce.clone());
        let mut auth = client.authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            move || CsrfToken::new(state),
            move || Nonce::new(nonce),
        );
        for scope in &self.settings.scopes {
            if scope != "openid" {
                auth = auth.add_scope(Scope::new(scope.clone()));
            }
        }
        let (url, _, _) = auth
            .add_extra_param("code_challenge", request.code_challenge.clone())
            .add_extra_param("code_challenge_method", "S256")
            .url();
        Ok(url.to_string())
    }

    async fn complete(
        &self,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> DomainResult<ExternalSignIn> {
        let d = self.metadata().await?;
        let client = self.client(&d, redirect_uri)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| refused(format!("The identity provider has no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(code_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => refused(format!(
                    "The identity provider refused the code: {}",
                    r.error()
                )),
                RequestTokenError::Request(e) => DomainError::Unavailable(format!(
                    "the identity provider's token endpoint did not answer: {}",
                    error_chain(&e)
                )),
                other => refused(format!(
                    "The identity provider's token endpoint answered something unusable: {}",
                    error_chain(&other)
                )),
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| refused("The identity provider sent no ID token."))?;
        let verified = id_token.claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()));
        let subject = match verified {
            Ok(claims) => claims.subject().clone(),
            Err(e) => {
                if matches!(e, ClaimsVerificationError::SignatureVerification(_)) {
                    self.forget().await;
                }
                return Err(refused(format!(
                    "The identity provider's ID token is not valid: {e}"
                )));
            }
        };
        let mut claims = jwt_payload(&id_token.to_string())?;
        if !claims.contains_key(&self.settings.groups_claim) {
            if let Ok(request) = client.user_info(token.access_token().clone(), Some(subject)) {
                let info: Result<UserInfoClaims<OtherClaims, CoreGenderClaim>, _> =
                    request.request_async(&self.http).await;
                match info {
                    Ok(info) => {
                        let extra = serde_json::to_value(&info)
                            .ok()
                            .and_then(|v| v.as_object().cloned())
                            .unwrap_or_default();
                        for (k, v) in extra {
                            claims.entry(k).or_insert(v);
                        }
                    }
                    Err(e) => tracing::warn!(
                        issuer = %self.settings.issuer,
                        error = %error_chain(&e),
                        "identity provider userinfo failed"
                    ),
                }
            }
        }
        Ok(ExternalSignIn {
            agent: self.agent(&claims)?,
            tokens: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> OidcProvider {
        OidcProvider::new(OidcSettings {
            issuer: "http://127.0.0.1:9/".into(),
            client_id: "asm".into(),
            client_secret: None,
            label: "Test".into(),
            scopes: vec!["openid".into()],
            groups_claim: "roles".into(),
            agent_group: "support".into(),
            sales_manager_group: "support-managers".into(),
        })
        .expect("client")
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn agents_come_from_the_configured_groups_claim() {
        let p = provider();
        let a = p
            .agent(&claims(serde_json::json!({
                "sub": "s1", "preferred_username": "jdoe", "email": "j@x", "name": "J Doe",
                "roles": ["support"]
            })))
            .expect("agent");
        assert_eq!(a.uid, "jdoe");
        assert_eq!(a.groups, vec![AGENT_GROUP.to_owned()]);
        let m = p
            .agent(&claims(serde_json::json!({
                "sub": "s2", "email": "m@x", "roles": "other support-managers"
            })))
            .expect("manager");
        assert_eq!(m.uid, "m@x");
        assert_eq!(m.name, "m@x");
        assert!(m.is_sales_manager());
        let by_sub = p
            .agent(&claims(
                serde_json::json!({"sub": "s3", "roles": ["support"], "given_name": "Ann"}),
            ))
            .expect("sub");
        assert_eq!((by_sub.uid.as_str(), by_sub.name.as_str()), ("s3", "Ann"));
    }

    #[test]
    fn users_without_the_agent_group_are_refused() {
        let p = provider();
        for groups in [
            serde_json::json!(["customers"]),
            Value::Null,
            serde_json::json!(7),
        ] {
            let e = p
                .agent(&claims(
                    serde_json::json!({"sub": "c", "email": "c@x", "roles": groups}),
                ))
                .expect_err("refused");
            assert_eq!(e.kind(), error_type::NOT_AN_AGENT);
            assert_eq!(e.into_api_error().subject.as_deref(), Some("c@x"));
        }
        // The group claim's name matters: `groups` is not `roles` here.
        let e = p
            .agent(&claims(
                serde_json::json!({"sub": "c", "groups": ["support"]}),
            ))
            .expect_err("wrong claim");
        assert_eq!(e.kind(), error_type::NOT_AN_AGENT);
    }

    #[test]
    fn a_malformed_token_payload_is_refused_not_a_panic() {
        assert!(jwt_payload("nodots").is_err());
        assert!(jwt_payload("a.!!!.c").is_err());
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b"{\"sub\":\"x\"}");
        assert_eq!(
            jwt_payload(&format!("h.{body}.s")).expect("payload")["sub"],
            "x"
        );
    }

    #[tokio::test]
    async fn a_dead_provider_is_unavailable_and_tried_again_next_time() {
        let p = provider();
        let req = AuthorizeRequest {
            state: "s".into(),
            code_challenge: "c".into(),
            nonce: "n".into(),
            redirect_uri: "http://127.0.0.1/asm/agents/sso/callback".into(),
        };
        for _ in 0..2 {
            let e = p.authorize_url(&req).await.expect_err("down");
            assert!(matches!(e, DomainError::Unavailable(_)), "{e:?}");
        }
        assert!(p.discovered.lock().await.is_none());
    }

    #[test]
    fn settings_need_a_client_id_and_add_openid() {
        let mut c = crate::config::OidcConfig {
            issuer: Some("https://id.example/".into()),
            scopes: "email profile".into(),
            ..Default::default()
        };
        assert!(OidcSettings::from_config(&c).is_err());
        c.client_id = Some("asm".into());
        let s = OidcSettings::from_config(&c).expect("ok").expect("some");
        assert_eq!(s.scopes, vec!["openid", "email", "profile"]);
        c.issuer = None;
        assert!(OidcSettings::from_config(&c).expect("ok").is_none());
    }
}
