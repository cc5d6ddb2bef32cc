//! Browser tests of deep links, the session-timer warning with Extend, and bind cart, in
//! headless Chromium with the HTTP layer stubbed at `window.fetch`.
//! Run: `cargo test -p asm-overlay --target wasm32-unknown-unknown --test browser_deeplinks`.
#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::{json, Value};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LOGIN: &str = "POST /asm/agents/login";
const SESSIONS: &str = "/asm/sessions";
const BIND: &str = "/asm/bind-cart";

/// Puts `query` in the page's address, as a deep link would arrive (no navigation).
fn set_query(query: &str) {
    let window = web_sys::window().expect("window");
    let path = window.location().pathname().expect("path");
    window
        .history()
        .expect("history")
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{query}")),
        )
        .expect("replaceState");
}

fn query() -> String {
    web_sys::window()
        .expect("window")
        .location()
        .search()
        .expect("search")
}

fn body_of(call: &Call) -> Value {
    serde_json::from_str(&call.body).expect("json body")
}

fn emulating(customer_id: &str, name: &str) -> Value {
    session(600_000, Some(emulation(customer_id, name)))
}

/// Mounts with a deep link in the address (removed again by the overlay).
fn start_with_link(query: &str, routes: impl FnOnce()) {
    set_query(query);
    start(routes);
}

fn button_labelled(label: &str) -> Option<web_sys::Element> {
    find_all("button")
        .into_iter()
        .find(|b| b.text_content().is_some_and(|t| t.trim() == label))
}

// ---- deep links --------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_link_waits_through_sign_in_then_starts_with_its_cart_and_opens_the_order() {
    start_with_link(
        "?asm=true&customerId=C-LINDA&cartId=00001234&orderId=00005001&utm=x",
        || {
            route(LOGIN, 200, session(600_000, None));
            route(
                "POST /asm/sessions",
                201,
                emulation("C-LINDA", "Linda Wolf"),
            );
        },
    );
    // The address no longer starts the link on a reload; other parameters stay.
    assert_eq!(query(), "?asm=true&utm=x");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert_eq!(
        text(".asm-deep-link-title"),
        "After you sign in: open customer C-LINDA, order 00005001"
    );
    sign_in_through_form().await;
    until("link offered", || find("#asm-link-reason").is_some()).await;
    assert_eq!(
        text(".asm-deep-link-title"),
        "Link: open customer C-LINDA, order 00005001"
    );
    assert!(
        find("#asm-customer-search").is_none(),
        "the link is the customer to find"
    );
    // No reason yet: nothing is sent, the agent is told.
    click_button("Start");
    until("reason asked", || find(".asm-deep-link-error").is_some()).await;
    assert!(text(".asm-deep-link-error").contains("reason"));
    assert!(calls_to(SESSIONS).is_empty());

    type_into("#asm-link-reason", "Caller asked about her order");
    press("#asm-link-reason", "Enter");
    until("emulating", || find(".asm-emulation").is_some()).await;
    let posts = calls_to(SESSIONS);
    assert_eq!(posts.len(), 1);
    let body = body_of(&posts[0]);
    assert_eq!(body["customerId"], "C-LINDA");
    assert_eq!(body["cartId"], "00001234");
    assert_eq!(body["reason"], "Caller asked about her order");
    let nav = events_named("asm:navigate");
    assert_eq!(nav.len(), 1);
    assert_eq!(
        nav[0].detail,
        json!({ "target": "order", "id": "00005001", "customerId": "C-LINDA" })
    );
    // The link is used up: gone from the bar and from the tab's storage.
    assert!(find(".asm-deep-link").is_none());
    assert_eq!(
        asm_overlay::host::stored(asm_overlay::deeplink::STORAGE_KEY),
        None
    );
}

#[wasm_bindgen_test]
async fn a_link_survives_a_reload_before_sign_in() {
    start_with_link("?asm=true&customerId=C-LINDA&cartId=00001234", || {});
    until("note", || find(".asm-deep-link").is_some()).await;
    assert_eq!(query(), "?asm=true");
    // Reload: a new overlay on the same tab, the address no longer has the link.
    remount();
    until("note again", || find(".asm-deep-link").is_some()).await;
    assert_eq!(
        text(".asm-deep-link-title"),
        "After you sign in: open customer C-LINDA, cart 00001234"
    );
    // Dismiss forgets it for good.
    click_button("Dismiss");
    until("gone", || find(".asm-deep-link").is_none()).await;
    remount();
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    settle().await;
    assert!(find(".asm-deep-link").is_none());
}

#[wasm_bindgen_test]
async fn a_ticket_link_starts_at_once_with_the_ticket_as_reason() {
    start_with_link("?asm=true&customerId=C-LINDA&ticketId=T-4711", || {
        route("GET /asm/agents/me", 200, session(600_000, None));
        route(
            "POST /asm/sessions",
            201,
            emulation("C-LINDA", "Linda Wolf"),
        );
    });
    until("emulating", || find(".asm-emulation").is_some()).await;
    let posts = calls_to(SESSIONS);
    assert_eq!(posts.len(), 1);
    let body = body_of(&posts[0]);
    assert_eq!(body["reason"], "Ticket T-4711");
    assert_eq!(body["customerId"], "C-LINDA");
    assert!(body.get("cartId").is_none_or(Value::is_null));
    let nav = events_named("asm:navigate");
    assert_eq!(nav.len(), 1);
    assert_eq!(nav[0].detail["target"], "ticket");
    assert_eq!(nav[0].detail["id"], "T-4711");
    settle().await;
    assert_eq!(calls_to(SESSIONS).len(), 1, "started once");
}

#[wasm_bindgen_test]
async fn a_refused_link_says_why_and_is_dismissed() {
    start_with_link("?asm=true&customerId=C-NOBODY&ticketId=T-1", || {
        route("GET /asm/agents/me", 200, session(600_000, None));
        route(
            "POST /asm/sessions",
            404,
            json!({ "errors": [{ "type": "NotFoundError", "message": "Customer not found.", "subject": "C-NOBODY" }] }),
        );
    });
    until("refusal", || find(".asm-deep-link-error").is_some()).await;
    assert_eq!(
        text(".asm-deep-link-error"),
        "Cannot open the link for customer C-NOBODY: Customer not found."
    );
    assert!(
        button_labelled("Start").is_none(),
        "a refused link cannot be started again"
    );
    assert!(events_named("asm:emulation-started").is_empty());
    assert!(events_named("asm:navigate").is_empty());
    // Already gone from storage: a reload would not try again.
    assert_eq!(
        asm_overlay::host::stored(asm_overlay::deeplink::STORAGE_KEY),
        None
    );
    click_button("Dismiss");
    until("search", || find("#asm-customer-search").is_some()).await;
    assert!(find(".asm-deep-link").is_none());
    assert_eq!(calls_to(SESSIONS).len(), 1);
}

#[wasm_bindgen_test]
async fn a_failing_server_keeps_the_link_for_a_retry() {
    start_with_link("?asm=true&customerId=C-LINDA", || {
        route("GET /asm/agents/me", 200, session(600_000, None));
        route_raw("POST /asm/sessions", json!({ "network": true }));
    });
    until("link", || find("#asm-link-reason").is_some()).await;
    type_into("#asm-link-reason", "Call");
    click_button("Start");
    until("error", || find(".asm-deep-link-error").is_some()).await;
    assert!(text(".asm-deep-link-error").contains("Cannot reach the ASM service"));
    route(
        "POST /asm/sessions",
        201,
        emulation("C-LINDA", "Linda Wolf"),
    );
    click_button("Start");
    until("emulating", || find(".asm-emulation").is_some()).await;
    assert_eq!(calls_to(SESSIONS).len(), 2);
    assert!(
        events_named("asm:navigate").is_empty(),
        "no target: no navigation"
    );
}

#[wasm_bindgen_test]
async fn a_link_to_another_customer_asks_before_switching() {
    start_with_link("?asm=true&customerId=C-BEN&ticketId=T-9", || {
        route(
            "GET /asm/agents/me",
            200,
            emulating("C-LINDA", "Linda Wolf"),
        );
        route("POST /asm/sessions", 201, emulation("C-BEN", "Ben Baker"));
    });
    until("question", || find(".asm-deep-link-switch").is_some()).await;
    assert_eq!(
        text(".asm-deep-link-switch"),
        "You are emulating Linda Wolf. Starting this link ends that session."
    );
    settle().await;
    assert!(
        calls_to(SESSIONS).is_empty(),
        "nothing starts without the agent"
    );
    assert_eq!(value_of("#asm-link-reason"), "Ticket T-9");
    click_button("Switch customer");
    until("Ben", || text(".asm-emulation .asm-name") == "Ben Baker").await;
    assert_eq!(calls_to(SESSIONS).len(), 1);
    let ended = events_named("asm:emulation-ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].detail["customerId"], "C-LINDA");
    assert_eq!(events_named("asm:navigate").len(), 1);
}

#[wasm_bindgen_test]
async fn a_link_to_the_customer_already_emulated_just_opens_the_target() {
    start_with_link("?asm=true&customerId=C-LINDA&cartId=00001234", || {
        route(
            "GET /asm/agents/me",
            200,
            emulating("C-LINDA", "Linda Wolf"),
        );
    });
    until("navigate", || !events_named("asm:navigate").is_empty()).await;
    let nav = events_named("asm:navigate");
    assert_eq!(nav[0].detail["target"], "cart");
    assert_eq!(nav[0].detail["id"], "00001234");
    assert!(calls_to(SESSIONS).is_empty());
    assert!(find(".asm-deep-link").is_none());
}

#[wasm_bindgen_test]
fn the_address_is_decoded_by_the_browsers_rules() {
    let link = asm_overlay::deeplink::DeepLink::parse(
        "?asm=true&customerId=%20linda.wolf%40example.com+&customerId=C-OTHER&ticketId=T%2D1\
         &cartId=a%C3%A9&orderId=%zz%4",
    )
    .expect("a link");
    assert_eq!(link.customer_id, "linda.wolf@example.com");
    assert_eq!(link.ticket_id.as_deref(), Some("T-1"));
    assert_eq!(link.cart_id.as_deref(), Some("a\u{e9}"));
    // Kept as written ("%zz%4"), which is no id.
    assert_eq!(link.order_id, None);
    let link =
        asm_overlay::deeplink::DeepLink::parse("?asm=true&customerId=C-1&orderId=C%FF&cartId=%41b")
            .expect("a link");
    // Invalid UTF-8 becomes U+FFFD, which is no id either.
    assert_eq!(link.order_id, None);
    assert_eq!(link.cart_id.as_deref(), Some("Ab"));
}

#[wasm_bindgen_test]
async fn junk_in_the_address_is_no_link() {
    start_with_link("?asm=true&customerId=%3Cimg%20src%3Dx%3E", || {
        route("GET /asm/agents/me", 200, session(600_000, None));
    });
    until("search", || find("#asm-customer-search").is_some()).await;
    assert!(find(".asm-deep-link").is_none());
    set_query("");
}

// ---- session timer ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_last_minute_warns_once_and_extend_renews_the_session() {
    start(|| route("GET /asm/agents/me", 200, session(45_000, None)));
    until("warning", || find(".asm-timer-warning").is_some()).await;
    let warning = find(".asm-timer-warning").expect("warning");
    assert_eq!(warning.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(
        warning.text_content().unwrap_or_default(),
        "Your ASM session ends in less than a minute."
    );
    assert!(find(".asm-timer.asm-timer-warn").is_some());
    assert!(text(".asm-timer-value").starts_with("00:4"));
    let extend = button_labelled("Extend").expect("Extend button");
    assert_eq!(
        extend.get_attribute("aria-label").as_deref(),
        Some("Extend the ASM session")
    );
    // The alert is not re-created every second (it would be announced each time).
    let before = find(".asm-timer-warning").expect("warning");
    let shown = text(".asm-timer-value");
    until("a tick", || text(".asm-timer-value") != shown).await;
    assert!(
        before.is_same_node(
            find(".asm-timer-warning")
                .as_ref()
                .map(|e| e.unchecked_ref())
        ),
        "the same alert element"
    );

    // Extend is the explicit renewal: one POST, written by the server even right after another
    // request (an ordinary request is written back at most once a second).
    let me_calls = calls_to("/asm/agents/me").len();
    route("POST /asm/agents/me/session", 200, session(600_000, None));
    extend
        .dyn_into::<web_sys::HtmlElement>()
        .expect("button")
        .click();
    until("warning gone", || find(".asm-timer-warning").is_none()).await;
    let renewals = calls_to("/asm/agents/me/session");
    assert_eq!(renewals.len(), 1);
    assert_eq!(renewals[0].method, "POST");
    assert_eq!(
        calls_to("/asm/agents/me").len(),
        me_calls,
        "no GET for Extend"
    );
    assert!(
        text(".asm-timer-value").starts_with("10:00")
            || text(".asm-timer-value").starts_with("09:5")
    );
    assert!(button_labelled("Reset").is_some());
    assert!(find(".asm-timer.asm-timer-warn").is_none());
}

#[wasm_bindgen_test]
async fn a_failed_extend_says_so_and_a_gone_session_returns_to_sign_in() {
    start(|| route("GET /asm/agents/me", 200, session(50_000, None)));
    until("Extend", || button_labelled("Extend").is_some()).await;
    route("POST /asm/agents/me/session", 503, json!("down"));
    click_button("Extend");
    until("error", || find(".asm-timer-error").is_some()).await;
    assert_eq!(
        text(".asm-timer-error"),
        "Could not extend the session: The ASM service failed (503). Try again."
    );
    assert!(find(".asm-timer-warning").is_some(), "still warned");
    route("POST /asm/agents/me/session", 401, invalid_token());
    click_button("Extend");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert!(text(".asm-sign-in .asm-notice").contains("session has ended"));
    assert_eq!(events_named("asm:agent-signed-out").len(), 1);
}

#[wasm_bindgen_test]
async fn no_warning_with_more_than_a_minute_left() {
    start(|| route("GET /asm/agents/me", 200, session(125_000, None)));
    until("timer", || !text(".asm-timer-value").is_empty()).await;
    settle().await;
    assert!(find(".asm-timer-warning").is_none());
    assert!(button_labelled("Reset").is_some());
    assert!(button_labelled("Extend").is_none());
}

// ---- bind cart ----------------------------------------------------------------------------

fn cart(code: &str, items: u32) -> Value {
    json!({ "code": code, "totalItems": items, "total": "$10.00", "modified": "2026-11-22T10:00:00Z", "entries": [] })
}

fn start_emulating(routes: impl FnOnce()) {
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            emulating("C-LINDA", "Linda Wolf"),
        );
        routes();
    });
}

#[wasm_bindgen_test]
async fn binding_a_cart_tells_the_page_and_updates_the_emulation() {
    start_emulating(|| route("POST /asm/bind-cart", 200, cart("90000003", 2)));
    until("field", || find("#asm-cart-number").is_some()).await;
    // The overlays of the other tabs are told a word (and ask the server themselves).
    let other_tab = web_sys::BroadcastChannel::new("asm-overlay").expect("channel");
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let on_message = {
        let heard = heard.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(
            move |e: web_sys::MessageEvent| {
                heard
                    .borrow_mut()
                    .push(e.data().as_string().unwrap_or_default());
            },
        )
    };
    {
        use wasm_bindgen::JsCast;
        other_tab.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    }
    let label = find("label[for=asm-cart-number]").expect("label");
    assert_eq!(label.text_content().as_deref(), Some("Cart number"));
    type_into("#asm-cart-number", " 90000003 ");
    // What Enter in the field does: submit its form.
    submit_form(".asm-bind-cart");
    until("done", || find(".asm-bind-cart-done").is_some()).await;
    assert_eq!(
        text(".asm-bind-cart-done"),
        "Cart 90000003 is now Linda Wolf's cart."
    );
    let binds = calls_to(BIND);
    assert_eq!(binds.len(), 1);
    assert_eq!(
        body_of(&binds[0]),
        json!({ "customerId": "C-LINDA", "cartId": "90000003", "baseSite": "electronics", "replace": false })
    );
    assert_eq!(
        binds[0]
            .headers
            .get("x-asm-request")
            .and_then(|v| v.as_str()),
        Some("1")
    );
    let bound = events_named("asm:cart-bound");
    assert_eq!(bound.len(), 1);
    until("the other tabs heard", || !heard.borrow().is_empty()).await;
    assert_eq!(*heard.borrow(), vec!["cart-bound".to_owned()]);
    other_tab.close();
    drop(on_message);
    assert_eq!(
        bound[0].detail,
        json!({ "customerId": "C-LINDA", "cartId": "90000003" })
    );
    assert_eq!(value_of("#asm-cart-number"), "");
    // The emulation's cart is the bound one now: binding it again is refused without a request.
    type_into("#asm-cart-number", "90000003");
    submit_form(".asm-bind-cart");
    until("error", || find(".asm-bind-cart-error").is_some()).await;
    assert_eq!(
        text(".asm-bind-cart-error"),
        "Cart 90000003 is already Linda Wolf's cart."
    );
    assert_eq!(calls_to(BIND).len(), 1);
}

#[wasm_bindgen_test]
async fn a_conflict_asks_and_replace_sends_replace_true() {
    start_emulating(|| {
        route(
            "POST /asm/bind-cart",
            409,
            json!({ "errors": [{ "type": "CartConflictError", "message": "The customer's cart 00001234 has items.", "subject": "00001234" }] }),
        );
        route(
            "GET /asm/customers/C-LINDA/carts",
            200,
            json!({ "carts": [cart("00001234", 3)], "savedCarts": [] }),
        );
    });
    until("field", || find("#asm-cart-number").is_some()).await;
    type_into("#asm-cart-number", "90000003");
    submit_form(".asm-bind-cart");
    until("dialog", || {
        find("dialog#asm-bind-conflict[open]").is_some()
    })
    .await;
    assert_eq!(
        text(".asm-bind-conflict-question"),
        "Linda Wolf's current cart has 3 items. Replace it with cart 90000003? The current cart is kept as a saved cart."
    );
    assert_eq!(
        text("#asm-bind-conflict-title"),
        "Replace the customer's cart?"
    );
    assert!(events_named("asm:cart-bound").is_empty());
    route("POST /asm/bind-cart", 200, cart("90000003", 1));
    click_button("Replace");
    until("done", || find(".asm-bind-cart-done").is_some()).await;
    assert!(find("#asm-bind-conflict").is_none());
    let binds = calls_to(BIND);
    assert_eq!(binds.len(), 2);
    assert_eq!(body_of(&binds[0])["replace"], false);
    assert_eq!(body_of(&binds[1])["replace"], true);
    assert_eq!(body_of(&binds[1])["cartId"], "90000003");
    assert_eq!(events_named("asm:cart-bound").len(), 1);
}

#[wasm_bindgen_test]
async fn cancel_sends_nothing_more_and_keeps_the_number() {
    start_emulating(|| {
        route(
            "POST /asm/bind-cart",
            409,
            json!({ "errors": [{ "type": "CartConflictError", "message": "conflict" }] }),
        );
        // The cart count cannot be read: the question still makes sense.
        route("GET /asm/customers/C-LINDA/carts", 503, json!(null));
    });
    until("field", || find("#asm-cart-number").is_some()).await;
    type_into("#asm-cart-number", "90000003");
    submit_form(".asm-bind-cart");
    until("dialog", || {
        find("dialog#asm-bind-conflict[open]").is_some()
    })
    .await;
    assert!(text(".asm-bind-conflict-question").starts_with("Linda Wolf's current cart has items."));
    click_button("Cancel");
    until("closed", || find("#asm-bind-conflict").is_none()).await;
    settle().await;
    assert_eq!(calls_to(BIND).len(), 1);
    assert!(events_named("asm:cart-bound").is_empty());
    assert_eq!(value_of("#asm-cart-number"), "90000003");
}

#[wasm_bindgen_test]
async fn escape_closes_the_dialog_and_focus_returns_to_the_bind_button() {
    start_emulating(|| {
        route(
            "POST /asm/bind-cart",
            409,
            json!({ "errors": [{ "type": "CartConflictError", "message": "conflict" }] }),
        );
        route(
            "GET /asm/customers/C-LINDA/carts",
            200,
            json!({ "carts": [cart("00001234", 1)], "savedCarts": [] }),
        );
    });
    until("field", || find("#asm-cart-number").is_some()).await;
    type_into("#asm-cart-number", "90000003");
    let button: web_sys::HtmlElement = find("#asm-bind-cart-button")
        .expect("button")
        .dyn_into()
        .expect("html");
    button.focus().expect("focus");
    button.click();
    until("dialog", || {
        find("dialog#asm-bind-conflict[open]").is_some()
    })
    .await;
    assert!(text(".asm-bind-conflict-question").contains("has 1 item."));
    // Focus moved into the dialog (its first control or the autofocus one).
    until("focus inside", || {
        find("dialog#asm-bind-conflict")
            .zip(shadow_active())
            .is_some_and(|(d, a)| d.contains(Some(&a)))
    })
    .await;
    // Escape: the browser's `cancel` on the modal dialog.
    let dialog = find("dialog#asm-bind-conflict").expect("dialog");
    let init = web_sys::EventInit::new();
    init.set_cancelable(true);
    let cancel = web_sys::Event::new_with_event_init_dict("cancel", &init).expect("event");
    dialog.dispatch_event(&cancel).expect("dispatch");
    until("closed", || find("#asm-bind-conflict").is_none()).await;
    until("focus back", || {
        active_id().as_deref() == Some("asm-bind-cart-button")
    })
    .await;
    assert_eq!(calls_to(BIND).len(), 1);
    assert_eq!(value_of("#asm-cart-number"), "90000003");
}

#[wasm_bindgen_test]
async fn unknown_and_foreign_carts_are_refused_by_the_field_with_the_number_kept() {
    start_emulating(|| {
        route(
            "POST /asm/bind-cart",
            404,
            json!({ "errors": [{ "type": "NotFoundError", "message": "Cart not found.", "subject": "cartId" }] }),
        );
    });
    until("field", || find("#asm-cart-number").is_some()).await;
    type_into("#asm-cart-number", "99999999");
    submit_form(".asm-bind-cart");
    until("error", || find(".asm-bind-cart-error").is_some()).await;
    assert_eq!(
        text(".asm-bind-cart-error"),
        "There is no cart 99999999. Check the number with the customer and try again."
    );
    assert_eq!(value_of("#asm-cart-number"), "99999999");
    assert_eq!(
        find("#asm-cart-number")
            .and_then(|e| e.get_attribute("aria-invalid"))
            .as_deref(),
        Some("true")
    );
    route(
        "POST /asm/bind-cart",
        400,
        json!({ "errors": [{ "type": "CartNotAnonymousError", "message": "This cart belongs to another customer: only anonymous carts can be bound.", "subject": "cartId" }] }),
    );
    type_into("#asm-cart-number", "00000001");
    submit_form(".asm-bind-cart");
    until("other error", || {
        text(".asm-bind-cart-error").contains("another customer")
    })
    .await;
    assert_eq!(value_of("#asm-cart-number"), "00000001");
    // A malformed number is refused without asking the server.
    type_into("#asm-cart-number", "12 34");
    submit_form(".asm-bind-cart");
    until("invalid", || {
        text(".asm-bind-cart-error").contains("not a cart number")
    })
    .await;
    assert_eq!(calls_to(BIND).len(), 2);
    assert!(events_named("asm:cart-bound").is_empty());
}

// ---- save inactive cart (cartType=inactive) -----------------------------------------------

const SAVE: &str = "/asm/users/C-LINDA/carts/00001234/save";

fn link_to_inactive_cart(carts: Value) {
    start_with_link(
        "?asm=true&customerId=C-LINDA&cartId=00001234&cartType=inactive",
        || {
            route(
                "GET /asm/agents/me",
                200,
                emulating("C-LINDA", "Linda Wolf"),
            );
            route("GET /asm/customers/C-LINDA/carts", 200, carts);
            route(&format!("PATCH {SAVE}"), 200, json!({ "code": "00001234" }));
        },
    );
}

#[wasm_bindgen_test]
async fn an_inactive_cart_link_offers_the_cart_and_saves_it_for_later() {
    link_to_inactive_cart(
        json!({ "carts": [cart("00009999", 1), cart("00001234", 2)], "savedCarts": [] }),
    );
    until("offer", || find(".asm-save-inactive").is_some()).await;
    assert_eq!(
        text(".asm-save-inactive"),
        "The link names the inactive cart 00001234. Save inactive cart"
    );
    // The storefront opened the cart, and the offer survives its navigation (a reload).
    let nav = events_named("asm:navigate");
    assert_eq!(nav.len(), 1);
    assert_eq!(nav[0].detail["target"], "cart");
    assert_eq!(nav[0].detail["id"], "00001234");
    remount();
    until("offer again", || find(".asm-save-inactive").is_some()).await;

    click("#asm-save-inactive-cart");
    until("question", || find("dialog#asm-bind-conflict").is_some()).await;
    assert_eq!(
        text("#asm-bind-conflict-title"),
        "Save the inactive cart for later"
    );
    assert_eq!(
        text(".asm-bind-conflict-question"),
        "Cart 00001234 — 2 items — $10.00. Save it for later?"
    );
    assert!(calls_to(SAVE).is_empty(), "nothing saved before the click");
    click(".asm-bind-confirm");
    until("saved", || find(".asm-bind-cart-done").is_some()).await;
    assert_eq!(
        text(".asm-bind-cart-done"),
        "Cart 00001234 is saved for later."
    );
    assert!(find("dialog#asm-bind-conflict").is_none());
    let saves = calls_to(SAVE);
    assert_eq!(saves.len(), 1);
    assert_eq!(body_of(&saves[0]), json!({}));
    let nav = events_named("asm:navigate");
    assert_eq!(
        nav.last().map(|n| n.detail.clone()),
        Some(json!({ "target": "cart", "id": "00001234", "customerId": "C-LINDA" }))
    );
    assert!(find(".asm-save-inactive").is_none(), "offered once");
    assert_eq!(
        asm_overlay::host::stored(asm_overlay::deeplink::SAVE_KEY),
        None
    );
}

#[wasm_bindgen_test]
async fn an_empty_or_vanished_inactive_cart_cannot_be_saved_and_a_refusal_is_shown() {
    link_to_inactive_cart(json!({ "carts": [cart("00001234", 0)], "savedCarts": [] }));
    until("offer", || find(".asm-save-inactive").is_some()).await;
    click("#asm-save-inactive-cart");
    until("question", || find("dialog#asm-bind-conflict").is_some()).await;
    assert_eq!(
        text(".asm-bind-conflict-question"),
        "Cart 00001234 is empty: there is nothing to save."
    );
    assert_eq!(
        find(".asm-bind-confirm")
            .and_then(|b| b.get_attribute("aria-disabled"))
            .as_deref(),
        Some("true")
    );
    click(".asm-bind-confirm");
    settle().await;
    assert!(calls_to(SAVE).is_empty(), "an empty cart is not sent");
    click_button("Cancel");
    until("closed", || find("dialog#asm-bind-conflict").is_none()).await;

    // Saved elsewhere meanwhile: not one of the active carts any more.
    route(
        "GET /asm/customers/C-LINDA/carts",
        200,
        json!({ "carts": [], "savedCarts": [cart("00001234", 2)] }),
    );
    click("#asm-save-inactive-cart");
    until("gone", || {
        text(".asm-bind-conflict-question").contains("not one of")
    })
    .await;
    click_button("Cancel");
    until("closed", || find("dialog#asm-bind-conflict").is_none()).await;

    // The server refuses: its message is shown and the offer stays for another try.
    route(
        "GET /asm/customers/C-LINDA/carts",
        200,
        json!({ "carts": [cart("00001234", 2)], "savedCarts": [] }),
    );
    route(
        &format!("PATCH {SAVE}"),
        400,
        json!({ "errors": [{ "type": "SavedCartError", "message": "This cart is saved for later already.", "subject": "cartId" }] }),
    );
    click("#asm-save-inactive-cart");
    until("question", || {
        text(".asm-bind-conflict-question").contains("Save it")
    })
    .await;
    click(".asm-bind-confirm");
    until("refused", || find(".asm-bind-cart-error").is_some()).await;
    assert_eq!(
        text(".asm-bind-cart-error"),
        "This cart is saved for later already."
    );
    assert!(find(".asm-save-inactive").is_some(), "still offered");
}

/// A reload: a new overlay on the same tab, mounted as the loader does.
fn remount() {
    asm_overlay::host::unmount();
    asm_overlay::mount(
        "/asm".into(),
        "electronics".into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )
    .expect("mount");
}
