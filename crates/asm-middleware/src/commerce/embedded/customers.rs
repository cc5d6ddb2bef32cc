//! Customers of the embedded shop as agents see them: their status for the emulation rules,
//! carts, the customer 360 summary, creation, binding carts, autocomplete.

use crate::format::{money, rfc3339};
use crate::ports::{Change, CustomerStatus, NewCustomer};
use crate::ports::{DomainError, DomainResult};
use asm_types::{
    error_type, AutocompleteEntry, CartEntry, CartList, CartSummary, Customer360Data,
    Customer360Overview, CustomerAddress, CustomerSearchEntry, LatestActivity, OrderSummary,
    TicketSummary,
};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

/// A customer's active and saved carts (`NotFoundError` for no such customer).
pub fn carts(c: &Connection, customer_id: &str) -> DomainResult<CartList> {
    let exists = c
        .query_row(
            "SELECT 1 FROM customers WHERE customer_id = ?1",
            params![customer_id],
            |_| Ok(()),
        )
        .optional()?;
    if exists.is_none() {
        return Err(DomainError::not_found("Customer"));
    }
    customer_carts(c, customer_id)
}

/// A customer's active and saved carts, most recently modified first.
pub fn customer_carts(c: &Connection, customer_id: &str) -> DomainResult<CartList> {
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
) -> DomainResult<Vec<CartSummary>> {
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
pub fn cart_summary(c: &Connection, code: String, modified: i64) -> DomainResult<CartSummary> {
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

/// Builds the customer 360 summary.
pub fn customer_360(c: &Connection, customer_id: &str) -> DomainResult<Customer360Data> {
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
        return Err(DomainError::not_found("Customer").with_subject(customer_id));
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

fn duplicate(email: &str) -> DomainError {
    DomainError::refused(
        error_type::DUPLICATE_EMAIL,
        format!("Enter a different email address as {email} already exists."),
    )
    .with_subject("emailAddress")
}

/// Inserts the customer (consented, enabled, searchable at once), in the caller's transaction.
pub fn insert_customer(
    c: &Connection,
    new: &NewCustomer,
    customer_id: &str,
    now: i64,
) -> DomainResult<CustomerSearchEntry> {
    let taken = c
        .query_row(
            "SELECT 1 FROM customers WHERE uid = ?1 COLLATE NOCASE \
             UNION ALL SELECT 1 FROM agents WHERE email = ?1 COLLATE NOCASE OR uid = ?1 COLLATE NOCASE \
             LIMIT 1",
            params![new.email],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if taken {
        return Err(duplicate(&new.email));
    }
    let name = format!("{} {}", new.first_name, new.last_name);
    let search = format!("{name} {} {customer_id}", new.email).to_lowercase();
    c.execute(
        "INSERT INTO customers (customer_id, uid, first_name, last_name, name, town, country, \
         signed_up, disabled, consent, password_hash, search) \
         VALUES (?1, ?2, ?3, ?4, ?5, '', '', ?6, 0, 1, NULL, ?7)",
        params![
            customer_id,
            new.email,
            new.first_name,
            new.last_name,
            name,
            now,
            search
        ],
    )?;
    super::search::assign_key(c, customer_id)?;
    Ok(CustomerSearchEntry {
        uid: new.email.clone(),
        name,
        customer_id: customer_id.to_owned(),
        last_cart_id: None,
        has_order: false,
        emulation_blocked: None,
        order_id: None,
        cart_id: None,
        cart_status: None,
        phone: None,
    })
}

/// Up to `limit` customers matching `query`, by name, with their active carts.
pub fn autocomplete(
    c: &Connection,
    query: &str,
    limit: u32,
) -> DomainResult<Vec<AutocompleteEntry>> {
    let page = super::search::search_customers(c, query, 0, limit)?;
    let mut signed_up =
        c.prepare_cached("SELECT signed_up FROM customers WHERE customer_id = ?1")?;
    let mut carts = c.prepare_cached(
        "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' \
         ORDER BY modified DESC, code",
    )?;
    let mut out = Vec::with_capacity(page.entries.len());
    for e in page.entries {
        let date: i64 = signed_up.query_row(params![e.customer_id], |r| r.get(0))?;
        let codes = carts
            .query_map(params![e.customer_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        out.push(AutocompleteEntry {
            email: e.uid,
            full_name: e.name,
            customer_id: e.customer_id,
            date: rfc3339(date),
            carts: codes,
        });
    }
    Ok(out)
}

/// Binds the anonymous cart `cart_id` to `customer_id` (see the port's `bind_cart`), in the
/// caller's transaction.
pub fn bind_cart(
    c: &Connection,
    customer_id: &str,
    cart_id: &str,
    replace: bool,
    now: i64,
) -> DomainResult<Change<CartSummary>> {
    let owner: Option<Option<String>> = c
        .query_row(
            "SELECT customer_id FROM carts WHERE code = ?1",
            params![cart_id],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        None => return Err(DomainError::not_found("Cart").with_subject("cartId")),
        Some(Some(owner)) => {
            let message = if owner == customer_id {
                "This cart already belongs to this customer."
            } else {
                "This cart belongs to another customer: only anonymous carts can be bound."
            };
            return Err(
                DomainError::refused(error_type::CART_NOT_ANONYMOUS, message)
                    .with_subject("cartId"),
            );
        }
        Some(None) => {}
    }
    let current: Option<String> = c
        .query_row(
            "SELECT code FROM carts c WHERE customer_id = ?1 AND status = 'active' \
             AND EXISTS (SELECT 1 FROM cart_entries WHERE cart_code = c.code) \
             ORDER BY modified DESC, code DESC LIMIT 1",
            params![customer_id],
            |r| r.get(0),
        )
        .optional()?;
    if let (Some(current), false) = (&current, replace) {
        return Err(DomainError::refused(
            error_type::CART_CONFLICT,
            format!(
                "The customer's cart {current} has items. Replace it (it is kept as a saved cart)?"
            ),
        )
        .with_subject(current.clone()));
    }
    // The customer's active carts (with items or empty) are kept as saved carts: the bound cart
    // is the only active one.
    let mut saved = Vec::new();
    {
        let mut stmt = c.prepare_cached(
            "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' ORDER BY code",
        )?;
        let rows = stmt.query_map(params![customer_id], |r| r.get::<_, String>(0))?;
        for code in rows {
            saved.push(code?);
        }
    }
    c.execute(
        "UPDATE carts SET status = 'saved', saved_at = ?2 WHERE customer_id = ?1 AND status = 'active'",
        params![customer_id, now],
    )?;
    c.execute(
        "UPDATE carts SET customer_id = ?1, status = 'active', modified = ?2 \
         WHERE code = ?3 AND customer_id IS NULL",
        params![customer_id, now, cart_id],
    )?;
    let detail = if saved.is_empty() {
        format!("cart {cart_id}")
    } else {
        format!("cart {cart_id}; saved {}", saved.join(", "))
    };
    let summary = cart_summary(c, cart_id.to_owned(), now)?;
    Ok(Change {
        value: summary,
        detail,
    })
}

/// What the emulation rules need to know of `customer_id` (an agent's id is an agent).
pub fn customer_status(c: &Connection, customer_id: &str) -> DomainResult<Option<CustomerStatus>> {
    let agent = c
        .query_row(
            "SELECT name, email FROM agents WHERE uid = ?1",
            params![customer_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    if let Some((name, email)) = agent {
        return Ok(Some(CustomerStatus {
            name,
            email,
            is_agent: true,
            disabled: false,
            consent: false,
        }));
    }
    Ok(c.query_row(
        "SELECT name, uid, disabled, consent FROM customers WHERE customer_id = ?1",
        params![customer_id],
        |r| {
            Ok(CustomerStatus {
                name: r.get(0)?,
                email: r.get(1)?,
                is_agent: false,
                disabled: r.get(2)?,
                consent: r.get(3)?,
            })
        },
    )
    .optional()?)
}

/// The owner of a cart: `None` no such cart, `Some(None)` anonymous.
pub fn cart_owner(c: &Connection, cart_id: &str) -> DomainResult<Option<Option<String>>> {
    Ok(c.query_row(
        "SELECT customer_id FROM carts WHERE code = ?1",
        params![cart_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// The customer's most recently changed active cart.
pub fn active_cart(c: &Connection, customer_id: &str) -> DomainResult<Option<String>> {
    Ok(c.query_row(
        "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' ORDER BY modified DESC LIMIT 1",
        params![customer_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// How many customers a stored list holds.
pub fn list_members_count(c: &Connection, list_id: &str) -> DomainResult<u64> {
    let n: i64 = c
        .prepare_cached("SELECT COUNT(*) FROM customer_list_members WHERE list_id = ?1")?
        .query_row(params![list_id], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
