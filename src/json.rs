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

/// A Customer 360° answer. The wire form (`{"type", "data"}` or `{"type", "error"}` per
/// fragment) is serde's untagged + adjacently tagged enum in asm-types; read through serde's
/// derive, each fragment type's reader is built three times over (for buffered content, for
/// borrowed buffered content, for the deserializer itself), more than half of the Customer 360°
/// chunk. In the browser each fragment is read once, as the type its `type` names.
#[cfg(target_arch = "wasm32")]
pub fn customer360(text: &str) -> Option<asm_types::Customer360Response> {
    use asm_types::{
        C360FragmentData as Data, C360FragmentError, Customer360Fragment as Fragment,
        Customer360FragmentType as Type, Customer360Response,
    };
    use serde_wasm_bindgen::from_value;
    use wasm_bindgen::JsValue;

    #[derive(serde::Deserialize)]
    struct Wire {
        fragments: Vec<WireFragment>,
    }
    #[derive(serde::Deserialize)]
    struct WireFragment {
        #[serde(rename = "type")]
        kind: Type,
        #[serde(default, with = "serde_wasm_bindgen::preserve")]
        data: JsValue,
        #[serde(default)]
        error: Option<asm_types::ApiError>,
    }

    let wire: Wire = from_str(text)?;
    let fragments = wire.fragments.into_iter().map(|f| {
        if let Some(error) = f.error {
            return Some(Fragment::Failed(C360FragmentError {
                kind: f.kind,
                error,
            }));
        }
        let data = f.data;
        Some(Fragment::Data(match f.kind {
            Type::Overview => Data::Overview(from_value(data).ok()?),
            Type::Profile => Data::Profile(from_value(data).ok()?),
            Type::Activity => Data::Activity(from_value(data).ok()?),
            Type::Feedback => Data::Feedback(from_value(data).ok()?),
            Type::StoreLocations => Data::StoreLocations(from_value(data).ok()?),
            Type::Promotions => Data::Promotions(from_value(data).ok()?),
            Type::Cart => Data::Cart(from_value(data).ok()?),
            Type::SavedCart => Data::SavedCart(from_value(data).ok()?),
            Type::ProductInterests => Data::ProductInterests(from_value(data).ok()?),
        }))
    });
    Some(Customer360Response {
        fragments: fragments.collect::<Option<_>>()?,
    })
}

/// A Customer 360° answer (natively through serde's derive of the wire types).
#[cfg(not(target_arch = "wasm32"))]
pub fn customer360(text: &str) -> Option<asm_types::Customer360Response> {
    from_str(text)
}
