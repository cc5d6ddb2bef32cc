//! The emulated customer's support tickets (list, detail with messages, open, add a message or
//! close) and product reviews, in SAP OCC's shapes (customerticketingocc, products controller).
//! Any agent may write them while emulating; the domain checks the fields first
//! (`domain::support`), and every write — refused ones too — is audited with the agent and the
//! customer. A backend that keeps ticket writes to the customer (SAP, some versions) refuses
//! with `ForbiddenError` and says so.

use super::orders::PageParams;
use super::{require_emulation, write_as};
use crate::domain::support;
use crate::http::auth::SignedIn;
use crate::http::error::ApiResult;
use crate::http::extract::{Json, Path, Query};
use crate::AppState;
use asm_types::{
    AuditAction, ErrorList, Review, ReviewInput, ReviewList, Ticket, TicketCategoryList,
    TicketEvent, TicketEventInput, TicketList, TicketStarter,
};
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /users/{userId}/tickets`: the customer's tickets, most recently changed first.
#[utoipa::path(
    get,
    path = "/users/{userId}/tickets",
    tag = "as customer",
    operation_id = "customerTickets",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"), PageParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "A page of tickets (without their messages).", body = TicketList),
        (status = 400, description = "`ValidationError`: `pageSize` outside 1..=100 or a malformed parameter.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn list_tickets(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<TicketList>> {
    let (current_page, page_size) = p.checked()?;
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(
        s.commerce
            .tickets(&user_id, current_page, page_size)
            .await?,
    ))
}

/// `POST /users/{userId}/tickets`: open a ticket as the customer.
#[utoipa::path(
    post,
    path = "/users/{userId}/tickets",
    tag = "as customer",
    operation_id = "createTicket",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = TicketStarter, content_type = "application/json", example = json!({"subject": "Camera arrived scratched", "message": "The lens has a scratch.", "ticketCategory": {"id": "COMPLAINT"}, "associatedTo": {"code": "30000000", "type": "Order"}})),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The ticket (status `OPEN`, marked `addedByAgent`) with its first message; audited `ticket-create`.", body = Ticket),
        (status = 400, description = "`ValidationError`: no subject or message, too long, control characters, an unknown category, or a malformed body (refused before anything is written or audited); an unknown category or an order or cart that is not the customer's (audited refusals).", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer; `ForbiddenError`: the backend lets only the customer open tickets (SAP Commerce, some versions).", body = ErrorList),
    )
)]
pub async fn create_ticket(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<TicketStarter>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let new = support::checked_ticket(&req)?;
    let commerce = s.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let (ticket, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::TicketCreate,
        async move { commerce.create_ticket(&user, new, &agent, now).await },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// `GET /users/{userId}/tickets/{ticketId}`: one ticket with its messages.
#[utoipa::path(
    get,
    path = "/users/{userId}/tickets/{ticketId}",
    tag = "as customer",
    operation_id = "customerTicket",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("ticketId" = String, Path, description = "Ticket id."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The ticket with its messages, oldest first.", body = Ticket),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such ticket.", body = ErrorList),
    )
)]
pub async fn get_ticket(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, ticket_id)): Path<(String, String)>,
) -> ApiResult<Json<Ticket>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.ticket(&user_id, &ticket_id).await?))
}

/// `POST /users/{userId}/tickets/{ticketId}/events`: add a message, optionally closing the
/// ticket.
#[utoipa::path(
    post,
    path = "/users/{userId}/tickets/{ticketId}/events",
    tag = "as customer",
    operation_id = "createTicketEvent",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("ticketId" = String, Path, description = "Ticket id."),
    ),
    request_body(content = TicketEventInput, content_type = "application/json", example = json!({"message": "Replacement received, thank you.", "toStatus": {"id": "CLOSED"}})),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The message (marked `addedByAgent`); audited `ticket-message`.", body = TicketEvent),
        (status = 400, description = "`ValidationError`: no message, too long, control characters, or a malformed body (refused before anything is audited); a status not in the ticket's `availableStatusTransitions` or a closed ticket (audited refusals).", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer; `ForbiddenError`: the backend lets only the customer write in tickets (SAP Commerce, some versions).", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such ticket.", body = ErrorList),
    )
)]
pub async fn create_ticket_event(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, ticket_id)): Path<(String, String)>,
    Json(req): Json<TicketEventInput>,
) -> ApiResult<(StatusCode, Json<TicketEvent>)> {
    let event = support::checked_event(&req)?;
    let commerce = s.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let (created, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::TicketMessage,
        async move {
            let ticket = commerce.ticket(&user, &ticket_id).await?;
            support::check_transition(&ticket, &event)?;
            commerce
                .add_ticket_event(&user, &ticket_id, event, &agent, now)
                .await
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /ticketCategories`: the categories a new ticket may have.
#[utoipa::path(
    get,
    path = "/ticketCategories",
    tag = "as customer",
    operation_id = "ticketCategories",
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The categories.", body = TicketCategoryList),
        (status = 401, description = "`InvalidTokenError`: not signed in.", body = ErrorList),
    )
)]
pub async fn ticket_categories(s: SignedIn) -> ApiResult<Json<TicketCategoryList>> {
    Ok(Json(s.commerce.ticket_categories().await?))
}

/// `GET /products/{productCode}/reviews`: a product's reviews (public, as the catalogue).
#[utoipa::path(
    get,
    path = "/products/{productCode}/reviews",
    tag = "catalogue",
    operation_id = "productReviews",
    params(("productCode" = String, Path, description = "Product code.", example = "300938")),
    responses(
        (status = 200, description = "The product's reviews, newest first (at most 100).", body = ReviewList),
        (status = 404, description = "`NotFoundError`: no such product.", body = ErrorList),
    )
)]
pub async fn reviews(
    State(state): State<AppState>,
    Path(product): Path<String>,
) -> ApiResult<Json<ReviewList>> {
    Ok(Json(state.commerce.reviews(&product).await?))
}

/// `POST /users/{userId}/products/{productCode}/reviews`: write a review as the customer.
#[utoipa::path(
    post,
    path = "/users/{userId}/products/{productCode}/reviews",
    tag = "as customer",
    operation_id = "createReview",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("productCode" = String, Path, description = "Product code.", example = "300938"),
    ),
    request_body(content = ReviewInput, content_type = "application/json", example = json!({"rating": 4, "headline": "Good value", "comment": "Sharp pictures."})),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The review (marked `addedByAgent`); audited `review-create`. On SAP Commerce the review is written with the emulated customer named in `sap-commerce-cloud-user-id`; a version that ignores it attributes it to the agent or to nobody (SAP-CONTRACT.md §4.10).", body = Review),
        (status = 400, description = "`ValidationError`: rating outside 1..=5, no headline or text, too long, control characters, or a malformed body (refused before anything is audited).", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such product (an audited refusal).", body = ErrorList),
    )
)]
pub async fn create_review(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, product)): Path<(String, String)>,
    Json(req): Json<ReviewInput>,
) -> ApiResult<(StatusCode, Json<Review>)> {
    let review = support::checked_review(&req)?;
    let commerce = s.commerce.clone();
    let (user, now, agent) = (user_id.clone(), state.now(), s.agent.uid.clone());
    let (created, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ReviewCreate,
        async move {
            commerce
                .create_review(&user, &product, review, &agent, now)
                .await
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
