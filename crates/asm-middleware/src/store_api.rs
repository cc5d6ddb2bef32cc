//! The demo store's own API for anonymous shoppers' carts (`/store/carts/...`). It is not part of
//! the ASM contract (no OpenAPI): it only lets the demo storefront keep a cart for a shopper who
//! is not signed in, whose number the shopper reads to an agent for "bind cart".
//!
//! Only anonymous active carts can be read or changed here: a cart that belongs to a customer
//! (bound by an agent) or was ordered answers 404, so the store forgets it and starts a new one.
//! The cart code is the only "credential" of an anonymous cart, as in the demo it is meant to be
//! read out over the phone; a real shop would tie it to the shopper's own session.

use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path};
use crate::routes::as_customer::{check_quantity, load_cart, next_code, touch_cart, MAX_QUANTITY};
use crate::AppState;
use asm_types::{error_type, AddEntryRequest, Cart, QuantityRequest};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, patch, post};
use axum::Router;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
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

fn not_found() -> Failure {
    Failure::not_found("Cart").with_subject("cartId")
}

/// 404 unless `code` is an anonymous active cart.
fn anonymous_cart(c: &Connection, code: &str) -> ApiResult<()> {
    c.query_row(
        "SELECT 1 FROM carts WHERE code = ?1 AND customer_id IS NULL AND status = 'active'",
        params![code],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(not_found)
}

fn answer(c: &Connection, code: &str) -> ApiResult<Json<Cart>> {
    load_cart(c, code)?.map(Json).ok_or_else(not_found)
}

/// Runs `f` on the anonymous active cart `code` in an immediate transaction, touches the cart
/// and answers it.
async fn change(
    state: &AppState,
    code: String,
    f: impl FnOnce(&Connection, &str) -> ApiResult<()> + Send + 'static,
) -> ApiResult<Json<Cart>> {
    let now = state.now();
    state
        .db(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            anonymous_cart(&tx, &code)?;
            f(&tx, &code)?;
            touch_cart(&tx, &code, now)?;
            let cart = answer(&tx, &code)?;
            tx.commit()?;
            Ok(cart)
        })
        .await
}

/// `POST /store/carts`: a new empty anonymous cart (201).
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<Cart>)> {
    require_json(&headers)?;
    let now = state.now();
    state
        .db(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let code = next_code(&tx, "carts", 10_000_000)?;
            tx.execute(
                "INSERT INTO carts (code, customer_id, status, created, modified) VALUES (?1, NULL, 'active', ?2, ?2)",
                params![code, now],
            )?;
            let cart = answer(&tx, &code)?;
            tx.commit()?;
            Ok((StatusCode::CREATED, cart))
        })
        .await
}

/// `GET /store/carts/{code}`: an anonymous active cart.
async fn read(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Cart>> {
    state
        .db(move |c| {
            anonymous_cart(c, &code)?;
            answer(c, &code)
        })
        .await
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
    change(&state, code, move |c, code| {
        let known = c
            .query_row(
                "SELECT 1 FROM products WHERE code = ?1",
                params![product],
                |_| Ok(()),
            )
            .optional()?;
        if known.is_none() {
            return Err(Failure::not_found("Product").with_subject("productCode"));
        }
        c.execute(
            "INSERT INTO cart_entries (cart_code, product_code, quantity) VALUES (?1, ?2, ?3) \
             ON CONFLICT (cart_code, product_code) DO UPDATE SET quantity = MIN(quantity + excluded.quantity, ?4)",
            params![code, product, quantity, MAX_QUANTITY],
        )?;
        Ok(())
    })
    .await
}

fn remove_line(c: &Connection, code: &str, product: &str) -> ApiResult<()> {
    let removed = c.execute(
        "DELETE FROM cart_entries WHERE cart_code = ?1 AND product_code = ?2",
        params![code, product],
    )?;
    if removed == 0 {
        return Err(Failure::not_found("Cart entry").with_subject("productCode"));
    }
    Ok(())
}

/// `PATCH /store/carts/{code}/entries/{productCode}`: set a line's quantity (0 removes it).
async fn update_entry(
    State(state): State<AppState>,
    Path((code, product)): Path<(String, String)>,
    Json(req): Json<QuantityRequest>,
) -> ApiResult<Json<Cart>> {
    check_quantity(req.quantity, 0)?;
    change(&state, code, move |c, code| {
        if req.quantity == 0 {
            return remove_line(c, code, &product);
        }
        let changed = c.execute(
            "UPDATE cart_entries SET quantity = ?3 WHERE cart_code = ?1 AND product_code = ?2",
            params![code, product, req.quantity],
        )?;
        if changed == 0 {
            return Err(Failure::not_found("Cart entry").with_subject("productCode"));
        }
        Ok(())
    })
    .await
}

/// `DELETE /store/carts/{code}/entries/{productCode}`: remove a line.
async fn remove_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, product)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_json(&headers)?;
    change(&state, code, move |c, code| remove_line(c, code, &product)).await
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
