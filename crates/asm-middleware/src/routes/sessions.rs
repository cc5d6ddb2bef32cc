//! Assisted sessions: start, read and end the emulation of a customer.

use crate::auth::SignedIn;
use crate::db::{self, rfc3339};
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path};
use crate::routes::customers::require_base_site;
use crate::AppState;
use asm_types::{error_type, AssistedSession, AssistedSessionRequest, ErrorList, SessionStatus};
use axum::extract::State;
use axum::http::StatusCode;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

const SELECT_SESSION: &str = "SELECT s.session_id, s.agent_uid, s.customer_id, c.name, c.uid, s.base_site, \
     s.cart_id, s.created, s.ended FROM assisted_sessions s JOIN customers c ON c.customer_id = s.customer_id";

fn session_from_row(r: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<AssistedSession> {
    Ok(AssistedSession {
        session_id: r.get(0)?,
        agent_id: r.get(1)?,
        customer_id: r.get(2)?,
        customer_name: r.get(3)?,
        customer_email: r.get(4)?,
        base_site: r.get(5)?,
        cart_id: r.get(6)?,
        created_at: rfc3339(r.get(7)?),
        status: if r.get::<_, Option<i64>>(8)?.is_some() {
            SessionStatus::Ended
        } else {
            SessionStatus::Active
        },
    })
}

/// The agent's active emulation, if any.
pub fn active_emulation(c: &Connection, agent_uid: &str) -> ApiResult<Option<AssistedSession>> {
    Ok(c.query_row(
        &format!("{SELECT_SESSION} WHERE s.agent_uid = ?1 AND s.ended IS NULL ORDER BY s.created DESC LIMIT 1"),
        params![agent_uid],
        session_from_row,
    )
    .optional()?)
}

/// Ends the agent's active emulation(s), recording why (`agent`, `switched`, `sign-out`, `timeout`).
pub fn end_active_emulation(
    c: &Connection,
    agent_uid: &str,
    now: i64,
    reason: &str,
) -> ApiResult<()> {
    let active: Vec<(String, String)> = {
        let mut stmt = c.prepare_cached(
            "SELECT session_id, customer_id FROM assisted_sessions WHERE agent_uid = ?1 AND ended IS NULL",
        )?;
        let rows = stmt.query_map(params![agent_uid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (session_id, customer_id) in active {
        c.execute(
            "UPDATE assisted_sessions SET ended = ?1, end_reason = ?2 WHERE session_id = ?3",
            params![now, reason, session_id],
        )?;
        db::audit(
            c,
            now,
            Some(agent_uid),
            Some(&customer_id),
            "emulation-end",
            Some(reason),
        )?;
    }
    Ok(())
}

/// Longest emulation reason accepted.
pub const MAX_REASON_CHARS: usize = 500;
/// Whether the customer may be emulated (or served, e.g. bound a cart): 403
/// `CannotEmulateAgentError` for an agent, 404 `NotFoundError` for no such customer, 403
/// `CustomerDisabledError` or `CustomerConsentError` otherwise (`subject` is the customer id).
pub fn check_emulatable(c: &Connection, customer_id: &str) -> ApiResult<()> {
    let is_agent = c
        .query_row(
            "SELECT 1 FROM agents WHERE uid = ?1",
            params![customer_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if is_agent {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::CANNOT_EMULATE_AGENT,
            "Agents cannot be emulated.",
        )
        .with_subject(customer_id));
    }
    let customer = c
        .query_row(
            "SELECT disabled, consent FROM customers WHERE customer_id = ?1",
            params![customer_id],
            |r| Ok((r.get::<_, bool>(0)?, r.get::<_, bool>(1)?)),
        )
        .optional()?;
    let Some((disabled, consent)) = customer else {
        return Err(Failure::not_found("Customer").with_subject(customer_id));
    };
    if disabled {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::CUSTOMER_DISABLED,
            "This customer's account is disabled and cannot be emulated.",
        )
        .with_subject(customer_id));
    }
    if !consent {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::NO_CONSENT,
            "This customer has not agreed to assisted service and cannot be emulated.",
        )
        .with_subject(customer_id));
    }
    Ok(())
}

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
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`CannotEmulateAgentError`, `CustomerDisabledError` or `CustomerConsentError`: this user cannot be emulated (`subject` is the customer id).", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer.", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Json(req): Json<AssistedSessionRequest>,
) -> ApiResult<(StatusCode, Json<AssistedSession>)> {
    let base_site = require_base_site(Some(&req.base_site))?;
    let customer_id = req.customer_id.trim().to_owned();
    if customer_id.is_empty() {
        return Err(Failure::validation(
            "customerId",
            "The customerId is required.",
        ));
    }
    let reason = req.reason.unwrap_or_default();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Failure::validation(
            "reason",
            format!("The reason must be at most {MAX_REASON_CHARS} characters long."),
        ));
    }
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().any(char::is_control) {
        return Err(Failure::validation(
            "reason",
            "Say why you emulate this customer: a ticket ID or a short note.",
        ));
    }
    let reason = Some(reason);
    let session_id = crate::auth::random_id(16)?;
    let now = state.now();
    let agent_uid = s.agent.uid;
    let session = state
        .db(move |c| {
            check_emulatable(c, &customer_id)?;
            let cart_id = match req.cart_id {
                Some(cart) => {
                    let owner: Option<Option<String>> = c
                        .query_row("SELECT customer_id FROM carts WHERE code = ?1", params![cart], |r| r.get(0))
                        .optional()?;
                    if owner.flatten().as_deref() != Some(customer_id.as_str()) {
                        return Err(Failure::validation("cartId", "This cart does not belong to the customer."));
                    }
                    Some(cart)
                }
                None => c
                    .query_row(
                        "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' ORDER BY modified DESC LIMIT 1",
                        params![customer_id],
                        |r| r.get(0),
                    )
                    .optional()?,
            };
            let tx = c.transaction()?;
            end_active_emulation(&tx, &agent_uid, now, "switched")?;
            tx.execute(
                "INSERT INTO assisted_sessions (session_id, agent_uid, customer_id, base_site, cart_id, reason, created) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![session_id, agent_uid, customer_id, base_site, cart_id, reason, now],
            )?;
            db::audit(&tx, now, Some(&agent_uid), Some(&customer_id), "emulation-start", reason.as_deref())?;
            let session = read_session(&tx, &session_id, &agent_uid)?;
            tx.commit()?;
            session.ok_or_else(|| Failure::internal("session vanished"))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(session)))
}

fn read_session(
    c: &Connection,
    session_id: &str,
    agent_uid: &str,
) -> ApiResult<Option<AssistedSession>> {
    Ok(c.query_row(
        &format!("{SELECT_SESSION} WHERE s.session_id = ?1 AND s.agent_uid = ?2"),
        params![session_id, agent_uid],
        session_from_row,
    )
    .optional()?)
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
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such session of this agent.", body = ErrorList),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    s: SignedIn,
    Path(session_id): Path<String>,
) -> ApiResult<Json<AssistedSession>> {
    let agent_uid = s.agent.uid;
    state
        .db(move |c| read_session(c, &session_id, &agent_uid))
        .await?
        .map(Json)
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
        (status = 400, description = "`ValidationError`: malformed path.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such session of this agent.", body = ErrorList),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    s: SignedIn,
    Path(session_id): Path<String>,
) -> ApiResult<Json<AssistedSession>> {
    let agent_uid = s.agent.uid;
    let now = state.now();
    state
        .db(move |c| {
            let Some(session) = read_session(c, &session_id, &agent_uid)? else {
                return Err(Failure::not_found("Session"));
            };
            if session.status == SessionStatus::Active {
                c.execute(
                    "UPDATE assisted_sessions SET ended = ?1, end_reason = 'agent' WHERE session_id = ?2",
                    params![now, session_id],
                )?;
                db::audit(c, now, Some(&agent_uid), Some(&session.customer_id), "emulation-end", Some("agent"))?;
            }
            Ok(Json(AssistedSession {
                status: SessionStatus::Ended,
                ..session
            }))
        })
        .await
}
