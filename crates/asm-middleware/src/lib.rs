//! The reference ASM middleware: a backend-for-frontend that holds agent sessions server-side,
//! serves the ASM API under `/asm`, the overlay bundle under `/asm-overlay`, and a demo store.

pub mod auth;
pub mod bundle;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod pricing;
pub mod routes;
pub mod search;
pub mod seed;
pub mod store_api;
pub mod storefront;
pub mod throttle;

use crate::config::Config;
use crate::error::{ApiResult, Failure};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use r2d2_sqlite::rusqlite::Connection;
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

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState {
    /// Database connections.
    pub pool: db::Pool,
    /// Configuration.
    pub config: Arc<Config>,
    /// Time source.
    pub clock: Clock,
    /// Sign-in throttle.
    pub throttle: Arc<throttle::Throttle>,
}

impl AppState {
    /// Opens and migrates the database and seeds it if it is new.
    pub fn open(config: Config, clock: Clock) -> Result<Self, String> {
        let pool = db::open(&config.db)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        seed::seed_if_empty(&mut conn, config.customers, clock.now())?;
        let limits = throttle::Limits {
            account_failures: config.login_max_failures,
            lock_ms: i64::from(config.login_lock_seconds) * 1000,
            ..throttle::Limits::default()
        };
        Ok(Self {
            throttle: Arc::new(throttle::Throttle::new(limits)),
            pool,
            config: Arc::new(config),
            clock,
        })
    }

    /// Current time in ms.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(Failure::internal)?
    }
}

/// Content security policy of every `/asm` API answer: JSON needs nothing, and no page may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// `Strict-Transport-Security` value, sent only with `--secure-cookie` (the server is behind HTTPS).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The whole application: API, overlay bundle and demo store, with CORS and security headers.
///
/// Every answer carries `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
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
        .expose_headers([HeaderName::from_static("x-asm-session-expires")])
        .max_age(std::time::Duration::from_secs(600));
    let api = routes::router(state.clone())
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
        .merge(store_api::router(state.clone()))
        .merge(storefront::router())
        .merge(bundle::router(&state.config))
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
    if state.config.secure_cookie {
        app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        app
    }
}
