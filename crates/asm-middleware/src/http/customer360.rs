//! Customer 360 as fragments: `POST /customers/{customerId}/customer360`.
//!
//! The request lists the fragments wanted; each is read on its own and answered with its data
//! or its own error, so one failing fragment (e.g. a table it reads is broken) leaves the
//! others intact. The request as a whole fails only when it is malformed (400), the agent is not
//! signed in (401), the CSRF guard refuses it (403) or the customer does not exist (404).
//! Duplicate types are allowed: each query is answered on its own (e.g. two `activity` lists
//! of different sizes).

use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{BaseSite, SiteParams};
use crate::http::extract::{Json, Path};
use crate::ports::{Customer360Query, NewAudit};
use crate::AppState;
use asm_types::{
    AuditAction, Customer360FragmentType, Customer360Request, Customer360Response,
    C360_DEFAULT_LIST_SIZE, C360_MAX_LIST_SIZE, C360_MAX_QUERIES,
};
use axum::extract::State;

/// Checks the queries: 1..=12 of them, known types, list sizes in 1..=500.
fn check_queries(req: &Customer360Request) -> ApiResult<Vec<Customer360Query>> {
    if req.queries.is_empty() {
        return Err(Failure::validation(
            "queries",
            "At least one query is required.",
        ));
    }
    if req.queries.len() > C360_MAX_QUERIES {
        return Err(Failure::validation(
            "queries",
            format!("At most {C360_MAX_QUERIES} queries are allowed."),
        ));
    }
    req.queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let Some(kind) = Customer360FragmentType::parse(&q.kind) else {
                let known: Vec<&str> = Customer360FragmentType::ALL
                    .iter()
                    .map(|t| t.as_str())
                    .collect();
                return Err(Failure::validation(
                    &format!("queries[{i}].type"),
                    format!(
                        "Unknown fragment type; expected one of: {}.",
                        known.join(", ")
                    ),
                ));
            };
            let list_size = q.list_size.unwrap_or(C360_DEFAULT_LIST_SIZE);
            if list_size == 0 || list_size > C360_MAX_LIST_SIZE {
                return Err(Failure::validation(
                    &format!("queries[{i}].listSize"),
                    format!("listSize must be between 1 and {C360_MAX_LIST_SIZE}."),
                ));
            }
            Ok(Customer360Query { kind, list_size })
        })
        .collect()
}

/// An agent reading `customer_id`'s Customer 360° data (`fragments`): allowed while emulating
/// the customer; otherwise only with the customer's consent (`CustomerConsentError`), and
/// audited `customer360-read` (who, whom, which fragments).
pub async fn personal_data_read(
    state: &AppState,
    s: &SignedIn,
    customer_id: &str,
    fragments: &str,
) -> ApiResult<()> {
    let emulating = state
        .sessions
        .active_emulation(&s.agent.uid)
        .await?
        .is_some_and(|e| e.customer_id == customer_id);
    if emulating {
        return Ok(());
    }
    let status = s.commerce.customer_status(customer_id).await?;
    crate::domain::emulation::check_personal_data_read(customer_id, status.as_ref())?;
    state
        .sessions
        .audit(NewAudit {
            at: state.now(),
            agent_uid: Some(s.agent.uid.clone()),
            customer_id: Some(customer_id.to_owned()),
            action: AuditAction::Customer360Read,
            detail: Some(fragments.to_owned()),
        })
        .await?;
    Ok(())
}

/// `POST /customers/{customerId}/customer360`: the customer 360 fragments asked for, in order.
#[utoipa::path(
    post,
    path = "/customers/{customerId}/customer360",
    tag = "customers",
    operation_id = "customer360Fragments",
    params(("customerId" = String, Path, description = "Customer id.", example = "C-LINDA"), SiteParams),
    request_body(
        content = Customer360Request,
        content_type = "application/json",
        description = "The fragments wanted (1..=12; duplicates allowed, each answered on its own).",
        example = json!({"queries": [{"type": "overview"}, {"type": "profile"}, {"type": "activity", "listSize": 5}]})
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "One answer per query, in order: `{type, data}`, or `{type, error}` when that fragment alone failed (`InternalError`).", body = Customer360Response),
        (status = 400, description = "`ValidationError`: `baseSite` missing, malformed body, no queries or more than 12, an unknown fragment type (`subject` `queries[i].type`) or a `listSize` outside 1..=500 (`queries[i].listSize`).", body = asm_types::ErrorList),
        (status = 403, description = "`CustomerConsentError`: the agent is not emulating this customer, who has not agreed to assisted service (`subject` is the id). Reads without emulating are audited `customer360-read`.", body = asm_types::ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer (`subject` is the id).", body = asm_types::ErrorList),
    )
)]
pub async fn fragments(
    State(state): State<AppState>,
    s: SignedIn,
    Path(customer_id): Path<String>,
    BaseSite(_site): BaseSite,
    Json(req): Json<Customer360Request>,
) -> ApiResult<Json<Customer360Response>> {
    let queries = check_queries(&req)?;
    let fragments: Vec<&str> = queries.iter().map(|q| q.kind.as_str()).collect();
    personal_data_read(&state, &s, &customer_id, &fragments.join(",")).await?;
    let response = s
        .commerce
        .customer360(&customer_id, queries, state.now())
        .await?;
    Ok(Json(response))
}
