//! SAP's wire formats: dates (`yyyy-MM-dd'T'HH:mm:ss+0000`) and money (`Price`, formatted strings).

use serde_json::{json, Value};

/// A point in time as SAP writes it: `2026-09-28T10:23:55+0000` (UTC, no colon in the offset).
pub fn date(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+0000",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A currency of a simulated store.
#[derive(Clone, Debug)]
pub struct Currency {
    pub iso: &'static str,
    pub symbol: &'static str,
    pub name: &'static str,
}

pub const USD: Currency = Currency {
    iso: "USD",
    symbol: "$",
    name: "US Dollar",
};
pub const GBP: Currency = Currency {
    iso: "GBP",
    symbol: "£",
    name: "Pound",
};

/// `$1,199.70` for 119970 cents.
pub fn formatted(cents: i64, currency: &Currency) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{}{grouped}.{:02}", currency.symbol, abs % 100)
}

/// OCC `Price { currencyIso, value, formattedValue, priceType }`.
pub fn price(cents: i64, currency: &Currency) -> Value {
    json!({
        "currencyIso": currency.iso,
        "value": cents as f64 / 100.0,
        "formattedValue": formatted(cents, currency),
        "priceType": "BUY",
    })
}

/// Removes `null` members recursively: SAP omits null values (empty lists stay).
pub fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_sap_formatted() {
        assert_eq!(date(0), "1970-01-01T00:00:00+0000");
        assert_eq!(date(1_657_218_343), "2022-07-07T18:25:43+0000");
        assert_eq!(date(951_782_400), "2000-02-29T00:00:00+0000");
    }

    #[test]
    fn money_is_formatted() {
        assert_eq!(formatted(19970, &USD), "$199.70");
        assert_eq!(formatted(119_970, &USD), "$1,199.70");
        assert_eq!(formatted(0, &USD), "$0.00");
        assert_eq!(formatted(-500, &GBP), "-£5.00");
        assert_eq!(formatted(123_456_789, &USD), "$1,234,567.89");
    }

    #[test]
    fn nulls_are_omitted_lists_kept() {
        let v = strip_nulls(json!({"a": null, "b": [], "c": {"d": null, "e": 1}}));
        assert_eq!(v, json!({"b": [], "c": {"e": 1}}));
    }
}
