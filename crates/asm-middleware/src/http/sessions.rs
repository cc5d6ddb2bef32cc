//! Assisted sessions: start, read and end the emulation of a customer.

use crate::format::rfc3339;
use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::require_base_site;
use crate::http::extract::{Json, Path};
use crate::ports::EmulationRecord;
use crate::AppState;
use asm_types::{AssistedSession, AssistedSessionRequest, ErrorList, SessionStatus};
use axum::extract::State;
use axum::http::StatusCode;

/// The wire form of an emulation record.
pub fn wire(e: EmulationRecord) -> AssistedSession {
    AssistedSession {
        session_id: e.session_id,
        agent_id: e.agent_uid,
        customer_id: e.customer_id,
        customer_name: e.customer_name,
        customer_email: e.customer_email,
        base_site: e.base_site,
        cart_id: e.cart_id,
        created_at: rfc3339(e.created),
        status: if e.ended.is_some() {
            SessionStatus::Ended
        } else {
            SessionStatus::Active
        },
    }
}

/// The agent's active emulation, if any.
pub async fn active_emulation(
    state: &AppState,
    agent_uid: &str,
) -> ApiResult<Option<AssistedSession>> {
    Ok(state.sessions.active_emulation(agent_uid).await?.map(wire))
}

pub use crate::domain::emulation::MAX_REASON_CHARS;
/// `POST /sessions`: start emulating a customer (ends the agent's previous emulation).
#[utoipa::path(
    post,
    path = "/sessions",
    tag = "sessions",
    operation_id = "createAssistedSession",
    request_body(
        content = AssistedSessionRequest,
        content_type = "application/json",
        example = json!({"customerId": "C-LINDA", "baseSite": "electronics", "reason": "Ticket 4711"})
    ),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "Emulation started; the agent's previous emulation, if any, ended.", body = AssistedSession),
        (status = 400, description = "`ValidationError`: malformed body, missing `baseSite` or `customerId`, a missing, blank or over-long `reason`, or a `cartId` that is not the customer's (`subject` names the field).", body = ErrorList),
        (status = 403, description = "`CannotEmulateAgentError`, `CustomerDisabledError` or `CustomerConsentError`: this user cannot be emulated (`subject` is the customer id).", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer.", body = ErrorList),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Json(req): Json<AssistedSessionRequest>,
) -> ApiResult<(StatusCode, Json<AssistedSession>)> {
    let base_site = require_base_site(&state.config, Some(&req.base_site))?;
    let customer_id = req.customer_id.trim().to_owned();
    if customer_id.is_empty() {
        return Err(Failure::validation(
            "customerId",
            "The customerId is required.",
        ));
    }
    let reason = crate::domain::emulation::checked_reason(req.reason.as_deref())?;
    let session_id = crate::http::auth::random_id(16)?;
    let now = state.now();
    let agent_uid = s.agent.uid;
    // The emulation this one replaces: its session-only vouchers leave the cart.
    let previous = state.sessions.active_emulation(&agent_uid).await?;
    let status = s.commerce.customer_status(&customer_id).await?;
    crate::domain::emulation::check_emulatable(&customer_id, status.as_ref())?;
    let (customer_name, customer_email) = status.map(|s| (s.name, s.email)).unwrap_or_default();
    let cart_id = match req.cart_id {
        Some(cart) => {
            if !s.commerce.owns_cart(&customer_id, &cart).await? {
                return Err(Failure::validation(
                    "cartId",
                    "This cart does not belong to the customer.",
                ));
            }
            Some(cart)
        }
        None => s.commerce.active_cart(&customer_id).await?,
    };
    let record = EmulationRecord {
        session_id,
        agent_uid,
        customer_id,
        customer_name,
        customer_email,
        base_site: base_site.to_owned(),
        cart_id,
        reason: Some(reason),
        created: now,
        ended: None,
    };
    state.sessions.start_emulation(&record).await?;
    if let Some(previous) = previous {
        crate::sweep::end_session_vouchers(&state, Some(&previous.session_id)).await;
    }
    Ok((StatusCode::CREATED, Json(wire(record))))
}

/// `GET /sessions/{sessionId}`: one of the agent's own sessions.
#[utoipa::path(
    get,
    path = "/sessions/{sessionId}",
    tag = "sessions",
    operation_id = "getAssistedSession",
    params(("sessionId" = String, Path, description = "Assisted session id.")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The session (active or ended).", body = AssistedSession),
        (status = 404, description = "`NotFoundError`: no such session of this agent.", body = ErrorList),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    s: SignedIn,
    Path(session_id): Path<String>,
) -> ApiResult<Json<AssistedSession>> {
    state
        .sessions
        .emulation(&session_id, &s.agent.uid)
        .await?
        .map(|e| Json(wire(e)))
        .ok_or_else(|| Failure::not_found("Session"))
}

/// `DELETE /sessions/{sessionId}`: end the emulation. Ending an ended session is harmless.
#[utoipa::path(
    delete,
    path = "/sessions/{sessionId}",
    tag = "sessions",
    operation_id = "endAssistedSession",
    params(("sessionId" = String, Path, description = "Assisted session id.")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The session, now ended.", body = AssistedSession),
        (status = 404, description = "`NotFoundError`: no such session of this agent.", body = ErrorList),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    s: SignedIn,
    Path(session_id): Path<String>,
) -> ApiResult<Json<AssistedSession>> {
    let agent_uid = s.agent.uid;
    let Some(session) = state.sessions.emulation(&session_id, &agent_uid).await? else {
        return Err(Failure::not_found("Session"));
    };
    if session.ended.is_none() {
        state
            .sessions
            .end_emulations(&agent_uid, Some(&session_id), state.now(), "agent")
            .await?;
        crate::sweep::end_session_vouchers(&state, Some(&session_id)).await;
    }
    Ok(Json(AssistedSession {
        status: SessionStatus::Ended,
        ..wire(session)
    }))
}
