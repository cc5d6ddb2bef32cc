//! Acting as the emulated customer: what the storefront calls while an agent emulates. Every
//! `/users/{userId}/...` operation needs the agent's active emulation of exactly that customer
//! (else `NotEmulatingError`), and every write is audited with the agent and the customer.
//! Only sales managers may place orders; nobody changes a customer's e-mail or password here.

use crate::auth::SignedIn;
use crate::commerce::embedded::pricing::{price, price_cart, Promotion};
use crate::domain::format::rfc3339;
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path, Query};
use crate::ports::NewAudit;
use crate::routes::sessions::active_emulation;
use crate::AppState;
use asm_types::{
    error_type, AddEntryRequest, AppliedPromotion, AppliedVoucher, AssistedSession, AuditAction,
    Cart, CartStatus, Carts, CustomerCoupon, CustomerCouponList, CustomerProfile, ErrorList, Order,
    OrderHistory, OrderLine, OrderSummary, Pagination, PlaceOrderRequest, Product, ProductList,
    ProfileUpdateRequest, QuantityRequest, VoucherRequest,
};
use axum::extract::State;
use axum::http::StatusCode;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Deserialize;

/// Largest quantity of one product in a cart.
pub const MAX_QUANTITY: u32 = 99;
/// Largest page of the order history.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The agent's active emulation, which must be of `user_id`.
pub async fn require_emulation(
    state: &AppState,
    agent_uid: &str,
    user_id: &str,
) -> ApiResult<AssistedSession> {
    match active_emulation(state, agent_uid).await? {
        Some(s) if s.customer_id == user_id => Ok(s),
        Some(s) => Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::NOT_EMULATING,
            format!(
                "You are emulating {}, not this customer. Start emulating this customer first.",
                s.customer_name
            ),
        )
        .with_subject(user_id)),
        None => Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::NOT_EMULATING,
            "Start emulating this customer first: acting as a customer needs an active emulation.",
        )
        .with_subject(user_id)),
    }
}

fn status_of(s: &str) -> CartStatus {
    match s {
        "saved" => CartStatus::Saved,
        "ordered" => CartStatus::Ordered,
        _ => CartStatus::Active,
    }
}

fn promotions(c: &Connection) -> ApiResult<Vec<Promotion>> {
    let mut stmt = c.prepare_cached(
        "SELECT code, description, threshold_cents, percent FROM promotions ORDER BY code",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Promotion {
                code: r.get(0)?,
                description: r.get(1)?,
                threshold_cents: r.get(2)?,
                percent: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn line(product_code: String, product_name: String, quantity: u32, unit: i64) -> OrderLine {
    OrderLine {
        product_code,
        product_name,
        quantity,
        base_price: price(unit),
        total_price: price(unit * i64::from(quantity)),
    }
}

/// Reads a cart with its lines, vouchers, promotions and totals.
pub fn load_cart(c: &Connection, code: &str) -> ApiResult<Option<Cart>> {
    let head: Option<(String, i64)> = c
        .query_row(
            "SELECT status, modified FROM carts WHERE code = ?1",
            params![code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((status, modified)) = head else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT p.code, p.name, e.quantity, p.price_cents FROM cart_entries e \
         JOIN products p ON p.code = e.product_code WHERE e.cart_code = ?1 ORDER BY p.name",
    )?;
    let entries = stmt
        .query_map(params![code], |r| {
            Ok(line(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = c.prepare_cached(
        "SELECT cv.voucher_code, COALESCE(v.name, k.name, cv.voucher_code), \
         COALESCE(v.description, k.description, ''), COALESCE(v.percent, k.percent, 0) \
         FROM cart_vouchers cv LEFT JOIN vouchers v ON v.code = cv.voucher_code \
         LEFT JOIN coupons k ON k.code = cv.voucher_code \
         WHERE cv.cart_code = ?1 ORDER BY cv.applied, cv.voucher_code",
    )?;
    let vouchers = stmt
        .query_map(params![code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let sub_total: i64 = entries.iter().map(|e| e.total_price.value_cents).sum();
    let percents: Vec<i64> = vouchers.iter().map(|v| v.3).collect();
    let priced = price_cart(sub_total, &percents, &promotions(c)?);
    Ok(Some(Cart {
        code: code.to_owned(),
        status: status_of(&status),
        total_items: entries.iter().map(|e| e.quantity).sum(),
        entries,
        sub_total: price(priced.sub_total),
        vouchers: vouchers
            .into_iter()
            .zip(priced.voucher_discounts.iter())
            .map(
                |((code, name, description, percent), discount)| AppliedVoucher {
                    code,
                    name,
                    description,
                    percent: u32::try_from(percent).unwrap_or(0),
                    discount: price(*discount),
                },
            )
            .collect(),
        promotions: priced
            .promotion
            .iter()
            .map(|(p, discount)| AppliedPromotion {
                code: p.code.clone(),
                description: p.description.clone(),
                discount: price(*discount),
            })
            .collect(),
        total_discounts: price(priced.total_discounts),
        total_price: price(priced.total),
        modified: rfc3339(modified),
    }))
}

/// The customer's active cart `cart_id`, ready to change: 404 if it is not theirs, 400 if it
/// is no longer active.
fn writable_cart(c: &Connection, user_id: &str, cart_id: &str) -> ApiResult<()> {
    let status: Option<String> = c
        .query_row(
            "SELECT status FROM carts WHERE code = ?1 AND customer_id = ?2",
            params![cart_id, user_id],
            |r| r.get(0),
        )
        .optional()?;
    match status.as_deref() {
        None => Err(Failure::not_found("Cart").with_subject("cartId")),
        Some("active") => Ok(()),
        Some(_) => Err(Failure::validation(
            "cartId",
            "This cart is no longer active (saved or ordered); use the customer's active cart.",
        )),
    }
}

pub(crate) fn touch_cart(c: &Connection, cart_id: &str, now: i64) -> ApiResult<()> {
    c.execute(
        "UPDATE carts SET modified = ?1 WHERE code = ?2",
        params![now, cart_id],
    )?;
    Ok(())
}

fn cart_answer(c: &Connection, cart_id: &str) -> ApiResult<Json<Cart>> {
    load_cart(c, cart_id)?
        .map(Json)
        .ok_or_else(|| Failure::not_found("Cart").with_subject("cartId"))
}

/// The next number after the largest numeric code of `table` (8 digits, zero-padded).
pub(crate) fn next_code(c: &Connection, table: &str, floor: i64) -> ApiResult<String> {
    let max: Option<i64> = c.query_row(
        &format!("SELECT MAX(CAST(code AS INTEGER)) FROM {table}"),
        [],
        |r| r.get(0),
    )?;
    Ok(format!("{:08}", max.unwrap_or(floor).max(floor) + 1))
}

/// Runs the write `f` as the emulated customer: checks the emulation, records the attempt in the
/// audit log, runs `f` in an immediate transaction of the shop, then records the outcome (`ok`
/// with the detail `f` returns, or the error type that refused it). A crash between the write
/// and its outcome leaves an "attempted, outcome unknown" record, never a change without one.
/// Returns `f`'s value and the emulation.
async fn write_as_session<T: Send + 'static>(
    state: &AppState,
    s: SignedIn,
    user_id: String,
    action: AuditAction,
    f: impl FnOnce(&Connection, &AssistedSession, i64) -> ApiResult<(T, String)> + Send + 'static,
) -> ApiResult<(T, AssistedSession)> {
    let now = state.now();
    let agent_uid = s.agent.uid;
    let session = require_emulation(state, &agent_uid, &user_id).await?;
    let emulation = session.clone();
    let value = state
        .audited(
            NewAudit {
                at: now,
                agent_uid: Some(agent_uid),
                customer_id: Some(user_id),
                action,
                detail: None,
            },
            move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let (value, detail) = f(&tx, &emulation, now)?;
                tx.commit()?;
                Ok((value, Some(detail)))
            },
        )
        .await?;
    Ok((value, session))
}

/// [`write_as_session`] without the emulation.
async fn write_as<T: Send + 'static>(
    state: &AppState,
    s: SignedIn,
    user_id: String,
    action: AuditAction,
    f: impl FnOnce(&Connection, &AssistedSession, i64) -> ApiResult<(T, String)> + Send + 'static,
) -> ApiResult<T> {
    Ok(write_as_session(state, s, user_id, action, f).await?.0)
}

/// Runs the read `f` after checking the emulation.
async fn read_as<T: Send + 'static>(
    state: &AppState,
    s: SignedIn,
    user_id: String,
    f: impl FnOnce(&Connection, &AssistedSession) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let session = require_emulation(state, &s.agent.uid, &user_id).await?;
    state.db(move |c| f(c, &session)).await
}

/// `GET /products`: the catalogue (public: the storefront shows it to anyone).
#[utoipa::path(
    get,
    path = "/products",
    tag = "catalogue",
    operation_id = "listProducts",
    responses(
        (status = 200, description = "Every product, by name.", body = ProductList),
    )
)]
pub async fn products(State(state): State<AppState>) -> ApiResult<Json<ProductList>> {
    state
        .db(|c| {
            let mut stmt =
                c.prepare_cached("SELECT code, name, price_cents FROM products ORDER BY name")?;
            let products = stmt
                .query_map([], |r| {
                    Ok(Product {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        price: price(r.get(2)?),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(ProductList { products }))
        })
        .await
}

/// `GET /users/{userId}/carts`: the emulated customer's active and saved carts.
#[utoipa::path(
    get,
    path = "/users/{userId}/carts",
    tag = "as customer",
    operation_id = "customerOwnCarts",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "Active carts first, then saved ones; most recently changed first.", body = Carts),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn list_carts(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Carts>> {
    read_as(&state, s, user_id.clone(), move |c, _| {
        let mut stmt = c.prepare_cached(
            "SELECT code FROM carts WHERE customer_id = ?1 AND status IN ('active', 'saved') \
             ORDER BY status = 'saved', modified DESC, code DESC",
        )?;
        let codes = stmt
            .query_map(params![user_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut carts = Vec::with_capacity(codes.len());
        for code in codes {
            carts.extend(load_cart(c, &code)?);
        }
        Ok(Json(Carts { carts }))
    })
    .await
}

/// `POST /users/{userId}/carts`: the customer's current active cart, created if they have none.
#[utoipa::path(
    post,
    path = "/users/{userId}/carts",
    tag = "as customer",
    operation_id = "createCustomerCart",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The customer already has an active cart: that one (now the emulation's cart).", body = Cart),
        (status = 201, description = "A new empty cart, now the emulation's cart.", body = Cart),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn create_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<(StatusCode, Json<Cart>)> {
    let customer = user_id.clone();
    let (answer, session) = write_as_session(&state, s, user_id, AuditAction::CartCreate, move |c, _, now| {
        let current: Option<String> = c
            .query_row(
                "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' \
                 ORDER BY modified DESC, code DESC LIMIT 1",
                params![customer],
                |r| r.get(0),
            )
            .optional()?;
        let (status, code) = match current {
            Some(code) => (StatusCode::OK, code),
            None => {
                let code = next_code(c, "carts", 10_000_000)?;
                c.execute(
                    "INSERT INTO carts (code, customer_id, status, created, modified) VALUES (?1, ?2, 'active', ?3, ?3)",
                    params![code, customer, now],
                )?;
                (StatusCode::CREATED, code)
            }
        };
        let Json(cart) = cart_answer(c, &code)?;
        Ok(((status, Json(cart)), format!("cart {code}")))
    })
    .await?;
    state
        .sessions
        .set_emulation_cart(&session.session_id, Some(&answer.1 .0.code), None)
        .await?;
    Ok(answer)
}

/// `GET /users/{userId}/carts/{cartId}`: one of the customer's carts.
#[utoipa::path(
    get,
    path = "/users/{userId}/carts/{cartId}",
    tag = "as customer",
    operation_id = "getCustomerCart",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "Cart code."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart.", body = Cart),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such cart.", body = ErrorList),
    )
)]
pub async fn get_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    read_as(&state, s, user_id.clone(), move |c, _| {
        let owned = c
            .query_row(
                "SELECT 1 FROM carts WHERE code = ?1 AND customer_id = ?2",
                params![cart_id, user_id],
                |_| Ok(()),
            )
            .optional()?;
        if owned.is_none() {
            return Err(Failure::not_found("Cart").with_subject("cartId"));
        }
        cart_answer(c, &cart_id)
    })
    .await
}

pub(crate) fn check_quantity(quantity: u32, min: u32) -> ApiResult<()> {
    if quantity < min || quantity > MAX_QUANTITY {
        return Err(Failure::validation(
            "quantity",
            format!("The quantity must be between {min} and {MAX_QUANTITY}."),
        ));
    }
    Ok(())
}

/// `POST /users/{userId}/carts/{cartId}/entries`: add a product (quantities add up, at most 99).
#[utoipa::path(
    post,
    path = "/users/{userId}/carts/{cartId}/entries",
    tag = "as customer",
    operation_id = "addCartEntry",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "The customer's active cart."),
    ),
    request_body(content = AddEntryRequest, content_type = "application/json", example = json!({"productCode": "300938", "quantity": 1})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart with the product added.", body = Cart),
        (status = 400, description = "`ValidationError`: quantity outside 1..=99, a cart that is no longer active, or a malformed body (`subject` names the field).", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart of the customer (`subject` `cartId`) or no such product (`productCode`).", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn add_entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
    Json(req): Json<AddEntryRequest>,
) -> ApiResult<Json<Cart>> {
    let quantity = req.quantity.unwrap_or(1);
    check_quantity(quantity, 1)?;
    let customer = user_id.clone();
    write_as(&state, s, user_id, AuditAction::CartEntryAdd, move |c, _, now| {
        writable_cart(c, &customer, &cart_id)?;
        let product = req.product_code.trim().to_owned();
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
            params![cart_id, product, quantity, MAX_QUANTITY],
        )?;
        touch_cart(c, &cart_id, now)?;
        let cart = cart_answer(c, &cart_id)?;
        Ok((cart, format!("cart {cart_id}: added {quantity} x {product}")))
    })
    .await
}

/// `PATCH /users/{userId}/carts/{cartId}/entries/{productCode}`: set a line's quantity (0 removes it).
#[utoipa::path(
    patch,
    path = "/users/{userId}/carts/{cartId}/entries/{productCode}",
    tag = "as customer",
    operation_id = "updateCartEntry",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "The customer's active cart."),
        ("productCode" = String, Path, description = "Product of the line."),
    ),
    request_body(content = QuantityRequest, content_type = "application/json", example = json!({"quantity": 2})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart with the new quantity.", body = Cart),
        (status = 400, description = "`ValidationError`: quantity outside 0..=99, a cart that is no longer active, or a malformed body.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart (`cartId`) or no such line (`productCode`).", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn update_entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id, product)): Path<(String, String, String)>,
    Json(req): Json<QuantityRequest>,
) -> ApiResult<Json<Cart>> {
    check_quantity(req.quantity, 0)?;
    let customer = user_id.clone();
    write_as(
        &state,
        s,
        user_id,
        AuditAction::CartEntryUpdate,
        move |c, _, now| {
            writable_cart(c, &customer, &cart_id)?;
            let changed = if req.quantity == 0 {
                c.execute(
                    "DELETE FROM cart_entries WHERE cart_code = ?1 AND product_code = ?2",
                    params![cart_id, product],
                )?
            } else {
                c.execute(
                "UPDATE cart_entries SET quantity = ?3 WHERE cart_code = ?1 AND product_code = ?2",
                params![cart_id, product, req.quantity],
            )?
            };
            if changed == 0 {
                return Err(Failure::not_found("Cart entry").with_subject("productCode"));
            }
            touch_cart(c, &cart_id, now)?;
            let cart = cart_answer(c, &cart_id)?;
            Ok((
                cart,
                format!("cart {cart_id}: {product} quantity {}", req.quantity),
            ))
        },
    )
    .await
}

/// `DELETE /users/{userId}/carts/{cartId}/entries/{productCode}`: remove a line.
#[utoipa::path(
    delete,
    path = "/users/{userId}/carts/{cartId}/entries/{productCode}",
    tag = "as customer",
    operation_id = "removeCartEntry",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "The customer's active cart."),
        ("productCode" = String, Path, description = "Product of the line."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart without the line.", body = Cart),
        (status = 400, description = "`ValidationError`: a cart that is no longer active, or a malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart (`cartId`) or no such line (`productCode`).", body = ErrorList),
    )
)]
pub async fn remove_entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id, product)): Path<(String, String, String)>,
) -> ApiResult<Json<Cart>> {
    let customer = user_id.clone();
    write_as(
        &state,
        s,
        user_id,
        AuditAction::CartEntryRemove,
        move |c, _, now| {
            writable_cart(c, &customer, &cart_id)?;
            let changed = c.execute(
                "DELETE FROM cart_entries WHERE cart_code = ?1 AND product_code = ?2",
                params![cart_id, product],
            )?;
            if changed == 0 {
                return Err(Failure::not_found("Cart entry").with_subject("productCode"));
            }
            touch_cart(c, &cart_id, now)?;
            let cart = cart_answer(c, &cart_id)?;
            Ok((cart, format!("cart {cart_id}: removed {product}")))
        },
    )
    .await
}

fn voucher_invalid(message: &str) -> Failure {
    Failure::new(
        StatusCode::BAD_REQUEST,
        error_type::VOUCHER_INVALID,
        message,
    )
    .with_subject("voucherId")
}

/// `POST /users/{userId}/carts/{cartId}/vouchers`: apply a cart coupon or an assigned customer coupon.
#[utoipa::path(
    post,
    path = "/users/{userId}/carts/{cartId}/vouchers",
    tag = "as customer",
    operation_id = "applyCartVoucher",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "The customer's active cart."),
    ),
    request_body(content = VoucherRequest, content_type = "application/json", example = json!({"voucherId": "SAVE10"})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart with the voucher applied.", body = Cart),
        (status = 400, description = "`VoucherInvalidError`: unknown code, a customer coupon not assigned to this customer (or out of its dates), or already applied; `ValidationError`: a cart that is no longer active or a malformed body.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart of the customer.", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn apply_voucher(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
    Json(req): Json<VoucherRequest>,
) -> ApiResult<Json<Cart>> {
    let customer = user_id.clone();
    write_as(&state, s, user_id, AuditAction::VoucherApply, move |c, _, now| {
        writable_cart(c, &customer, &cart_id)?;
        let wanted = req.voucher_id.trim().to_owned();
        let voucher: Option<String> = c
            .query_row(
                "SELECT code FROM vouchers WHERE code = ?1",
                params![wanted],
                |r| r.get(0),
            )
            .optional()?;
        let code = match voucher {
            Some(code) => code,
            None => c
                .query_row(
                    "SELECT k.code FROM coupons k JOIN customer_coupons cc ON cc.coupon_code = k.code \
                     WHERE k.code = ?1 AND cc.customer_id = ?2 AND k.starts <= ?3 AND k.ends > ?3",
                    params![wanted, customer, now],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    voucher_invalid("This voucher code is not valid for this customer.")
                })?,
        };
        let inserted = c.execute(
            "INSERT OR IGNORE INTO cart_vouchers (cart_code, voucher_code, applied) VALUES (?1, ?2, ?3)",
            params![cart_id, code, now],
        )?;
        if inserted == 0 {
            return Err(voucher_invalid("This voucher is already applied to the cart."));
        }
        touch_cart(c, &cart_id, now)?;
        let cart = cart_answer(c, &cart_id)?;
        Ok((cart, format!("cart {cart_id}: applied voucher {code}")))
    })
    .await
}

/// `DELETE /users/{userId}/carts/{cartId}/vouchers/{voucherId}`: remove an applied voucher.
#[utoipa::path(
    delete,
    path = "/users/{userId}/carts/{cartId}/vouchers/{voucherId}",
    tag = "as customer",
    operation_id = "removeCartVoucher",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "The customer's active cart."),
        ("voucherId" = String, Path, description = "Voucher code (case-insensitive)."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart without the voucher.", body = Cart),
        (status = 400, description = "`ValidationError`: a cart that is no longer active, or a malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart (`cartId`) or the voucher is not applied (`voucherId`).", body = ErrorList),
    )
)]
pub async fn remove_voucher(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id, voucher)): Path<(String, String, String)>,
) -> ApiResult<Json<Cart>> {
    let customer = user_id.clone();
    write_as(
        &state,
        s,
        user_id,
        AuditAction::VoucherRemove,
        move |c, _, now| {
            writable_cart(c, &customer, &cart_id)?;
            let removed = c.execute(
            "DELETE FROM cart_vouchers WHERE cart_code = ?1 AND voucher_code = ?2 COLLATE NOCASE",
            params![cart_id, voucher],
        )?;
            if removed == 0 {
                return Err(Failure::not_found("Applied voucher").with_subject("voucherId"));
            }
            touch_cart(c, &cart_id, now)?;
            let cart = cart_answer(c, &cart_id)?;
            Ok((cart, format!("cart {cart_id}: removed voucher {voucher}")))
        },
    )
    .await
}

/// Query of the order history.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Zero-based page.
    #[serde(default)]
    pub current_page: Option<u32>,
    /// Page size, 1..=100 (default 20).
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// `GET /users/{userId}/orders`: the customer's orders, newest first.
#[utoipa::path(
    get,
    path = "/users/{userId}/orders",
    tag = "as customer",
    operation_id = "customerOrders",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"), PageParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "A page of orders, newest first.", body = OrderHistory),
        (status = 400, description = "`ValidationError`: `pageSize` outside 1..=100 or a malformed parameter.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn orders(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<OrderHistory>> {
    let page_size = p.page_size.unwrap_or(20);
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(Failure::validation(
            "pageSize",
            format!("pageSize must be between 1 and {MAX_PAGE_SIZE}."),
        ));
    }
    let current_page = p.current_page.unwrap_or(0);
    read_as(&state, s, user_id.clone(), move |c, _| {
        let total: i64 = c.query_row(
            "SELECT COUNT(*) FROM orders WHERE customer_id = ?1",
            params![user_id],
            |r| r.get(0),
        )?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut stmt = c.prepare_cached(
            "SELECT code, status, total_cents, placed FROM orders WHERE customer_id = ?1 \
             ORDER BY placed DESC, code DESC LIMIT ?2 OFFSET ?3",
        )?;
        let orders = stmt
            .query_map(
                params![
                    user_id,
                    i64::from(page_size),
                    i64::from(current_page) * i64::from(page_size)
                ],
                |r| {
                    Ok(OrderSummary {
                        code: r.get(0)?,
                        status: r.get(1)?,
                        total: crate::domain::format::money(r.get(2)?),
                        placed: rfc3339(r.get(3)?),
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Json(OrderHistory {
            orders,
            pagination: Pagination {
                current_page,
                page_size,
                total_pages: u32::try_from(total.div_ceil(u64::from(page_size)))
                    .unwrap_or(u32::MAX),
                total_results: total,
                ..Pagination::default()
            },
        }))
    })
    .await
}

/// Reads an order of `user_id`.
pub fn load_order(c: &Connection, user_id: &str, code: &str) -> ApiResult<Option<Order>> {
    type Head = (
        String,
        String,
        i64,
        i64,
        Option<i64>,
        i64,
        Option<String>,
        Option<String>,
    );
    let head: Option<Head> = c
        .query_row(
            "SELECT code, status, placed, total_cents, subtotal_cents, discount_cents, vouchers, placed_by \
             FROM orders WHERE code = ?1 AND customer_id = ?2",
            params![code, user_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .optional()?;
    let Some((code, status, placed, total, sub_total, discount, vouchers, placed_by)) = head else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT product_code, product_name, quantity, price_cents FROM order_entries \
         WHERE order_code = ?1 ORDER BY product_name",
    )?;
    let entries = stmt
        .query_map(params![code], |r| {
            Ok(line(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Order {
        code,
        status,
        placed: rfc3339(placed),
        placed_by,
        entries,
        sub_total: price(sub_total.unwrap_or(total + discount)),
        total_discounts: price(discount),
        total_price: price(total),
        vouchers: vouchers
            .unwrap_or_default()
            .split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
    }))
}

/// `GET /users/{userId}/orders/{code}`: one order with its lines.
#[utoipa::path(
    get,
    path = "/users/{userId}/orders/{code}",
    tag = "as customer",
    operation_id = "customerOrder",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("code" = String, Path, description = "Order code."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The order.", body = Order),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such order.", body = ErrorList),
    )
)]
pub async fn order(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<Order>> {
    read_as(&state, s, user_id.clone(), move |c, _| {
        load_order(c, &user_id, &code)?
            .map(Json)
            .ok_or_else(|| Failure::not_found("Order").with_subject("code"))
    })
    .await
}

/// `POST /users/{userId}/orders`: place an order from the customer's active cart (sales managers only).
#[utoipa::path(
    post,
    path = "/users/{userId}/orders",
    tag = "as customer",
    operation_id = "placeOrder",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = PlaceOrderRequest, content_type = "application/json"),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The order, recording the agent in `placedBy`; the cart is now ordered.", body = Order),
        (status = 400, description = "`ValidationError`: the cart is empty or no longer active, or a malformed body.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`ForbiddenError`: only sales managers may place orders (nothing is placed; the refusal is audited); `NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart of the customer.", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn place_order(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<PlaceOrderRequest>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    if !s.agent.is_sales_manager() {
        // The refusal is recorded only for the customer the agent really emulates.
        if require_emulation(&state, &s.agent.uid, &user_id)
            .await
            .is_ok()
        {
            state
                .sessions
                .audit(NewAudit {
                    at: state.now(),
                    agent_uid: Some(s.agent.uid.clone()),
                    customer_id: Some(user_id.clone()),
                    action: AuditAction::OrderRefused,
                    detail: Some(format!("cart {}: not a sales manager", req.cart_id)),
                })
                .await?;
        }
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::FORBIDDEN,
            "Only sales managers may place orders for a customer. Nothing was ordered.",
        ));
    }
    let customer = user_id.clone();
    let req_cart = req.cart_id.clone();
    let (answer, session) = write_as_session(&state, s, user_id, AuditAction::OrderPlace, move |c, session, now| {
        let cart_id = req.cart_id.trim().to_owned();
        writable_cart(c, &customer, &cart_id)?;
        let Some(cart) = load_cart(c, &cart_id)? else {
            return Err(Failure::not_found("Cart").with_subject("cartId"));
        };
        if cart.entries.is_empty() {
            return Err(Failure::validation("cartId", "The cart is empty: add products before placing the order."));
        }
        let code = next_code(c, "orders", 30_000_000)?;
        let vouchers: Vec<String> = cart.vouchers.iter().map(|v| v.code.clone()).collect();
        c.execute(
            "INSERT INTO orders (code, customer_id, placed, total_cents, status, placed_by, subtotal_cents, discount_cents, vouchers) \
             VALUES (?1, ?2, ?3, ?4, 'CREATED', ?5, ?6, ?7, ?8)",
            params![
                code,
                customer,
                now,
                cart.total_price.value_cents,
                session.agent_id,
                cart.sub_total.value_cents,
                cart.total_discounts.value_cents,
                vouchers.join(",")
            ],
        )?;
        for e in &cart.entries {
            c.execute(
                "INSERT INTO order_entries (order_code, product_code, product_name, quantity, price_cents) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![code, e.product_code, e.product_name, e.quantity, e.base_price.value_cents],
            )?;
        }
        c.execute(
            "UPDATE carts SET status = 'ordered', modified = ?1 WHERE code = ?2",
            params![now, cart_id],
        )?;
        let order = load_order(c, &customer, &code)?
            .ok_or_else(|| Failure::internal("order vanished"))?;
        let detail = format!("order {code} from cart {cart_id}, total {}", order.total_price.formatted_value);
        Ok(((StatusCode::CREATED, Json(order)), detail))
    })
    .await?;
    state
        .sessions
        .set_emulation_cart(&session.session_id, None, Some(req_cart.trim()))
        .await?;
    Ok(answer)
}

const SELECT_COUPON: &str = "SELECT k.code, k.name, k.description, k.percent, k.starts, k.ends, \
     cc.customer_id IS NOT NULL FROM coupons k \
     LEFT JOIN customer_coupons cc ON cc.coupon_code = k.code AND cc.customer_id = ?1";

fn coupon_from_row(
    r: &r2d2_sqlite::rusqlite::Row<'_>,
) -> r2d2_sqlite::rusqlite::Result<CustomerCoupon> {
    Ok(CustomerCoupon {
        code: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        percent: r.get(3)?,
        start_date: rfc3339(r.get(4)?),
        end_date: rfc3339(r.get(5)?),
        assigned: r.get(6)?,
    })
}

fn load_coupon(c: &Connection, user_id: &str, code: &str) -> ApiResult<Option<CustomerCoupon>> {
    Ok(c.query_row(
        &format!("{SELECT_COUPON} WHERE k.code = ?2"),
        params![user_id, code],
        coupon_from_row,
    )
    .optional()?)
}

/// `GET /users/{userId}/customercoupons`: coupons assigned to the customer, then the ones available.
#[utoipa::path(
    get,
    path = "/users/{userId}/customercoupons",
    tag = "as customer",
    operation_id = "customerCoupons",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "Assigned coupons first, then available ones.", body = CustomerCouponList),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn coupons(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<CustomerCouponList>> {
    read_as(&state, s, user_id.clone(), move |c, _| {
        let mut stmt = c.prepare_cached(&format!(
            "{SELECT_COUPON} ORDER BY cc.customer_id IS NULL, k.code"
        ))?;
        let coupons = stmt
            .query_map(params![user_id], coupon_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Json(CustomerCouponList { coupons }))
    })
    .await
}

/// `POST /users/{userId}/customercoupons/{couponCode}/claim`: assign a coupon to the customer.
#[utoipa::path(
    post,
    path = "/users/{userId}/customercoupons/{couponCode}/claim",
    tag = "as customer",
    operation_id = "assignCustomerCoupon",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("couponCode" = String, Path, description = "Coupon code (case-insensitive).", example = "SORRY10"),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The coupon, now assigned (assigning twice is harmless).", body = CustomerCoupon),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such coupon.", body = ErrorList),
    )
)]
pub async fn assign_coupon(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<CustomerCoupon>> {
    let customer = user_id.clone();
    write_as(&state, s, user_id, AuditAction::CouponAssign, move |c, session, now| {
        let Some(coupon) = load_coupon(c, &customer, &code)? else {
            return Err(Failure::not_found("Coupon").with_subject("couponCode"));
        };
        c.execute(
            "INSERT OR IGNORE INTO customer_coupons (customer_id, coupon_code, assigned, assigned_by) VALUES (?1, ?2, ?3, ?4)",
            params![customer, coupon.code, now, session.agent_id],
        )?;
        let detail = format!("coupon {}", coupon.code);
        Ok((
            Json(CustomerCoupon {
                assigned: true,
                ..coupon
            }),
            detail,
        ))
    })
    .await
}

/// `DELETE /users/{userId}/customercoupons/{couponCode}/claim`: take a coupon back (also from
/// the customer's active carts).
#[utoipa::path(
    delete,
    path = "/users/{userId}/customercoupons/{couponCode}/claim",
    tag = "as customer",
    operation_id = "unassignCustomerCoupon",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("couponCode" = String, Path, description = "Coupon code (case-insensitive).", example = "LOYALTY20"),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The coupon, no longer assigned (unassigning twice is harmless).", body = CustomerCoupon),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such coupon.", body = ErrorList),
    )
)]
pub async fn unassign_coupon(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<CustomerCoupon>> {
    let customer = user_id.clone();
    write_as(
        &state,
        s,
        user_id,
        AuditAction::CouponUnassign,
        move |c, _, _| {
            let Some(coupon) = load_coupon(c, &customer, &code)? else {
                return Err(Failure::not_found("Coupon").with_subject("couponCode"));
            };
            c.execute(
                "DELETE FROM customer_coupons WHERE customer_id = ?1 AND coupon_code = ?2",
                params![customer, coupon.code],
            )?;
            c.execute(
                "DELETE FROM cart_vouchers WHERE voucher_code = ?1 AND cart_code IN \
             (SELECT code FROM carts WHERE customer_id = ?2 AND status = 'active')",
                params![coupon.code, customer],
            )?;
            let detail = format!("coupon {}", coupon.code);
            Ok((
                Json(CustomerCoupon {
                    assigned: false,
                    ..coupon
                }),
                detail,
            ))
        },
    )
    .await
}

fn load_profile(c: &Connection, user_id: &str) -> ApiResult<CustomerProfile> {
    c.query_row(
        "SELECT c.customer_id, c.uid, c.first_name, c.last_name, c.name, \
         (SELECT phone FROM addresses a WHERE a.customer_id = c.customer_id AND a.phone IS NOT NULL \
          ORDER BY a.kind = 'delivery' DESC, a.id LIMIT 1) \
         FROM customers c WHERE c.customer_id = ?1",
        params![user_id],
        |r| {
            Ok(CustomerProfile {
                customer_id: r.get(0)?,
                email: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                name: r.get(4)?,
                phone: r.get(5)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Failure::not_found("Customer").with_subject(user_id))
}

/// `GET /users/{userId}`: the customer's profile as "My account" shows it.
#[utoipa::path(
    get,
    path = "/users/{userId}",
    tag = "as customer",
    operation_id = "customerProfile",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The profile.", body = CustomerProfile),
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn profile(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<CustomerProfile>> {
    read_as(&state, s, user_id.clone(), move |c, _| {
        load_profile(c, &user_id).map(Json)
    })
    .await
}

/// Longest first or last name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest phone number.
pub const MAX_PHONE_CHARS: usize = 30;

fn checked_name(subject: &str, value: Option<String>) -> ApiResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Failure::validation(
            subject,
            format!("At most {MAX_NAME_CHARS} characters."),
        ));
    }
    let value = value.trim();
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(Failure::validation(
            subject,
            "Enter a name without control characters.",
        ));
    }
    Ok(Some(value.to_owned()))
}

fn checked_phone(value: Option<String>) -> ApiResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let ok = value.chars().count() <= MAX_PHONE_CHARS
        && value
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch));
    if !ok {
        return Err(Failure::validation(
            "phone",
            format!("A phone number has at most {MAX_PHONE_CHARS} digits, spaces, +, -, ( or )."),
        ));
    }
    Ok(Some(value.trim().to_owned()))
}

/// `PATCH /users/{userId}`: change the customer's name or phone. E-mail and password changes are refused.
#[utoipa::path(
    patch,
    path = "/users/{userId}",
    tag = "as customer",
    operation_id = "updateCustomerProfile",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = ProfileUpdateRequest, content_type = "application/json", example = json!({"firstName": "Linda", "phone": "+1 555 0100"})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The changed profile.", body = CustomerProfile),
        (status = 400, description = "`ValidationError`: an empty or too long name, a malformed phone, or a malformed body (`subject` names the field).", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`ForbiddenError`: the body changes `email` or `password`, which nobody may do through ASM (nothing changes); `NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn update_profile(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<ProfileUpdateRequest>,
) -> ApiResult<Json<CustomerProfile>> {
    for (field, present) in [
        ("email", req.email.is_some()),
        ("password", req.password.is_some()),
    ] {
        if present {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                error_type::FORBIDDEN,
                format!("Nobody may change a customer's {field} through assisted service; the customer changes it themselves."),
            )
            .with_subject(field));
        }
    }
    let first = checked_name("firstName", req.first_name)?;
    let last = checked_name("lastName", req.last_name)?;
    let phone = checked_phone(req.phone)?;
    let customer = user_id.clone();
    write_as(&state, s, user_id, AuditAction::ProfileUpdate, move |c, _, _| {
        let before = load_profile(c, &customer)?;
        let first_name = first.unwrap_or(before.first_name);
        let last_name = last.unwrap_or(before.last_name);
        let name = format!("{first_name} {last_name}");
        let search = format!("{name} {} {}", before.email, before.customer_id).to_lowercase();
        c.execute(
            "UPDATE customers SET first_name = ?1, last_name = ?2, name = ?3, search = ?4 WHERE customer_id = ?5",
            params![first_name, last_name, name, search, customer],
        )?;
        // A new name has a new place in the name order (and in the search index).
        crate::commerce::embedded::search::assign_key(c, &customer)?;
        let mut changed = vec!["name"];
        if let Some(phone) = phone {
            let phone = (!phone.is_empty()).then_some(phone);
            let updated = c.execute(
                "UPDATE addresses SET phone = ?1 WHERE customer_id = ?2",
                params![phone, customer],
            )?;
            if updated == 0 && phone.is_some() {
                c.execute(
                    "INSERT INTO addresses (customer_id, kind, line1, postal_code, town, country, phone) \
                     SELECT customer_id, 'delivery', '', '', town, country, ?1 FROM customers WHERE customer_id = ?2",
                    params![phone, customer],
                )?;
            }
            changed.push("phone");
        }
        let profile = load_profile(c, &customer)?;
        Ok((Json(profile), format!("changed {}", changed.join(", "))))
    })
    .await
}
