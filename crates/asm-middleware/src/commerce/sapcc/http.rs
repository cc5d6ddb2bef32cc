//! Calls to SAP Commerce over HTTP: one client with timeouts, and what an answer means — JSON,
//! an empty body, SAP's `ErrorList` or OAuth error, or something unexpected (an HTML error page
//! of a proxy, garbage). Nothing here panics on what SAP sends.

use crate::metrics::Metrics;
use crate::ports::DomainError;
use asm_types::error_type;
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// "SAP Commerce did not answer": the text of a timeout or refused connection.
pub const NO_ANSWER: &str = "SAP Commerce did not answer. Please try again in a few seconds.";
/// The text of an answer that is not what SAP's contract says.
pub const UNEXPECTED: &str =
    "SAP Commerce answered something unexpected. Please try again in a few seconds.";

/// An answer of SAP Commerce, read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// The body (possibly empty).
    pub body: Vec<u8>,
    /// Whether the body says it is JSON.
    pub json: bool,
    /// The `Location` header (for the hosted login page's redirects).
    pub location: Option<String>,
}

/// One entry of SAP's `ErrorList` (`{"errors":[…]}`), or of an OAuth error (`error`,
/// `error_description`) normalised to the same shape.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SapError {
    /// e.g. `ValidationError`, `InvalidTokenError`.
    #[serde(rename = "type")]
    pub kind: String,
    /// SAP's message.
    pub message: String,
    /// e.g. `invalid`, `notFound`.
    pub reason: Option<String>,
    /// The field or thing concerned.
    pub subject: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBody {
    errors: Vec<SapError>,
    error: Option<String>,
    error_description: Option<String>,
}

impl Answer {
    /// The 2xx body as `T`; another status or a body that is not `T` is an error.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DomainError> {
        self.ok()?;
        serde_json::from_slice(&self.body).map_err(|e| {
            tracing::warn!(error = %e, "SAP Commerce answered unreadable JSON");
            DomainError::BackendUnavailable(UNEXPECTED.into())
        })
    }

    /// Success, whatever the body (SAP sends empty 200/201/204 bodies).
    pub fn ok(&self) -> Result<(), DomainError> {
        if self.status.is_success() {
            return Ok(());
        }
        Err(self.error())
    }

    /// SAP's first error entry, when the body is an `ErrorList` or an OAuth error.
    pub fn sap_error(&self) -> Option<SapError> {
        if !self.json && !self.body.starts_with(b"{") {
            return None;
        }
        let body: ErrorBody = serde_json::from_slice(&self.body).ok()?;
        if let Some(first) = body.errors.into_iter().next() {
            return Some(first);
        }
        body.error.map(|error| SapError {
            kind: error,
            message: body.error_description.unwrap_or_default(),
            reason: None,
            subject: None,
        })
    }

    /// Whether this is SAP's "access token expired or unknown" answer (§2.3): a 401 with
    /// `InvalidTokenError` or `InvalidBearerTokenError`, or an empty 401.
    pub fn token_expired(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
            && (self.body.iter().all(u8::is_ascii_whitespace)
                || self.sap_error().is_some_and(|e| {
                    e.kind == "InvalidTokenError" || e.kind == "InvalidBearerTokenError"
                }))
    }

    /// The error this non-2xx answer means for the agent: SAP's refusals keep SAP's message,
    /// under our stable error types; a 5xx or a body that is not SAP's error format is "SAP
    /// Commerce answered something unexpected".
    pub fn error(&self) -> DomainError {
        if self.status.is_server_error() {
            tracing::warn!(
                status = self.status.as_u16(),
                "SAP Commerce answered a server error"
            );
            return DomainError::BackendUnavailable(format!(
                "SAP Commerce did not answer (HTTP {}). Please try again in a few seconds.",
                self.status.as_u16()
            ));
        }
        let Some(e) = self.sap_error() else {
            if self.status == StatusCode::NOT_FOUND {
                return DomainError::not_found("Resource");
            }
            tracing::warn!(
                status = self.status.as_u16(),
                "SAP Commerce answered with a body that is not an error list"
            );
            return DomainError::BackendUnavailable(UNEXPECTED.into());
        };
        refusal(self.status, e)
    }
}

/// Our error type for one of SAP's refusals (SAP's message kept).
pub fn refusal(status: StatusCode, e: SapError) -> DomainError {
    let message = if e.message.trim().is_empty() {
        "SAP Commerce refused the request.".to_owned()
    } else {
        e.message.clone()
    };
    let kind = match (status, e.kind.as_str(), e.reason.as_deref()) {
        (StatusCode::UNAUTHORIZED, ..) => error_type::INVALID_TOKEN,
        (StatusCode::FORBIDDEN, ..) => error_type::FORBIDDEN,
        (_, "AssistedServiceDuplicatedUidError" | "DuplicateUidError", _) => {
            return DomainError::refused(error_type::DUPLICATE_EMAIL, message)
                .with_subject("emailAddress");
        }
        (_, "VoucherOperationError", _) => error_type::VOUCHER_INVALID,
        (_, "CancellationError", _) => error_type::CANCELLATION_REFUSED,
        (_, "ReturnRequestError", _) => error_type::RETURN_REFUSED,
        (_, "CancelReturnRequestError", _) => error_type::CANCEL_RETURN_REFUSED,
        (_, "NotFoundError" | "UnknownIdentifierError" | "UnknownResourceError", _)
        | (_, "CartError", Some("notFound"))
        | (StatusCode::NOT_FOUND, ..) => error_type::NOT_FOUND,
        (_, "InvalidResourceError", _) => {
            return DomainError::refused(error_type::VALIDATION, message).with_subject("baseSite");
        }
        _ => error_type::VALIDATION,
    };
    let error = DomainError::refused(kind, message);
    match e.subject {
        Some(s) if !s.is_empty() => error.with_subject(s),
        _ => error,
    }
}

/// The HTTP client for SAP Commerce: timeouts on every call, no redirects followed (the hosted
/// login page's 302 carries the authorization code).
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    metrics: Option<Arc<Metrics>>,
}

impl Http {
    /// A client whose every call ends after `timeout`, timed in `metrics` (`sapcc`).
    pub fn new(timeout: Duration, metrics: Option<Arc<Metrics>>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("asm-middleware/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for SAP Commerce: {e}"))?;
        Ok(Self { client, metrics })
    }

    /// The underlying client, to build requests with.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request` and reads the whole answer; a timeout or connection failure is "SAP
    /// Commerce did not answer".
    pub async fn send(&self, request: RequestBuilder) -> Result<Answer, DomainError> {
        let started = Instant::now();
        let answer = self.read(request).await;
        if let Some(metrics) = &self.metrics {
            let status = answer.as_ref().ok().map(|a| a.status.as_u16());
            metrics.call("sapcc", status, started.elapsed());
        }
        answer
    }

    async fn read(&self, request: RequestBuilder) -> Result<Answer, DomainError> {
        let response = request.send().await.map_err(|e| {
            tracing::warn!(error = %e, "SAP Commerce call failed");
            DomainError::BackendUnavailable(NO_ANSWER.into())
        })?;
        let status = response.status();
        let headers = response.headers();
        let json = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(|e| {
            tracing::warn!(error = %e, "SAP Commerce answer cut off");
            DomainError::BackendUnavailable(NO_ANSWER.into())
        })?;
        Ok(Answer {
            status,
            body: body.to_vec(),
            json,
            location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).expect("status"),
            body: body.as_bytes().to_vec(),
            json: true,
            location: None,
        }
    }

    #[test]
    fn expiry_is_only_the_token_errors_or_an_empty_401() {
        assert!(answer(
            401,
            r#"{"errors":[{"type":"InvalidTokenError","message":"x"}]}"#
        )
        .token_expired());
        assert!(answer(401, r#"{"errors":[{"type":"InvalidBearerTokenError"}]}"#).token_expired());
        assert!(answer(401, "").token_expired());
        assert!(!answer(401, r#"{"errors":[{"type":"AccessDeniedError"}]}"#).token_expired());
        assert!(!answer(400, r#"{"errors":[{"type":"InvalidTokenError"}]}"#).token_expired());
    }

    #[test]
    fn refusals_keep_sap_messages_under_our_types() {
        let e = answer(
            400,
            r#"{"errors":[{"type":"ValidationError","subject":"emailAddress","message":"This field is not a valid email addresss."}]}"#,
        )
        .error();
        assert_eq!(
            e,
            DomainError::refused(
                error_type::VALIDATION,
                "This field is not a valid email addresss."
            )
            .with_subject("emailAddress")
        );
        let dup = answer(
            400,
            r#"{"errors":[{"type":"AssistedServiceDuplicatedUidError","message":"Duplicate User id"}]}"#,
        )
        .error();
        assert_eq!(dup.kind(), error_type::DUPLICATE_EMAIL);
        assert_eq!(
            answer(400, r#"{"errors":[{"type":"CartError","reason":"notFound","message":"Cart not found."}]}"#)
                .error()
                .kind(),
            error_type::NOT_FOUND
        );
        assert_eq!(
            answer(
                403,
                r#"{"errors":[{"type":"ForbiddenError","message":"Access is denied"}]}"#
            )
            .error()
            .kind(),
            error_type::FORBIDDEN
        );
        let oauth = answer(
            400,
            r#"{"error":"invalid_grant","error_description":"Bad credentials"}"#,
        );
        assert_eq!(
            oauth.sap_error().map(|e| e.kind),
            Some("invalid_grant".to_owned())
        );
    }

    #[test]
    fn html_and_garbage_are_unexpected_and_5xx_unavailable() {
        let mut html = answer(502, "<html>Bad gateway</html>");
        html.json = false;
        assert_eq!(html.error().kind(), error_type::UNAVAILABLE);
        let mut page = answer(400, "<html>oops</html>");
        page.json = false;
        assert_eq!(
            page.error(),
            DomainError::BackendUnavailable(UNEXPECTED.into())
        );
        let garbage = answer(200, "{not json");
        assert_eq!(
            garbage.json::<serde_json::Value>(),
            Err(DomainError::BackendUnavailable(UNEXPECTED.into()))
        );
        assert!(answer(204, "").ok().is_ok());
    }
}
