//! The one error answer of the API: a status code plus `{ "errors": [ ... ] }`.

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

    /// 500; the detail is logged, not sent.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("asm-middleware: internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_type::INTERNAL,
            "The server failed to answer. Please try again.",
        )
    }
}

impl From<r2d2_sqlite::rusqlite::Error> for Failure {
    fn from(e: r2d2_sqlite::rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl From<r2d2::Error> for Failure {
    fn from(e: r2d2::Error) -> Self {
        Self::internal(e)
    }
}

impl From<crate::domain::DomainError> for Failure {
    fn from(e: crate::domain::DomainError) -> Self {
        use crate::domain::DomainError as E;
        let kind = e.kind();
        match e {
            E::Invalid { field, message } => Self::validation(field, message),
            E::SignedOut => Self::unauthenticated(),
            E::Throttled { retry_after } => Self {
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
            E::NotEmulating => Self::new(
                StatusCode::FORBIDDEN,
                kind,
                "Start emulating this customer before acting for them.",
            ),
            E::Forbidden(message) => Self::new(StatusCode::FORBIDDEN, kind, message),
        }
    }
}

impl From<crate::ports::StoreError> for Failure {
    fn from(e: crate::ports::StoreError) -> Self {
        match e {
            crate::ports::StoreError::Unavailable(detail) => {
                eprintln!("asm-middleware: session store unavailable: {detail}");
                Self {
                    retry_after: Some(5),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        error_type::UNAVAILABLE,
                        "The server cannot reach its database just now. Please try again in a few seconds.",
                    )
                }
            }
            crate::ports::StoreError::Internal(detail) => Self::internal(detail),
        }
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
