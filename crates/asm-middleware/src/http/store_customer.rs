//! The demo store's own customer sign-in and the signed-in customer's shopping
//! (`/store/customer/...`), on the backend's [`CustomerAccounts`](crate::ports::CustomerAccounts)
//! port. Like `/store/carts`, it is the demo store's API, not part of the ASM contract.
//!
//! An agent and a customer are never both signed in in one browser (see
//! [`customer_auth`](crate::http::customer_auth)). The customer's session is an opaque token in an httpOnly `SameSite=Strict` cookie, kept by
//! the shop under its hash. Writes need `Content-Type: application/json` (a cross-site form
//! cannot send it without a preflight, which is never granted). A customer alone cannot use a
//! voucher valid only during a support call. Sign-ins are throttled like the agents'.

use crate::domain::throttle;
use crate::http::acting_as::carts::check_quantity;
use crate::http::auth;
use crate::http::customer_auth::{
    accounts, agent_conflict, agent_signed_in, customer_cookie, end_customer_session, require_json,
    ShoppingCustomer, CUSTOMER_SESSION_MS,
};
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{ClientAddr, Json, Path};
use crate::ports::{DomainError, StoreCustomer};
use crate::AppState;
use asm_types::{
    error_type, AddEntryRequest, Cart, Order, OrderHistory, QuantityRequest, VoucherRequest,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, patch, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};

/// A customer's sign-in.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CustomerLogin {
    email: String,
    password: String,
}

/// The signed-in customer, as the store shows them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomerMe {
    customer_id: String,
    name: String,
    email: String,
}

impl From<StoreCustomer> for CustomerMe {
    fn from(c: StoreCustomer) -> Self {
        Self {
            customer_id: c.customer_id,
            name: c.name,
            email: c.email,
        }
    }
}

/// An order to place from the customer's active cart.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlaceOrder {
    cart_id: String,
}

/// `POST /store/customer/login`: sign in as a customer (refused while an agent is signed in
/// in this browser).
async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Json(req): Json<CustomerLogin>,
) -> ApiResult<(CookieJar, Json<CustomerMe>)> {
    let accounts = accounts(&state)?;
    if agent_signed_in(&state, &jar).await? {
        return Err(agent_conflict());
    }
    let email = req.email.trim();
    if email.is_empty() {
        return Err(Failure::validation("email", "Enter your e-mail."));
    }
    if req.password.is_empty() {
        return Err(Failure::validation("password", "Enter your password."));
    }
    crate::http::bounds::check("email", email, 254)?;
    crate::http::bounds::check("password", &req.password, 256)?;
    let now = state.now();
    let policy = state.throttle_policy();
    let store = state.sessions.as_ref();
    let address = addr.map(|a| a.to_string());
    let keys = policy.keys(
        &format!("customer:{}", throttle::account_name(email)),
        address.as_deref(),
    );
    if let Some(retry_after) = throttle::wait(store, &keys, now).await? {
        return Err(DomainError::Throttled { retry_after }.into());
    }
    let token = auth::random_id(32)?;
    let signed_in = accounts
        .sign_in(
            email,
            &req.password,
            &auth::token_hash(&token),
            now,
            now.saturating_add(CUSTOMER_SESSION_MS),
        )
        .await?;
    let Some(customer) = signed_in else {
        throttle::failed(store, &policy, &keys, now).await?;
        return Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            error_type::INVALID_CREDENTIALS,
            "Wrong e-mail or password.",
        ));
    };
    throttle::succeeded(store, &keys).await?;
    // A session this browser had before is replaced.
    let jar = end_customer_session(&state, jar).await;
    let jar = jar.add(customer_cookie(token, state.config.secure_cookie));
    Ok((jar, Json(customer.into())))
}

/// `POST /store/customer/logout`: sign out (also when not signed in).
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> ApiResult<(StatusCode, CookieJar)> {
    require_json(&headers)?;
    Ok((
        StatusCode::NO_CONTENT,
        end_customer_session(&state, jar).await,
    ))
}

/// `GET /store/customer/me`: the signed-in customer.
async fn me(ShoppingCustomer(c): ShoppingCustomer) -> Json<CustomerMe> {
    Json(c.into())
}

/// `GET /store/customer/cart`: the customer's active cart (`null` when there is none yet).
async fn cart(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
) -> ApiResult<Json<Option<Cart>>> {
    let Some(code) = state.commerce.active_cart(&c.customer_id).await? else {
        return Ok(Json(None));
    };
    Ok(Json(Some(
        state.commerce.cart(&c.customer_id, &code).await?,
    )))
}

/// `POST /store/customer/cart/entries`: add a product (a cart is created when there is none).
async fn add_entry(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
    Json(req): Json<AddEntryRequest>,
) -> ApiResult<Json<Cart>> {
    let quantity = req.quantity.unwrap_or(1);
    check_quantity(quantity, 1)?;
    let now = state.now();
    let current = state.commerce.current_cart(&c.customer_id, now).await?;
    let code = current.value.1.code;
    let changed = state
        .commerce
        .add_entry(
            &c.customer_id,
            &code,
            req.product_code.trim(),
            quantity,
            now,
        )
        .await?;
    Ok(Json(changed.value))
}

/// `PATCH /store/customer/cart/{cartId}/entries/{productCode}`: set a line's quantity.
async fn update_entry(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
    Path((cart_id, product)): Path<(String, String)>,
    Json(req): Json<QuantityRequest>,
) -> ApiResult<Json<Cart>> {
    check_quantity(req.quantity, 0)?;
    let changed = state
        .commerce
        .update_entry(
            &c.customer_id,
            &cart_id,
            &product,
            req.quantity,
            state.now(),
        )
        .await?;
    Ok(Json(changed.value))
}

/// `DELETE /store/customer/cart/{cartId}/entries/{productCode}`: remove a line.
async fn remove_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    ShoppingCustomer(c): ShoppingCustomer,
    Path((cart_id, product)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_json(&headers)?;
    let changed = state
        .commerce
        .remove_entry(&c.customer_id, &cart_id, &product, state.now())
        .await?;
    Ok(Json(changed.value))
}

/// `POST /store/customer/cart/{cartId}/vouchers`: apply a voucher as the customer alone.
async fn apply_voucher(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
    Path(cart_id): Path<String>,
    Json(req): Json<VoucherRequest>,
) -> ApiResult<Json<Cart>> {
    let changed = state
        .commerce
        .apply_voucher(&c.customer_id, &cart_id, &req.voucher_id, None, state.now())
        .await?;
    Ok(Json(changed.value))
}

/// `DELETE /store/customer/cart/{cartId}/vouchers/{voucherId}`: remove an applied voucher.
async fn remove_voucher(
    State(state): State<AppState>,
    headers: HeaderMap,
    ShoppingCustomer(c): ShoppingCustomer,
    Path((cart_id, voucher)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_json(&headers)?;
    let changed = state
        .commerce
        .remove_voucher(&c.customer_id, &cart_id, &voucher, state.now())
        .await?;
    Ok(Json(changed.value))
}

/// `GET /store/customer/orders`: the customer's orders, newest first (the latest 50).
async fn orders(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
) -> ApiResult<Json<OrderHistory>> {
    Ok(Json(state.commerce.orders(&c.customer_id, 0, 50).await?))
}

/// `GET /store/customer/orders/{code}`: one of the customer's orders.
async fn order(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
    Path(code): Path<String>,
) -> ApiResult<Json<Order>> {
    Ok(Json(state.commerce.order(&c.customer_id, &code).await?))
}

/// `POST /store/customer/orders`: place an order from the customer's active cart (201).
async fn place_order(
    State(state): State<AppState>,
    ShoppingCustomer(c): ShoppingCustomer,
    Json(req): Json<PlaceOrder>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let changed = state
        .commerce
        .place_order(&c.customer_id, &req.cart_id, "", state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(changed.value)))
}

/// Routes of the customer API (part of the store's API: [`crate::http::store_api::router`]
/// merges them under its headers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/store/customer/login", post(login))
        .route("/store/customer/logout", post(logout))
        .route("/store/customer/me", get(me))
        .route("/store/customer/cart", get(cart))
        .route("/store/customer/cart/entries", post(add_entry))
        .route(
            "/store/customer/cart/{cart}/entries/{product}",
            patch(update_entry).delete(remove_entry),
        )
        .route("/store/customer/cart/{cart}/vouchers", post(apply_voucher))
        .route(
            "/store/customer/cart/{cart}/vouchers/{voucher}",
            delete(remove_voucher),
        )
        .route("/store/customer/orders", get(orders).post(place_order))
        .route("/store/customer/orders/{code}", get(order))
}
