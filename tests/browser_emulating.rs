//! Browser tests of search by order id, switching the emulated customer and creating a customer,
//! in headless Chromium with the HTTP layer stubbed at `window.fetch`.
//! Run: `cargo test -p asm-overlay --target wasm32-unknown-unknown --test browser_emulating`.
#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::json;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEARCH: &str = "/asm/customers/search";
const SESSIONS: &str = "POST /asm/sessions";
const CREATE: &str = "POST /asm/customers";

fn signed_in() {
    route("GET /asm/agents/me", 200, session(600_000, None));
}

fn emulating_linda() {
    route(
        "GET /asm/agents/me",
        200,
        session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
    );
}

fn posts_to_sessions() -> Vec<Call> {
    calls_to("/asm/sessions")
        .into_iter()
        .filter(|c| c.method == "POST")
        .collect()
}

// ---- search by order id ---------------------------------------------------------------------

#[wasm_bindgen_test]
async fn an_order_code_finds_the_customer_of_the_order_and_emulating_opens_the_order() {
    start(|| {
        signed_in();
        search_routes(json!({}));
        order_search_routes(json!({ "30000001": { "status": 200,
            "body": order_page("30000001", "Linda Wolf", "linda.wolf@example.com", "C-LINDA") } }));
        route(SESSIONS, 201, emulation("C-LINDA", "Linda Wolf"));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 7");
    type_into("#asm-customer-search", " 30000001 ");
    until("result", || find(".asm-result").is_some()).await;
    let searches = calls_to(SEARCH);
    assert_eq!(searches.len(), 1, "{searches:?}");
    assert_eq!(searches[0].params["orderId"], "30000001");
    assert_eq!(searches[0].params["baseSite"], "electronics");
    assert!(
        searches[0].params.get("query").is_none(),
        "an order code is not a name: {:?}",
        searches[0].params
    );
    assert_eq!(text(".asm-result .asm-order"), "Order 30000001");
    assert_eq!(text(".asm-result .asm-name"), "Linda Wolf");
    assert_eq!(text(".asm-result .asm-email"), "linda.wolf@example.com");

    click(".asm-result");
    until("emulating", || find(".asm-emulation").is_some()).await;
    let posts = posts_to_sessions();
    assert_eq!(posts.len(), 1);
    assert!(posts[0].body.contains("\"customerId\":\"C-LINDA\""));
    until("navigate event", || {
        !events_named("asm:navigate").is_empty()
    })
    .await;
    let nav = events_named("asm:navigate");
    assert_eq!(nav.len(), 1);
    assert_eq!(
        nav[0].detail,
        json!({ "target": "order", "id": "30000001", "customerId": "C-LINDA" })
    );
    // The storefront is told to open the order after it was told whom it acts for.
    let names: Vec<String> = events().into_iter().map(|e| e.name).collect();
    let started = names.iter().position(|n| n == "asm:emulation-started");
    let navigated = names.iter().position(|n| n == "asm:navigate");
    assert!(started < navigated, "{names:?}");
}

#[wasm_bindgen_test]
async fn an_unknown_order_says_no_such_order_and_other_digits_search_names() {
    start(|| {
        signed_in();
        search_routes(json!({}));
        order_search_routes(json!({}));
        cart_search_routes(json!({}));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "39999999");
    until("no order", || find(".asm-empty").is_some()).await;
    assert_eq!(
        text(".asm-empty"),
        "No order 39999999 found. No customer's cart has this number."
    );
    assert!(
        find(".asm-empty-create").is_none(),
        "no Create customer for an unknown order"
    );
    assert!(
        find(".asm-error").is_none(),
        "not a failure: {}",
        text(".asm-error")
    );
    assert!(find(".asm-result").is_none());
    assert_eq!(calls_to(SEARCH)[0].params["orderId"], "39999999");
    assert_eq!(
        calls_to(SEARCH)[1].params["cartId"],
        "39999999",
        "then as a cart"
    );
    // Seven digits are not an order code: a plain search.
    type_into("#asm-customer-search", "3999999");
    until("third search", || calls_to(SEARCH).len() == 3).await;
    let second = &calls_to(SEARCH)[2];
    assert_eq!(second.params["query"], "3999999");
    assert!(second.params.get("orderId").is_none());
    until("no customer", || {
        text(".asm-empty-message") == "No customer found."
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_failing_order_search_is_an_error_with_retry() {
    start(|| {
        signed_in();
        route_raw(
            "GET /asm/customers/search",
            json!({ "status": 503, "body": "down" }),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "30000001");
    until("error", || find(".asm-error").is_some()).await;
    assert!(
        text(".asm-error").contains("(503)"),
        "{}",
        text(".asm-error")
    );
    assert!(find(".asm-empty").is_none());
    order_search_routes(json!({ "30000001": { "status": 200,
        "body": order_page("30000001", "Linda Wolf", "linda.wolf@example.com", "C-LINDA") } }));
    click_button("Retry");
    until("result", || find(".asm-result").is_some()).await;
    assert_eq!(text(".asm-result .asm-order"), "Order 30000001");
}

// ---- switch customer ------------------------------------------------------------------------

async fn open_switch_and_choose_max() {
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    assert!(find("#asm-customer-search").is_none());
    click_button("Switch customer");
    until("switch search", || find("#asm-customer-search").is_some()).await;
    until("focus in the search", || {
        active_id().as_deref() == Some("asm-customer-search")
    })
    .await;
    assert_eq!(
        find(".asm-switch")
            .and_then(|b| b.get_attribute("aria-expanded"))
            .as_deref(),
        Some("true")
    );
    type_into("#asm-emulation-reason", "Ticket 9");
    type_into("#asm-customer-search", "max");
    until("results", || find(".asm-result").is_some()).await;
    click(".asm-result");
    until("confirmation", || find("#asm-switch-dialog").is_some()).await;
}

fn switch_routes() {
    emulating_linda();
    search_routes(json!({
        "max": { "status": 200, "body": page(&[("Max Mustermann", "max@example.com", "C-MAX")]) },
        "linda": { "status": 200, "body": page(&[("Linda Wolf", "linda@example.com", "C-LINDA")]) },
    }));
    route(SESSIONS, 201, emulation("C-MAX", "Max Mustermann"));
}

#[wasm_bindgen_test]
async fn switching_asks_naming_both_and_cancel_changes_nothing() {
    start(switch_routes);
    open_switch_and_choose_max().await;
    assert_eq!(
        text("#asm-switch-dialog .asm-switch-question"),
        "End the session with Linda Wolf and start one with Max Mustermann?"
    );
    assert_eq!(text("#asm-switch-dialog-title"), "Switch customer");
    let dialog: web_sys::HtmlDialogElement =
        wasm_bindgen::JsCast::dyn_into(find("#asm-switch-dialog").expect("dialog"))
            .expect("a <dialog>");
    assert!(dialog.open(), "shown as a modal dialog");
    click_button("Cancel");
    until("dialog closed", || find("#asm-switch-dialog").is_none()).await;
    settle().await;
    assert!(posts_to_sessions().is_empty(), "no request on Cancel");
    assert_eq!(text(".asm-emulation .asm-customer .asm-name"), "Linda Wolf");
    assert!(events_named("asm:emulation-ended").is_empty());
    // Focus is back where the agent was; what they typed is kept.
    until("focus returned", || {
        active_id().as_deref() == Some("asm-customer-search")
    })
    .await;
    assert_eq!(value_of("#asm-customer-search"), "max");
    assert_eq!(value_of("#asm-emulation-reason"), "Ticket 9");
}

#[wasm_bindgen_test]
async fn escape_on_the_switch_confirmation_cancels_it() {
    start(switch_routes);
    open_switch_and_choose_max().await;
    // Escape makes the browser send `cancel` to the modal dialog.
    fire("#asm-switch-dialog", "cancel");
    until("dialog closed", || find("#asm-switch-dialog").is_none()).await;
    settle().await;
    assert!(posts_to_sessions().is_empty());
    assert_eq!(text(".asm-emulation .asm-customer .asm-name"), "Linda Wolf");
    until("focus returned", || {
        active_id().as_deref() == Some("asm-customer-search")
    })
    .await;
}

#[wasm_bindgen_test]
async fn switch_starts_the_second_emulation_and_tells_the_host_page() {
    start(switch_routes);
    open_switch_and_choose_max().await;
    click_button("Switch");
    until("Max emulated", || {
        text(".asm-emulation .asm-customer .asm-name") == "Max Mustermann"
    })
    .await;
    assert!(find("#asm-switch-dialog").is_none());
    let posts = posts_to_sessions();
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].body.contains("\"customerId\":\"C-MAX\""),
        "{}",
        posts[0].body
    );
    assert!(posts[0].body.contains("\"reason\":\"Ticket 9\""));
    let ended = events_named("asm:emulation-ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].detail["customerId"], "C-LINDA");
    let started = events_named("asm:emulation-started");
    assert_eq!(started.len(), 2, "Linda on load, then Max");
    assert_eq!(started[1].detail["customerId"], "C-MAX");
    // The search has done its work.
    until("search closed", || find("#asm-customer-search").is_none()).await;
    assert!(events_named("asm:navigate").is_empty());
}

#[wasm_bindgen_test]
async fn a_refused_switch_keeps_the_first_customer_and_says_why() {
    start(|| {
        switch_routes();
        route(
            SESSIONS,
            403,
            json!({ "errors": [{ "type": "CustomerConsentError", "message": "Max has not agreed to assisted service." }] }),
        );
    });
    open_switch_and_choose_max().await;
    click_button("Switch");
    until("error", || find(".asm-search .asm-error").is_some()).await;
    assert!(text(".asm-search .asm-error").contains("has not agreed"));
    assert_eq!(text(".asm-emulation .asm-customer .asm-name"), "Linda Wolf");
    assert!(events_named("asm:emulation-ended").is_empty());
}

#[wasm_bindgen_test]
async fn choosing_the_customer_already_emulated_only_says_so() {
    start(switch_routes);
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    click_button("Switch customer");
    until("switch search", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 9");
    type_into("#asm-customer-search", "linda");
    until("results", || find(".asm-result").is_some()).await;
    click(".asm-result");
    until("note", || find(".asm-search .asm-notice").is_some()).await;
    assert_eq!(
        text(".asm-search .asm-notice"),
        "You are already emulating Linda Wolf."
    );
    settle().await;
    assert!(find("#asm-switch-dialog").is_none());
    assert!(posts_to_sessions().is_empty());
    // "Cancel switch" closes the search again.
    click_button("Cancel switch");
    until("search closed", || find("#asm-customer-search").is_none()).await;
}

// ---- create customer ------------------------------------------------------------------------

/// Create customer is there while emulating (its dialog says the current session ends) and
/// under "No customer found.".
#[wasm_bindgen_test]
async fn create_customer_is_offered_while_emulating_and_when_nobody_is_found() {
    start(|| {
        switch_routes();
        search_routes(json!({ "nobody": { "status": 200, "body": page(&[]) } }));
    });
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    click_button("Switch customer");
    until("switch search", || find("#asm-customer-search").is_some()).await;
    open_create().await;
    assert_eq!(
        text("#asm-create-dialog .asm-create-switch"),
        "Creating a customer ends the session with Linda Wolf and emulates the new customer."
    );
    click_button("Cancel");
    until("dialog closed", || find("#asm-create-dialog").is_none()).await;
    assert!(posts_to_sessions().is_empty());

    type_into("#asm-customer-search", "nobody");
    until("no match", || find(".asm-empty").is_some()).await;
    assert_eq!(text(".asm-empty-message"), "No customer found.");
    click(".asm-empty .asm-empty-create");
    until("dialog from no match", || {
        find("#asm-create-dialog").is_some()
    })
    .await;
}

async fn open_create() {
    until("create button", || find("#asm-create-customer").is_some()).await;
    focus("#asm-create-customer");
    click("#asm-create-customer");
    until("dialog", || find("#asm-create-dialog").is_some()).await;
}

fn fill_create(first: &str, last: &str, email: &str, reason: &str) {
    type_into("#asm-create-first-name", first);
    type_into("#asm-create-last-name", last);
    type_into("#asm-create-email", email);
    type_into("#asm-create-reason", reason);
}

fn submit_create() {
    click("#asm-create-dialog button[type=submit]");
}

fn created_max() -> serde_json::Value {
    json!({ "uid": "max@example.com", "name": "Max Mustermann", "customerId": "C-NEW1", "hasOrder": false })
}

#[wasm_bindgen_test]
async fn the_create_form_is_labelled_and_checks_every_field_before_sending() {
    start(signed_in);
    open_create().await;
    assert_eq!(text("#asm-create-dialog-title"), "Create customer");
    until("first field focused", || {
        active_id().as_deref() == Some("asm-create-first-name")
    })
    .await;
    for (id, label) in [
        ("asm-create-first-name", "First name"),
        ("asm-create-last-name", "Last name"),
        ("asm-create-email", "E-mail"),
        ("asm-create-reason", "Reason for emulation"),
    ] {
        assert_eq!(text(&format!("label[for={id}]")), label);
        let input = find(&format!("#{id}")).expect("input");
        assert_eq!(input.get_attribute("autocomplete").as_deref(), Some("off"));
    }
    // Submitting the empty form: a message under every field, focus on the first, no request.
    submit_create();
    until("messages", || find_all(".asm-field-error").len() == 4).await;
    assert_eq!(
        text("#asm-create-first-name-error"),
        "First name is required."
    );
    assert_eq!(
        text("#asm-create-last-name-error"),
        "Last name is required."
    );
    assert_eq!(text("#asm-create-email-error"), "E-mail is required.");
    assert!(text("#asm-create-reason-error").contains("reason"));
    assert_eq!(
        find("#asm-create-email")
            .and_then(|e| e.get_attribute("aria-describedby"))
            .as_deref(),
        Some("asm-create-email-error")
    );
    assert_eq!(
        find("#asm-create-email")
            .and_then(|e| e.get_attribute("aria-invalid"))
            .as_deref(),
        Some("true")
    );
    assert_eq!(active_id().as_deref(), Some("asm-create-first-name"));
    // Fixing a field clears its message as the agent types.
    type_into("#asm-create-first-name", "Max");
    until("first name fine", || {
        find("#asm-create-first-name-error").is_none()
    })
    .await;
    // A malformed e-mail is caught when the agent leaves the field.
    type_into("#asm-create-email", "max@example");
    fire("#asm-create-email", "blur");
    until("e-mail message", || {
        text("#asm-create-email-error").contains("valid e-mail")
    })
    .await;
    // Too long for the server.
    type_into("#asm-create-last-name", &"M".repeat(101));
    fire("#asm-create-last-name", "blur");
    until("length message", || {
        text("#asm-create-last-name-error").contains("at most 100")
    })
    .await;
    submit_create();
    settle().await;
    assert!(calls_to("/asm/customers").is_empty(), "nothing sent");
    assert_eq!(value_of("#asm-create-first-name"), "Max");
}

#[wasm_bindgen_test]
async fn server_field_errors_land_under_their_fields_and_keep_the_input() {
    start(|| {
        signed_in();
        route(
            CREATE,
            400,
            json!({ "errors": [
                { "type": "ValidationError", "message": "The first name must not contain control characters.", "subject": "firstName" },
                { "type": "ValidationError", "message": "Enter a valid email address, e.g. name@example.com.", "subject": "emailAddress" }
            ] }),
        );
    });
    open_create().await;
    fill_create("Max", "Mustermann", "max@example.com", "Ticket 1");
    submit_create();
    until("server messages", || {
        find_all(".asm-field-error").len() == 2
    })
    .await;
    assert_eq!(
        text("#asm-create-first-name-error"),
        "The first name must not contain control characters."
    );
    assert_eq!(
        text("#asm-create-email-error"),
        "Enter a valid email address, e.g. name@example.com."
    );
    assert!(find("#asm-create-dialog .asm-error").is_none());
    assert_eq!(value_of("#asm-create-last-name"), "Mustermann");
    assert_eq!(value_of("#asm-create-email"), "max@example.com");
    let posts = calls_to("/asm/customers");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].method, "POST");
    assert_eq!(posts[0].params["baseSite"], "electronics");
    assert_eq!(
        posts[0]
            .headers
            .get("x-asm-request")
            .and_then(|v| v.as_str()),
        Some("1")
    );
    let body: serde_json::Value = serde_json::from_str(&posts[0].body).expect("json body");
    assert_eq!(
        body,
        json!({ "firstName": "Max", "lastName": "Mustermann", "emailAddress": "max@example.com" })
    );
    assert!(posts_to_sessions().is_empty());
    assert!(events_named("asm:customer-created").is_empty());
}

#[wasm_bindgen_test]
async fn a_taken_email_is_shown_under_the_email() {
    start(|| {
        signed_in();
        route(
            CREATE,
            409,
            json!({ "errors": [{ "type": "DuplicateEmailError",
                "message": "Enter a different email address as linda.wolf@example.com already exists.",
                "subject": "emailAddress" }] }),
        );
    });
    open_create().await;
    fill_create("Linda", "Wolf", "linda.wolf@example.com", "Ticket 1");
    submit_create();
    until("duplicate message", || {
        find("#asm-create-email-error").is_some()
    })
    .await;
    assert_eq!(
        text("#asm-create-email-error"),
        "Enter a different email address as linda.wolf@example.com already exists."
    );
    assert_eq!(find_all(".asm-field-error").len(), 1);
    assert_eq!(active_id().as_deref(), Some("asm-create-email"));
    assert!(posts_to_sessions().is_empty());
    // Another address clears the message once typed; the request can be sent again.
    type_into("#asm-create-email", "linda.wolf2@example.com");
    until("message gone", || find("#asm-create-email-error").is_none()).await;
}

#[wasm_bindgen_test]
async fn other_failures_show_above_the_form_and_submit_waits_for_the_answer() {
    start(|| {
        signed_in();
        route_raw(
            CREATE,
            json!({ "status": 503, "body": "down", "gate": "create" }),
        );
    });
    open_create().await;
    fill_create("Max", "Mustermann", "max@example.com", "Ticket 1");
    submit_create();
    until("sending", || calls_to("/asm/customers").len() == 1).await;
    let submit: web_sys::HtmlButtonElement = wasm_bindgen::JsCast::dyn_into(
        find("#asm-create-dialog button[type=submit]").expect("submit"),
    )
    .expect("button");
    assert!(submit.disabled(), "Submit is disabled while sending");
    submit_create();
    settle().await;
    assert_eq!(calls_to("/asm/customers").len(), 1, "one request at a time");
    until("released", || release("create")).await;
    until("error", || find("#asm-create-dialog .asm-error").is_some()).await;
    assert!(text("#asm-create-dialog .asm-error").contains("(503)"));
    assert!(!submit.disabled());
    assert_eq!(value_of("#asm-create-first-name"), "Max");
    assert_eq!(value_of("#asm-create-email"), "max@example.com");
    assert_eq!(value_of("#asm-create-reason"), "Ticket 1");
}

#[wasm_bindgen_test]
async fn creating_a_customer_tells_the_host_page_and_emulates_them() {
    start(|| {
        signed_in();
        route(CREATE, 201, created_max());
        route(SESSIONS, 201, emulation("C-NEW1", "Max Mustermann"));
    });
    // The reason typed in the search is the form's too.
    until("search", || find("#asm-emulation-reason").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 55");
    open_create().await;
    assert_eq!(value_of("#asm-create-reason"), "Ticket 55");
    type_into("#asm-create-first-name", " Max ");
    type_into("#asm-create-last-name", "Mustermann");
    type_into("#asm-create-email", "max@example.com");
    submit_create();
    until("emulating", || find(".asm-emulation").is_some()).await;
    assert!(find("#asm-create-dialog").is_none());
    assert_eq!(
        text(".asm-emulation .asm-customer .asm-name"),
        "Max Mustermann"
    );
    let created = events_named("asm:customer-created");
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].detail,
        json!({ "customerId": "C-NEW1", "name": "Max Mustermann", "email": "max@example.com" })
    );
    let posts = posts_to_sessions();
    assert_eq!(posts.len(), 1);
    assert!(posts[0].body.contains("\"customerId\":\"C-NEW1\""));
    assert!(posts[0].body.contains("\"reason\":\"Ticket 55\""));
    assert!(calls_to("/asm/customers")[0]
        .body
        .contains("\"firstName\":\"Max\""));
    let names: Vec<String> = events().into_iter().map(|e| e.name).collect();
    let c = names.iter().position(|n| n == "asm:customer-created");
    let s = names.iter().position(|n| n == "asm:emulation-started");
    assert!(c < s, "{names:?}");
}

#[wasm_bindgen_test]
async fn created_but_not_emulated_says_the_customer_exists_and_retries_only_the_emulation() {
    start(|| {
        signed_in();
        route(CREATE, 201, created_max());
        route_raw(SESSIONS, json!({ "network": true }));
    });
    open_create().await;
    fill_create("Max", "Mustermann", "max@example.com", "Ticket 1");
    submit_create();
    until("error", || find("#asm-create-dialog .asm-error").is_some()).await;
    let message = text("#asm-create-dialog .asm-error");
    assert!(
        message.starts_with("Max Mustermann was created"),
        "{message}"
    );
    assert!(
        message.contains("Cannot reach the ASM service"),
        "{message}"
    );
    assert!(message.contains("find them by search"), "{message}");
    assert_eq!(events_named("asm:customer-created").len(), 1);
    assert_eq!(
        text("#asm-create-dialog-title"),
        "Customer Max Mustermann created"
    );
    assert!(find("#asm-create-first-name").is_some_and(|e| e.has_attribute("readonly")));
    // Trying again starts the emulation only: the customer is not created twice.
    route(SESSIONS, 201, emulation("C-NEW1", "Max Mustermann"));
    click_button("Start emulation");
    until("emulating", || find(".asm-emulation").is_some()).await;
    assert_eq!(calls_to("/asm/customers").len(), 1);
    assert_eq!(posts_to_sessions().len(), 2);
    assert_eq!(events_named("asm:customer-created").len(), 1);
}

#[wasm_bindgen_test]
async fn escape_and_cancel_close_the_create_dialog_and_focus_returns() {
    start(signed_in);
    open_create().await;
    type_into("#asm-create-first-name", "Max");
    fire("#asm-create-dialog", "cancel");
    until("closed", || find("#asm-create-dialog").is_none()).await;
    assert_eq!(active_id().as_deref(), Some("asm-create-customer"));
    open_create().await;
    click_button("Cancel");
    until("closed", || find("#asm-create-dialog").is_none()).await;
    assert_eq!(active_id().as_deref(), Some("asm-create-customer"));
    settle().await;
    assert!(calls_to("/asm/customers").is_empty());
}

/// `asmOverlay.refresh()` (the `asm:request-refresh` window event): the bar asks the server
/// again and shows the emulated customer's new name, without a reload.
#[wasm_bindgen_test]
async fn a_refresh_request_shows_the_customers_new_name() {
    start(emulating_linda);
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    assert_eq!(text(".asm-emulation .asm-name"), "Linda Wolf");
    route(
        "GET /asm/agents/me",
        200,
        session(600_000, Some(emulation("C-LINDA", "Linda Wolf-Smith"))),
    );
    let before = calls_to("/asm/agents/me").len();
    let window = web_sys::window().expect("window");
    window
        .dispatch_event(&web_sys::Event::new("asm:request-refresh").expect("event"))
        .expect("dispatch");
    until("renamed", || {
        text(".asm-emulation .asm-name") == "Linda Wolf-Smith"
    })
    .await;
    assert_eq!(calls_to("/asm/agents/me").len(), before + 1);
    assert!(
        events_named("asm:emulation-ended").is_empty(),
        "the same emulation goes on"
    );
}

/// Eight digits that are no order's number are a cart's: the result names the cart; an active
/// cart becomes the emulation's cart and the store is asked to open it.
#[wasm_bindgen_test]
async fn a_cart_number_finds_its_customer_and_emulates_on_that_cart() {
    start(|| {
        signed_in();
        search_routes(json!({}));
        order_search_routes(json!({}));
        cart_search_routes(json!({
            "00001234": { "status": 200, "body": {
                "entries": [{ "uid": "linda@example.com", "name": "Linda Wolf", "customerId": "C-LINDA",
                    "hasOrder": true, "cartId": "00001234", "cartStatus": "ACTIVE" }],
                "pagination": { "currentPage": 0, "pageSize": 1, "totalPages": 1, "totalResults": 1 } } },
            "00005678": { "status": 200, "body": {
                "entries": [{ "uid": "linda@example.com", "name": "Linda Wolf", "customerId": "C-LINDA",
                    "hasOrder": true, "cartId": "00005678", "cartStatus": "SAVED" }],
                "pagination": { "currentPage": 0, "pageSize": 1, "totalPages": 1, "totalResults": 1 } } },
        }));
        route(
            "POST /asm/sessions",
            201,
            emulation("C-LINDA", "Linda Wolf"),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 5");
    type_into("#asm-customer-search", "00005678");
    until("saved cart result", || {
        find(".asm-result .asm-found-cart").is_some()
    })
    .await;
    assert_eq!(text(".asm-result .asm-found-cart"), "Saved cart 00005678");
    type_into("#asm-customer-search", "00001234");
    until("cart result", || {
        text(".asm-result .asm-found-cart") == "Cart 00001234"
    })
    .await;
    assert_eq!(text(".asm-result .asm-name"), "Linda Wolf");
    click(".asm-result");
    until("emulating", || find(".asm-emulation").is_some()).await;
    let posts = posts_to_sessions();
    assert!(
        posts[0].body.contains("\"cartId\":\"00001234\""),
        "{}",
        posts[0].body
    );
    until("navigate", || !events_named("asm:navigate").is_empty()).await;
    assert_eq!(
        events_named("asm:navigate")[0].detail,
        json!({ "target": "cart", "id": "00001234", "customerId": "C-LINDA" })
    );
}
