//! The embedded shop's support tickets (with their messages) and product reviews, in SAP's
//! shapes. The domain checks a request before it gets here (`domain::support`); each write
//! checks the ticket's status again inside its own transaction.

use super::acting_as::{load_order, page_of};
use crate::format::rfc3339;
use crate::ports::{Change, DomainError, DomainResult, NewTicket, NewTicketEvent};
use asm_types::{
    Review, ReviewInput, ReviewList, Ticket, TicketAssociatedObject, TicketCategoryList,
    TicketCode, TicketEvent, TicketList,
};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

/// Ticket categories: id and the name stored with a ticket.
pub const CATEGORIES: [(&str, &str); 4] = [
    ("ENQUIRY", "Enquiry"),
    ("COMPLAINT", "Complaint"),
    ("DELIVERY", "Delivery"),
    ("PAYMENT", "Payment"),
];

/// First number of the tickets opened here (the seeded ones sit below it).
const TICKET_FLOOR: i64 = 60_000_000;

/// Most reviews of one product listed.
const MAX_REVIEWS: i64 = 100;

fn status(id: &str) -> TicketCode {
    let name = match id {
        "OPEN" => "Open",
        "INPROCESS" => "In process",
        "CLOSED" => "Closed",
        other => other,
    };
    TicketCode {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

fn category(name: &str) -> TicketCode {
    let id = CATEGORIES
        .iter()
        .find(|(_, n)| *n == name)
        .map_or_else(|| name.to_uppercase(), |(id, _)| (*id).to_owned());
    TicketCode {
        id,
        name: name.to_owned(),
    }
}

const SELECT_TICKET: &str = "SELECT id, subject, category, status, created, updated, \
     added_by IS NOT NULL, associated_code, associated_type FROM tickets";

fn ticket_from_row(r: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<Ticket> {
    let status_id: String = r.get(3)?;
    let associated_to = match (
        r.get::<_, Option<String>>(7)?,
        r.get::<_, Option<String>>(8)?,
    ) {
        (Some(code), Some(kind)) => Some(TicketAssociatedObject { code, kind }),
        _ => None,
    };
    Ok(Ticket {
        id: r.get(0)?,
        subject: r.get(1)?,
        ticket_category: category(&r.get::<_, String>(2)?),
        available_status_transitions: if status_id == "CLOSED" {
            vec![]
        } else {
            vec![status("CLOSED")]
        },
        status: status(&status_id),
        associated_to,
        created_at: rfc3339(r.get(4)?),
        modified_at: rfc3339(r.get(5)?),
        added_by_agent: r.get(6)?,
        ticket_events: vec![],
    })
}

fn event_from_row(r: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<TicketEvent> {
    Ok(TicketEvent {
        code: format!("{:06}CI", r.get::<_, i64>(0)?),
        author: r.get(1)?,
        message: r.get(2)?,
        to_status: r.get::<_, Option<String>>(3)?.map(|s| status(&s)),
        created_at: rfc3339(r.get(4)?),
        added_by_agent: r.get(5)?,
    })
}

/// A page of the customer's tickets, most recently changed first.
pub fn tickets(
    c: &Connection,
    user: &str,
    current_page: u32,
    page_size: u32,
) -> DomainResult<TicketList> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM tickets WHERE customer_id = ?1",
        params![user],
        |r| r.get(0),
    )?;
    let total = u64::try_from(total).unwrap_or(0);
    let tickets = c
        .prepare_cached(&format!(
            "{SELECT_TICKET} WHERE customer_id = ?1 ORDER BY updated DESC, id DESC LIMIT ?2 OFFSET ?3"
        ))?
        .query_map(
            params![
                user,
                i64::from(page_size),
                i64::from(current_page) * i64::from(page_size)
            ],
            ticket_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TicketList {
        tickets,
        pagination: page_of(current_page, page_size, total),
    })
}

/// One of the customer's tickets with its messages, oldest first.
pub fn ticket(c: &Connection, user: &str, id: &str) -> DomainResult<Ticket> {
    let found = c
        .prepare_cached(&format!(
            "{SELECT_TICKET} WHERE id = ?1 AND customer_id = ?2"
        ))?
        .query_row(params![id, user], ticket_from_row)
        .optional()?;
    let Some(mut ticket) = found else {
        return Err(DomainError::refused(
            asm_types::error_type::NOT_FOUND,
            format!("Ticket not found for the given ID {id}"),
        )
        .with_subject("ticketId"));
    };
    ticket.ticket_events = c
        .prepare_cached(
            "SELECT id, author, message, to_status, created, added_by IS NOT NULL \
             FROM ticket_events WHERE ticket_id = ?1 ORDER BY id",
        )?
        .query_map(params![ticket.id], event_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ticket)
}

/// The categories a new ticket may have.
pub fn categories() -> TicketCategoryList {
    TicketCategoryList {
        ticket_categories: CATEGORIES
            .iter()
            .map(|(id, name)| TicketCode {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect(),
    }
}

fn customer_name(c: &Connection, user: &str) -> DomainResult<String> {
    c.query_row(
        "SELECT name FROM customers WHERE customer_id = ?1",
        params![user],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| DomainError::not_found("Customer"))
}

/// Checks that what a ticket is about is one of the customer's orders or carts.
fn check_associated(c: &Connection, user: &str, a: &TicketAssociatedObject) -> DomainResult<()> {
    let ok = if a.kind == "Order" {
        load_order(c, user, &a.code)?.is_some()
    } else {
        c.query_row(
            "SELECT 1 FROM carts WHERE code = ?1 AND customer_id = ?2",
            params![a.code, user],
            |_| Ok(()),
        )
        .optional()?
        .is_some()
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "associatedTo",
            format!("The customer has no {} {}.", a.kind, a.code),
        ))
    }
}

/// Opens a ticket with its first message, written by `agent`.
pub fn create_ticket(
    c: &Connection,
    user: &str,
    new: &NewTicket,
    agent: &str,
    now: i64,
) -> DomainResult<Change<Ticket>> {
    let Some((_, category_name)) = CATEGORIES.iter().find(|(id, _)| *id == new.category) else {
        return Err(DomainError::invalid(
            "ticketCategory",
            format!("No ticket category {}.", new.category),
        ));
    };
    let author = customer_name(c, user)?;
    if let Some(a) = &new.associated_to {
        check_associated(c, user, a)?;
    }
    let largest: Option<i64> = c
        .query_row(
            "SELECT CAST(id AS INTEGER) FROM tickets ORDER BY CAST(id AS INTEGER) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let id = format!("{:08}", largest.unwrap_or(0).max(TICKET_FLOOR) + 1);
    c.execute(
        "INSERT INTO tickets (id, customer_id, subject, category, status, created, updated, \
         added_by, associated_code, associated_type) \
         VALUES (?1, ?2, ?3, ?4, 'OPEN', ?5, ?5, ?6, ?7, ?8)",
        params![
            id,
            user,
            new.subject,
            category_name,
            now,
            agent,
            new.associated_to.as_ref().map(|a| &a.code),
            new.associated_to.as_ref().map(|a| &a.kind),
        ],
    )?;
    c.execute(
        "INSERT INTO ticket_events (ticket_id, author, message, created, added_by) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, author, new.message, now, agent],
    )?;
    let value = ticket(c, user, &id)?;
    let about = new
        .associated_to
        .as_ref()
        .map(|a| format!(", about {} {}", a.kind, a.code))
        .unwrap_or_default();
    Ok(Change {
        detail: format!("ticket {id}: opened ({}){about}", new.category),
        value,
    })
}

/// Adds a message to one of the customer's tickets, moving it to `to_status` if given.
pub fn add_event(
    c: &Connection,
    user: &str,
    id: &str,
    event: &NewTicketEvent,
    agent: &str,
    now: i64,
) -> DomainResult<Change<TicketEvent>> {
    // The domain checked the change against what it read; a ticket closed since is refused
    // here, in the write's transaction.
    let before = ticket(c, user, id)?;
    if before.available_status_transitions.is_empty() {
        return Err(DomainError::invalid(
            "toStatus",
            format!("Ticket {id} is closed: open a new one."),
        ));
    }
    let author = customer_name(c, user)?;
    c.execute(
        "INSERT INTO ticket_events (ticket_id, author, message, to_status, created, added_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, author, event.message, event.to_status, now, agent],
    )?;
    let event_id = c.last_insert_rowid();
    c.execute(
        "UPDATE tickets SET updated = ?1, status = COALESCE(?2, status) WHERE id = ?3",
        params![now, event.to_status, id],
    )?;
    let value = c.query_row(
        "SELECT id, author, message, to_status, created, added_by IS NOT NULL \
         FROM ticket_events WHERE id = ?1",
        params![event_id],
        event_from_row,
    )?;
    let detail = match &event.to_status {
        Some(to) => format!("ticket {id}: message added, status {to}"),
        None => format!("ticket {id}: message added"),
    };
    Ok(Change { value, detail })
}

fn review_from_row(r: &Row<'_>) -> r2d2_sqlite::rusqlite::Result<Review> {
    Ok(Review {
        id: r.get::<_, i64>(0)?.to_string(),
        product_code: r.get(1)?,
        rating: r.get(2)?,
        headline: r.get(3)?,
        comment: r.get(4)?,
        date: rfc3339(r.get(5)?),
        alias: r.get(6)?,
        added_by_agent: r.get(7)?,
    })
}

const SELECT_REVIEW: &str = "SELECT r.id, r.product_code, r.rating, r.headline, r.comment, \
     r.created, c.name, r.added_by IS NOT NULL FROM reviews r \
     JOIN customers c ON c.customer_id = r.customer_id";

fn product_exists(c: &Connection, product: &str) -> DomainResult<()> {
    c.query_row(
        "SELECT 1 FROM products WHERE code = ?1",
        params![product],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(|| DomainError::not_found("Product").with_subject("productCode"))
}

/// A product's reviews, newest first (at most 100).
pub fn reviews(c: &Connection, product: &str) -> DomainResult<ReviewList> {
    product_exists(c, product)?;
    let reviews = c
        .prepare_cached(&format!(
            "{SELECT_REVIEW} WHERE r.product_code = ?1 ORDER BY r.created DESC, r.id DESC LIMIT ?2"
        ))?
        .query_map(params![product, MAX_REVIEWS], review_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReviewList { reviews })
}

/// Writes a review of `product` as the customer, by `agent`.
pub fn create_review(
    c: &Connection,
    user: &str,
    product: &str,
    review: &ReviewInput,
    agent: &str,
    now: i64,
) -> DomainResult<Change<Review>> {
    product_exists(c, product)?;
    customer_name(c, user)?;
    c.execute(
        "INSERT INTO reviews (customer_id, product_code, rating, headline, comment, created, added_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            user,
            product,
            review.rating,
            review.headline,
            review.comment,
            now,
            agent
        ],
    )?;
    let id = c.last_insert_rowid();
    let value = c.query_row(
        &format!("{SELECT_REVIEW} WHERE r.id = ?1"),
        params![id],
        review_from_row,
    )?;
    Ok(Change {
        detail: format!("review of {product}: {} stars", review.rating),
        value,
    })
}
