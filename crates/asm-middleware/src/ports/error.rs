//! The one error type of the domain and its ports. The HTTP edge (`http/error.rs`) maps it to a status — from its stable
//! error `type` — and the wire body; ports and backends return it too, so a refusal by SAP or by
//! the embedded shop reaches the agent the same way.

use asm_types::{error_type, ApiError};

/// A rule said no, or a part of the system failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// A rule refused the request: `kind` is one of [`asm_types::error_type`].
    Refused {
        /// The stable error type.
        kind: &'static str,
        /// What happened, for the agent.
        message: String,
        /// The field or thing concerned, when there is one.
        subject: Option<String>,
    },
    /// Several fields are invalid (each a `ValidationError` with its subject).
    Fields(Vec<ApiError>),
    /// No agent session, or it ended.
    SignedOut,
    /// Too many failed sign-ins; retry after this many seconds.
    Throttled {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A store or backend cannot be reached now; the request may be retried. The text is
    /// logged, not sent.
    Unavailable(String),
    /// The commerce backend did not answer, or answered something unexpected; the request may
    /// be retried. The text is for the agent (e.g. "SAP Commerce did not answer.").
    BackendUnavailable(String),
    /// A bug or corrupt data; the detail is logged, not sent.
    Internal(String),
}

/// Result of domain and port operations.
pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// A refusal of type `kind`.
    pub fn refused(kind: &'static str, message: impl Into<String>) -> Self {
        DomainError::Refused {
            kind,
            message: message.into(),
            subject: None,
        }
    }

    /// A `ValidationError` about `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::refused(error_type::VALIDATION, message).with_subject(field)
    }

    /// A `NotFoundError`: "`what` not found."
    pub fn not_found(what: &str) -> Self {
        Self::refused(error_type::NOT_FOUND, format!("{what} not found."))
    }

    /// An internal error with a detail for the log.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        DomainError::Internal(detail.to_string())
    }

    /// The same refusal about `subject`.
    pub fn with_subject(self, subject: impl Into<String>) -> Self {
        match self {
            DomainError::Refused { kind, message, .. } => DomainError::Refused {
                kind,
                message,
                subject: Some(subject.into()),
            },
            other => other,
        }
    }

    /// The wire form of the error (the first one, for several fields). Internal details stay
    /// out of it.
    pub fn into_api_error(self) -> ApiError {
        let kind = self.kind().to_owned();
        let error = |message: &str| ApiError {
            kind: kind.clone(),
            message: message.to_owned(),
            reason: None,
            subject: None,
        };
        match self {
            DomainError::Refused {
                message, subject, ..
            } => ApiError {
                subject,
                ..error(&message)
            },
            DomainError::Fields(errors) => errors
                .into_iter()
                .next()
                .unwrap_or_else(|| error("A field is invalid.")),
            DomainError::SignedOut => error("Your agent session has ended. Please sign in again."),
            DomainError::Throttled { .. } => error("Too many failed sign-ins. Try again later."),
            DomainError::Unavailable(_) => error(
                "The server cannot reach its database just now. Please try again in a few seconds.",
            ),
            DomainError::BackendUnavailable(message) => error(&message),
            DomainError::Internal(_) => error("The server failed to answer. Please try again."),
        }
    }

    /// The stable error type of the wire body.
    pub fn kind(&self) -> &'static str {
        match self {
            DomainError::Refused { kind, .. } => kind,
            DomainError::Fields(_) => error_type::VALIDATION,
            DomainError::SignedOut => error_type::INVALID_TOKEN,
            DomainError::Throttled { .. } => error_type::TOO_MANY_ATTEMPTS,
            DomainError::Unavailable(_) | DomainError::BackendUnavailable(_) => {
                error_type::UNAVAILABLE
            }
            DomainError::Internal(_) => error_type::INTERNAL,
        }
    }
}

impl From<crate::ports::StoreError> for DomainError {
    fn from(e: crate::ports::StoreError) -> Self {
        match e {
            crate::ports::StoreError::Unavailable(m) => DomainError::Unavailable(m),
            crate::ports::StoreError::Internal(m) => DomainError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_type_and_subject() {
        let e = DomainError::invalid("cartId", "No such cart.");
        assert_eq!(e.kind(), error_type::VALIDATION);
        assert_eq!(
            e,
            DomainError::Refused {
                kind: error_type::VALIDATION,
                message: "No such cart.".into(),
                subject: Some("cartId".into()),
            }
        );
        assert_eq!(DomainError::not_found("Cart").kind(), error_type::NOT_FOUND);
        assert_eq!(
            DomainError::Unavailable("down".into()).kind(),
            error_type::UNAVAILABLE
        );
    }
}
