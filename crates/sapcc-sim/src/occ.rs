//! OCC resources used while emulating (§4), under `/occ/v2/{site}/users/{userId}/…`, called
//! with the agent's bearer and the customer's uid or customerId in `{userId}`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::Router;
use serde_json::{json, Value};

use crate::asm::status_display;
use crate::error::{ErrorEntry, OccError};
use crate::format::{date, formatted, price};
use crate::model::{Address, Cart, Data, Entry, Order, Saved, Site, User};
use crate::{check_site_context, empty, form_body, parse_pairs, principal, Map, Params, Sim};

pub fn routes() -> Router<Sim> {
    let u = "/occ/v2/{site}/users/{user}";
    Router::new()
        .route(u, get(get_user).patch(patch_user))
        .route(&format!("{u}/carts"), get(list_carts).post(create_cart))
        .route(
            &format!("{u}/carts/{{cart}}"),
            get(get_cart).delete(delete_cart),
        )
        .route(&format!("{u}/carts/{{cart}}/save"), patch(save_cart))
        .route(
            &format!("{u}/carts/{{cart}}/restoresavedcart"),
            patch(restore_saved_cart),
        )
        .route(
            &format!("{u}/carts/{{cart}}/entries"),
            get(list_entries).post(add_entry),
        )
        .route(
            &format!("{u}/carts/{{cart}}/entries/{{entry}}"),
            patch(update_entry).put(update_entry).delete(remove_entry),
        )
        .route(
            &format!("{u}/carts/{{cart}}/vouchers"),
            get(list_vouchers).post(apply_voucher),
        )
        .route(
            &format!("{u}/carts/{{cart}}/vouchers/{{code}}"),
            delete(remove_voucher),
        )
        .route(&format!("{u}/orders"), get(list_orders).post(place_order))
        .route(&format!("{u}/orders/{{code}}"), get(get_order))
        .route(
            &format!("{u}/orders/{{code}}/cancellation"),
            post(cancel_order),
        )
        .route(&format!("{u}/customercoupons"), get(list_coupons))
        .route(
            &format!("{u}/customercoupons/{{code}}/claim"),
            post(claim_coupon).delete(disclaim_coupon),
        )
        .route(
            &format!("{u}/addresses"),
            get(list_addresses).post(create_address),
        )
        .route(
            &format!("{u}/addresses/{{address}}"),
            get(get_address)
                .put(replace_address)
                .patch(replace_address)
                .delete(delete_address),
        )
        .route(
            &format!("{u}/consenttemplates"),
            get(list_consent_templates),
        )
        .route(&format!("{u}/consents"), post(give_consent))
        .route(
            &format!("{u}/consents/{{consent}}"),
            delete(withdraw_consent),
        )
        .route(
            &format!("{u}/tickets"),
            get(list_tickets).post(create_ticket),
        )
        .route(&format!("{u}/tickets/{{ticket}}"), get(get_ticket))
        .route(
            &format!("{u}/tickets/{{ticket}}/events"),
            post(create_ticket_event),
        )
        .route(
            &format!("{u}/customercoupons/{{code}}/notification"),
            post(coupon_notification_on).delete(coupon_notification_off),
        )
        .route(
            &format!("{u}/orderReturns"),
            get(list_returns).post(create_return),
        )
        .route(
            &format!("{u}/orderReturns/{{code}}"),
            get(get_return).patch(cancel_return),
        )
}

type R = Result<Response, OccError>;

/// What a handler receives: path parameters, query, headers, body.
struct Req {
    path: Map,
    params: Params,
    headers: HeaderMap,
    body: Bytes,
}

impl Req {
    fn new(path: Map, q: Option<String>, headers: HeaderMap, body: Bytes) -> Result<Req, OccError> {
        Ok(Req {
            path,
            params: parse_pairs(q.as_deref())?,
            headers,
            body,
        })
    }
    fn p(&self, k: &str) -> &str {
        self.path.get(k).map(String::as_str).unwrap_or("")
    }
    fn json(&self) -> Result<Value, OccError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(&self.body).map_err(OccError::bad_json)
    }
}

/// The user of `{userId}`: `None` for `anonymous`.
#[derive(Clone)]
struct Target {
    site: Site,
    user: Option<User>,
    principal: Option<User>,
}

impl Target {
    fn uid(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.uid.as_str())
    }
}

/// The user-matching filter (§1.2.4).
fn resolve(sim: &Sim, data: &Data, req: &Req) -> Result<Target, OccError> {
    let site_id = req.p("site");
    let id = req.p("user");
    let authorization = req.headers.contains_key(axum::http::header::AUTHORIZATION);
    let principal = if id == "anonymous" && !authorization {
        None
    } else {
        Some(principal(sim, data, &req.headers)?)
    };
    let site = data
        .site(site_id)
        .cloned()
        .ok_or_else(|| OccError::unknown_site(site_id))?;
    check_site_context(sim, &site, &req.params)?;
    let user = match (&principal, id) {
        (_, "anonymous") => None,
        (Some(p), "current") => {
            if p.is_customer() {
                Some(p.clone())
            } else {
                return Err(OccError::unknown_user("current"));
            }
        }
        (Some(p), other) if p.is_customer_manager() => {
            let u = data
                .customer_by_any(other)
                .cloned()
                .ok_or_else(|| OccError::unknown_user(other))?;
            if sim.config().reject_deactivated_customers && u.deactivated.is_some() {
                return Err(OccError::forbidden());
            }
            Some(u)
        }
        // A plain customer may only use its own id; anyone else gets 403 below.
        (Some(p), other)
            if p.is_customer() && (p.uid.eq_ignore_ascii_case(other) || p.customer_id == other) =>
        {
            Some(p.clone())
        }
        _ => return Err(OccError::forbidden()),
    };
    Ok(Target {
        site,
        user,
        principal,
    })
}

fn run(
    sim: &Sim,
    path: Map,
    q: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    f: impl FnOnce(&Sim, &mut Data, &Req, Target) -> R,
) -> Response {
    let out = (|| {
        let req = Req::new(path, q, headers, body)?;
        let mut data = sim.data();
        let target = resolve(sim, &data, &req)?;
        f(sim, &mut data, &req, target)
    })();
    out.unwrap_or_else(IntoResponse::into_response)
}

macro_rules! handler {
    ($name:ident, $body:expr) => {
        async fn $name(
            State(sim): State<Sim>,
            Path(path): Path<Map>,
            RawQuery(q): RawQuery,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            run(&sim, path, q, headers, body, $body)
        }
    };
}

pub fn address_json(a: &Address) -> Value {
    let region = a.region.map(|r| r.1).unwrap_or("");
    let formatted = [
        a.line1.as_str(),
        a.line2.as_deref().unwrap_or(""),
        a.town.as_str(),
        region,
        a.postal_code.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(", ");
    json!({
        "id": a.id,
        "firstName": a.first_name,
        "lastName": a.last_name,
        "line1": a.line1,
        "line2": a.line2,
        "town": a.town,
        "postalCode": a.postal_code,
        "country": { "isocode": a.country, "name": a.country_name },
        "region": a.region.map(|r| json!({ "isocode": r.0, "name": r.1 })),
        "phone": a.phone,
        "formattedAddress": formatted,
        "defaultAddress": true,
        "shippingAddress": true,
        "visibleInAddressBook": true,
    })
}

fn user_json(u: &User) -> Value {
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
        "roles": [],
    })
}

fn principal_json(uid: Option<&str>, data: &Data) -> Value {
    match uid.and_then(|u| data.user(u)) {
        Some(u) => json!({ "uid": u.uid, "name": u.name() }),
        None => json!({ "uid": "anonymous", "name": "Anonymous" }),
    }
}

fn entry_json(data: &Data, site: &Site, n: usize, e: &Entry) -> Value {
    let (base, line) = data.entry_cents(e);
    json!({
        "entryNumber": n,
        "quantity": e.quantity,
        "basePrice": price(base, &site.currency),
        "totalPrice": price(line, &site.currency),
        "product": {
            "code": e.product,
            "name": data.product(&e.product).map(|p| p.name),
            "purchasable": true,
            "stock": { "stockLevelStatus": "inStock" },
        },
        "updateable": true,
    })
}

fn voucher_json(data: &Data, site: &Site, code: &str) -> Value {
    match data.voucher(code) {
        Some(v) => json!({
            "code": v.code,
            "voucherCode": v.code,
            "name": v.name,
            "description": v.description,
            "value": v.cents as f64 / 100.0,
            "valueFormatted": formatted(v.cents, &site.currency),
            "valueString": formatted(v.cents, &site.currency),
            "freeShipping": false,
            "currency": { "isocode": site.currency.iso },
            "appliedValue": price(v.cents, &site.currency),
        }),
        None => json!({ "code": code, "voucherCode": code }),
    }
}

fn cart_json(data: &Data, site: &Site, c: &Cart) -> Value {
    let (sub, disc, total) = data.totals(&c.entries, &c.vouchers);
    let cur = &site.currency;
    let units: i64 = c
        .entries
        .iter()
        .fold(0i64, |n, e| n.saturating_add(e.quantity));
    json!({
        "code": c.code,
        "guid": c.guid,
        "name": c.saved.as_ref().map(|s| s.name.clone()),
        "description": c.saved.as_ref().map(|s| s.description.clone()),
        "saveTime": c.saved.as_ref().map(|s| date(s.time)),
        "savedBy": c.saved.as_ref().map(|s| principal_json(Some(&s.by), data)),
        "user": principal_json(c.user.as_deref(), data),
        "entries": c.entries.iter().enumerate().map(|(i, e)| entry_json(data, site, i, e)).collect::<Vec<_>>(),
        "totalItems": c.entries.len(),
        "totalUnitCount": units,
        "subTotal": price(sub, cur),
        "totalPrice": price(total, cur),
        "totalPriceWithTax": price(total, cur),
        "totalTax": price(0, cur),
        "totalDiscounts": price(disc, cur),
        "orderDiscounts": price(disc, cur),
        "productDiscounts": price(0, cur),
        "appliedVouchers": c.vouchers.iter().map(|v| voucher_json(data, site, v)).collect::<Vec<_>>(),
        "appliedOrderPromotions": [],
        "potentialOrderPromotions": [],
        "appliedProductPromotions": [],
        "potentialProductPromotions": [],
        "net": false,
        "calculated": true,
        "deliveryItemsQuantity": units,
        "pickupItemsQuantity": 0,
    })
}

fn order_json(data: &Data, site: &Site, o: &Order, full: bool) -> Value {
    let (sub, _, _) = data.totals(&o.entries, &[]);
    let total = sub - o.discount_cents;
    let cur = &site.currency;
    let mut v = json!({
        "code": o.code,
        "guid": o.guid,
        "placed": date(o.placed),
        "status": o.status,
        "statusDisplay": status_display(o.status).to_lowercase(),
        "total": price(total, cur),
    });
    if full {
        if let Some(m) = v.as_object_mut() {
            let user = data.user(&o.user);
            m.insert("created".into(), json!(date(o.placed)));
            m.insert("user".into(), principal_json(Some(&o.user), data));
            let cancellable = data.order_cancellable(o);
            let returnable = data.order_returnable(o);
            m.insert(
                "entries".into(),
                json!(o
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let mut v = entry_json(data, site, i, e);
                        let left = data.left_of(o, i);
                        if let Some(m) = v.as_object_mut() {
                            m.insert("cancelledItemsQuantity".into(), json!(o.cancelled_of(i)));
                            m.insert(
                                "returnedItemsQuantity".into(),
                                json!(data.returned_of(&o.code, i)),
                            );
                            m.insert(
                                "cancellableQuantity".into(),
                                json!(if cancellable { left } else { 0 }),
                            );
                            m.insert(
                                "returnableQuantity".into(),
                                json!(if returnable { left } else { 0 }),
                            );
                            m.insert("updateable".into(), json!(false));
                        }
                        v
                    })
                    .collect::<Vec<_>>()),
            );
            m.insert("totalItems".into(), json!(o.entries.len()));
            m.insert("subTotal".into(), price(sub, cur));
            m.insert("totalPrice".into(), price(total, cur));
            m.insert("totalPriceWithTax".into(), price(total, cur));
            m.insert("totalTax".into(), price(0, cur));
            m.insert("totalDiscounts".into(), price(o.discount_cents, cur));
            m.insert("deliveryCost".into(), price(0, cur));
            m.insert(
                "deliveryAddress".into(),
                json!(user.and_then(|u| u.address.as_ref()).map(address_json)),
            );
            m.insert(
                "deliveryMode".into(),
                if o.pickup {
                    json!({ "code": "pickup", "name": "Pickup in store" })
                } else {
                    json!({ "code": "standard-gross", "name": "Standard Delivery" })
                },
            );
            m.insert("appliedVouchers".into(), json!([]));
            m.insert("consignments".into(), json!([]));
            m.insert("cancellable".into(), json!(cancellable));
            m.insert("returnable".into(), json!(returnable));
            m.insert("net".into(), json!(false));
        }
    }
    v
}

fn target_customer(t: &Target) -> Result<&User, OccError> {
    t.user.as_ref().ok_or_else(OccError::forbidden)
}

/// A cart of the target: by code for a customer (`current` allowed), by guid for anonymous.
fn find_cart(data: &Data, t: &Target, id: &str) -> Result<usize, OccError> {
    let found = match t.uid() {
        Some(uid) if id == "current" => data
            .current_cart(uid, t.site.uid)
            .and_then(|c| data.carts.iter().position(|x| x.code == c.code)),
        Some(uid) => data
            .carts
            .iter()
            .position(|c| c.user.as_deref() == Some(uid) && c.site == t.site.uid && c.code == id),
        None => data
            .carts
            .iter()
            .position(|c| c.user.is_none() && c.site == t.site.uid && c.guid == id),
    };
    found.ok_or_else(OccError::cart_not_found)
}

fn cart_of(data: &Data, t: &Target, id: &str) -> Result<Cart, OccError> {
    find_cart(data, t, id).and_then(|i| {
        data.carts
            .get(i)
            .cloned()
            .ok_or_else(OccError::cart_not_found)
    })
}

handler!(get_user, |_sim, data, _req, t| {
    let u = target_customer(&t)?;
    // Loading the user is how emulation "starts" (§4.1): remember it as a recent session.
    if let Some(p) = t.principal.as_ref().filter(|p| p.is_agent()) {
        let key = (p.uid.clone(), "myRecentCustomerSessions".to_string());
        let list = data.list_members.entry(key).or_default();
        list.retain(|x| *x != u.uid);
        list.insert(0, u.uid.clone());
        list.truncate(20);
    }
    Ok(crate::json(StatusCode::OK, user_json(u)))
});

handler!(patch_user, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let b = req.json()?;
    let Some(u) = data.users.iter_mut().find(|u| u.uid == uid) else {
        return Err(OccError::unknown_user(&uid));
    };
    for (key, slot) in [
        ("firstName", &mut u.first_name),
        ("lastName", &mut u.last_name),
    ] {
        if let Some(v) = b.get(key).and_then(Value::as_str) {
            if v.trim().is_empty() {
                return Err(OccError::entries(
                    StatusCode::BAD_REQUEST,
                    vec![ErrorEntry::validation(
                        "missing",
                        key,
                        "This field is required.",
                    )],
                ));
            }
            *slot = v.trim().to_string();
        }
    }
    if let Some(v) = b.get("titleCode").and_then(Value::as_str) {
        u.title_code = Some(v.to_string());
    }
    Ok(empty(StatusCode::OK))
});

handler!(list_carts, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let saved_only = req.params.get("savedCartsOnly") == Some("true");
    let mut carts: Vec<&Cart> = data
        .carts
        .iter()
        .filter(|c| c.user.as_deref() == Some(uid.as_str()) && c.site == t.site.uid)
        .filter(|c| !saved_only || c.saved.is_some())
        .collect();
    // Unsaved first, newest first; within one second the later cart (as `current_cart`).
    carts.sort_by_key(|c| {
        (
            c.saved.is_some(),
            std::cmp::Reverse(c.saved.as_ref().map(|s| s.time).unwrap_or(c.modified)),
            std::cmp::Reverse(c.code.clone()),
        )
    });
    let list: Vec<Value> = carts.iter().map(|c| cart_json(data, &t.site, c)).collect();
    Ok(crate::json(StatusCode::OK, json!({ "carts": list })))
});

handler!(get_cart, |_sim, data, req, t| {
    let c = cart_of(data, &t, req.p("cart"))?;
    Ok(crate::json(StatusCode::OK, cart_json(data, &t.site, &c)))
});

handler!(create_cart, |sim, data, req, t| {
    let now = sim.now();
    let n = data.next_number();
    let site = t.site.uid.to_string();
    let old = req.params.non_blank("oldCartId").map(str::to_string);
    let merge_into = req.params.non_blank("toMergeCartGuid").map(str::to_string);
    let code = if let (Some(uid), Some(old)) = (t.uid(), old) {
        let Some(anon) = data
            .carts
            .iter()
            .position(|c| c.user.is_none() && c.guid == old && c.site == site)
        else {
            return Err(OccError::cart_not_found());
        };
        if let Some(guid) = merge_into {
            let Some(target) = data
                .carts
                .iter()
                .position(|c| c.user.as_deref() == Some(uid) && c.guid == guid)
            else {
                return Err(OccError::cart_not_found());
            };
            let moved = data.carts.remove(anon);
            let target = if anon < target { target - 1 } else { target };
            let Some(cart) = data.carts.get_mut(target) else {
                return Err(OccError::cart_not_found());
            };
            for e in moved.entries {
                match cart.entries.iter_mut().find(|x| x.product == e.product) {
                    Some(x) => x.quantity = x.quantity.saturating_add(e.quantity),
                    None => cart.entries.push(e),
                }
            }
            cart.modified = now;
            cart.code.clone()
        } else {
            let Some(cart) = data.carts.get_mut(anon) else {
                return Err(OccError::cart_not_found());
            };
            cart.user = Some(uid.to_string());
            cart.modified = now;
            cart.code.clone()
        }
    } else {
        let code = format!("{:08}", n);
        data.carts.push(Cart {
            code: code.clone(),
            guid: format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                fastrand::u32(..),
                fastrand::u16(..),
                fastrand::u16(..0xfff),
                fastrand::u16(..0xfff),
                n
            ),
            user: t.uid().map(str::to_string),
            site,
            entries: vec![],
            vouchers: vec![],
            saved: None,
            modified: now,
        });
        code
    };
    let cart = data
        .carts
        .iter()
        .find(|c| c.code == code)
        .cloned()
        .ok_or_else(OccError::cart_not_found)?;
    Ok(crate::json(
        StatusCode::CREATED,
        cart_json(data, &t.site, &cart),
    ))
});

handler!(delete_cart, |_sim, data, req, t| {
    let i = find_cart(data, &t, req.p("cart"))?;
    data.carts.remove(i);
    Ok(empty(StatusCode::OK))
});

handler!(save_cart, |sim, data, req, t| {
    let by = target_customer(&t)?.uid.clone();
    let params = req
        .params
        .clone()
        .merged(form_body(&req.headers, &req.body)?);
    let i = find_cart(data, &t, req.p("cart"))?;
    let now = sim.now();
    let Some(c) = data.carts.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    c.saved = Some(Saved {
        time: now,
        name: params.get("saveCartName").unwrap_or(&c.code).to_string(),
        description: params.get("saveCartDescription").unwrap_or("-").to_string(),
        by,
    });
    c.modified = now;
    let c = c.clone();
    Ok(crate::json(
        StatusCode::OK,
        json!({ "savedCartData": cart_json(data, &t.site, &c) }),
    ))
});

// SAP's `restoresavedcart`: the saved cart becomes an unsaved cart, the newest, so the current
// one; another current cart stays as it was (an "inactive" cart: Spartacus saves it first).
handler!(restore_saved_cart, |sim, data, req, t| {
    target_customer(&t)?;
    let i = find_cart(data, &t, req.p("cart"))?;
    let now = sim.now();
    let Some(c) = data.carts.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    if c.saved.is_none() {
        return Err(OccError::bad_request(
            "CartError",
            "Cart is not a saved cart and cannot be restored.",
        ));
    }
    c.saved = None;
    c.modified = now;
    let c = c.clone();
    Ok(crate::json(
        StatusCode::OK,
        json!({ "savedCartData": cart_json(data, &t.site, &c) }),
    ))
});

handler!(list_entries, |_sim, data, req, t| {
    let c = cart_of(data, &t, req.p("cart"))?;
    let entries: Vec<Value> = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| entry_json(data, &t.site, i, e))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({ "orderEntries": entries }),
    ))
});

fn modification(data: &Data, site: &Site, cart: &Cart, n: usize, added: i64) -> Value {
    let entry = cart.entries.get(n);
    json!({
        "entry": entry.map(|e| entry_json(data, site, n, e)),
        "quantity": entry.map(|e| e.quantity),
        "quantityAdded": added,
        "statusCode": "success",
        "deliveryModeChanged": false,
    })
}

handler!(add_entry, |sim, data, req, t| {
    let i = find_cart(data, &t, req.p("cart"))?;
    let form = req
        .params
        .clone()
        .merged(form_body(&req.headers, &req.body)?);
    let (code, qty) = if let Some(code) = form.get("code") {
        (code.to_string(), form.int("qty")?.unwrap_or(1))
    } else {
        let b = req.json()?;
        let code = b
            .pointer("/product/code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        (code, b.get("quantity").and_then(Value::as_i64).unwrap_or(1))
    };
    if data.product(&code).is_none() {
        return Err(OccError::bad_request(
            "UnknownIdentifierError",
            format!("Product with code '{code}' not found!"),
        ));
    }
    if qty <= 0 {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "invalid",
                "quantity",
                "Quantity must be greater than 0",
            )],
        ));
    }
    let now = sim.now();
    let Some(c) = data.carts.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    let n = match c.entries.iter().position(|e| e.product == code) {
        Some(n) => {
            if let Some(e) = c.entries.get_mut(n) {
                e.quantity = e.quantity.saturating_add(qty);
            }
            n
        }
        None => {
            c.entries.push(Entry {
                product: code,
                quantity: qty,
            });
            c.entries.len() - 1
        }
    };
    c.modified = now;
    let c = c.clone();
    Ok(crate::json(
        StatusCode::OK,
        modification(data, &t.site, &c, n, qty),
    ))
});

fn entry_number(req: &Req, cart: &Cart) -> Result<usize, OccError> {
    req.p("entry")
        .parse::<usize>()
        .ok()
        .filter(|n| *n < cart.entries.len())
        .ok_or_else(|| {
            OccError::entries(
                StatusCode::BAD_REQUEST,
                vec![ErrorEntry::new("CartEntryError", "Entry not found")
                    .with_reason("notFound")
                    .with_subject(req.p("entry"), "entry")],
            )
        })
}

handler!(update_entry, |sim, data, req, t| {
    let i = find_cart(data, &t, req.p("cart"))?;
    let cart = data
        .carts
        .get(i)
        .cloned()
        .ok_or_else(OccError::cart_not_found)?;
    let n = entry_number(req, &cart)?;
    let b = req.json()?;
    let Some(qty) = b.get("quantity").and_then(Value::as_i64) else {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "missing",
                "quantity",
                "This field is required.",
            )],
        ));
    };
    if qty <= 0 {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "invalid",
                "quantity",
                "Quantity must be greater than 0",
            )],
        ));
    }
    let now = sim.now();
    let Some(c) = data.carts.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    let before = c.entries.get(n).map(|e| e.quantity).unwrap_or(0);
    if let Some(e) = c.entries.get_mut(n) {
        e.quantity = qty;
    }
    c.modified = now;
    let c = c.clone();
    Ok(crate::json(
        StatusCode::OK,
        modification(data, &t.site, &c, n, qty - before),
    ))
});

handler!(remove_entry, |sim, data, req, t| {
    let i = find_cart(data, &t, req.p("cart"))?;
    let cart = data
        .carts
        .get(i)
        .cloned()
        .ok_or_else(OccError::cart_not_found)?;
    let n = entry_number(req, &cart)?;
    let now = sim.now();
    if let Some(c) = data.carts.get_mut(i) {
        c.entries.remove(n);
        c.modified = now;
    }
    Ok(empty(StatusCode::OK))
});

handler!(list_vouchers, |_sim, data, req, t| {
    let c = cart_of(data, &t, req.p("cart"))?;
    let list: Vec<Value> = c
        .vouchers
        .iter()
        .map(|v| voucher_json(data, &t.site, v))
        .collect();
    Ok(crate::json(StatusCode::OK, json!({ "vouchers": list })))
});

fn voucher_error(message: String) -> OccError {
    OccError::entries(
        StatusCode::BAD_REQUEST,
        vec![ErrorEntry::new("VoucherOperationError", message)
            .with_reason("invalid")
            .with_subject("voucherId", "parameter")],
    )
}

handler!(apply_voucher, |_sim, data, req, t| {
    let i = find_cart(data, &t, req.p("cart"))?;
    let form = req
        .params
        .clone()
        .merged(form_body(&req.headers, &req.body)?);
    let Some(code) = form.get("voucherId").map(str::to_string) else {
        return Err(OccError::missing_param("voucherId"));
    };
    let Some(v) = data.voucher(&code).map(|v| v.code.to_string()) else {
        return Err(voucher_error(format!("Voucher not found: {code}")));
    };
    let Some(c) = data.carts.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    if c.vouchers.iter().any(|x| x.eq_ignore_ascii_case(&v)) {
        return Err(voucher_error(format!("Voucher {code} is already applied")));
    }
    c.vouchers.push(v);
    Ok(empty(StatusCode::OK))
});

handler!(remove_voucher, |_sim, data, req, t| {
    let i = find_cart(data, &t, req.p("cart"))?;
    let code = req.p("code").to_string();
    let Some(c) = data.carts.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    let before = c.vouchers.len();
    c.vouchers.retain(|x| !x.eq_ignore_ascii_case(&code));
    if c.vouchers.len() == before {
        return Err(voucher_error(format!(
            "Voucher {code} is not applied to the cart"
        )));
    }
    Ok(empty(StatusCode::NO_CONTENT))
});

fn paging(p: &Params, default_size: i64) -> Result<(i64, i64), OccError> {
    let size = p.int("pageSize")?.unwrap_or(default_size);
    let page = p.int("currentPage")?.unwrap_or(0);
    if size <= 0 || page < 0 {
        return Err(OccError::bad_request(
            "RequestParameterError",
            "Invalid paging parameters",
        ));
    }
    Ok((page, size))
}

handler!(list_orders, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let (page, size) = paging(&req.params, 20)?;
    let sort = match req.params.get("sort") {
        Some("byOrderNumber") => "byOrderNumber",
        _ => "byDate",
    };
    let mut orders: Vec<&Order> = data
        .orders
        .iter()
        .filter(|o| o.user == uid && o.site == t.site.uid)
        .collect();
    if sort == "byOrderNumber" {
        orders.sort_by(|a, b| b.code.cmp(&a.code));
    } else {
        orders.sort_by_key(|o| std::cmp::Reverse(o.placed));
    }
    let total = orders.len() as i64;
    let list: Vec<Value> = orders
        .iter()
        .skip(crate::offset(page, size))
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(|o| order_json(data, &t.site, o, false))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({
            "orders": list,
            "pagination": { "currentPage": page, "pageSize": size, "sort": sort, "totalPages": crate::pages(total, size), "totalResults": total },
            "sorts": [ { "code": "byDate", "selected": sort == "byDate" }, { "code": "byOrderNumber", "selected": sort == "byOrderNumber" } ],
        }),
    ))
});

fn order_of(data: &Data, t: &Target, code: &str) -> Result<usize, OccError> {
    let uid = target_customer(t)?.uid.clone();
    data.orders
        .iter()
        .position(|o| o.user == uid && o.site == t.site.uid && (o.code == code || o.guid == code))
        .ok_or_else(|| {
            OccError::bad_request(
                "UnknownIdentifierError",
                format!("Order with guid {code} not found for current user in current BaseStore"),
            )
        })
}

handler!(get_order, |_sim, data, req, t| {
    let i = order_of(data, &t, req.p("code"))?;
    let o = data
        .orders
        .get(i)
        .cloned()
        .ok_or_else(|| OccError::unknown_user(req.p("code")))?;
    Ok(crate::json(
        StatusCode::OK,
        order_json(data, &t.site, &o, true),
    ))
});

handler!(place_order, |sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let Some(cart_id) = req.params.get("cartId").map(str::to_string) else {
        return Err(OccError::missing_param("cartId"));
    };
    let i = find_cart(data, &t, &cart_id)?;
    let cart = data
        .carts
        .get(i)
        .cloned()
        .ok_or_else(OccError::cart_not_found)?;
    if cart.entries.is_empty() {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::new("CartError", "Cart is empty")
                .with_reason("invalid")
                .with_subject(&cart.code, "cart")],
        ));
    }
    let (_, disc, _) = data.totals(&cart.entries, &cart.vouchers);
    let n = data.next_number();
    let order = Order {
        code: format!("{:08}", n),
        guid: format!(
            "{:08x}-{:04x}-4{:03x}-b{:03x}-{:012x}",
            fastrand::u32(..),
            fastrand::u16(..),
            fastrand::u16(..0xfff),
            fastrand::u16(..0xfff),
            n
        ),
        user: uid,
        site: t.site.uid.to_string(),
        placed: sim.now(),
        status: "CREATED",
        entries: cart.entries.clone(),
        discount_cents: disc,
        pickup: false,
        cancelled: vec![],
    };
    data.carts.remove(i);
    data.orders.push(order.clone());
    Ok(crate::json(
        StatusCode::CREATED,
        order_json(data, &t.site, &order, true),
    ))
});

handler!(cancel_order, |_sim, data, req, t| {
    let i = order_of(data, &t, req.p("code"))?;
    let b = req.json()?;
    let Some(inputs) = b
        .get("cancellationRequestEntryInputs")
        .and_then(Value::as_array)
        .cloned()
        .filter(|a| !a.is_empty())
    else {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "missing",
                "cancellationRequestEntryInputs",
                "This field is required.",
            )],
        ));
    };
    let Some(o) = data.orders.get(i).cloned() else {
        return Err(OccError::unknown_user(req.p("code")));
    };
    if !data.order_cancellable(&o) {
        return Err(OccError::bad_request(
            "CancellationError",
            format!("Order {} is not cancellable", o.code),
        ));
    }
    let lines = entry_inputs(&inputs, "cancellationRequestEntryInputs", |n, q| {
        q <= data.left_of(&o, n)
    })?;
    let Some(o) = data.orders.get_mut(i) else {
        return Err(OccError::unknown_user(req.p("code")));
    };
    o.cancelled.resize(o.entries.len(), 0);
    for (n, q) in lines {
        if let Some(c) = o.cancelled.get_mut(n) {
            *c += q;
        }
    }
    if o.entries
        .iter()
        .enumerate()
        .all(|(n, e)| o.cancelled_of(n) >= e.quantity)
    {
        o.status = "CANCELLED";
    }
    Ok(empty(StatusCode::OK))
});

/// The `(entry number, quantity)` of `inputs` (`orderEntryNumber`, `quantity`): each an
/// existing entry and a quantity of at least 1 that `fits`; else 400 `ValidationError` on
/// `field` (SAP's validator).
fn entry_inputs(
    inputs: &[Value],
    field: &str,
    fits: impl Fn(usize, i64) -> bool,
) -> Result<Vec<(usize, i64)>, OccError> {
    let mut lines: Vec<(usize, i64)> = Vec::new();
    for input in inputs {
        let n = input
            .get("orderEntryNumber")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok());
        let q = input.get("quantity").and_then(Value::as_i64).unwrap_or(0);
        match n {
            Some(n) if q > 0 && !lines.iter().any(|l| l.0 == n) && fits(n, q) => lines.push((n, q)),
            _ => {
                return Err(OccError::entries(
                    StatusCode::BAD_REQUEST,
                    vec![ErrorEntry::validation(
                        "invalid",
                        field,
                        "Invalid entry or quantity",
                    )],
                ))
            }
        }
    }
    Ok(lines)
}

fn coupon_json(c: &crate::model::CustomerCoupon) -> Value {
    json!({
        "couponId": c.code,
        "name": c.name,
        "description": c.description,
        "startDate": date(c.start),
        "endDate": date(c.end),
        "status": "Effective",
        "notificationOn": false,
        "allProductsApplicable": true,
    })
}

handler!(list_coupons, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let (page, size) = paging(&req.params, 10)?;
    let mut mine: Vec<_> = data
        .customer_coupons
        .iter()
        .filter(|c| c.assigned.contains(&uid))
        .collect();
    mine.sort_by_key(|c| c.start);
    let total = mine.len() as i64;
    let list: Vec<Value> = mine
        .iter()
        .skip(crate::offset(page, size))
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(|c| coupon_json(c))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({
            "coupons": list,
            "sorts": [ { "code": "startDate", "asc": true } ],
            "pagination": { "count": size, "page": page, "totalCount": total, "totalPages": crate::pages(total, size) },
        }),
    ))
});

fn coupon_error(message: String) -> OccError {
    OccError::entries(
        StatusCode::BAD_REQUEST,
        vec![ErrorEntry::new("ValidationError", message)
            .with_reason("invalid")
            .with_subject("couponCode", "parameter")],
    )
}

handler!(claim_coupon, |_sim, data, req, t| {
    let u = target_customer(&t)?.clone();
    let code = req.p("code").to_string();
    let Some(c) = data.customer_coupons.iter_mut().find(|c| c.code == code) else {
        return Err(coupon_error(format!("No coupon code [{code}] is found")));
    };
    if !c.assigned.insert(u.uid.clone()) {
        return Err(coupon_error(format!("Coupon [{code}] is already claimed")));
    }
    let coupon = coupon_json(c);
    Ok(crate::json(
        StatusCode::CREATED,
        json!({ "coupon": coupon, "customer": user_json(&u) }),
    ))
});

handler!(disclaim_coupon, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let code = req.p("code").to_string();
    let Some(c) = data.customer_coupons.iter_mut().find(|c| c.code == code) else {
        return Err(coupon_error(format!("No coupon code [{code}] is found")));
    };
    if !c.assigned.remove(&uid) {
        return Err(coupon_error(format!(
            "Coupon [{code}] is not claimed by the customer"
        )));
    }
    Ok(empty(StatusCode::OK))
});

/// The fields of an `AddressWsDTO` a client sends that SAP requires (§4.11; SAP's
/// `AddressValidator`: names, line1, town, postal code, country).
fn address_errors(b: &Value) -> Vec<ErrorEntry> {
    let mut errors = vec![];
    for field in ["firstName", "lastName", "line1", "town", "postalCode"] {
        if b.get(field)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            errors.push(ErrorEntry::validation(
                "missing",
                field,
                "This field is required.",
            ));
        }
    }
    if b.pointer("/country/isocode")
        .and_then(Value::as_str)
        .is_none_or(|v| v.trim().is_empty())
    {
        errors.push(ErrorEntry::validation(
            "missing",
            "country.isocode",
            "This field is required.",
        ));
    }
    errors
}

/// `b` as the simulator keeps an address: SAP's fields, with `id` and `defaultAddress`.
fn stored_address(b: &Value, id: String, default: bool) -> Value {
    let s = |k: &str| b.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": id,
        "firstName": s("firstName"),
        "lastName": s("lastName"),
        "line1": s("line1"),
        "line2": s("line2"),
        "town": s("town"),
        "postalCode": s("postalCode"),
        "country": { "isocode": b.pointer("/country/isocode").cloned().unwrap_or(Value::Null) },
        "phone": s("phone"),
        "defaultAddress": default,
        "shippingAddress": true,
        "visibleInAddressBook": true,
    })
}

fn address_not_found(id: &str) -> OccError {
    OccError::new(
        StatusCode::BAD_REQUEST,
        "UnknownIdentifierError",
        format!("Address not found for the given ID {id}"),
    )
}

/// Makes `id` the default of `uid`'s book.
fn set_default(data: &mut Data, uid: &str, id: &str) {
    for (owner, a) in data.address_book.iter_mut().filter(|(o, _)| o == uid) {
        let _ = owner;
        a["defaultAddress"] = json!(a["id"] == json!(id));
    }
}

handler!(list_addresses, |_sim, data, _req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let list: Vec<Value> = data
        .address_book
        .iter()
        .filter(|(o, _)| *o == uid)
        .map(|(_, a)| a.clone())
        .collect();
    Ok(crate::json(StatusCode::OK, json!({ "addresses": list })))
});

handler!(get_address, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let id = req.p("address");
    data.address_book
        .iter()
        .find(|(o, a)| *o == uid && a["id"] == json!(id))
        .map(|(_, a)| crate::json(StatusCode::OK, a.clone()))
        .ok_or_else(|| address_not_found(id))
});

handler!(create_address, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let b = req.json()?;
    let errors = address_errors(&b);
    if !errors.is_empty() {
        return Err(OccError::entries(StatusCode::BAD_REQUEST, errors));
    }
    let id = format!("{}", 8_796_000_000_000_u64 + data.next_number());
    let first = !data.address_book.iter().any(|(o, _)| *o == uid);
    let default = first || b.get("defaultAddress").and_then(Value::as_bool) == Some(true);
    data.address_book
        .push((uid.clone(), stored_address(&b, id.clone(), false)));
    if default {
        set_default(data, &uid, &id);
    }
    let created = data
        .address_book
        .iter()
        .find(|(_, a)| a["id"] == json!(id))
        .map(|(_, a)| a.clone())
        .unwrap_or(Value::Null);
    Ok(crate::json(StatusCode::CREATED, created))
});

// SAP answers PUT and PATCH with 200 and an empty body.
handler!(replace_address, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let id = req.p("address").to_string();
    let b = req.json()?;
    let errors = address_errors(&b);
    if !errors.is_empty() {
        return Err(OccError::entries(StatusCode::BAD_REQUEST, errors));
    }
    let Some(slot) = data
        .address_book
        .iter_mut()
        .find(|(o, a)| *o == uid && a["id"] == json!(id))
    else {
        return Err(address_not_found(&id));
    };
    let was_default = slot.1["defaultAddress"] == json!(true);
    slot.1 = stored_address(&b, id.clone(), was_default);
    if b.get("defaultAddress").and_then(Value::as_bool) == Some(true) {
        set_default(data, &uid, &id);
    }
    Ok(empty(StatusCode::OK))
});

handler!(delete_address, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let id = req.p("address").to_string();
    let before = data.address_book.len();
    data.address_book
        .retain(|(o, a)| !(*o == uid && a["id"] == json!(id)));
    if data.address_book.len() == before {
        return Err(address_not_found(&id));
    }
    // The next one becomes the default.
    let has_default = data
        .address_book
        .iter()
        .any(|(o, a)| *o == uid && a["defaultAddress"] == json!(true));
    if !has_default {
        let next = data
            .address_book
            .iter()
            .find(|(o, _)| *o == uid)
            .and_then(|(_, a)| a["id"].as_str().map(str::to_owned));
        if let Some(next) = next {
            set_default(data, &uid, &next);
        }
    }
    Ok(empty(StatusCode::OK))
});

/// The latest consent of `uid` to the template `id` at `version`.
fn current_consent<'a>(
    data: &'a Data,
    uid: &str,
    id: &str,
    version: i64,
) -> Option<&'a crate::model::Consent> {
    data.consents
        .iter()
        .rev()
        .find(|c| c.user == uid && c.template == id && c.version == version)
}

/// A `ConsentTemplateWsDTO` with `uid`'s `currentConsent` (absent when never given).
fn consent_template_json(data: &Data, uid: &str, t: &crate::model::ConsentTemplate) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "description": t.description,
        "version": t.version,
        "currentConsent": current_consent(data, uid, t.id, t.version).map(|c| json!({
            "code": c.code,
            "consentGivenDate": date(c.given),
            "consentWithdrawnDate": c.withdrawn.map(date),
        })),
    })
}

handler!(list_consent_templates, |_sim, data, _req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let list: Vec<Value> = data
        .consent_templates
        .iter()
        .map(|x| consent_template_json(data, &uid, x))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({ "consentTemplates": list }),
    ))
});

// SAP's `ConsentsController`: form parameters `consentTemplateId`, `consentTemplateVersion`
// (query parameters too); 201 with the template and its current consent. A consent that stands
// is answered as it is.
handler!(give_consent, |sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let params = req
        .params
        .clone()
        .merged(form_body(&req.headers, &req.body)?);
    let Some(id) = params.non_blank("consentTemplateId").map(str::to_owned) else {
        return Err(OccError::bad_request(
            "MissingServletRequestParameterError",
            "Required request parameter 'consentTemplateId' for method parameter type String is not present",
        ));
    };
    let Some(version) = params.int("consentTemplateVersion")? else {
        return Err(OccError::bad_request(
            "MissingServletRequestParameterError",
            "Required request parameter 'consentTemplateVersion' for method parameter type Integer is not present",
        ));
    };
    let Some(template) = data
        .consent_templates
        .iter()
        .find(|x| x.id == id && x.version == version)
        .cloned()
    else {
        return Err(OccError::bad_request(
            "UnknownIdentifierError",
            format!("ConsentTemplate with id [{id}] and version [{version}] not found"),
        ));
    };
    let standing = current_consent(data, &uid, &id, version).is_some_and(|c| c.withdrawn.is_none());
    if !standing {
        let code = format!("{:08}", 20_000_000 + data.next_number());
        data.consents.push(crate::model::Consent {
            code,
            user: uid.clone(),
            template: id,
            version,
            given: sim.now(),
            withdrawn: None,
        });
    }
    Ok(crate::json(
        StatusCode::CREATED,
        consent_template_json(data, &uid, &template),
    ))
});

// `DELETE …/consents/{consentCode}`: 200 with an empty body; a code that is not one of the
// customer's is unknown; a withdrawn one stays as it was.
handler!(withdraw_consent, |sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let code = req.p("consent").to_string();
    let now = sim.now();
    let Some(c) = data
        .consents
        .iter_mut()
        .find(|c| c.user == uid && c.code == code)
    else {
        return Err(OccError::bad_request(
            "UnknownIdentifierError",
            format!("Consent with code [{code}] not found"),
        ));
    };
    c.withdrawn.get_or_insert(now);
    Ok(empty(StatusCode::OK))
});

fn ticket_json(x: &crate::model::Ticket) -> Value {
    json!({
        "id": x.id,
        "subject": x.subject,
        "createdAt": date(x.created),
        "modifiedAt": date(x.updated),
        "status": { "id": x.status.0, "name": x.status.1 },
        "ticketCategory": { "id": x.category.0, "name": x.category.1 },
        "availableStatusTransitions": if x.status.0 == "CLOSED" { json!([]) } else { json!([{ "id": "CLOSED", "name": "Closed" }]) },
        "ticketEvents": [],
    })
}

handler!(list_tickets, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let (page, size) = paging(&req.params, 10)?;
    let mut list: Vec<_> = data.tickets.iter().filter(|x| x.user == uid).collect();
    let sort = if req.params.get("sort") == Some("byTicketId") {
        "byTicketId"
    } else {
        "byDate"
    };
    if sort == "byTicketId" {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    } else {
        list.sort_by_key(|x| std::cmp::Reverse(x.updated));
    }
    let total = list.len() as i64;
    let tickets: Vec<Value> = list
        .iter()
        .skip(crate::offset(page, size))
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(|x| ticket_json(x))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({
            "tickets": tickets,
            "pagination": { "currentPage": page, "pageSize": size, "sort": sort, "totalPages": crate::pages(total, size), "totalResults": total },
            "sorts": [ { "code": "byDate", "selected": sort == "byDate" }, { "code": "byTicketId", "selected": sort == "byTicketId" } ],
        }),
    ))
});

handler!(get_ticket, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let id = req.p("ticket");
    match data.tickets.iter().find(|x| x.user == uid && x.id == id) {
        Some(x) => Ok(crate::json(StatusCode::OK, ticket_json(x))),
        None => Err(OccError::new(
            StatusCode::NOT_FOUND,
            "NotFoundError",
            format!("Ticket not found for the given ID {id}"),
        )),
    }
});

// Ticket creation is customer-only in the version the contract read (§4.9): an agent gets 403.
handler!(create_ticket, |sim, data, req, t| {
    let principal_is_customer = t.principal.as_ref().is_some_and(User::is_customer);
    if !principal_is_customer {
        return Err(OccError::forbidden());
    }
    let uid = target_customer(&t)?.uid.clone();
    let b = req.json()?;
    let subject = b
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if subject.trim().is_empty() {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "missing",
                "subject",
                "This field is required.",
            )],
        ));
    }
    let n = data.next_number();
    let now = sim.now();
    let ticket = crate::model::Ticket {
        id: format!("{:08}", n),
        user: uid,
        subject,
        category: if b.pointer("/ticketCategory/id").and_then(Value::as_str) == Some("COMPLAINT") {
            ("COMPLAINT", "Complaint")
        } else {
            ("ENQUIRY", "Enquiry")
        },
        status: ("OPEN", "Open"),
        created: now,
        updated: now,
    };
    data.tickets.push(ticket.clone());
    Ok(crate::json(StatusCode::CREATED, ticket_json(&ticket)))
});

handler!(coupon_notification_on, |_sim, data, req, t| {
    let u = target_customer(&t)?.clone();
    let code = req.p("code").to_string();
    let Some(c) = data
        .customer_coupons
        .iter()
        .find(|c| c.code == code && c.assigned.contains(&u.uid))
    else {
        return Err(coupon_error(format!("No coupon code [{code}] is found")));
    };
    Ok(crate::json(
        StatusCode::CREATED,
        json!({ "coupon": coupon_json(c), "customer": user_json(&u), "status": "EFFECTIVE" }),
    ))
});

handler!(coupon_notification_off, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let code = req.p("code").to_string();
    if !data
        .customer_coupons
        .iter()
        .any(|c| c.code == code && c.assigned.contains(&uid))
    {
        return Err(coupon_error(format!("No coupon code [{code}] is found")));
    }
    Ok(empty(StatusCode::OK))
});

fn return_json(data: &Data, site: &Site, r: &crate::model::ReturnRequest) -> Value {
    let order = data.orders.iter().find(|o| o.code == r.order);
    let entries: Vec<Value> = r
        .entries
        .iter()
        .map(|(n, q)| {
            let e = order.and_then(|o| o.entries.get(*n));
            let refund = e
                .map(|e| data.entry_cents(e).0.saturating_mul(*q))
                .unwrap_or(0);
            json!({
                "orderEntry": e.map(|e| entry_json(data, site, *n, e)),
                "expectedQuantity": q,
                "refundAmount": price(refund, &site.currency),
            })
        })
        .collect();
    let total: i64 = r
        .entries
        .iter()
        .filter_map(|(n, q)| {
            order
                .and_then(|o| o.entries.get(*n))
                .map(|e| data.entry_cents(e).0.saturating_mul(*q))
        })
        .fold(0i64, i64::saturating_add);
    json!({
        "code": r.code,
        "rma": r.code.trim_start_matches("RMA-"),
        "status": r.status,
        "creationTime": date(r.created),
        "cancellable": r.cancellable(),
        "order": order.map(|o| json!({ "code": o.code })),
        "refundDeliveryCost": false,
        "returnLabelDownloadUrl": "/download-url",
        "returnEntries": entries,
        "deliveryCost": price(0, &site.currency),
        "subTotal": price(total, &site.currency),
        "totalPrice": price(total, &site.currency),
    })
}

handler!(create_return, |sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let b = req.json()?;
    let order_code = b
        .get("orderCode")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(order) = data
        .orders
        .iter()
        .find(|o| o.user == uid && o.code == order_code)
        .cloned()
    else {
        return Err(OccError::bad_request(
            "UnknownIdentifierError",
            format!("Order with code {order_code} not found for current user in current BaseStore"),
        ));
    };
    let inputs = b
        .get("returnRequestEntryInputs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if inputs.is_empty() {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "missing",
                "returnRequestEntryInputs",
                "This field is required.",
            )],
        ));
    }
    if !data.order_returnable(&order) {
        return Err(OccError::bad_request(
            "ReturnRequestError",
            format!("Order {} is not returnable", order.code),
        ));
    }
    let entries = entry_inputs(&inputs, "returnRequestEntryInputs", |n, q| {
        q <= data.left_of(&order, n)
    })?;
    let n = data.next_number();
    let r = crate::model::ReturnRequest {
        code: format!("RMA-{n:06}"),
        user: uid,
        order: order.code.clone(),
        status: "APPROVAL_PENDING",
        created: sim.now(),
        entries,
    };
    data.returns.push(r.clone());
    Ok(crate::json(
        StatusCode::CREATED,
        return_json(data, &t.site, &r),
    ))
});

handler!(list_returns, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let (page, size) = paging(&req.params, 20)?;
    let mine: Vec<_> = data
        .returns
        .iter()
        .filter(|r| r.user == uid)
        .cloned()
        .collect();
    let total = mine.len() as i64;
    let list: Vec<Value> = mine
        .iter()
        .skip(crate::offset(page, size))
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(|r| return_json(data, &t.site, r))
        .collect();
    Ok(crate::json(
        StatusCode::OK,
        json!({
            "returnRequests": list,
            "pagination": { "currentPage": page, "pageSize": size, "sort": "byDate", "totalPages": crate::pages(total, size), "totalResults": total },
            "sorts": [ { "code": "byDate", "selected": true } ],
        }),
    ))
});

fn return_of(data: &Data, uid: &str, code: &str) -> Result<usize, OccError> {
    data.returns
        .iter()
        .position(|r| r.user == uid && r.code == code)
        .ok_or_else(|| {
            OccError::new(
                StatusCode::NOT_FOUND,
                "NotFoundError",
                format!("Return request with code {code} not found"),
            )
        })
}

handler!(get_return, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let i = return_of(data, &uid, req.p("code"))?;
    let r = data
        .returns
        .get(i)
        .cloned()
        .ok_or_else(OccError::cart_not_found)?;
    Ok(crate::json(StatusCode::OK, return_json(data, &t.site, &r)))
});

handler!(cancel_return, |_sim, data, req, t| {
    let uid = target_customer(&t)?.uid.clone();
    let i = return_of(data, &uid, req.p("code"))?;
    let b = req.json()?;
    if b.get("status").and_then(Value::as_str) != Some("CANCELLING") {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "invalid",
                "status",
                "Only the status CANCELLING is supported",
            )],
        ));
    }
    let Some(r) = data.returns.get_mut(i) else {
        return Err(OccError::cart_not_found());
    };
    if !r.cancellable() {
        return Err(OccError::bad_request(
            "CancelReturnRequestError",
            format!("Return request {} cannot be cancelled", r.code),
        ));
    }
    r.status = "CANCELED";
    Ok(empty(StatusCode::OK))
});

// Events are customer-only as well (§4.9).
handler!(create_ticket_event, |sim, data, req, t| {
    if !t.principal.as_ref().is_some_and(User::is_customer) {
        return Err(OccError::forbidden());
    }
    let uid = target_customer(&t)?.uid.clone();
    let id = req.p("ticket").to_string();
    let b = req.json()?;
    let Some(message) = b
        .get("message")
        .and_then(Value::as_str)
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
    else {
        return Err(OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::validation(
                "missing",
                "message",
                "This field is required.",
            )],
        ));
    };
    let now = sim.now();
    let n = data.next_number();
    let Some(x) = data
        .tickets
        .iter_mut()
        .find(|x| x.user == uid && x.id == id)
    else {
        return Err(OccError::new(
            StatusCode::NOT_FOUND,
            "NotFoundError",
            format!("Ticket not found for the given ID {id}"),
        ));
    };
    let to = b.pointer("/toStatus/id").and_then(Value::as_str);
    if let Some(to) = to {
        let allowed = match x.status.0 {
            "CLOSED" => to == "INPROCESS",
            _ => to == "CLOSED",
        };
        if !allowed {
            return Err(OccError::bad_request(
                "ValidationError",
                format!("Unable to change ticket status to {to} for the ticket {id}"),
            ));
        }
        x.status = if to == "CLOSED" {
            ("CLOSED", "Closed")
        } else {
            ("INPROCESS", "In Process")
        };
    }
    x.updated = now;
    Ok(crate::json(
        StatusCode::CREATED,
        json!({ "code": format!("{n:06}CI"), "author": uid, "createdAt": date(now), "message": message, "toStatus": to.map(|s| json!({ "id": s })), "addedByAgent": false }),
    ))
});

/// Product reviews (§4.10): a user-less endpoint. With a customer-manager principal the
/// `sap-commerce-cloud-user-id` header names the emulated customer (§1.2.5); a customer principal
/// writes as itself (the header is ignored); without a token the review is anonymous.
pub fn product_routes() -> Router<Sim> {
    Router::new()
        .route(
            "/occ/v2/{site}/products/{code}/reviews",
            get(list_reviews).post(create_review),
        )
        .route("/occ/v2/{site}/products/search", get(search_products))
        .route("/occ/v2/{site}/ticketCategories", get(ticket_categories))
}

/// `GET /ticketCategories` (§4.9): the categories a ticket may have. No token needed.
async fn ticket_categories(
    State(sim): State<Sim>,
    Path(path): Path<Map>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    (|| {
        let req = Req::new(path, q, headers, Bytes::new())?;
        let data = sim.data();
        let site = data
            .site(req.p("site"))
            .ok_or_else(|| OccError::unknown_site(req.p("site")))?;
        check_site_context(&sim, site, &req.params)?;
        Ok::<_, OccError>(crate::json(
            StatusCode::OK,
            json!({ "ticketCategories": [
                { "id": "ENQUIRY", "name": "Enquiry" },
                { "id": "COMPLAINT", "name": "Complaint" },
            ] }),
        ))
    })()
    .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /products/search` (OCC `ProductSearchPage`): the catalogue, filtered by `query` (a
/// part of the code or name), paged by `currentPage`/`pageSize` (default 20). No token needed.
async fn search_products(
    State(sim): State<Sim>,
    Path(path): Path<Map>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    (|| {
        let req = Req::new(path, q, headers, Bytes::new())?;
        let data = sim.data();
        let site = data
            .site(req.p("site"))
            .ok_or_else(|| OccError::unknown_site(req.p("site")))?;
        check_site_context(&sim, site, &req.params)?;
        let size = req.params.int("pageSize")?.unwrap_or(20);
        let page = req.params.int("currentPage")?.unwrap_or(0);
        if size <= 0 || page < 0 {
            return Err(OccError::bad_request(
                "ValidationError",
                "Request parameter pageSize must be greater than 0",
            ));
        }
        let needle = req.params.get("query").unwrap_or("").to_lowercase();
        let hits: Vec<_> = data
            .products
            .iter()
            .filter(|p| {
                needle.is_empty()
                    || p.code.contains(needle.as_str())
                    || p.name.to_lowercase().contains(needle.as_str())
            })
            .collect();
        let total = hits.len() as i64;
        let products: Vec<Value> = hits
            .into_iter()
            .skip((page * size) as usize)
            .take(size as usize)
            .map(|p| {
                json!({
                    "code": p.code,
                    "name": p.name,
                    "price": price(p.cents, &site.currency),
                    "stock": { "stockLevelStatus": "inStock" },
                })
            })
            .collect();
        Ok::<_, OccError>(crate::json(
            StatusCode::OK,
            json!({
                "products": products,
                "pagination": { "currentPage": page, "pageSize": size, "totalPages": crate::pages(total, size), "totalResults": total },
                "sorts": [],
            }),
        ))
    })()
    .unwrap_or_else(IntoResponse::into_response)
}

fn review_json(data: &Data, r: &crate::model::Review, id: usize) -> Value {
    let principal = data
        .user(&r.user)
        .map(|u| json!({ "uid": u.uid, "name": u.name() }));
    json!({
        "id": id.to_string(),
        "headline": r.headline,
        "comment": r.comment,
        "rating": r.rating,
        "date": date(r.created),
        "alias": principal.as_ref().map(|_| Value::Null).unwrap_or(json!("Anonymous")),
        "principal": principal,
    })
}

fn product_site<'a>(sim: &Sim, data: &'a Data, req: &Req) -> Result<&'a Site, OccError> {
    let site = data
        .site(req.p("site"))
        .ok_or_else(|| OccError::unknown_site(req.p("site")))?;
    check_site_context(sim, site, &req.params)?;
    if data.product(req.p("code")).is_none() {
        return Err(OccError::bad_request(
            "UnknownIdentifierError",
            format!("Product with code '{}' not found!", req.p("code")),
        ));
    }
    Ok(site)
}

async fn list_reviews(
    State(sim): State<Sim>,
    Path(path): Path<Map>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    (|| {
        let req = Req::new(path, q, headers, body)?;
        let data = sim.data();
        product_site(&sim, &data, &req)?;
        let max = req
            .params
            .int("maxCount")?
            .map(|n| n.max(0) as usize)
            .unwrap_or(usize::MAX);
        let list: Vec<Value> = data
            .reviews
            .iter()
            .enumerate()
            .filter(|(_, r)| r.product == req.p("code"))
            .take(max)
            .map(|(i, r)| review_json(&data, r, i))
            .collect();
        Ok::<_, OccError>(crate::json(StatusCode::OK, json!({ "reviews": list })))
    })()
    .unwrap_or_else(IntoResponse::into_response)
}

async fn create_review(
    State(sim): State<Sim>,
    Path(path): Path<Map>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    (|| {
        let req = Req::new(path, q, headers, body)?;
        let mut data = sim.data();
        product_site(&sim, &data, &req)?;
        let author = if req.headers.contains_key(axum::http::header::AUTHORIZATION) {
            let p = principal(&sim, &data, &req.headers)?;
            let named = req
                .headers
                .get("sap-commerce-cloud-user-id")
                .and_then(|v| v.to_str().ok());
            match named {
                Some(id)
                    if p.is_customer_manager()
                        && !["current", "anonymous", "guest"].contains(&id) =>
                {
                    data.customer_by_any(id)
                        .map(|u| u.uid.clone())
                        .ok_or_else(|| OccError::unknown_user(id))?
                }
                _ if p.is_customer() => p.uid.clone(),
                _ => "anonymous".to_string(),
            }
        } else {
            "anonymous".to_string()
        };
        let form = form_body(&req.headers, &req.body)?;
        let (headline, comment, rating) =
            if form.get("headline").is_some() || form.get("comment").is_some() {
                (
                    form.get("headline").map(str::to_string),
                    form.get("comment").map(str::to_string),
                    form.get("rating").and_then(|r| r.parse::<f64>().ok()),
                )
            } else {
                let b = req.json()?;
                let s = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_string);
                (
                    s("headline"),
                    s("comment"),
                    b.get("rating").and_then(Value::as_f64),
                )
            };
        let mut errors = vec![];
        if headline.as_deref().is_none_or(|h| h.trim().is_empty()) {
            errors.push(ErrorEntry::validation(
                "missing",
                "headline",
                "This field is required.",
            ));
        }
        if comment.as_deref().is_none_or(|h| h.trim().is_empty()) {
            errors.push(ErrorEntry::validation(
                "missing",
                "comment",
                "This field is required.",
            ));
        }
        if !rating.is_some_and(|r| (1.0..=5.0).contains(&r)) {
            errors.push(ErrorEntry::validation(
                "invalid",
                "rating",
                "Value should be between 1 and 5",
            ));
        }
        if !errors.is_empty() {
            return Err(OccError::entries(StatusCode::BAD_REQUEST, errors));
        }
        let review = crate::model::Review {
            user: author,
            product: req.p("code").to_string(),
            headline: headline.unwrap_or_default(),
            comment: comment.unwrap_or_default(),
            rating: rating.unwrap_or(0.0),
            created: sim.now(),
        };
        data.reviews.push(review.clone());
        let id = data.reviews.len() - 1;
        Ok(crate::json(
            StatusCode::CREATED,
            review_json(&data, &review, id),
        ))
    })()
    .unwrap_or_else(IntoResponse::into_response)
}
