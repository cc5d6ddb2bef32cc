//! The one error answer of the API: a status code plus `{ "errors": [ ... ] }`.

use crate::domain::DomainError;
use asm_types::{error_type, ErrorList};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A failed request: turned into a JSON error body with a stable `type`.
#[derive(Debug)]
pub struct Failure {
    /// HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorList,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl Failure {
    /// A failure with one error.
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorList::single(kind, message),
            retry_after: None,
        }
    }

    /// Adds a subject (e.g. the offending parameter) to the first error.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        if let Some(first) = self.body.errors.first_mut() {
            first.subject = Some(subject.into());
        }
        self
    }

    /// Adds a `Retry-After` of `seconds`.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 401: no session or it expired.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            error_type::INVALID_TOKEN,
            "Your agent session has ended. Please sign in again.",
        )
    }

    /// 400 for a bad parameter.
    pub fn validation(subject: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error_type::VALIDATION, message).with_subject(subject)
    }

    /// 404.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            error_type::NOT_FOUND,
            format!("{what} not found."),
        )
    }

    /// 500; the detail is logged (in the request's span), not sent. The message keeps the words
    /// `asm-middleware: internal error`: test scripts look for them in the log.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(detail = %detail, "asm-middleware: internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_type::INTERNAL,
            "The server failed to answer. Please try again.",
        )
    }
}

/// The HTTP status of an error type.
pub fn status_of(kind: &str) -> StatusCode {
    match kind {
        error_type::INVALID_CREDENTIALS | error_type::INVALID_TOKEN => StatusCode::UNAUTHORIZED,
        error_type::NOT_AN_AGENT
        | error_type::CSRF
        | error_type::FORBIDDEN
        | error_type::CUSTOMER_DISABLED
        | error_type::NO_CONSENT
        | error_type::CANNOT_EMULATE_AGENT
        | error_type::NOT_EMULATING => StatusCode::FORBIDDEN,
        error_type::NOT_FOUND => StatusCode::NOT_FOUND,
        error_type::TOO_MANY_ATTEMPTS | error_type::BUSY => StatusCode::TOO_MANY_REQUESTS,
        error_type::DUPLICATE_EMAIL | error_type::CART_CONFLICT => StatusCode::CONFLICT,
        error_type::UNAVAILABLE => StatusCode::SERVICE_UNAVAILABLE,
        error_type::SIGN_IN_PROVIDER => StatusCode::BAD_GATEWAY,
        error_type::INTERNAL => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Self {
        let kind = e.kind();
        match e {
            DomainError::Refused {
                kind,
                message,
                subject,
            } => {
                let f = Self::new(status_of(kind), kind, message);
                match subject {
                    Some(s) => f.with_subject(s),
                    None => f,
                }
            }
            DomainError::Fields(errors) => Self {
                status: StatusCode::BAD_REQUEST,
                body: ErrorList { errors },
                retry_after: None,
            },
            DomainError::SignedOut => Self::unauthenticated(),
            DomainError::Throttled { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    kind,
                    format!(
                        "Too many failed sign-ins. Try again in {}.",
                        crate::domain::throttle::minutes(retry_after)
                    ),
                )
            },
            DomainError::Unavailable(detail) => {
                tracing::warn!(detail = %detail, "unavailable: the database cannot be reached");
                Self {
                    retry_after: Some(5),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        kind,
                        "The server cannot reach its database just now. Please try again in a few seconds.",
                    )
                }
            }
            DomainError::BackendUnavailable(message) => Self {
                retry_after: Some(5),
                ..Self::new(StatusCode::SERVICE_UNAVAILABLE, kind, message)
            },
            DomainError::Internal(detail) => Self::internal(detail),
        }
    }
}

impl From<crate::ports::StoreError> for Failure {
    fn from(e: crate::ports::StoreError) -> Self {
        DomainError::from(e).into()
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, Failure>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A log writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_internal_error_is_logged_with_the_words_scripts_look_for() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .finish();
        let failure = tracing::subscriber::with_default(subscriber, || {
            Failure::internal("the disk is on fire")
        });
        assert_eq!(failure.status, StatusCode::INTERNAL_SERVER_ERROR);
        let log = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("utf-8");
        assert!(log.contains("asm-middleware: internal error"), "{log}");
        assert!(log.contains("the disk is on fire"), "{log}");
        assert!(
            !serde_json::to_string(&failure.body)
                .expect("json")
                .contains("fire"),
            "the detail is not sent"
        );
    }
}
