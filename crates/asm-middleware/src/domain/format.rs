//! Formats of the wire: money strings and RFC 3339 times.

/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// Formats cents as a money string, e.g. `$1,234.50`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
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

/// Formats milliseconds since the epoch as RFC 3339 (UTC).
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::inconsistent_digit_grouping)] // cents written as `dollars_cents`
    fn money_groups_thousands() {
        assert_eq!(money(0), "$0.00");
        assert_eq!(money(123_456_78), "$123,456.78");
        assert_eq!(money(-5), "-$0.05");
    }

    #[test]
    fn rfc3339_of_epoch() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
