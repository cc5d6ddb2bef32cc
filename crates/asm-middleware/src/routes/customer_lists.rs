//! Customer lists: the in-store customers, the customers picking up orders, and the customers
//! the signed-in agent emulated recently. Their members are paged, sorted and searched by
//! `GET /customers/search?customerListId=...`.

use crate::auth::SignedIn;
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path, Query};
use crate::routes::customers::{require_base_site, SiteParams};
use crate::search::{ListFilter, PICKUP_LIST};
use crate::AppState;
use asm_types::{CustomerListDetail, CustomerListSummary, CustomerLists, ErrorList};
use axum::extract::State;
use r2d2_sqlite::rusqlite::{params, Connection};

/// One customer list every agent may see.
#[derive(Clone, Copy, Debug)]
pub struct ListDef {
    /// List id (`customerListId`).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Extra columns (fields of `CustomerSearchEntry`) to show.
    pub additional_columns: &'static [&'static str],
}

/// Id of the list of the customers the signed-in agent emulated.
pub const MY_SESSIONS_LIST: &str = "mysessions";
/// Id of the list of the customers in the store now.
pub const IN_STORE_LIST: &str = "instore";

/// Every customer list, in display order.
pub const LISTS: &[ListDef] = &[
    ListDef {
        id: IN_STORE_LIST,
        name: "Current In-Store Customers",
        additional_columns: &["lastCartId"],
    },
    ListDef {
        id: PICKUP_LIST,
        name: "Pick-Up In-Store Customers",
        additional_columns: &["orderId"],
    },
    ListDef {
        id: MY_SESSIONS_LIST,
        name: "My Recent Customer Sessions",
        additional_columns: &["lastCartId"],
    },
];

/// The list with this id.
pub fn find(id: &str) -> Option<&'static ListDef> {
    LISTS.iter().find(|l| l.id == id)
}

/// The search filter of the list `id` for the agent `agent_uid`, if the list exists.
pub fn filter(id: &str, agent_uid: &str) -> Option<ListFilter> {
    let def = find(id)?;
    Some(if def.id == MY_SESSIONS_LIST {
        ListFilter::MySessions(agent_uid.to_owned())
    } else {
        ListFilter::Stored(def.id)
    })
}

/// How many customers the list holds for this agent.
fn members_count(c: &Connection, def: &ListDef, agent_uid: &str) -> ApiResult<u64> {
    let n: i64 = if def.id == MY_SESSIONS_LIST {
        c.prepare_cached(
            "SELECT COUNT(DISTINCT customer_id) FROM assisted_sessions WHERE agent_uid = ?1",
        )?
        .query_row(params![agent_uid], |r| r.get(0))?
    } else {
        c.prepare_cached("SELECT COUNT(*) FROM customer_list_members WHERE list_id = ?1")?
            .query_row(params![def.id], |r| r.get(0))?
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// `GET /customerlists`: the customer lists with their sizes.
#[utoipa::path(
    get,
    path = "/customerlists",
    tag = "customers",
    operation_id = "customerLists",
    params(SiteParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "Every customer list the agent may see, with how many customers it holds (`mysessions`: the customers this agent emulated).", body = CustomerLists),
        (status = 400, description = "`ValidationError`: `baseSite` missing or a malformed parameter.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Query(p): Query<SiteParams>,
) -> ApiResult<Json<CustomerLists>> {
    require_base_site(p.base_site.as_deref())?;
    let agent_uid = s.agent.uid;
    let lists = state
        .db(move |c| {
            let customer_lists = LISTS
                .iter()
                .map(|def| {
                    Ok(CustomerListSummary {
                        id: def.id.to_owned(),
                        name: def.name.to_owned(),
                        members_count: members_count(c, def, &agent_uid)?,
                    })
                })
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(CustomerLists { customer_lists })
        })
        .await?;
    Ok(Json(lists))
}

/// `GET /customerlists/{listId}`: one customer list and how to show it.
#[utoipa::path(
    get,
    path = "/customerlists/{listId}",
    tag = "customers",
    operation_id = "getCustomerList",
    params(("listId" = String, Path, description = "List id: `instore`, `pickup` or `mysessions`.", example = "instore"), SiteParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The list: name, size, whether it may be searched, and the extra columns to show. Its members come from `GET /customers/search?customerListId=...`.", body = CustomerListDetail),
        (status = 400, description = "`ValidationError`: `baseSite` missing or a malformed parameter.", body = ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such list.", body = ErrorList),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    s: SignedIn,
    Path(list_id): Path<String>,
    Query(p): Query<SiteParams>,
) -> ApiResult<Json<CustomerListDetail>> {
    require_base_site(p.base_site.as_deref())?;
    let def = find(&list_id)
        .copied()
        .ok_or_else(|| Failure::not_found("Customer list").with_subject(list_id))?;
    let agent_uid = s.agent.uid;
    let detail = state
        .db(move |c| {
            Ok(CustomerListDetail {
                id: def.id.to_owned(),
                name: def.name.to_owned(),
                members_count: members_count(c, &def, &agent_uid)?,
                search_box_enabled: true,
                additional_columns: def
                    .additional_columns
                    .iter()
                    .map(|col| (*col).to_owned())
                    .collect(),
            })
        })
        .await?;
    Ok(Json(detail))
}
