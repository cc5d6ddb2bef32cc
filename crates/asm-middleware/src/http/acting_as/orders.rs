//! The emulated customer's orders: history, one order, placing one (sales managers only).

use super::{require_emulation, write_as};
use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{Json, Path, Query};
use crate::ports::NewAudit;
use crate::AppState;
use asm_types::{AuditAction, ErrorList, Order, OrderHistory, PlaceOrderRequest};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Largest page of the order history.
pub const MAX_PAGE_SIZE: u32 = 100;

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

impl PageParams {
    /// `(currentPage, pageSize)`: page 0 and size 20 by default; a size outside
    /// 1..=[`MAX_PAGE_SIZE`] is a `ValidationError`.
    pub fn checked(&self) -> ApiResult<(u32, u32)> {
        let page_size = self.page_size.unwrap_or(20);
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(Failure::validation(
                "pageSize",
                format!("pageSize must be between 1 and {MAX_PAGE_SIZE}."),
            ));
        }
        Ok((self.current_page.unwrap_or(0), page_size))
    }
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
    )
)]
pub async fn orders(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<OrderHistory>> {
    let (current_page, page_size) = p.checked()?;
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(
        s.commerce.orders(&user_id, current_page, page_size).await?,
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
        (status = 404, description = "`NotFoundError`: the customer has no such order.", body = ErrorList),
    )
)]
pub async fn order(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<Order>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    let mut order = s.commerce.order(&user_id, &code).await?;
    if order.placed_by.is_none() {
        order.placed_by = placed_through_us(&state, &user_id, &order.code).await?;
    }
    Ok(Json(order))
}

/// The agent who placed order `code` for the customer through this middleware, from the audit
/// log: SAP Commerce's order does not say (the agent's token is the acting user, the order is
/// the customer's), the embedded shop records it itself. The latest 100 placements are looked at.
async fn placed_through_us(
    state: &AppState,
    customer_id: &str,
    code: &str,
) -> ApiResult<Option<String>> {
    let (_, placed) = state
        .sessions
        .audit_page(&crate::ports::AuditQuery {
            customer_id: Some(customer_id.to_owned()),
            action: Some(AuditAction::OrderPlace),
            page_size: 100,
            ..Default::default()
        })
        .await?;
    let prefix = format!("order {code} ");
    Ok(placed
        .into_iter()
        .find(|e| {
            e.outcome.as_deref() == Some("ok")
                && e.detail.as_deref().is_some_and(|d| d.starts_with(&prefix))
        })
        .and_then(|e| e.agent_id))
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
        (status = 403, description = "`ForbiddenError`: only sales managers may place orders (nothing is placed; the refusal is audited); `NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such cart of the customer.", body = ErrorList),
    )
)]
pub async fn place_order(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<PlaceOrderRequest>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    if let Err(refused) = crate::domain::acting_as::may_place_orders(&s.agent) {
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
        return Err(refused.into());
    }
    let commerce = s.commerce.clone();
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
