//! The OpenAPI 3.1 document of the `/asm` API, generated from the code.
//!
//! Paths come from the `#[utoipa::path]` annotation on each handler: [`crate::http::api`]
//! registers handlers with `utoipa_axum::routes!`, which takes the route's path and method from
//! that annotation, so a route cannot be served without being documented (and
//! `tests/http/openapi.rs` checks the served router against the document). Schemas come from
//! `#[derive(ToSchema)]` on the wire types in `asm-types` (feature `openapi`).
//!
//! What the router's layers and extractors enforce on every route is added here, once, by
//! [`finish`]: the CSRF header and its 403 on state-changing operations, 401 on authenticated
//! ones, 400 for a malformed path, 415 for a body that is not JSON, 413 for one too large, 403 `NotEmulatingError` on
//! the operations done as the customer, the `X-ASM-Session-Expires` response header on
//! authenticated answers, the 500 answer and the 503 of load shedding (with `Retry-After`).
//! Handlers declare only their own answers.

use asm_types::openapi::ErrorType;
use asm_types::{ErrorList, EXPIRES_HEADER, REQUEST_HEADER, SESSION_COOKIE};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, Header, InfoBuilder, OpenApi as OpenApiDoc, Ref, RefOr, Required, Server,
};
use utoipa::OpenApi;

/// The tag of the operations done as the emulated customer (they all need the emulation).
pub const ACTING_AS_TAG: &str = "as customer";

/// Name of the cookie security scheme (the same as the cookie's name).
pub const SECURITY_SCHEME: &str = SESSION_COOKIE;

/// The base of the document: shared schemas and tags. Paths are added by the router.
#[derive(OpenApi)]
#[openapi(
    components(schemas(ErrorList, ErrorType)),
    tags(
        (name = "agents", description = "Agent sign-in, sign-out and the agent session."),
        (name = "customers", description = "Finding customers (search, autocomplete, lists), creating them, their carts, binding carts, and the customer 360 view."),
        (name = "sessions", description = "Assisted sessions: emulating a customer."),
        (name = "audit", description = "The audit log (sales managers only)."),
        (name = "catalogue", description = "The store's products (public)."),
        (name = "as customer", description = "Acting as the emulated customer: carts, entries, vouchers, orders, customer coupons and profile. Needs the agent's active emulation of that customer; every write is audited."),
    )
)]
pub struct ApiDoc;

/// Adds what every route shares (info, server, security scheme, CSRF header, expiry header,
/// 500 answer) to the document the router collected.
pub fn finish(mut doc: OpenApiDoc) -> OpenApiDoc {
    doc.info = InfoBuilder::new()
        .title("ASM middleware API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(description()))
        .build();
    doc.servers = Some(vec![Server::new("/asm")]);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SECURITY_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "Opaque agent session id in an httpOnly, SameSite=Strict cookie, set by \
             `POST /agents/login`. Every authenticated request extends the idle window.",
        ))),
    );
    for item in doc.paths.paths.values_mut() {
        let item = &mut *item;
        let ops = [
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
            (&mut item.get, false),
        ];
        for (op, state_changing) in ops {
            if let Some(op) = op.as_mut() {
                conventions(op, state_changing);
            }
        }
    }
    unsigned_32_bit_integers(doc)
}

/// utoipa documents `u32` as `format: int32, minimum: 0`, which says "at most 2^31 - 1" while
/// the server accepts and sends values up to 2^32 - 1 (a client generated from the document
/// would overflow, and schemathesis rightly flags `currentPage=2147483648` being accepted).
/// Every such schema without its own maximum becomes `format: int64, maximum: 4294967295`.
/// (`u8`/`u16` look the same to this rule: they would get the looser maximum, never a
/// stricter one.)
fn unsigned_32_bit_integers(doc: OpenApiDoc) -> OpenApiDoc {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                let integer = match map.get("type") {
                    Some(serde_json::Value::String(t)) => t == "integer",
                    Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                    _ => false,
                };
                if integer
                    && map.get("format").is_some_and(|f| f == "int32")
                    && map.get("minimum").and_then(serde_json::Value::as_f64) == Some(0.0)
                    && !map.contains_key("maximum")
                {
                    map.insert("format".into(), "int64".into());
                    map.insert("maximum".into(), u32::MAX.into());
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    walk(&mut value);
    serde_json::from_value(value).unwrap_or(doc)
}

fn description() -> String {
    format!(
        "The reference Assisted Service Mode middleware (backend-for-frontend). The agent's \
         tokens stay on the server; the browser holds only the httpOnly `{SESSION_COOKIE}` cookie \
         (security scheme `{SECURITY_SCHEME}`).\n\n\
         **CSRF:** every state-changing request (POST, PUT, PATCH, DELETE) needs the \
         `{REQUEST_HEADER}` header with the value `1` and an allowed `Origin` (the server's own origin \
         or one on the configured allow-list); otherwise 403 `CsrfError`.\n\n\
         **Session expiry:** every authenticated answer carries `{EXPIRES_HEADER}`, the agent \
         session's new expiry in milliseconds since the Unix epoch (server clock).\n\n\
         **Errors:** every non-2xx answer has one body, `ErrorList`: \
         `{{\"errors\": [{{\"type\", \"message\", \"reason\"?, \"subject\"?}}]}}`. \
         Clients react to the stable `type` (schema `ErrorType`), never to `message`:\n\n{}",
        ErrorType::markdown_table()
    )
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorList")))
                .build(),
        )
        .build()
        .into()
}

fn conventions(op: &mut Operation, state_changing: bool) {
    if let Some(summary) = op.summary.take() {
        op.summary = Some(strip_route_prefix(&summary));
    }
    // Authenticated: a session is required (no empty, i.e. optional, security requirement).
    let secured = op.security.as_ref().is_some_and(|reqs| {
        !reqs.is_empty() && reqs.iter().all(|r| r != &SecurityRequirement::default())
    });
    let has_path_params = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p.parameter_in, ParameterIn::Path))
    });
    let has_body = op.request_body.is_some();
    let acting_as = op
        .tags
        .as_ref()
        .is_some_and(|tags| tags.iter().any(|t| t == ACTING_AS_TAG));
    let responses = &mut op.responses.responses;
    // The answers every route of a kind shares, declared here once instead of on each handler.
    if secured {
        responses.entry("401".into()).or_insert_with(|| {
            error_response("`InvalidTokenError`: no agent session, or it expired.")
        });
    }
    if has_path_params {
        responses
            .entry("400".into())
            .or_insert_with(|| error_response("`ValidationError`: malformed path."));
    }
    if has_body {
        responses.entry("415".into()).or_insert_with(|| {
            error_response("`ValidationError`: the body is not `application/json`.")
        });
        responses.entry("413".into()).or_insert_with(|| {
            error_response("`ValidationError`: the body is larger than the server accepts (2 MB).")
        });
    }
    if acting_as && secured {
        const NOT_EMULATING: &str =
            "`NotEmulatingError`: the agent is not emulating this customer.";
        match responses.get_mut("403") {
            Some(RefOr::T(r)) if !r.description.contains("NotEmulatingError") => {
                r.description = format!("{NOT_EMULATING} Or {}", r.description);
            }
            Some(_) => {}
            None => {
                responses.insert("403".into(), error_response(NOT_EMULATING));
            }
        }
    }
    if state_changing {
        op.parameters.get_or_insert_with(Vec::new).push(
            ParameterBuilder::new()
                .name(REQUEST_HEADER)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(
                    "CSRF defence: must be `1` on every state-changing request, together with an \
                     allowed `Origin`.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["1"]))
                        .examples(["1"]),
                ))
                .build(),
        );
        const CSRF: &str = "`CsrfError`: the `X-ASM-Request` header is missing or the `Origin` \
                            is not allowed.";
        match responses.get_mut("403") {
            Some(RefOr::T(r)) => r.description = format!("{} Or {CSRF}", r.description),
            _ => {
                responses.insert("403".into(), error_response(CSRF));
            }
        }
    }
    if secured {
        for (status, response) in responses.iter_mut() {
            if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
                r.headers.insert(
                    EXPIRES_HEADER.into(),
                    Header::builder()
                        .schema(ObjectBuilder::new().schema_type(Type::Integer))
                        .description(Some(
                            "The agent session's new expiry, ms since the Unix epoch \
                             (server clock).",
                        ))
                        .build(),
                );
            }
        }
    }
    responses.insert(
        "500".into(),
        error_response("`InternalError`: the server failed; nothing the client did wrong."),
    );
    // The load-shedding layers and an unreachable store or backend, on every route.
    let mut unavailable = ResponseBuilder::new()
        .description(
            "`ServiceUnavailableError`: the server is busy (more requests in flight than it \
             takes), the request took longer than the server allows, or its database or commerce \
             backend cannot be reached; try again after `Retry-After` seconds.",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorList")))
                .build(),
        )
        .build();
    unavailable.headers.insert(
        "Retry-After".into(),
        Header::builder()
            .schema(ObjectBuilder::new().schema_type(Type::Integer))
            .description(Some("Seconds to wait before trying again."))
            .build(),
    );
    responses.insert("503".into(), unavailable.into());
}

/// "`GET /agents/me`: the signed-in agent." → "The signed-in agent."
fn strip_route_prefix(summary: &str) -> String {
    let rest = summary
        .strip_prefix('`')
        .and_then(|s| s.split_once("`: ").map(|(_, rest)| rest))
        .unwrap_or(summary);
    let mut chars = rest.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::strip_route_prefix;

    #[test]
    fn summaries_lose_the_route_prefix() {
        assert_eq!(
            strip_route_prefix("`GET /agents/me`: the signed-in agent."),
            "The signed-in agent."
        );
        assert_eq!(strip_route_prefix("Plain."), "Plain.");
    }
}
