//! Customer search, a customer's carts, and the customer 360 summary.

use crate::auth::SignedIn;
use crate::commerce::embedded::search::SearchRequest;
use crate::domain::format::{money, rfc3339};
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Path, Query};
use crate::routes::customer_lists;
use crate::AppState;
use asm_types::{
    CartEntry, CartList, CartSummary, Customer360Data, Customer360Overview, CustomerAddress,
    CustomerSearchPage, CustomerSort, LatestActivity, OrderSummary, TicketSummary,
};
use axum::extract::State;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};
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
    /// Zero-based page.
    #[serde(default)]
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
    /// Order of the results: `byNameAsc` (the default), `byNameDesc`, `byUidAsc`, `byUidDesc`,
    /// `byOrderDateAsc`, `byOrderDateDesc` (by the most recent order; customers without orders
    /// last) or `bySessionDateDesc` (only, and by default, in the `mysessions` list).
    #[serde(default)]
    #[param(inline, value_type = Option<asm_types::CustomerSort>)]
    pub sort: Option<String>,
}

/// Largest page a search may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Checks the base site parameter.
pub fn require_base_site(base_site: Option<&str>) -> ApiResult<String> {
    match base_site.map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(Failure::validation(
            "baseSite",
            "The baseSite parameter is required.",
        )),
    }
}

/// `GET /customers/search`: customers whose name, e-mail or id contains the query, optionally
/// only a list's or an order's, sorted.
#[utoipa::path(
    get,
    path = "/customers/search",
    tag = "customers",
    operation_id = "searchCustomers",
    params(SearchParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "A page of customers in the order asked for (`pagination.sort` is the sort applied, `sorts` the sorts offered).", body = asm_types::CustomerSearchPage),
        (status = 400, description = "`ValidationError`: `baseSite` missing, `pageSize` outside 1..=100, an unknown `customerListId`, an unknown `orderId`, an unknown `sort` (or `bySessionDateDesc` outside `mysessions`), or a malformed parameter (`subject` names it).", body = asm_types::ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = asm_types::ErrorList),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    s: SignedIn,
    Query(p): Query<SearchParams>,
) -> ApiResult<Json<CustomerSearchPage>> {
    require_base_site(p.base_site.as_deref())?;
    let page_size = p.page_size.unwrap_or(20);
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(Failure::validation(
            "pageSize",
            format!("pageSize must be between 1 and {MAX_PAGE_SIZE}."),
        ));
    }
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
        sort,
        current_page: p.current_page.unwrap_or(0),
        page_size,
    };
    let page = state
        .db(move |c| crate::commerce::embedded::search::search(c, &req))
        .await?;
    Ok(Json(page))
}

/// The trimmed value, if not empty.
fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Query with only the base site.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SiteParams {
    /// Base site (required).
    #[param(
        required = true,
        min_length = 1,
        pattern = r"\S",
        example = "electronics"
    )]
    pub base_site: Option<String>,
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
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = asm_types::ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer.", body = asm_types::ErrorList),
    )
)]
pub async fn carts(
    State(state): State<AppState>,
    _s: SignedIn,
    Path(customer_id): Path<String>,
    Query(p): Query<SiteParams>,
) -> ApiResult<Json<CartList>> {
    require_base_site(p.base_site.as_deref())?;
    let list = state
        .db(move |c| {
            let exists = c
                .query_row(
                    "SELECT 1 FROM customers WHERE customer_id = ?1",
                    params![customer_id],
                    |_| Ok(()),
                )
                .optional()?;
            if exists.is_none() {
                return Err(Failure::not_found("Customer"));
            }
            customer_carts(c, &customer_id)
        })
        .await?;
    Ok(Json(list))
}

/// A customer's active and saved carts, most recently modified first.
pub fn customer_carts(c: &Connection, customer_id: &str) -> ApiResult<CartList> {
    Ok(CartList {
        carts: carts_with_status(c, customer_id, "active")?,
        saved_carts: carts_with_status(c, customer_id, "saved")?,
    })
}

/// A customer's carts with `status`, most recently modified first.
fn carts_with_status(
    c: &Connection,
    customer_id: &str,
    status: &str,
) -> ApiResult<Vec<CartSummary>> {
    let mut stmt = c.prepare_cached(
        "SELECT code, modified FROM carts WHERE customer_id = ?1 AND status = ?2 ORDER BY modified DESC",
    )?;
    let heads = stmt
        .query_map(params![customer_id, status], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    heads
        .into_iter()
        .map(|(code, modified)| cart_summary(c, code, modified))
        .collect()
}

/// One cart with its lines.
pub fn cart_summary(c: &Connection, code: String, modified: i64) -> ApiResult<CartSummary> {
    let mut entries_stmt = c.prepare_cached(
        "SELECT p.code, p.name, e.quantity, p.price_cents * e.quantity FROM cart_entries e \
         JOIN products p ON p.code = e.product_code WHERE e.cart_code = ?1 ORDER BY p.name",
    )?;
    let lines = entries_stmt
        .query_map(params![code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CartSummary {
        code,
        total_items: lines.iter().map(|l| l.2).sum(),
        total: money(lines.iter().map(|l| l.3).sum()),
        modified: rfc3339(modified),
        entries: lines
            .into_iter()
            .map(|(product_code, product_name, quantity, cents)| CartEntry {
                product_code,
                product_name,
                quantity,
                total: money(cents),
            })
            .collect(),
    })
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
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = asm_types::ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer.", body = asm_types::ErrorList),
    )
)]
pub async fn get_customer(
    State(state): State<AppState>,
    _s: SignedIn,
    Path(customer_id): Path<String>,
    Query(p): Query<SiteParams>,
) -> ApiResult<Json<Customer360Data>> {
    require_base_site(p.base_site.as_deref())?;
    let data = state.db(move |c| customer_360(c, &customer_id)).await?;
    Ok(Json(data))
}

/// Builds the customer 360 summary.
pub fn customer_360(c: &Connection, customer_id: &str) -> ApiResult<Customer360Data> {
    let head = c
        .query_row(
            "SELECT name, uid, signed_up, town, country FROM customers WHERE customer_id = ?1",
            params![customer_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((name, email, signed_up, town, country)) = head else {
        return Err(Failure::not_found("Customer").with_subject(customer_id));
    };
    let mut stmt = c.prepare_cached(
        "SELECT code, status, total_cents, placed FROM orders WHERE customer_id = ?1 \
         ORDER BY placed DESC, code DESC LIMIT 5",
    )?;
    let orders = stmt
        .query_map(params![customer_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let carts = carts_with_status(c, customer_id, "active")?;
    let last_cart: Option<(String, i64)> = c
        .query_row(
            "SELECT code, modified FROM carts WHERE customer_id = ?1 ORDER BY modified DESC LIMIT 1",
            params![customer_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let latest_order = orders
        .first()
        .map(|(code, _, _, placed)| (code.clone(), *placed));
    let order = latest_order.map(|(code, at)| (at, "ORDER", format!("Order {code} placed")));
    let cart = last_cart.map(|(code, at)| (at, "CART", format!("Cart {code} changed")));
    let latest_activity = [order, cart]
        .into_iter()
        .flatten()
        .max_by_key(|(at, _, _)| *at)
        .map(|(at, kind, description)| LatestActivity {
            kind: kind.into(),
            description,
            date: rfc3339(at),
        });
    let mut tickets_stmt = c.prepare_cached(
        "SELECT id, subject, status, created FROM tickets WHERE customer_id = ?1 \
         ORDER BY updated DESC, id DESC",
    )?;
    let support_tickets = tickets_stmt
        .query_map(params![customer_id], |r| {
            Ok(TicketSummary {
                id: r.get(0)?,
                subject: r.get(1)?,
                status: r.get(2)?,
                created: rfc3339(r.get(3)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Customer360Data {
        overview: Customer360Overview {
            name,
            email,
            signed_up_date: rfc3339(signed_up),
            address: CustomerAddress { town, country },
            latest_activity,
        },
        recent_orders: orders
            .into_iter()
            .map(|(code, status, cents, placed)| OrderSummary {
                code,
                status,
                total: money(cents),
                placed: rfc3339(placed),
            })
            .collect(),
        active_carts: carts,
        support_tickets,
    })
}
