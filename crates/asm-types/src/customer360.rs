//! Customer 360 as fragments: `POST /customers/{customerId}/customer360`.
//!
//! Modelled on SAP's `POST /{baseSite}/users/{userId}/customer360`: the client asks for a list
//! of fragments (`{"queries": [{"type": "overview"}, {"type": "activity", "listSize": 5}]}`)
//! and gets one answer per query, in order (`{"fragments": [...]}`). Each answer is either
//! `{"type", "data": {...}}` ([`C360FragmentData`], tagged by `type`) or
//! `{"type", "error": ApiError}` ([`C360FragmentError`]): one fragment failing does not fail
//! the others.
//!
//! Fragment types (camelCase; SAP's names in brackets): `overview` (c360Overview), `profile`
//! (c360CustomerProfile), `activity` (c360ActivityList), `feedback` (c360TicketList +
//! c360ReviewList), `storeLocations` (c360StoreLocation), `promotions` (c360CouponList +
//! c360PromotionList + c360CustomerCouponList), `cart` (c360Cart), `savedCart`
//! (c360SavedCart), `productInterests` (c360CustomerProductInterestList).
//!
//! Money is sent both formatted and as integer cents with its currency ([`C360Money`]), so the
//! overlay can format it for the browser's locale. Dates are RFC 3339 (UTC).

use crate::ApiError;
use serde::{Deserialize, Serialize};

/// Most queries one request may carry.
pub const C360_MAX_QUERIES: usize = 12;
/// Default `listSize` of the list fragments.
pub const C360_DEFAULT_LIST_SIZE: u32 = 50;
/// Largest `listSize` a query may ask for.
pub const C360_MAX_LIST_SIZE: u32 = 500;

/// The kinds of customer 360 fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Customer360FragmentType {
    /// Header: name, e-mail, town, sign-up date, active cart, latest order, latest open ticket.
    Overview,
    /// Billing and delivery address, phones, saved payment cards (masked).
    Profile,
    /// Carts, orders and tickets in one list, most recently updated first (`listSize`).
    Activity,
    /// Support tickets and product reviews (`listSize` per list).
    Feedback,
    /// Stores in the customer's town, then elsewhere in their country (`listSize`).
    StoreLocations,
    /// Cart vouchers, order promotions and customer coupons, with what applies.
    Promotions,
    /// The active cart with its lines.
    Cart,
    /// The most recently saved cart with its lines.
    SavedCart,
    /// Products the customer asked to hear about (`listSize`).
    ProductInterests,
}

impl Customer360FragmentType {
    /// Every fragment type, in documentation order.
    pub const ALL: [Self; 9] = [
        Self::Overview,
        Self::Profile,
        Self::Activity,
        Self::Feedback,
        Self::StoreLocations,
        Self::Promotions,
        Self::Cart,
        Self::SavedCart,
        Self::ProductInterests,
    ];

    /// The wire name, e.g. `storeLocations`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Profile => "profile",
            Self::Activity => "activity",
            Self::Feedback => "feedback",
            Self::StoreLocations => "storeLocations",
            Self::Promotions => "promotions",
            Self::Cart => "cart",
            Self::SavedCart => "savedCart",
            Self::ProductInterests => "productInterests",
        }
    }

    /// The fragment type of a wire name (exact, case-sensitive), if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// One fragment asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer360Query {
    /// The fragment type. Sent as a string so that an unknown type is answered with a
    /// `ValidationError` naming the query (`queries[i].type`).
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = Customer360FragmentType))]
    pub kind: String,
    /// Most entries per list of the list fragments (`activity`, `feedback`, `storeLocations`,
    /// `productInterests`), 1..=500, default 50; other fragments ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 500))]
    pub list_size: Option<u32>,
}

/// Body of `POST /customers/{customerId}/customer360`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer360Request {
    /// The fragments, 1..=12; answered in this order. A type may be asked for more than once
    /// (e.g. with different `listSize`s); each query gets its own answer.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 12))]
    pub queries: Vec<Customer360Query>,
}

/// Answer of `POST /customers/{customerId}/customer360`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer360Response {
    /// One answer per query, in the order of the queries.
    pub fragments: Vec<Customer360Fragment>,
}

/// The answer to one query: its data, or why it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
// A short-lived wire value: boxing the data would only make clients' matches clumsier.
#[allow(clippy::large_enum_variant)]
pub enum Customer360Fragment {
    /// `{"type", "data"}`: the fragment.
    Data(C360FragmentData),
    /// `{"type", "error"}`: this fragment failed (the others may not have).
    Failed(C360FragmentError),
}

impl Customer360Fragment {
    /// The fragment type answered.
    pub fn kind(&self) -> Customer360FragmentType {
        match self {
            Self::Data(d) => d.kind(),
            Self::Failed(e) => e.kind,
        }
    }
}

/// A fragment that failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360FragmentError {
    /// The fragment type asked for.
    #[serde(rename = "type")]
    pub kind: Customer360FragmentType,
    /// Why it failed (`InternalError` when the server could not read it).
    pub error: ApiError,
}

/// A fragment's data, tagged by its type: `{"type": "overview", "data": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data", rename_all = "camelCase")]
pub enum C360FragmentData {
    /// `overview`.
    Overview(C360Overview),
    /// `profile`.
    Profile(C360Profile),
    /// `activity`.
    Activity(C360Activity),
    /// `feedback`.
    Feedback(C360Feedback),
    /// `storeLocations`.
    StoreLocations(C360StoreLocations),
    /// `promotions`.
    Promotions(C360Promotions),
    /// `cart`: the active cart.
    Cart(C360CartData),
    /// `savedCart`: the most recently saved cart.
    SavedCart(C360CartData),
    /// `productInterests`.
    ProductInterests(C360ProductInterests),
}

impl C360FragmentData {
    /// The fragment type of this data.
    pub fn kind(&self) -> Customer360FragmentType {
        use Customer360FragmentType as T;
        match self {
            Self::Overview(_) => T::Overview,
            Self::Profile(_) => T::Profile,
            Self::Activity(_) => T::Activity,
            Self::Feedback(_) => T::Feedback,
            Self::StoreLocations(_) => T::StoreLocations,
            Self::Promotions(_) => T::Promotions,
            Self::Cart(_) => T::Cart,
            Self::SavedCart(_) => T::SavedCart,
            Self::ProductInterests(_) => T::ProductInterests,
        }
    }
}

/// An amount of money: formatted for display and as integer cents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Money {
    /// Formatted in the store's format, e.g. `$1,234.50`.
    pub formatted: String,
    /// The amount in cents (minor units), e.g. `123450`.
    pub cents: i64,
    /// ISO 4217 currency code (`USD`).
    pub currency: String,
}

/// The active cart in the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360CartHeader {
    /// Cart code.
    pub code: String,
    /// Number of items (sum of quantities).
    pub total_items: u32,
    /// Cart total (sum of the lines).
    pub total: C360Money,
}

/// The latest order in the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360OrderHeader {
    /// Order code.
    pub code: String,
    /// Order status, e.g. `COMPLETED`.
    pub status: String,
    /// Order total.
    pub total: C360Money,
    /// When it was placed, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub placed: String,
}

/// A support ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Ticket {
    /// Ticket id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Category, e.g. `Complaint`.
    pub category: String,
    /// Status: `OPEN`, `IN_PROCESS` or `CLOSED`.
    pub status: String,
    /// Creation date, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created: String,
    /// Last update, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated: String,
    /// Whether an agent opened it while emulating the customer.
    #[serde(default)]
    pub added_by_agent: bool,
}

/// Fragment `overview`: the header of the customer 360 view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Overview {
    /// Full name.
    pub name: String,
    /// E-mail (the login uid).
    pub email: String,
    /// Town.
    pub town: String,
    /// ISO country code.
    pub country: String,
    /// Registration date, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub signed_up_date: String,
    /// The most recently modified active cart, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_cart: Option<C360CartHeader>,
    /// The most recently placed order, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_order: Option<C360OrderHeader>,
    /// The most recently updated ticket that is not `CLOSED`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_open_ticket: Option<C360Ticket>,
}

/// A postal address with its phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Address {
    /// Street and number.
    pub line1: String,
    /// Postal code.
    pub postal_code: String,
    /// Town.
    pub town: String,
    /// ISO country code.
    pub country: String,
    /// Phone number given with this address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A saved payment card, masked: never more than the last four digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360PaymentCard {
    /// Card brand, e.g. `Visa`.
    pub brand: String,
    /// Masked number showing only the last four digits, e.g. `**** **** **** 4242`.
    #[cfg_attr(feature = "openapi", schema(example = "**** **** **** 4242"))]
    pub masked_number: String,
    /// Expiry, `MM/YYYY`.
    pub expiry: String,
    /// Name on the card.
    pub holder: String,
    /// Whether this is the customer's default card.
    pub is_default: bool,
}

/// Fragment `profile`: addresses, phones and saved cards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Profile {
    /// Billing address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<C360Address>,
    /// Delivery address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<C360Address>,
    /// The distinct phone numbers of the addresses.
    pub phones: Vec<String>,
    /// Saved payment cards, the default card first.
    pub payment_cards: Vec<C360PaymentCard>,
}

/// Kind of an activity entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum C360ActivityType {
    /// An active cart.
    Cart,
    /// A saved cart.
    SavedCart,
    /// An order.
    Order,
    /// A support ticket.
    Ticket,
}

/// One entry of the activity list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360ActivityEntry {
    /// Cart, saved cart, order or ticket.
    #[serde(rename = "type")]
    pub kind: C360ActivityType,
    /// Cart or order code, or ticket id.
    pub id: String,
    /// What it is, e.g. "Cart with 3 items", "Order 30000001, $120.00" or a ticket's subject.
    pub description: String,
    /// Status: `ACTIVE`/`SAVED` for carts, the order's or ticket's status otherwise.
    pub status: String,
    /// Creation date, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created: String,
    /// Last update, RFC 3339 (for orders, when placed).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated: String,
}

/// Fragment `activity`: carts, orders and tickets, most recently updated first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Activity {
    /// At most `listSize` entries, by `updated` descending (then `id`).
    pub entries: Vec<C360ActivityEntry>,
    /// Number of entries in all (may exceed `entries`).
    pub total_count: u64,
}

/// A product review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Review {
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// Stars, 1..=5.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub rating: u8,
    /// Headline.
    pub headline: String,
    /// Comment.
    pub comment: String,
    /// When it was written, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created: String,
    /// Whether an agent wrote it while emulating the customer.
    #[serde(default)]
    pub added_by_agent: bool,
}

/// Fragment `feedback`: support tickets and product reviews.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Feedback {
    /// At most `listSize` tickets, most recently updated first.
    pub tickets: Vec<C360Ticket>,
    /// Number of tickets in all.
    pub ticket_count: u64,
    /// At most `listSize` reviews, newest first.
    pub reviews: Vec<C360Review>,
    /// Number of reviews in all.
    pub review_count: u64,
}

/// A store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Store {
    /// Store id.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Street and number.
    pub line1: String,
    /// Town.
    pub town: String,
    /// ISO country code.
    pub country: String,
    /// Opening hours, e.g. `Mon-Sat 09:00-20:00`.
    pub opening_hours: String,
    /// Whether the store is in the customer's town (otherwise only in their country).
    pub in_customer_town: bool,
}

/// Fragment `storeLocations`: stores near the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360StoreLocations {
    /// The customer's town the stores were matched to.
    pub town: String,
    /// The customer's country.
    pub country: String,
    /// At most `listSize` stores of the customer's country, those in their town first, then by
    /// display name.
    pub stores: Vec<C360Store>,
    /// Number of stores in the country in all.
    pub total_count: u64,
}

/// A cart voucher (cart coupon).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Voucher {
    /// Voucher code, e.g. `SAVE10`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Percent off, 1..=100, when the backend says (SAP's Customer 360° does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub percent: Option<u32>,
    /// Whether it is applied to the customer's active cart.
    pub applied: bool,
    /// What it gives.
    #[serde(default)]
    pub kind: crate::VoucherKind,
    /// The gift's product name (kind `GIFT_PRODUCT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_product_name: Option<String>,
    /// Valid only during the support session: it leaves the cart when the emulation ends.
    #[serde(default)]
    pub session_only: bool,
}

/// An order promotion, applied automatically from a cart subtotal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Promotion {
    /// Promotion code, e.g. `ORDER200`.
    pub code: String,
    /// Description.
    pub description: String,
    /// The subtotal from which it applies, when the backend says (SAP's Customer 360° does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<C360Money>,
    /// Percent off, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub percent: Option<u32>,
    /// Whether the active cart's subtotal reaches the threshold (false without an active cart).
    pub applied: bool,
}

/// Whether a customer coupon is the customer's or could be given to them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum C360CouponStatus {
    /// Assigned to the customer.
    Assigned,
    /// Valid now and not assigned: an agent may assign it.
    Available,
}

/// A customer coupon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360CustomerCoupon {
    /// Coupon code, e.g. `LOYALTY20`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Percent off, 1..=100, when the backend says (SAP's Customer 360° does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub percent: Option<u32>,
    /// First day of validity, RFC 3339, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub starts: Option<String>,
    /// End of validity, RFC 3339, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub ends: Option<String>,
    /// Assigned or available.
    pub status: C360CouponStatus,
    /// When it was assigned, RFC 3339 (assigned coupons only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub assigned_date: Option<String>,
}

/// Fragment `promotions`: cart vouchers, order promotions and customer coupons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Promotions {
    /// The active cart the flags refer to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_code: Option<String>,
    /// The active cart's subtotal (sum of its lines), if there is an active cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_subtotal: Option<C360Money>,
    /// Every cart voucher, with whether it is applied to the active cart.
    pub cart_vouchers: Vec<C360Voucher>,
    /// Every order promotion, by threshold, with whether the active cart reaches it.
    pub promotions: Vec<C360Promotion>,
    /// The customer's coupons (`ASSIGNED`) first, then those valid now that could be assigned
    /// (`AVAILABLE`).
    pub customer_coupons: Vec<C360CustomerCoupon>,
}

/// One line of a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360CartEntry {
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// Quantity.
    pub quantity: u32,
    /// Price of one.
    pub unit_price: C360Money,
    /// Line total.
    pub total: C360Money,
}

/// A cart with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360Cart {
    /// Cart code.
    pub code: String,
    /// Number of items (sum of quantities).
    pub total_items: u32,
    /// Sum of the lines.
    pub subtotal: C360Money,
    /// Creation date, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created: String,
    /// Last modification (for a saved cart, when it was saved), RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub modified: String,
    /// The lines, by product name.
    pub entries: Vec<C360CartEntry>,
}

/// Fragments `cart` and `savedCart`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360CartData {
    /// The cart; absent when the customer has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<C360Cart>,
}

/// A product the customer asked to hear about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360ProductInterest {
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// Current price.
    pub price: C360Money,
    /// What they want to hear about: `BACK_IN_STOCK` or `PRICE_REDUCTION`.
    pub kind: String,
    /// When they asked, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created: String,
}

/// Fragment `productInterests`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct C360ProductInterests {
    /// At most `listSize` interests, newest first.
    pub entries: Vec<C360ProductInterest>,
    /// Number of interests in all.
    pub total_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_type_names_match_serde() {
        for t in Customer360FragmentType::ALL {
            let json = serde_json::to_string(&t).expect("serialise");
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(Customer360FragmentType::parse(t.as_str()), Some(t));
        }
        assert_eq!(Customer360FragmentType::parse("Overview"), None);
        assert_eq!(Customer360FragmentType::parse("c360Overview"), None);
    }

    #[test]
    fn data_and_error_fragments_have_their_wire_shapes() {
        let data = Customer360Fragment::Data(C360FragmentData::SavedCart(C360CartData::default()));
        assert_eq!(
            serde_json::to_string(&data).expect("serialise"),
            r#"{"type":"savedCart","data":{}}"#
        );
        let failed = Customer360Fragment::Failed(C360FragmentError {
            kind: Customer360FragmentType::Feedback,
            error: ApiError {
                kind: "InternalError".into(),
                message: "failed".into(),
                reason: None,
                subject: None,
            },
        });
        let json = serde_json::to_string(&failed).expect("serialise");
        assert_eq!(
            json,
            r#"{"type":"feedback","error":{"type":"InternalError","message":"failed"}}"#
        );
        let response = Customer360Response {
            fragments: vec![data, failed],
        };
        let back: Customer360Response =
            serde_json::from_str(&serde_json::to_string(&response).expect("serialise"))
                .expect("parse");
        assert_eq!(back, response);
        assert_eq!(back.fragments[0].kind(), Customer360FragmentType::SavedCart);
        assert_eq!(back.fragments[1].kind(), Customer360FragmentType::Feedback);
    }

    #[test]
    fn queries_read_the_documented_shape() {
        let req: Customer360Request = serde_json::from_str(
            r#"{"queries":[{"type":"overview"},{"type":"activity","listSize":5}]}"#,
        )
        .expect("parse");
        assert_eq!(req.queries[0].kind, "overview");
        assert_eq!(req.queries[0].list_size, None);
        assert_eq!(req.queries[1].list_size, Some(5));
    }
}
