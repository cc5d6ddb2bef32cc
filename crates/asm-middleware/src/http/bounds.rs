//! Bounded input: every text a request carries has a length limit that is checked before anything
//! is audited or sent to a backend — each path segment and query value at most
//! [`MAX_PARAM_CHARS`] (the [`bounded_params`] layer on the whole API), each string in a JSON body
//! at most [`MAX_TEXT_CHARS`] (the [`crate::http::extract::Json`] extractor), and tighter limits
//! where a field has one (user name, password, names, reason…). A refusal is 400
//! `ValidationError` whose `subject` names the field.

use crate::http::error::{ApiResult, Failure};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The longest path segment or query parameter value (characters, after percent-decoding).
pub const MAX_PARAM_CHARS: usize = 256;
/// The longest string anywhere in a JSON body (characters); fields may have tighter limits.
pub const MAX_TEXT_CHARS: usize = 1024;

/// `ValidationError` naming `subject` when `value` is longer than `max` characters.
pub fn check(subject: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(Failure::validation(
            subject,
            format!("The {subject} is too long: at most {max} characters."),
        ));
    }
    Ok(())
}

/// The first over-long path segment or query value of `path_and_query`, as a refusal.
fn check_uri(path: &str, query: Option<&str>) -> ApiResult<()> {
    for segment in path.split('/') {
        let decoded = urlencoding::decode(segment).map(|c| c.into_owned());
        let segment = decoded.as_deref().unwrap_or(segment);
        check("path", segment, MAX_PARAM_CHARS)?;
    }
    if let Some(query) = query {
        // A query that does not parse is left to the route's own extractor to refuse.
        if let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) {
            for (name, value) in &pairs {
                check("query", name, MAX_PARAM_CHARS)?;
                check(name, value, MAX_PARAM_CHARS)?;
            }
        }
    }
    Ok(())
}

/// Refuses a request whose path segments or query values are too long (see the module comment).
pub async fn bounded_params(req: Request, next: Next) -> Response {
    match check_uri(req.uri().path(), req.uri().query()) {
        Ok(()) => next.run(req).await,
        Err(f) => f.into_response(),
    }
}

/// Checks every string (and key) of a JSON body against [`MAX_TEXT_CHARS`]; the subject is the
/// field's key (the array's key for an element).
pub fn check_json(value: &serde_json::Value) -> ApiResult<()> {
    fn walk(v: &serde_json::Value, subject: &str) -> ApiResult<()> {
        match v {
            serde_json::Value::String(s) => check(subject, s, MAX_TEXT_CHARS),
            serde_json::Value::Array(items) => items.iter().try_for_each(|i| walk(i, subject)),
            serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| {
                check("body", k, MAX_PARAM_CHARS)?;
                walk(v, k)
            }),
            _ => Ok(()),
        }
    }
    walk(value, "body")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(r: ApiResult<()>) -> Option<String> {
        r.err()
            .and_then(|f| f.body.errors.first().and_then(|e| e.subject.clone()))
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(check("name", &"é".repeat(100), 100).is_ok());
        assert_eq!(
            subject(check("name", &"é".repeat(101), 100)).as_deref(),
            Some("name")
        );
    }

    #[test]
    fn path_segments_and_query_values_are_bounded_after_decoding() {
        let ok = "a".repeat(MAX_PARAM_CHARS);
        assert!(check_uri(
            &format!("/asm/customers/{ok}"),
            Some(&format!("query={ok}"))
        )
        .is_ok());
        // 768 bytes percent-encoded, 256 characters once decoded.
        assert!(check_uri(&format!("/c/{}", "%41".repeat(MAX_PARAM_CHARS)), None).is_ok());
        let long = "a".repeat(MAX_PARAM_CHARS + 1);
        assert_eq!(
            subject(check_uri(&format!("/c/{long}"), None)).as_deref(),
            Some("path")
        );
        assert_eq!(
            subject(check_uri("/c", Some(&format!("baseSite=x&query={long}")))).as_deref(),
            Some("query")
        );
        assert_eq!(
            subject(check_uri("/c", Some(&format!("baseSite={long}")))).as_deref(),
            Some("baseSite")
        );
    }

    #[test]
    fn every_string_of_a_body_is_bounded() {
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        let ok = serde_json::json!({"a": "x".repeat(MAX_TEXT_CHARS), "n": 5, "l": ["y"]});
        assert!(check_json(&ok).is_ok());
        let nested = serde_json::json!({"queries": [{"type": long}]});
        assert_eq!(subject(check_json(&nested)).as_deref(), Some("type"));
        let listed = serde_json::json!({"carts": ["c", long]});
        assert_eq!(subject(check_json(&listed)).as_deref(), Some("carts"));
        let key = serde_json::json!({ long: 1 });
        assert_eq!(subject(check_json(&key)).as_deref(), Some("body"));
    }
}
