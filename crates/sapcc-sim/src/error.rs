//! Error answers: OCC `ErrorList` (§4.12) and OAuth `{error, error_description}` (§2.1).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// One OCC error entry.
#[derive(Clone, Debug)]
pub struct ErrorEntry {
    pub kind: String,
    pub message: String,
    pub reason: Option<String>,
    pub subject: Option<String>,
    pub subject_type: Option<String>,
}

impl ErrorEntry {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        ErrorEntry {
            kind: kind.to_string(),
            message: message.into(),
            reason: None,
            subject: None,
            subject_type: None,
        }
    }

    pub fn validation(reason: &str, subject: &str, message: &str) -> Self {
        ErrorEntry {
            kind: "ValidationError".into(),
            message: message.into(),
            reason: Some(reason.into()),
            subject: Some(subject.into()),
            subject_type: Some("parameter".into()),
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn with_subject(mut self, subject: &str, subject_type: &str) -> Self {
        self.subject = Some(subject.into());
        self.subject_type = Some(subject_type.into());
        self
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind));
        m.insert("message".into(), json!(self.message));
        if let Some(r) = &self.reason {
            m.insert("reason".into(), json!(r));
        }
        if let Some(s) = &self.subject {
            m.insert("subject".into(), json!(s));
        }
        if let Some(s) = &self.subject_type {
            m.insert("subjectType".into(), json!(s));
        }
        Value::Object(m)
    }
}

/// An OCC error answer: a status and one or more entries.
#[derive(Clone, Debug)]
pub struct OccError {
    pub status: StatusCode,
    pub errors: Vec<ErrorEntry>,
}

impl OccError {
    pub fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        OccError {
            status,
            errors: vec![ErrorEntry::new(kind, message)],
        }
    }
    pub fn bad_request(kind: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind, message)
    }
    pub fn entries(status: StatusCode, errors: Vec<ErrorEntry>) -> Self {
        OccError { status, errors }
    }
    /// 403 "Access is denied" (§1.3, §3.0).
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "ForbiddenError", "Access is denied")
    }
    /// 401 without any bearer.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedError",
            "Full authentication is required to access this resource",
        )
    }
    pub fn missing_param(name: &str) -> Self {
        Self::bad_request(
            "MissingServletRequestParameterError",
            format!("Required String parameter '{name}' is not present"),
        )
    }
    pub fn unknown_site(site: &str) -> Self {
        Self::bad_request(
            "InvalidResourceError",
            format!("Base site {site} doesn't exist"),
        )
    }
    pub fn unknown_user(id: &str) -> Self {
        Self::bad_request(
            "UnknownIdentifierError",
            format!("Cannot find user with propertyValue '{id}'"),
        )
    }
    pub fn cart_not_found() -> Self {
        OccError::entries(
            StatusCode::BAD_REQUEST,
            vec![ErrorEntry::new("CartError", "Cart not found.")
                .with_reason("notFound")
                .with_subject("cart", "cart")],
        )
    }
    pub fn bad_json(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "HttpMessageNotReadableError",
            format!("JSON parse error: {detail}"),
        )
    }
}

impl IntoResponse for OccError {
    fn into_response(self) -> Response {
        let body =
            json!({ "errors": self.errors.iter().map(ErrorEntry::to_json).collect::<Vec<_>>() });
        (self.status, axum::Json(body)).into_response()
    }
}

/// An OAuth error answer (`{error, error_description}`), or an empty-bodied one.
#[derive(Clone, Debug)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    pub empty_body: bool,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            empty_body: false,
        }
    }
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    pub fn invalid_client() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Bad client credentials",
        )
    }
    pub fn empty_401() -> Self {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "",
            description: String::new(),
            empty_body: true,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        if self.empty_body {
            return self.status.into_response();
        }
        let mut r = (
            self.status,
            axum::Json(json!({ "error": self.error, "error_description": self.description })),
        )
            .into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// An HTML error page (what the authorization server shows for a bad `redirect_uri` or a stale
/// CSRF token).
pub fn html_error(status: StatusCode, title: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>{status}</h1><p>{}</p></body></html>",
        crate::html_escape(title)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html;charset=UTF-8")],
        body,
    )
        .into_response()
}
