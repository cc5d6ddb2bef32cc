//! The `/asm` API routes.

pub mod agents;
pub mod customers;
pub mod sessions;

use crate::error::Failure;
use crate::AppState;
use asm_types::error_type;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

/// Routes of the ASM API (mounted under `/asm`), guarded against CSRF.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/agents/login", post(agents::login))
        .route("/agents/logout", post(agents::logout))
        .route("/agents/me", get(agents::me))
        .route("/agents/{agent_id}", get(agents::get_agent))
        .route("/customers/search", get(customers::search))
        .route("/customers/{customer_id}/carts", get(customers::carts))
        .route("/sessions", post(sessions::create))
        .route(
            "/sessions/{session_id}",
            get(sessions::get).delete(sessions::delete),
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
        .layer(axum::middleware::from_fn(crate::auth::expiry_header))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::csrf_guard,
        ))
        .with_state(state)
}
