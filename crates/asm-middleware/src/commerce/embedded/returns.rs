//! The embedded shop's order cancellations and return requests. The domain checks a request
//! against the order before it gets here (`domain::returns`); each write checks again inside its
//! own transaction what is left of every line, so two agents at once cannot cancel or return
//! more than was ordered.

use super::acting_as::{load_order, next_code, page_of};
use super::pricing::price;
use crate::format::rfc3339;
use crate::ports::{Change, DomainError, DomainResult};
use asm_types::{error_type, EntryQuantity, Order, ReturnEntry, ReturnRequest, ReturnRequestList};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

/// Order statuses in which an order may be cancelled: placed, not yet shipped.
pub const CANCELLABLE_ORDER_STATUSES: [&str; 2] = ["CREATED", "PROCESSING"];

/// The order status in which an order may be returned: delivered.
pub const RETURNABLE_ORDER_STATUS: &str = "COMPLETED";

/// The status of a new return request (SAP's).
pub const NEW_RETURN_STATUS: &str = "APPROVAL_PENDING";

/// The status of a cancelled return request (SAP's spelling).
pub const CANCELED: &str = "CANCELED";

/// Return statuses in which a return request may still be cancelled: asked for, not yet
/// received.
pub const CANCELLABLE_RETURN_STATUSES: [&str; 3] = ["APPROVAL_PENDING", "APPROVING", "WAIT"];

/// First return request number (codes are 8 digits, as carts and orders).
const RETURN_FLOOR: i64 = 50_000_000;

fn order_of(c: &Connection, user: &str, code: &str) -> DomainResult<Order> {
    load_order(c, user, code)?.ok_or_else(|| DomainError::not_found("Order").with_subject("code"))
}

/// Refuses a line whose quantity left changed since the domain looked (another write between).
fn check_left(order: &Order, entries: &[EntryQuantity], cancel: bool) -> DomainResult<()> {
    for input in entries {
        let left = order
            .entries
            .iter()
            .find(|e| e.entry_number == input.order_entry_number)
            .map(|e| {
                if cancel {
                    e.cancellable_quantity
                } else {
                    e.returnable_quantity
                }
            });
        let Some(left) = left else {
            return Err(DomainError::invalid(
                "orderEntryNumber",
                format!(
                    "Order {} has no line {}.",
                    order.code, input.order_entry_number
                ),
            ));
        };
        if input.quantity > left {
            let (kind, what) = if cancel {
                (error_type::CANCELLATION_REFUSED, "cancelled")
            } else {
                (error_type::RETURN_REFUSED, "returned")
            };
            return Err(DomainError::refused(
                kind,
                format!(
                    "Only {left} of line {} can be {what} now, not {}.",
                    input.order_entry_number, input.quantity
                ),
            )
            .with_subject(input.order_entry_number.to_string()));
        }
    }
    Ok(())
}

fn lines_detail(entries: &[EntryQuantity]) -> String {
    entries
        .iter()
        .map(|e| format!("line {} x {}", e.order_entry_number, e.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Cancels lines of an order; the order becomes `CANCELLED` when nothing is left of it.
pub fn cancel_order(
    c: &Connection,
    user: &str,
    code: &str,
    entries: &[EntryQuantity],
    now: i64,
) -> DomainResult<Change<Order>> {
    let order = order_of(c, user, code)?;
    if !order.cancellable {
        return Err(DomainError::refused(
            error_type::CANCELLATION_REFUSED,
            format!("Order {code} can no longer be cancelled."),
        )
        .with_subject("code"));
    }
    check_left(&order, entries, true)?;
    for e in entries {
        c.execute(
            "UPDATE order_entries SET cancelled = cancelled + ?1 WHERE order_code = ?2 AND entry_number = ?3",
            params![e.quantity, code, e.order_entry_number],
        )?;
    }
    let left: i64 = c.query_row(
        "SELECT COALESCE(SUM(quantity - cancelled), 0) FROM order_entries WHERE order_code = ?1",
        params![code],
        |r| r.get(0),
    )?;
    let status = if left == 0 {
        "CANCELLED"
    } else {
        &order.status
    };
    c.execute(
        "UPDATE orders SET status = ?1, updated = ?2 WHERE code = ?3",
        params![status, now, code],
    )?;
    let after = order_of(c, user, code)?;
    let detail = format!(
        "order {code}: cancelled {}{}",
        lines_detail(entries),
        if left == 0 { " (whole order)" } else { "" }
    );
    Ok(Change {
        value: after,
        detail,
    })
}

/// Reads a return request of `user`.
fn load_return(c: &Connection, user: &str, code: &str) -> DomainResult<Option<ReturnRequest>> {
    let head: Option<(String, String, String, Option<String>, i64)> = c
        .query_row(
            "SELECT code, order_code, status, reason, created FROM return_requests \
             WHERE code = ?1 AND customer_id = ?2",
            params![code, user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((code, order_code, status, reason, created)) = head else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT re.entry_number, e.product_code, e.product_name, re.quantity, e.price_cents \
         FROM return_entries re JOIN order_entries e \
           ON e.order_code = ?2 AND e.entry_number = re.entry_number \
         WHERE re.return_code = ?1 ORDER BY re.entry_number",
    )?;
    let return_entries = stmt
        .query_map(params![code, order_code], |r| {
            let quantity: u32 = r.get(3)?;
            let unit: i64 = r.get(4)?;
            Ok(ReturnEntry {
                entry_number: r.get(0)?,
                product_code: r.get(1)?,
                product_name: r.get(2)?,
                expected_quantity: quantity,
                refund_amount: price(unit * i64::from(quantity)),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = return_entries
        .iter()
        .map(|e| e.refund_amount.value_cents)
        .sum();
    Ok(Some(ReturnRequest {
        rma: code.clone(),
        cancellable: CANCELLABLE_RETURN_STATUSES.contains(&status.as_str()),
        code,
        order_code,
        status,
        creation_time: rfc3339(created),
        reason,
        return_entries,
        total_price: price(total),
    }))
}

/// One of the customer's return requests.
pub fn return_request(c: &Connection, user: &str, code: &str) -> DomainResult<ReturnRequest> {
    load_return(c, user, code)?
        .ok_or_else(|| DomainError::not_found("Return request").with_subject("code"))
}

/// A page of the customer's return requests, newest first.
pub fn returns(
    c: &Connection,
    user: &str,
    current_page: u32,
    page_size: u32,
) -> DomainResult<ReturnRequestList> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM return_requests WHERE customer_id = ?1",
        params![user],
        |r| r.get(0),
    )?;
    let total = u64::try_from(total).unwrap_or(0);
    let codes: Vec<String> = c
        .prepare_cached(
            "SELECT code FROM return_requests WHERE customer_id = ?1 \
             ORDER BY created DESC, code DESC LIMIT ?2 OFFSET ?3",
        )?
        .query_map(
            params![
                user,
                i64::from(page_size),
                i64::from(current_page) * i64::from(page_size)
            ],
            |r| r.get(0),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let mut return_requests = Vec::with_capacity(codes.len());
    for code in codes {
        if let Some(r) = load_return(c, user, &code)? {
            return_requests.push(r);
        }
    }
    Ok(ReturnRequestList {
        return_requests,
        pagination: page_of(current_page, page_size, total),
    })
}

/// Asks to return lines of a delivered order.
pub fn create_return(
    c: &Connection,
    user: &str,
    order_code: &str,
    entries: &[EntryQuantity],
    reason: &str,
    agent: &str,
    now: i64,
) -> DomainResult<Change<ReturnRequest>> {
    let order = order_of(c, user, order_code)?;
    if !order.returnable {
        return Err(DomainError::refused(
            error_type::RETURN_REFUSED,
            format!("Order {order_code} cannot be returned."),
        )
        .with_subject("orderCode"));
    }
    check_left(&order, entries, false)?;
    let code = next_code(c, "return_requests", RETURN_FLOOR)?;
    c.execute(
        "INSERT INTO return_requests (code, order_code, customer_id, status, reason, created, updated, created_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        params![code, order_code, user, NEW_RETURN_STATUS, reason, now, agent],
    )?;
    for e in entries {
        c.execute(
            "INSERT INTO return_entries (return_code, entry_number, quantity) VALUES (?1, ?2, ?3)",
            params![code, e.order_entry_number, e.quantity],
        )?;
    }
    let value = return_request(c, user, &code)?;
    let detail = format!(
        "return {code} of order {order_code}: {} (reason: {reason})",
        lines_detail(entries)
    );
    Ok(Change { value, detail })
}

/// Cancels a return request not yet received.
pub fn cancel_return(
    c: &Connection,
    user: &str,
    code: &str,
    now: i64,
) -> DomainResult<Change<ReturnRequest>> {
    let r = return_request(c, user, code)?;
    if !r.cancellable {
        return Err(DomainError::refused(
            error_type::CANCEL_RETURN_REFUSED,
            format!(
                "Return request {code} can no longer be cancelled: it is {}.",
                r.status.replace('_', " ").to_lowercase()
            ),
        )
        .with_subject("code"));
    }
    c.execute(
        "UPDATE return_requests SET status = ?1, updated = ?2 WHERE code = ?3",
        params![CANCELED, now, code],
    )?;
    let value = return_request(c, user, code)?;
    let detail = format!("return {code} of order {} cancelled", value.order_code);
    Ok(Change { value, detail })
}
