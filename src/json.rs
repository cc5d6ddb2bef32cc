//! JSON in and out of the overlay, for every answer, request body and stored value.
//!
//! In the browser this is the browser's own `JSON.parse` / `JSON.stringify`, with
//! serde-wasm-bindgen between their values and the wire types: the wasm carries no JSON parser or
//! printer of its own (serde_json's, with its float formatting and error messages, was the largest
//! single library in the first load; docs/benchmarks.md). Native builds (the unit tests) use
//! serde_json, which reads and writes the same JSON.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// `text` read as a `T`; `None` when it is not JSON or not a `T`.
#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `value` as JSON text; `None` only when it cannot be written (a map with non-string keys).
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// `text` read as a `T`; `None` when it is not JSON or not a `T`.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}

/// `value` as JSON text; `None` only when it cannot be written (a map with non-string keys).
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
