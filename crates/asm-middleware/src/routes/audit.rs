//! `GET /audit`: the audit log, readable by sales managers only.

use crate::auth::SignedIn;
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Query};
use crate::ports::AuditQuery;
use crate::routes::customers::MAX_PAGE_SIZE;
use crate::AppState;
use asm_types::{error_type, AuditAction, AuditPage, Pagination};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Filters and paging of the audit log. Times are milliseconds since the Unix epoch.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only records at or after this time (ms since the Unix epoch, inclusive).
    #[serde(default)]
    #[param(example = 1_767_225_600_000_i64)]
    pub from: Option<i64>,
    /// Only records before this time (ms since the Unix epoch, exclusive).
    #[serde(default)]
    #[param(example = 1_767_312_000_000_i64)]
    pub to: Option<i64>,
    /// Only records of this agent (exact uid).
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Only records about this customer (exact customer id).
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Only records of this action (e.g. `emulation-start`; an unknown action is a 400).
    #[serde(default)]
    #[param(value_type = Option<AuditAction>)]
    pub action: Option<String>,
    /// Zero-based page.
    #[serde(default)]
    pub current_page: Option<u32>,
    /// Page size, 1..=100 (default 20).
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
}

/// `GET /audit`: the audit log, newest first, filtered and paged.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    operation_id = "listAuditLog",
    params(AuditParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "A page of audit records, newest first.", body = AuditPage),
        (status = 400, description = "`ValidationError`: `pageSize` outside 1..=100, `from` after `to`, an unknown `action`, or a malformed parameter such as a time that is not an integer (`subject` names it).", body = asm_types::ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = asm_types::ErrorList),
        (status = 403, description = "`ForbiddenError`: only sales managers may read the audit log.", body = asm_types::ErrorList),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<AuditPage>> {
    if !s.agent.is_sales_manager() {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            error_type::FORBIDDEN,
            "Only sales managers may read the audit log.",
        ));
    }
    let page_size = p.page_size.unwrap_or(20);
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(Failure::validation(
            "pageSize",
            format!("pageSize must be between 1 and {MAX_PAGE_SIZE}."),
        ));
    }
    if let (Some(from), Some(to)) = (p.from, p.to) {
        if from > to {
            return Err(Failure::validation("from", "from must not be after to."));
        }
    }
    let action = match p.action.as_deref() {
        Some(text) => Some(AuditAction::parse(text).ok_or_else(|| {
            Failure::validation("action", format!("There is no audit action {text:?}."))
        })?),
        None => None,
    };
    let current_page = p.current_page.unwrap_or(0);
    let query = AuditQuery {
        from: p.from,
        to: p.to,
        agent_id: p.agent_id,
        customer_id: p.customer_id,
        action,
        current_page,
        page_size,
    };
    let (total_results, entries) = state.sessions.audit_page(&query).await?;
    Ok(Json(AuditPage {
        entries,
        pagination: Pagination {
            current_page,
            page_size,
            total_pages: u32::try_from(total_results.div_ceil(u64::from(page_size)))
                .unwrap_or(u32::MAX),
            total_results,
            ..Pagination::default()
        },
    }))
}
