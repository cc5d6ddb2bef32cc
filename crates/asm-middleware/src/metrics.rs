//! Prometheus metrics: request counts and latencies per route and status class, refused
//! sign-ins by reason, the latencies of calls to SAP Commerce and the identity provider (all
//! kept in this process), and — read from the session store at every scrape, so that several
//! instances on one PostgreSQL agree — live agent sessions, active emulations and the store's
//! connection pool.
//!
//! The metrics are served at `GET /metrics` (OpenMetrics text) by [`router`], only on the
//! separate listener of `--metrics-listen` (never on the public one): operators let their
//! scraper reach that address and nobody else.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

/// Latency buckets, seconds: 1 ms to 30 s.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The content type of the exposition.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of an answered request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: &'static str,
}

/// Labels of a refused sign-in.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignInLabels {
    method: &'static str,
    reason: String,
}

/// Labels of a call to another service.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    service: &'static str,
    outcome: &'static str,
}

/// Labels of a connection pool gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The middleware's metrics (one set per [`AppState`], shared by its clones).
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RequestLabels>,
    sign_in_failures: Family<SignInLabels, Counter>,
    call_seconds: Histograms<CallLabels>,
    agent_sessions: Gauge,
    emulations: Gauge,
    pool: Family<PoolLabels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The `status` label: `2xx`, `4xx` …
fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The `method` label: the standard methods, anything else `other` (labels stay few).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

impl Metrics {
    /// Empty metrics, registered under the prefix `asm`.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("asm");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by method, route (the route's pattern) and status class",
            requests.clone(),
        );
        let request_seconds: Histograms<RequestLabels> =
            Family::new_with_constructor(histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request (until its headers), by method, route and status class",
            request_seconds.clone(),
        );
        let sign_in_failures = Family::<SignInLabels, Counter>::default();
        registry.register(
            "sign_in_failures",
            "Refused agent sign-ins, by method (password, sso) and reason (the error type)",
            sign_in_failures.clone(),
        );
        let call_seconds: Histograms<CallLabels> =
            Family::new_with_constructor(histogram as fn() -> Histogram);
        registry.register(
            "outgoing_request_duration_seconds",
            "Calls to other services (sapcc: SAP Commerce, oidc: the identity provider), by \
             outcome (status class, or error when no answer came)",
            call_seconds.clone(),
        );
        let agent_sessions = Gauge::default();
        registry.register(
            "agent_sessions",
            "Live agent sessions in the session store (the same for every instance on it)",
            agent_sessions.clone(),
        );
        let emulations = Gauge::default();
        registry.register(
            "active_emulations",
            "Active emulations of signed-in agents in the session store (the same for every \
             instance on it)",
            emulations.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "This instance's database connections, by pool (session_store; shop: the embedded shop's \
             when the store is PostgreSQL) and state: busy, idle, or max (the pool's size)",
            pool.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            sign_in_failures,
            call_seconds,
            agent_sessions,
            emulations,
            pool,
        }
    }

    /// Counts an answered request of `route` (its pattern, e.g. `/asm/customers/{customerId}`).
    pub fn request(
        &self,
        method: &axum::http::Method,
        route: &str,
        status: u16,
        latency: Duration,
    ) {
        let labels = RequestLabels {
            method: method_label(method),
            route: route.to_owned(),
            status: status_class(status),
        };
        self.requests.get_or_create(&labels).inc();
        self.request_seconds
            .get_or_create(&labels)
            .observe(latency.as_secs_f64());
    }

    /// Counts a refused sign-in: `method` `password` or `sso`, `reason` the error type.
    pub fn sign_in_failed(&self, method: &'static str, reason: &str) {
        self.sign_in_failures
            .get_or_create(&SignInLabels {
                method,
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Records a call to `service` (`sapcc`, `oidc`) that took `latency` and was answered with
    /// `status` (`None`: no answer — timeout, refused connection).
    pub fn call(&self, service: &'static str, status: Option<u16>, latency: Duration) {
        let outcome = status.map_or("error", status_class);
        self.call_seconds
            .get_or_create(&CallLabels { service, outcome })
            .observe(latency.as_secs_f64());
    }

    fn pool_gauges(&self, pool: &'static str, usage: crate::ports::PoolUsage) {
        let gauge = |state, v: u64| {
            self.pool
                .get_or_create(&PoolLabels { pool, state })
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        };
        gauge("busy", usage.open.saturating_sub(usage.idle));
        gauge("idle", usage.idle);
        gauge("max", usage.max);
    }

    /// The exposition, after reading the store's gauges from `state`.
    pub async fn render(&self, state: &AppState) -> Result<String, std::fmt::Error> {
        match state.sessions.activity(state.now(), state.timeouts()).await {
            Ok(activity) => {
                self.agent_sessions
                    .set(i64::try_from(activity.agent_sessions).unwrap_or(i64::MAX));
                self.emulations
                    .set(i64::try_from(activity.emulations).unwrap_or(i64::MAX));
            }
            Err(e) => tracing::warn!(error = %e, "metrics: cannot read the session store"),
        }
        if let Some(usage) = state.sessions.pool_usage() {
            self.pool_gauges("session_store", usage);
        }
        // With `--store sqlite` the shop's pool is the store's: reported once.
        if let (Some(shop), false) = (&state.shop, state.config.store == "sqlite") {
            self.pool_gauges("shop", shop.pool_usage());
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// `GET /metrics`: the metrics of `state` (OpenMetrics text format).
async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.render(&state).await {
        Ok(text) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics: cannot encode");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The metrics endpoint, for the `--metrics-listen` listener only.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}
