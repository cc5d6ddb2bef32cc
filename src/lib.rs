//! asm-overlay: the Assisted Service Mode bar, a Leptos CSR app mounted in a Shadow DOM on top
//! of any storefront. The loader script (`loader/asm-loader.js`) calls [`mount`] once ASM is on.

pub mod api;
pub mod bind;
pub mod clock;
pub mod components;
pub mod customer360;
pub mod customer_form;
pub mod deeplink;
pub mod host;
pub mod i18n;
pub mod json;
pub mod latest;
pub mod lazy;
pub mod lists;
pub mod locale;
pub mod search;
pub mod sso;
pub mod state;
pub mod text;

use wasm_bindgen::prelude::*;

/// Mounts the overlay at the top of `<body>` (idempotent). `api_base` is the middleware's ASM
/// API (absolute or relative URL, e.g. `/asm`); `base_site` the storefront's base site;
/// `session`, when the loader gives it, the `fetch` of `GET {api_base}/agents/me` that it started
/// beside the overlay's own download, which the restore reads instead of asking again;
/// `options`, when the loader gives them, `{locale, catalogues}`: the loader tag's
/// `data-locale` and the URL of each other locale's catalogue by tag (`{de: "…", ar: "…"}`).
#[wasm_bindgen]
pub fn mount(
    api_base: String,
    base_site: String,
    session: JsValue,
    options: JsValue,
) -> Result<(), JsValue> {
    let mounted = leptos::prelude::document()
        .get_element_by_id(host::HOST_ID)
        .is_some();
    if let (false, Ok(session)) = (mounted, session.dyn_into::<js_sys::Promise>()) {
        api::started_session_request(session);
    }
    let config = api::Api::new(api_base, base_site);
    let text = |v: &JsValue, key: &str| {
        js_sys::Reflect::get(v, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let catalogues = js_sys::Reflect::get(&options, &"catalogues".into()).unwrap_or_default();
    let sources = locale::Locale::ALL
        .into_iter()
        .filter_map(|l| Some((l, text(&catalogues, l.tag())?)))
        .collect();
    let hints = locale::from_page(text(&options, "locale"));
    host::mount(config, locale::choose(&hints), sources)
}
