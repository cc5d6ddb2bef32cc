//! OpenAPI support (feature `openapi`, used by the middleware; the wasm overlay never compiles
//! it): schemas of the wire types come from `#[derive(utoipa::ToSchema)]` on each type, and
//! this module adds the schema of the stable error types.

use crate::error_type;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// Schema of an error `type`: an enum of every [`error_type`] value.
pub struct ErrorType;

impl ErrorType {
    /// A Markdown table of every stable error type and its meaning.
    pub fn markdown_table() -> String {
        let mut table = String::from("| type | meaning |\n|---|---|\n");
        for (kind, meaning) in error_type::ALL {
            table.push_str(&format!("| `{kind}` | {} |\n", meaning.trim()));
        }
        table
    }
}

impl utoipa::PartialSchema for ErrorType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(error_type::ALL.iter().map(|(kind, _)| *kind)))
            .description(Some(format!(
                "Stable machine-readable error kind; clients react to it, never to `message`.\n\n{}",
                Self::markdown_table()
            )))
            .into()
    }
}

impl utoipa::ToSchema for ErrorType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorType")
    }
}
