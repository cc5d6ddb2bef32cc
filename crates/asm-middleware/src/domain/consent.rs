//! The rules of the customer's consents (SAP OCC's consent templates): what may be given and
//! withdrawn. The input is checked before any backend is asked; the template and consent rules
//! are decided here on the backend's list of templates, so both backends answer alike.
//!
//! - A template id is 1–[`MAX_TEMPLATE_ID_CHARS`] letters, digits, `_`, `-` or `.`; a version is
//!   0..=[`MAX_VERSION`] (`ValidationError` naming the field).
//! - Giving a consent to an unknown template is `NotFoundError` (subject `consentTemplateId`); to
//!   another version than the template's current one `ValidationError` (subject
//!   `consentTemplateVersion`: the page was stale).
//! - Giving a consent that stands already is **idempotent**: the template comes back with the
//!   consent as it was (same code, same date) and nothing is written at the backend.
//! - Withdrawing names a consent code of this customer's current consents: another customer's,
//!   an old or an unknown code is `NotFoundError` (subject `consentCode`); withdrawing one that
//!   is withdrawn already is `ValidationError` ("already withdrawn", subject `consentCode`).

use crate::ports::{DomainError, DomainResult};
use asm_types::{ConsentInput, ConsentTemplate, ConsentTemplateList};

/// Longest template id, in characters.
pub const MAX_TEMPLATE_ID_CHARS: usize = 64;

/// Largest template version.
pub const MAX_VERSION: i64 = 1_000_000;

/// Longest consent code, in characters.
pub const MAX_CODE_CHARS: usize = 64;

fn token_ok(value: &str, max: usize) -> bool {
    !value.is_empty()
        && value.chars().count() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Checks the template id and version of a consent to give (the id trimmed).
pub fn checked_input(req: &ConsentInput) -> DomainResult<ConsentInput> {
    let id = req.consent_template_id.trim();
    if id.is_empty() {
        return Err(DomainError::invalid(
            "consentTemplateId",
            "Choose the consent template (consentTemplateId).",
        ));
    }
    if !token_ok(id, MAX_TEMPLATE_ID_CHARS) {
        return Err(DomainError::invalid(
            "consentTemplateId",
            format!(
                "A consent template id (consentTemplateId) is 1 to {MAX_TEMPLATE_ID_CHARS} letters, digits, '_', '-' or '.'."
            ),
        ));
    }
    if !(0..=MAX_VERSION).contains(&req.consent_template_version) {
        return Err(DomainError::invalid(
            "consentTemplateVersion",
            format!("A consent template version (consentTemplateVersion) is 0 to {MAX_VERSION}."),
        ));
    }
    Ok(ConsentInput {
        consent_template_id: id.to_owned(),
        consent_template_version: req.consent_template_version,
    })
}

/// Checks a consent code of a withdrawal (path segment).
pub fn checked_code(code: &str) -> DomainResult<String> {
    let code = code.trim();
    if !token_ok(code, MAX_CODE_CHARS) {
        return Err(DomainError::invalid(
            "consentCode",
            format!("A consent code is 1 to {MAX_CODE_CHARS} letters, digits, '_', '-' or '.'."),
        ));
    }
    Ok(code.to_owned())
}

/// What giving a consent comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Give {
    /// Give it (the template, as it is before).
    Give(ConsentTemplate),
    /// It stands already: answer the template as it is, write nothing.
    AlreadyGiven(ConsentTemplate),
}

/// Decides a checked `req` on the customer's `templates`.
pub fn to_give(templates: &ConsentTemplateList, req: &ConsentInput) -> DomainResult<Give> {
    let Some(template) = templates
        .consent_templates
        .iter()
        .find(|t| t.id == req.consent_template_id)
    else {
        return Err(DomainError::refused(
            asm_types::error_type::NOT_FOUND,
            format!(
                "There is no consent template {} (consentTemplateId).",
                req.consent_template_id
            ),
        )
        .with_subject("consentTemplateId"));
    };
    if template.version != req.consent_template_version {
        return Err(DomainError::invalid(
            "consentTemplateVersion",
            format!(
                "The consent template {} is at version {}, not {} (consentTemplateVersion); reload the page and try again.",
                template.id, template.version, req.consent_template_version
            ),
        ));
    }
    Ok(if template.given() {
        Give::AlreadyGiven(template.clone())
    } else {
        Give::Give(template.clone())
    })
}

/// The template whose current consent `code` is, to withdraw it.
pub fn to_withdraw(templates: &ConsentTemplateList, code: &str) -> DomainResult<ConsentTemplate> {
    let Some(template) = templates
        .consent_templates
        .iter()
        .find(|t| t.current_consent.as_ref().is_some_and(|c| c.code == code))
    else {
        return Err(DomainError::refused(
            asm_types::error_type::NOT_FOUND,
            format!("The customer has no consent {code} to withdraw."),
        )
        .with_subject("consentCode"));
    };
    if !template.given() {
        return Err(DomainError::invalid(
            "consentCode",
            format!(
                "The consent {code} to {} was already withdrawn.",
                template.id
            ),
        ));
    }
    Ok(template.clone())
}

/// The audit detail of a given consent.
pub fn give_detail(template: &ConsentTemplate, already: bool) -> String {
    let code = template
        .current_consent
        .as_ref()
        .map(|c| c.code.as_str())
        .unwrap_or("");
    let already = if already { " (already given)" } else { "" };
    format!(
        "consent {code} to {} version {}{already}",
        template.id, template.version
    )
}

/// The audit detail of a withdrawn consent.
pub fn withdraw_detail(template: &ConsentTemplate, code: &str) -> String {
    format!(
        "consent {code} to {} version {} withdrawn",
        template.id, template.version
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use asm_types::{error_type, Consent};

    fn templates() -> ConsentTemplateList {
        let t = |id: &str, consent: Option<Consent>| ConsentTemplate {
            id: id.into(),
            name: id.into(),
            description: "d".into(),
            version: 1,
            current_consent: consent,
        };
        ConsentTemplateList {
            consent_templates: vec![
                t("MARKETING_NEWSLETTER", None),
                t(
                    "STORE_USER_INFORMATION",
                    Some(Consent {
                        code: "c1".into(),
                        consent_given_date: "2026-01-01T00:00:00Z".into(),
                        consent_withdrawn_date: None,
                    }),
                ),
                t(
                    "PERSONALIZATION",
                    Some(Consent {
                        code: "c2".into(),
                        consent_given_date: "2026-01-01T00:00:00Z".into(),
                        consent_withdrawn_date: Some("2026-01-02T00:00:00Z".into()),
                    }),
                ),
            ],
        }
    }

    fn input(id: &str, version: i64) -> ConsentInput {
        ConsentInput {
            consent_template_id: id.into(),
            consent_template_version: version,
        }
    }

    fn refusal<T: std::fmt::Debug>(r: DomainResult<T>) -> (&'static str, Option<String>) {
        match r {
            Err(DomainError::Refused { kind, subject, .. }) => (kind, subject),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn template_ids_and_versions_are_checked_first() {
        assert_eq!(
            checked_input(&input(" MARKETING_NEWSLETTER ", 1))
                .expect("valid")
                .consent_template_id,
            "MARKETING_NEWSLETTER"
        );
        for bad in ["", " ", "a b", "x/y", "<script>", &"A".repeat(65), "é"] {
            assert_eq!(
                refusal(checked_input(&input(bad, 1))),
                (error_type::VALIDATION, Some("consentTemplateId".into())),
                "{bad:?}"
            );
        }
        for bad in [-1, MAX_VERSION + 1] {
            assert_eq!(
                refusal(checked_input(&input("X", bad))),
                (
                    error_type::VALIDATION,
                    Some("consentTemplateVersion".into())
                )
            );
        }
        assert_eq!(
            refusal(checked_code("../x")),
            (error_type::VALIDATION, Some("consentCode".into()))
        );
    }

    #[test]
    fn giving_needs_a_known_template_at_its_version_and_is_idempotent() {
        let ts = templates();
        assert!(matches!(
            to_give(&ts, &input("MARKETING_NEWSLETTER", 1)),
            Ok(Give::Give(_))
        ));
        assert!(
            matches!(
                to_give(&ts, &input("PERSONALIZATION", 1)),
                Ok(Give::Give(_))
            ),
            "a withdrawn consent may be given again"
        );
        assert!(matches!(
            to_give(&ts, &input("STORE_USER_INFORMATION", 1)),
            Ok(Give::AlreadyGiven(_))
        ));
        assert_eq!(
            refusal(to_give(&ts, &input("NOPE", 1))),
            (error_type::NOT_FOUND, Some("consentTemplateId".into()))
        );
        assert_eq!(
            refusal(to_give(&ts, &input("MARKETING_NEWSLETTER", 2))),
            (
                error_type::VALIDATION,
                Some("consentTemplateVersion".into())
            )
        );
    }

    #[test]
    fn withdrawing_needs_a_standing_consent_of_the_customer() {
        let ts = templates();
        assert_eq!(
            to_withdraw(&ts, "c1").expect("given").id,
            "STORE_USER_INFORMATION"
        );
        assert_eq!(
            refusal(to_withdraw(&ts, "c2")),
            (error_type::VALIDATION, Some("consentCode".into()))
        );
        assert_eq!(
            refusal(to_withdraw(&ts, "someone-elses")),
            (error_type::NOT_FOUND, Some("consentCode".into()))
        );
    }
}
