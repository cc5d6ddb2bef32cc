//! Support tickets and product reviews written while an agent emulates a customer, in SAP OCC's
//! shapes (customerticketingocc's `TicketDetails`/`TicketEvent`, the products controller's
//! `Review`), each marked with whether an agent added it.

use serde::{Deserialize, Serialize};

/// A ticket status or category: SAP's `{id, name}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketCode {
    /// Stable id, e.g. `OPEN`, `INPROCESS`, `CLOSED`, or a category such as `COMPLAINT`.
    pub id: String,
    /// Display name, e.g. `Open`, `Complaint`.
    pub name: String,
}

/// What a ticket is about: one of the customer's orders or carts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketAssociatedObject {
    /// The order's or cart's code.
    #[cfg_attr(feature = "openapi", schema(example = "00001000"))]
    pub code: String,
    /// `Order`, `Cart` or `SavedCart`.
    #[cfg_attr(feature = "openapi", schema(example = "Order"))]
    #[serde(rename = "type")]
    pub kind: String,
}

/// One message of a ticket (SAP's `TicketEvent`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketEvent {
    /// Event code.
    pub code: String,
    /// Who wrote it: the customer's name (or the agent's, when the backend says so).
    pub author: String,
    /// When it was written, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// The message.
    pub message: String,
    /// The status the ticket moved to with this message, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_status: Option<TicketCode>,
    /// Whether an agent wrote it while emulating the customer.
    #[serde(default)]
    pub added_by_agent: bool,
}

/// A support ticket with its messages (SAP's `TicketDetails`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    /// Ticket id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Category.
    pub ticket_category: TicketCode,
    /// Status: `OPEN`, `INPROCESS` or `CLOSED`.
    pub status: TicketCode,
    /// The statuses a new message may move it to (empty once closed).
    pub available_status_transitions: Vec<TicketCode>,
    /// The order or cart it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_to: Option<TicketAssociatedObject>,
    /// Opened, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// Last change, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub modified_at: String,
    /// Whether an agent opened it while emulating the customer.
    #[serde(default)]
    pub added_by_agent: bool,
    /// Messages, oldest first (empty in lists).
    #[serde(default)]
    pub ticket_events: Vec<TicketEvent>,
}

/// A page of a customer's tickets, most recently changed first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketList {
    /// Tickets on this page (without their messages).
    pub tickets: Vec<Ticket>,
    /// Paging.
    pub pagination: crate::Pagination,
}

/// The categories a new ticket may have.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketCategoryList {
    /// Categories.
    pub ticket_categories: Vec<TicketCode>,
}

/// Opens a ticket (SAP's `TicketStarter`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketStarter {
    /// Subject, 1–255 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub subject: String,
    /// First message, 1–5,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub message: String,
    /// One of `GET /ticketCategories` (only `id` is read).
    pub ticket_category: TicketCategoryRef,
    /// One of the customer's orders or carts, if the ticket is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_to: Option<TicketAssociatedObject>,
}

/// A category named by its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketCategoryRef {
    /// Category id, e.g. `ENQUIRY`.
    #[cfg_attr(feature = "openapi", schema(example = "ENQUIRY"))]
    pub id: String,
}

/// Adds a message to a ticket, optionally moving it to another status (SAP's `TicketEvent`
/// input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketEventInput {
    /// The message, 1–5,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub message: String,
    /// One of the ticket's `availableStatusTransitions` (e.g. `CLOSED`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_status: Option<TicketCategoryRef>,
}

/// A product review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Review id.
    pub id: String,
    /// Product code.
    pub product_code: String,
    /// Stars, 1–5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub rating: u8,
    /// Headline.
    pub headline: String,
    /// Text.
    pub comment: String,
    /// The name shown with it.
    pub alias: String,
    /// Written, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub date: String,
    /// Whether an agent wrote it while emulating the customer.
    #[serde(default)]
    pub added_by_agent: bool,
}

/// A product's reviews, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReviewList {
    /// Reviews.
    pub reviews: Vec<Review>,
}

/// Writes a product review as the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReviewInput {
    /// Stars, 1–5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub rating: u8,
    /// Headline, 1–255 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub headline: String,
    /// Text, 1–5,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub comment: String,
}
