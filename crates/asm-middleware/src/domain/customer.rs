//! Customers an agent creates: what a valid request is.

use super::{DomainError, DomainResult};
use crate::ports::NewCustomer;
use asm_types::{error_type, ApiError, CustomerCreateRequest};

/// Longest first name, last name or e-mail address accepted.
pub const MAX_FIELD_CHARS: usize = 100;

/// Whether `email` looks like an e-mail address: one `@`, a non-empty local part, a domain with
/// a dot that neither starts nor ends with one, no whitespace or control characters.
pub fn email_shape_ok(email: &str) -> bool {
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Whether `text` holds a bidirectional control character (U+202A–U+202E embeddings and
/// overrides, U+2066–U+2069 isolates, U+200E/U+200F marks): in a name they make "Rtl\u{202E}gnp.exe"
/// show as "Rtlexe.png", so names refuse them.
pub fn has_bidi_control(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    })
}

fn field_error(subject: &str, message: String) -> ApiError {
    ApiError {
        kind: error_type::VALIDATION.to_owned(),
        message,
        reason: None,
        subject: Some(subject.to_owned()),
    }
}

/// Checks one required text field; returns the trimmed value or the field's error.
/// The length limit applies to the value as sent (as the OpenAPI `maxLength` says).
fn required(subject: &str, label: &str, value: &str) -> Result<String, ApiError> {
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(field_error(
            subject,
            format!("The {label} must be at most {MAX_FIELD_CHARS} characters long."),
        ));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(field_error(subject, format!("The {label} is required.")));
    }
    if value.chars().any(char::is_control) || has_bidi_control(value) {
        return Err(field_error(
            subject,
            format!("The {label} must not contain control characters."),
        ));
    }
    Ok(value.to_owned())
}

/// Validates every field of `req`, answering one error per bad field.
pub fn validate(req: &CustomerCreateRequest) -> DomainResult<NewCustomer> {
    let mut errors = Vec::new();
    let first_name = required("firstName", "first name", &req.first_name)
        .map_err(|e| errors.push(e))
        .ok();
    let last_name = required("lastName", "last name", &req.last_name)
        .map_err(|e| errors.push(e))
        .ok();
    let email = required("emailAddress", "email address", &req.email_address)
        .and_then(|e| {
            if email_shape_ok(&e) {
                Ok(e.to_lowercase())
            } else {
                Err(field_error(
                    "emailAddress",
                    "Enter a valid email address, e.g. name@example.com.".to_owned(),
                ))
            }
        })
        .map_err(|e| errors.push(e))
        .ok();
    match (first_name, last_name, email) {
        (Some(first_name), Some(last_name), Some(email)) => Ok(NewCustomer {
            first_name,
            last_name,
            email,
        }),
        _ => Err(DomainError::Fields(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        for ok in ["a@b.co", "Ada.Lovelace+x@mail.example.com"] {
            assert!(email_shape_ok(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a@b.", "a@@b.co", "a@b@c.co", "a b@c.co", "a@b..co",
        ] {
            assert!(!email_shape_ok(bad), "{bad}");
        }
    }

    #[test]
    fn bidi_controls_are_refused_in_names() {
        for bad in [
            "Rtl\u{202E}gnp.exe",
            "a\u{202A}",
            "\u{2066}x",
            "x\u{2069}",
            "\u{200E}",
            "\u{200F}y",
        ] {
            assert!(has_bidi_control(bad), "{bad:?}");
            let req = CustomerCreateRequest {
                first_name: bad.into(),
                last_name: "Lovelace".into(),
                email_address: "ada@example.com".into(),
            };
            let Err(DomainError::Fields(errors)) = validate(&req) else {
                panic!("refused: {bad:?}");
            };
            assert_eq!(errors[0].subject.as_deref(), Some("firstName"));
        }
        // Right-to-left scripts themselves are names like any other.
        assert!(!has_bidi_control("\u{5D3}\u{5E0}\u{5D4} Ali"));
        assert!(!has_bidi_control("Zoë O'Brien-Łukasz"));
    }

    #[test]
    fn validation_reports_every_bad_field() {
        let req = CustomerCreateRequest {
            first_name: " ".into(),
            last_name: "x".repeat(101),
            email_address: "nope".into(),
        };
        let Err(DomainError::Fields(errors)) = validate(&req) else {
            panic!("invalid fields expected");
        };
        let subjects: Vec<_> = errors
            .iter()
            .map(|e| e.subject.clone().unwrap_or_default())
            .collect();
        assert_eq!(subjects, ["firstName", "lastName", "emailAddress"]);
        let ok = validate(&CustomerCreateRequest {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            email_address: " Ada@Example.COM ".into(),
        })
        .expect("valid");
        assert_eq!(ok.first_name, "Ada");
        assert_eq!(ok.email, "ada@example.com");
    }
}
