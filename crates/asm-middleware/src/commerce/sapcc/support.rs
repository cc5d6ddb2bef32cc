//! SAP's support tickets (customerticketingocc, SAP-CONTRACT.md §4.9) and product reviews
//! (§4.10) as they come, read leniently, and their mapping to our wire types. In the version the
//! contract read, opening a ticket and adding a message are for the customer's own token only:
//! SAP's 403 to the agent becomes [`customer_only`]'s clear refusal.

use super::wire::{date, SapPagination};
use crate::ports::DomainError;
use asm_types::{
    error_type, Review, ReviewList, Ticket, TicketAssociatedObject, TicketCategoryList, TicketCode,
    TicketEvent, TicketList,
};
use serde::Deserialize;
use serde_json::Value;

/// `{id, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapCode {
    pub id: String,
    pub name: Option<String>,
}

impl SapCode {
    fn ours(&self) -> TicketCode {
        TicketCode {
            id: self.id.clone(),
            name: self.name.clone().unwrap_or_else(|| self.id.clone()),
        }
    }
}

/// `TicketEvent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapTicketEvent {
    pub code: String,
    pub author: String,
    pub created_at: Option<String>,
    pub message: String,
    pub to_status: Option<SapCode>,
    pub added_by_agent: Option<bool>,
}

impl SapTicketEvent {
    /// Ours.
    pub fn ours(&self) -> TicketEvent {
        TicketEvent {
            code: self.code.clone(),
            author: self.author.clone(),
            created_at: self.created_at.as_deref().map(date).unwrap_or_default(),
            message: self.message.clone(),
            to_status: self.to_status.as_ref().map(SapCode::ours),
            added_by_agent: self.added_by_agent.unwrap_or(false),
        }
    }
}

/// `{code, type, modifiedAt}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapAssociated {
    pub code: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `TicketDetails`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapTicket {
    pub id: String,
    pub subject: String,
    pub created_at: Option<String>,
    pub modified_at: Option<String>,
    pub status: Option<SapCode>,
    pub ticket_category: Option<SapCode>,
    pub associated_to: Option<SapAssociated>,
    pub available_status_transitions: Vec<SapCode>,
    pub ticket_events: Vec<SapTicketEvent>,
}

impl SapTicket {
    /// Ours: messages oldest first (SAP's order varies; Spartacus reverses what it gets).
    pub fn ours(&self) -> Ticket {
        let mut events: Vec<TicketEvent> = self
            .ticket_events
            .iter()
            .map(SapTicketEvent::ours)
            .collect();
        events.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ticket {
            id: self.id.clone(),
            subject: self.subject.clone(),
            ticket_category: self
                .ticket_category
                .as_ref()
                .map(SapCode::ours)
                .unwrap_or_else(|| code("", "")),
            status: self
                .status
                .as_ref()
                .map(SapCode::ours)
                .unwrap_or_else(|| code("", "")),
            available_status_transitions: self
                .available_status_transitions
                .iter()
                .map(SapCode::ours)
                .collect(),
            associated_to: self
                .associated_to
                .as_ref()
                .filter(|a| !a.code.is_empty())
                .map(|a| TicketAssociatedObject {
                    code: a.code.clone(),
                    kind: a.kind.clone(),
                }),
            created_at: self.created_at.as_deref().map(date).unwrap_or_default(),
            modified_at: self.modified_at.as_deref().map(date).unwrap_or_default(),
            added_by_agent: self
                .ticket_events
                .first()
                .and_then(|e| e.added_by_agent)
                .unwrap_or(false),
            ticket_events: events,
        }
    }
}

fn code(id: &str, name: &str) -> TicketCode {
    TicketCode {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}

/// `TicketList`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapTicketList {
    pub tickets: Vec<SapTicket>,
    pub pagination: SapPagination,
}

impl SapTicketList {
    /// Ours, without the messages.
    pub fn ours(&self) -> TicketList {
        TicketList {
            tickets: self
                .tickets
                .iter()
                .map(|t| Ticket {
                    ticket_events: vec![],
                    ..t.ours()
                })
                .collect(),
            pagination: self.pagination.ours(),
        }
    }
}

/// `TicketCategoryList`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapCategories {
    pub ticket_categories: Vec<SapCode>,
}

impl SapCategories {
    /// Ours.
    pub fn ours(&self) -> TicketCategoryList {
        TicketCategoryList {
            ticket_categories: self.ticket_categories.iter().map(SapCode::ours).collect(),
        }
    }
}

/// `Review`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapReview {
    pub id: Option<Value>,
    pub headline: String,
    pub comment: String,
    pub rating: Option<Value>,
    pub date: Option<String>,
    pub alias: Option<String>,
    pub principal: Option<SapPrincipal>,
}

/// `{uid, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapPrincipal {
    pub uid: String,
    pub name: Option<String>,
}

impl SapReview {
    /// Ours (SAP does not say whether an agent wrote it).
    pub fn ours(&self, product: &str) -> Review {
        let rating = match &self.rating {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            Some(Value::String(s)) => s.parse().unwrap_or(0.0),
            _ => 0.0,
        };
        let id = match &self.id {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        Review {
            id,
            product_code: product.to_owned(),
            rating: rating.round().clamp(0.0, 5.0) as u8,
            headline: self.headline.clone(),
            comment: self.comment.clone(),
            alias: self
                .alias
                .clone()
                .filter(|a| !a.is_empty())
                .or_else(|| self.principal.as_ref().and_then(|p| p.name.clone()))
                .unwrap_or_else(|| "Anonymous".to_owned()),
            date: self.date.as_deref().map(date).unwrap_or_default(),
            added_by_agent: false,
        }
    }
}

/// `ReviewList`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapReviewList {
    pub reviews: Vec<SapReview>,
}

impl SapReviewList {
    /// Ours (a missing list is empty).
    pub fn ours(&self, product: &str) -> ReviewList {
        ReviewList {
            reviews: self.reviews.iter().map(|r| r.ours(product)).collect(),
        }
    }
}

/// What SAP's 403 to the agent's token means on a ticket write: only the customer may.
pub fn customer_only(e: DomainError, what: &str) -> DomainError {
    if e.kind() == error_type::FORBIDDEN {
        DomainError::refused(
            error_type::FORBIDDEN,
            format!(
                "SAP Commerce lets only the customer {what}: an agent's sign-in is refused. \
                 Ask the customer to do it in their account, or note it in the call record."
            ),
        )
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_read_leniently_and_sort_messages_oldest_first() {
        let t: SapTicket = serde_json::from_value(serde_json::json!({
            "id": "00000001", "subject": "Scratched",
            "status": { "id": "OPEN" },
            "ticketCategory": { "id": "COMPLAINT", "name": "Complaint" },
            "availableStatusTransitions": [{ "id": "CLOSED", "name": "Closed" }],
            "ticketEvents": [
                { "code": "2", "author": "Linda", "createdAt": "2026-06-02T10:00:00+0000", "message": "later", "addedByAgent": true },
                { "code": "1", "author": "Linda", "createdAt": "2026-06-01T10:00:00+0000", "message": "first" }
            ]
        }))
        .expect("reads");
        let ours = t.ours();
        assert_eq!(ours.status.name, "OPEN");
        assert_eq!(ours.ticket_category.name, "Complaint");
        assert_eq!(ours.ticket_events[0].message, "first");
        assert!(ours.ticket_events[1].added_by_agent);
        assert!(ours.created_at.is_empty());
        let empty: SapTicket = serde_json::from_value(serde_json::json!({})).expect("reads");
        assert!(empty.ours().available_status_transitions.is_empty());
    }

    #[test]
    fn reviews_take_string_or_number_ratings_and_fall_back_to_the_principal() {
        let r: SapReviewList = serde_json::from_value(serde_json::json!({ "reviews": [
            { "id": 7, "headline": "h", "comment": "c", "rating": "4.0", "principal": { "uid": "u", "name": "Linda" } },
            { "headline": "h", "comment": "c", "rating": 9, "alias": "" }
        ]}))
        .expect("reads");
        let ours = r.ours("300938");
        assert_eq!(ours.reviews[0].rating, 4);
        assert_eq!(ours.reviews[0].id, "7");
        assert_eq!(ours.reviews[0].alias, "Linda");
        assert_eq!(ours.reviews[1].rating, 5);
        assert_eq!(ours.reviews[1].alias, "Anonymous");
    }

    #[test]
    fn a_forbidden_ticket_write_says_only_the_customer_may() {
        let e = customer_only(
            DomainError::refused(error_type::FORBIDDEN, "Access is denied"),
            "open support tickets",
        );
        assert_eq!(e.kind(), error_type::FORBIDDEN);
        assert!(format!("{e:?}").contains("only the customer open support tickets"));
        let other = customer_only(DomainError::invalid("subject", "x"), "open");
        assert_eq!(other.kind(), error_type::VALIDATION);
    }
}
