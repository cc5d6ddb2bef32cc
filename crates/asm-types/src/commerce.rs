//! What the storefront reads and changes while an agent emulates a customer: products, the
//! customer's carts (entries, vouchers, promotions), orders, customer coupons and profile.
//! Money travels as integer cents plus a formatted string, so clients can format it for the
//! browser's locale or show it as is.

use serde::{Deserialize, Serialize};

/// An amount of money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Price {
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency_iso: String,
    /// The amount in the currency's smallest unit (cents).
    pub value_cents: i64,
    /// The amount formatted by the server, e.g. `$1,234.50`.
    pub formatted_value: String,
}

/// A product of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Product code.
    pub code: String,
    /// Product name.
    pub name: String,
    /// Unit price.
    pub price: Price,
}

/// The catalogue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductList {
    /// Every product, by name.
    pub products: Vec<Product>,
}

/// One line of a cart or an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// Quantity.
    pub quantity: u32,
    /// Unit price.
    pub base_price: Price,
    /// Unit price times quantity.
    pub total_price: Price,
    /// A gift: added at price 0 by a gift voucher, and removed with it (SAP's `giveAway`). It
    /// cannot be changed on its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub give_away: bool,
}

/// What a voucher gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VoucherKind {
    /// A discount off the subtotal (`percent`, or a fixed amount).
    #[default]
    Discount,
    /// A gift product, added to the cart at price 0 while the voucher is applied.
    GiftProduct,
    /// No delivery cost.
    FreeShipping,
}

/// A voucher (cart coupon or assigned customer coupon) applied to a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppliedVoucher {
    /// Voucher code, as the customer types it.
    pub code: String,
    /// Short name.
    pub name: String,
    /// What it gives.
    pub description: String,
    /// Percent off the subtotal; absent for a fixed amount (SAP's vouchers with a currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u32>,
    /// What it takes off this cart.
    pub discount: Price,
    /// What it gives.
    #[serde(default)]
    pub kind: VoucherKind,
    /// The gift's product code (kind `GIFT_PRODUCT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_product: Option<String>,
    /// Valid only during a support call: only an agent may apply it, and it leaves the cart
    /// when the emulation ends (by hand, by a switch to another customer, by a timeout).
    #[serde(default)]
    pub session_only: bool,
}

/// A promotion the cart qualifies for (applied automatically).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppliedPromotion {
    /// Promotion code.
    pub code: String,
    /// What it gives, e.g. "3% off orders over $200".
    pub description: String,
    /// What it takes off this cart.
    pub discount: Price,
}

/// Status of a cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CartStatus {
    /// The cart being shopped with.
    Active,
    /// Saved for later (by the customer, or replaced by a bound cart).
    Saved,
    /// Turned into an order.
    Ordered,
}

/// A cart with its lines, vouchers, promotions and totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    /// Cart code (the "cart number").
    pub code: String,
    /// A guest cart's handle at SAP Commerce (its `guid`; the demo store's `/store/carts` API
    /// addresses the cart by it). Absent for customers' carts and in the embedded shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// Active, saved or ordered.
    pub status: CartStatus,
    /// The lines, by product name.
    pub entries: Vec<OrderLine>,
    /// Number of items (sum of quantities).
    pub total_items: u32,
    /// Sum of the lines.
    pub sub_total: Price,
    /// Vouchers applied, in the order they were applied.
    pub vouchers: Vec<AppliedVoucher>,
    /// Promotions the cart qualifies for.
    pub promotions: Vec<AppliedPromotion>,
    /// Vouchers plus promotions.
    pub total_discounts: Price,
    /// Delivery, when the backend says (0 with a free-shipping voucher; SAP Commerce: once a
    /// delivery mode is chosen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_cost: Option<Price>,
    /// What the customer pays: subtotal minus discounts (never below zero), plus delivery.
    pub total_price: Price,
    /// Last change, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub modified: String,
    /// How a saved cart was saved (SAP Commerce: `name`, `description`, `saveTime`); absent
    /// for other carts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<CartSave>,
}

/// When and under which name a cart was saved for later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CartSave {
    /// The name it was saved under (the cart number when none was given).
    pub name: String,
    /// What it is for; may be empty.
    #[serde(default)]
    pub description: String,
    /// When it was saved, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub time: String,
}

/// Saves a cart for later (`PATCH /users/{userId}/carts/{cartId}/save`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SaveCartRequest {
    /// Name, 1..=255 characters on one line (default: the cart number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 255, example = "Birthday presents")
    )]
    pub name: Option<String>,
    /// Description, at most 5,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: Option<String>,
}

/// A customer's carts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Carts {
    /// Active carts first, then saved carts; most recently changed first.
    pub carts: Vec<Cart>,
}

/// Adds a product to a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddEntryRequest {
    /// Product code.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, example = "300938"))]
    pub product_code: String,
    /// How many to add, 1..=99 (default 1). The line's quantity is capped at 99.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 99))]
    pub quantity: Option<u32>,
}

/// Sets a line's quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QuantityRequest {
    /// New quantity, 0..=99; 0 removes the line.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 99))]
    pub quantity: u32,
}

/// Applies a voucher to a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VoucherRequest {
    /// Voucher code (case-insensitive): a cart coupon, or a customer coupon assigned to the customer.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, example = "SAVE10"))]
    pub voucher_id: String,
}

/// Places an order from a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlaceOrderRequest {
    /// The customer's active cart to order.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub cart_id: String,
}

/// An order with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Order code.
    pub code: String,
    /// Status, e.g. `CREATED`, `PROCESSING`, `SHIPPED`, `COMPLETED`.
    pub status: String,
    /// Placement date, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub placed: String,
    /// The agent who placed it while emulating, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_by: Option<String>,
    /// The lines, by entry number.
    pub entries: Vec<OrderEntry>,
    /// Sum of the lines.
    pub sub_total: Price,
    /// Discounts taken off.
    pub total_discounts: Price,
    /// Delivery, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_cost: Option<Price>,
    /// What the customer paid.
    pub total_price: Price,
    /// Codes of the vouchers used.
    pub vouchers: Vec<String>,
    /// Whether some of it may still be cancelled (not yet shipped, something left).
    #[serde(default)]
    pub cancellable: bool,
    /// Whether some of it may still be returned (delivered, something left).
    #[serde(default)]
    pub returnable: bool,
}

/// One line of an order, with what was cancelled or returned of it and what may still be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderEntry {
    /// The line's number in the order (SAP's `entryNumber`, from 0): what cancellations and
    /// returns name.
    pub entry_number: u32,
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// Quantity ordered.
    pub quantity: u32,
    /// Unit price.
    pub base_price: Price,
    /// Unit price times quantity ordered.
    pub total_price: Price,
    /// How many were cancelled.
    #[serde(default)]
    pub cancelled_quantity: u32,
    /// How many are in return requests that were not cancelled.
    #[serde(default)]
    pub returned_quantity: u32,
    /// How many may still be cancelled (0 unless the order is cancellable).
    #[serde(default)]
    pub cancellable_quantity: u32,
    /// How many may still be returned (0 unless the order is returnable).
    #[serde(default)]
    pub returnable_quantity: u32,
    /// A gift of a gift voucher (price 0).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub give_away: bool,
}

/// One line and quantity of a cancellation or return (SAP's `orderEntryNumber`, `quantity`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EntryQuantity {
    /// The order line's `entryNumber`.
    pub order_entry_number: u32,
    /// How many, at least 1 and at most what is left of the line.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 99))]
    pub quantity: u32,
}

/// Cancels lines of an order, in SAP OCC's shape (`CancellationRequestEntryInputList`): every
/// line with its whole quantity for the whole order, some for a part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CancellationRequest {
    /// The lines and quantities to cancel (at least one; each line at most once).
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub cancellation_request_entry_inputs: Vec<EntryQuantity>,
}

/// Asks to return lines of a delivered order, in SAP OCC's shape (`ReturnRequestEntryInputList`)
/// plus the customer's reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequestInput {
    /// The order.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, example = "30000001"))]
    pub order_code: String,
    /// The lines and quantities to return (at least one; each line at most once).
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub return_request_entry_inputs: Vec<EntryQuantity>,
    /// Why the customer returns them (1..=200 characters), e.g. "Damaged in transit".
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: String,
}

/// One line of a return request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReturnEntry {
    /// The order line's `entryNumber`.
    pub entry_number: u32,
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// How many are to come back.
    pub expected_quantity: u32,
    /// What is refunded for them.
    pub refund_amount: Price,
}

/// A return request (SAP's `ReturnRequest`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequest {
    /// Return request code, e.g. `RMA-50000001`.
    pub code: String,
    /// The return merchandise authorisation number the customer writes on the parcel.
    pub rma: String,
    /// The order returned from.
    pub order_code: String,
    /// SAP's return status, e.g. `APPROVAL_PENDING`, `WAIT`, `RECEIVED`, `CANCELED`.
    pub status: String,
    /// Whether it may still be cancelled (not yet received).
    pub cancellable: bool,
    /// When it was asked for, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub creation_time: String,
    /// The customer's reason, when the backend keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The lines.
    pub return_entries: Vec<ReturnEntry>,
    /// What is refunded in all.
    pub total_price: Price,
}

/// A page of a customer's return requests, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequestList {
    /// Return requests on this page.
    pub return_requests: Vec<ReturnRequest>,
    /// Paging.
    pub pagination: crate::Pagination,
}

/// Changes a return request: SAP OCC's only change, `{"status": "CANCELLING"}` (cancels it,
/// for good).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReturnRequestModification {
    /// Must be `CANCELLING`.
    #[cfg_attr(feature = "openapi", schema(example = "CANCELLING"))]
    pub status: String,
}

/// A page of a customer's orders, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderHistory {
    /// Orders on this page.
    pub orders: Vec<crate::OrderSummary>,
    /// Paging.
    pub pagination: crate::Pagination,
}

/// A customer coupon: assigned to the customer, or available to assign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerCoupon {
    /// Coupon code.
    pub code: String,
    /// Short name.
    pub name: String,
    /// What it gives.
    pub description: String,
    /// Percent off a cart's subtotal, when the backend says (SAP's coupons say it in words only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u32>,
    /// Valid from, RFC 3339, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub start_date: Option<String>,
    /// Valid until, RFC 3339, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub end_date: Option<String>,
    /// Whether the customer has it.
    pub assigned: bool,
}

/// Customer coupons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerCouponList {
    /// Assigned coupons first, then available ones; by code.
    pub coupons: Vec<CustomerCoupon>,
}

/// The customer's own profile, as "My account" shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerProfile {
    /// Customer id.
    pub customer_id: String,
    /// E-mail (the login; cannot be changed through ASM).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Full name.
    pub name: String,
    /// Phone of the delivery address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Changes to the profile. Absent fields stay as they are. `email` and `password` are part of
/// the schema only to be refused: nobody changes them through ASM.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdateRequest {
    /// New first name (1..=100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub first_name: Option<String>,
    /// New last name (1..=100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub last_name: Option<String>,
    /// New phone (at most 30 characters: digits, spaces, `+`, `-`, `(`, `)`); empty removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 30))]
    pub phone: Option<String>,
    /// Refused with `ValidationError` (400): e-mail changes are not allowed through ASM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Refused with `ValidationError` (400): password changes are not allowed through ASM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}
