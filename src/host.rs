//! Everything that touches the host page: the Shadow DOM mount point, the events the storefront
//! listens to, and the per-tab flags (ASM on, bar collapsed). No secret is ever stored here.

use crate::api::Api;
use crate::components::App;
use crate::locale::Locale;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, HtmlElement, ShadowRootInit, ShadowRootMode};

/// Id of the overlay's host element.
pub const HOST_ID: &str = "asm-overlay-host";
/// The overlay's stylesheet (`style/overlay.css`, minified by `build.rs`), injected into the
/// shadow root.
pub const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/overlay.css"));
/// sessionStorage key: ASM was turned on in this tab (read by the loader too).
pub const ENABLED_KEY: &str = "asm_enabled";
/// sessionStorage key: the bar is collapsed.
pub const COLLAPSED_KEY: &str = "asm_collapsed";

/// Name of the `BroadcastChannel` over which the overlays of one browser's tabs tell each other
/// that something changed. Messages carry only a word ([`tab_message`]); every tab then asks the
/// server what is true.
pub const CHANNEL: &str = "asm-overlay";

/// Words sent to the other tabs.
pub mod tab_message {
    /// An agent signed in.
    pub const SIGNED_IN: &str = "signed-in";
    /// The agent signed out (by hand or because the session timed out).
    pub const SIGNED_OUT: &str = "signed-out";
    /// An emulation started or switched customer.
    pub const EMULATION_STARTED: &str = "emulation-started";
    /// The emulation ended.
    pub const EMULATION_ENDED: &str = "emulation-ended";
    /// A cart was bound to the emulated customer (their cart changed).
    pub const CART_BOUND: &str = "cart-bound";
}

/// Window events the host page may dispatch to drive the overlay (the loader's
/// `window.asmOverlay.open()` / `.close()` / `.refresh()` do).
pub mod request {
    /// Show the bar (expand it if it is collapsed).
    pub const OPEN: &str = "asm:request-open";
    /// Close the overlay; ignored while an agent is signed in (they sign out first).
    pub const CLOSE: &str = "asm:request-close";
    /// Ask the server again what is true now (e.g. the storefront renamed the emulated
    /// customer): the bar follows.
    pub const REFRESH: &str = "asm:request-refresh";
}

/// What an [`event::NAVIGATE`] asks the storefront to open.
pub mod target {
    /// A cart: `id` is the cart code.
    pub const CART: &str = "cart";
    /// The order history (`id` is null).
    pub const ORDERS: &str = "orders";
    /// One order: `id` is the order code.
    pub const ORDER: &str = "order";
    /// A support ticket: `id` is the ticket id.
    pub const TICKET: &str = "ticket";
    /// A product (its reviews): `id` is the product code.
    pub const PRODUCT: &str = "product";
    /// The customer's address book (`id` is null).
    pub const ADDRESSES: &str = "addresses";
}

/// Host events dispatched on `window`.
pub mod event {
    /// The overlay is mounted.
    pub const READY: &str = "asm:ready";
    /// An agent signed in (or was found signed in on page load): `{agentId, name}`.
    pub const AGENT_SIGNED_IN: &str = "asm:agent-signed-in";
    /// The agent signed out or the session ended.
    pub const AGENT_SIGNED_OUT: &str = "asm:agent-signed-out";
    /// Emulation started (or is in progress on page load):
    /// `{customerId, name, email, cartId, sessionId}` (`cartId` null when there is no cart).
    pub const EMULATION_STARTED: &str = "asm:emulation-started";
    /// Emulation ended: `{customerId}`.
    pub const EMULATION_ENDED: &str = "asm:emulation-ended";
    /// The agent closed the bar.
    pub const CLOSED: &str = "asm:closed";
    /// The overlay asks the storefront to open something of the emulated customer's (a deep
    /// link's target, a customer list's cart/orders shortcut, a Customer 360 row):
    /// `{target, id, customerId}` with `target` one of [`super::target`].
    pub const NAVIGATE: &str = "asm:navigate";
    /// The agent changed the emulated customer's data from the overlay (Customer 360°: a
    /// coupon applied to or removed from the cart, a customer coupon assigned or unassigned):
    /// `{customerId, what}` with `what` `cart` or `coupons`; the storefront reloads what it shows.
    pub const CUSTOMER_CHANGED: &str = "asm:customer-changed";
    /// The agent created a customer (emulation of them starts next):
    /// `{customerId, name, email}`.
    pub const CUSTOMER_CREATED: &str = "asm:customer-created";
    /// The agent bound an anonymous cart to the emulated customer: `{customerId, cartId}`
    /// (reload the customer's cart).
    pub const CART_BOUND: &str = "asm:cart-bound";
}

/// Creates `<asm-overlay id=asm-overlay-host>` at the top of `<body>`, attaches an open shadow
/// root with the stylesheet and a `<div>` mount point, and mounts the app there, speaking
/// `locale` (its catalogue fetched from `sources` first when it is not English). Idempotent.
pub fn mount(api: Api, locale: Locale, sources: Vec<(Locale, String)>) -> Result<(), JsValue> {
    let document = document();
    if document.get_element_by_id(HOST_ID).is_some() {
        return Ok(());
    }
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no <body>"))?;
    let host = document.create_element("asm-overlay")?;
    host.set_id(HOST_ID);
    body.prepend_with_node_1(&host)?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLE));
    shadow.append_child(&style)?;
    let root: HtmlElement = document.create_element("div")?.unchecked_into();
    root.set_class_name("asm-root");
    shadow.append_child(&root)?;
    let handle = leptos::mount::mount_to(
        root,
        move || view! { <App api=api locale=locale sources=sources /> },
    );
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
    emit(event::READY, &[]);
    Ok(())
}

thread_local! {
    /// The mounted app: dropping it disposes every signal, timer and listener of the overlay.
    static MOUNTED: std::cell::RefCell<Option<Box<dyn std::any::Any>>> =
        const { std::cell::RefCell::new(None) };
}

/// Disposes the app (its timers, window listeners and tab channel stop) and removes the host
/// element. Mounting again starts afresh.
pub fn unmount() {
    let app = MOUNTED.with(|m| m.borrow_mut().take());
    drop(app);
    if let Some(host) = document().get_element_by_id(HOST_ID) {
        host.remove();
    }
}

/// Removes the overlay from the page and forgets that ASM was on in this tab.
pub fn close() {
    set_flag(ENABLED_KEY, false);
    unmount();
    emit(event::CLOSED, &[]);
}

/// Dispatches `name` on `window` with a `detail` object of string fields.
pub fn emit(name: &str, detail: &[(&str, Option<&str>)]) {
    let obj = js_sys::Object::new();
    for (key, value) in detail {
        let value = value.map(JsValue::from_str).unwrap_or(JsValue::NULL);
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(key), &value);
    }
    let init = CustomEventInit::new();
    init.set_detail(&obj);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = window().dispatch_event(&ev);
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Reads a per-tab flag.
pub fn flag(key: &str) -> bool {
    session_storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some_and(|v| v == "1")
}

/// Sets or clears a per-tab flag (storage may be unavailable: then it is simply not kept).
pub fn set_flag(key: &str, on: bool) {
    if let Some(s) = session_storage() {
        let _ = if on {
            s.set_item(key, "1")
        } else {
            s.remove_item(key)
        };
    }
}

/// This tab's end of the [`CHANNEL`], if the browser has `BroadcastChannel`.
pub fn tab_channel() -> Option<web_sys::BroadcastChannel> {
    web_sys::BroadcastChannel::new(CHANNEL).ok()
}

/// The browser's wall clock, ms since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page address's query string (with its `?`), or `""`.
pub fn location_search() -> String {
    window().location().search().unwrap_or_default()
}

/// Replaces the page address's query string (no navigation, no new history entry).
pub fn replace_search(search: &str) {
    let location = window().location();
    let (Ok(path), Ok(hash)) = (location.pathname(), location.hash()) else {
        return;
    };
    if let Ok(history) = window().history() {
        let url = format!("{path}{search}{hash}");
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Reads a per-tab text value.
pub fn stored(key: &str) -> Option<String> {
    session_storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Keeps (or, with `None`, forgets) a per-tab text value.
pub fn store(key: &str, value: Option<&str>) {
    if let Some(s) = session_storage() {
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}
