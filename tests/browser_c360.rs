//! Browser tests of the Customer 360° view: opening it, the header, each tab (data, empty,
//! error), tab keyboard navigation, activity sorting/paging/links, and the promotions actions.
//! Run: `cargo test -p asm-overlay --target wasm32-unknown-unknown --test browser_c360`.
#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::{json, Value};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const C360: &str = "/asm/customers/C-LINDA/customer360";

#[wasm_bindgen(inline_js = r#"
export function set_c360_route(json) {
  const byType = JSON.parse(json);
  window.__asm.routes['POST /asm/customers/C-LINDA/customer360'] = (call) => {
    const answer = byType.__status ? byType.__status : null;
    if (answer) return answer;
    const queries = JSON.parse(call.body).queries;
    const fragments = queries.map((q) => {
      const f = byType[q.type];
      if (f === undefined) return { type: q.type, error: { type: 'InternalError', message: 'stub: no ' + q.type } };
      if (f && f.__error) return { type: q.type, error: { type: 'InternalError', message: f.__error } };
      return { type: q.type, data: f };
    });
    return { status: 200, body: { fragments } };
  };
}
"#)]
extern "C" {
    fn set_c360_route(json: &str);
}

fn money(cents: i64) -> Value {
    json!({ "formatted": format!("${}.{:02}", cents / 100, cents % 100), "cents": cents, "currency": "USD" })
}

fn overview(name: &str) -> Value {
    json!({
        "name": name, "email": "linda.wolf@example.com", "town": "Boston", "country": "US",
        "signedUpDate": "2024-03-05T10:00:00Z",
        "activeCart": { "code": "00001234", "totalItems": 3, "total": money(45_000) },
        "latestOrder": { "code": "30000077", "status": "COMPLETED", "total": money(12_345), "placed": "2026-10-01T12:00:00Z" },
        "latestOpenTicket": { "id": "T-100", "subject": "Where is my parcel?", "category": "Enquiry", "status": "OPEN",
                              "created": "2026-11-01T09:00:00Z", "updated": "2026-11-02T09:00:00Z" }
    })
}

fn cart(code: &str) -> Value {
    json!({ "cart": {
        "code": code, "totalItems": 2, "subtotal": money(30_000), "created": "2026-11-01T09:00:00Z",
        "modified": "2026-11-20T09:00:00Z",
        "entries": [{ "productCode": "P1", "productName": "Camera X", "quantity": 2, "unitPrice": money(15_000), "total": money(30_000) }]
    }})
}

fn activity(n: usize) -> Value {
    let entries: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "type": if i % 2 == 0 { "ORDER" } else { "TICKET" },
                "id": format!("{:08}", 30_000_000 + i),
                "description": format!("entry {i}"),
                "status": "COMPLETED",
                "created": format!("2026-01-{:02}T00:00:00Z", 1 + i % 28),
                "updated": format!("2026-02-{:02}T00:00:00Z", 28 - i % 28),
            })
        })
        .collect();
    json!({ "entries": entries, "totalCount": n })
}

fn promotions(applied: bool, assigned: bool) -> Value {
    json!({
        "cartCode": "00001234", "cartSubtotal": money(30_000),
        "cartVouchers": [
            { "code": "SAVE10", "name": "Save 10%", "description": "10% off", "percent": 10, "applied": applied },
            { "code": "GIFTCARD", "name": "Free memory card", "description": "A memory card as a gift", "applied": false,
              "kind": "GIFT_PRODUCT", "giftProductName": "Secure Digital Card 2GB" },
            { "code": "SHIPFREE", "name": "Free shipping", "description": "No delivery cost", "applied": false,
              "kind": "FREE_SHIPPING", "sessionOnly": true }
        ],
        "promotions": [{ "code": "ORDER200", "description": "5% off from $200", "threshold": money(20_000), "percent": 5, "applied": true }],
        "customerCoupons": [
            { "code": "VIP25", "name": "VIP", "description": "25% off", "percent": 25, "starts": "2026-01-01T00:00:00Z",
              "ends": "2026-12-31T00:00:00Z", "status": if assigned { "ASSIGNED" } else { "AVAILABLE" } },
            { "code": "BIRTHDAY15", "name": "Birthday", "description": "15% off", "percent": 15, "starts": "2026-01-01T00:00:00Z",
              "ends": "2026-12-31T00:00:00Z", "status": "AVAILABLE" }
        ]
    })
}

fn all_fragments() -> Value {
    json!({
        "overview": overview("Linda Wolf"),
        "cart": cart("00001234"),
        "savedCart": cart("00000999"),
        "productInterests": { "entries": [{ "productCode": "P2", "productName": "Lens Y", "price": money(9_900),
                                            "kind": "BACK_IN_STOCK", "created": "2026-09-01T00:00:00Z" }], "totalCount": 1 },
        "profile": {
            "billingAddress": { "line1": "1 Main St", "postalCode": "02110", "town": "Boston", "country": "US", "phone": "+1 555 0100" },
            "phones": ["+1 555 0100"],
            "paymentCards": [{ "brand": "Visa", "maskedNumber": "**** **** **** 4242", "expiry": "08/2028", "holder": "Linda Wolf", "isDefault": true }]
        },
        "activity": activity(25),
        "feedback": { "tickets": [], "ticketCount": 0,
                      "reviews": [{ "productCode": "P1", "productName": "Camera X", "rating": 4, "headline": "Good", "comment": "Sharp.", "created": "2026-06-01T00:00:00Z" }],
                      "reviewCount": 1 },
        "storeLocations": { "town": "Boston", "country": "US", "totalCount": 1,
                            "stores": [{ "name": "boston-1", "displayName": "Boston Downtown", "line1": "5 State St", "town": "Boston",
                                         "country": "US", "openingHours": "Mon-Sat 09:00-20:00", "inCustomerTown": true }] },
        "promotions": promotions(false, false),
    })
}

/// Emulating Linda, with `fragments` answering customer 360.
fn emulating_linda(fragments: Value) -> impl FnOnce() {
    move || {
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        );
        set_c360_route(&fragments.to_string());
    }
}

async fn open_360() {
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    click_button("Customer 360°");
    until("dialog", || find("dialog#asm-c360[open]").is_some()).await;
}

fn queried_types(call: &Call) -> Vec<String> {
    let body: Value = serde_json::from_str(&call.body).expect("json body");
    body["queries"]
        .as_array()
        .expect("queries")
        .iter()
        .map(|q| q["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn select_tab(label: &str) {
    let tab = find_all("[role=tab]")
        .into_iter()
        .find(|t| t.text_content().is_some_and(|x| x == label))
        .unwrap_or_else(|| panic!("no tab {label}"));
    tab.dyn_into::<web_sys::HtmlElement>().expect("tab").click();
}

#[wasm_bindgen_test]
async fn opens_from_the_bar_with_the_header_and_the_overview_tab() {
    start(emulating_linda(all_fragments()));
    open_360().await;
    until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    assert_eq!(text(".asm-c360-email"), "linda.wolf@example.com");
    assert!(
        text(".asm-c360-active-cart").starts_with("00001234 · 3 items · "),
        "{}",
        text(".asm-c360-active-cart")
    );
    assert!(text(".asm-c360-latest-order").starts_with("30000077 · "));
    assert!(text(".asm-c360-open-ticket").contains("Where is my parcel?"));
    until("overview tab", || {
        text(".asm-c360-panel").contains("Camera X")
    })
    .await;
    assert!(
        text(".asm-c360-panel").contains("Cart 00000999"),
        "the saved cart"
    );
    assert!(
        text(".asm-c360-panel").contains("Lens Y"),
        "product interests"
    );
    // The header and the tab each asked for their own fragments, with the CSRF header.
    let calls = calls_to(C360);
    let asked: Vec<Vec<String>> = calls.iter().map(queried_types).collect();
    assert!(asked.contains(&vec!["overview".to_owned()]), "{asked:?}");
    assert!(asked.contains(&vec![
        "cart".to_owned(),
        "savedCart".to_owned(),
        "productInterests".to_owned()
    ]));
    assert!(calls
        .iter()
        .all(|c| c.headers.get("x-asm-request").is_some()));
    assert!(calls.iter().all(|c| c.params["baseSite"] == "electronics"));
}

#[wasm_bindgen_test]
async fn every_tab_loads_its_own_fragment_and_says_when_it_is_empty() {
    start(emulating_linda(all_fragments()));
    open_360().await;
    select_tab("Profile");
    until("profile", || {
        text(".asm-c360-panel").contains("**** **** **** 4242")
    })
    .await;
    assert!(text(".asm-c360-panel").contains("1 Main St"));
    assert!(text(".asm-c360-phones").contains("+1 555 0100"));
    select_tab("Feedback");
    until("feedback", || {
        text(".asm-c360-panel").contains("No support tickets.")
    })
    .await;
    assert!(text(".asm-c360-panel").contains("Good"));
    assert_eq!(
        find(".asm-c360-stars")
            .and_then(|e| e.get_attribute("aria-label"))
            .as_deref(),
        Some("4 of 5 stars")
    );
    select_tab("Store locations");
    until("stores", || {
        text(".asm-c360-panel").contains("Boston Downtown")
    })
    .await;
    assert!(text(".asm-c360-panel").contains("Mon-Sat 09:00-20:00"));
    select_tab("Activity");
    until("activity", || find(".asm-c360-activity").is_some()).await;
    select_tab("Promotions");
    until("promotions", || text(".asm-c360-panel").contains("SAVE10")).await;
    let asked: Vec<Vec<String>> = calls_to(C360).iter().map(queried_types).collect();
    for kind in [
        "profile",
        "feedback",
        "storeLocations",
        "activity",
        "promotions",
    ] {
        assert!(
            asked.iter().any(|a| a == &vec![kind.to_owned()]),
            "{kind}: {asked:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn coming_back_to_a_tab_shows_what_it_loaded_without_asking_again() {
    start(|| {
        emulating_linda(all_fragments())();
        route(
            "POST /asm/users/C-LINDA/carts/00001234/vouchers",
            200,
            json!({}),
        );
    });
    open_360().await;
    let asked = |kind: &str| {
        calls_to(C360)
            .iter()
            .map(queried_types)
            .filter(|a| a == &vec![kind.to_owned()])
            .count()
    };
    select_tab("Profile");
    until("profile", || text(".asm-c360-panel").contains("1 Main St")).await;
    select_tab("Promotions");
    until("promotions", || {
        find(".asm-c360-vouchers li[data-code=SAVE10] button").is_some()
    })
    .await;
    select_tab("Profile");
    until("profile again", || {
        text(".asm-c360-panel").contains("1 Main St")
    })
    .await;
    select_tab("Promotions");
    until("promotions again", || {
        find(".asm-c360-vouchers li[data-code=SAVE10] button").is_some()
    })
    .await;
    assert_eq!(asked("profile"), 1, "Profile was asked once");
    assert_eq!(asked("promotions"), 1, "Promotions was asked once");
    // An action changes the customer: the other tabs ask again when next shown.
    click(".asm-c360-vouchers li[data-code=SAVE10] button");
    until("applied", || {
        text(".asm-success").contains("SAVE10 applied")
    })
    .await;
    until("promotions reloaded", || asked("promotions") == 2).await;
    select_tab("Profile");
    until("profile asked again", || asked("profile") == 2).await;
}

#[wasm_bindgen_test]
async fn a_failing_fragment_shows_its_own_error_and_retry_while_the_others_show() {
    let mut fragments = all_fragments();
    fragments["cart"] = json!({ "__error": "The cart could not be read." });
    start(emulating_linda(fragments));
    open_360().await;
    until("saved cart", || {
        text(".asm-c360-panel").contains("Cart 00000999")
    })
    .await;
    assert!(text(".asm-c360-panel .asm-error").contains("The cart could not be read."));
    assert!(text(".asm-c360-panel").contains("Lens Y"));
    // The header is fine, and other tabs work.
    until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    // Retry, now answered.
    set_c360_route(&all_fragments().to_string());
    click(".asm-c360-panel .asm-c360-retry");
    until("cart after retry", || {
        text(".asm-c360-panel").contains("Cart 00001234")
    })
    .await;
    assert!(find(".asm-c360-panel .asm-error").is_none());
}

#[wasm_bindgen_test]
async fn a_failed_request_says_so_in_the_tab_and_retry_loads_it() {
    let mut failing = all_fragments();
    failing["__status"] = json!({ "status": 503, "body": "Service Unavailable" });
    start(emulating_linda(failing));
    open_360().await;
    select_tab("Profile");
    until("error", || {
        text(".asm-c360-panel .asm-error").contains("(503)")
    })
    .await;
    set_c360_route(&all_fragments().to_string());
    click(".asm-c360-panel .asm-c360-retry");
    until("profile", || text(".asm-c360-panel").contains("1 Main St")).await;
}

#[wasm_bindgen_test]
async fn a_fragment_of_the_wrong_shape_is_not_understood_and_retry_loads_it() {
    // Each fragment is read as the type its `type` names (src/json.rs): a profile whose phones
    // are not a list, or a fragment type the overlay does not know, is not the contract.
    for wrong in [
        json!({ "phones": "none", "paymentCards": [] }),
        json!({ "__status": { "status": 200, "body": { "fragments": [{ "type": "horoscope", "data": {} }] } } }),
    ] {
        let mut fragments = all_fragments();
        if wrong.get("__status").is_some() {
            fragments["__status"] = wrong["__status"].clone();
        } else {
            fragments["profile"] = wrong;
        }
        start(emulating_linda(fragments));
        open_360().await;
        select_tab("Profile");
        until("not understood", || {
            text(".asm-c360-panel .asm-error").contains("does not understand")
        })
        .await;
        set_c360_route(&all_fragments().to_string());
        click(".asm-c360-panel .asm-c360-retry");
        until("profile", || text(".asm-c360-panel").contains("1 Main St")).await;
    }
}

#[wasm_bindgen_test]
async fn arrow_keys_home_and_end_move_between_tabs() {
    start(emulating_linda(all_fragments()));
    open_360().await;
    let selected = || text("[role=tab][aria-selected=true]");
    assert_eq!(selected(), "Overview");
    press(".asm-c360-tabs", "ArrowRight");
    until("profile selected", || selected() == "Profile").await;
    assert_eq!(active_id().as_deref(), Some("asm-c360-tab-profile"));
    press(".asm-c360-tabs", "End");
    until("promotions selected", || selected() == "Promotions").await;
    press(".asm-c360-tabs", "ArrowRight");
    until("wrapped to overview", || selected() == "Overview").await;
    press(".asm-c360-tabs", "ArrowLeft");
    until("wrapped to promotions", || selected() == "Promotions").await;
    press(".asm-c360-tabs", "Home");
    until("overview again", || selected() == "Overview").await;
    // Only the selected tab is in the Tab order.
    let in_order: Vec<_> = find_all("[role=tab][tabindex='0']");
    assert_eq!(in_order.len(), 1);
}

#[wasm_bindgen_test]
async fn activity_is_sorted_paged_and_its_rows_open_in_the_storefront() {
    start(emulating_linda(all_fragments()));
    open_360().await;
    select_tab("Activity");
    until("activity", || find(".asm-c360-activity").is_some()).await;
    assert_eq!(find_all(".asm-c360-activity tbody tr").len(), 10);
    assert_eq!(text(".asm-page-label"), "Page 1 of 3");
    click("#asm-c360-next");
    until("page 2", || text(".asm-page-label") == "Page 2 of 3").await;
    // Sort by ID ascending: the first row is the smallest id.
    click("#asm-c360-sort-ID");
    until("sorted", || text(".asm-page-label") == "Page 1 of 3").await;
    let first_id = || text(".asm-c360-activity tbody tr td:nth-child(2)");
    until("first id", || first_id() == "30000000").await;
    click("#asm-c360-sort-ID");
    until("descending", || first_id() == "30000024").await;
    assert_eq!(
        find("th[aria-sort=descending]")
            .and_then(|e| e.text_content())
            .as_deref(),
        Some("ID")
    );
    // Open the order in the storefront: the host page is told, and the dialog closes.
    click(".asm-c360-activity tbody tr .asm-c360-open");
    until("navigate event", || {
        !events_named("asm:navigate").is_empty()
    })
    .await;
    let nav = &events_named("asm:navigate")[0];
    assert_eq!(nav.detail["target"], "order");
    assert_eq!(nav.detail["id"], "30000024");
    assert_eq!(nav.detail["customerId"], "C-LINDA");
    until("dialog closed", || find("#asm-c360").is_none()).await;
}

#[wasm_bindgen_test]
async fn feedback_rows_open_the_ticket_or_the_reviewed_product_and_mark_what_an_agent_wrote() {
    let mut fragments = all_fragments();
    fragments["feedback"] = json!({
        "tickets": [
            { "id": "60000001", "subject": "Strap broke", "category": "Complaint", "status": "OPEN",
              "created": "2026-11-01T09:00:00Z", "updated": "2026-11-02T09:00:00Z", "addedByAgent": true },
            { "id": "00050001", "subject": "Where is my order?", "category": "Delivery", "status": "CLOSED",
              "created": "2026-10-01T09:00:00Z", "updated": "2026-10-02T09:00:00Z" }
        ],
        "ticketCount": 2,
        "reviews": [{ "productCode": "P1", "productName": "Camera X", "rating": 4, "headline": "Good",
                      "comment": "Sharp.", "created": "2026-06-01T00:00:00Z", "addedByAgent": true }],
        "reviewCount": 1
    });
    start(emulating_linda(fragments));
    open_360().await;
    select_tab("Feedback");
    until("tickets", || find(".asm-c360-tickets").is_some()).await;
    // Only what an agent wrote is marked.
    let rows = find_all(".asm-c360-tickets tbody tr");
    assert_eq!(rows.len(), 2);
    assert!(rows[0]
        .text_content()
        .unwrap_or_default()
        .contains("(by an agent)"));
    assert!(!rows[1]
        .text_content()
        .unwrap_or_default()
        .contains("(by an agent)"));
    assert!(text(".asm-c360-reviews").contains("(by an agent)"));
    assert!(find("button[aria-label='Open ticket 00050001']").is_some());
    click("button[aria-label='Open ticket 60000001']");
    until("ticket navigate", || {
        !events_named("asm:navigate").is_empty()
    })
    .await;
    let nav = &events_named("asm:navigate")[0];
    assert_eq!(nav.detail["target"], "ticket");
    assert_eq!(nav.detail["id"], "60000001");
    assert_eq!(nav.detail["customerId"], "C-LINDA");
    until("dialog closed", || find("#asm-c360").is_none()).await;
    // A review opens its product.
    open_360().await;
    select_tab("Feedback");
    until("reviews", || find(".asm-c360-reviews").is_some()).await;
    click("button[aria-label='Open Camera X']");
    until("product navigate", || {
        events_named("asm:navigate").len() == 2
    })
    .await;
    let nav = &events_named("asm:navigate")[1];
    assert_eq!(nav.detail["target"], "product");
    assert_eq!(nav.detail["id"], "P1");
    until("dialog closed again", || find("#asm-c360").is_none()).await;
}

#[wasm_bindgen_test]
async fn overview_carts_and_interests_open_in_the_storefront() {
    start(emulating_linda(all_fragments()));
    for (button, target, id) in [
        ("Open cart 00001234", "cart", "00001234"),
        ("Open cart 00000999", "cart", "00000999"),
        ("Open Lens Y", "product", "P2"),
    ] {
        open_360().await;
        until("overview", || find(".asm-c360-interests").is_some()).await;
        let before = events_named("asm:navigate").len();
        click(&format!("button[aria-label='{button}']"));
        until("navigate", || {
            events_named("asm:navigate").len() == before + 1
        })
        .await;
        let nav = &events_named("asm:navigate")[before];
        assert_eq!(nav.detail["target"], target, "{button}");
        assert_eq!(nav.detail["id"], id, "{button}");
        assert_eq!(nav.detail["customerId"], "C-LINDA");
        until("dialog closed", || find("#asm-c360").is_none()).await;
    }
}

#[wasm_bindgen_test]
async fn the_profile_opens_the_address_book_in_the_storefront() {
    start(emulating_linda(all_fragments()));
    open_360().await;
    select_tab("Profile");
    until("profile", || text(".asm-c360-panel").contains("1 Main St")).await;
    click("button[aria-label='Open the address book']");
    until("navigate", || !events_named("asm:navigate").is_empty()).await;
    let nav = &events_named("asm:navigate")[0];
    assert_eq!(nav.detail["target"], "addresses");
    assert!(nav.detail["id"].is_null(), "{:?}", nav.detail);
    assert_eq!(nav.detail["customerId"], "C-LINDA");
}

#[wasm_bindgen_test]
async fn empty_activity_says_so() {
    let mut fragments = all_fragments();
    fragments["activity"] = json!({ "entries": [], "totalCount": 0 });
    start(emulating_linda(fragments));
    open_360().await;
    select_tab("Activity");
    until("empty", || text(".asm-c360-panel").contains("No activity.")).await;
}

#[wasm_bindgen_test]
async fn coupons_are_applied_removed_assigned_and_unassigned_on_the_emulated_customer() {
    start(|| {
        emulating_linda(all_fragments())();
        route(
            "POST /asm/users/C-LINDA/carts/00001234/vouchers",
            200,
            json!({}),
        );
        route(
            "POST /asm/users/C-LINDA/customercoupons/VIP25/claim",
            200,
            json!({}),
        );
    });
    open_360().await;
    select_tab("Promotions");
    until("promotions", || {
        find(".asm-c360-vouchers li[data-code=SAVE10] button").is_some()
    })
    .await;
    assert!(text(".asm-c360-promotions").contains("ORDER200"));
    // Each cart coupon says what it gives, and a session-only one how long it is valid.
    assert!(text(".asm-c360-vouchers li[data-code=SAVE10]").contains("10% off"));
    assert!(
        text(".asm-c360-vouchers li[data-code=GIFTCARD]").contains("Gift: Secure Digital Card 2GB")
    );
    let ship = text(".asm-c360-vouchers li[data-code=SHIPFREE]");
    assert!(
        ship.contains("Free shipping") && ship.contains("Only during this support session"),
        "{ship}"
    );
    assert!(!text(".asm-c360-vouchers li[data-code=SAVE10]").contains("support session"));
    // Apply SAVE10; the tab reloads (the stub now says it is applied).
    let mut after = all_fragments();
    after["promotions"] = promotions(true, false);
    set_c360_route(&after.to_string());
    click(".asm-c360-vouchers li[data-code=SAVE10] button");
    until("applied", || {
        text(".asm-success").contains("SAVE10 applied")
    })
    .await;
    let applied = calls_to("/asm/users/C-LINDA/carts/00001234/vouchers");
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].method, "POST");
    assert!(applied[0].body.contains("\"voucherId\":\"SAVE10\""));
    assert!(applied[0].headers.get("x-asm-request").is_some());
    until("shown as applied", || {
        text(".asm-c360-vouchers li[data-code=SAVE10] button") == "Remove"
    })
    .await;
    let changed = events_named("asm:customer-changed");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].detail["what"], "cart");
    // Remove it again.
    route(
        "DELETE /asm/users/C-LINDA/carts/00001234/vouchers/SAVE10",
        204,
        Value::Null,
    );
    set_c360_route(&all_fragments().to_string());
    click(".asm-c360-vouchers li[data-code=SAVE10] button");
    until("removed", || {
        text(".asm-success").contains("SAVE10 removed")
    })
    .await;
    assert_eq!(
        calls_to("/asm/users/C-LINDA/carts/00001234/vouchers/SAVE10").len(),
        1
    );
    // Search the customer coupons, then assign VIP25.
    type_into("#asm-c360-coupon-filter", "vip");
    until("filtered", || {
        find(".asm-c360-coupons li[data-code=BIRTHDAY15]").is_none()
    })
    .await;
    assert_eq!(
        value_of("#asm-c360-coupon-filter"),
        "vip",
        "the filter keeps what was typed"
    );
    let mut assigned = all_fragments();
    assigned["promotions"] = promotions(false, true);
    set_c360_route(&assigned.to_string());
    click(".asm-c360-coupons li[data-code=VIP25] button");
    until("assigned", || {
        text(".asm-success").contains("VIP25 assigned")
    })
    .await;
    until("unassign offered", || {
        text(".asm-c360-coupons li[data-code=VIP25] button") == "Unassign"
    })
    .await;
    assert_eq!(
        calls_to("/asm/users/C-LINDA/customercoupons/VIP25/claim")[0].method,
        "POST"
    );
    assert_eq!(events_named("asm:customer-changed").len(), 3);
}

#[wasm_bindgen_test]
async fn a_refused_coupon_says_why() {
    start(|| {
        emulating_linda(all_fragments())();
        route(
            "POST /asm/users/C-LINDA/carts/00001234/vouchers",
            400,
            json!({ "errors": [{ "type": "VoucherInvalidError", "message": "Voucher SAVE10 cannot be applied." }] }),
        );
    });
    open_360().await;
    select_tab("Promotions");
    until("promotions", || {
        find(".asm-c360-vouchers li[data-code=SAVE10] button").is_some()
    })
    .await;
    click(".asm-c360-vouchers li[data-code=SAVE10] button");
    until("error", || {
        text(".asm-c360-panel .asm-error").contains("cannot be applied")
    })
    .await;
    assert!(events_named("asm:customer-changed").is_empty());
}

#[wasm_bindgen_test]
async fn escape_closes_the_view_and_focus_returns_to_its_button() {
    start(emulating_linda(all_fragments()));
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    let opener: web_sys::HtmlElement = find(".asm-c360-open-button")
        .expect("button")
        .dyn_into()
        .expect("html");
    opener.focus().expect("focus");
    opener.click();
    until("dialog", || find("dialog#asm-c360[open]").is_some()).await;
    let dialog = find("dialog#asm-c360").expect("dialog");
    let ev = web_sys::Event::new_with_event_init_dict("cancel", &{
        let i = web_sys::EventInit::new();
        i.set_cancelable(true);
        i
    })
    .expect("event");
    dialog.dispatch_event(&ev).expect("dispatch");
    until("closed", || find("#asm-c360").is_none()).await;
    until("focus back", || {
        find(".asm-c360-open-button").is_some_and(|b| {
            Some(b)
                == web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(asm_overlay::host::HOST_ID))
                    .and_then(|h| h.shadow_root())
                    .and_then(|r| r.active_element())
        })
    })
    .await;
}

#[wasm_bindgen_test]
async fn customer_data_is_text_and_actions_wait_for_emulation_of_this_customer() {
    let mut fragments = all_fragments();
    fragments["overview"] = overview("<img src=x onerror=\"window.__pwned=1\">Mallory");
    start(emulating_linda(fragments));
    open_360().await;
    until("header", || text(".asm-c360-name").contains("Mallory")).await;
    assert!(find(".asm-c360-name img").is_none());
    assert_eq!(
        text(".asm-c360-name"),
        "<img src=x onerror=\"window.__pwned=1\">Mallory"
    );
}

#[wasm_bindgen_test]
async fn opens_from_a_search_result_and_acting_waits_for_emulation() {
    start(|| {
        route("GET /asm/agents/me", 200, session(600_000, None));
        search_routes(
            json!({ "lind": { "status": 200, "body": page(&[("Linda Wolf", "linda.wolf@example.com", "C-LINDA")]) } }),
        );
        set_c360_route(&all_fragments().to_string());
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "lind");
    until("result", || find(".asm-result-360").is_some()).await;
    click(".asm-result-360");
    until("dialog", || find("dialog#asm-c360[open]").is_some()).await;
    // Opening the view did not start an emulation.
    assert!(calls_to("/asm/sessions").is_empty());
    until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    select_tab("Promotions");
    until("promotions", || {
        find(".asm-c360-vouchers li[data-code=SAVE10] button").is_some()
    })
    .await;
    assert!(text(".asm-c360-panel .asm-notice").contains("Start emulating this customer"));
    let apply: web_sys::HtmlButtonElement = find(".asm-c360-vouchers li[data-code=SAVE10] button")
        .expect("button")
        .dyn_into()
        .expect("a button");
    assert!(
        apply.disabled(),
        "no coupon is applied for a customer who is not emulated"
    );
    select_tab("Activity");
    until("activity", || find(".asm-c360-open").is_some()).await;
    let open: web_sys::HtmlButtonElement = find(".asm-c360-open")
        .expect("open")
        .dyn_into()
        .expect("a button");
    assert!(open.disabled());
}

#[wasm_bindgen_test]
async fn a_results_360_cell_is_reached_with_arrow_right_and_opened_with_enter() {
    start(|| {
        route("GET /asm/agents/me", 200, session(600_000, None));
        search_routes(json!({ "lind": { "status": 200, "body": page(&[
            ("Linda Wolf", "linda.wolf@example.com", "C-LINDA"), ("Lindsay Lo", "l.lo@example.com", "C-LO")]) } }));
        set_c360_route(&all_fragments().to_string());
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "lind");
    until("results", || find_all(".asm-result").len() == 2).await;
    // A grid: each row's two actions are cells, no button inside an option.
    assert_eq!(
        find("#asm-search-results")
            .and_then(|e| e.get_attribute("role"))
            .as_deref(),
        Some("grid")
    );
    assert!(find("[role=option]").is_none());
    let active =
        || find("#asm-customer-search").and_then(|e| e.get_attribute("aria-activedescendant"));
    press("#asm-customer-search", "ArrowRight");
    assert_eq!(
        active(),
        None,
        "no row yet: ArrowRight is the text cursor's"
    );
    press("#asm-customer-search", "ArrowDown");
    until("first row", || active().as_deref() == Some("asm-opt-0")).await;
    press("#asm-customer-search", "ArrowRight");
    until("its 360° cell", || {
        active().as_deref() == Some("asm-opt-0-360")
    })
    .await;
    assert!(find("#asm-opt-0-360.asm-active-cell").is_some());
    // Down keeps the column; Left goes back to the customer.
    press("#asm-customer-search", "ArrowDown");
    until("next row's 360° cell", || {
        active().as_deref() == Some("asm-opt-1-360")
    })
    .await;
    press("#asm-customer-search", "ArrowUp");
    until("back up", || active().as_deref() == Some("asm-opt-0-360")).await;
    press("#asm-customer-search", "Enter");
    until("dialog", || find("dialog#asm-c360[open]").is_some()).await;
    until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    assert!(
        calls_to("/asm/sessions").is_empty(),
        "Enter on the 360° cell emulates nobody"
    );
}

#[wasm_bindgen_test]
async fn every_tab_shows_its_own_fragment_error_with_retry() {
    for (tab, kind) in [
        ("Overview", "productInterests"),
        ("Profile", "profile"),
        ("Activity", "activity"),
        ("Feedback", "feedback"),
        ("Store locations", "storeLocations"),
        ("Promotions", "promotions"),
    ] {
        let mut fragments = all_fragments();
        fragments[kind] = json!({ "__error": format!("{kind} is down") });
        start(emulating_linda(fragments));
        open_360().await;
        select_tab(tab);
        let wanted = format!("{kind} is down");
        until(&wanted, || {
            text(".asm-c360-panel .asm-error").contains(&wanted)
        })
        .await;
        assert!(
            find(".asm-c360-panel .asm-c360-retry").is_some(),
            "{tab} offers Retry"
        );
        // The header still shows.
        until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    }
}

#[wasm_bindgen_test]
async fn every_tab_says_when_it_has_nothing() {
    let mut fragments = all_fragments();
    fragments["cart"] = json!({});
    fragments["savedCart"] = json!({});
    fragments["productInterests"] = json!({ "entries": [], "totalCount": 0 });
    fragments["profile"] = json!({ "phones": [], "paymentCards": [] });
    fragments["feedback"] =
        json!({ "tickets": [], "ticketCount": 0, "reviews": [], "reviewCount": 0 });
    fragments["storeLocations"] =
        json!({ "town": "Nowhere", "country": "US", "stores": [], "totalCount": 0 });
    fragments["promotions"] =
        json!({ "cartVouchers": [], "promotions": [], "customerCoupons": [] });
    start(emulating_linda(fragments));
    open_360().await;
    for (tab, says) in [
        (
            "Overview",
            vec!["No active cart.", "No saved cart.", "No product interests."],
        ),
        ("Profile", vec!["No saved cards."]),
        (
            "Feedback",
            vec!["No support tickets.", "No product reviews."],
        ),
        ("Store locations", vec!["No stores near the customer."]),
        (
            "Promotions",
            vec!["The customer has no active cart.", "No customer coupons."],
        ),
    ] {
        select_tab(tab);
        for text_wanted in says {
            until(text_wanted, || {
                text(".asm-c360-panel").contains(text_wanted)
            })
            .await;
        }
        assert!(
            find(".asm-c360-panel .asm-error").is_none(),
            "{tab}: empty is not an error"
        );
    }
}

#[wasm_bindgen_test]
async fn money_without_a_currency_code_shows_the_servers_text() {
    // A backend that knows only the formatted text (SAP's Customer 360 strings) must not break
    // the view: `Intl.NumberFormat` throws on such a currency.
    let mut fragments = all_fragments();
    let text_only = json!({ "formatted": "$450.00", "cents": 45_000, "currency": "" });
    fragments["overview"]["activeCart"]["total"] = text_only;
    fragments["overview"]["latestOrder"]["total"] =
        json!({ "formatted": "Y100.0000", "cents": 10_000, "currency": "dollars" });
    start(emulating_linda(fragments));
    open_360().await;
    until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    assert!(
        text(".asm-c360-active-cart").ends_with("$450.00"),
        "{}",
        text(".asm-c360-active-cart")
    );
    assert!(
        text(".asm-c360-latest-order").contains("Y100.0000"),
        "{}",
        text(".asm-c360-latest-order")
    );
}

/// RFC 3339 of now + `days` (the browser's clock).
fn days_from_now(days: f64) -> String {
    js_sys::Date::new(&JsValue::from_f64(
        js_sys::Date::now() + days * 86_400_000.0,
    ))
    .to_iso_string()
    .into()
}

#[wasm_bindgen_test]
async fn customer_coupons_ending_soon_or_ended_say_so() {
    let mut fragments = all_fragments();
    let coupon = |code: &str, ends: String, status: &str| {
        json!({ "code": code, "name": code, "description": "", "percent": 10,
                "starts": "2026-01-01T00:00:00Z", "ends": ends, "status": status })
    };
    fragments["promotions"] = json!({
        "cartVouchers": [], "promotions": [],
        "customerCoupons": [
            coupon("AUTUMN20", days_from_now(-2.0), "ASSIGNED"),
            coupon("LOYALTY20", days_from_now(400.0), "ASSIGNED"),
            coupon("VIP25", days_from_now(5.0), "AVAILABLE"),
            coupon("TOMORROW", days_from_now(1.0), "AVAILABLE"),
        ]
    });
    start(emulating_linda(fragments));
    open_360().await;
    select_tab("Promotions");
    until("promotions", || {
        find(".asm-c360-coupons li[data-code=VIP25]").is_some()
    })
    .await;
    let notice = |code: &str| {
        text(&format!(
            ".asm-c360-coupons li[data-code={code}] .asm-c360-expiry"
        ))
    };
    assert_eq!(notice("AUTUMN20"), "Expired");
    assert!(
        find(".asm-c360-coupons li[data-code=AUTUMN20] .asm-c360-expiry.asm-expired").is_some()
    );
    assert_eq!(notice("VIP25"), "Expires in 5 days");
    assert_eq!(notice("TOMORROW"), "Expires tomorrow");
    assert!(find(".asm-c360-coupons li[data-code=VIP25] .asm-expired").is_none());
    assert!(
        find(".asm-c360-coupons li[data-code=LOYALTY20] .asm-c360-expiry").is_none(),
        "no notice for a coupon that ends in more than 30 days"
    );
    let row = text(".asm-c360-coupons li[data-code=VIP25]");
    assert!(
        row.contains("· available · Expires in 5 days Assign"),
        "{row}"
    );
}

#[wasm_bindgen_test]
async fn coupons_without_percentages_or_dates_show_what_the_backend_says() {
    // SAP's Customer 360° gives coupons a code, name and description only, and promotions no
    // threshold: nothing may read "0% off", "until" with no date, or "from" with no amount.
    let mut fragments = all_fragments();
    fragments["promotions"] = json!({
        "cartCode": "00001001", "cartSubtotal": money(39_940),
        "cartVouchers": [{ "code": "SUMMER10", "name": "Summer sale", "description": "", "applied": false }],
        "promotions": [{ "code": "FREEGIFT", "description": "A gift with every camera", "applied": false }],
        "customerCoupons": [{ "code": "FREESHIP", "name": "Free shipping", "description": "Free standard delivery", "status": "ASSIGNED" }]
    });
    start(emulating_linda(fragments));
    open_360().await;
    select_tab("Promotions");
    until("promotions", || {
        find(".asm-c360-coupons li[data-code=FREESHIP]").is_some()
    })
    .await;
    let voucher = text(".asm-c360-vouchers li[data-code=SUMMER10]");
    assert!(
        voucher.starts_with("SUMMER10 · Summer sale Apply"),
        "{voucher}"
    );
    let promotion = text(".asm-c360-promotions li[data-code=FREEGIFT]");
    assert_eq!(
        promotion,
        "FREEGIFT · A gift with every camera · not applied"
    );
    let coupon = text(".asm-c360-coupons li[data-code=FREESHIP]");
    assert!(
        coupon.starts_with("FREESHIP · Free shipping · Free standard delivery · assigned"),
        "{coupon}"
    );
    for shown in [voucher, promotion, coupon] {
        assert!(
            !shown.contains("% off") && !shown.contains("until") && !shown.contains("from"),
            "{shown}"
        );
    }
}

#[wasm_bindgen_test]
async fn texts_money_and_dates_follow_the_agents_language() {
    use asm_overlay::api::Api;
    use asm_overlay::locale::Locale;
    let de = "/bundle/asm-locale-de.json";
    let catalogue: Value = serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/de.json")))
        .expect("catalogue");
    let routes = emulating_linda(all_fragments());
    start_in(
        Api::new("/asm".into(), "electronics".into()),
        Locale::De,
        vec![(Locale::De, de.into())],
        move || {
            route(&format!("GET {de}"), 200, catalogue);
            routes();
        },
    );
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    click_button("Kunde 360°");
    until("dialog", || find("dialog#asm-c360[open]").is_some()).await;
    until("header", || text(".asm-c360-name") == "Linda Wolf").await;
    let cart = text(".asm-c360-active-cart");
    assert!(cart.contains("450,00"), "German money: {cart}");
    let order = text(".asm-c360-latest-order");
    assert!(
        order.contains("123,45") && order.contains("2026"),
        "German money and date: {order}"
    );
    assert_eq!(text("#asm-c360-tab-overview"), "Übersicht");
    assert_eq!(text("#asm-c360-tab-stores"), "Filialen");
    assert_eq!(text("#asm-c360-title"), "Kunde 360° – Linda Wolf");
    until("the overview tab", || {
        text(".asm-c360-panel").contains("Warenkorb 00000999")
    })
    .await;
    assert!(text(".asm-c360-panel").contains("Aktiver Warenkorb"));
}
