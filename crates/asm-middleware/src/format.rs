//! Formats of the wire: the one money type and RFC 3339 times.

use asm_types::{C360Money, Price};

/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// The store's one currency.
pub const CURRENCY: &str = "USD";

/// An amount in the store's currency, in cents: the middleware's one money type. The wire's
/// shapes of money — [`Price`], [`C360Money`] and formatted strings — are all made from it, so
/// they cannot disagree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

impl Money {
    /// The amount in cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// Formatted, e.g. `$1,234.50` (`-$0.05` below zero).
    pub fn formatted(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        let whole = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{sign}${grouped}.{:02}", cents % 100)
    }

    /// As the carts, orders and products send it.
    pub fn price(self) -> Price {
        Price {
            currency_iso: CURRENCY.to_owned(),
            value_cents: self.0,
            formatted_value: self.formatted(),
        }
    }

    /// As the Customer 360° fragments send it.
    pub fn c360(self) -> C360Money {
        C360Money {
            formatted: self.formatted(),
            cents: self.0,
            currency: CURRENCY.to_owned(),
        }
    }
}

/// `Money(cents).formatted()`: a money string, e.g. `$1,234.50`.
pub fn money(cents: i64) -> String {
    Money(cents).formatted()
}

/// Formats milliseconds since the epoch as RFC 3339 (UTC).
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The UTC day of milliseconds since the epoch, e.g. `2026-12-02` (for messages).
pub fn day(ms: i64) -> String {
    let t = rfc3339(ms);
    t.get(..10).unwrap_or(&t).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_is_the_utc_date() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(1_764_633_600_000 - 1), "2025-12-01");
        assert_eq!(day(1_764_633_600_000), "2025-12-02");
    }

    #[test]
    #[allow(clippy::inconsistent_digit_grouping)] // cents written as `dollars_cents`
    fn money_groups_thousands() {
        assert_eq!(money(0), "$0.00");
        assert_eq!(money(123_456_78), "$123,456.78");
        assert_eq!(money(-5), "-$0.05");
    }

    #[test]
    fn every_money_shape_agrees() {
        let m = Money(123_450);
        assert_eq!(m.price().formatted_value, m.c360().formatted);
        assert_eq!(m.price().value_cents, m.c360().cents);
        assert_eq!(m.price().currency_iso, m.c360().currency);
        assert_eq!(m.formatted(), "$1,234.50");
    }

    #[test]
    fn rfc3339_of_epoch() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
