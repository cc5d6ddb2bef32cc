//! The rules of the customer's address book: what an address must hold. Checked before the
//! backend is asked, so both backends refuse alike.

use super::support::title;
use crate::ports::{DomainError, DomainResult};
use asm_types::{AddressInput, CountryRef};

/// Longest postal code, in characters.
pub const MAX_POSTAL_CHARS: usize = 32;

/// An optional single line: `None` when blank, else checked like a required one.
fn optional(field: &str, value: Option<&str>, what: &str) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => title(field, v, what).map(Some),
    }
}

/// Checks an address: names, street, town and postal code present and single-line, a
/// two-letter country code (made upper case), an optional second line and phone.
pub fn checked_address(req: &AddressInput) -> DomainResult<AddressInput> {
    let postal_code = title("postalCode", &req.postal_code, "the postal code")?;
    if postal_code.chars().count() > MAX_POSTAL_CHARS {
        return Err(DomainError::invalid(
            "postalCode",
            format!("At most {MAX_POSTAL_CHARS} characters."),
        ));
    }
    let country = req.country.isocode.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(DomainError::invalid(
            "country",
            "Choose the country (its two-letter code, e.g. US).",
        ));
    }
    Ok(AddressInput {
        first_name: title("firstName", &req.first_name, "the first name")?,
        last_name: title("lastName", &req.last_name, "the last name")?,
        line1: title("line1", &req.line1, "the street and number")?,
        line2: optional("line2", req.line2.as_deref(), "the second line")?,
        town: title("town", &req.town, "the town")?,
        postal_code,
        country: CountryRef { isocode: country },
        phone: optional("phone", req.phone.as_deref(), "the phone number")?,
        default_address: req.default_address,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AddressInput {
        AddressInput {
            first_name: " Linda ".into(),
            last_name: "Wolf".into(),
            line1: "1 Main St".into(),
            line2: Some("  ".into()),
            town: "Boston".into(),
            postal_code: "02110".into(),
            country: CountryRef {
                isocode: "us".into(),
            },
            phone: None,
            default_address: false,
        }
    }

    #[test]
    fn an_address_is_trimmed_and_its_country_upper_case() {
        let a = checked_address(&input()).expect("valid");
        assert_eq!(a.first_name, "Linda");
        assert_eq!(a.line2, None, "a blank second line is none");
        assert_eq!(a.country.isocode, "US");
    }

    #[test]
    fn missing_or_bad_fields_are_named() {
        let subject = |f: &dyn Fn(&mut AddressInput)| {
            let mut a = input();
            f(&mut a);
            match checked_address(&a) {
                Err(DomainError::Refused { subject, .. }) => subject,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(subject(&|a| a.town = " ".into()).as_deref(), Some("town"));
        assert_eq!(
            subject(&|a| a.country.isocode = "USA".into()).as_deref(),
            Some("country")
        );
        assert_eq!(
            subject(&|a| a.postal_code = "1".repeat(33)).as_deref(),
            Some("postalCode")
        );
        assert_eq!(
            subject(&|a| a.line1 = "1 Main\u{0}St".into()).as_deref(),
            Some("line1")
        );
    }
}
