//! Starting an emulation: the reason the agent gives.

use super::DomainError;

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
