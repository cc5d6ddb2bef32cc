//! The `/asm` API routes.

pub mod agents;
pub mod customers;
pub mod sessions;

use crate::error::Failure;
use crate::AppState;
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::csrf_guard,
        ))
        .with_state(state)
}
