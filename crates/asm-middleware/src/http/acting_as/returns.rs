//! The emulated customer's order cancellations and return requests, in SAP OCC's shapes
//! (`/orders/{code}/cancellation`, `/orderReturns`). Any agent may do them while emulating; the
//! domain checks the lines against the order first (`domain::returns`), and every write —
//! refused ones too — is audited with the agent and the customer.

use super::orders::PageParams;
use super::{require_emulation, write_as};
use crate::domain::returns::{self, Kind};
use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{Json, Path, Query};
use crate::AppState;
use asm_types::{
    AuditAction, CancellationRequest, ErrorList, Order, ReturnRequest, ReturnRequestInput,
    ReturnRequestList, ReturnRequestModification,
};
use axum::extract::State;
use axum::http::StatusCode;

/// `POST /users/{userId}/orders/{code}/cancellation`: cancel the whole order or some lines.
#[utoipa::path(
    post,
    path = "/users/{userId}/orders/{code}/cancellation",
    tag = "as customer",
    operation_id = "cancelOrder",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("code" = String, Path, description = "Order code."),
    ),
    request_body(content = CancellationRequest, content_type = "application/json", example = json!({"cancellationRequestEntryInputs": [{"orderEntryNumber": 0, "quantity": 1}]})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The order after the cancellation (`CANCELLED` when nothing is left of it); audited `order-cancel`.", body = Order),
        (status = 400, description = "`CancellationError`: the order is shipped, delivered or cancelled already, or a quantity is above what is left of its line (`subject` the entry number); `ValidationError`: no lines, a line named twice, quantity 0, no such line (`orderEntryNumber`), or a malformed body. Refusals are audited.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such order.", body = ErrorList),
    )
)]
pub async fn cancel_order(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
    Json(req): Json<CancellationRequest>,
) -> ApiResult<Json<Order>> {
    let entries = req.cancellation_request_entry_inputs;
    returns::check_inputs(Kind::Cancel, &entries)?;
    let commerce = s.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (order, _) = write_as(&state, &s, &user_id, AuditAction::OrderCancel, async move {
        let order = commerce.order(&user, &code).await?;
        returns::check_against(Kind::Cancel, &order, &entries)?;
        commerce.cancel_order(&user, &code, entries, now).await
    })
    .await?;
    Ok(Json(order))
}

/// `GET /users/{userId}/orderReturns`: the customer's return requests, newest first.
#[utoipa::path(
    get,
    path = "/users/{userId}/orderReturns",
    tag = "as customer",
    operation_id = "customerReturnRequests",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"), PageParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "A page of return requests with their status, newest first.", body = ReturnRequestList),
        (status = 400, description = "`ValidationError`: `pageSize` outside 1..=100 or a malformed parameter.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn list_returns(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<ReturnRequestList>> {
    let (current_page, page_size) = p.checked()?;
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(
        s.commerce
            .returns(&user_id, current_page, page_size)
            .await?,
    ))
}

/// `POST /users/{userId}/orderReturns`: ask to return lines of a delivered order.
#[utoipa::path(
    post,
    path = "/users/{userId}/orderReturns",
    tag = "as customer",
    operation_id = "createReturnRequest",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = ReturnRequestInput, content_type = "application/json", example = json!({"orderCode": "30000000", "returnRequestEntryInputs": [{"orderEntryNumber": 0, "quantity": 1}], "reason": "Damaged in transit"})),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The return request (status `APPROVAL_PENDING`, cancellable); audited `return-create`.", body = ReturnRequest),
        (status = 400, description = "`ReturnRequestError`: the order is not delivered, or a quantity is above what is left to return of its line (cancelled and returned quantities counted; `subject` the entry number); `ValidationError`: no lines, a line named twice, quantity 0, no such line, no reason, or a malformed body. Refusals are audited.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such order.", body = ErrorList),
    )
)]
pub async fn create_return(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<ReturnRequestInput>,
) -> ApiResult<(StatusCode, Json<ReturnRequest>)> {
    let entries = req.return_request_entry_inputs;
    returns::check_inputs(Kind::Return, &entries)?;
    let reason = returns::checked_reason(&req.reason)?;
    let order_code = req.order_code.trim().to_owned();
    if order_code.is_empty() {
        return Err(Failure::validation(
            "orderCode",
            "Name the order to return from.",
        ));
    }
    let commerce = s.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let (created, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ReturnCreate,
        async move {
            let order = commerce.order(&user, &order_code).await?;
            returns::check_against(Kind::Return, &order, &entries)?;
            commerce
                .create_return(&user, &order_code, entries, &reason, &agent, now)
                .await
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /users/{userId}/orderReturns/{code}`: one return request.
#[utoipa::path(
    get,
    path = "/users/{userId}/orderReturns/{code}",
    tag = "as customer",
    operation_id = "customerReturnRequest",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("code" = String, Path, description = "Return request code."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The return request.", body = ReturnRequest),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such return request.", body = ErrorList),
    )
)]
pub async fn get_return(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<Json<ReturnRequest>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.return_request(&user_id, &code).await?))
}

/// `PATCH /users/{userId}/orderReturns/{code}`: cancel a return request (`{"status": "CANCELLING"}`).
#[utoipa::path(
    patch,
    path = "/users/{userId}/orderReturns/{code}",
    tag = "as customer",
    operation_id = "cancelReturnRequest",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("code" = String, Path, description = "Return request code."),
    ),
    request_body(content = ReturnRequestModification, content_type = "application/json", example = json!({"status": "CANCELLING"})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The return request, cancelled (for good); audited `return-cancel`.", body = ReturnRequest),
        (status = 400, description = "`CancelReturnRequestError`: the return was received or cancelled already (refusals are audited); `ValidationError`: a status other than `CANCELLING`, or a malformed body.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such return request.", body = ErrorList),
    )
)]
pub async fn cancel_return(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
    Json(req): Json<ReturnRequestModification>,
) -> ApiResult<Json<ReturnRequest>> {
    returns::checked_return_change(&req.status)?;
    let commerce = s.commerce.clone();
    let (user, now) = (user_id.clone(), state.now());
    let (cancelled, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ReturnCancel,
        async move { commerce.cancel_return(&user, &code, now).await },
    )
    .await?;
    Ok(Json(cancelled))
}
