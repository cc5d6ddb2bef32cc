//! JSON, query and path extractors whose rejections use the API's one error body.

use crate::http::error::{ApiResult, Failure};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The client's IP address, when the server was started with connect info (not in unit tests).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// `axum::Json` with API errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Failure))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query` with API errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Failure))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` with API errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Failure))]
pub struct Path<T>(pub T);

impl From<JsonRejection> for Failure {
    fn from(r: JsonRejection) -> Self {
        let status = match r.status() {
            s @ (StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::PAYLOAD_TOO_LARGE) => s,
            _ => StatusCode::BAD_REQUEST,
        };
        Failure::new(status, asm_types::error_type::VALIDATION, r.body_text()).with_subject("body")
    }
}

impl From<QueryRejection> for Failure {
    fn from(r: QueryRejection) -> Self {
        Failure::validation("query", r.body_text())
    }
}

impl From<PathRejection> for Failure {
    fn from(r: PathRejection) -> Self {
        Failure::validation("path", r.body_text())
    }
}

/// Query with only the base site.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SiteParams {
    /// Base site (required).
    #[param(
        required = true,
        min_length = 1,
        pattern = r"\S",
        example = "electronics"
    )]
    pub base_site: Option<String>,
}

/// Checks a base site value: required, not blank; answers it trimmed.
pub fn require_base_site(base_site: Option<&str>) -> ApiResult<String> {
    match base_site.map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(Failure::validation(
            "baseSite",
            "The baseSite parameter is required.",
        )),
    }
}

/// The `baseSite` query parameter of the request, required (`ValidationError` with subject
/// `baseSite` when missing or blank). Document it with `params(SiteParams)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseSite(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseSite {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Query(p) = Query::<SiteParams>::from_request_parts(parts, state).await?;
        Ok(BaseSite(require_base_site(p.base_site.as_deref())?))
    }
}
