//! The "create customer" form's rules: its fields, the checks the overlay makes before asking
//! the server (the server's own, so a form that passes them is not refused for its shape), and
//! where the server's per-field errors belong.

use crate::i18n::{I18n, Msg};
use asm_types::CustomerCreateRequest;

/// Longest first name, last name or e-mail the server accepts (characters).
pub const MAX_NAME_CHARS: usize = 100;
/// Longest emulation reason the server accepts (characters).
pub const MAX_REASON_CHARS: usize = 500;

/// A field of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// E-mail address (the new customer's login).
    Email,
    /// The reason for the emulation that starts once the customer exists.
    Reason,
}

impl Field {
    /// Every field, in the form's order.
    pub const ALL: [Field; 4] = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Reason,
    ];

    /// The field's label.
    pub fn label(self) -> Msg {
        match self {
            Field::FirstName => Msg::FieldFirstName,
            Field::LastName => Msg::FieldLastName,
            Field::Email => Msg::FieldEmail,
            Field::Reason => Msg::ReasonLabel,
        }
    }

    /// The name the server gives the field in an error's `subject`.
    pub fn subject(self) -> &'static str {
        match self {
            Field::FirstName => "firstName",
            Field::LastName => "lastName",
            Field::Email => "emailAddress",
            Field::Reason => "reason",
        }
    }

    /// The field a server error's `subject` names, if it is one of the form's.
    pub fn from_subject(subject: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.subject() == subject)
    }

    /// The element id of the field's input in the overlay.
    pub fn input_id(self) -> &'static str {
        match self {
            Field::FirstName => "asm-create-first-name",
            Field::LastName => "asm-create-last-name",
            Field::Email => "asm-create-email",
            Field::Reason => "asm-create-reason",
        }
    }

    fn max_chars(self) -> usize {
        match self {
            Field::Reason => MAX_REASON_CHARS,
            _ => MAX_NAME_CHARS,
        }
    }
}

/// Whether `email` is a plausible e-mail address (the server's rule): one `@`, something
/// before it, a domain with an inner dot, no spaces or control characters.
pub fn plausible_email(email: &str) -> bool {
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

/// What is wrong with `value` in `field`, or `None` when it may be sent.
pub fn check(i18n: I18n, field: Field, value: &str) -> Option<String> {
    let label = i18n.t(field.label());
    if value.chars().count() > field.max_chars() {
        let max = crate::i18n::number(i18n.locale_untracked(), field.max_chars() as f64);
        return Some(i18n.field_too_long(&label, &max));
    }
    let value = value.trim();
    if value.is_empty() {
        return Some(match field {
            Field::Reason => i18n.t(Msg::FieldReasonNeeded),
            _ => i18n.field_required(&label),
        });
    }
    if value.chars().any(char::is_control) {
        return Some(i18n.field_control(&label));
    }
    if field == Field::Email && !plausible_email(value) {
        return Some(i18n.t(Msg::FieldEmailInvalid));
    }
    None
}

/// The form's values as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Emulation reason.
    pub reason: String,
}

impl Form {
    /// The value of `field`.
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::Email => &self.email,
            Field::Reason => &self.reason,
        }
    }

    /// Every field's problem, in the form's order (empty: the form may be sent).
    pub fn problems(&self, i18n: I18n) -> Vec<(Field, String)> {
        Field::ALL
            .into_iter()
            .filter_map(|f| check(i18n, f, self.value(f)).map(|m| (f, m)))
            .collect()
    }

    /// The creation request (trimmed values).
    pub fn request(&self) -> CustomerCreateRequest {
        CustomerCreateRequest {
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
            email_address: self.email.trim().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> I18n {
        I18n::new(Vec::new())
    }

    fn filled() -> Form {
        Form {
            first_name: "Max".into(),
            last_name: "Mustermann".into(),
            email: "max@example.com".into(),
            reason: "Ticket 1".into(),
        }
    }

    #[test]
    fn a_complete_form_has_no_problem_and_is_sent_trimmed() {
        let mut form = filled();
        assert!(form.problems(en()).is_empty());
        form.first_name = "  Max ".into();
        form.email = " max@example.com ".into();
        assert!(form.problems(en()).is_empty());
        let req = form.request();
        assert_eq!(req.first_name, "Max");
        assert_eq!(req.email_address, "max@example.com");
    }

    #[test]
    fn every_field_is_required() {
        let problems = Form::default().problems(en());
        let fields: Vec<Field> = problems.iter().map(|p| p.0).collect();
        assert_eq!(fields, Field::ALL.to_vec());
        assert_eq!(problems[0].1, "First name is required.");
        assert_eq!(
            check(en(), Field::LastName, "   "),
            Some("Last name is required.".into())
        );
        assert!(check(en(), Field::Reason, "").is_some_and(|m| m.contains("reason")));
    }

    #[test]
    fn lengths_are_the_servers() {
        assert_eq!(check(en(), Field::FirstName, &"a".repeat(100)), None);
        assert!(check(en(), Field::FirstName, &"a".repeat(101)).is_some_and(|m| m.contains("100")));
        // Characters, not bytes.
        assert_eq!(check(en(), Field::LastName, &"ö".repeat(100)), None);
        assert_eq!(check(en(), Field::Reason, &"r".repeat(500)), None);
        assert!(check(en(), Field::Reason, &"r".repeat(501)).is_some());
        let long_email = format!("{}@example.com", "a".repeat(90));
        assert!(check(en(), Field::Email, &long_email).is_some());
    }

    #[test]
    fn emails_must_be_plausible() {
        for ok in ["max@example.com", "a.b+c@mail.example.org", "ö@bücher.de"] {
            assert!(plausible_email(ok), "{ok}");
            assert_eq!(check(en(), Field::Email, ok), None, "{ok}");
        }
        for bad in [
            "max",
            "max@",
            "@example.com",
            "max@example",
            "max@@example.com",
            "a@b@example.com",
            "max@.example.com",
            "max@example.com.",
            "max@example..com",
            "max mustermann@example.com",
        ] {
            assert!(!plausible_email(bad), "{bad}");
            assert!(
                check(en(), Field::Email, bad).is_some_and(|m| m.contains("valid e-mail")),
                "{bad}"
            );
        }
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(check(en(), Field::FirstName, "Max\u{0}").is_some_and(|m| m.contains("control")));
    }

    #[test]
    fn server_subjects_map_to_fields() {
        assert_eq!(Field::from_subject("firstName"), Some(Field::FirstName));
        assert_eq!(Field::from_subject("lastName"), Some(Field::LastName));
        assert_eq!(Field::from_subject("emailAddress"), Some(Field::Email));
        assert_eq!(Field::from_subject("reason"), Some(Field::Reason));
        assert_eq!(Field::from_subject("baseSite"), None);
    }
}
