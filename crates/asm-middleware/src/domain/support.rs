//! The rules of support tickets and product reviews written as the emulated customer: what a
//! new ticket, a ticket message and a review must hold, and which status a message may move a
//! ticket to. Checked before the backend is asked, so both backends refuse alike.

use super::customer::has_bidi_control;
use crate::ports::commerce::{NewTicket, NewTicketEvent};
use crate::ports::{DomainError, DomainResult};
use asm_types::{ReviewInput, Ticket, TicketAssociatedObject, TicketEventInput, TicketStarter};

/// Longest ticket subject or review headline, in characters.
pub const MAX_TITLE_CHARS: usize = 255;

/// Longest ticket message or review text, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;

/// The kinds of thing a ticket may be about.
pub const ASSOCIATED_KINDS: [&str; 3] = ["Order", "Cart", "SavedCart"];

/// A single-line text (subject, headline): trimmed, 1..=[`MAX_TITLE_CHARS`], no control or
/// bidirectional control characters.
pub(crate) fn title(field: &str, value: &str, what: &str) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, format!("Enter {what}.")));
    }
    if value.chars().count() > MAX_TITLE_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("At most {MAX_TITLE_CHARS} characters."),
        ));
    }
    if value.chars().any(char::is_control) || has_bidi_control(value) {
        return Err(DomainError::invalid(
            field,
            "Enter it without control characters.",
        ));
    }
    Ok(value.to_owned())
}

/// A text of several lines (message, review): trimmed, 1..=[`MAX_TEXT_CHARS`], line breaks and
/// tabs allowed, no other control or bidirectional control characters.
pub(crate) fn text(field: &str, value: &str, what: &str) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, format!("Enter {what}.")));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("At most {MAX_TEXT_CHARS} characters."),
        ));
    }
    let bad = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(bad) || has_bidi_control(value) {
        return Err(DomainError::invalid(
            field,
            "Enter it without control characters.",
        ));
    }
    Ok(value.to_owned())
}

/// Checks a new ticket's fields (the category against the backend's list is the backend's).
pub fn checked_ticket(req: &TicketStarter) -> DomainResult<NewTicket> {
    let subject = title("subject", &req.subject, "a subject")?;
    let message = text("message", &req.message, "a message")?;
    let category = req.ticket_category.id.trim();
    if category.is_empty() || category.len() > 64 {
        return Err(DomainError::invalid("ticketCategory", "Choose a category."));
    }
    let associated_to = match &req.associated_to {
        None => None,
        Some(a) => {
            let code = a.code.trim();
            if code.is_empty() || code.len() > 64 || !ASSOCIATED_KINDS.contains(&a.kind.as_str()) {
                return Err(DomainError::invalid(
                    "associatedTo",
                    "Name one of the customer's orders or carts (type Order, Cart or SavedCart).",
                ));
            }
            Some(TicketAssociatedObject {
                code: code.to_owned(),
                kind: a.kind.clone(),
            })
        }
    };
    Ok(NewTicket {
        subject,
        message,
        category: category.to_owned(),
        associated_to,
    })
}

/// Checks a ticket message's fields.
pub fn checked_event(req: &TicketEventInput) -> DomainResult<NewTicketEvent> {
    Ok(NewTicketEvent {
        message: text("message", &req.message, "a message")?,
        to_status: req
            .to_status
            .as_ref()
            .map(|s| s.id.trim().to_owned())
            .filter(|s| !s.is_empty()),
    })
}

/// A message may move the ticket only to one of its `availableStatusTransitions`; a closed
/// ticket takes no message at all (SAP: "Unable to change ticket status…").
pub fn check_transition(ticket: &Ticket, event: &NewTicketEvent) -> DomainResult<()> {
    if ticket.status.id == "CLOSED" {
        return Err(DomainError::invalid(
            "toStatus",
            format!("Ticket {} is closed: open a new one.", ticket.id),
        ));
    }
    if let Some(to) = &event.to_status {
        if !ticket
            .available_status_transitions
            .iter()
            .any(|t| &t.id == to)
        {
            return Err(DomainError::invalid(
                "toStatus",
                format!(
                    "Unable to change ticket status to {to} for the ticket {}.",
                    ticket.id
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a review's fields: 1..=5 stars, a headline and a text.
pub fn checked_review(req: &ReviewInput) -> DomainResult<ReviewInput> {
    if !(1..=5).contains(&req.rating) {
        return Err(DomainError::invalid("rating", "Give 1 to 5 stars."));
    }
    Ok(ReviewInput {
        rating: req.rating,
        headline: title("headline", &req.headline, "a headline")?,
        comment: text("comment", &req.comment, "the review")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use asm_types::{TicketCategoryRef, TicketCode};

    fn starter(subject: &str, message: &str) -> TicketStarter {
        TicketStarter {
            subject: subject.into(),
            message: message.into(),
            ticket_category: TicketCategoryRef {
                id: "ENQUIRY".into(),
            },
            associated_to: None,
        }
    }

    fn subject_of(e: DomainError) -> Option<String> {
        match e {
            DomainError::Refused { subject, .. } => subject,
            _ => None,
        }
    }

    #[test]
    fn a_ticket_needs_subject_message_and_category() {
        let ok = checked_ticket(&starter("  Broken lens ", " It cracked.\nTwice. ")).expect("ok");
        assert_eq!(ok.subject, "Broken lens");
        assert_eq!(ok.message, "It cracked.\nTwice.");
        let e = checked_ticket(&starter("  ", "x")).expect_err("no subject");
        assert_eq!(subject_of(e).as_deref(), Some("subject"));
        let e = checked_ticket(&starter("s", " ")).expect_err("no message");
        assert_eq!(subject_of(e).as_deref(), Some("message"));
        let mut no_cat = starter("s", "m");
        no_cat.ticket_category.id = " ".into();
        let e = checked_ticket(&no_cat).expect_err("no category");
        assert_eq!(subject_of(e).as_deref(), Some("ticketCategory"));
    }

    #[test]
    fn lengths_and_control_characters_are_refused() {
        let long = "x".repeat(MAX_TITLE_CHARS + 1);
        assert!(checked_ticket(&starter(&long, "m")).is_err());
        assert!(checked_ticket(&starter(&"é".repeat(MAX_TITLE_CHARS), "m")).is_ok());
        assert!(checked_ticket(&starter("s", &"x".repeat(MAX_TEXT_CHARS + 1))).is_err());
        assert!(checked_ticket(&starter("a\u{7}b", "m")).is_err());
        assert!(checked_ticket(&starter("Rtl\u{202E}gnp.exe", "m")).is_err());
        assert!(checked_ticket(&starter("s", "one\u{0}two")).is_err());
        assert!(checked_ticket(&starter("s", "تم الشحن\tok\r\n")).is_ok());
    }

    #[test]
    fn associated_objects_are_orders_or_carts() {
        let mut t = starter("s", "m");
        t.associated_to = Some(TicketAssociatedObject {
            code: "00001000".into(),
            kind: "Order".into(),
        });
        assert!(checked_ticket(&t).is_ok());
        t.associated_to = Some(TicketAssociatedObject {
            code: "00001000".into(),
            kind: "Invoice".into(),
        });
        let e = checked_ticket(&t).expect_err("kind");
        assert_eq!(subject_of(e).as_deref(), Some("associatedTo"));
    }

    fn ticket(status: &str) -> Ticket {
        let code = |id: &str| TicketCode {
            id: id.into(),
            name: id.into(),
        };
        Ticket {
            id: "00050001".into(),
            subject: "s".into(),
            ticket_category: code("ENQUIRY"),
            status: code(status),
            available_status_transitions: if status == "CLOSED" {
                vec![]
            } else {
                vec![code("CLOSED")]
            },
            associated_to: None,
            created_at: String::new(),
            modified_at: String::new(),
            added_by_agent: false,
            ticket_events: vec![],
        }
    }

    #[test]
    fn messages_move_a_ticket_only_along_its_transitions() {
        let close = NewTicketEvent {
            message: "m".into(),
            to_status: Some("CLOSED".into()),
        };
        let plain = NewTicketEvent {
            message: "m".into(),
            to_status: None,
        };
        let reopen = NewTicketEvent {
            message: "m".into(),
            to_status: Some("OPEN".into()),
        };
        assert!(check_transition(&ticket("OPEN"), &close).is_ok());
        assert!(check_transition(&ticket("INPROCESS"), &plain).is_ok());
        assert!(check_transition(&ticket("OPEN"), &reopen).is_err());
        assert!(check_transition(&ticket("CLOSED"), &plain).is_err());
    }

    #[test]
    fn reviews_need_stars_headline_and_text() {
        let r = |rating, h: &str, c: &str| ReviewInput {
            rating,
            headline: h.into(),
            comment: c.into(),
        };
        assert_eq!(
            checked_review(&r(5, " Great ", " Sharp. ")).expect("ok"),
            r(5, "Great", "Sharp.")
        );
        for (bad, field) in [
            (r(0, "h", "c"), "rating"),
            (r(6, "h", "c"), "rating"),
            (r(3, "", "c"), "headline"),
            (r(3, "h", "  "), "comment"),
        ] {
            let e = checked_review(&bad).expect_err("refused");
            assert_eq!(subject_of(e).as_deref(), Some(field));
        }
    }
}
