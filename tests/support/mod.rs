//! Browser-test support: a scripted `fetch` stub (routes, gates, network failures, abort
//! tracking), mounting a fresh overlay, and helpers to read and drive its shadow DOM.
// Each test file uses a part of these helpers.
#![allow(dead_code)]

use asm_overlay::api::Api;
use asm_overlay::host::{self, HOST_ID};
use asm_overlay::locale::Locale;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventInit, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

#[wasm_bindgen(inline_js = r#"
export function install_stub() {
  window.__asm = { calls: [], routes: {}, gates: {}, events: [] };
  for (const name of ['asm:ready', 'asm:agent-signed-in', 'asm:agent-signed-out',
                      'asm:emulation-started', 'asm:emulation-ended', 'asm:closed', 'asm:navigate',
                      'asm:customer-changed', 'asm:customer-created', 'asm:cart-bound']) {
    if (!window.__asmListening) addEventListener(name, (e) => window.__asm.events.push({ name, detail: e.detail }));
  }
  window.__asmListening = true;
  window.fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    const call = { method: req.method, path: url.pathname, params: Object.fromEntries(url.searchParams),
                   headers: Object.fromEntries(req.headers), body: await req.clone().text(), aborted: false };
    req.signal.addEventListener('abort', () => { call.aborted = true; });
    window.__asm.calls.push(call);
    let route = window.__asm.routes[req.method + ' ' + url.pathname];
    if (typeof route === 'function') route = route(call);
    if (!route) route = { status: 404, body: { errors: [{ type: 'NotFoundError', message: 'stub: no route' }] } };
    if (route.gate) {
      await new Promise((resolve, reject) => {
        window.__asm.gates[route.gate] = resolve;
        if (route.honourAbort) req.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    if (route.network) throw new TypeError('Failed to fetch');
    if (route.stallBody !== undefined) {
      // Headers at once, then the first bytes of the body and nothing more; an abort errors the
      // body stream, as a real fetch does.
      const stream = new ReadableStream({ start(c) {
        c.enqueue(new TextEncoder().encode(route.stallBody));
        req.signal.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
      } });
      return new Response(stream, { status: route.status || 200, headers: { 'content-type': 'application/json' } });
    }
    const body = typeof route.body === 'string' ? route.body : JSON.stringify(route.body ?? null);
    return new Response(route.status === 204 ? null : body, { status: route.status || 200,
      headers: Object.assign({ 'content-type': 'application/json' }, route.headers || {}) });
  };
}
export function set_route(key, json) { window.__asm.routes[key] = JSON.parse(json); }
export function set_search_route(json_by_query) {
  const byQuery = JSON.parse(json_by_query);
  window.__asm.routes['GET /asm/customers/search'] = (call) => byQuery[call.params.query] ??
    { status: 200, body: { entries: [], pagination: { currentPage: 0, pageSize: 20, totalPages: 0, totalResults: 0 } } };
}
export function release(gate) { const g = window.__asm.gates[gate]; if (g) { g(); return true; } return false; }
export function calls_json() { return JSON.stringify(window.__asm.calls); }
export function events_json() { return JSON.stringify(window.__asm.events); }
"#)]
extern "C" {
    fn install_stub();
    fn set_route(key: &str, json: &str);
    fn set_search_route(json_by_query: &str);
    /// Lets a gated request answer; false when no request waits at that gate yet.
    pub fn release(gate: &str) -> bool;
    fn calls_json() -> String;
    fn events_json() -> String;
}

/// One request the overlay made.
#[derive(Debug, serde::Deserialize)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub params: serde_json::Map<String, serde_json::Value>,
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub body: String,
    pub aborted: bool,
}

/// One host event the overlay dispatched.
#[derive(Debug, serde::Deserialize)]
pub struct HostEvent {
    pub name: String,
    pub detail: serde_json::Value,
}

/// Answers `key` (`"METHOD /path"`) with `status` and a JSON `body`.
pub fn route(key: &str, status: u16, body: serde_json::Value) {
    set_route(
        key,
        &serde_json::json!({ "status": status, "body": body }).to_string(),
    );
}

/// Answers `key` with a raw route object (`gate`, `network`, `honourAbort`, `headers`,
/// `stallBody`: headers and these first body bytes, then nothing, ...).
pub fn route_raw(key: &str, route: serde_json::Value) {
    set_route(key, &route.to_string());
}

/// Answers customer searches by query; unknown queries get an empty page.
pub fn search_routes(by_query: serde_json::Value) {
    set_search_route(&by_query.to_string());
}

/// The requests made so far.
pub fn calls() -> Vec<Call> {
    serde_json::from_str(&calls_json()).expect("calls")
}

/// Requests to `path`.
pub fn calls_to(path: &str) -> Vec<Call> {
    calls().into_iter().filter(|c| c.path == path).collect()
}

/// Host events so far.
pub fn events() -> Vec<HostEvent> {
    serde_json::from_str(&events_json()).expect("events")
}

/// Events named `name`.
pub fn events_named(name: &str) -> Vec<HostEvent> {
    events().into_iter().filter(|e| e.name == name).collect()
}

/// An agent session body as `GET /agents/me` answers it; `left_ms` until expiry.
pub fn session(left_ms: i64, emulation: Option<serde_json::Value>) -> serde_json::Value {
    let now = js_sys::Date::now() as i64;
    let mut s = serde_json::json!({
        "agent": { "uid": "asagent", "name": "Avery Agent", "email": "asagent@asm.example", "groups": ["asagentgroup"] },
        "expiresAt": now + left_ms, "serverTime": now, "idleTimeoutSeconds": 600
    });
    if let Some(e) = emulation {
        s["emulation"] = e;
    }
    s
}

/// An assisted session body.
pub fn emulation(customer_id: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "sessionId": format!("s-{customer_id}"), "agentId": "asagent", "customerId": customer_id,
        "customerName": name, "customerEmail": format!("{}@example.com", customer_id.to_lowercase()),
        "baseSite": "electronics", "cartId": "00001234", "createdAt": "2026-11-22T10:00:00Z", "status": "ACTIVE"
    })
}

/// A search page with `(name, email, id)` customers.
pub fn page(customers: &[(&str, &str, &str)]) -> serde_json::Value {
    let entries: Vec<_> = customers
        .iter()
        .map(|(name, uid, id)| serde_json::json!({ "uid": uid, "name": name, "customerId": id, "hasOrder": false }))
        .collect();
    let n = entries.len();
    serde_json::json!({ "entries": entries, "pagination": { "currentPage": 0, "pageSize": 20, "totalPages": 1, "totalResults": n } })
}

/// The 401 body of an ended session.
pub fn invalid_token() -> serde_json::Value {
    serde_json::json!({ "errors": [{ "type": "InvalidTokenError", "message": "Your agent session has ended. Please sign in again." }] })
}

/// Removes any overlay, installs a fresh stub, lets `routes` set the answers, and mounts.
pub fn start(routes: impl FnOnce()) {
    start_with(Api::new("/asm".into(), "electronics".into()), routes);
}

/// [`start`] with the overlay on `api` (e.g. a shorter timeout).
pub fn start_with(api: Api, routes: impl FnOnce()) {
    start_in(api, Locale::En, Vec::new(), routes);
}

/// [`start_with`] in `locale`, with the other locales' catalogues at `sources` (route them).
pub fn start_in(api: Api, locale: Locale, sources: Vec<(Locale, String)>, routes: impl FnOnce()) {
    // The previous test's overlay stops entirely (timers, listeners, tab channel).
    host::unmount();
    if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = s.clear();
    }
    install_stub();
    route("GET /asm/agents/me", 401, invalid_token());
    route("POST /asm/agents/logout", 204, serde_json::Value::Null);
    routes();
    host::mount(api, locale, sources).expect("mount");
}

fn gloo_utils_document() -> web_sys::Document {
    web_sys::window()
        .expect("window")
        .document()
        .expect("document")
}

/// The first element matching `selector` inside the overlay's shadow root.
pub fn find(selector: &str) -> Option<Element> {
    gloo_utils_document()
        .get_element_by_id(HOST_ID)?
        .shadow_root()?
        .query_selector(selector)
        .ok()
        .flatten()
}

/// The id of the element focused inside the shadow root, if any.
pub fn active_id() -> Option<String> {
    gloo_utils_document()
        .get_element_by_id(HOST_ID)?
        .shadow_root()?
        .active_element()
        .map(|e| e.id())
}

/// All elements matching `selector` inside the shadow root.
pub fn find_all(selector: &str) -> Vec<Element> {
    let Some(root) = gloo_utils_document()
        .get_element_by_id(HOST_ID)
        .and_then(|h| h.shadow_root())
    else {
        return vec![];
    };
    let list = root.query_selector_all(selector).expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

/// Text of the first match, or "".
pub fn text(selector: &str) -> String {
    find(selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Waits (polling, up to 5 s) until `cond` holds; panics with `what` otherwise.
pub async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..250 {
        if cond() {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Lets pending tasks, timers of 0 ms and microtasks run.
pub async fn settle() {
    for _ in 0..5 {
        TimeoutFuture::new(10).await;
    }
}

/// Types `value` into the input matching `selector` (sets the value, fires `input`).
pub fn type_into(selector: &str, value: &str) {
    let input: HtmlInputElement = find(selector).expect("input").dyn_into().expect("an input");
    input.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    let ev = Event::new_with_event_init_dict("input", &init).expect("event");
    input.dispatch_event(&ev).expect("dispatch");
}

/// The value of the input matching `selector`.
pub fn value_of(selector: &str) -> String {
    find(selector)
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Presses `key` in the element matching `selector`.
pub fn press(selector: &str, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    find(selector)
        .expect("target")
        .dispatch_event(&ev)
        .expect("dispatch");
}

/// Clicks the element matching `selector`.
pub fn click(selector: &str) {
    let el: web_sys::HtmlElement = find(selector)
        .expect("clickable")
        .dyn_into()
        .expect("html element");
    el.click();
}

/// Clicks the button whose text is `label`.
pub fn click_button(label: &str) {
    let button = find_all("button")
        .into_iter()
        .find(|b| b.text_content().is_some_and(|t| t.trim() == label))
        .unwrap_or_else(|| panic!("no button {label}"));
    button
        .dyn_into::<web_sys::HtmlElement>()
        .expect("button")
        .click();
}

/// Signs in through the form (the stub must answer `POST /asm/agents/login`).
pub async fn sign_in_through_form() {
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    type_into("input[name=username]", "asagent");
    type_into("input[name=password]", "secret");
    click("button[type=submit]");
}

#[wasm_bindgen(inline_js = r#"
export function set_code_route(param, json_by_code, message) {
  const byCode = JSON.parse(json_by_code);
  const key = 'GET /asm/customers/search';
  const previous = window.__asm.routes[key];
  window.__asm.routes[key] = (call) => {
    if (call.params[param] !== undefined) {
      return byCode[call.params[param]] ?? { status: 400, body: { errors: [{ type: 'ValidationError',
        message, subject: param }] } };
    }
    return typeof previous === 'function' ? previous(call) : previous;
  };
}
"#)]
extern "C" {
    fn set_code_route(param: &str, json_by_code: &str, message: &str);
}

/// Answers customer searches by `orderId` (after [`search_routes`], which keeps answering
/// the others); an unknown order gets the middleware's 400 `ValidationError` on `orderId`.
#[allow(dead_code)] // not every test file uses every helper
pub fn order_search_routes(by_order: serde_json::Value) {
    set_code_route("orderId", &by_order.to_string(), "No order has this code.");
}

/// Answers customer searches by `cartId` (after [`search_routes`]); an unknown cart gets the
/// middleware's 400 `ValidationError` on `cartId`.
#[allow(dead_code)] // not every test file uses every helper
pub fn cart_search_routes(by_cart: serde_json::Value) {
    set_code_route(
        "cartId",
        &by_cart.to_string(),
        "No customer's cart has this number.",
    );
}

/// A search page with the one customer of order `order`.
#[allow(dead_code)] // not every test file uses every helper
pub fn order_page(order: &str, name: &str, email: &str, id: &str) -> serde_json::Value {
    serde_json::json!({
        "entries": [{ "uid": email, "name": name, "customerId": id, "hasOrder": true, "orderId": order }],
        "pagination": { "currentPage": 0, "pageSize": 1, "totalPages": 1, "totalResults": 1 }
    })
}

/// Dispatches a plain (non-bubbling) event named `name` at the element matching `selector`,
/// e.g. `blur`, or `cancel` on a `<dialog>` (what the browser sends on Escape).
#[allow(dead_code)] // not every test file uses every helper
pub fn fire(selector: &str, name: &str) {
    let init = EventInit::new();
    init.set_cancelable(true);
    let ev = Event::new_with_event_init_dict(name, &init).expect("event");
    find(selector)
        .expect("target")
        .dispatch_event(&ev)
        .expect("dispatch");
}

/// Focuses the element matching `selector` (as the agent tabbing to it would).
#[allow(dead_code)] // not every test file uses every helper
pub fn focus(selector: &str) {
    find(selector)
        .expect("focusable")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("html element")
        .focus()
        .expect("focus");
}

/// Submits the form matching `selector` as Enter in one of its fields or its submit button
/// would (`requestSubmit`: the `submit` event fires).
#[allow(dead_code)] // not every test binary uses it
pub fn submit_form(selector: &str) {
    let form: web_sys::HtmlFormElement = find(selector).expect("form").dyn_into().expect("a form");
    form.request_submit().expect("requestSubmit");
}

/// The element focused inside the overlay's shadow root, if any.
#[allow(dead_code)] // not every test binary uses it
pub fn shadow_active() -> Option<Element> {
    gloo_utils_document()
        .get_element_by_id(HOST_ID)?
        .shadow_root()?
        .active_element()
}

#[wasm_bindgen(inline_js = r#"
export function set_keyed_route(key, names_json, by_key_json, fallback_json) {
  const names = JSON.parse(names_json);
  const byKey = JSON.parse(by_key_json);
  const fallback = JSON.parse(fallback_json);
  window.__asm.routes[key] = (call) => byKey[names.map((n) => call.params[n] ?? '').join('|')] ?? fallback;
}
"#)]
extern "C" {
    fn set_keyed_route(key: &str, names_json: &str, by_key_json: &str, fallback_json: &str);
}

/// Answers `key` (`"METHOD /path"`) by some of its query parameters: `by_key` maps their values
/// joined with `|` (in the order of `names`, a missing one as "") to a raw route object
/// (`status`, `body`, `gate`, ...); any other request gets the `fallback` route object.
pub fn route_by_params(
    key: &str,
    names: &[&str],
    by_key: serde_json::Value,
    fallback: serde_json::Value,
) {
    set_keyed_route(
        key,
        &serde_json::json!(names).to_string(),
        &by_key.to_string(),
        &fallback.to_string(),
    );
}

/// Chooses `value` in the `<select>` matching `selector` (sets it, fires `change`).
pub fn choose_option(selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(selector)
        .expect("select")
        .dyn_into()
        .expect("a select");
    select.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    let ev = Event::new_with_event_init_dict("change", &init).expect("event");
    select.dispatch_event(&ev).expect("dispatch");
}

/// Texts of every element matching `selector`, trimmed.
pub fn texts(selector: &str) -> Vec<String> {
    find_all(selector)
        .into_iter()
        .map(|e| e.text_content().unwrap_or_default().trim().to_owned())
        .collect()
}

/// Whether the element matching `selector` exists and is disabled.
pub fn is_disabled(selector: &str) -> bool {
    find(selector).is_some_and(|e| e.has_attribute("disabled"))
}
