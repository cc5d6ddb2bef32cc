//! Starting an emulation: the reason the agent gives.

use super::{DomainError, DomainResult};
use crate::ports::CustomerStatus;
use asm_types::error_type;

/// Whether the customer may be emulated (or served, e.g. bound a cart): `NotFoundError` for
/// nobody of that id, `CannotEmulateAgentError` for an agent, `CustomerDisabledError` or
/// `CustomerConsentError` otherwise (`subject` is the customer id).
pub fn check_emulatable(customer_id: &str, status: Option<&CustomerStatus>) -> DomainResult<()> {
    let Some(status) = status else {
        return Err(DomainError::not_found("Customer").with_subject(customer_id));
    };
    let refusal = if status.is_agent {
        Some((
            error_type::CANNOT_EMULATE_AGENT,
            "Agents cannot be emulated.",
        ))
    } else if status.disabled {
        Some((
            error_type::CUSTOMER_DISABLED,
            "This customer's account is disabled and cannot be emulated.",
        ))
    } else if !status.consent {
        Some((
            error_type::NO_CONSENT,
            "This customer has not agreed to assisted service and cannot be emulated.",
        ))
    } else {
        None
    };
    match refusal {
        Some((kind, message)) => Err(DomainError::refused(kind, message).with_subject(customer_id)),
        None => Ok(()),
    }
}

/// Whether an agent who is not emulating `customer_id` may read the customer's personal data
/// (Customer 360°): only with the customer's consent to assisted service (`NotFoundError` for
/// nobody of that id, `CustomerConsentError` without consent; `subject` is the customer id). An
/// emulation needed the consent (and a reason) to start, so it needs no check here.
pub fn check_personal_data_read(
    customer_id: &str,
    status: Option<&CustomerStatus>,
) -> DomainResult<()> {
    let Some(status) = status else {
        return Err(DomainError::not_found("Customer").with_subject(customer_id));
    };
    if status.consent {
        Ok(())
    } else {
        Err(DomainError::refused(
            error_type::NO_CONSENT,
            "This customer has not agreed to assisted service: their personal data cannot be \
             read.",
        )
        .with_subject(customer_id))
    }
}

/// Longest emulation reason accepted.
pub const MAX_REASON_CHARS: usize = 500;

/// The reason, trimmed: required, at most [`MAX_REASON_CHARS`], no control characters.
pub fn checked_reason(reason: Option<&str>) -> Result<String, DomainError> {
    let reason = reason.unwrap_or_default();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(DomainError::invalid(
            "reason",
            format!("The reason must be at most {MAX_REASON_CHARS} characters long."),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "reason",
            "Say why you emulate this customer: a ticket ID or a short note.",
        ));
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(is_agent: bool, disabled: bool, consent: bool) -> CustomerStatus {
        CustomerStatus {
            name: "Linda Wolf".into(),
            email: "linda@example.com".into(),
            is_agent,
            disabled,
            consent,
        }
    }

    #[test]
    fn only_consenting_enabled_customers_may_be_emulated() {
        let kind =
            |s: Option<CustomerStatus>| check_emulatable("C-1", s.as_ref()).map_err(|e| e.kind());
        assert_eq!(kind(Some(status(false, false, true))), Ok(()));
        assert_eq!(kind(None), Err(error_type::NOT_FOUND));
        assert_eq!(
            kind(Some(status(true, false, true))),
            Err(error_type::CANNOT_EMULATE_AGENT)
        );
        assert_eq!(
            kind(Some(status(false, true, true))),
            Err(error_type::CUSTOMER_DISABLED)
        );
        assert_eq!(
            kind(Some(status(false, false, false))),
            Err(error_type::NO_CONSENT)
        );
        // An agent is refused as an agent even when disabled.
        assert_eq!(
            kind(Some(status(true, true, false))),
            Err(error_type::CANNOT_EMULATE_AGENT)
        );
    }

    #[test]
    fn personal_data_needs_the_customers_consent() {
        let kind = |s: Option<CustomerStatus>| {
            check_personal_data_read("C-1", s.as_ref()).map_err(|e| e.kind())
        };
        assert_eq!(kind(Some(status(false, false, true))), Ok(()));
        assert_eq!(kind(Some(status(false, true, true))), Ok(()));
        assert_eq!(
            kind(Some(status(false, false, false))),
            Err(error_type::NO_CONSENT)
        );
        assert_eq!(kind(None), Err(error_type::NOT_FOUND));
    }

    #[test]
    fn a_reason_is_required_trimmed_and_bounded() {
        assert_eq!(checked_reason(Some("  T-1 ")), Ok("T-1".into()));
        assert!(checked_reason(None).is_err());
        assert!(checked_reason(Some("   ")).is_err());
        assert!(checked_reason(Some("a\u{7}b")).is_err());
        assert!(checked_reason(Some(&"x".repeat(MAX_REASON_CHARS))).is_ok());
        assert!(checked_reason(Some(&"x".repeat(MAX_REASON_CHARS + 1))).is_err());
    }
}
