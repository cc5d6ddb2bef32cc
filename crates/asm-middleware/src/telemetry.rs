//! The log and the request layers around the app.
//!
//! The log is `tracing` on stderr, one line per event — text, or JSON with `--log-format json`
//! — filtered by `RUST_LOG` (default `info`). Every request runs in a `request` span that
//! carries its id (the client's `X-Request-Id` when it is a short token, else a new UUID, echoed
//! in the answer's `X-Request-Id`), method, route pattern and, once known, the agent; so every
//! line logged while it is served names the request. When it is answered one line says its
//! status and latency, and the request metrics count it. The cookie, the query string and the
//! body are never logged.

use crate::config::LogFormat;
use crate::metrics::Metrics;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing_subscriber::filter::{EnvFilter, LevelFilter};

/// The request id header, read and answered.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
pub const MAX_REQUEST_ID_CHARS: usize = 64;

/// The `route` of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Installs the process's log: `format` lines on stderr, filtered by `RUST_LOG` (default
/// `info`; a directive it cannot read is ignored). A second call changes nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `try_init` fails only when a subscriber is already set (a test set one): keep that one.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Whether `value` may serve as a request id: 1 to [`MAX_REQUEST_ID_CHARS`] letters, digits
/// and `-._:`; anything else (long, spaces, control characters) is replaced by a new id.
pub fn is_sane_request_id(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_CHARS).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
}

/// Drops the client's `X-Request-Id` unless it is one sane value, so that a new one is made.
async fn screen_request_id(mut req: Request) -> Request {
    let headers = req.headers();
    let mut values = headers.get_all(&REQUEST_ID).iter();
    let keep = match (values.next(), values.next()) {
        (Some(v), None) => is_sane_request_id(v.as_bytes()),
        _ => false,
    };
    if !keep {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

/// The route pattern of `req` (`MatchedPath`), never its concrete path with customer ids.
fn route_of<B>(req: &axum::http::Request<B>) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
}

/// The span of one request.
fn request_span<B>(req: &axum::http::Request<B>) -> Span {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        route = %route_of(req),
        agent = tracing::field::Empty,
    )
}

/// Names the signed-in `agent` in the current request's span (and so in its answered line).
pub fn record_agent(agent: &str) {
    Span::current().record("agent", tracing::field::display(agent));
}

/// The one line of an answered request.
fn answered(res: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        status = res.status().as_u16(),
        latency_ms = latency.as_micros() as f64 / 1000.0,
        "answered"
    );
}

/// Counts the request in the metrics.
async fn count(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = route_of(&req).to_owned();
    let res = next.run(req).await;
    metrics.request(&method, &route, res.status().as_u16(), started.elapsed());
    res
}

/// `app` with the request layers: request id, span, answered line, request metrics. Applied
/// per route (so the route pattern is known), outside every other layer.
pub fn layer(app: Router, metrics: Arc<Metrics>) -> Router {
    app.layer(axum::middleware::from_fn_with_state(metrics, count))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span::<axum::body::Body>)
                .on_request(())
                .on_response(answered)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::map_request(screen_request_id))
}
