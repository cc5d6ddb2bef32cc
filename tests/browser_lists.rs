//! Browser tests of the customer lists dialog (the "Customers" button of the find-customer
//! step), with the HTTP layer stubbed at `window.fetch`.
//! Run: `cargo test -p asm-overlay --target wasm32-unknown-unknown --test browser_lists`.
#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::{json, Value};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LISTS: &str = "/asm/customerlists";
const SEARCH: &str = "/asm/customers/search";
const SESSIONS: &str = "/asm/sessions";
const DIALOG: &str = "#asm-customer-lists";
/// The search route is keyed by these parameters, joined with `|`.
const KEY: &[&str] = &["customerListId", "query", "sort", "currentPage"];

fn lists_body() -> Value {
    json!({ "customerLists": [
        { "id": "instore", "name": "Current In-Store Customers", "membersCount": 13 },
        { "id": "pickup", "name": "Pick-Up In-Store Customers", "membersCount": 1 },
        { "id": "mysessions", "name": "My Recent Customer Sessions", "membersCount": 0 },
    ]})
}

/// A list entry; `extra` fields are merged in (lastCartId, hasOrder, phone, emulationBlocked).
fn entry(name: &str, id: &str, extra: Value) -> Value {
    let mut e = json!({
        "uid": format!("{}@example.com", id.to_lowercase()), "name": name, "customerId": id,
        "hasOrder": false
    });
    if let (Some(e), Some(extra)) = (e.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            e.insert(k.clone(), v.clone());
        }
    }
    e
}

fn sorts(selected: &str) -> Value {
    let all = [
        ("byNameAsc", "Name (A-Z)"),
        ("byNameDesc", "Name (Z-A)"),
        ("byUidAsc", "E-mail (A-Z)"),
        ("byUidDesc", "E-mail (Z-A)"),
    ];
    all.iter()
        .map(|(code, name)| json!({ "code": code, "name": name, "selected": *code == selected }))
        .collect()
}

/// A page answer (a raw route object) with `entries`, of `total` customers on `pages` pages.
fn page_route(entries: Vec<Value>, current: u32, pages: u32, total: u64, sort: &str) -> Value {
    json!({ "status": 200, "body": {
        "entries": entries,
        "pagination": { "currentPage": current, "pageSize": 10, "totalPages": pages,
                        "totalResults": total, "sort": sort },
        "sorts": sorts(sort),
    }})
}

fn linda() -> Value {
    entry(
        "Linda Wolf",
        "C-LINDA",
        json!({ "lastCartId": "00001234", "hasOrder": true, "phone": "+1 555 0100" }),
    )
}

fn instore_first_page() -> Value {
    page_route(
        vec![
            entry("Aaron Adams", "C0000001", json!({})),
            linda(),
            entry(
                "Dan Disabled",
                "C-DISABLED",
                json!({ "emulationBlocked": "CustomerDisabledError", "hasOrder": true }),
            ),
        ],
        0,
        2,
        13,
        "byNameAsc",
    )
}

/// Signed in, the lists and the first page of `instore` answered; `more` adds keyed routes.
fn signed_in_with_lists(more: Value) {
    route("GET /asm/agents/me", 200, session(600_000, None));
    route(&format!("GET {LISTS}"), 200, lists_body());
    let mut by_key = json!({ "instore|||0": instore_first_page() });
    if let (Some(k), Some(more)) = (by_key.as_object_mut(), more.as_object()) {
        for (key, v) in more {
            k.insert(key.clone(), v.clone());
        }
    }
    route_by_params(
        &format!("GET {SEARCH}"),
        KEY,
        by_key,
        page_route(vec![], 0, 0, 0, "byNameAsc"),
    );
    route(
        &format!("POST {SESSIONS}"),
        201,
        emulation("C-LINDA", "Linda Wolf"),
    );
}

async fn open_dialog() {
    until("the Customers button", || find("#asm-lists-open").is_some()).await;
    focus("#asm-lists-open");
    click("#asm-lists-open");
    until("the dialog", || find(DIALOG).is_some()).await;
}

async fn open_with_rows() {
    open_dialog().await;
    until("the first page", || {
        texts(".asm-list-row .asm-name").contains(&"Linda Wolf".to_owned())
    })
    .await;
}

fn param(call: &Call, name: &str) -> Option<String> {
    call.params
        .get(name)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn last_search() -> Call {
    calls_to(SEARCH).pop().expect("a search request")
}

fn row(customer_id: &str) -> String {
    format!(".asm-list-row[data-customer-id=\"{customer_id}\"]")
}

// ---- loading -----------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn the_lists_load_and_the_first_lists_first_page_shows_with_its_count() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;

    let lists = calls_to(LISTS);
    assert_eq!(lists.len(), 1);
    assert_eq!(param(&lists[0], "baseSite").as_deref(), Some("electronics"));
    let searches = calls_to(SEARCH);
    assert_eq!(searches.len(), 1);
    let s = &searches[0];
    assert_eq!(param(s, "customerListId").as_deref(), Some("instore"));
    assert_eq!(param(s, "currentPage").as_deref(), Some("0"));
    assert_eq!(param(s, "pageSize").as_deref(), Some("10"));
    assert_eq!(param(s, "query").as_deref(), Some(""));
    assert_eq!(param(s, "baseSite").as_deref(), Some("electronics"));
    assert_eq!(param(s, "sort"), None, "the list's default sort");

    assert_eq!(
        texts("#asm-lists-list option"),
        [
            "Current In-Store Customers (13)",
            "Pick-Up In-Store Customers (1)",
            "My Recent Customer Sessions (0)"
        ]
    );
    assert_eq!(value_of_select("#asm-lists-list"), "instore");
    assert_eq!(text(".asm-lists-count"), "13 customers");
    assert_eq!(value_of_select("#asm-lists-sort"), "byNameAsc");
    assert_eq!(texts("#asm-lists-sort option").len(), 4);
    assert_eq!(
        texts(".asm-list-row .asm-name"),
        ["Aaron Adams", "Linda Wolf", "Dan Disabled"]
    );
    assert_eq!(
        find(DIALOG)
            .and_then(|d| d.get_attribute("aria-labelledby"))
            .as_deref(),
        Some("asm-customer-lists-title")
    );
    assert_eq!(text("#asm-customer-lists-title"), "Customers");
    assert_eq!(
        find(".asm-list-table")
            .and_then(|t| t.get_attribute("aria-label"))
            .as_deref(),
        Some("Current In-Store Customers")
    );

    // Linda's row: avatar (hidden from screen readers), e-mail, phone, both shortcuts.
    let linda = row("C-LINDA");
    assert_eq!(text(&format!("{linda} .asm-avatar")), "LW");
    assert_eq!(
        find(&format!("{linda} .asm-avatar"))
            .and_then(|a| a.get_attribute("aria-hidden"))
            .as_deref(),
        Some("true")
    );
    assert_eq!(text(&format!("{linda} .asm-email")), "c-linda@example.com");
    assert_eq!(text(&format!("{linda} .asm-phone")), "+1 555 0100");
    assert_eq!(text(&format!("{linda} .asm-row-cart")), "Cart");
    assert_eq!(text(&format!("{linda} .asm-row-orders")), "Orders");
    // Aaron: no cart, no orders, no phone.
    let aaron = row("C0000001");
    assert!(find(&format!("{aaron} .asm-row-cart")).is_none());
    assert!(find(&format!("{aaron} .asm-row-orders")).is_none());
    assert_eq!(text(&format!("{aaron} .asm-phone")), "");

    assert_eq!(text(".asm-pager-label"), "Page 1 of 2");
    assert!(is_disabled(".asm-pager-prev"));
    assert!(!is_disabled(".asm-pager-next"));
    // Every control has a label.
    for id in [
        "asm-lists-list",
        "asm-lists-sort",
        "asm-lists-search",
        "asm-lists-reason",
    ] {
        assert!(
            find(&format!("label[for={id}]")).is_some(),
            "label for {id}"
        );
    }
}

fn value_of_select(selector: &str) -> String {
    use wasm_bindgen::JsCast;
    find(selector)
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn an_empty_list_says_so() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    choose_option("#asm-lists-list", "mysessions");
    until("the empty list", || {
        text(".asm-lists-empty") == "No customers in this list"
    })
    .await;
    assert_eq!(text(".asm-lists-count"), "0 customers");
    assert!(find(".asm-list-table").is_none());
    assert_eq!(
        param(&last_search(), "customerListId").as_deref(),
        Some("mysessions")
    );
}

// ---- list, sort, page, search --------------------------------------------------------------

#[wasm_bindgen_test]
async fn switching_list_sort_page_and_search_sends_the_right_params_and_shows_the_answer() {
    start(|| {
        signed_in_with_lists(json!({
            "pickup|||0": page_route(
                vec![entry("Paula Pickup", "C0000050", json!({ "orderId": "00000050", "hasOrder": true }))],
                0, 1, 1, "byNameAsc"),
            "instore||byUidDesc|0": page_route(
                vec![entry("Zed Zulu", "C0000099", json!({}))], 0, 2, 13, "byUidDesc"),
            "instore||byUidDesc|1": page_route(
                vec![entry("Second Page", "C0000077", json!({}))], 1, 2, 13, "byUidDesc"),
            "instore|wolf|byUidDesc|0": page_route(vec![linda()], 0, 1, 1, "byUidDesc"),
        }))
    });
    open_with_rows().await;

    // Another list: its first page, default sort.
    choose_option("#asm-lists-list", "pickup");
    until("the pickup list", || {
        texts(".asm-list-row .asm-name") == ["Paula Pickup"]
    })
    .await;
    let s = last_search();
    assert_eq!(param(&s, "customerListId").as_deref(), Some("pickup"));
    assert_eq!(param(&s, "currentPage").as_deref(), Some("0"));
    assert_eq!(param(&s, "sort"), None);
    assert_eq!(text(".asm-lists-count"), "1 customer");
    assert_eq!(text(".asm-pager-label"), "Page 1 of 1");
    assert!(is_disabled(".asm-pager-next"));

    // Back, then sort.
    choose_option("#asm-lists-list", "instore");
    until("instore again", || {
        texts(".asm-list-row .asm-name").contains(&"Linda Wolf".to_owned())
    })
    .await;
    choose_option("#asm-lists-sort", "byUidDesc");
    until("sorted", || {
        texts(".asm-list-row .asm-name") == ["Zed Zulu"]
    })
    .await;
    let s = last_search();
    assert_eq!(param(&s, "sort").as_deref(), Some("byUidDesc"));
    assert_eq!(param(&s, "currentPage").as_deref(), Some("0"));
    assert_eq!(value_of_select("#asm-lists-sort"), "byUidDesc");

    // Next page keeps the sort.
    click(".asm-pager-next");
    until("page 2", || {
        texts(".asm-list-row .asm-name") == ["Second Page"]
    })
    .await;
    let s = last_search();
    assert_eq!(param(&s, "currentPage").as_deref(), Some("1"));
    assert_eq!(param(&s, "sort").as_deref(), Some("byUidDesc"));
    assert_eq!(text(".asm-pager-label"), "Page 2 of 2");
    assert!(!is_disabled(".asm-pager-prev"));
    assert!(is_disabled(".asm-pager-next"));

    // A search inside the list: debounced, back to its first page, sort kept.
    let before = calls_to(SEARCH).len();
    type_into("#asm-lists-search", "w");
    type_into("#asm-lists-search", "wo");
    type_into("#asm-lists-search", " wolf ");
    until("the search", || {
        texts(".asm-list-row .asm-name") == ["Linda Wolf"]
    })
    .await;
    let after: Vec<Call> = calls_to(SEARCH).into_iter().skip(before).collect();
    assert_eq!(after.len(), 1, "one request for the typing: {after:?}");
    assert_eq!(param(&after[0], "query").as_deref(), Some("wolf"));
    assert_eq!(param(&after[0], "currentPage").as_deref(), Some("0"));
    assert_eq!(param(&after[0], "sort").as_deref(), Some("byUidDesc"));
    assert_eq!(value_of("#asm-lists-search"), " wolf ");

    // A search matching nobody says so.
    type_into("#asm-lists-search", "nobody");
    until("no match", || {
        text(".asm-lists-empty") == "No customers in this list match the search"
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_stale_answer_is_dropped() {
    start(|| {
        signed_in_with_lists(json!({
            // The sorted page hangs until released; the pickup list answers at once.
            "instore||byNameDesc|0": { "gate": "slow", "status": 200, "body": {
                "entries": [entry("Stale Answer", "C0000666", json!({}))],
                "pagination": { "currentPage": 0, "pageSize": 10, "totalPages": 1, "totalResults": 1 },
                "sorts": sorts("byNameDesc") } },
            "pickup|||0": page_route(
                vec![entry("Paula Pickup", "C0000050", json!({}))], 0, 1, 1, "byNameAsc"),
        }))
    });
    open_with_rows().await;
    choose_option("#asm-lists-sort", "byNameDesc");
    until("the slow request", || {
        calls_to(SEARCH)
            .iter()
            .any(|c| param(c, "sort").as_deref() == Some("byNameDesc"))
    })
    .await;
    // While it loads, the old rows stay, dimmed.
    until("dimmed", || find(".asm-list-table.asm-stale").is_some()).await;
    assert!(texts(".asm-list-row .asm-name").contains(&"Linda Wolf".to_owned()));

    choose_option("#asm-lists-list", "pickup");
    until("the pickup list", || {
        texts(".asm-list-row .asm-name") == ["Paula Pickup"]
    })
    .await;
    let slow = calls_to(SEARCH)
        .into_iter()
        .find(|c| param(c, "sort").as_deref() == Some("byNameDesc"))
        .expect("slow call");
    assert!(slow.aborted, "the superseded request was aborted");
    // The late answer arrives anyway (the stub ignores the abort): it is not shown.
    assert!(release("slow"));
    settle().await;
    assert_eq!(texts(".asm-list-row .asm-name"), ["Paula Pickup"]);
    assert_eq!(text(".asm-lists-count"), "1 customer");
    assert!(find(".asm-list-table.asm-stale").is_none());
}

// ---- errors ------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn errors_offer_retry_and_keep_what_was_typed() {
    start(|| {
        route("GET /asm/agents/me", 200, session(600_000, None));
        route(
            &format!("GET {LISTS}"),
            503,
            json!({ "errors": [{ "type": "ServiceUnavailableError", "message": "The lists are resting." }] }),
        );
    });
    open_dialog().await;
    until("the lists error", || find(".asm-lists-error").is_some()).await;
    assert!(text(".asm-lists-error").contains("The lists are resting."));
    assert_eq!(
        find(".asm-lists-error")
            .and_then(|e| e.get_attribute("role"))
            .as_deref(),
        Some("alert")
    );
    // The agent types meanwhile; it is kept through the retries.
    type_into("#asm-lists-reason", "Ticket 9");
    type_into("#asm-lists-search", "wolf");

    // Retry the lists: now they load, and the page fails.
    route(&format!("GET {LISTS}"), 200, lists_body());
    route_raw(
        &format!("GET {SEARCH}"),
        json!({ "status": 500, "body": "<html>oops</html>" }),
    );
    click(".asm-lists-error button");
    until("the page error", || {
        text(".asm-lists-error").contains("The ASM service failed (500)")
    })
    .await;
    assert_eq!(calls_to(LISTS).len(), 2);
    assert_eq!(param(&last_search(), "query").as_deref(), Some("wolf"));

    // Retry the page: it loads with what was typed.
    route_by_params(
        &format!("GET {SEARCH}"),
        KEY,
        json!({ "instore|wolf||0": page_route(vec![linda()], 0, 1, 1, "byNameAsc") }),
        json!({ "status": 500, "body": "no" }),
    );
    click(".asm-lists-error button");
    until("the rows", || {
        texts(".asm-list-row .asm-name") == ["Linda Wolf"]
    })
    .await;
    assert!(find(".asm-lists-error").is_none());
    assert_eq!(value_of("#asm-lists-search"), "wolf");
    assert_eq!(value_of("#asm-lists-reason"), "Ticket 9");
}

#[wasm_bindgen_test]
async fn a_lost_session_returns_to_sign_in() {
    start(|| {
        route("GET /asm/agents/me", 200, session(600_000, None));
        route(&format!("GET {LISTS}"), 200, lists_body());
        route_raw(
            &format!("GET {SEARCH}"),
            json!({ "gate": "page", "status": 401, "body": invalid_token() }),
        );
    });
    open_dialog().await;
    until("the page request", || !calls_to(SEARCH).is_empty()).await;
    assert!(release("page"));
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert!(find(DIALOG).is_none());
    assert_eq!(events_named("asm:agent-signed-out").len(), 1);
}

// ---- choosing a customer -------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_blocked_customer_row_is_disabled_and_says_why() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    let dan = row("C-DISABLED");
    assert!(is_disabled(&format!("{dan} .asm-row-name")));
    assert!(is_disabled(&format!("{dan} .asm-row-orders")));
    assert_eq!(
        text(&format!("{dan} .asm-blocked")),
        "Account disabled: cannot be emulated"
    );
    // The reason is the button's description for screen readers.
    let described = find(&format!("{dan} .asm-row-name"))
        .and_then(|b| b.get_attribute("aria-describedby"))
        .expect("described");
    assert_eq!(
        text(&format!("#{described}")),
        "Account disabled: cannot be emulated"
    );
    type_into("#asm-lists-reason", "Ticket 1");
    click(&format!("{dan} .asm-row-name"));
    settle().await;
    assert!(calls_to(SESSIONS).is_empty());
    // The other rows work.
    assert!(!is_disabled(&format!("{} .asm-row-name", row("C-LINDA"))));
}

#[wasm_bindgen_test]
async fn a_row_without_a_reason_asks_for_it_and_sends_nothing() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    click(&format!("{} .asm-row-name", row("C-LINDA")));
    until("the notice", || find(".asm-lists-notice").is_some()).await;
    assert!(text(".asm-lists-notice").contains("Enter the reason for emulating Linda Wolf"));
    assert_eq!(active_id().as_deref(), Some("asm-lists-reason"));
    settle().await;
    assert!(calls_to(SESSIONS).is_empty());
    assert!(find(DIALOG).is_some());

    // Given the reason, Enter starts the customer chosen.
    type_into("#asm-lists-reason", "Ticket 77");
    press("#asm-lists-reason", "Enter");
    until("the emulation", || find(".asm-emulation").is_some()).await;
    let posts = calls_to(SESSIONS);
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_str(&posts[0].body).expect("json");
    assert_eq!(body["customerId"], "C-LINDA");
    assert_eq!(body["reason"], "Ticket 77");
}

#[wasm_bindgen_test]
async fn a_row_with_a_reason_starts_emulation_and_the_dialog_closes() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    // The dialog's reason field is the main search's: what was typed in one shows in the other.
    type_into("#asm-lists-reason", "Ticket 4711");
    until("the bar's reason field follows", || {
        value_of("#asm-emulation-reason") == "Ticket 4711"
    })
    .await;
    click(&format!("{} .asm-row-name", row("C-LINDA")));
    until("the dialog closed", || find(DIALOG).is_none()).await;
    until("the emulation", || find(".asm-emulation").is_some()).await;
    let posts = calls_to(SESSIONS);
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_str(&posts[0].body).expect("json");
    assert_eq!(body["customerId"], "C-LINDA");
    assert_eq!(body["reason"], "Ticket 4711");
    assert_eq!(body["baseSite"], "electronics");
    assert!(body.get("cartId").is_none_or(Value::is_null), "{body}");
    assert_eq!(
        posts[0]
            .headers
            .get("x-asm-request")
            .and_then(|v| v.as_str()),
        Some("1")
    );
    assert_eq!(events_named("asm:emulation-started").len(), 1);
    assert!(events_named("asm:navigate").is_empty());
}

#[wasm_bindgen_test]
async fn a_refused_emulation_says_why_and_keeps_the_dialog() {
    start(|| {
        signed_in_with_lists(json!({}));
        route(
            &format!("POST {SESSIONS}"),
            403,
            json!({ "errors": [{ "type": "CustomerConsentError", "message": "Linda withdrew her consent." }] }),
        );
    });
    open_with_rows().await;
    type_into("#asm-lists-reason", "Ticket 5");
    click(&format!("{} .asm-row-name", row("C-LINDA")));
    until("the notice", || {
        text(".asm-lists-notice") == "Linda withdrew her consent."
    })
    .await;
    assert!(find(DIALOG).is_some());
    assert_eq!(value_of("#asm-lists-reason"), "Ticket 5");
    assert!(!is_disabled(&format!("{} .asm-row-name", row("C-LINDA"))));
}

#[wasm_bindgen_test]
async fn the_cart_shortcut_emulates_on_that_cart_and_asks_the_storefront_to_open_it() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    type_into("#asm-lists-reason", "Ticket 8");
    click(&format!("{} .asm-row-cart", row("C-LINDA")));
    until("navigate", || !events_named("asm:navigate").is_empty()).await;
    let posts = calls_to(SESSIONS);
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_str(&posts[0].body).expect("json");
    assert_eq!(body["customerId"], "C-LINDA");
    assert_eq!(body["cartId"], "00001234");
    let nav = events_named("asm:navigate");
    assert_eq!(nav.len(), 1);
    assert_eq!(
        nav[0].detail,
        json!({ "target": "cart", "id": "00001234", "customerId": "C-LINDA" })
    );
    // The storefront hears of the emulation before it is asked to navigate.
    let names: Vec<String> = events().into_iter().map(|e| e.name).collect();
    let started = names.iter().position(|n| n == "asm:emulation-started");
    let navigate = names.iter().position(|n| n == "asm:navigate");
    assert!(started < navigate, "{names:?}");
    until("the dialog closed", || find(DIALOG).is_none()).await;
}

#[wasm_bindgen_test]
async fn the_orders_shortcut_emulates_and_asks_for_the_order_history() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    type_into("#asm-lists-reason", "Ticket 9");
    click(&format!("{} .asm-row-orders", row("C-LINDA")));
    until("navigate", || !events_named("asm:navigate").is_empty()).await;
    let body: Value = serde_json::from_str(&calls_to(SESSIONS)[0].body).expect("json");
    assert!(body.get("cartId").is_none_or(Value::is_null), "{body}");
    assert_eq!(
        events_named("asm:navigate")[0].detail,
        json!({ "target": "orders", "id": null, "customerId": "C-LINDA" })
    );
}

// ---- keyboard, screen readers, injection ---------------------------------------------------

#[wasm_bindgen_test]
async fn escape_closes_the_dialog_and_focus_returns_to_the_customers_button() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    let dialog: web_sys::HtmlDialogElement = {
        use wasm_bindgen::JsCast;
        find(DIALOG).expect("dialog").dyn_into().expect("a dialog")
    };
    assert!(dialog.open(), "opened as a modal");
    assert!(find(&format!("{DIALOG}:modal")).is_some(), "modal");
    // Escape makes the browser fire `cancel` on the modal dialog.
    fire(DIALOG, "cancel");
    until("the dialog closed", || find(DIALOG).is_none()).await;
    assert_eq!(active_id().as_deref(), Some("asm-lists-open"));

    // The × button closes it too, and a reopened dialog starts afresh.
    click("#asm-lists-open");
    until("the dialog", || find(DIALOG).is_some()).await;
    click(".asm-dialog-close");
    until("closed again", || find(DIALOG).is_none()).await;
    assert_eq!(calls_to(LISTS).len(), 2);
}

#[wasm_bindgen_test]
async fn customer_names_are_rendered_as_text() {
    let evil = "<img src=x onerror=\"window.__pwned=1\">Mallory <b>Bold</b>";
    start(|| {
        signed_in_with_lists(json!({
            "pickup|||0": page_route(
                vec![entry(evil, "C-INJECT", json!({ "phone": "<i>1</i>" }))], 0, 1, 1, "byNameAsc"),
        }))
    });
    open_with_rows().await;
    choose_option("#asm-lists-list", "pickup");
    until("the evil row", || find(&row("C-INJECT")).is_some()).await;
    let r = row("C-INJECT");
    assert_eq!(text(&format!("{r} .asm-name")), evil);
    assert_eq!(text(&format!("{r} .asm-phone")), "<i>1</i>");
    assert!(find(&format!("{r} img")).is_none());
    assert!(find(&format!("{r} b")).is_none());
    assert!(find(&format!("{r} i")).is_none());
    assert_eq!(text(&format!("{r} .asm-avatar")), "IB");
}

#[wasm_bindgen_test]
async fn avatars_take_letters_and_digits_of_any_script_upper_cased() {
    // The browser's Unicode tables (src/text.rs): accents, ß, Greek, digits, a lone mark.
    start(|| {
        signed_in_with_lists(json!({
            "pickup|||0": page_route(vec![
                entry("élodie straße", "C-FR", json!({})),
                entry("ßilvia 42", "C-SS", json!({})),
                entry("ωμέγα", "C-GR", json!({})),
                entry("\u{301}--- ...", "C-NONE", json!({})),
            ], 0, 4, 1, "byNameAsc"),
        }))
    });
    open_with_rows().await;
    choose_option("#asm-lists-list", "pickup");
    until("rows", || find(&row("C-NONE")).is_some()).await;
    for (id, avatar) in [
        ("C-FR", "ÉS"),
        ("C-SS", "SS4"),
        ("C-GR", "Ω"),
        ("C-NONE", "?"),
    ] {
        assert_eq!(text(&format!("{} .asm-avatar", row(id))), avatar, "{id}");
    }
}

fn press_tab(selector: &str, shift: bool) {
    use web_sys::{KeyboardEvent, KeyboardEventInit};
    let init = KeyboardEventInit::new();
    init.set_key("Tab");
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    find(selector)
        .expect("target")
        .dispatch_event(&ev)
        .expect("dispatch");
}

fn focused_class() -> String {
    find(":focus").map(|e| e.class_name()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn tab_wraps_around_inside_the_dialog() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    // Opened with the list picker focused.
    until("the picker focused", || {
        active_id().as_deref() == Some("asm-lists-list")
    })
    .await;
    // Tab on the last control (Next) goes to the first (the × button)...
    focus(".asm-pager-next");
    press_tab(".asm-pager-next", false);
    assert!(
        focused_class().contains("asm-dialog-close"),
        "{}",
        focused_class()
    );
    // ...and Shift+Tab there goes back to the last.
    press_tab(".asm-dialog-close", true);
    assert!(
        focused_class().contains("asm-pager-next"),
        "{}",
        focused_class()
    );
    // In between, Tab is left to the browser.
    focus("#asm-lists-search");
    press_tab("#asm-lists-search", false);
    assert_eq!(active_id().as_deref(), Some("asm-lists-search"));
}

#[wasm_bindgen_test]
async fn the_360_shortcut_opens_the_customer_360_over_the_list_without_emulating() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    click(&format!("{} .asm-row-360", row("C-LINDA")));
    until("customer 360", || find("dialog#asm-c360[open]").is_some()).await;
    assert!(text("#asm-c360-title").contains("Linda Wolf"));
    assert!(
        calls_to("/asm/sessions").is_empty(),
        "viewing is not emulating"
    );
    assert!(
        find(DIALOG).is_some(),
        "the list stays open beneath the 360° view"
    );
}

#[wasm_bindgen_test]
async fn create_customer_in_the_lists_dialog_opens_the_create_dialog_in_its_place() {
    start(|| signed_in_with_lists(json!({})));
    open_with_rows().await;
    click("#asm-lists-create");
    until("the create dialog", || find("#asm-create-dialog").is_some()).await;
    assert!(find(DIALOG).is_none(), "the lists dialog closed");
    assert_eq!(text("#asm-create-dialog-title"), "Create customer");
    assert!(calls_to("/asm/customers").is_empty(), "nothing sent yet");
}
