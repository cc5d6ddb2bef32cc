//! The emulated customer's coupons: the list, assigning and taking back.

use super::{require_emulation, write_as};
use crate::http::auth::SignedIn;
use crate::http::error::ApiResult;
use crate::http::extract::{Json, Path};
use crate::AppState;
use asm_types::{AuditAction, CustomerCoupon, CustomerCouponList, ErrorList};
use axum::extract::State;

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
    )
)]
pub async fn coupons(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<CustomerCouponList>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.coupons(&user_id).await?))
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
        (status = 404, description = "`NotFoundError`: no such coupon.", body = ErrorList),
    )
)]
pub async fn assign_coupon(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<CustomerCoupon>> {
    let commerce = s.commerce.clone();
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
        (status = 404, description = "`NotFoundError`: no such coupon.", body = ErrorList),
    )
)]
pub async fn unassign_coupon(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<CustomerCoupon>> {
    let commerce = s.commerce.clone();
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
