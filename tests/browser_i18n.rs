//! Browser tests of the overlay's languages: the locale the page asks for, the catalogue
//! fetched before the bar shows, a switch in the bar that keeps what was typed, right to left
//! for Arabic, plural forms by the browser's rules, the server's errors in the agent's words, and
//! a catalogue that cannot be fetched. Headless Chromium, `fetch` stubbed.
//! Run: `cargo test -p asm-overlay --target wasm32-unknown-unknown --test browser_i18n`.
#![cfg(target_arch = "wasm32")]

mod support;

use asm_overlay::api::Api;
use asm_overlay::locale::Locale;
use serde_json::json;
use support::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DE: &str = "/bundle/asm-locale-de.json";
const AR: &str = "/bundle/asm-locale-ar.json";

fn catalogue(json: &str) -> serde_json::Value {
    serde_json::from_str(json).expect("a built catalogue")
}

fn german() -> serde_json::Value {
    catalogue(include_str!(concat!(env!("OUT_DIR"), "/de.json")))
}

fn arabic() -> serde_json::Value {
    catalogue(include_str!(concat!(env!("OUT_DIR"), "/ar.json")))
}

fn sources() -> Vec<(Locale, String)> {
    vec![(Locale::De, DE.into()), (Locale::Ar, AR.into())]
}

fn api() -> Api {
    Api::new("/asm".into(), "electronics".into())
}

fn locale_attrs() -> (String, String) {
    let el = find(".asm-locale").expect("the locale wrapper");
    (
        el.get_attribute("lang").unwrap_or_default(),
        el.get_attribute("dir").unwrap_or_default(),
    )
}

#[wasm_bindgen_test]
async fn a_german_page_gets_the_german_bar_without_a_flash_of_english() {
    start_in(api(), Locale::De, sources(), || {
        route_raw(
            &format!("GET {DE}"),
            json!({ "status": 200, "body": german(), "gate": "de" }),
        );
    });
    settle().await;
    assert!(
        find(".asm-bar").is_none(),
        "the bar waits for its catalogue"
    );
    assert!(release("de"));
    until("German sign-in button", || {
        text("button[type=submit]") == "Anmelden"
    })
    .await;
    assert_eq!(text(".asm-title"), "Assisted Service Mode");
    assert_eq!(text(".asm-field span"), "Agenten-ID oder E-Mail");
    assert_eq!(locale_attrs(), ("de".into(), "ltr".into()));
    assert_eq!(calls_to(DE).len(), 1);
    assert!(
        calls_to(AR).is_empty(),
        "only the catalogue shown is fetched"
    );
    assert_eq!(selected_locale(), "de");
    assert_eq!(
        texts(".asm-language-select option"),
        ["English", "Deutsch", "العربية"]
    );
}

#[wasm_bindgen_test]
async fn switching_to_arabic_keeps_what_was_typed_mirrors_the_bar_and_is_kept_for_the_tab() {
    start_in(api(), Locale::En, sources(), || {
        route(&format!("GET {AR}"), 200, arabic());
    });
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    assert_eq!(locale_attrs(), ("en".into(), "ltr".into()));
    assert!(calls_to(AR).is_empty(), "English needs no catalogue");
    type_into("input[name=username]", "asagent");
    type_into("input[name=password]", "half-typed");
    choose_option(".asm-language-select", "ar");
    until("Arabic sign-in button", || {
        text("button[type=submit]") == "تسجيل الدخول"
    })
    .await;
    assert_eq!(locale_attrs(), ("ar".into(), "rtl".into()));
    assert_eq!(
        value_of("input[name=username]"),
        "asagent",
        "typed text stays"
    );
    assert_eq!(value_of("input[name=password]"), "half-typed");
    let stored = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item("asm_locale").ok().flatten());
    assert_eq!(stored.as_deref(), Some("ar"));
    // Back to English: at once, nothing fetched again.
    choose_option(".asm-language-select", "en");
    until("English again", || text("button[type=submit]") == "Sign In").await;
    choose_option(".asm-language-select", "ar");
    until("Arabic again", || {
        text("button[type=submit]") == "تسجيل الدخول"
    })
    .await;
    assert_eq!(calls_to(AR).len(), 1, "a catalogue is fetched once");
}

#[wasm_bindgen_test]
async fn a_catalogue_that_cannot_be_fetched_keeps_english_says_so_and_can_be_chosen_again() {
    start_in(api(), Locale::En, sources(), || {
        route(&format!("GET {DE}"), 503, json!("busy"));
    });
    until("sign-in form", || find(".asm-sign-in").is_some()).await;
    type_into("input[name=username]", "asagent");
    choose_option(".asm-language-select", "de");
    until("the failure", || find(".asm-language-error").is_some()).await;
    assert_eq!(
        text(".asm-language-error"),
        "Deutsch could not be loaded. Check the connection and try again."
    );
    assert_eq!(text("button[type=submit]"), "Sign In");
    assert_eq!(selected_locale(), "en", "the menu shows what is shown");
    assert_eq!(value_of("input[name=username]"), "asagent");
    // Not a catalogue of this build: refused the same way.
    route(&format!("GET {DE}"), 200, json!(["Anmelden"]));
    choose_option(".asm-language-select", "de");
    until("refused again", || {
        calls_to(DE).len() == 2 && find(".asm-language-error").is_some()
    })
    .await;
    route(&format!("GET {DE}"), 200, german());
    choose_option(".asm-language-select", "de");
    until("German", || text("button[type=submit]") == "Anmelden").await;
    assert!(find(".asm-language-error").is_none());
}

#[wasm_bindgen_test]
async fn a_german_agent_reads_the_servers_errors_and_counts_in_german() {
    start_in(api(), Locale::De, sources(), || {
        route(&format!("GET {DE}"), 200, german());
        route(
            "POST /asm/agents/login",
            401,
            json!({ "errors": [{ "type": "InvalidCredentialsError", "message": "Wrong user name or password." }] }),
        );
    });
    sign_in_through_form().await;
    until("the error", || find(".asm-error").is_some()).await;
    assert_eq!(
        text(".asm-error"),
        "Agenten-ID, E-Mail oder Passwort ist falsch."
    );
    route("POST /asm/agents/login", 200, session(600_000, None));
    search_routes(json!({
        "lin": { "status": 200, "body": page(&[
            ("C-1", "Linda Wolf", "linda@example.com"),
            ("C-2", "Lina Berg", "lina@example.com"),
            ("C-3", "Linus Hahn", "linus@example.com"),
        ]) },
    }));
    click("button[type=submit]");
    until("the desk", || find("#asm-customer-search").is_some()).await;
    assert_eq!(text("label[for=asm-customer-search]"), "Kunden suchen");
    type_into("#asm-customer-search", "lin");
    until("results", || find(".asm-result-count").is_some()).await;
    assert_eq!(text(".asm-result-count"), "3 Kunden");
}

#[wasm_bindgen_test]
async fn arabic_counts_with_its_own_plural_forms_and_digits_and_moves_left_to_the_360_cell() {
    start_in(api(), Locale::Ar, sources(), || {
        route(&format!("GET {AR}"), 200, arabic());
        route("GET /asm/agents/me", 200, session(600_000, None));
        search_routes(json!({
            "lin": { "status": 200, "body": page(&[
                ("C-1", "Linda Wolf", "linda@example.com"),
                ("C-2", "Lina Berg", "lina@example.com"),
            ]) },
            "linda": { "status": 200, "body": page(&[("C-1", "Linda Wolf", "linda@example.com")]) },
        }));
    });
    until("the desk", || find("#asm-customer-search").is_some()).await;
    type_into("#asm-customer-search", "lin");
    until("results", || find(".asm-result-count").is_some()).await;
    assert_eq!(text(".asm-result-count"), "عميلان", "the dual form");
    press("#asm-customer-search", "ArrowDown");
    settle().await;
    press("#asm-customer-search", "ArrowLeft");
    settle().await;
    assert_eq!(
        active_cell(),
        Some("asm-opt-0-360".into()),
        "Arrow Left points at the 360° cell when the bar is right to left"
    );
    press("#asm-customer-search", "ArrowRight");
    settle().await;
    assert_eq!(active_cell(), Some("asm-opt-0".into()));
    type_into("#asm-customer-search", "linda");
    until("one result", || text(".asm-result-count") == "عميل واحد").await;
}

/// The language menu's value.
fn selected_locale() -> String {
    find(".asm-language-select")
        .and_then(|s| js_sys::Reflect::get(&s, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn active_cell() -> Option<String> {
    find("#asm-customer-search").and_then(|e| e.get_attribute("aria-activedescendant"))
}

#[wasm_bindgen_test]
async fn the_loader_tag_then_the_pages_language_then_the_tabs_choice_decide() {
    let options = |locale: Option<&str>| {
        let o = js_sys::Object::new();
        let catalogues = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&catalogues, &"de".into(), &DE.into());
        let _ = js_sys::Reflect::set(&catalogues, &"ar".into(), &AR.into());
        let _ = js_sys::Reflect::set(&o, &"catalogues".into(), &catalogues);
        if let Some(l) = locale {
            let _ = js_sys::Reflect::set(&o, &"locale".into(), &l.into());
        }
        JsValue::from(o)
    };
    let html = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .expect("<html>");
    let mount = |opts: JsValue| {
        asm_overlay::host::unmount();
        asm_overlay::mount(
            "/asm".into(),
            "electronics".into(),
            JsValue::UNDEFINED,
            opts,
        )
        .expect("mount");
    };
    start(|| {
        route(&format!("GET {DE}"), 200, german());
        route(&format!("GET {AR}"), 200, arabic());
    });
    // data-locale wins over <html lang>.
    html.set_attribute("lang", "ar").expect("lang");
    mount(options(Some("de-AT")));
    until("German", || text("button[type=submit]") == "Anmelden").await;
    // No data-locale (or one the overlay does not speak): the page's language.
    mount(options(Some("fr")));
    until("Arabic", || text("button[type=submit]") == "تسجيل الدخول").await;
    // The agent's choice for this tab wins over both.
    choose_option(".asm-language-select", "de");
    until("German chosen", || {
        text("button[type=submit]") == "Anmelden"
    })
    .await;
    mount(options(Some("ar")));
    until("still German", || text("button[type=submit]") == "Anmelden").await;
    // An old loader (no options): English alone, no menu.
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .expect("sessionStorage")
        .clear()
        .expect("clear");
    html.set_attribute("lang", "en").expect("lang");
    mount(JsValue::UNDEFINED);
    until("English", || text("button[type=submit]") == "Sign In").await;
    assert!(
        find(".asm-language-select").is_none(),
        "nothing else to choose"
    );
}

fn cart(code: &str, items: u32) -> serde_json::Value {
    json!({ "code": code, "totalItems": items, "total": "$10.00", "modified": "2026-11-22T10:00:00Z", "entries": [] })
}

#[wasm_bindgen_test]
async fn binding_a_cart_asks_and_answers_in_the_agents_words_with_its_plural_forms() {
    start_in(api(), Locale::Ar, sources(), || {
        route(&format!("GET {AR}"), 200, arabic());
        route(
            "GET /asm/agents/me",
            200,
            session(600_000, Some(emulation("C-LINDA", "Linda Wolf"))),
        );
        route(
            "POST /asm/bind-cart",
            409,
            json!({ "errors": [{ "type": "CartConflictError", "message": "conflict", "subject": "00001234" }] }),
        );
        route(
            "GET /asm/customers/C-LINDA/carts",
            200,
            json!({ "carts": [cart("00001234", 2)], "savedCarts": [] }),
        );
    });
    until("field", || find("#asm-cart-number").is_some()).await;
    assert_eq!(text("label[for=asm-cart-number]"), "رقم السلة");
    submit_form(".asm-bind-cart");
    until("the empty number", || {
        find(".asm-bind-cart-error").is_some()
    })
    .await;
    assert_eq!(
        text(".asm-bind-cart-error"),
        "أدخل رقم سلة التسوق الذي يقرؤه العميل."
    );
    type_into("#asm-cart-number", "90000003");
    submit_form(".asm-bind-cart");
    until("dialog", || {
        find("dialog#asm-bind-conflict[open]").is_some()
    })
    .await;
    assert_eq!(text("#asm-bind-conflict-title"), "استبدال سلة العميل؟");
    assert_eq!(
        text(".asm-bind-conflict-question"),
        "سلة Linda Wolf الحالية تحتوي على منتجين. هل تستبدلها بالسلة 90000003؟ تُحفظ السلة الحالية كسلة محفوظة.",
        "the dual form"
    );
    assert_eq!(text(".asm-bind-confirm"), "استبدال");
}
