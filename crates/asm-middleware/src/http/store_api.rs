//! The demo store's own API for anonymous shoppers' carts (`/store/carts/...`), on the backend's
//! [`GuestCarts`](crate::ports::GuestCarts) port. It is not part of the ASM contract (no
//! OpenAPI): it only lets the demo storefront keep a cart for a shopper who is not signed in,
//! whose number the shopper reads to an agent for "bind cart".
//!
//! Only guest carts can be read or changed here: a cart that belongs to a customer (bound by an
//! agent) or was ordered answers 404, so the store forgets it and starts a new one. `{handle}`
//! is the cart code in the embedded shop (the code is then the cart's only "credential", as in
//! the demo it is read out over the phone) and SAP's `guid` on SAP Commerce (the code is only
//! shown).

use crate::http::acting_as::carts::check_quantity;
use crate::http::customer_auth::require_json;
use crate::http::error::ApiResult;
use crate::http::extract::{ClientAddr, Json, Path};
use crate::AppState;
use asm_types::{AddEntryRequest, Cart, QuantityRequest, VoucherRequest};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::routing::{delete, get, patch, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// `POST /store/carts`: a new empty anonymous cart (201); at most `--guest-cart-burst` at once
/// per client address, then one every `--guest-cart-refill-ms` (else 429 with `Retry-After`).
async fn create(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<Cart>)> {
    require_json(&headers)?;
    state.cart_limit.check(client)?;
    let cart = state.guest_carts.create(state.now()).await?;
    Ok((StatusCode::CREATED, Json(cart)))
}

/// `GET /store/carts/{handle}`: a guest cart.
async fn read(State(state): State<AppState>, Path(handle): Path<String>) -> ApiResult<Json<Cart>> {
    Ok(Json(state.guest_carts.read(&handle).await?))
}

/// `POST /store/carts/{handle}/entries`: add a product (quantities add up, at most 99).
async fn add_entry(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    Json(req): Json<AddEntryRequest>,
) -> ApiResult<Json<Cart>> {
    let quantity = req.quantity.unwrap_or(1);
    check_quantity(quantity, 1)?;
    let product = req.product_code.trim();
    Ok(Json(
        state
            .guest_carts
            .add_entry(&handle, product, quantity, state.now())
            .await?,
    ))
}

/// `PATCH /store/carts/{handle}/entries/{productCode}`: set a line's quantity (0 removes it).
async fn update_entry(
    State(state): State<AppState>,
    Path((handle, product)): Path<(String, String)>,
    Json(req): Json<QuantityRequest>,
) -> ApiResult<Json<Cart>> {
    check_quantity(req.quantity, 0)?;
    Ok(Json(
        state
            .guest_carts
            .update_entry(&handle, &product, req.quantity, state.now())
            .await?,
    ))
}

/// `DELETE /store/carts/{handle}/entries/{productCode}`: remove a line.
async fn remove_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((handle, product)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_json(&headers)?;
    Ok(Json(
        state
            .guest_carts
            .remove_entry(&handle, &product, state.now())
            .await?,
    ))
}

/// `POST /store/carts/{handle}/vouchers`: apply a voucher as the shopper alone (a voucher
/// valid only during a call with customer support is refused).
async fn apply_voucher(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    Json(req): Json<VoucherRequest>,
) -> ApiResult<Json<Cart>> {
    Ok(Json(
        state
            .guest_carts
            .apply_voucher(&handle, &req.voucher_id, state.now())
            .await?,
    ))
}

/// `DELETE /store/carts/{handle}/vouchers/{voucherId}`: remove an applied voucher.
async fn remove_voucher(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((handle, voucher)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_json(&headers)?;
    Ok(Json(
        state
            .guest_carts
            .remove_voucher(&handle, &voucher, state.now())
            .await?,
    ))
}

/// Routes of the store's API — anonymous carts and the signed-in customer's
/// ([`crate::http::store_customer`]) — merged at the root, next to the storefront.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::http::store_customer::routes())
        .route("/store/carts", post(create))
        .route("/store/carts/{handle}", get(read))
        .route("/store/carts/{handle}/entries", post(add_entry))
        .route(
            "/store/carts/{handle}/entries/{product}",
            patch(update_entry).delete(remove_entry),
        )
        .route("/store/carts/{handle}/vouchers", post(apply_voucher))
        .route(
            "/store/carts/{handle}/vouchers/{voucher}",
            delete(remove_voucher),
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
