//! Customer search, a customer's carts, and the customer 360 summary.

use crate::http::auth::SignedIn;
use crate::http::customer_lists;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{BaseSite, Json, Path, Query, SiteParams};
use crate::ports::SearchRequest;
use crate::AppState;
use asm_types::{CartList, Customer360Data, CustomerSearchPage, CustomerSort};
use axum::extract::State;
use serde::Deserialize;

/// Query of `GET /customers/search`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Name, e-mail or customer id (any part); empty lists everyone.
    #[serde(default)]
    pub query: Option<String>,
    /// Base site (required).
    #[param(
        required = true,
        min_length = 1,
        pattern = r"\S",
        example = "electronics"
    )]
    pub base_site: Option<String>,
    /// Zero-based page; only the first 1,000 results can be paged through, so
    /// `(currentPage + 1) × pageSize` ≤ 1,000.
    #[serde(default)]
    #[param(minimum = 0, maximum = 999)]
    pub current_page: Option<u32>,
    /// Page size, 1..=100 (default 20).
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u32>,
    /// Only the customers of this list (`GET /customerlists`): `instore`, `pickup` or
    /// `mysessions` (the customers the signed-in agent emulated).
    #[serde(default)]
    pub customer_list_id: Option<String>,
    /// Only the customer who placed this order (exact order code); the entry carries it as
    /// `orderId`.
    #[serde(default)]
    pub order_id: Option<String>,
    /// Only the customer whose active or saved cart has this code (exact); the entry carries it
    /// as `cartId` with its `cartStatus`. A guest cart (no customer yet) or an ordered one finds
    /// nobody. Ignored with `orderId`.
    #[serde(default)]
    pub cart_id: Option<String>,
    /// Order of the results: `byNameAsc` (the default), `byNameDesc`, `byUidAsc`, `byUidDesc`,
    /// `byOrderDateAsc`, `byOrderDateDesc` (by the most recent order; customers without orders
    /// last) or `bySessionDateDesc` (only, and by default, in the `mysessions` list).
    #[serde(default)]
    #[param(inline, value_type = Option<asm_types::CustomerSort>)]
    pub sort: Option<String>,
}

pub use crate::domain::search::MAX_PAGE_SIZE;

/// `GET /customers/search`: customers whose name, e-mail or id contains the query, optionally
/// only a list's, an order's or a cart's, sorted.
#[utoipa::path(
    get,
    path = "/customers/search",
    tag = "customers",
    operation_id = "searchCustomers",
    params(SearchParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "A page of customers in the order asked for (`pagination.sort` is the sort applied, `sorts` the sorts offered).", body = asm_types::CustomerSearchPage),
        (status = 400, description = "`ValidationError`: `baseSite` missing, `pageSize` outside 1..=100, a page beyond the first 1,000 results (`currentPage`), an unknown `customerListId`, an unknown `orderId`, an unknown `cartId` (or a guest or ordered cart), an unknown `sort` (or `bySessionDateDesc` outside `mysessions`, or a sort other than by name of a query over everybody that more than 1,000 customers match or that is under 3 characters), or a malformed parameter (`subject` names it).", body = asm_types::ErrorList),
        (status = 429, description = "`TooManyRequestsError`: three searches of this agent are still running.",
            body = asm_types::ErrorList,
            headers(("Retry-After" = u64, description = "Seconds to wait before searching again."))),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    s: SignedIn,
    Query(p): Query<SearchParams>,
    BaseSite(_site): BaseSite,
) -> ApiResult<Json<CustomerSearchPage>> {
    let page_size = p.page_size.unwrap_or(20);
    let current_page = p.current_page.unwrap_or(0);
    crate::domain::search::check_page(current_page, page_size)?;
    let _permit = state.busy.acquire(&s.agent.uid)?;
    let list = match non_empty(p.customer_list_id) {
        Some(id) => Some(
            customer_lists::filter(&state, &id, &s.agent.uid)
                .await?
                .ok_or_else(|| {
                    Failure::validation(
                        "customerListId",
                        format!("There is no customer list {id:?}."),
                    )
                })?,
        ),
        None => None,
    };
    // Present means one of the documented codes, exactly (an empty `sort=` is not "no sort").
    let sort =
        match p.sort {
            Some(code) => Some(CustomerSort::parse(&code).ok_or_else(|| {
                Failure::validation("sort", format!("There is no sort {code:?}."))
            })?),
            None => None,
        };
    let req = SearchRequest {
        query: p.query.unwrap_or_default().trim().to_lowercase(),
        list,
        order_id: non_empty(p.order_id),
        cart_id: non_empty(p.cart_id),
        sort,
        current_page,
        page_size,
    };
    Ok(Json(s.commerce.search(req).await?))
}

/// The trimmed value, if not empty.
fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `GET /customers/{customerId}/carts`: the customer's active and saved carts with their lines.
#[utoipa::path(
    get,
    path = "/customers/{customerId}/carts",
    tag = "customers",
    operation_id = "customerCarts",
    params(("customerId" = String, Path, description = "Customer id.", example = "C-LINDA"), SiteParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The customer's active carts (`carts`) and saved carts (`savedCarts`, e.g. replaced by a bound cart), most recently modified first.", body = asm_types::CartList),
        (status = 400, description = "`ValidationError`: `baseSite` missing or a malformed parameter.", body = asm_types::ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer.", body = asm_types::ErrorList),
    )
)]
pub async fn carts(
    s: SignedIn,
    Path(customer_id): Path<String>,
    BaseSite(_site): BaseSite,
) -> ApiResult<Json<CartList>> {
    Ok(Json(s.commerce.customer_carts(&customer_id).await?))
}

/// `GET /customers/{customerId}`: the customer 360 summary of the seed contract.
#[utoipa::path(
    get,
    path = "/customers/{customerId}",
    tag = "customers",
    operation_id = "getCustomer360",
    params(("customerId" = String, Path, description = "Customer id.", example = "C-LINDA"), SiteParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "Profile header, recent orders, active carts and support tickets.", body = asm_types::Customer360Data),
        (status = 400, description = "`ValidationError`: `baseSite` missing or a malformed parameter.", body = asm_types::ErrorList),
        (status = 403, description = "`CustomerConsentError`: the agent is not emulating this customer, who has not agreed to assisted service. Reads without emulating are audited `customer360-read` (detail `summary`).", body = asm_types::ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer.", body = asm_types::ErrorList),
    )
)]
pub async fn get_customer(
    State(state): State<AppState>,
    s: SignedIn,
    Path(customer_id): Path<String>,
    BaseSite(_site): BaseSite,
) -> ApiResult<Json<Customer360Data>> {
    crate::http::customer360::personal_data_read(&state, &s, &customer_id, "summary").await?;
    Ok(Json(s.commerce.customer_summary(&customer_id).await?))
}
