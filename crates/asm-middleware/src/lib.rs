//! The reference ASM middleware: a backend-for-frontend that holds agent sessions server-side,
//! serves the ASM API under `/asm`, the overlay bundle under `/asm-overlay`, and a demo store.

pub mod commerce;
pub mod config;
pub mod db;
pub mod domain;
pub mod format;
pub mod http;
pub mod identity;
pub mod metrics;
pub mod ports;
pub mod secret;
pub mod serve;
pub mod store;
pub mod sweep;
pub mod telemetry;

use crate::config::Config;
use crate::domain::DomainResult;
use crate::http::error::ApiResult;
use crate::ports::{Commerce, NewAudit, SessionStore};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The time source, in milliseconds since the Unix epoch (replaceable in tests).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        }))
    }

    /// A clock that reads `now`, which the caller moves.
    pub fn manual(now: Arc<AtomicI64>) -> Self {
        Self(Arc::new(move || now.load(Ordering::SeqCst)))
    }

    /// Current time in ms.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

/// Shared state of every request: one `Arc`, so each of the clones axum makes for a request
/// (every `State` extractor and state-taking middleware) is one reference count, not one for each
/// part (those clones were 3.6 % of `GET /agents/me`'s CPU time).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Clone)]
pub struct Shared {
    /// Agent sessions, emulations, throttle counters and the audit log.
    pub sessions: Arc<dyn SessionStore>,
    /// The shop behind the middleware.
    pub commerce: Arc<dyn Commerce>,
    /// The identity provider agents may sign in with (authorization code + PKCE), if any.
    pub sign_in: Option<Arc<dyn crate::ports::SignInProvider>>,
    /// The embedded demo shop, when it is the backend.
    pub shop: Option<Arc<commerce::embedded::EmbeddedShop>>,
    /// The backend's guest carts (the demo store's `/store/carts` API).
    pub guest_carts: Arc<dyn crate::ports::GuestCarts>,
    /// The backend's customer sign-in (the demo store's `/store/customer` API), if it has one.
    pub customer_accounts: Option<Arc<dyn crate::ports::CustomerAccounts>>,
    /// Configuration.
    pub config: Arc<Config>,
    /// Time source.
    pub clock: Clock,
    /// Each agent's expensive requests in flight.
    pub busy: http::busy::PerAgent,
    /// Anonymous carts created per client address (`--guest-cart-burst`).
    pub cart_limit: http::cart_limit::CartLimit,
    /// The metrics (served with `--metrics-listen`).
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// Opens and migrates the shop database (seeding it if it is new) and, with `--store sqlite`,
    /// the session store in the same file. A PostgreSQL store is connected by the caller and
    /// given to [`AppState::with_store`].
    pub fn open(config: Config, clock: Clock) -> Result<Self, String> {
        let pool = Self::open_shop(&config, &clock)?;
        if config.store != "sqlite" {
            return Err(format!(
                "--store {}: only `sqlite` opens synchronously; connect the store first",
                config.store
            ));
        }
        let store = store::sqlite::SqliteStore::on_pool(pool.clone())?;
        // The store's `audit_log` is in the shop's database: the shop's writes commit their
        // audit records in their own transactions.
        let shop = commerce::embedded::EmbeddedShop::with_audit_log(pool);
        Ok(Self::assemble(shop, Arc::new(store), config, clock))
    }

    /// SAP Commerce Cloud as the backend (`--commerce sapcc`), with `sessions` as the session
    /// store; no demo shop (the demo store's guest carts are SAP's anonymous carts).
    pub fn sap(
        config: Config,
        clock: Clock,
        sessions: Arc<dyn SessionStore>,
    ) -> Result<Self, String> {
        let metrics = Arc::new(metrics::Metrics::new());
        let sap = Self::sap_backend(&config, sessions.clone(), metrics.clone())?;
        let sign_in: Option<Arc<dyn crate::ports::SignInProvider>> = match config.sapcc_auth {
            config::SapAuthKind::Pkce => {
                Some(Arc::new(commerce::sapcc::pkce::SapSignIn::new(sap.clone())))
            }
            config::SapAuthKind::Password => None,
        };
        let sap = Arc::new(sap);
        Ok(Self(Arc::new(Shared {
            commerce: sap.clone(),
            guest_carts: sap,
            customer_accounts: None,
            shop: None,
            sign_in,
            sessions,
            cart_limit: http::cart_limit::CartLimit::new(
                config.guest_cart_burst,
                config.guest_cart_refill_ms,
                clock.clone(),
            ),
            config: Arc::new(config),
            clock,
            busy: Default::default(),
            metrics,
        })))
    }

    /// The SAP adapter of the configuration.
    fn sap_backend(
        config: &Config,
        sessions: Arc<dyn SessionStore>,
        metrics: Arc<metrics::Metrics>,
    ) -> Result<commerce::sapcc::SapCommerce, String> {
        use commerce::sapcc::{tokens::Sealer, SapAuth, SapCommerce, SapConfig};
        if config.sapcc_url.trim().is_empty() {
            return Err("--commerce sapcc needs --sapcc-url (ASM_SAPCC_URL)".into());
        }
        if config.sapcc_client_id.trim().is_empty() {
            return Err("--commerce sapcc needs --sapcc-client-id (ASM_SAPCC_CLIENT_ID)".into());
        }
        let key = if config.token_key.trim().is_empty() {
            tracing::warn!(
                "no --token-key (ASM_TOKEN_KEY): SAP tokens are sealed with a random key, so \
                 agents sign in again after a restart and instances cannot share sessions"
            );
            Sealer::random_key()?
        } else {
            Sealer::parse_key(&config.token_key).map_err(|e| format!("--token-key: {e}"))?
        };
        SapCommerce::new(
            SapConfig {
                url: config.sapcc_url.trim().to_owned(),
                client_id: config.sapcc_client_id.clone(),
                client_secret: config.sapcc_client_secret.clone(),
                base_site: config.base_site.clone(),
                auth: match config.sapcc_auth {
                    config::SapAuthKind::Password => SapAuth::Password,
                    config::SapAuthKind::Pkce => SapAuth::Pkce,
                },
                timeout: std::time::Duration::from_millis(config.sapcc_timeout_ms.max(1)),
                sales_managers: config.sapcc_sales_managers.clone(),
                timeouts: ports::Timeouts {
                    idle_ms: i64::from(config.idle_timeout) * 1000,
                    max_ms: i64::from(config.max_lifetime) * 1000,
                },
            },
            key,
            sessions,
            Some(metrics),
        )
    }

    /// Opens the shop database and uses `sessions` as the session store. Audited writes are
    /// recorded by the store around the shop's write (attempt, then outcome), whatever the
    /// store: only [`AppState::open`] knows the store's audit log shares the shop's database.
    pub fn with_store(
        config: Config,
        clock: Clock,
        sessions: Arc<dyn SessionStore>,
    ) -> Result<Self, String> {
        let pool = Self::open_shop(&config, &clock)?;
        let shop = commerce::embedded::EmbeddedShop::new(pool);
        Ok(Self::assemble(shop, sessions, config, clock))
    }

    fn open_shop(config: &Config, clock: &Clock) -> Result<db::Pool, String> {
        let pool = commerce::embedded::schema::open(&config.db)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        commerce::embedded::seed::seed_if_empty(&mut conn, config.customers, clock.now())?;
        // Seeding a large shop leaves a WAL the size of the data: fold it in and cut it back.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| format!("checkpoint: {e}"))?;
        Ok(pool)
    }

    fn assemble(
        shop: commerce::embedded::EmbeddedShop,
        sessions: Arc<dyn SessionStore>,
        config: Config,
        clock: Clock,
    ) -> Self {
        let shop = Arc::new(shop);
        Self(Arc::new(Shared {
            commerce: shop.clone(),
            guest_carts: shop.clone(),
            customer_accounts: Some(shop.clone()),
            shop: Some(shop),
            sign_in: None,
            sessions,
            cart_limit: http::cart_limit::CartLimit::new(
                config.guest_cart_burst,
                config.guest_cart_refill_ms,
                clock.clone(),
            ),
            config: Arc::new(config),
            clock,
            busy: Default::default(),
            metrics: Arc::new(metrics::Metrics::new()),
        }))
    }

    /// Sets the sign-in provider the configuration names (`--oidc-issuer` …), checking its
    /// settings; nothing is fetched from the provider yet (it is discovered on the first sign-in,
    /// so a provider that is down now does not stop the middleware).
    pub fn configure_sign_in(mut self) -> Result<Self, String> {
        let Some(settings) = identity::oidc::OidcSettings::from_config(&self.config.oidc)? else {
            return Ok(self);
        };
        if self.sign_in.is_some() {
            return Err(
                "--oidc-issuer: the backend already signs agents in through its own authorization \
                 server; configure one sign-in provider"
                    .into(),
            );
        }
        let public = self.config.public_url.as_deref().ok_or(
            "--oidc-issuer needs --public-url (ASM_PUBLIC_URL): the redirect URI is built from it",
        )?;
        match url::Url::parse(public.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => {}
            _ => {
                return Err(format!(
                "--public-url {public}: expected an http(s) URL such as https://asm.example.com"
            ))
            }
        }
        let provider =
            identity::oidc::OidcProvider::new(settings)?.with_metrics(self.metrics.clone());
        Arc::make_mut(&mut self.0).sign_in = Some(Arc::new(provider));
        Ok(self)
    }

    /// Current time in ms.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The session timeouts of the configuration.
    pub fn timeouts(&self) -> ports::Timeouts {
        ports::Timeouts {
            idle_ms: i64::from(self.config.idle_timeout) * 1000,
            max_ms: i64::from(self.config.max_lifetime) * 1000,
        }
    }

    /// The sign-in throttle policy of the configuration.
    pub fn throttle_policy(&self) -> domain::throttle::Policy {
        domain::throttle::Policy::new(
            self.config.login_max_failures,
            i64::from(self.config.login_lock_seconds) * 1000,
        )
    }

    /// Runs the backend write `write` with its audit record (see [`domain::audit::audited`]):
    /// with a remote backend the attempt first, then the write, then its outcome — `ok` with
    /// the detail `write` returns, or the error type that refused it; a crash in between leaves
    /// "attempted, outcome unknown", never a change without a record. With the embedded shop on
    /// the SQLite store's database the record commits in the change's own transaction instead.
    pub async fn audited<T, F>(&self, record: NewAudit, write: F) -> ApiResult<T>
    where
        F: std::future::Future<Output = DomainResult<(T, Option<String>)>>,
    {
        Ok(domain::audit::audited(
            self.sessions.as_ref(),
            self.commerce.as_ref(),
            record,
            write,
        )
        .await?)
    }
}

/// Content security policy of every `/asm` API answer: JSON needs nothing, and no page may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// `Strict-Transport-Security` value, sent only with `--secure-cookie` (the server is behind HTTPS).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The whole application: API, overlay bundle and demo store, with CORS and security headers.
///
/// Every request but `/healthz` counts against `--max-in-flight` and `--request-timeout-ms`
/// (503 `ServiceUnavailableError` with `Retry-After` beyond them). Every request is logged and
/// counted with its id ([`telemetry::layer`]). Every answer carries `X-Request-Id`,
/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
/// `X-Frame-Options: DENY`; `/asm` answers also [`API_CSP`]; the store pages their own CSP and
/// `Cross-Origin-Opener-Policy: same-origin`; with `--secure-cookie`, also [`HSTS`].
pub fn app(state: AppState) -> Router {
    let origins: Vec<HeaderValue> = state
        .config
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("x-asm-request"),
        ])
        .expose_headers([
            HeaderName::from_static("x-asm-session-expires"),
            telemetry::REQUEST_ID,
        ])
        .max_age(std::time::Duration::from_secs(600));
    let api = http::router(state.clone())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        ))
        .layer(CompressionLayer::new())
        .layer(cors);
    let app = Router::new()
        .nest("/asm", api)
        .merge(http::store_api::router(state.clone()))
        .merge(http::probes(state.clone()))
        .merge(http::storefront::router())
        .merge(http::bundle::router(&state.config))
        // Load shedding: at most `--max-in-flight` requests at once (more get 503 at once), each
        // answered within `--request-timeout-ms` (reading its body included).
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(
                    http::overloaded,
                ))
                .timeout(std::time::Duration::from_millis(
                    state.config.request_timeout_ms.max(1),
                )),
        )
        .layer(axum::middleware::from_fn_with_state(
            http::InFlight::new(state.config.max_in_flight),
            http::in_flight_cap,
        ))
        .merge(http::health())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));
    let app = if state.config.secure_cookie {
        app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        app
    };
    telemetry::layer(app, state.metrics.clone())
}
