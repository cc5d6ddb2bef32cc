//! Cart pricing rules, free of storage: vouchers take a percentage off the subtotal, then the
//! best promotion the subtotal qualifies for takes its percentage off what is left; delivery
//! is added on top (standard delivery, free with a free-shipping voucher or for a cart with
//! nothing to pay for). Gifts are lines at price 0.

use crate::format::Money;
use asm_types::Price;

/// `Money(cents).price()`: `cents` as a wire [`Price`].
pub fn price(cents: i64) -> Price {
    Money(cents).price()
}

/// A promotion rule: percent off when the subtotal reaches `threshold_cents`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    /// Promotion code.
    pub code: String,
    /// What it gives.
    pub description: String,
    /// Subtotal from which it applies (cents).
    pub threshold_cents: i64,
    /// Percent off.
    pub percent: i64,
}

/// Standard delivery of a cart with products: $9.99.
pub const STANDARD_DELIVERY_CENTS: i64 = 9_99;

/// What delivery costs: nothing for a cart without paid lines (empty, or gifts only) or with a
/// free-shipping voucher, else standard delivery.
pub fn delivery_cents(paid_lines: bool, free_shipping: bool) -> i64 {
    if paid_lines && !free_shipping {
        STANDARD_DELIVERY_CENTS
    } else {
        0
    }
}

/// What a cart costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priced {
    /// Sum of the lines.
    pub sub_total: i64,
    /// Discount of each voucher, in the order given.
    pub voucher_discounts: Vec<i64>,
    /// The promotion applied and its discount.
    pub promotion: Option<(Promotion, i64)>,
    /// All discounts.
    pub total_discounts: i64,
    /// Delivery.
    pub delivery: i64,
    /// What the customer pays: the discounted subtotal (never below zero) plus delivery.
    pub total: i64,
}

/// Prices a cart with subtotal `sub_total`, vouchers of `voucher_percents` (0 for a voucher
/// that gives no discount), the available `promotions` and `delivery` (see [`delivery_cents`]).
pub fn price_cart(
    sub_total: i64,
    voucher_percents: &[i64],
    promotions: &[Promotion],
    delivery: i64,
) -> Priced {
    let sub_total = sub_total.max(0);
    let mut left = sub_total;
    let mut voucher_discounts = Vec::with_capacity(voucher_percents.len());
    for percent in voucher_percents {
        let discount = (sub_total * (*percent).clamp(0, 100) / 100).min(left);
        left -= discount;
        voucher_discounts.push(discount);
    }
    let promotion = promotions
        .iter()
        .filter(|p| sub_total > 0 && sub_total >= p.threshold_cents)
        .max_by_key(|p| p.percent)
        .map(|p| (p.clone(), left * p.percent.clamp(0, 100) / 100));
    if let Some((_, discount)) = &promotion {
        left -= discount;
    }
    Priced {
        sub_total,
        voucher_discounts,
        promotion,
        total_discounts: sub_total - left,
        delivery: delivery.max(0),
        total: left + delivery.max(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promo(threshold_cents: i64, percent: i64) -> Promotion {
        Promotion {
            code: format!("P{percent}"),
            description: String::new(),
            threshold_cents,
            percent,
        }
    }

    #[test]
    fn no_vouchers_no_promotion_costs_the_subtotal() {
        let p = price_cart(12_345, &[], &[promo(20_000, 3)], 0);
        assert_eq!(p.total, 12_345);
        assert_eq!(p.total_discounts, 0);
        assert!(p.promotion.is_none());
    }

    #[test]
    fn vouchers_take_percent_of_the_subtotal_then_the_best_promotion_applies() {
        let p = price_cart(100_000, &[10, 5], &[promo(20_000, 3), promo(100_000, 8)], 0);
        assert_eq!(p.voucher_discounts, vec![10_000, 5_000]);
        let (applied, discount) = p.promotion.expect("promotion");
        assert_eq!(applied.percent, 8);
        assert_eq!(discount, 85_000 * 8 / 100);
        assert_eq!(p.total, 85_000 - 6_800);
        assert_eq!(p.total_discounts, 100_000 - p.total);
    }

    #[test]
    fn discounts_never_exceed_the_subtotal() {
        let p = price_cart(1_000, &[80, 50, 100], &[promo(0, 50)], 0);
        assert_eq!(p.voucher_discounts, vec![800, 200, 0]);
        assert_eq!(p.total, 0);
        assert_eq!(p.total_discounts, 1_000);
    }

    #[test]
    fn an_empty_cart_gets_no_promotion() {
        assert!(price_cart(0, &[], &[promo(0, 5)], 0).promotion.is_none());
    }

    #[test]
    fn delivery_is_added_after_the_discounts_and_free_when_nothing_is_paid_for() {
        let p = price_cart(1_000, &[100], &[], delivery_cents(true, false));
        assert_eq!(p.total_discounts, 1_000);
        assert_eq!(p.delivery, STANDARD_DELIVERY_CENTS);
        assert_eq!(
            p.total, STANDARD_DELIVERY_CENTS,
            "discounts never touch delivery"
        );
        assert_eq!(delivery_cents(true, true), 0, "free shipping");
        assert_eq!(
            delivery_cents(false, false),
            0,
            "an empty cart or gifts only"
        );
        let gift_voucher = price_cart(5_000, &[0], &[], 0);
        assert_eq!(gift_voucher.voucher_discounts, vec![0]);
        assert_eq!(gift_voucher.total, 5_000);
    }

    #[test]
    fn price_formats_dollars() {
        let p = price(123_456);
        assert_eq!(p.formatted_value, "$1,234.56");
        assert_eq!(p.currency_iso, "USD");
    }
}
