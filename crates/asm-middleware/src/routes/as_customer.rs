//! Acting as the emulated customer: what the storefront calls while an agent emulates. Every
//! `/users/{userId}/...` operation needs the agent's active emulation of exactly that customer
//! (else `NotEmulatingError`), and every write is audited with the agent and the customer.
//! Only sales managers may place orders; nobody changes a customer's e-mail or password here.

use crate::auth::SignedIn;
use crate::domain::DomainResult;
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path, Query};
use crate::ports::{Change, NewAudit, ProfileChange};
use crate::routes::sessions::active_emulation;
use crate::AppState;
use asm_types::{
    error_type, AddEntryRequest, AssistedSession, AuditAction, Cart, Carts, CustomerCoupon,
    CustomerCouponList, CustomerProfile, ErrorList, Order, OrderHistory, PlaceOrderRequest,
    ProductList, ProfileUpdateRequest, QuantityRequest, VoucherRequest,
};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Largest quantity of one product in a cart.
pub use crate::commerce::embedded::acting_as::MAX_QUANTITY;
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

/// Checks that the agent emulates `user_id`, then runs the write `op` with its audit record
/// (attempt, then outcome; see [`AppState::audited`]). Returns the answer and the emulation.
async fn write_as<T, F>(
    state: &AppState,
    s: &SignedIn,
    user_id: &str,
    action: AuditAction,
    op: F,
) -> ApiResult<(T, AssistedSession)>
where
    T: Send + 'static,
    F: std::future::Future<Output = DomainResult<Change<T>>> + Send + 'static,
{
    let session = require_emulation(state, &s.agent.uid, user_id).await?;
    let record = NewAudit {
        at: state.now(),
        agent_uid: Some(s.agent.uid.clone()),
        customer_id: Some(user_id.to_owned()),
        action,
        detail: None,
    };
    let value = state
        .audited(record, async move {
            let change = op.await?;
            Ok((change.value, Some(change.detail)))
        })
        .await?;
    Ok((value, session))
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
    Ok(Json(state.commerce.products().await?))
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
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(state.commerce.carts(&user_id).await?))
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
    let commerce = state.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let ((created, cart), session) =
        write_as(&state, &s, &user_id, AuditAction::CartCreate, async move {
            commerce.current_cart(&user, now).await
        })
        .await?;
    state
        .sessions
        .set_emulation_cart(&session.session_id, Some(&cart.code), None)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(cart)))
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
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(state.commerce.cart(&user_id, &cart_id).await?))
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
    let commerce = state.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (cart, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::CartEntryAdd,
        async move {
            commerce
                .add_entry(&user, &cart_id, &req.product_code, quantity, now)
                .await
        },
    )
    .await?;
    Ok(Json(cart))
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
    let commerce = state.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (cart, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::CartEntryUpdate,
        async move {
            commerce
                .update_entry(&user, &cart_id, &product, req.quantity, now)
                .await
        },
    )
    .await?;
    Ok(Json(cart))
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
    let commerce = state.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (cart, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::CartEntryRemove,
        async move { commerce.remove_entry(&user, &cart_id, &product, now).await },
    )
    .await?;
    Ok(Json(cart))
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
    let commerce = state.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (cart, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::VoucherApply,
        async move {
            commerce
                .apply_voucher(&user, &cart_id, &req.voucher_id, now)
                .await
        },
    )
    .await?;
    Ok(Json(cart))
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
    let commerce = state.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (cart, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::VoucherRemove,
        async move {
            commerce
                .remove_voucher(&user, &cart_id, &voucher, now)
                .await
        },
    )
    .await?;
    Ok(Json(cart))
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
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(
        state
            .commerce
            .orders(&user_id, current_page, page_size)
            .await?,
    ))
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
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(state.commerce.order(&user_id, &code).await?))
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
    let commerce = state.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let cart_id = req.cart_id.trim().to_owned();
    let cart = cart_id.clone();
    let (order, session) = write_as(&state, &s, &user_id, AuditAction::OrderPlace, async move {
        commerce.place_order(&user, &cart, &agent, now).await
    })
    .await?;
    state
        .sessions
        .set_emulation_cart(&session.session_id, None, Some(&cart_id))
        .await?;
    Ok((StatusCode::CREATED, Json(order)))
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
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(state.commerce.coupons(&user_id).await?))
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
    let commerce = state.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let (coupon, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::CouponAssign,
        async move { commerce.assign_coupon(&user, &code, &agent, now).await },
    )
    .await?;
    Ok(Json(coupon))
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
    let commerce = state.commerce.clone();
    let user = user_id.clone();
    let (coupon, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::CouponUnassign,
        async move { commerce.unassign_coupon(&user, &code).await },
    )
    .await?;
    Ok(Json(coupon))
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
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(state.commerce.profile(&user_id).await?))
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
    let change = ProfileChange {
        first_name: first,
        last_name: last,
        phone,
    };
    let commerce = state.commerce.clone();
    let user = user_id.clone();
    let (profile, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ProfileUpdate,
        async move { commerce.update_profile(&user, change).await },
    )
    .await?;
    Ok(Json(profile))
}
