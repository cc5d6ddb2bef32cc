//! `assistedservicewebservices` (§3): customer search (GET and POST), autocomplete and
//! suggestions, customer lists, bind-cart, create customer, Customer 360.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::error::{ErrorEntry, OccError};
use crate::format::{date, formatted};
use crate::model::{Data, Site, User};
use crate::occ::address_json;
use crate::{check_site_context, empty, form_body, parse_pairs, principal, Params, Sim};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/assistedservicewebservices/customers/search",
            get(search_get).post(search_post),
        )
        .route(
            "/assistedservicewebservices/customers/autocomplete",
            get(autocomplete),
        )
        .route(
            "/assistedservicewebservices/customers/suggestions/search",
            post(suggestions),
        )
        .route(
            "/assistedservicewebservices/customers",
            post(create_customer),
        )
        .route(
            "/assistedservicewebservices/customerlists",
            get(customer_lists),
        )
        .route(
            "/assistedservicewebservices/customerlists/{list}",
            get(customer_list),
        )
        .route("/assistedservicewebservices/bind-cart", post(bind_cart))
        .route(
            "/assistedservicewebservices/{site}/users/{user}/customer360",
            post(customer360),
        )
}

const SORTS: [&str; 6] = [
    "byUidAsc",
    "byUidDesc",
    "byNameAsc",
    "byNameDesc",
    "byOrderDateAsc",
    "byOrderDateDesc",
];
const DEFAULT_PAGE_SIZE: i64 = 20;
const PLAIN_DEFAULT_SORT: &str = "byUidAsc";
const LIST_DEFAULT_SORT: &str = "byOrderDateDesc";

type R = Result<Response, OccError>;

fn done(r: R) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

/// The agent of the request: 401 without a valid token, 403 "Access is denied" for a non-agent.
fn agent(sim: &Sim, data: &Data, headers: &HeaderMap) -> Result<User, OccError> {
    let user = principal(sim, data, headers)?;
    if user.is_agent() {
        Ok(user)
    } else {
        Err(OccError::forbidden())
    }
}

/// The required `baseSite` query parameter.
fn base_site<'a>(sim: &Sim, data: &'a Data, p: &Params) -> Result<&'a Site, OccError> {
    let Some(uid) = p.get("baseSite") else {
        return Err(OccError::missing_param("baseSite"));
    };
    let site = data.site(uid).ok_or_else(|| {
        OccError::bad_request(
            "InvalidResourceError",
            format!("The requested BaseSite: {uid} doesn't exist"),
        )
    })?;
    check_site_context(sim, site, p)?;
    Ok(site)
}

fn param_error(subject: &str, message: String) -> OccError {
    OccError::entries(
        StatusCode::BAD_REQUEST,
        vec![ErrorEntry::new("RequestParameterError", message)
            .with_reason("invalid")
            .with_subject(subject, "parameter")],
    )
}

/// `UserWsDTO` of a customer as search and create answer it (nulls are stripped later).
pub fn user_json(sim: &Sim, data: &Data, u: &User, site: &str, has_order_forced: bool) -> Value {
    let enrich = sim.config().customer_list_enabled;
    let last_cart = data.current_cart(&u.uid, site).map(|c| c.code.clone());
    let has_order = has_order_forced
        || data
            .orders
            .iter()
            .any(|o| o.user == u.uid && o.site == site);
    json!({
        "uid": u.uid,
        "customerId": u.customer_id,
        "name": u.name(),
        "firstName": u.first_name,
        "lastName": u.last_name,
        "displayUid": u.uid,
        "titleCode": u.title_code,
        "currency": { "isocode": u.currency },
        "language": { "isocode": u.language },
        "defaultAddress": u.address.as_ref().map(address_json),
        "deactivationDate": u.deactivated.map(date),
        "lastCartId": if enrich { last_cart } else { None },
        "hasOrder": if enrich { Some(has_order) } else { None },
        "userAvatar": if enrich { u.avatar.as_ref().map(|url| json!({ "url": url, "format": "mobile" })) } else { None },
    })
}

fn latest_order(data: &Data, uid: &str, site: &str) -> i64 {
    data.orders
        .iter()
        .filter(|o| o.user == uid && o.site == site)
        .map(|o| o.placed)
        .max()
        .unwrap_or(0)
}

/// uid/e-mail prefix, or a prefix of a word of the name (case-insensitive).
fn matches(u: &User, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty()
        || u.uid.to_lowercase().starts_with(&q)
        || u.name().to_lowercase().starts_with(&q)
        || u.name()
            .to_lowercase()
            .split(' ')
            .any(|w| w.starts_with(&q))
}

struct SearchInput<'a> {
    query: Option<&'a str>,
    order_id: Option<&'a str>,
    list_id: Option<&'a str>,
    sort: Option<&'a str>,
    page: Option<i64>,
    page_param: &'static str,
    page_size: Option<i64>,
}

fn search(sim: &Sim, data: &Data, agent: &User, site: &Site, input: SearchInput<'_>) -> R {
    let page_size = input.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if page_size <= 0 {
        return Err(param_error(
            "pageSize",
            "Request parameter pageSize must be greater than 0".into(),
        ));
    }
    let page = input.page.unwrap_or(0);
    if page < 0 {
        return Err(param_error(
            input.page_param,
            format!(
                "Request parameter {} must be equal or greater than 0",
                input.page_param
            ),
        ));
    }
    let known_sort = input.sort.filter(|s| SORTS.contains(s));
    let (mut users, sort, from_order): (Vec<&User>, &str, bool) =
        if let Some(order_id) = input.order_id.filter(|o| !o.trim().is_empty()) {
            let order = data
                .orders
                .iter()
                .find(|o| o.code == order_id.trim() && o.site == site.uid);
            let Some(user) = order.and_then(|o| data.user(&o.user)) else {
                return Err(param_error("orderId", format!("Wrong orderId: {order_id}")));
            };
            (vec![user], known_sort.unwrap_or(PLAIN_DEFAULT_SORT), true)
        } else if let Some(list) = input.list_id.filter(|l| !l.trim().is_empty()) {
            let Some(members) = data
                .list_members
                .get(&(agent.uid.clone(), list.to_string()))
            else {
                return Err(param_error(
                    "customerListId",
                    format!("Wrong customerListId: {list}"),
                ));
            };
            let users = members
                .iter()
                .filter_map(|m| data.user(m))
                .filter(|u| matches(u, input.query.unwrap_or("")))
                .collect();
            (users, known_sort.unwrap_or(LIST_DEFAULT_SORT), false)
        } else {
            let users = data
                .users
                .iter()
                .filter(|u| u.is_customer() && matches(u, input.query.unwrap_or("")))
                .collect();
            (users, known_sort.unwrap_or(PLAIN_DEFAULT_SORT), false)
        };
    match sort {
        "byUidDesc" => users.sort_by(|a, b| b.uid.cmp(&a.uid)),
        "byNameAsc" => users.sort_by_key(|u| (u.name().to_lowercase(), u.uid.clone())),
        "byNameDesc" => {
            users.sort_by_key(|u| std::cmp::Reverse((u.name().to_lowercase(), u.uid.clone())))
        }
        "byOrderDateAsc" => {
            users.sort_by_key(|u| (latest_order(data, &u.uid, site.uid), u.uid.clone()))
        }
        "byOrderDateDesc" => users.sort_by_key(|u| {
            std::cmp::Reverse((latest_order(data, &u.uid, site.uid), u.uid.clone()))
        }),
        _ => users.sort_by(|a, b| a.uid.cmp(&b.uid)),
    }
    let total = users.len() as i64;
    let entries: Vec<Value> = users
        .iter()
        .skip(crate::offset(page, page_size))
        .take(usize::try_from(page_size).unwrap_or(usize::MAX))
        .map(|u| user_json(sim, data, u, site.uid, from_order))
        .collect();
    let sorts: Vec<Value> = SORTS
        .iter()
        .map(|s| json!({ "code": s, "selected": *s == sort }))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({
            "entries": entries,
            "pagination": {
                "currentPage": page,
                "pageSize": page_size,
                "sort": sort,
                "totalPages": crate::pages(total, page_size),
                "totalResults": total,
            },
            "sorts": sorts,
        }),
    ))
}

/// `GET /assistedservicewebservices/customers/search` (§3.1).
async fn search_get(State(sim): State<Sim>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    done((|| {
        let data = sim.data();
        let agent = agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        let site = base_site(&sim, &data, &p)?;
        let input = SearchInput {
            query: p.get("query"),
            order_id: p.get("orderId"),
            list_id: p.get("customerListId"),
            sort: p.non_blank("sort"),
            page: p.int("currentPage")?,
            page_param: "currentPage",
            page_size: p.int("pageSize")?,
        };
        search(&sim, &data, &agent, site, input)
    })())
}

/// `POST /assistedservicewebservices/customers/search` (§3.2): `page` instead of `currentPage`,
/// criteria in an optional JSON body.
async fn search_post(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    done((|| {
        let data = sim.data();
        let agent = agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        let site = base_site(&sim, &data, &p)?;
        let b: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(&body).map_err(OccError::bad_json)?
        };
        let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_string);
        let (query, order_id, list_id) = (s("query"), s("orderId"), s("customerListId"));
        let input = SearchInput {
            query: query.as_deref(),
            order_id: order_id.as_deref(),
            list_id: list_id.as_deref(),
            sort: p.non_blank("sort"),
            page: p.int("page")?,
            page_param: "page",
            page_size: p.int("pageSize")?,
        };
        search(&sim, &data, &agent, site, input)
    })())
}

fn suggestion_list(
    sim: &Sim,
    data: &Data,
    site: &Site,
    query: &str,
) -> Result<Vec<Value>, OccError> {
    if query.trim().chars().count() < 3 {
        return Err(OccError::bad_request(
            "AssistedServiceError",
            "Customer query length must not be less than 3",
        ));
    }
    let _ = sim;
    Ok(data
        .users
        .iter()
        .filter(|u| u.is_customer() && matches(u, query))
        .take(10)
        .map(|u| {
            let carts: Vec<&str> = data
                .carts
                .iter()
                .filter(|c| {
                    c.user.as_deref() == Some(u.uid.as_str())
                        && c.site == site.uid
                        && c.saved.is_none()
                })
                .map(|c| c.code.as_str())
                .collect();
            json!({
                "email": u.uid,
                "fullName": u.name(),
                "date": date(u.created),
                "card": u.cards.first().map(|c| c.number.clone()),
                "carts": carts,
            })
        })
        .collect())
}

/// `GET /assistedservicewebservices/customers/autocomplete?customerQuery&baseSite` (§3.3).
async fn autocomplete(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    done((|| {
        let data = sim.data();
        agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        let site = base_site(&sim, &data, &p)?;
        let Some(query) = p.get("customerQuery") else {
            return Err(OccError::missing_param("customerQuery"));
        };
        Ok(crate::json(
            StatusCode::OK,
            Value::Array(suggestion_list(&sim, &data, site, query)?),
        ))
    })())
}

/// `POST /assistedservicewebservices/customers/suggestions/search?baseSite` `{customerQuery}`.
async fn suggestions(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    done((|| {
        let data = sim.data();
        agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        let site = base_site(&sim, &data, &p)?;
        let b: Value = serde_json::from_slice(&body).map_err(OccError::bad_json)?;
        let Some(query) = b.get("customerQuery").and_then(Value::as_str) else {
            return Err(OccError::entries(
                StatusCode::BAD_REQUEST,
                vec![ErrorEntry::validation(
                    "missing",
                    "customerQuery",
                    "This field is required.",
                )],
            ));
        };
        let list = suggestion_list(&sim, &data, site, query)?;
        Ok(crate::json(StatusCode::OK, json!({ "suggestions": list })))
    })())
}

fn list_visible(data: &Data, agent: &User, list: &str) -> bool {
    data.list_members
        .contains_key(&(agent.uid.clone(), list.to_string()))
}

/// `GET /assistedservicewebservices/customerlists?baseSite` (§3.4): the lists of this agent.
async fn customer_lists(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    done((|| {
        let data = sim.data();
        let agent = agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        base_site(&sim, &data, &p)?;
        let groups: Vec<Value> = data
            .lists
            .iter()
            .filter(|l| list_visible(&data, &agent, l.uid))
            .map(|l| json!({ "uid": l.uid, "name": l.name }))
            .collect();
        let n = groups.len();
        Ok(crate::json(
            StatusCode::OK,
            json!({ "userGroups": groups, "currentPage": 0, "numberOfPages": 1, "pageSize": n, "totalNumber": n }),
        ))
    })())
}

/// `GET /assistedservicewebservices/customerlists/{list}?baseSite`.
async fn customer_list(
    State(sim): State<Sim>,
    Path(list): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    done((|| {
        let data = sim.data();
        let agent = agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        base_site(&sim, &data, &p)?;
        let found = data
            .lists
            .iter()
            .find(|l| l.uid == list && list_visible(&data, &agent, l.uid));
        let Some(l) = found else {
            return Err(OccError::bad_request(
                "UnknownIdentifierError",
                format!("Cannot find user group with uid '{list}'"),
            ));
        };
        Ok(crate::json(
            StatusCode::OK,
            json!({ "uid": l.uid, "name": l.name, "additionalColumnsKeys": l.additional_columns, "searchBoxEnabled": l.search_box }),
        ))
    })())
}

fn bind_error(message: &str) -> OccError {
    OccError::bad_request("AssistedServiceCartBindError", message)
}

/// `POST /assistedservicewebservices/bind-cart` (§3.5): params from the query or a form body;
/// 200 with an empty body.
async fn bind_cart(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    done((|| {
        let mut data = sim.data();
        agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?.merged(form_body(&headers, &body)?);
        let site = base_site(&sim, &data, &p)?.uid;
        let customer = p
            .get("customerId")
            .ok_or_else(|| OccError::missing_param("customerId"))?;
        let cart = p
            .get("cartId")
            .ok_or_else(|| OccError::missing_param("cartId"))?;
        if customer.trim().is_empty() {
            return Err(bind_error("Customer id is missing."));
        }
        if cart.trim().is_empty() {
            return Err(bind_error("Cart id is missing."));
        }
        let by_id = sim.config().bind_cart_accepts_customer_id;
        let uid = data
            .users
            .iter()
            .find(|u| {
                u.is_customer()
                    && (u.uid.eq_ignore_ascii_case(customer)
                        || (by_id && u.customer_id == customer))
            })
            .map(|u| u.uid.clone())
            .ok_or_else(|| bind_error("Customer not found."))?;
        let now = sim.now();
        let Some(c) = data
            .carts
            .iter_mut()
            .find(|c| c.code == cart && c.site == site && c.user.is_none())
        else {
            return Err(bind_error("Cart not found or cart is not anonymous."));
        };
        c.user = Some(uid);
        c.modified = now;
        Ok(empty(StatusCode::OK))
    })())
}

/// `POST /assistedservicewebservices/customers?baseSite[&lang][&curr]` (§3.6) → 201 `UserWsDTO`.
async fn create_customer(
    State(sim): State<Sim>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    done((|| {
        let mut data = sim.data();
        agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        let site = base_site(&sim, &data, &p)?.clone();
        let b: Value = serde_json::from_slice(&body).map_err(OccError::bad_json)?;
        let field = |k: &str| {
            b.get(k)
                .and_then(Value::as_str)
                .map(|s| s.trim().to_string())
        };
        let (first, last, email) = (field("firstName"), field("lastName"), field("emailAddress"));
        let mut errors = vec![];
        for (name, value) in [("firstName", &first), ("lastName", &last)] {
            match value {
                None => errors.push(ErrorEntry::validation(
                    "missing",
                    name,
                    "This field is required.",
                )),
                Some(v) if v.is_empty() => errors.push(ErrorEntry::validation(
                    "missing",
                    name,
                    "This field is required.",
                )),
                Some(v) if v.chars().count() > 100 => errors.push(ErrorEntry::validation(
                    "invalid",
                    name,
                    "This field must to be between 0 and 100 characters long.",
                )),
                _ => {}
            }
        }
        let email = email.unwrap_or_default().to_lowercase();
        if !valid_email(&email) {
            errors.push(ErrorEntry::validation(
                "invalid",
                "emailAddress",
                "This field is not a valid email addresss.",
            ));
        }
        if !errors.is_empty() {
            return Err(OccError::entries(StatusCode::BAD_REQUEST, errors));
        }
        if data
            .users
            .iter()
            .any(|u| u.uid.eq_ignore_ascii_case(&email))
        {
            return Err(OccError::bad_request(
                "AssistedServiceDuplicatedUidError",
                "Duplicate User id",
            ));
        }
        let n = data.next_number();
        let customer_id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            fastrand::u32(..),
            fastrand::u16(..),
            fastrand::u16(..0xfff),
            fastrand::u16(..0xfff),
            n
        );
        let user = User {
            uid: email.clone(),
            customer_id,
            first_name: first.unwrap_or_default(),
            last_name: last.unwrap_or_default(),
            title_code: None,
            password: crate::random_token(16),
            groups: vec!["customergroup".into()],
            address: None,
            cards: vec![],
            deactivated: None,
            avatar: None,
            created: sim.now(),
            language: p.get("lang").unwrap_or("en").to_string(),
            currency: p.get("curr").unwrap_or(site.currency.iso).to_string(),
        };
        data.users.push(user.clone());
        Ok(crate::json(
            StatusCode::CREATED,
            json!({
                "uid": user.uid,
                "name": user.name(),
                "firstName": user.first_name,
                "lastName": user.last_name,
                "displayUid": user.uid,
                "customerId": user.customer_id,
                "language": { "isocode": user.language },
                "currency": { "isocode": user.currency },
            }),
        ))
    })())
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= 255
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace())
}

const STABLE_360: [&str; 2] = ["c360StoreLocation", "c360ReviewList"];
const ALL_360: [&str; 12] = [
    "c360Overview",
    "c360CustomerProfile",
    "c360Cart",
    "c360SavedCart",
    "c360CustomerProductInterestList",
    "c360ReviewList",
    "c360TicketList",
    "c360StoreLocation",
    "c360ActivityList",
    "c360CouponList",
    "c360PromotionList",
    "c360CustomerCouponList",
];
const LIST_SIZED: [&str; 5] = [
    "c360CustomerProductInterestList",
    "c360ReviewList",
    "c360TicketList",
    "c360SavedCart",
    "c360ActivityList",
];

/// `additionalRequestParameters` values as strings (Spartacus sends numbers and booleans).
fn param(q: &Value, key: &str) -> Option<String> {
    match q.get("additionalRequestParameters")?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `POST /assistedservicewebservices/{site}/users/{userId}/customer360` (§3.7).
async fn customer360(
    State(sim): State<Sim>,
    Path((site, user)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    done((|| {
        let data = sim.data();
        agent(&sim, &data, &headers)?;
        let p = parse_pairs(q.as_deref())?;
        let site = data
            .site(&site)
            .ok_or_else(|| OccError::unknown_site(&site))?;
        check_site_context(&sim, site, &p)?;
        let customer = data
            .customer_by_any(&user)
            .ok_or_else(|| OccError::unknown_user(&user))?;
        let b: Value = serde_json::from_slice(&body).map_err(OccError::bad_json)?;
        let queries = b
            .get("customer360Queries")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut errors = vec![];
        for (i, q) in queries.iter().enumerate() {
            let t = q.get("type").and_then(Value::as_str).unwrap_or("").trim();
            let subject = format!("customer360Queries[{i}].type");
            if t.is_empty() {
                errors.push(ErrorEntry::validation(
                    "missing",
                    &subject,
                    "This field is required.",
                ));
                continue;
            }
            let allowed = ALL_360.contains(&t)
                && (sim.config().customer360_enabled || STABLE_360.contains(&t));
            if !allowed {
                errors.push(ErrorEntry::validation(
                    "invalid",
                    &subject,
                    "Invalid field: type",
                ));
                continue;
            }
            if LIST_SIZED.contains(&t) {
                if let Some(ls) = param(q, "listSize") {
                    if !ls
                        .trim()
                        .parse::<i64>()
                        .is_ok_and(|n| (1..=999).contains(&n))
                    {
                        errors.push(ErrorEntry::validation(
                            "invalid",
                            &format!("customer360Queries[{i}].additionalRequestParameters"),
                            "The field listSize should be an integer in a range from 1 to 999.",
                        ));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(OccError::entries(StatusCode::BAD_REQUEST, errors));
        }
        let value: Vec<Value> = queries
            .iter()
            .map(|q| fragment(&data, site, customer, q))
            .collect();
        Ok(crate::json(StatusCode::OK, json!({ "value": value })))
    })())
}

fn c360_cart(data: &Data, site: &Site, c: &crate::model::Cart) -> Value {
    let (_, _, total) = data.totals(&c.entries, &c.vouchers);
    json!({
        "code": c.code,
        "totalPrice": formatted(total, &site.currency),
        "totalItemCount": c.entries.iter().fold(0i64, |n, e| n.saturating_add(e.quantity)),
        "entries": c.entries.iter().map(|e| {
            let (base, line) = data.entry_cents(e);
            json!({
                "productCode": e.product,
                "quantity": e.quantity,
                "basePrice": formatted(base, &site.currency),
                "totalPrice": formatted(line, &site.currency),
            })
        }).collect::<Vec<_>>(),
    })
}

fn fragment(data: &Data, site: &Site, u: &User, q: &Value) -> Value {
    let t = q
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let size = param(q, "listSize")
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let mine_carts = || {
        data.carts
            .iter()
            .filter(|c| c.user.as_deref() == Some(u.uid.as_str()) && c.site == site.uid)
    };
    let orders = || {
        data.orders
            .iter()
            .filter(|o| o.user == u.uid && o.site == site.uid)
    };
    let tickets = || data.tickets.iter().filter(|x| x.user == u.uid);
    let current = data.current_cart(&u.uid, site.uid);
    let saved = mine_carts()
        .filter(|c| c.saved.is_some())
        .max_by_key(|c| c.modified);
    let mut f = match t.as_str() {
        "c360Overview" => {
            let last = orders().max_by_key(|o| o.placed);
            let ticket = tickets()
                .filter(|x| x.status.0 != "CLOSED")
                .max_by_key(|x| x.created);
            json!({ "overview": {
                "name": u.name(),
                "email": u.uid,
                "cartCode": current.map(|c| c.code.clone()),
                "cartSize": current.map(|c| c.entries.len()),
                "latestOrderCode": last.map(|o| o.code.clone()),
                "latestOrderTotal": last.map(|o| formatted(data.totals(&o.entries, &[]).2 - o.discount_cents, &site.currency)),
                "latestOrderTime": last.map(|o| date(o.placed)),
                "latestOpenedTicketId": ticket.map(|x| x.id.clone()),
                "latestOpenedTicketCreatedAt": ticket.map(|x| date(x.created)),
                "signedUpAt": date(u.created),
                "address": u.address.as_ref().map(address_json),
                "userAvatar": u.avatar.as_ref().map(|url| json!({ "url": url, "format": "mobile" })),
            }})
        }
        "c360CustomerProfile" => {
            let a = u.address.as_ref().map(|a| {
                json!({
                    "id": a.id, "line1": a.line1, "line2": a.line2, "town": a.town,
                    "region": a.region.map(|r| json!({ "isocode": r.0, "name": r.1 })),
                    "country": { "isocode": a.country, "name": a.country_name },
                })
            });
            json!({ "profile": {
                "billingAddress": a,
                "deliveryAddress": a,
                "phone1": u.address.as_ref().and_then(|a| a.phone.clone()),
                "paymentDetails": u.cards.iter().map(|c| json!({
                    "id": c.id, "cardType": { "code": c.card_type.0, "name": c.card_type.1 },
                    "cardNumber": c.number, "expiryMonth": c.expiry_month, "expiryYear": c.expiry_year,
                    "defaultPayment": c.default,
                })).collect::<Vec<_>>(),
            }})
        }
        "c360Cart" => json!({ "cart": current.map(|c| c360_cart(data, site, c)) }),
        "c360SavedCart" => json!({ "savedCart": saved.map(|c| c360_cart(data, site, c)) }),
        "c360CustomerProductInterestList" => {
            json!({ "customerProductInterests": data.interests.iter()
            .filter(|(who, _)| *who == u.uid).take(size)
            .map(|(_, p)| json!({ "product": { "code": p, "name": data.product(p).map(|x| x.name) } }))
            .collect::<Vec<_>>() })
        }
        "c360ReviewList" => {
            json!({ "reviews": data.reviews.iter().filter(|r| r.user == u.uid).take(size).map(|r| json!({
            "productName": data.product(&r.product).map(|p| p.name),
            "productCode": r.product,
            "createdAt": date(r.created),
            "updatedAt": date(r.created),
            "rating": format!("{:.1}", r.rating),
            "reviewStatus": "approved",
            "localizedReviewStatus": "Approved",
            "reviewText": r.comment,
        })).collect::<Vec<_>>() })
        }
        "c360TicketList" => json!({ "tickets": tickets().take(size).map(|x| json!({
            "id": x.id, "subject": x.subject,
            "category": { "code": x.category.0, "name": x.category.1 },
            "status": { "code": x.status.0, "name": x.status.1 },
            "createdAt": date(x.created), "updatedAt": date(x.updated),
        })).collect::<Vec<_>>() }),
        "c360StoreLocation" => json!({ "address": u.address.as_ref()
            .map(|a| format!("{} {} {}", a.town, a.country_name, a.postal_code))
            .unwrap_or_else(|| "New York United States of America 10019".into()) }),
        "c360ActivityList" => {
            let mut acts: Vec<(i64, Value)> = vec![];
            for c in mine_carts() {
                let (code, name) = if c.saved.is_some() {
                    ("SAVED CART", "Saved Cart")
                } else {
                    ("CART", "Cart")
                };
                acts.push((c.modified, json!({
                    "type": { "code": code, "name": name },
                    "associatedTypeId": c.code,
                    "description": c.saved.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| format!("Cart with {} item(s)", c.entries.len())),
                    "createdAt": date(c.modified), "updatedAt": date(c.modified),
                })));
            }
            for o in orders() {
                acts.push((
                    o.placed,
                    json!({
                        "type": { "code": "ORDER", "name": "Order" },
                        "associatedTypeId": o.code,
                        "description": format!("Order with {} item(s)", o.entries.len()),
                        "status": { "code": o.status, "name": status_display(o.status) },
                        "createdAt": date(o.placed), "updatedAt": date(o.placed),
                    }),
                ));
            }
            for x in tickets() {
                acts.push((
                    x.updated,
                    json!({
                        "type": { "code": "TICKET", "name": "Ticket" },
                        "associatedTypeId": x.id,
                        "description": x.subject,
                        "status": { "code": x.status.0, "name": x.status.1 },
                        "createdAt": date(x.created), "updatedAt": date(x.updated),
                    }),
                ));
            }
            acts.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
            json!({ "activities": acts.into_iter().take(size).map(|(_, v)| v).collect::<Vec<_>>() })
        }
        "c360CouponList" => json!({ "coupons": data.vouchers.iter().map(|v| json!({
            "code": v.code, "name": v.name,
            "applied": current.is_some_and(|c| c.vouchers.iter().any(|x| x.eq_ignore_ascii_case(v.code))),
        })).collect::<Vec<_>>() }),
        "c360PromotionList" => json!({ "promotions": [] }),
        "c360CustomerCouponList" => {
            let assignable = param(q, "assignable").map(|s| s != "false").unwrap_or(true);
            let needle = param(q, "searchQuery").unwrap_or_default().to_lowercase();
            json!({ "customerCoupons": data.customer_coupons.iter()
                .filter(|c| c.assigned.contains(&u.uid) != assignable)
                .filter(|c| needle.is_empty() || c.code.to_lowercase().contains(&needle) || c.name.to_lowercase().contains(&needle))
                .map(|c| json!({ "code": c.code, "name": c.name, "description": c.description }))
                .collect::<Vec<_>>() })
        }
        _ => json!({}),
    };
    if let Some(o) = f.as_object_mut() {
        o.insert("type".into(), json!(t));
    }
    f
}

pub fn status_display(status: &str) -> &'static str {
    match status {
        "CREATED" => "Created",
        "COMPLETED" => "Completed",
        "CANCELLED" => "Cancelled",
        _ => "In Process",
    }
}
