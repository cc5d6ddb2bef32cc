//! Browser tests of the overlay's components in headless Chromium, with the HTTP layer stubbed
//! at `window.fetch`. Run: `cargo test -p asm-overlay --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

mod support;

use asm_overlay::api::Api;
use asm_overlay::host;
use serde_json::{json, Value};
use support::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LOGIN: &str = "POST /asm/agents/login";
const SEARCH: &str = "/asm/customers/search";

fn signed_in() {
    route("GET /asm/agents/me", 200, session(600_000, None));
}

// ---- mounting and isolation ------------------------------------------------------------

#[wasm_bindgen_test]
async fn mounts_in_a_shadow_root_with_its_own_stylesheet_and_announces_ready() {
    start(|| {});
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    let style = find("style").expect("style inside the shadow root");
    assert!(style.text_content().unwrap_or_default().contains(":host"));
    // build.rs minifies the stylesheet: the browser reads the same rules from it as from the
    // source.
    let shipped = css_rules(host::STYLE);
    assert!(shipped.len() > 100, "{} rules", shipped.len());
    let source = css_rules(include_str!("../style/overlay.css"));
    let differ: Vec<_> = shipped
        .iter()
        .zip(&source)
        .filter(|(a, b)| a != b)
        .collect();
    assert!(differ.is_empty(), "{differ:?}");
    assert_eq!(shipped.len(), source.len());
    assert_eq!(events_named("asm:ready").len(), 1);
    // Mounting twice keeps one overlay.
    asm_overlay::mount(
        "/asm".into(),
        "electronics".into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )
    .expect("mount again");
    let hosts = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .query_selector_all("asm-overlay")
        .unwrap();
    assert_eq!(hosts.length(), 1);
}

/// The rules the browser reads from the stylesheet `css`, as it writes them back.
fn css_rules(css: &str) -> Vec<String> {
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(css));
    document.body().unwrap().append_child(&style).unwrap();
    let sheet = js_sys::Reflect::get(&style, &"sheet".into()).unwrap();
    let rules = js_sys::Reflect::get(&sheet, &"cssRules".into()).unwrap();
    let texts = js_sys::Array::from(&rules)
        .iter()
        .map(|rule| {
            js_sys::Reflect::get(&rule, &"cssText".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect();
    style.remove();
    texts
}

/// Mounts as the loader does, with `session` as the loader's early `GET /agents/me`.
fn mount_with_started_session(session: &str) {
    start(|| {});
    host::unmount();
    let promise = js_sys::Function::new_no_args(session)
        .call0(&JsValue::NULL)
        .expect("promise");
    asm_overlay::mount(
        "/asm".into(),
        "electronics".into(),
        promise,
        JsValue::UNDEFINED,
    )
    .expect("mount");
}

#[wasm_bindgen_test]
async fn the_loaders_session_request_is_the_restore_and_is_not_asked_again() {
    let body = session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))).to_string();
    mount_with_started_session(&format!(
        "return Promise.resolve(new Response({body:?}, {{ status: 200, headers: {{ 'Content-Type': 'application/json' }} }}))"
    ));
    until("emulation restored", || {
        text(".asm-emulation .asm-name") == "Linda Wolf"
    })
    .await;
    assert!(
        calls_to("/asm/agents/me").is_empty(),
        "the restore read the loader's answer"
    );
}

#[wasm_bindgen_test]
async fn a_late_or_failed_loader_session_request_is_explained_on_the_sign_in_form() {
    for (session, says) in [
        (
            "return Promise.reject(new DOMException('late', 'TimeoutError'))",
            "did not answer in time",
        ),
        (
            "return Promise.reject(new TypeError('Failed to fetch'))",
            "Cannot reach the ASM service",
        ),
        (
            "return Promise.resolve(new Response('{\"agent\": 7}', { status: 200 }))",
            "does not understand",
        ),
        (
            "return Promise.resolve(new Response('<html>', { status: 502 }))",
            "failed (502)",
        ),
    ] {
        mount_with_started_session(session);
        until(says, || text(".asm-sign-in .asm-notice").contains(says)).await;
        assert!(find(".asm-sign-in input[name=username]").is_some());
    }
}

#[wasm_bindgen_test]
async fn close_removes_the_overlay_and_forgets_asm_for_the_tab() {
    start(|| {});
    until("close button", || find(".asm-close").is_some()).await;
    click(".asm-close");
    let doc = web_sys::window().unwrap().document().unwrap();
    assert!(doc.get_element_by_id(asm_overlay::host::HOST_ID).is_none());
    assert!(!asm_overlay::host::flag(asm_overlay::host::ENABLED_KEY));
    assert_eq!(events_named("asm:closed").len(), 1);
}

// ---- sign-in ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn wrong_password_shows_the_server_message_and_keeps_what_was_typed() {
    start(|| {
        route(
            LOGIN,
            401,
            json!({ "errors": [{ "type": "InvalidCredentialsError", "message": "The agent ID or password is wrong." }] }),
        )
    });
    sign_in_through_form().await;
    until("error", || find(".asm-error").is_some()).await;
    assert_eq!(text(".asm-error"), "The agent ID or password is wrong.");
    assert_eq!(value_of("input[name=username]"), "asagent");
    assert_eq!(value_of("input[name=password]"), "secret");
    let login = calls_to("/asm/agents/login");
    assert_eq!(login.len(), 1);
    assert_eq!(
        login[0]
            .headers
            .get("x-asm-request")
            .and_then(|v| v.as_str()),
        Some("1")
    );
    assert!(login[0].body.contains("\"username\":\"asagent\""));
}

#[wasm_bindgen_test]
async fn customer_credentials_are_refused_with_the_reason() {
    start(|| {
        route(
            LOGIN,
            403,
            json!({ "errors": [{ "type": "NotAnAgentError", "message": "Only customer support agents can sign in." }] }),
        )
    });
    sign_in_through_form().await;
    until("error", || find(".asm-error").is_some()).await;
    assert_eq!(
        text(".asm-error"),
        "Only customer support agents can sign in."
    );
    assert!(find("#asm-customer-search").is_none());
}

#[wasm_bindgen_test]
async fn dead_middleware_gives_a_clear_message_and_retry_works() {
    start(|| route_raw(LOGIN, json!({ "network": true })));
    sign_in_through_form().await;
    until("error", || find(".asm-error").is_some()).await;
    assert!(
        text(".asm-error").starts_with("Cannot reach the ASM service"),
        "{}",
        text(".asm-error")
    );
    // The service comes back; submitting again signs in with the same, kept input.
    route(LOGIN, 200, session(600_000, None));
    click("button[type=submit]");
    until("search box", || find("#asm-customer-search").is_some()).await;
    let login = calls_to("/asm/agents/login");
    assert_eq!(login.len(), 2);
    assert_eq!(login[0].body, login[1].body);
}

#[wasm_bindgen_test]
async fn malformed_and_server_error_answers_are_explained() {
    start(|| {
        route_raw(
            LOGIN,
            json!({ "status": 200, "body": "<html>proxy page</html>" }),
        )
    });
    sign_in_through_form().await;
    until("error", || find(".asm-error").is_some()).await;
    assert!(
        text(".asm-error").contains("does not understand"),
        "{}",
        text(".asm-error")
    );
    route_raw(
        LOGIN,
        json!({ "status": 503, "body": "Service Unavailable" }),
    );
    click("button[type=submit]");
    until("5xx error", || text(".asm-error").contains("(503)")).await;
}

#[wasm_bindgen_test]
async fn empty_fields_are_refused_without_a_request() {
    start(|| {});
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    click("button[type=submit]");
    until("error", || find(".asm-error").is_some()).await;
    assert!(text(".asm-error").contains("Enter your agent ID"));
    assert!(calls_to("/asm/agents/login").is_empty());
}

#[wasm_bindgen_test]
async fn signing_in_tells_the_host_page_and_restores_an_emulation_in_progress() {
    start(|| {
        route(
            LOGIN,
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        )
    });
    sign_in_through_form().await;
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    let signed = events_named("asm:agent-signed-in");
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].detail["agentId"], "asagent");
    let started = events_named("asm:emulation-started");
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].detail["customerId"], "C-LINDA");
    assert_eq!(started[0].detail["name"], "Linda Wolf");
    assert_eq!(started[0].detail["cartId"], "00001234");
    assert_eq!(text(".asm-emulation .asm-name"), "Linda Wolf");
}

#[wasm_bindgen_test]
async fn page_load_with_a_live_session_skips_the_form() {
    start(signed_in);
    until("search box", || find("#asm-customer-search").is_some()).await;
    assert!(find(".asm-sign-in").is_none());
    assert_eq!(text(".asm-agent"), "Avery Agent");
}

// ---- customer search ---------------------------------------------------------------------

#[wasm_bindgen_test]
async fn search_is_debounced_and_waits_for_three_characters() {
    start(|| {
        signed_in();
        search_routes(
            json!({ "lind": { "status": 200, "body": page(&[("Linda Wolf", "linda@example.com", "C-LINDA")]) } }),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "li");
    type_into("#asm-customer-search", "lin");
    type_into("#asm-customer-search", "lind");
    until("results", || find(".asm-result").is_some()).await;
    // "lin" was typed before "lind" and would have fired first had it not been cancelled.
    let searches = calls_to(SEARCH);
    assert_eq!(searches.len(), 1, "{searches:?}");
    assert_eq!(searches[0].params["query"], "lind");
    assert_eq!(searches[0].params["pageSize"], "20");
    assert_eq!(searches[0].params["baseSite"], "electronics");
    // Back under three characters: the list goes away at once, no request.
    type_into("#asm-customer-search", "li");
    until("list closed", || find(".asm-result").is_none()).await;
    settle().await;
    assert_eq!(calls_to(SEARCH).len(), 1);
}

#[wasm_bindgen_test]
async fn results_show_name_and_email_and_no_match_is_said() {
    start(|| {
        signed_in();
        search_routes(json!({ "wolf": { "status": 200, "body": page(&[
            ("Linda Wolf", "linda@example.com", "C-LINDA"), ("Tom Wolf", "tom@example.com", "C-TOM")]) } }));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "wolf");
    until("results", || find_all(".asm-result").len() == 2).await;
    assert_eq!(text(".asm-result .asm-name"), "Linda Wolf");
    assert_eq!(text(".asm-result .asm-email"), "linda@example.com");
    type_into("#asm-customer-search", "zzzz");
    until("no match", || find(".asm-empty").is_some()).await;
    assert_eq!(text(".asm-empty-message"), "No customer found.");
    assert!(
        find(".asm-empty .asm-empty-create").is_some(),
        "Create customer offered"
    );
    assert!(find(".asm-result").is_none());
}

#[wasm_bindgen_test]
async fn keyboard_moves_wraps_closes_and_chooses() {
    start(|| {
        signed_in();
        search_routes(json!({ "abc": { "status": 200, "body": page(&[
            ("A One", "a1@x.com", "C-1"), ("A Two", "a2@x.com", "C-2"), ("A Three", "a3@x.com", "C-3")]) } }));
        route("POST /asm/sessions", 201, emulation("C-3", "A Three"));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 4711");
    type_into("#asm-customer-search", "abc");
    until("results", || find_all(".asm-result").len() == 3).await;
    let selected = || {
        find_all(".asm-result")
            .iter()
            .position(|e| e.get_attribute("aria-selected").as_deref() == Some("true"))
    };
    assert_eq!(selected(), None);
    press("#asm-customer-search", "ArrowDown");
    until("first", || selected() == Some(0)).await;
    let input = find("#asm-customer-search").unwrap();
    assert_eq!(
        input.get_attribute("aria-activedescendant").as_deref(),
        Some("asm-opt-0")
    );
    press("#asm-customer-search", "ArrowUp");
    until("wrapped to last", || selected() == Some(2)).await;
    press("#asm-customer-search", "Escape");
    until("closed", || find(".asm-result").is_none()).await;
    assert_eq!(
        input.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    press("#asm-customer-search", "ArrowUp");
    until("reopened on last", || selected() == Some(2)).await;
    press("#asm-customer-search", "Enter");
    until("emulating", || find(".asm-emulation").is_some()).await;
    let posts = calls_to("/asm/sessions");
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].body.contains("\"customerId\":\"C-3\""),
        "{}",
        posts[0].body
    );
    assert!(
        posts[0].body.contains("\"reason\":\"Ticket 4711\""),
        "{}",
        posts[0].body
    );
    // The reason belongs to that emulation: the box is empty for the next one.
    assert_eq!(value_of("#asm-emulation-reason"), "");
    assert_eq!(
        events_named("asm:emulation-started")[0].detail["customerId"],
        "C-3"
    );
}

#[wasm_bindgen_test]
async fn enter_never_chooses_a_result_of_an_older_query() {
    start(|| {
        signed_in();
        search_routes(json!({
            "linda": { "status": 200, "body": page(&[("Linda Wolf", "linda@x.com", "C-LINDA")]) },
            "mallory": { "gate": "late", "status": 200, "body": page(&[("Mallory M", "m@x.com", "C-INJECT")]) }
        }));
        route(
            "POST /asm/sessions",
            201,
            emulation("C-INJECT", "Mallory M"),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 4711");
    type_into("#asm-customer-search", "linda");
    until("results", || find(".asm-result").is_some()).await;
    press("#asm-customer-search", "ArrowDown");
    until("highlighted", || find(".asm-active").is_some()).await;
    type_into("#asm-customer-search", "mallory");
    press("#asm-customer-search", "Enter");
    until("mallory requested", || calls_to(SEARCH).len() == 2).await;
    press("#asm-customer-search", "ArrowDown");
    press("#asm-customer-search", "Enter");
    settle().await;
    assert!(
        calls_to("/asm/sessions").is_empty(),
        "no emulation from Linda's stale results"
    );
    assert!(release("late"));
    until("new results", || {
        text(".asm-result .asm-name") == "Mallory M"
    })
    .await;
    press("#asm-customer-search", "ArrowDown");
    press("#asm-customer-search", "Enter");
    until("emulating Mallory", || find(".asm-emulation").is_some()).await;
    assert!(calls_to("/asm/sessions")[0].body.contains("C-INJECT"));
}

#[wasm_bindgen_test]
async fn a_superseded_search_is_aborted_and_its_late_answer_dropped() {
    start(|| {
        signed_in();
        search_routes(json!({
            // Ignores the abort and answers late, as a slow proxy might.
            "ali": { "gate": "slow", "status": 200, "body": page(&[("Stale Alison", "old@x.com", "C-OLD")]) },
            "alice": { "status": 200, "body": page(&[("Alice Fresh", "alice@x.com", "C-NEW")]) }
        }));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "ali");
    until("first request", || calls_to(SEARCH).len() == 1).await;
    assert!(find(".asm-spinner").is_some(), "spinner while loading");
    type_into("#asm-customer-search", "alice");
    until("fresh results", || {
        text(".asm-result .asm-name") == "Alice Fresh"
    })
    .await;
    assert!(
        calls_to(SEARCH)[0].aborted,
        "the superseded request was aborted"
    );
    assert!(release("slow"));
    settle().await;
    assert_eq!(text(".asm-result .asm-name"), "Alice Fresh");
    assert_eq!(find_all(".asm-result").len(), 1);
    assert!(find(".asm-spinner").is_none());
}

#[wasm_bindgen_test]
async fn search_failure_offers_retry() {
    start(|| {
        signed_in();
        search_routes(
            json!({ "tom": { "status": 500, "body": { "errors": [{ "type": "InternalError", "message": "The server failed to answer. Please try again." }] } } }),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "tom");
    until("error", || find(".asm-error").is_some()).await;
    assert!(text(".asm-error").contains("The server failed to answer."));
    search_routes(
        json!({ "tom": { "status": 200, "body": page(&[("Tom Wolf", "tom@x.com", "C-TOM")]) } }),
    );
    click_button("Retry");
    until("results after retry", || {
        text(".asm-result .asm-name") == "Tom Wolf"
    })
    .await;
    assert!(find(".asm-error").is_none());
    assert_eq!(value_of("#asm-customer-search"), "tom");
}

/// The timeout covers the whole answer: headers that arrive at once followed by a body that
/// stalls still end in "did not answer in time" with Retry, for a search and for starting an
/// emulation, and nothing typed is lost.
#[wasm_bindgen_test]
async fn an_answer_whose_body_stalls_times_out_with_retry() {
    let api = Api::new("/asm".into(), "electronics".into()).with_timeout_ms(400);
    start_with(api, || {
        signed_in();
        route_raw(
            "GET /asm/customers/search",
            json!({ "stallBody": "{\"entries\": [" }),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 4711");
    type_into("#asm-customer-search", "tom");
    until("timeout message", || find(".asm-error").is_some()).await;
    assert!(
        text(".asm-error").contains("did not answer in time"),
        "{}",
        text(".asm-error")
    );
    assert!(find(".asm-spinner").is_none());
    assert!(
        calls_to(SEARCH)[0].aborted,
        "the stalled request was aborted"
    );
    assert_eq!(value_of("#asm-customer-search"), "tom");

    search_routes(
        json!({ "tom": { "status": 200, "body": page(&[("Tom Wolf", "tom@x.com", "C-TOM")]) } }),
    );
    route_raw("POST /asm/sessions", json!({ "stallBody": "{" }));
    click_button("Retry");
    until("results after retry", || {
        text(".asm-result .asm-name") == "Tom Wolf"
    })
    .await;
    click(".asm-result");
    until("emulation timeout message", || {
        text(".asm-error").contains("did not answer in time")
    })
    .await;
    assert!(find(".asm-emulation").is_none());
    assert!(events_named("asm:emulation-started").is_empty());
    assert_eq!(value_of("#asm-emulation-reason"), "Ticket 4711");

    // Retry now starts that emulation again (not a new search).
    let searches = calls_to(SEARCH).len();
    route("POST /asm/sessions", 201, emulation("C-TOM", "Tom Wolf"));
    click_button("Retry");
    until("emulating after retry", || find(".asm-emulation").is_some()).await;
    assert_eq!(calls_to("/asm/sessions").len(), 2);
    assert_eq!(
        calls_to(SEARCH).len(),
        searches,
        "Retry did not search again"
    );
}

#[wasm_bindgen_test]
async fn customer_data_is_rendered_as_text() {
    let evil = "<img src=x onerror=\"window.__asmPwned=1\">Mallory";
    start(|| {
        signed_in();
        search_routes(
            json!({ "mal": { "status": 200, "body": page(&[(evil, "<b>m</b>@x.com", "C-INJECT")]) } }),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "mal");
    until("results", || find(".asm-result").is_some()).await;
    assert_eq!(text(".asm-result .asm-name"), evil);
    assert_eq!(text(".asm-result .asm-email"), "<b>m</b>@x.com");
    assert!(find(".asm-result img").is_none());
    assert!(find(".asm-result b").is_none());
}

#[wasm_bindgen_test]
async fn customers_who_cannot_be_emulated_say_so_before_the_click() {
    start(|| {
        signed_in();
        let mut body = page(&[
            ("Dan Disabled", "dan@x.com", "C-DISABLED"),
            ("Linda Wolf", "l@x.com", "C-LINDA"),
        ]);
        body["entries"][0]["emulationBlocked"] = json!("CustomerDisabledError");
        search_routes(json!({ "wol": { "status": 200, "body": body } }));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "wol");
    until("results", || find_all(".asm-result").len() == 2).await;
    let rows = find_all(".asm-result");
    assert_eq!(
        rows[0].get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    assert!(text(".asm-result .asm-blocked").starts_with("Account disabled"));
    assert_eq!(rows[1].get_attribute("aria-disabled"), None);
    assert_eq!(find_all(".asm-blocked").len(), 1);
    // Choosing them anyway says why and asks the server nothing.
    click(".asm-result");
    until("reason", || find(".asm-error").is_some()).await;
    assert!(
        text(".asm-error").starts_with("Dan Disabled: Account disabled"),
        "{}",
        text(".asm-error")
    );
    settle().await;
    assert!(calls_to("/asm/sessions").is_empty());
    assert!(find(".asm-emulation").is_none());
}

#[wasm_bindgen_test]
async fn a_customer_chosen_without_a_reason_waits_for_it() {
    start(|| {
        signed_in();
        search_routes(
            json!({ "wolf": { "status": 200, "body": page(&[("Linda Wolf", "linda@x.com", "C-LINDA")]) } }),
        );
        route(
            "POST /asm/sessions",
            201,
            emulation("C-LINDA", "Linda Wolf"),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "wolf");
    until("results", || find(".asm-result").is_some()).await;
    click(".asm-result");
    until("asks for the reason", || find(".asm-error").is_some()).await;
    assert!(
        text(".asm-error").starts_with("Enter the reason for emulating Linda Wolf"),
        "{}",
        text(".asm-error")
    );
    assert!(
        find(".asm-error button").is_none(),
        "nothing failed: the hint offers no Retry"
    );
    settle().await;
    assert!(
        calls_to("/asm/sessions").is_empty(),
        "nothing sent without a reason"
    );
    assert_eq!(active_id().as_deref(), Some("asm-emulation-reason"));
    // The query is kept; typing the reason and pressing Enter starts the chosen customer.
    assert_eq!(value_of("#asm-customer-search"), "wolf");
    type_into("#asm-emulation-reason", "  Ticket 12 ");
    press("#asm-emulation-reason", "Enter");
    until("emulating", || find(".asm-emulation").is_some()).await;
    let posts = calls_to("/asm/sessions");
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].body.contains("\"reason\":\"Ticket 12\""),
        "{}",
        posts[0].body
    );
    assert!(posts[0].body.contains("C-LINDA"));
}

#[wasm_bindgen_test]
async fn a_refused_emulation_shows_why_and_stays_in_search() {
    start(|| {
        signed_in();
        search_routes(
            json!({ "dan": { "status": 200, "body": page(&[("Dan Disabled", "dan@x.com", "C-DISABLED")]) } }),
        );
        route(
            "POST /asm/sessions",
            403,
            json!({ "errors": [{ "type": "CustomerDisabledError", "message": "This customer's account is disabled and cannot be emulated." }] }),
        );
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-emulation-reason", "Ticket 4711");
    type_into("#asm-customer-search", "dan");
    until("results", || find(".asm-result").is_some()).await;
    click(".asm-result");
    until("error", || find(".asm-error").is_some()).await;
    assert!(text(".asm-error").contains("disabled"));
    assert!(find(".asm-emulation").is_none());
    assert!(events_named("asm:emulation-started").is_empty());
}

#[wasm_bindgen_test]
async fn a_session_that_ended_on_the_server_returns_to_sign_in() {
    start(|| {
        signed_in();
        search_routes(json!({ "tom": { "status": 401, "body": invalid_token() } }));
    });
    until("search box", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "tom");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert!(text(".asm-sign-in .asm-notice").contains("session has ended"));
    assert_eq!(events_named("asm:agent-signed-out").len(), 1);
}

// ---- emulation and session --------------------------------------------------------------

#[wasm_bindgen_test]
async fn end_session_ends_emulation_and_tells_the_host_page() {
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        );
        route(
            "DELETE /asm/sessions/s-C-LINDA",
            200,
            emulation("C-LINDA", "Linda Wolf"),
        );
    });
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    assert!(
        text(".asm-emulation .asm-notice").contains("reflect the effects on the customer account")
    );
    click_button("End Session");
    until("search again", || find("#asm-customer-search").is_some()).await;
    // Confirmed where the agent looks, not only to screen readers.
    assert_eq!(text(".asm-session-ended"), "Emulation of Linda Wolf ended.");
    let ended = events_named("asm:emulation-ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].detail["customerId"], "C-LINDA");
    let deletes = calls_to("/asm/sessions/s-C-LINDA");
    assert_eq!(deletes[0].method, "DELETE");
    assert_eq!(
        deletes[0]
            .headers
            .get("x-asm-request")
            .and_then(|v| v.as_str()),
        Some("1")
    );
}

#[wasm_bindgen_test]
async fn sign_out_ends_everything() {
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        )
    });
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    click_button("Sign Out");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert_eq!(calls_to("/asm/agents/logout").len(), 1);
    assert_eq!(events_named("asm:emulation-ended").len(), 1);
    assert_eq!(events_named("asm:agent-signed-out").len(), 1);
}

/// The focused element's id or class inside the overlay ("" when focus is outside it).
fn focused() -> String {
    shadow_active().map_or_else(String::new, |e| {
        let id = e.id();
        if id.is_empty() {
            e.class_name()
        } else {
            format!("#{id}")
        }
    })
}

#[wasm_bindgen_test]
async fn each_step_moves_focus_to_the_next_view_and_is_announced() {
    start(|| {
        route(LOGIN, 200, session(600_000, None));
        search_routes(
            json!({ "linda": { "status": 200, "body": page(&[("Linda Wolf", "linda@x.com", "C-LINDA")]) } }),
        );
        route(
            "POST /asm/sessions",
            201,
            emulation("C-LINDA", "Linda Wolf"),
        );
        route(
            "DELETE /asm/sessions/s-C-LINDA",
            200,
            emulation("C-LINDA", "Linda Wolf"),
        );
        route("POST /asm/agents/logout", 204, Value::Null);
    });
    let announced = || text(".asm-announcer");
    // Opening the bar announces nothing and takes no focus from the page.
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert_eq!(announced(), "");
    assert_eq!(focused(), "");
    // Signed in: the reason field (the sign-in form and its focus are gone).
    sign_in_through_form().await;
    until("focus on the reason", || {
        focused() == "#asm-emulation-reason"
    })
    .await;
    assert_eq!(announced(), "Signed in as Avery Agent.");
    // Emulating: the emulated customer, named.
    type_into("#asm-emulation-reason", "Ticket 4711");
    type_into("#asm-customer-search", "linda");
    until("result", || find(".asm-result").is_some()).await;
    press("#asm-customer-search", "ArrowDown");
    press("#asm-customer-search", "Enter");
    until("focus on the customer", || focused() == "asm-customer").await;
    assert_eq!(announced(), "Emulating Linda Wolf.");
    let customer = find(".asm-customer").unwrap();
    assert_eq!(
        customer.get_attribute("aria-label").as_deref(),
        Some("Emulated customer")
    );
    // Session ended: back to the reason field.
    click_button("End Session");
    until("focus on the reason again", || {
        focused() == "#asm-emulation-reason"
    })
    .await;
    assert_eq!(announced(), "Emulation of Linda Wolf ended.");
    // Signed out: the sign-in form's first field.
    click_button("Sign Out");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    until("focus on the username", || {
        shadow_active()
            .and_then(|e| e.get_attribute("name"))
            .as_deref()
            == Some("username")
    })
    .await;
    assert_eq!(announced(), "Signed out.");
}

#[wasm_bindgen_test]
async fn a_restored_emulation_takes_no_focus_and_announces_nothing() {
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        )
    });
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    settle().await;
    assert_eq!(
        focused(),
        "",
        "a storefront navigation keeps the page's focus"
    );
    assert_eq!(text(".asm-announcer"), "");
}

#[wasm_bindgen_test]
async fn the_timer_shows_the_servers_time_left() {
    start(|| route("GET /asm/agents/me", 200, session(125_000, None)));
    until("timer", || !text(".asm-timer-value").is_empty()).await;
    let shown = text(".asm-timer-value");
    assert!(shown == "02:05" || shown == "02:04", "{shown}");
}

#[wasm_bindgen_test]
async fn the_timer_follows_the_expiry_the_server_reports() {
    start(|| {
        route("GET /asm/agents/me", 200, session(60_000, None));
        let later = js_sys::Date::now() as i64 + 300_000;
        route_raw(
            "GET /asm/customers/search",
            json!({ "status": 200, "body": page(&[]), "headers": { "X-ASM-Session-Expires": later.to_string() } }),
        );
    });
    until("timer", || {
        text(".asm-timer-value").starts_with("01:00")
            || text(".asm-timer-value").starts_with("00:59")
    })
    .await;
    type_into("#asm-customer-search", "abc");
    until("extended", || {
        text(".asm-timer-value").starts_with("05:00")
            || text(".asm-timer-value").starts_with("04:59")
    })
    .await;
}

#[wasm_bindgen_test]
async fn at_zero_the_agent_is_signed_out_and_emulation_ends() {
    // The server says the session ends now (e.g. the laptop slept past it).
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            session(0, Some(emulation("C-LINDA", "Linda Wolf"))),
        )
    });
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert!(text(".asm-sign-in .asm-notice").contains("timed out"));
    until("logout sent", || calls_to("/asm/agents/logout").len() == 1).await;
    assert_eq!(events_named("asm:emulation-ended").len(), 1);
    assert_eq!(events_named("asm:agent-signed-out").len(), 1);
}

#[wasm_bindgen_test]
async fn collapse_hides_the_body_and_is_remembered_for_the_tab() {
    start(signed_in);
    until("search box", || find("#asm-customer-search").is_some()).await;
    click_button("Hide");
    until("collapsed", || find(".asm-body").is_none()).await;
    assert!(asm_overlay::host::flag(asm_overlay::host::COLLAPSED_KEY));
    click_button("Show");
    until("expanded", || find("#asm-customer-search").is_some()).await;
    assert!(!asm_overlay::host::flag(asm_overlay::host::COLLAPSED_KEY));
}

// ---- other tabs ----------------------------------------------------------------------------

/// The test's own end of the overlay's channel, recording what the overlay says to other tabs.
fn tab_channel() -> (
    web_sys::BroadcastChannel,
    std::rc::Rc<std::cell::RefCell<Vec<String>>>,
) {
    use wasm_bindgen::prelude::*;
    let channel = web_sys::BroadcastChannel::new("asm-overlay").expect("channel");
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = heard.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            sink.borrow_mut()
                .push(e.data().as_string().unwrap_or_default());
        });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    (channel, heard)
}

#[wasm_bindgen_test]
async fn another_tab_ending_the_emulation_or_signing_out_is_followed_after_asking_the_server() {
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        )
    });
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    let (channel, _) = tab_channel();
    // Another tab ended the emulation: the server now says so.
    route("GET /asm/agents/me", 200, session(600_000, None));
    channel
        .post_message(&JsValue::from_str("emulation-ended"))
        .expect("post");
    until("back to search", || find("#asm-customer-search").is_some()).await;
    assert_eq!(events_named("asm:emulation-ended").len(), 1);
    assert_eq!(
        calls_to("/asm/agents/me").len(),
        2,
        "asked the server again"
    );
    // Another tab signed out.
    route("GET /asm/agents/me", 401, invalid_token());
    channel
        .post_message(&JsValue::from_str("signed-out"))
        .expect("post");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert!(
        text(".asm-sign-in .asm-notice").contains("signed out in another tab"),
        "{}",
        text(".asm-sign-in .asm-notice")
    );
    assert_eq!(events_named("asm:agent-signed-out").len(), 1);
    channel.close();
}

#[wasm_bindgen_test]
async fn signing_out_tells_the_other_tabs_a_word_and_nothing_else() {
    start(|| route("GET /asm/agents/me", 200, session(600_000, None)));
    until("search box", || find("#asm-customer-search").is_some()).await;
    let (channel, heard) = tab_channel();
    click_button("Sign Out");
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    until("told", || !heard.borrow().is_empty()).await;
    assert_eq!(heard.borrow().as_slice(), ["signed-out"]);
    channel.close();
}

#[wasm_bindgen_test]
async fn a_cart_bound_in_another_tab_is_followed_without_ending_the_emulation() {
    start(|| {
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        )
    });
    until("emulation panel", || find(".asm-emulation").is_some()).await;
    let (channel, _) = tab_channel();
    // Another tab bound cart 90000003: the server's session is on it now.
    let mut moved = emulation("C-LINDA", "Linda Wolf");
    moved["cartId"] = json!("90000003");
    route("GET /asm/agents/me", 200, session(600_000, Some(moved)));
    channel
        .post_message(&JsValue::from_str("cart-bound"))
        .expect("post");
    until("cart-bound event", || {
        !events_named("asm:cart-bound").is_empty()
    })
    .await;
    let bound = &events_named("asm:cart-bound")[0];
    assert_eq!(bound.detail["customerId"], "C-LINDA");
    assert_eq!(bound.detail["cartId"], "90000003");
    assert!(
        events_named("asm:emulation-ended").is_empty(),
        "the same emulation goes on"
    );
    assert_eq!(text(".asm-emulation .asm-name"), "Linda Wolf");
    // The same word again changes nothing: the cart is already the shown one.
    channel
        .post_message(&JsValue::from_str("cart-bound"))
        .expect("post");
    until("asked again", || calls_to("/asm/agents/me").len() == 3).await;
    settle().await;
    assert_eq!(events_named("asm:cart-bound").len(), 1);
    channel.close();
}

// ---- single sign-on --------------------------------------------------------------------------

const OPTIONS: &str = "GET /asm/agents/sign-in-options";

fn sso_options(password: bool) -> serde_json::Value {
    json!({ "password": password, "sso": { "label": "Contoso SSO", "startUrl": "https://asm.example/asm/agents/sso/start" } })
}

#[wasm_bindgen_test]
async fn the_sso_button_shows_with_its_label_beside_the_password_form() {
    start(|| route(OPTIONS, 200, sso_options(true)));
    until("SSO button", || find(".asm-sso").is_some()).await;
    assert_eq!(text(".asm-sso"), "Sign in with Contoso SSO");
    assert_eq!(
        find(".asm-sso")
            .and_then(|b| b.get_attribute("type"))
            .as_deref(),
        Some("button"),
        "the button does not submit the password form"
    );
    assert!(find("input[name=username]").is_some());
    assert!(find("input[name=password]").is_some());
    assert_eq!(calls_to("/asm/agents/sign-in-options").len(), 1);
}

#[wasm_bindgen_test]
async fn without_password_sign_in_only_the_sso_button_shows() {
    start(|| route(OPTIONS, 200, sso_options(false)));
    until("SSO button", || find(".asm-sso").is_some()).await;
    assert!(find("input[name=username]").is_none());
    assert!(find("button[type=submit]").is_none());
}

#[wasm_bindgen_test]
async fn without_sso_or_when_the_options_fail_the_password_form_stays() {
    start(|| route(OPTIONS, 200, json!({ "password": true })));
    until("sign-in form", || find("input[name=username]").is_some()).await;
    until("options asked", || {
        !calls_to("/asm/agents/sign-in-options").is_empty()
    })
    .await;
    settle().await;
    assert!(find(".asm-sso").is_none());
    // A dead middleware: the form as before, no button.
    start(|| route_raw(OPTIONS, json!({ "network": true })));
    until("options asked", || {
        !calls_to("/asm/agents/sign-in-options").is_empty()
    })
    .await;
    settle().await;
    assert!(find("input[name=username]").is_some());
    assert!(find(".asm-sso").is_none());
}

#[wasm_bindgen_test]
async fn a_failed_sso_sign_in_is_explained_and_taken_out_of_the_address() {
    let location = web_sys::window().unwrap().location();
    let original = location.search().unwrap_or_default();
    asm_overlay::host::replace_search("?keep=1&asmSsoError=not-an-agent");
    start(|| route(OPTIONS, 200, sso_options(true)));
    until("SSO error", || find(".asm-sso-error").is_some()).await;
    assert_eq!(
        text(".asm-sso-error"),
        asm_types::SsoError::NotAnAgent.message()
    );
    assert_eq!(
        find(".asm-sso-error")
            .and_then(|e| e.get_attribute("role"))
            .as_deref(),
        Some("alert")
    );
    assert_eq!(location.search().unwrap_or_default(), "?keep=1");
    // The agent can retry at once: the button is there.
    until("SSO button", || find(".asm-sso").is_some()).await;
    // An unknown code still says something, and signing in clears the message.
    asm_overlay::host::replace_search("?asmSsoError=garbage");
    start(|| {
        route(OPTIONS, 200, json!({ "password": true }));
        route(LOGIN, 200, session(600_000, None));
    });
    until("SSO error", || find(".asm-sso-error").is_some()).await;
    assert_eq!(
        text(".asm-sso-error"),
        asm_types::SsoError::Failed.message()
    );
    assert_eq!(location.search().unwrap_or_default(), "");
    sign_in_through_form().await;
    until("search box", || find("#asm-customer-search").is_some()).await;
    assert!(find(".asm-sso-error").is_none());
    asm_overlay::host::replace_search(&original);
}
