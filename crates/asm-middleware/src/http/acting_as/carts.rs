//! The emulated customer's carts: list, current cart, lines and vouchers, saved carts (save for
//! later, restore, delete); and the catalogue.

use super::{require_emulation, write_as, write_in};
use crate::domain::saved_cart::{check_delete, check_restore, checked_names, checked_save};
use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{Json, Path};
use crate::ports::commerce::MAX_QUANTITY;
use crate::ports::AppliedBy;
use crate::AppState;
use asm_types::{
    AddEntryRequest, AuditAction, Cart, Carts, ErrorList, ProductList, QuantityRequest,
    SaveCartRequest, VoucherRequest,
};
use axum::extract::State;
use axum::http::StatusCode;

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
    )
)]
pub async fn list_carts(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Carts>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.carts(&user_id).await?))
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
    )
)]
pub async fn create_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<(StatusCode, Json<Cart>)> {
    let commerce = s.commerce.clone();
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
        (status = 404, description = "`NotFoundError`: the customer has no such cart.", body = ErrorList),
    )
)]
pub async fn get_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.cart(&user_id, &cart_id).await?))
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
        (status = 404, description = "`NotFoundError`: no such cart of the customer (`subject` `cartId`) or no such product (`productCode`).", body = ErrorList),
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
    let commerce = s.commerce.clone();
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
        (status = 404, description = "`NotFoundError`: no such cart (`cartId`) or no such line (`productCode`).", body = ErrorList),
    )
)]
pub async fn update_entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id, product)): Path<(String, String, String)>,
    Json(req): Json<QuantityRequest>,
) -> ApiResult<Json<Cart>> {
    check_quantity(req.quantity, 0)?;
    let commerce = s.commerce.clone();
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
        (status = 404, description = "`NotFoundError`: no such cart (`cartId`) or no such line (`productCode`).", body = ErrorList),
    )
)]
pub async fn remove_entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id, product)): Path<(String, String, String)>,
) -> ApiResult<Json<Cart>> {
    let commerce = s.commerce.clone();
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
        (status = 200, description = "The cart with the voucher applied (a gift voucher's product is a line at price 0, `giveAway`; a session-only voucher is recorded with this emulation and leaves the cart when it ends).", body = Cart),
        (status = 400, description = "`VoucherInvalidError`: unknown code, a customer coupon not assigned to this customer (or out of its dates), or already applied; `ValidationError`: a cart that is no longer active or a malformed body.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart of the customer.", body = ErrorList),
    )
)]
pub async fn apply_voucher(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
    Json(req): Json<VoucherRequest>,
) -> ApiResult<Json<Cart>> {
    let commerce = s.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let (cart, _) = write_in(
        &state,
        &s,
        &user_id,
        AuditAction::VoucherApply,
        |emulation| {
            let session_id = emulation.session_id.clone();
            async move {
                let by = AppliedBy {
                    agent_uid: &agent,
                    session_id: &session_id,
                };
                commerce
                    .apply_voucher(&user, &cart_id, &req.voucher_id, Some(by), now)
                    .await
            }
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
        (status = 404, description = "`NotFoundError`: no such cart (`cartId`) or the voucher is not applied (`voucherId`).", body = ErrorList),
    )
)]
pub async fn remove_voucher(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id, voucher)): Path<(String, String, String)>,
) -> ApiResult<Json<Cart>> {
    let commerce = s.commerce.clone();
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

/// `PATCH /users/{userId}/carts/{cartId}/save`: save an active cart for later (SAP OCC's save).
#[utoipa::path(
    patch,
    path = "/users/{userId}/carts/{cartId}/save",
    tag = "as customer",
    operation_id = "saveCart",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "One of the customer's active carts (the current one or an inactive one)."),
    ),
    request_body(content = SaveCartRequest, content_type = "application/json", example = json!({"name": "Birthday presents", "description": "For May"})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The saved cart (`status` SAVED, `saved` with name, description and time); audited `cart-save`. When it was the emulation's cart, the emulation has no cart until the next one.", body = Cart),
        (status = 400, description = "`SavedCartError`: the cart is empty, saved already or ordered; `ValidationError`: a name over 255 characters or on several lines, a description over 5,000, control characters, or a malformed body.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such cart.", body = ErrorList),
    )
)]
pub async fn save_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
    Json(req): Json<SaveCartRequest>,
) -> ApiResult<Json<Cart>> {
    let names = checked_names(&req)?;
    let commerce = s.commerce.clone();
    let (user, cart, now) = (user_id.clone(), cart_id.clone(), state.now());
    let (saved, session) = write_as(&state, &s, &user_id, AuditAction::CartSave, async move {
        let save = checked_save(&commerce.cart(&user, &cart).await?, names)?;
        commerce.save_cart(&user, &cart, save, now).await
    })
    .await?;
    // The emulation worked with this cart: it has none now (the next product starts one).
    state
        .sessions
        .set_emulation_cart(&session.session_id, None, Some(&cart_id))
        .await?;
    Ok(Json(saved))
}

/// `PATCH /users/{userId}/carts/{cartId}/restoresavedcart`: make a saved cart the active one.
#[utoipa::path(
    patch,
    path = "/users/{userId}/carts/{cartId}/restoresavedcart",
    tag = "as customer",
    operation_id = "restoreSavedCart",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "One of the customer's saved carts."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart, active again and now the emulation's cart; the customer's current cart, when it had items, is kept as a saved cart under its number. Audited `cart-restore`.", body = Cart),
        (status = 400, description = "`SavedCartError`: the cart is not a saved cart (active or ordered).", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such cart.", body = ErrorList),
    )
)]
pub async fn restore_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
) -> ApiResult<Json<Cart>> {
    let commerce = s.commerce.clone();
    let (user, cart, now) = (user_id.clone(), cart_id.clone(), state.now());
    let (restored, session) =
        write_as(&state, &s, &user_id, AuditAction::CartRestore, async move {
            check_restore(&commerce.cart(&user, &cart).await?)?;
            commerce.restore_cart(&user, &cart, now).await
        })
        .await?;
    state
        .sessions
        .set_emulation_cart(&session.session_id, Some(&restored.code), None)
        .await?;
    Ok(Json(restored))
}

/// `DELETE /users/{userId}/carts/{cartId}`: delete one of the customer's active or saved carts.
#[utoipa::path(
    delete,
    path = "/users/{userId}/carts/{cartId}",
    tag = "as customer",
    operation_id = "deleteCart",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("cartId" = String, Path, description = "Cart code."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 204, description = "Deleted with its lines and vouchers; audited `cart-delete`. When it was the emulation's cart, the emulation has no cart until the next one."),
        (status = 400, description = "`SavedCartError`: an ordered cart.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such cart.", body = ErrorList),
    )
)]
pub async fn delete_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, cart_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let commerce = s.commerce.clone();
    let (user, cart) = (user_id.clone(), cart_id.clone());
    let (_, session) = write_as(&state, &s, &user_id, AuditAction::CartDelete, async move {
        check_delete(&commerce.cart(&user, &cart).await?)?;
        commerce.delete_cart(&user, &cart).await
    })
    .await?;
    state
        .sessions
        .set_emulation_cart(&session.session_id, None, Some(&cart_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
