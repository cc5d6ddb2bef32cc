//! The HTTP edge: the `/asm` API's routes (one file per resource), the signed-in extractor and
//! CSRF guard, the OpenAPI document, and the mapping of domain errors to the wire's error body.
//! No SQL and no rules here: handlers check the request's shape and call the domain and ports.

pub mod acting_as;
pub mod agents;
pub mod audit;
pub mod auth;
pub mod bounds;
pub mod bundle;
pub mod busy;
pub mod cart_limit;
pub mod carts;
pub mod customer360;
pub mod customer_admin;
pub mod customer_auth;
pub mod customer_lists;
pub mod customers;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod sessions;
pub mod sso;
pub mod store_api;
pub mod store_customer;
pub mod storefront;

use crate::http::error::Failure;
use crate::AppState;
use asm_types::error_type;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Path of the OpenAPI document (under `/asm`). The only route that is not in the document.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// Every API operation. `routes!` takes each route's path and method from the handler's
/// `#[utoipa::path]` annotation, so a route cannot be served without being documented: register
/// new routes here with `.routes(routes!(...))`, never with a plain `.route(...)`.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::http::openapi::ApiDoc::openapi())
        .routes(routes!(agents::login))
        .routes(routes!(agents::logout))
        .routes(routes!(agents::me))
        .routes(routes!(agents::renew_session))
        .routes(routes!(agents::get_agent))
        .routes(routes!(sso::sign_in_options))
        .routes(routes!(sso::start))
        .routes(routes!(sso::callback))
        .routes(routes!(customers::search))
        .routes(routes!(customers::carts))
        .routes(routes!(customers::get_customer))
        .routes(routes!(customer360::fragments))
        .routes(routes!(customer_admin::create_customer))
        .routes(routes!(customer_admin::autocomplete))
        .routes(routes!(customer_lists::list))
        .routes(routes!(customer_lists::get))
        .routes(routes!(carts::bind_cart))
        .routes(routes!(sessions::create))
        .routes(routes!(sessions::get, sessions::delete))
        .routes(routes!(audit::list))
        .routes(routes!(acting_as::carts::products))
        .routes(routes!(
            acting_as::carts::list_carts,
            acting_as::carts::create_cart
        ))
        .routes(routes!(
            acting_as::carts::get_cart,
            acting_as::carts::delete_cart
        ))
        .routes(routes!(acting_as::carts::save_cart))
        .routes(routes!(acting_as::carts::restore_cart))
        .routes(routes!(acting_as::carts::add_entry))
        .routes(routes!(
            acting_as::carts::update_entry,
            acting_as::carts::remove_entry
        ))
        .routes(routes!(acting_as::carts::apply_voucher))
        .routes(routes!(acting_as::carts::remove_voucher))
        .routes(routes!(
            acting_as::orders::orders,
            acting_as::orders::place_order
        ))
        .routes(routes!(acting_as::orders::order))
        .routes(routes!(acting_as::returns::cancel_order))
        .routes(routes!(
            acting_as::returns::list_returns,
            acting_as::returns::create_return
        ))
        .routes(routes!(
            acting_as::returns::get_return,
            acting_as::returns::cancel_return
        ))
        .routes(routes!(
            acting_as::support::list_tickets,
            acting_as::support::create_ticket
        ))
        .routes(routes!(acting_as::support::get_ticket))
        .routes(routes!(acting_as::support::create_ticket_event))
        .routes(routes!(acting_as::support::ticket_categories))
        .routes(routes!(acting_as::support::reviews))
        .routes(routes!(acting_as::support::create_review))
        .routes(routes!(
            acting_as::addresses::list,
            acting_as::addresses::create
        ))
        .routes(routes!(
            acting_as::addresses::replace,
            acting_as::addresses::delete
        ))
        .routes(routes!(acting_as::consents::templates))
        .routes(routes!(acting_as::consents::give))
        .routes(routes!(acting_as::consents::withdraw))
        .routes(routes!(acting_as::coupons::coupons))
        .routes(routes!(
            acting_as::coupons::assign_coupon,
            acting_as::coupons::unassign_coupon
        ))
        .routes(routes!(
            acting_as::profile::profile,
            acting_as::profile::update_profile
        ))
}

/// The OpenAPI 3.1 document of the API, as served at `/asm/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::http::openapi::finish(api().into_openapi())
}

/// Routes of the ASM API (mounted under `/asm`), guarded against CSRF, with the OpenAPI
/// document at [`OPENAPI_PATH`].
pub fn router(state: AppState) -> Router {
    let (routes, doc) = api().split_for_parts();
    let json = crate::http::openapi::finish(doc)
        .to_pretty_json()
        .unwrap_or_else(|e| {
            // Cannot happen for a document built from types; the tests read it back.
            tracing::error!(error = %e, "cannot serialise the OpenAPI document");
            String::from("{}")
        });
    routes
        .route(
            OPENAPI_PATH,
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        json,
                    )
                }
            }),
        )
        .fallback(|| async { Failure::not_found("API route") })
        // Also the wrong method on a known path answers with the API's one error body.
        .method_not_allowed_fallback(|| async {
            Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                error_type::NOT_FOUND,
                "This API route does not support this method.",
            )
        })
        .layer(axum::middleware::from_fn(crate::http::auth::expiry_header))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::http::auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(
            crate::http::bounds::bounded_params,
        ))
        .with_state(state)
}

/// `GET /readyz`: 200 `ready` when the session store and the commerce backend both answer, else
/// 503 `ServiceUnavailableError` with `Retry-After` (for a load balancer's readiness check;
/// `/healthz` only says the process is alive).
async fn readiness(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let (store, commerce) = tokio::join!(state.sessions.ping(), state.commerce.ping());
    match store
        .map_err(crate::domain::DomainError::from)
        .and(commerce)
    {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => Failure::from(match e {
            crate::domain::DomainError::Internal(m) => crate::domain::DomainError::Unavailable(m),
            other => other,
        })
        .into_response(),
    }
}

/// `GET /healthz`: 200 `ok` while the process serves. Outside the in-flight cap and the request
/// timeout (see [`crate::app`]), so an overloaded instance still reads as alive.
pub fn health() -> Router {
    Router::new().route("/healthz", get(|| async { (StatusCode::OK, "ok") }))
}

/// The in-flight cap (`--max-in-flight`): a request over it is answered 503 with `Retry-After`
/// at once. The permit is taken without waiting: an awaited acquire (tower's concurrency limit
/// under `load_shed`) can be told "not ready" by tokio's cooperative budget although permits
/// are free, and then refused requests on an idle server.
#[derive(Clone)]
pub struct InFlight(std::sync::Arc<tokio::sync::Semaphore>);

impl InFlight {
    /// A cap of `max` requests (at least 1).
    pub fn new(max: usize) -> Self {
        Self(std::sync::Arc::new(tokio::sync::Semaphore::new(max.max(1))))
    }
}

/// Middleware of [`InFlight`].
pub async fn in_flight_cap(
    axum::extract::State(cap): axum::extract::State<InFlight>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Ok(permit) = cap.0.clone().try_acquire_owned() else {
        return Failure {
            retry_after: Some(1),
            ..Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                error_type::UNAVAILABLE,
                "The server is busy. Please try again in a moment.",
            )
        }
        .into_response();
    };
    let res = next.run(req).await;
    drop(permit);
    res
}

/// The answer of a request past the request timeout (`--request-timeout-ms`): 503
/// `ServiceUnavailableError` with `Retry-After`.
pub async fn overloaded(error: tower::BoxError) -> Failure {
    let (message, retry_after) = if error.is::<tower::timeout::error::Elapsed>() {
        ("The server took too long to answer. Please try again.", 5)
    } else {
        return Failure::internal(error);
    };
    Failure {
        retry_after: Some(retry_after),
        ..Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            error_type::UNAVAILABLE,
            message,
        )
    }
}

/// The probes at the root: `/readyz` (see [`readiness`]).
pub fn probes(state: AppState) -> Router {
    Router::new()
        .route("/readyz", get(readiness))
        .with_state(state)
}
