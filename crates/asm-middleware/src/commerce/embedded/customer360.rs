//! Customer 360° fragments of the embedded shop: each read on its own, so one failing fragment
//! leaves the others intact.

use crate::format::{money, rfc3339, Money};
use crate::ports::Customer360Query;
use crate::ports::{DomainError, DomainResult};
use asm_types::{
    C360Activity, C360ActivityEntry, C360ActivityType, C360Address, C360Cart, C360CartData,
    C360CartEntry, C360CartHeader, C360CouponStatus, C360CustomerCoupon, C360Feedback,
    C360FragmentData, C360FragmentError, C360Money, C360OrderHeader, C360Overview, C360PaymentCard,
    C360ProductInterest, C360ProductInterests, C360Profile, C360Promotion, C360Promotions,
    C360Review, C360Store, C360StoreLocations, C360Ticket, C360Voucher, Customer360Fragment,
    Customer360FragmentType, Customer360Response,
};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

/// The fragments asked for, in order, for `customer_id` (`NotFoundError` for no such customer).
pub fn fragments(
    c: &Connection,
    customer_id: &str,
    queries: &[Customer360Query],
    now: i64,
) -> DomainResult<Customer360Response> {
    let customer = read_customer(c, customer_id)?
        .ok_or_else(|| DomainError::not_found("Customer").with_subject(customer_id))?;
    let fragments = queries
        .iter()
        .map(|q| match fragment(c, &customer, *q, now) {
            Ok(data) => Customer360Fragment::Data(data),
            Err(e) => Customer360Fragment::Failed(C360FragmentError {
                kind: q.kind,
                error: e.into_api_error(),
            }),
        })
        .collect();
    Ok(Customer360Response { fragments })
}

/// `Money(cents).c360()`: money as the fragments send it.
pub fn c360_money(cents: i64) -> C360Money {
    Money(cents).c360()
}

/// A card number masked down to (at most) its last four digits: `**** **** **** 4242`.
pub fn mask_card(last4: &str) -> String {
    let digits: Vec<char> = last4.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("**** **** **** {tail}")
}

/// What every fragment needs to know about the customer.
#[derive(Clone, Debug)]
struct Customer {
    id: String,
    name: String,
    email: String,
    town: String,
    country: String,
    signed_up: i64,
}

fn read_customer(c: &Connection, customer_id: &str) -> DomainResult<Option<Customer>> {
    Ok(c.query_row(
        "SELECT customer_id, name, uid, town, country, signed_up FROM customers WHERE customer_id = ?1",
        params![customer_id],
        |r| {
            Ok(Customer {
                id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                town: r.get(3)?,
                country: r.get(4)?,
                signed_up: r.get(5)?,
            })
        },
    )
    .optional()?)
}

/// Reads one fragment.
fn fragment(
    c: &Connection,
    customer: &Customer,
    q: Customer360Query,
    now: i64,
) -> DomainResult<C360FragmentData> {
    use Customer360FragmentType as T;
    let limit = i64::from(q.list_size);
    Ok(match q.kind {
        T::Overview => C360FragmentData::Overview(overview(c, customer)?),
        T::Profile => C360FragmentData::Profile(profile(c, &customer.id)?),
        T::Activity => C360FragmentData::Activity(activity(c, &customer.id, limit)?),
        T::Feedback => C360FragmentData::Feedback(feedback(c, &customer.id, limit)?),
        T::StoreLocations => C360FragmentData::StoreLocations(stores(c, customer, limit)?),
        T::Promotions => C360FragmentData::Promotions(promotions(c, &customer.id, now)?),
        T::Cart => C360FragmentData::Cart(C360CartData {
            cart: latest_cart(c, &customer.id, "active")?,
        }),
        T::SavedCart => C360FragmentData::SavedCart(C360CartData {
            cart: latest_cart(c, &customer.id, "saved")?,
        }),
        T::ProductInterests => {
            C360FragmentData::ProductInterests(interests(c, &customer.id, limit)?)
        }
    })
}

fn count(c: &Connection, sql: &str, customer_id: &str) -> DomainResult<u64> {
    let n: i64 = c.query_row(sql, params![customer_id], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The most recently modified cart of the customer with `status`, as (code, created, modified).
fn latest_cart_head(
    c: &Connection,
    customer_id: &str,
    status: &str,
) -> DomainResult<Option<(String, i64, i64)>> {
    Ok(c.query_row(
        "SELECT code, created, modified FROM carts WHERE customer_id = ?1 AND status = ?2 \
         ORDER BY modified DESC, code DESC LIMIT 1",
        params![customer_id, status],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?)
}

/// Items and subtotal (cents) of a cart.
fn cart_totals(c: &Connection, code: &str) -> DomainResult<(u32, i64)> {
    let (items, cents): (i64, i64) = c.query_row(
        "SELECT COALESCE(SUM(e.quantity), 0), COALESCE(SUM(e.quantity * p.price_cents), 0) \
         FROM cart_entries e JOIN products p ON p.code = e.product_code WHERE e.cart_code = ?1",
        params![code],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((u32::try_from(items).unwrap_or(u32::MAX), cents))
}

fn ticket_from_row(r: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<C360Ticket> {
    Ok(C360Ticket {
        id: r.get(0)?,
        subject: r.get(1)?,
        category: r.get(2)?,
        status: r.get(3)?,
        created: rfc3339(r.get(4)?),
        updated: rfc3339(r.get(5)?),
        added_by_agent: r.get(6)?,
    })
}

const SELECT_TICKET: &str =
    "SELECT id, subject, category, status, created, updated, added_by IS NOT NULL FROM tickets WHERE customer_id = ?1";

fn overview(c: &Connection, customer: &Customer) -> DomainResult<C360Overview> {
    let active_cart = match latest_cart_head(c, &customer.id, "active")? {
        Some((code, _, _)) => {
            let (total_items, cents) = cart_totals(c, &code)?;
            Some(C360CartHeader {
                code,
                total_items,
                total: c360_money(cents),
            })
        }
        None => None,
    };
    let latest_order = c
        .query_row(
            "SELECT code, status, total_cents, placed FROM orders WHERE customer_id = ?1 \
             ORDER BY placed DESC, code DESC LIMIT 1",
            params![customer.id],
            |r| {
                Ok(C360OrderHeader {
                    code: r.get(0)?,
                    status: r.get(1)?,
                    total: c360_money(r.get(2)?),
                    placed: rfc3339(r.get(3)?),
                })
            },
        )
        .optional()?;
    let latest_open_ticket = c
        .query_row(
            &format!(
                "{SELECT_TICKET} AND status <> 'CLOSED' ORDER BY updated DESC, id DESC LIMIT 1"
            ),
            params![customer.id],
            ticket_from_row,
        )
        .optional()?;
    Ok(C360Overview {
        name: customer.name.clone(),
        email: customer.email.clone(),
        town: customer.town.clone(),
        country: customer.country.clone(),
        signed_up_date: rfc3339(customer.signed_up),
        active_cart,
        latest_order,
        latest_open_ticket,
    })
}

fn profile(c: &Connection, customer_id: &str) -> DomainResult<C360Profile> {
    let mut stmt = c.prepare_cached(
        "SELECT kind, line1, postal_code, town, country, phone FROM addresses \
         WHERE customer_id = ?1 ORDER BY id",
    )?;
    let addresses = stmt
        .query_map(params![customer_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                C360Address {
                    line1: r.get(1)?,
                    postal_code: r.get(2)?,
                    town: r.get(3)?,
                    country: r.get(4)?,
                    phone: r
                        .get::<_, Option<String>>(5)?
                        .filter(|p| !p.trim().is_empty()),
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut phones: Vec<String> = Vec::new();
    for phone in addresses.iter().filter_map(|(_, a)| a.phone.clone()) {
        if !phones.contains(&phone) {
            phones.push(phone);
        }
    }
    // The first address of each kind (the seed has at most one).
    let of_kind = |kind: &str| {
        addresses
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, a)| a.clone())
    };
    let mut cards_stmt = c.prepare_cached(
        "SELECT brand, last4, expiry, holder, is_default FROM payment_cards \
         WHERE customer_id = ?1 ORDER BY is_default DESC, id",
    )?;
    let payment_cards = cards_stmt
        .query_map(params![customer_id], |r| {
            Ok(C360PaymentCard {
                brand: r.get(0)?,
                masked_number: mask_card(&r.get::<_, String>(1)?),
                expiry: r.get(2)?,
                holder: r.get(3)?,
                is_default: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(C360Profile {
        billing_address: of_kind("billing"),
        delivery_address: of_kind("delivery"),
        phones,
        payment_cards,
    })
}

fn activity(c: &Connection, customer_id: &str, limit: i64) -> DomainResult<C360Activity> {
    // kind, id, subject (tickets), number (cart items or order cents), status, created, updated
    let mut stmt = c.prepare_cached(
        "SELECT kind, id, subject, number, status, created, updated FROM ( \
           SELECT CASE c.status WHEN 'saved' THEN 'SAVED_CART' ELSE 'CART' END AS kind, c.code AS id, \
                  NULL AS subject, \
                  (SELECT COALESCE(SUM(e.quantity), 0) FROM cart_entries e WHERE e.cart_code = c.code) AS number, \
                  UPPER(c.status) AS status, c.created AS created, c.modified AS updated \
             FROM carts c WHERE c.customer_id = ?1 \
           UNION ALL \
           SELECT 'ORDER', code, NULL, total_cents, status, placed, COALESCE(updated, placed) FROM orders WHERE customer_id = ?1 \
           UNION ALL \
           SELECT 'RETURN', r.order_code, r.code, \
                  (SELECT COALESCE(SUM(e.quantity), 0) FROM return_entries e WHERE e.return_code = r.code), \
                  r.status, r.created, r.updated \
             FROM return_requests r WHERE r.customer_id = ?1 \
           UNION ALL \
           SELECT 'TICKET', id, subject, NULL, status, created, updated FROM tickets WHERE customer_id = ?1 \
         ) ORDER BY updated DESC, id DESC LIMIT ?2",
    )?;
    let entries = stmt
        .query_map(params![customer_id, limit], |r| {
            let kind: String = r.get(0)?;
            let id: String = r.get(1)?;
            let subject: Option<String> = r.get(2)?;
            let number: Option<i64> = r.get(3)?;
            let (kind, description) = match kind.as_str() {
                "ORDER" => (
                    C360ActivityType::Order,
                    format!("Order {id}, {}", money(number.unwrap_or(0))),
                ),
                // A return request is shown as a row of its order (its "Open" opens the
                // order, where the returns are), with the return's status.
                "RETURN" => {
                    let items = number.unwrap_or(0);
                    let noun = if items == 1 { "item" } else { "items" };
                    (
                        C360ActivityType::Order,
                        format!(
                            "Return {} of order {id}, {items} {noun}",
                            subject.unwrap_or_default()
                        ),
                    )
                }
                "TICKET" => (C360ActivityType::Ticket, subject.unwrap_or_default()),
                other => {
                    let items = number.unwrap_or(0);
                    let noun = if items == 1 { "item" } else { "items" };
                    if other == "SAVED_CART" {
                        (
                            C360ActivityType::SavedCart,
                            format!("Saved cart with {items} {noun}"),
                        )
                    } else {
                        (C360ActivityType::Cart, format!("Cart with {items} {noun}"))
                    }
                }
            };
            Ok(C360ActivityEntry {
                kind,
                id,
                description,
                status: r.get(4)?,
                created: rfc3339(r.get(5)?),
                updated: rfc3339(r.get(6)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total_count = count(
        c,
        "SELECT (SELECT COUNT(*) FROM carts WHERE customer_id = ?1) \
              + (SELECT COUNT(*) FROM orders WHERE customer_id = ?1) \
              + (SELECT COUNT(*) FROM return_requests WHERE customer_id = ?1) \
              + (SELECT COUNT(*) FROM tickets WHERE customer_id = ?1)",
        customer_id,
    )?;
    Ok(C360Activity {
        entries,
        total_count,
    })
}

fn feedback(c: &Connection, customer_id: &str, limit: i64) -> DomainResult<C360Feedback> {
    let mut tickets_stmt = c.prepare_cached(&format!(
        "{SELECT_TICKET} ORDER BY updated DESC, id DESC LIMIT ?2"
    ))?;
    let tickets = tickets_stmt
        .query_map(params![customer_id, limit], ticket_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut reviews_stmt = c.prepare_cached(
        "SELECT r.product_code, p.name, r.rating, r.headline, r.comment, r.created, r.added_by IS NOT NULL \
         FROM reviews r JOIN products p ON p.code = r.product_code \
         WHERE r.customer_id = ?1 ORDER BY r.created DESC, r.id DESC LIMIT ?2",
    )?;
    let reviews = reviews_stmt
        .query_map(params![customer_id, limit], |r| {
            Ok(C360Review {
                product_code: r.get(0)?,
                product_name: r.get(1)?,
                rating: r.get(2)?,
                headline: r.get(3)?,
                comment: r.get(4)?,
                created: rfc3339(r.get(5)?),
                added_by_agent: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(C360Feedback {
        tickets,
        ticket_count: count(
            c,
            "SELECT COUNT(*) FROM tickets WHERE customer_id = ?1",
            customer_id,
        )?,
        reviews,
        review_count: count(
            c,
            "SELECT COUNT(*) FROM reviews WHERE customer_id = ?1",
            customer_id,
        )?,
    })
}

fn stores(c: &Connection, customer: &Customer, limit: i64) -> DomainResult<C360StoreLocations> {
    let mut stmt = c.prepare_cached(
        "SELECT name, display_name, line1, town, country, opening_hours, town = ?2 COLLATE NOCASE \
         FROM stores WHERE country = ?1 ORDER BY town = ?2 COLLATE NOCASE DESC, display_name, name LIMIT ?3",
    )?;
    let stores = stmt
        .query_map(params![customer.country, customer.town, limit], |r| {
            Ok(C360Store {
                name: r.get(0)?,
                display_name: r.get(1)?,
                line1: r.get(2)?,
                town: r.get(3)?,
                country: r.get(4)?,
                opening_hours: r.get(5)?,
                in_customer_town: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total_count = count(
        c,
        "SELECT COUNT(*) FROM stores WHERE country = ?1",
        &customer.country,
    )?;
    Ok(C360StoreLocations {
        town: customer.town.clone(),
        country: customer.country.clone(),
        stores,
        total_count,
    })
}

fn promotions(c: &Connection, customer_id: &str, now: i64) -> DomainResult<C360Promotions> {
    let cart = match latest_cart_head(c, customer_id, "active")? {
        Some((code, _, _)) => {
            let (_, subtotal) = cart_totals(c, &code)?;
            Some((code, subtotal))
        }
        None => None,
    };
    let cart_code = cart.as_ref().map(|(code, _)| code.clone());
    let mut vouchers_stmt = c.prepare_cached(
        "SELECT v.code, v.name, v.description, v.percent, \
                EXISTS (SELECT 1 FROM cart_vouchers cv WHERE cv.voucher_code = v.code COLLATE NOCASE \
                        AND cv.cart_code = ?1 AND cv.applied <> 0), \
                v.kind, p.name, v.session_only \
         FROM vouchers v LEFT JOIN products p ON p.code = v.gift_product ORDER BY v.code",
    )?;
    let cart_vouchers = vouchers_stmt
        .query_map(params![cart_code], |r| {
            Ok(C360Voucher {
                code: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                percent: r.get(3)?,
                applied: r.get(4)?,
                kind: super::vouchers::kind_of(&r.get::<_, String>(5)?),
                gift_product_name: r.get(6)?,
                session_only: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let subtotal = cart.as_ref().map(|(_, cents)| *cents);
    let mut promotions_stmt = c.prepare_cached(
        "SELECT code, description, threshold_cents, percent FROM promotions ORDER BY threshold_cents, code",
    )?;
    let promotions = promotions_stmt
        .query_map([], |r| {
            let threshold: i64 = r.get(2)?;
            Ok(C360Promotion {
                code: r.get(0)?,
                description: r.get(1)?,
                threshold: Some(c360_money(threshold)),
                percent: r.get(3)?,
                applied: subtotal.is_some_and(|s| s >= threshold),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut coupons_stmt = c.prepare_cached(
        "SELECT k.code, k.name, k.description, k.percent, k.starts, k.ends, cc.assigned \
         FROM coupons k LEFT JOIN customer_coupons cc \
           ON cc.coupon_code = k.code COLLATE NOCASE AND cc.customer_id = ?1 \
         WHERE cc.customer_id IS NOT NULL OR (k.starts <= ?2 AND k.ends > ?2) \
         ORDER BY cc.customer_id IS NULL, k.code",
    )?;
    let customer_coupons = coupons_stmt
        .query_map(params![customer_id, now], |r| {
            let assigned: Option<i64> = r.get(6)?;
            Ok(C360CustomerCoupon {
                code: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                percent: r.get(3)?,
                starts: Some(rfc3339(r.get(4)?)),
                ends: Some(rfc3339(r.get(5)?)),
                status: if assigned.is_some() {
                    C360CouponStatus::Assigned
                } else {
                    C360CouponStatus::Available
                },
                assigned_date: assigned.map(rfc3339),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(C360Promotions {
        cart_code,
        cart_subtotal: subtotal.map(c360_money),
        cart_vouchers,
        promotions,
        customer_coupons,
    })
}

fn latest_cart(c: &Connection, customer_id: &str, status: &str) -> DomainResult<Option<C360Cart>> {
    let Some((code, created, modified)) = latest_cart_head(c, customer_id, status)? else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT p.code, p.name, e.quantity, p.price_cents FROM cart_entries e \
         JOIN products p ON p.code = e.product_code WHERE e.cart_code = ?1 ORDER BY p.name, p.code",
    )?;
    let lines = stmt
        .query_map(params![code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total_items = lines.iter().map(|l| l.2).fold(0_u32, u32::saturating_add);
    let subtotal: i64 = lines.iter().map(|l| i64::from(l.2) * l.3).sum();
    Ok(Some(C360Cart {
        code,
        total_items,
        subtotal: c360_money(subtotal),
        created: rfc3339(created),
        modified: rfc3339(modified),
        entries: lines
            .into_iter()
            .map(
                |(product_code, product_name, quantity, price)| C360CartEntry {
                    product_code,
                    product_name,
                    quantity,
                    unit_price: c360_money(price),
                    total: c360_money(i64::from(quantity) * price),
                },
            )
            .collect(),
    }))
}

fn interests(c: &Connection, customer_id: &str, limit: i64) -> DomainResult<C360ProductInterests> {
    let mut stmt = c.prepare_cached(
        "SELECT i.product_code, p.name, p.price_cents, i.kind, i.created \
         FROM product_interests i JOIN products p ON p.code = i.product_code \
         WHERE i.customer_id = ?1 ORDER BY i.created DESC, i.product_code, i.kind LIMIT ?2",
    )?;
    let entries = stmt
        .query_map(params![customer_id, limit], |r| {
            Ok(C360ProductInterest {
                product_code: r.get(0)?,
                product_name: r.get(1)?,
                price: c360_money(r.get(2)?),
                kind: r.get(3)?,
                created: rfc3339(r.get(4)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(C360ProductInterests {
        entries,
        total_count: count(
            c,
            "SELECT COUNT(*) FROM product_interests WHERE customer_id = ?1",
            customer_id,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_show_only_the_last_four_digits() {
        assert_eq!(mask_card("4242"), "**** **** **** 4242");
        assert_eq!(mask_card("4111111111111111"), "**** **** **** 1111");
        assert_eq!(mask_card("12"), "**** **** **** 12");
    }

    #[test]
    fn money_has_cents_and_currency() {
        let m = c360_money(123_450);
        assert_eq!(m.formatted, "$1,234.50");
        assert_eq!(m.cents, 123_450);
        assert_eq!(m.currency, "USD");
    }
}
