//! `GET /audit`: the audit log, readable by sales managers only.

use crate::auth::SignedIn;
use crate::db::rfc3339;
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Query};
use crate::routes::customers::MAX_PAGE_SIZE;
use crate::AppState;
use asm_types::{error_type, AuditEntry, AuditPage, Pagination};
use axum::extract::State;
use axum::http::StatusCode;
use r2d2_sqlite::rusqlite::types::Value;
use r2d2_sqlite::rusqlite::{params_from_iter, Connection};
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
    /// Only records of this action (exact, e.g. `emulation-start`).
    #[serde(default)]
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
        (status = 400, description = "`ValidationError`: `pageSize` outside 1..=100, `from` after `to`, or a malformed parameter such as a time that is not an integer (`subject` names it).", body = asm_types::ErrorList),
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
    let page = state.db(move |c| read_page(c, &p, page_size)).await?;
    Ok(Json(page))
}

/// Reads one page of the audit log with the filters of `p`.
pub fn read_page(c: &Connection, p: &AuditParams, page_size: u32) -> ApiResult<AuditPage> {
    let current_page = p.current_page.unwrap_or(0);
    let mut conditions: Vec<&str> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(from) = p.from {
        conditions.push("at >= ?");
        args.push(Value::Integer(from));
    }
    if let Some(to) = p.to {
        conditions.push("at < ?");
        args.push(Value::Integer(to));
    }
    for (column, value) in [
        ("agent_uid = ?", &p.agent_id),
        ("customer_id = ?", &p.customer_id),
        ("action = ?", &p.action),
    ] {
        if let Some(v) = value {
            conditions.push(column);
            args.push(Value::Text(v.clone()));
        }
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let total: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM audit_log{filter}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let offset = i64::from(current_page) * i64::from(page_size);
    let mut page_args = args;
    page_args.push(Value::Integer(i64::from(page_size)));
    page_args.push(Value::Integer(offset));
    let mut stmt = c.prepare(&format!(
        "SELECT id, at, agent_uid, customer_id, action, detail FROM audit_log{filter} \
         ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
    ))?;
    let entries = stmt
        .query_map(params_from_iter(page_args.iter()), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: rfc3339(r.get(1)?),
                agent_id: r.get(2)?,
                customer_id: r.get(3)?,
                action: asm_types::AuditAction::parse(&r.get::<_, String>(4)?)
                    .unwrap_or(asm_types::AuditAction::SignIn),
                detail: r.get(5)?,
                outcome: None,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total_results = u64::try_from(total).unwrap_or(0);
    Ok(AuditPage {
        entries,
        pagination: Pagination {
            current_page,
            page_size,
            total_pages: u32::try_from(total_results.div_ceil(u64::from(page_size)))
                .unwrap_or(u32::MAX),
            total_results,
            ..Pagination::default()
        },
    })
}
