//! SAP Commerce's answers as they come (OCC and `assistedservicewebservices`, §3–§4 of
//! SAP-CONTRACT.md), read leniently: every field may be missing (SAP omits nulls), and the
//! mapping to our wire types (`asm_types`). SAP's money comes formatted; its dates as
//! `2026-09-28T10:23:55+0000`.

use asm_types::{
    AppliedVoucher, Cart, CartEntry, CartSave, CartStatus, CartSummary, CustomerSearchEntry, Order,
    OrderEntry, OrderLine, OrderSummary, Pagination, Price, ReturnEntry, ReturnRequest,
    ReturnRequestList, VoucherKind,
};
use serde::Deserialize;

/// `{isocode, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Iso {
    pub isocode: String,
    pub name: Option<String>,
}

/// `{code, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Code {
    pub code: String,
    pub name: Option<String>,
}

/// An OCC address.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postal_code: String,
    pub phone: Option<String>,
    pub country: Option<Iso>,
}

/// `UserWsDTO`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct User {
    pub uid: String,
    pub customer_id: Option<String>,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub display_uid: Option<String>,
    pub default_address: Option<Address>,
    pub deactivation_date: Option<String>,
    pub currency: Option<Iso>,
    pub last_cart_id: Option<String>,
    pub has_order: Option<bool>,
}

impl User {
    /// The id we emulate with: SAP's opaque `customerId`, else the uid.
    pub fn id(&self) -> String {
        self.customer_id.clone().unwrap_or_else(|| self.uid.clone())
    }

    /// The full name (SAP's `name`, else the parts).
    pub fn full_name(&self) -> String {
        if self.name.trim().is_empty() {
            format!("{} {}", self.first_name, self.last_name)
                .trim()
                .to_owned()
        } else {
            self.name.clone()
        }
    }

    /// A search entry for this customer.
    pub fn search_entry(self) -> CustomerSearchEntry {
        let blocked = self
            .deactivation_date
            .as_ref()
            .map(|_| asm_types::error_type::CUSTOMER_DISABLED.to_owned());
        CustomerSearchEntry {
            name: self.full_name(),
            customer_id: self.id(),
            last_cart_id: self.last_cart_id,
            has_order: self.has_order.unwrap_or(false),
            emulation_blocked: blocked,
            order_id: None,
            cart_id: None,
            cart_status: None,
            phone: self.default_address.and_then(|a| a.phone),
            uid: self.uid,
        }
    }
}

/// ASM's `PaginationModel`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapPagination {
    pub current_page: i64,
    pub page_size: i64,
    pub sort: Option<String>,
    pub total_pages: i64,
    pub total_results: i64,
}

impl SapPagination {
    /// Ours.
    pub fn ours(&self) -> Pagination {
        Pagination {
            current_page: clamp_u32(self.current_page),
            page_size: clamp_u32(self.page_size),
            total_pages: clamp_u32(self.total_pages),
            total_results: u64::try_from(self.total_results).unwrap_or(0),
            sort: self.sort.clone(),
            total_is_lower_bound: false,
        }
    }
}

/// A number as `u32`, negatives as 0.
pub fn clamp_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// `CustomerSearchPageWsDTO`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchPage {
    pub entries: Vec<User>,
    pub pagination: SapPagination,
    pub sorts: Vec<SortCode>,
}

/// One of a search page's sorts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SortCode {
    pub code: String,
    pub selected: bool,
}

/// A `CustomerSuggestion` (autocomplete).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Suggestion {
    pub email: String,
    pub full_name: String,
    pub date: Option<String>,
    pub carts: Vec<String>,
}

/// OCC `Price`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapPrice {
    pub currency_iso: String,
    pub value: f64,
    pub formatted_value: String,
}

impl SapPrice {
    /// Ours (cents rounded).
    pub fn ours(&self) -> Price {
        Price {
            currency_iso: self.currency_iso.clone(),
            value_cents: (self.value * 100.0).round() as i64,
            formatted_value: self.formatted_value.clone(),
        }
    }
}

/// An optional price, zero when absent.
fn price(p: &Option<SapPrice>) -> Price {
    p.as_ref().map(SapPrice::ours).unwrap_or(Price {
        currency_iso: String::new(),
        value_cents: 0,
        formatted_value: String::new(),
    })
}

/// An OCC product reference.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProductRef {
    pub code: String,
    pub name: Option<String>,
    pub price: Option<SapPrice>,
}

/// An OCC order/cart entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapEntry {
    pub entry_number: i64,
    pub quantity: i64,
    pub base_price: Option<SapPrice>,
    pub total_price: Option<SapPrice>,
    pub product: ProductRef,
    /// Order entries: how many may still be cancelled / returned, and were.
    pub cancellable_quantity: i64,
    pub returnable_quantity: i64,
    pub cancelled_items_quantity: i64,
    pub returned_items_quantity: i64,
}

impl SapEntry {
    /// An order's line, with what SAP says is left to cancel and to return.
    fn order_entry(&self) -> OrderEntry {
        let line = self.line();
        OrderEntry {
            entry_number: clamp_u32(self.entry_number),
            product_code: line.product_code,
            product_name: line.product_name,
            quantity: line.quantity,
            base_price: line.base_price,
            total_price: line.total_price,
            cancelled_quantity: clamp_u32(self.cancelled_items_quantity),
            returned_quantity: clamp_u32(self.returned_items_quantity),
            cancellable_quantity: clamp_u32(self.cancellable_quantity),
            returnable_quantity: clamp_u32(self.returnable_quantity),
            give_away: false,
        }
    }

    fn line(&self) -> OrderLine {
        OrderLine {
            product_code: self.product.code.clone(),
            product_name: self
                .product
                .name
                .clone()
                .unwrap_or_else(|| self.product.code.clone()),
            quantity: clamp_u32(self.quantity),
            base_price: price(&self.base_price),
            total_price: price(&self.total_price),
            give_away: false,
        }
    }
}

/// An OCC voucher.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapVoucher {
    pub code: String,
    pub voucher_code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub value: Option<f64>,
    /// Present when `value` is an amount (absent: a percentage).
    pub currency: Option<serde_json::Value>,
    pub applied_value: Option<SapPrice>,
    /// A free-shipping voucher (SAP-CONTRACT.md §4.4).
    pub free_shipping: bool,
}

/// An OCC cart.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapCart {
    pub code: String,
    /// What guest carts are addressed by.
    pub guid: Option<String>,
    pub save_time: Option<String>,
    /// A saved cart's name and description.
    pub name: Option<String>,
    pub description: Option<String>,
    pub entries: Vec<SapEntry>,
    pub total_unit_count: Option<i64>,
    pub total_items: Option<i64>,
    pub sub_total: Option<SapPrice>,
    pub total_price: Option<SapPrice>,
    pub total_price_with_tax: Option<SapPrice>,
    pub total_discounts: Option<SapPrice>,
    /// Absent until a delivery mode is chosen.
    pub delivery_cost: Option<SapPrice>,
    pub applied_vouchers: Vec<SapVoucher>,
    pub modified_time: Option<String>,
}

impl SapCart {
    /// A saved cart has a save time.
    pub fn is_saved(&self) -> bool {
        self.save_time.is_some()
    }

    fn units(&self) -> u32 {
        clamp_u32(
            self.total_unit_count
                .unwrap_or_else(|| self.entries.iter().map(|e| e.quantity).sum()),
        )
    }

    fn modified(&self) -> String {
        self.save_time
            .as_deref()
            .or(self.modified_time.as_deref())
            .map(date)
            .unwrap_or_default()
    }

    /// Ours.
    pub fn ours(&self) -> Cart {
        Cart {
            code: self.code.clone(),
            guid: None,
            status: if self.is_saved() {
                CartStatus::Saved
            } else {
                CartStatus::Active
            },
            entries: self.entries.iter().map(SapEntry::line).collect(),
            total_items: self.units(),
            sub_total: price(&self.sub_total),
            vouchers: self
                .applied_vouchers
                .iter()
                .map(|v| AppliedVoucher {
                    code: v.voucher_code.clone().unwrap_or_else(|| v.code.clone()),
                    name: v.name.clone().unwrap_or_default(),
                    description: v.description.clone().unwrap_or_default(),
                    // SAP's value is an amount when the voucher has a currency, else a percentage.
                    percent: v
                        .currency
                        .is_none()
                        .then_some(v.value)
                        .flatten()
                        .map(|p| p.round().clamp(0.0, 100.0) as u32),
                    discount: price(&v.applied_value),
                    kind: if v.free_shipping {
                        VoucherKind::FreeShipping
                    } else {
                        VoucherKind::Discount
                    },
                    gift_product: None,
                    // SAP's own promotion engine keeps ASM-only offers to the assisted session.
                    session_only: false,
                })
                .collect(),
            promotions: vec![],
            total_discounts: price(&self.total_discounts),
            delivery_cost: self.delivery_cost.as_ref().map(SapPrice::ours),
            total_price: price(if self.total_price_with_tax.is_some() {
                &self.total_price_with_tax
            } else {
                &self.total_price
            }),
            modified: self.modified(),
            saved: self.save_time.as_deref().map(|t| CartSave {
                name: self
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| self.code.clone()),
                description: self
                    .description
                    .clone()
                    .filter(|d| d != "-")
                    .unwrap_or_default(),
                time: date(t),
            }),
        }
    }

    /// The short form of the customer views.
    pub fn summary(&self) -> CartSummary {
        CartSummary {
            code: self.code.clone(),
            total_items: self.units(),
            total: price(&self.total_price).formatted_value,
            modified: self.modified(),
            entries: self
                .entries
                .iter()
                .map(|e| CartEntry {
                    product_code: e.product.code.clone(),
                    product_name: e.product.name.clone().unwrap_or_default(),
                    quantity: clamp_u32(e.quantity),
                    total: price(&e.total_price).formatted_value,
                })
                .collect(),
        }
    }
}

/// `{"carts": […]}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CartListAnswer {
    pub carts: Vec<SapCart>,
}

impl CartListAnswer {
    /// The current (active) cart: the first without a save time, as Spartacus picks it.
    pub fn current(&self) -> Option<&SapCart> {
        self.carts.iter().find(|c| !c.is_saved())
    }
}

/// `CartModification`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CartModification {
    pub status_code: Option<String>,
    pub status_message: Option<String>,
    pub quantity_added: Option<i64>,
}

/// An OCC order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapOrder {
    pub code: String,
    pub status: Option<String>,
    pub status_display: Option<String>,
    pub created: Option<String>,
    pub placed: Option<String>,
    pub entries: Vec<SapEntry>,
    pub sub_total: Option<SapPrice>,
    pub total_discounts: Option<SapPrice>,
    pub total_price: Option<SapPrice>,
    pub total_price_with_tax: Option<SapPrice>,
    pub total: Option<SapPrice>,
    pub delivery_cost: Option<SapPrice>,
    pub applied_vouchers: Vec<SapVoucher>,
    pub cancellable: bool,
    pub returnable: bool,
}

impl SapOrder {
    fn status(&self) -> String {
        self.status_display
            .clone()
            .or_else(|| self.status.clone())
            .unwrap_or_default()
    }

    fn placed(&self) -> String {
        self.placed
            .as_deref()
            .or(self.created.as_deref())
            .map(date)
            .unwrap_or_default()
    }

    fn total(&self) -> Price {
        price(
            [&self.total_price_with_tax, &self.total_price, &self.total]
                .into_iter()
                .find(|p| p.is_some())
                .unwrap_or(&None),
        )
    }

    /// Ours; `placed_by` is the agent the middleware placed it for.
    pub fn ours(&self, placed_by: Option<String>) -> Order {
        Order {
            code: self.code.clone(),
            status: self.status(),
            placed: self.placed(),
            placed_by,
            entries: self.entries.iter().map(SapEntry::order_entry).collect(),
            sub_total: price(&self.sub_total),
            total_discounts: price(&self.total_discounts),
            delivery_cost: self.delivery_cost.as_ref().map(SapPrice::ours),
            total_price: self.total(),
            vouchers: self
                .applied_vouchers
                .iter()
                .map(|v| v.voucher_code.clone().unwrap_or_else(|| v.code.clone()))
                .collect(),
            cancellable: self.cancellable,
            returnable: self.returnable,
        }
    }

    /// The short form.
    pub fn summary(&self) -> OrderSummary {
        OrderSummary {
            code: self.code.clone(),
            status: self.status(),
            total: self.total().formatted_value,
            placed: self.placed(),
        }
    }
}

/// `OrderHistoryList`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrderHistoryAnswer {
    pub orders: Vec<SapOrder>,
    pub pagination: SapPagination,
}

/// A customer coupon (`/customercoupons`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapCoupon {
    pub coupon_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// `{coupons: […]}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CouponsAnswer {
    pub coupons: Vec<SapCoupon>,
}

/// A claim's answer `{coupon, customer}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClaimAnswer {
    pub coupon: SapCoupon,
}

/// A product search page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProductPage {
    pub products: Vec<ProductRef>,
}

/// A support ticket (`/tickets`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapTicket {
    pub id: String,
    pub subject: String,
    pub status: Option<IdName>,
    pub created_at: Option<String>,
}

/// `{id, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IdName {
    pub id: String,
    pub name: Option<String>,
}

/// `{tickets: […]}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TicketsAnswer {
    pub tickets: Vec<SapTicket>,
}

/// SAP's date (`2026-09-28T10:23:55+0000`) as RFC 3339 (`2026-09-28T10:23:55Z`); text that is
/// not such a date is kept as it is.
pub fn date(sap: &str) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    match time::OffsetDateTime::parse(sap, &format) {
        Ok(t) => t
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| sap.to_owned()),
        Err(_) => sap.to_owned(),
    }
}

/// A formatted money string (`$1,234.50`, `Y100.0000`, `1.234,50 €`) in cents, when it has a
/// number in it.
pub fn cents_of(formatted: &str) -> Option<i64> {
    let digits: String = formatted
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-')
        .collect();
    if !digits.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // The last separator followed by 1–4 digits is the decimal point; the others group.
    let last = digits.rfind(['.', ',']);
    let (int, frac) = match last {
        Some(i) if digits.len() - i - 1 <= 4 && digits.len() - i > 1 => {
            let tail = &digits[i + 1..];
            // "1,234" (three digits after a lone comma) is a thousands group.
            if tail.len() == 3
                && digits[..i].chars().all(|c| c.is_ascii_digit() || c == '-')
                && &digits[i..=i] == ","
            {
                (digits.replace([',', '.'], ""), String::new())
            } else {
                (digits[..i].replace([',', '.'], ""), tail.to_owned())
            }
        }
        _ => (digits.replace([',', '.'], ""), String::new()),
    };
    let negative = int.starts_with('-');
    let int: i64 = int.trim_start_matches('-').parse().unwrap_or(0);
    let frac2: String = format!("{frac:0<2}").chars().take(2).collect();
    let frac: i64 = frac2.parse().unwrap_or(0);
    let value = int.saturating_mul(100).saturating_add(frac);
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_rfc3339() {
        assert_eq!(date("2022-07-07T18:25:43+0000"), "2022-07-07T18:25:43Z");
        assert_eq!(date("2022-07-07T20:25:43+0200"), "2022-07-07T18:25:43Z");
        assert_eq!(date("yesterday"), "yesterday");
    }

    #[test]
    fn formatted_money_reads_as_cents() {
        assert_eq!(cents_of("$199.70"), Some(19_970));
        assert_eq!(cents_of("Y100.0000"), Some(10_000));
        assert_eq!(cents_of("$1,234.50"), Some(123_450));
        assert_eq!(cents_of("1.234,50 €"), Some(123_450));
        assert_eq!(cents_of("$1,234"), Some(123_400));
        assert_eq!(cents_of("£5"), Some(500));
        assert_eq!(cents_of("free"), None);
    }

    #[test]
    fn answers_with_missing_fields_still_map() {
        let cart: SapCart = serde_json::from_str(
            r#"{"code":"1","entries":[{"quantity":2,"product":{"code":"p"}}]}"#,
        )
        .expect("cart");
        let ours = cart.ours();
        assert_eq!(ours.total_items, 2);
        assert_eq!(ours.entries[0].product_name, "p");
        assert_eq!(ours.status, CartStatus::Active);
        let user: User =
            serde_json::from_str(r#"{"uid":"a@b","firstName":"A","lastName":"B"}"#).expect("user");
        assert_eq!(user.full_name(), "A B");
        assert_eq!(user.id(), "a@b");
    }
}

/// A code reference, e.g. a return request's `order`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeRef {
    pub code: String,
}

/// One line of an OCC `ReturnRequest`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapReturnEntry {
    pub order_entry: Option<SapEntry>,
    pub expected_quantity: i64,
    pub refund_amount: Option<SapPrice>,
}

/// An OCC `ReturnRequest` (§4.7).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapReturn {
    pub code: String,
    pub rma: Option<String>,
    pub status: Option<String>,
    pub creation_time: Option<String>,
    pub cancellable: bool,
    pub order: Option<CodeRef>,
    pub return_entries: Vec<SapReturnEntry>,
    pub total_price: Option<SapPrice>,
}

impl SapReturn {
    /// Ours (SAP keeps no reason: `None`).
    pub fn ours(&self) -> ReturnRequest {
        ReturnRequest {
            code: self.code.clone(),
            rma: self.rma.clone().unwrap_or_else(|| self.code.clone()),
            order_code: self
                .order
                .as_ref()
                .map(|o| o.code.clone())
                .unwrap_or_default(),
            status: self.status.clone().unwrap_or_default(),
            cancellable: self.cancellable,
            creation_time: self.creation_time.as_deref().map(date).unwrap_or_default(),
            reason: None,
            return_entries: self
                .return_entries
                .iter()
                .map(|e| {
                    let line = e.order_entry.clone().unwrap_or_default();
                    ReturnEntry {
                        entry_number: clamp_u32(line.entry_number),
                        product_name: line
                            .product
                            .name
                            .clone()
                            .unwrap_or_else(|| line.product.code.clone()),
                        product_code: line.product.code,
                        expected_quantity: clamp_u32(e.expected_quantity),
                        refund_amount: price(&e.refund_amount),
                    }
                })
                .collect(),
            total_price: price(&self.total_price),
        }
    }
}

/// `ReturnRequestList`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapReturnList {
    pub return_requests: Vec<SapReturn>,
    pub pagination: SapPagination,
}

impl SapReturnList {
    /// Ours.
    pub fn ours(&self) -> ReturnRequestList {
        ReturnRequestList {
            return_requests: self.return_requests.iter().map(SapReturn::ours).collect(),
            pagination: self.pagination.ours(),
        }
    }
}
