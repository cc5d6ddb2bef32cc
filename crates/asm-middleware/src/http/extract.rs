//! JSON, query and path extractors whose rejections use the API's one error body.

use crate::http::error::{ApiResult, Failure};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The client's IP address: the TCP peer's, or — when the peer is one of the trusted proxies
/// (`--trusted-proxies`) — the client the proxies name in `Forwarded` or `X-Forwarded-For` (see
/// [`client_address`]). `None` without connect info (router tests that do not set it).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| client_address(c.0.ip(), &parts.headers, &state.config.trusted_proxies)),
        ))
    }
}

/// The client of a request from `peer`: `peer` itself unless it is a trusted proxy; then the
/// hops the proxies appended are read from the right (the header `Forwarded`, RFC 7239, else
/// `X-Forwarded-For`), skipping trusted proxies, and the first untrusted hop is the client. A
/// hop that is not an address (`unknown`, an obfuscated name) stops the walk at the last trusted
/// hop: a client cannot choose its own address by sending these headers to a trusted proxy,
/// which appends, and an untrusted peer's headers are never read.
pub fn client_address(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all(axum::http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let hops: Vec<Option<std::net::IpAddr>> = if !forwarded.is_empty() {
        forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| forwarded_node(v.trim()))
            })
            .collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| forwarded_node(hop.trim()))
            .collect()
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => return ip,
            None => return client,
        }
    }
    client
}

/// The address of a `Forwarded` `for=` node or an `X-Forwarded-For` hop: `192.0.2.1`,
/// `"192.0.2.1:4711"`, `"[2001:db8::1]:4711"`, `2001:db8::1`; `None` for anything else.
fn forwarded_node(node: &str) -> Option<std::net::IpAddr> {
    let node = node.trim_matches('"');
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
}

/// `axum::Json` with API errors; the body must be an object, and every string of it is bounded
/// ([`crate::http::bounds::check_json`]) before the handler sees it.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = Failure;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Failure> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        // Every body of the API is an object (serde would read a struct from an array too).
        if !value.is_object() {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                asm_types::error_type::VALIDATION,
                "The body must be a JSON object.",
            )
            .with_subject("body"));
        }
        crate::http::bounds::check_json(&value)?;
        serde_path_to_error::deserialize(value)
            .map(Json)
            .map_err(|e| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    asm_types::error_type::VALIDATION,
                    format!("Failed to deserialize the JSON body into the target type: {e}"),
                )
                .with_subject("body")
            })
    }
}

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

/// Checks a base site value: required, not blank, one of the configured sites
/// ([`crate::config::Config::allowed_base_sites`]); answers it trimmed.
pub fn require_base_site(
    config: &crate::config::Config,
    base_site: Option<&str>,
) -> ApiResult<String> {
    match base_site.map(str::trim) {
        Some(s) if !s.is_empty() => {
            if config.allowed_base_sites().any(|site| site == s) {
                Ok(s.to_owned())
            } else {
                Err(Failure::validation(
                    "baseSite",
                    "This baseSite is not a site of this server.",
                ))
            }
        }
        _ => Err(Failure::validation(
            "baseSite",
            "The baseSite parameter is required.",
        )),
    }
}

/// The `baseSite` query parameter of the request, required and one of the configured sites
/// (`ValidationError` with subject `baseSite` otherwise). Document it with `params(SiteParams)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseSite(pub String);

impl FromRequestParts<crate::AppState> for BaseSite {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let Query(p) = Query::<SiteParams>::from_request_parts(parts, state).await?;
        Ok(BaseSite(require_base_site(
            &state.config,
            p.base_site.as_deref(),
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use axum::http::HeaderMap;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header value"));
        }
        h
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let trusted = vec!["10.0.0.0/8".parse().expect("net")];
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(
            client_address(ip("192.0.2.9"), &h, &trusted),
            ip("192.0.2.9")
        );
        assert_eq!(client_address(ip("10.0.0.1"), &h, &[]), ip("10.0.0.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = vec![
            "10.0.0.0/8".parse().expect("net"),
            "::1/128".parse().expect("net"),
        ];
        // The client sent a forged hop; the proxy appended the real peer.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted),
            ip("203.0.113.7")
        );
        // `Forwarded` wins over `X-Forwarded-For`, with ports, quotes and IPv6.
        let h = headers(&[
            (
                "forwarded",
                r#"for="[2001:db8::7]:4711";proto=https, for=10.0.0.3"#,
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(client_address(ip("::1"), &h, &trusted), ip("2001:db8::7"));
        let h = headers(&[("forwarded", "for=\"192.0.2.43:47011\"")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted),
            ip("192.0.2.43")
        );
        // No header: the proxy itself; an unknown hop stops at the last trusted one.
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
        let h = headers(&[("forwarded", "for=unknown, for=10.0.0.5")]);
        assert_eq!(client_address(ip("10.0.0.1"), &h, &trusted), ip("10.0.0.5"));
    }
}
