//! The demo store's own API for anonymous shoppers' carts (`/store/carts/...`). It is not part of
//! the ASM contract (no OpenAPI): it only lets the demo storefront keep a cart for a shopper who
//! is not signed in, whose number the shopper reads to an agent for "bind cart".
//!
//! Only anonymous active carts can be read or changed here: a cart that belongs to a customer
//! (bound by an agent) or was ordered answers 404, so the store forgets it and starts a new one.
//! The cart code is the only "credential" of an anonymous cart, as in the demo it is meant to be
//! read out over the phone; a real shop would tie it to the shopper's own session.

use crate::commerce::embedded::{anonymous, EmbeddedShop};
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path};
use crate::routes::as_customer::check_quantity;
use crate::AppState;
use asm_types::{error_type, AddEntryRequest, Cart, QuantityRequest};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, patch, post};
use axum::Router;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Writes without a JSON body must still say `Content-Type: application/json`: a cross-site page
/// cannot send that without a CORS preflight, which this API never grants.
fn require_json(headers: &HeaderMap) -> ApiResult<()> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_type::VALIDATION,
            "Expected request with `Content-Type: application/json`",
        )
        .with_subject("body"))
    }
}

/// The embedded shop, or 404: anonymous carts exist only in the demo shop.
fn shop(state: &AppState) -> ApiResult<Arc<EmbeddedShop>> {
    state
        .shop
        .clone()
        .ok_or_else(|| Failure::not_found("Store API"))
}

/// `POST /store/carts`: a new empty anonymous cart (201).
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<Cart>)> {
    require_json(&headers)?;
    let now = state.now();
    let cart = shop(&state)?
        .run(move |c| anonymous::create(c, now))
        .await?;
    Ok((StatusCode::CREATED, Json(cart)))
}

/// `GET /store/carts/{code}`: an anonymous active cart.
async fn read(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Cart>> {
    Ok(Json(
        shop(&state)?
            .run(move |c| anonymous::read(c, &code))
            .await?,
    ))
}

/// `POST /store/carts/{code}/entries`: add a product (quantities add up, at most 99).
async fn add_entry(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Json(req): Json<AddEntryRequest>,
) -> ApiResult<Json<Cart>> {
    let quantity = req.quantity.unwrap_or(1);
    check_quantity(quantity, 1)?;
    let product = req.product_code.trim().to_owned();
    let now = state.now();
    Ok(Json(
        shop(&state)?
            .run(move |c| anonymous::add_entry(c, &code, &product, quantity, now))
            .await?,
    ))
}

/// `PATCH /store/carts/{code}/entries/{productCode}`: set a line's quantity (0 removes it).
async fn update_entry(
    State(state): State<AppState>,
    Path((code, product)): Path<(String, String)>,
    Json(req): Json<QuantityRequest>,
) -> ApiResult<Json<Cart>> {
    check_quantity(req.quantity, 0)?;
    let now = state.now();
    Ok(Json(
        shop(&state)?
            .run(move |c| anonymous::update_entry(c, &code, &product, req.quantity, now))
            .await?,
    ))
}

/// `DELETE /store/carts/{code}/entries/{productCode}`: remove a line.
async fn remove_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, product)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_json(&headers)?;
    let now = state.now();
    Ok(Json(
        shop(&state)?
            .run(move |c| anonymous::remove_entry(c, &code, &product, now))
            .await?,
    ))
}

/// Routes of the anonymous cart API (merged at the root, next to the storefront).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/store/carts", post(create))
        .route("/store/carts/{code}", get(read))
        .route("/store/carts/{code}/entries", post(add_entry))
        .route(
            "/store/carts/{code}/entries/{product}",
            patch(update_entry).delete(remove_entry),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(crate::API_CSP),
        ))
        .with_state(state)
}
