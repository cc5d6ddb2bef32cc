//! Customer lists: the in-store customers, the customers picking up orders, and the customers
//! the signed-in agent emulated recently. Their members are paged, sorted and searched by
//! `GET /customers/search?customerListId=...`.

use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{BaseSite, SiteParams};
use crate::http::extract::{Json, Path};
use crate::ports::ListFilter;
use crate::AppState;
use asm_types::{
    CustomerListDetail, CustomerListId, CustomerListSummary, CustomerLists, ErrorList,
};
use axum::extract::State;

/// One customer list every agent may see.
#[derive(Clone, Copy, Debug)]
pub struct ListDef {
    /// List id (`customerListId`).
    pub id: CustomerListId,
    /// Display name.
    pub name: &'static str,
    /// Extra columns (fields of `CustomerSearchEntry`) to show.
    pub additional_columns: &'static [&'static str],
}

/// Every customer list, in display order.
pub const LISTS: &[ListDef] = &[
    ListDef {
        id: CustomerListId::InStore,
        name: "Current In-Store Customers",
        additional_columns: &["lastCartId"],
    },
    ListDef {
        id: CustomerListId::Pickup,
        name: "Pick-Up In-Store Customers",
        additional_columns: &["orderId"],
    },
    ListDef {
        id: CustomerListId::MySessions,
        name: "My Recent Customer Sessions",
        additional_columns: &["lastCartId"],
    },
];

/// The list with this id.
pub fn find(id: &str) -> Option<&'static ListDef> {
    let id = CustomerListId::parse(id)?;
    LISTS.iter().find(|l| l.id == id)
}

/// The search filter of the list `id` for the agent `agent_uid`, if the list exists.
pub async fn filter(state: &AppState, id: &str, agent_uid: &str) -> ApiResult<Option<ListFilter>> {
    let Some(def) = find(id) else {
        return Ok(None);
    };
    Ok(Some(if def.id == CustomerListId::MySessions {
        ListFilter::Emulated(state.sessions.emulated_customers(agent_uid).await?)
    } else {
        ListFilter::Stored(def.id)
    }))
}

/// How many customers each list holds for this agent, in the order of `defs`.
async fn members_counts(state: &AppState, s: &SignedIn, defs: Vec<ListDef>) -> ApiResult<Vec<u64>> {
    let agent_uid = s.agent.uid.as_str();
    let emulated = if defs.iter().any(|d| d.id == CustomerListId::MySessions) {
        state.sessions.emulated_customers(agent_uid).await?.len() as u64
    } else {
        0
    };
    let mut counts = Vec::with_capacity(defs.len());
    for def in &defs {
        counts.push(if def.id == CustomerListId::MySessions {
            emulated
        } else {
            s.commerce.list_members_count(def.id).await?
        });
    }
    Ok(counts)
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
    )
)]
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    BaseSite(_site): BaseSite,
) -> ApiResult<Json<CustomerLists>> {
    let counts = members_counts(&state, &s, LISTS.to_vec()).await?;
    let customer_lists = LISTS
        .iter()
        .zip(counts)
        .map(|(def, members_count)| CustomerListSummary {
            id: def.id.as_str().to_owned(),
            name: def.name.to_owned(),
            members_count,
        })
        .collect();
    Ok(Json(CustomerLists { customer_lists }))
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
        (status = 404, description = "`NotFoundError`: no such list.", body = ErrorList),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    s: SignedIn,
    Path(list_id): Path<String>,
    BaseSite(_site): BaseSite,
) -> ApiResult<Json<CustomerListDetail>> {
    let def = find(&list_id)
        .copied()
        .ok_or_else(|| Failure::not_found("Customer list").with_subject(list_id))?;
    let members_count = members_counts(&state, &s, vec![def])
        .await?
        .first()
        .copied()
        .unwrap_or(0);
    Ok(Json(CustomerListDetail {
        id: def.id.as_str().to_owned(),
        name: def.name.to_owned(),
        members_count,
        search_box_enabled: true,
        additional_columns: def
            .additional_columns
            .iter()
            .map(|col| (*col).to_owned())
            .collect(),
    }))
}
