//! The domain's one error type; `error.rs` at the HTTP edge maps it to a status and the wire body.

use asm_types::error_type;

/// A rule said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// A field is missing or malformed (`field` names it).
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong, for the agent.
        message: String,
    },
    /// No agent session, or it ended.
    SignedOut,
    /// Too many failed sign-ins; retry after this many seconds.
    Throttled {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The agent is not emulating this customer.
    NotEmulating,
    /// The agent may not do this (e.g. only sales managers place orders).
    Forbidden(String),
}

impl DomainError {
    /// The stable error type of the wire body.
    pub fn kind(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => error_type::VALIDATION,
            DomainError::SignedOut => error_type::INVALID_TOKEN,
            DomainError::Throttled { .. } => error_type::TOO_MANY_ATTEMPTS,
            DomainError::NotEmulating => error_type::NOT_EMULATING,
            DomainError::Forbidden(_) => error_type::FORBIDDEN,
        }
    }
}
