//! Cart pricing rules, free of storage: vouchers take a percentage off the subtotal, then the
//! best promotion the subtotal qualifies for takes its percentage off what is left.

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
    /// What the customer pays (never below zero).
    pub total: i64,
}

/// Prices a cart with subtotal `sub_total`, vouchers of `voucher_percents` and the available
/// `promotions`.
pub fn price_cart(sub_total: i64, voucher_percents: &[i64], promotions: &[Promotion]) -> Priced {
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
        total: left,
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
        let p = price_cart(12_345, &[], &[promo(20_000, 3)]);
        assert_eq!(p.total, 12_345);
        assert_eq!(p.total_discounts, 0);
        assert!(p.promotion.is_none());
    }

    #[test]
    fn vouchers_take_percent_of_the_subtotal_then_the_best_promotion_applies() {
        let p = price_cart(100_000, &[10, 5], &[promo(20_000, 3), promo(100_000, 8)]);
        assert_eq!(p.voucher_discounts, vec![10_000, 5_000]);
        let (applied, discount) = p.promotion.expect("promotion");
        assert_eq!(applied.percent, 8);
        assert_eq!(discount, 85_000 * 8 / 100);
        assert_eq!(p.total, 85_000 - 6_800);
        assert_eq!(p.total_discounts, 100_000 - p.total);
    }

    #[test]
    fn discounts_never_exceed_the_subtotal() {
        let p = price_cart(1_000, &[80, 50, 100], &[promo(0, 50)]);
        assert_eq!(p.voucher_discounts, vec![800, 200, 0]);
        assert_eq!(p.total, 0);
        assert_eq!(p.total_discounts, 1_000);
    }

    #[test]
    fn an_empty_cart_gets_no_promotion() {
        assert!(price_cart(0, &[], &[promo(0, 5)]).promotion.is_none());
    }

    #[test]
    fn price_formats_dollars() {
        let p = price(123_456);
        assert_eq!(p.formatted_value, "$1,234.56");
        assert_eq!(p.currency_iso, "USD");
    }
}
