//! Case and letters through the browser's Unicode tables. Rust's `to_lowercase`,
//! `to_uppercase` and `char::is_alphanumeric` bring their tables (~16 KB) into every chunk that
//! uses them (docs/benchmarks.md); the browser has the same tables built in. Native builds (the
//! unit tests) use Rust's, which follow the same Unicode properties and default case mapping.

/// `s` lower-cased (for comparing and filtering without regard to case).
#[cfg(target_arch = "wasm32")]
pub fn lower(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

/// `s` upper-cased.
#[cfg(target_arch = "wasm32")]
pub fn upper(s: &str) -> String {
    js_sys::JsString::from(s).to_upper_case().into()
}

/// The first letter or digit (Unicode `Alphabetic` or `Numeric`) of `word`.
#[cfg(target_arch = "wasm32")]
pub fn first_letter_or_digit(word: &str) -> Option<String> {
    js_sys::RegExp::new(r"[\p{Alphabetic}\p{N}]", "u")
        .exec(word)?
        .get(0)
        .as_string()
}

/// `s` lower-cased (for comparing and filtering without regard to case).
#[cfg(not(target_arch = "wasm32"))]
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// `s` upper-cased.
#[cfg(not(target_arch = "wasm32"))]
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// The first letter or digit (Unicode `Alphabetic` or `Numeric`) of `word`.
#[cfg(not(target_arch = "wasm32"))]
pub fn first_letter_or_digit(word: &str) -> Option<String> {
    word.chars().find(|c| c.is_alphanumeric()).map(String::from)
}
