//! The middleware on SAP Commerce (`--commerce sapcc`), over HTTP against the SAP simulator
//! (which follows SAP-CONTRACT.md): the whole agent flow — sign in, search, lists, emulate,
//! bind a cart, Customer 360°, coupons, acting as the customer, sign out — the agent's tokens
//! kept sealed in the session store, refreshed once on expiry, revoked on sign-out, and SAP
//! slow, down or answering garbage turned into a 503 the overlay can retry.

use crate::common;

use asm_types::error_type;
use axum::http::StatusCode;
use common::{SimServer, TestApp, SITE};
use sapcc_sim::{Config as SimConfig, Fault};
use serde_json::{json, Value};

const LINDA: &str = "8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601";
const LINDA_UID: &str = "linda.wolf@rustic-hw.com";
const AARON: &str = "5f1c0e2b-7a3d-4c8e-9f10-a1b2c3d4e5f6";

async fn setup() -> (SimServer, TestApp) {
    let sim = SimServer::start(SimConfig::default()).await;
    let app = TestApp::sap(&sim.url, |_| {});
    (sim, app)
}

fn tokens_of(sim: &SimServer, user: &str) -> Vec<(String, bool)> {
    sim.sim
        .data()
        .access_tokens
        .iter()
        .filter(|(_, t)| t.user == user)
        .map(|(k, t)| (k.clone(), t.revoked))
        .collect()
}

fn sealed_tokens(app: &TestApp) -> Vec<Option<String>> {
    let row = app.store_row("SELECT backend_tokens FROM agent_sessions", &[]);
    vec![row.and_then(|r| r[0].text())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_with_sap_and_the_tokens_stay_sealed_in_the_store() {
    let (sim, app) = setup().await;
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "asagent", "password": "pw4all"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["agent"]["uid"], "asagent");
    assert_eq!(body["agent"]["name"], "asagent");
    assert!(!res.text().contains("access_token"));
    let tokens = tokens_of(&sim, "asagent");
    assert_eq!(tokens.len(), 1, "one password grant");
    let sealed = sealed_tokens(&app)[0]
        .clone()
        .expect("tokens kept with the session");
    assert!(sealed.starts_with("v1."));
    assert!(
        !sealed.contains(&tokens[0].0),
        "the access token is not readable in the store"
    );
    // The sales manager of the configuration may order; the plain agent not.
    assert_eq!(body["agent"]["groups"], json!(["asagentgroup"]));
    let manager = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "asmanager", "password": "pw4all"}),
        )
        .await;
    assert_eq!(
        manager.json()["agent"]["groups"],
        json!(["asagentgroup", "asagentsalesmanagergroup"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_customers_and_non_agents_are_refused() {
    let (sim, app) = setup().await;
    let wrong = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "asagent", "password": "nope"}),
        )
        .await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_CREDENTIALS);
    for user in [LINDA_UID, "notasagent"] {
        let res = app
            .post_json(
                "/asm/agents/login",
                None,
                &json!({"username": user, "password": "pw4all"}),
            )
            .await;
        res.assert_error(StatusCode::FORBIDDEN, error_type::NOT_AN_AGENT);
        // The non-agent's tokens were revoked at once.
        assert!(tokens_of(&sim, user).iter().all(|(_, revoked)| *revoked));
    }
    assert_eq!(
        app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_lists_and_order_search_come_from_sap() {
    let (_sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=linda"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let page = res.json();
    assert_eq!(page["entries"][0]["customerId"], LINDA);
    assert_eq!(page["entries"][0]["uid"], LINDA_UID);
    assert_eq!(page["entries"][0]["name"], "Linda Wolf");
    assert_eq!(page["entries"][0]["phone"], "+1 212 555 0100");
    let by_order = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&orderId=00005003"),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(
        by_order["entries"][0]["uid"],
        "william.hunter@pronto-hw.com"
    );
    assert_eq!(by_order["entries"][0]["orderId"], "00005003");
    let unknown = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&orderId=99999999"),
            Some(&cookie),
        )
        .await;
    let e = unknown.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(e.subject.as_deref(), Some("orderId"));
    // The agent's in-store list (per agent at SAP) with its count.
    let lists = app
        .get(
            &format!("/asm/customerlists?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(lists.status, StatusCode::OK, "{}", lists.text());
    let lists = lists.json();
    let instore = lists["customerLists"]
        .as_array()
        .expect("lists")
        .iter()
        .find(|l| l["id"] == "instore")
        .expect("instore")
        .clone();
    assert_eq!(instore["membersCount"], 2);
    let members = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&customerListId=instore"),
            Some(&cookie),
        )
        .await
        .json();
    let uids: Vec<&str> = members["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["uid"].as_str())
        .collect();
    assert!(
        uids.contains(&LINDA_UID) && uids.contains(&"gi.sun@pronto-hw.com"),
        "{uids:?}"
    );
    // Autocomplete.
    let ac = app
        .get(
            &format!("/asm/customers/autocomplete?baseSite={SITE}&customerQuery=lin"),
            Some(&cookie),
        )
        .await;
    assert_eq!(ac.status, StatusCode::OK, "{}", ac.text());
    assert_eq!(ac.json()[0]["email"], LINDA_UID);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_emulation_rules_stay_in_force_on_top_of_sap() {
    let (_sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let disabled = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": "hans.dampf@example.com", "baseSite": SITE, "reason": "t"}),
        )
        .await;
    disabled.assert_error(StatusCode::FORBIDDEN, error_type::CUSTOMER_DISABLED);
    let agent = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": "asagent", "baseSite": SITE, "reason": "t"}),
        )
        .await;
    agent.assert_error(StatusCode::FORBIDDEN, error_type::CANNOT_EMULATE_AGENT);
    let nobody = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": "nobody@example.com", "baseSite": SITE, "reason": "t"}),
        )
        .await;
    nobody.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let no_reason = app
        .post_json(
            "/asm/sessions",
            Some(&cookie),
            &json!({"customerId": LINDA, "baseSite": SITE}),
        )
        .await;
    no_reason.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    let session = app.emulate(&cookie, LINDA).await;
    assert_eq!(session["customerName"], "Linda Wolf");
    assert_eq!(session["cartId"], "00001001", "the active cart at SAP");
    // Acting for another customer than the emulated one is refused before SAP is asked.
    let other = app
        .get(&format!("/asm/users/{AARON}/carts"), Some(&cookie))
        .await;
    other.assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    // Only sales managers order.
    let order = app
        .post_json(
            &format!("/asm/users/{LINDA}/orders"),
            Some(&cookie),
            &json!({"cartId": "00001001"}),
        )
        .await;
    order.assert_error(StatusCode::FORBIDDEN, error_type::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acting_as_the_customer_writes_to_sap_and_is_audited() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asmanager", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    let carts = app
        .get(&format!("/asm/users/{LINDA}/carts"), Some(&cookie))
        .await;
    assert_eq!(carts.status, StatusCode::OK, "{}", carts.text());
    let carts = carts.json();
    assert_eq!(carts["carts"][0]["code"], "00001001");
    assert_eq!(carts["carts"][0]["status"], "ACTIVE");
    let add = app
        .post_json(
            &format!("/asm/users/{LINDA}/carts/00001001/entries"),
            Some(&cookie),
            &json!({"productCode": "280916", "quantity": 2}),
        )
        .await;
    assert_eq!(add.status, StatusCode::OK, "{}", add.text());
    let cart = add.json();
    let line = cart["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["productCode"] == "280916")
        .expect("the new line")
        .clone();
    assert_eq!(line["quantity"], 2);
    // Quantities add up, capped at 99.
    let more = app
        .post_json(
            &format!("/asm/users/{LINDA}/carts/00001001/entries"),
            Some(&cookie),
            &json!({"productCode": "280916", "quantity": 98}),
        )
        .await
        .json();
    let capped = more["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["productCode"] == "280916")
        .expect("line")["quantity"]
        .clone();
    assert_eq!(capped, 99);
    let set = app
        .patch_json(
            &format!("/asm/users/{LINDA}/carts/00001001/entries/280916"),
            Some(&cookie),
            &json!({"quantity": 1}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let removed = app
        .delete(
            &format!("/asm/users/{LINDA}/carts/00001001/entries/280916"),
            Some(&cookie),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text());
    assert!(!removed.text().contains("280916"));
    // Vouchers: SAP's known one applies, an unknown one is SAP's refusal.
    let voucher = app
        .post_json(
            &format!("/asm/users/{LINDA}/carts/00001001/vouchers"),
            Some(&cookie),
            &json!({"voucherId": "SUMMER10"}),
        )
        .await;
    assert_eq!(voucher.status, StatusCode::OK, "{}", voucher.text());
    assert_eq!(voucher.json()["vouchers"][0]["code"], "SUMMER10");
    let bad = app
        .post_json(
            &format!("/asm/users/{LINDA}/carts/00001001/vouchers"),
            Some(&cookie),
            &json!({"voucherId": "NOPE"}),
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.text());
    let off = app
        .delete(
            &format!("/asm/users/{LINDA}/carts/00001001/vouchers/SUMMER10"),
            Some(&cookie),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text());
    assert_eq!(off.json()["vouchers"], json!([]));
    // The sales manager places the order.
    let order = app
        .post_json(
            &format!("/asm/users/{LINDA}/orders"),
            Some(&cookie),
            &json!({"cartId": "00001001"}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.text());
    let code = order.json()["code"].as_str().expect("code").to_owned();
    assert!(sim.sim.data().orders.iter().any(|o| o.code == code));
    let orders = app
        .get(&format!("/asm/users/{LINDA}/orders"), Some(&cookie))
        .await
        .json();
    assert!(orders["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .any(|o| o["code"] == code.as_str()));
    // SAP's order does not say who placed it; our audit does, and the order answers it.
    let detail = app
        .get(&format!("/asm/users/{LINDA}/orders/{code}"), Some(&cookie))
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text());
    assert_eq!(detail.json()["placedBy"], "asmanager");
    let seeded = app
        .get(
            &format!("/asm/users/{LINDA}/orders/00005001"),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        seeded.json().get("placedBy"),
        None,
        "placed by the customer"
    );
    // Profile.
    let renamed = app
        .patch_json(
            &format!("/asm/users/{LINDA}"),
            Some(&cookie),
            &json!({"firstName": "Lynda"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(renamed.json()["name"], "Lynda Wolf");
    // A form sends the phone it showed: the same one is fine, a changed one SAP keeps elsewhere.
    let phone = renamed.json()["phone"].as_str().unwrap_or("").to_owned();
    let same = app
        .patch_json(
            &format!("/asm/users/{LINDA}"),
            Some(&cookie),
            &json!({"lastName": "Wolf-Smith", "phone": phone}),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.text());
    assert_eq!(same.json()["name"], "Lynda Wolf-Smith");
    let changed = app
        .patch_json(
            &format!("/asm/users/{LINDA}"),
            Some(&cookie),
            &json!({"phone": "+1 000 000 0000"}),
        )
        .await;
    let e = changed.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(e.subject.as_deref(), Some("phone"));
    // Every write is audited with its outcome.
    let audit = app.audit();
    for action in [
        "cart-entry-add",
        "voucher-apply",
        "order-place",
        "profile-update",
    ] {
        assert!(
            audit
                .iter()
                .any(|r| r.action == action && r.outcome.as_deref() == Some("ok")),
            "{action} audited ok: {audit:?}"
        );
    }
    assert!(audit.iter().any(|r| r.action == "voucher-apply"
        && r.outcome.as_deref() == Some(error_type::VOUCHER_INVALID)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupons_and_customer360_come_from_sap() {
    let (_sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    let coupons = app
        .get(
            &format!("/asm/users/{LINDA}/customercoupons"),
            Some(&cookie),
        )
        .await;
    assert_eq!(coupons.status, StatusCode::OK, "{}", coupons.text());
    let list = coupons.json()["coupons"].clone();
    let assigned: Vec<&str> = list
        .as_array()
        .expect("coupons")
        .iter()
        .filter(|c| c["assigned"] == true)
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(assigned, vec!["FREESHIP"]);
    let assign = app
        .post_json(
            &format!("/asm/users/{LINDA}/customercoupons/BUYMORE1000/claim"),
            Some(&cookie),
            &json!({}),
        )
        .await;
    assert!(assign.status.is_success(), "{}", assign.text());
    assert_eq!(assign.json()["assigned"], true);
    let back = app
        .delete(
            &format!("/asm/users/{LINDA}/customercoupons/BUYMORE1000/claim"),
            Some(&cookie),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
    assert_eq!(back.json()["assigned"], false);

    let c360 = app
        .post_json(
            &format!("/asm/customers/{LINDA}/customer360?baseSite={SITE}"),
            Some(&cookie),
            &json!({"queries": [
                {"type": "overview"}, {"type": "profile"}, {"type": "activity", "listSize": 10},
                {"type": "feedback"}, {"type": "promotions"}, {"type": "cart"}, {"type": "savedCart"},
                {"type": "productInterests"}, {"type": "storeLocations"}
            ]}),
        )
        .await;
    assert_eq!(c360.status, StatusCode::OK, "{}", c360.text());
    let f = c360.json()["fragments"].clone();
    let get = |t: &str| -> Value {
        f.as_array()
            .expect("fragments")
            .iter()
            .find(|x| x["type"] == t)
            .unwrap_or_else(|| panic!("{t} in {f}"))["data"]
            .clone()
    };
    assert_eq!(get("overview")["name"], "Linda Wolf");
    assert_eq!(get("overview")["town"], "New York");
    assert_eq!(get("overview")["activeCart"]["code"], "00001001");
    assert_eq!(
        get("overview")["latestOpenTicket"]["subject"],
        "Camera arrived scratched"
    );
    assert_eq!(
        get("profile")["paymentCards"][0]["maskedNumber"],
        "************1111"
    );
    assert_eq!(get("profile")["phones"][0], "+1 212 555 0100");
    let activity = get("activity");
    let kinds: Vec<&str> = activity["entries"]
        .as_array()
        .expect("activity")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(
        kinds.contains(&"ORDER") && kinds.contains(&"TICKET"),
        "{kinds:?}"
    );
    assert_eq!(get("feedback")["reviews"][0]["rating"], 4);
    assert_eq!(get("cart")["cart"]["code"], "00001001");
    assert_eq!(get("cart")["cart"]["subtotal"]["cents"], 19_970);
    assert_eq!(
        get("cart")["cart"]["subtotal"]["currency"],
        "USD",
        "the customer's currency"
    );
    assert_eq!(get("savedCart")["cart"]["code"], "00001002");
    assert_eq!(
        get("productInterests")["entries"][0]["productCode"],
        "278688"
    );
    assert!(get("promotions")["customerCoupons"]
        .as_array()
        .expect("coupons")
        .iter()
        .any(|c| c["code"] == "FREESHIP" && c["status"] == "ASSIGNED"));
    // The summary and carts views.
    let summary = app
        .get(
            &format!("/asm/customers/{LINDA}?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text());
    assert_eq!(summary.json()["recentOrders"][0]["code"], "00005002");
    let carts = app
        .get(
            &format!("/asm/customers/{LINDA}/carts?baseSite={SITE}"),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(carts["savedCarts"][0]["code"], "00001002");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binding_an_anonymous_cart_asks_before_replacing_an_active_cart() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let bind = |customer: &str, cart: &str, replace: bool| json!({"customerId": customer, "cartId": cart, "baseSite": SITE, "replace": replace});
    // Linda's active cart has items: a conflict first.
    let conflict = app
        .post_json(
            "/asm/bind-cart",
            Some(&cookie),
            &bind(LINDA, "00002001", false),
        )
        .await;
    let e = conflict.assert_error(StatusCode::CONFLICT, error_type::CART_CONFLICT);
    assert_eq!(e.subject.as_deref(), Some("00001001"));
    let replaced = app
        .post_json(
            "/asm/bind-cart",
            Some(&cookie),
            &bind(LINDA, "00002001", true),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text());
    assert_eq!(replaced.json()["code"], "00002001");
    {
        let data = sim.sim.data();
        let bound = data
            .carts
            .iter()
            .find(|c| c.code == "00002001")
            .expect("cart");
        assert_eq!(bound.user.as_deref(), Some(LINDA_UID));
        let old = data
            .carts
            .iter()
            .find(|c| c.code == "00001001")
            .expect("old");
        assert!(
            old.saved.is_some(),
            "the previous cart is kept as a saved cart"
        );
    }
    // A cart that is not anonymous any more is SAP's refusal.
    let again = app
        .post_json(
            "/asm/bind-cart",
            Some(&cookie),
            &bind(AARON, "00002001", true),
        )
        .await;
    again.assert_error(StatusCode::BAD_REQUEST, error_type::CART_NOT_ANONYMOUS);
    // Linda's own carts (the saved old one, the bound active one) are refused without asking
    // to replace anything, and nothing is sent to bind-cart.
    for own in ["00001001", "00002001"] {
        let mine = app
            .post_json("/asm/bind-cart", Some(&cookie), &bind(LINDA, own, false))
            .await;
        mine.assert_error(StatusCode::BAD_REQUEST, error_type::CART_NOT_ANONYMOUS);
        assert_eq!(
            mine.json()["errors"][0]["message"],
            "This cart already belongs to this customer.",
            "{own}"
        );
    }
    assert!(app
        .audit()
        .iter()
        .any(|r| r.action == "cart-bound" && r.outcome.as_deref() == Some("ok")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_customer_goes_to_sap_with_its_errors_under_the_fields() {
    let (_sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let created = app
        .post_json(
            &format!("/asm/customers?baseSite={SITE}"),
            Some(&cookie),
            &json!({"firstName": "Nina", "lastName": "Neu", "emailAddress": "nina.neu@example.com"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let entry = created.json();
    assert_eq!(entry["uid"], "nina.neu@example.com");
    assert!(entry["customerId"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    let duplicate = app
        .post_json(
            &format!("/asm/customers?baseSite={SITE}"),
            Some(&cookie),
            &json!({"firstName": "Linda", "lastName": "Wolf", "emailAddress": LINDA_UID}),
        )
        .await;
    let e = duplicate.assert_error(StatusCode::CONFLICT, error_type::DUPLICATE_EMAIL);
    assert_eq!(e.subject.as_deref(), Some("emailAddress"));
}

/// SAP assigns the created customer's `customerId` (§3.6): the audit record of the creation
/// names that id (the one the overlay emulates and the audit is searched by), not the one the
/// middleware proposed before asking SAP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_created_at_sap_is_audited_under_saps_customer_id() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let created = app
        .post_json(
            &format!("/asm/customers?baseSite={SITE}"),
            Some(&cookie),
            &json!({"firstName": "Nina", "lastName": "Neu", "emailAddress": "nina.neu@example.com"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["customerId"]
        .as_str()
        .expect("a customerId")
        .to_owned();
    let at_sap = sim
        .sim
        .data()
        .user("nina.neu@example.com")
        .map(|u| u.customer_id.clone());
    assert_eq!(at_sap.as_deref(), Some(id.as_str()), "SAP's id is answered");
    let rows: Vec<_> = app
        .audit()
        .into_iter()
        .filter(|r| r.action == "customer-created")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].customer.as_deref(), Some(id.as_str()));
    assert_eq!(rows[0].agent.as_deref(), Some("asagent"));
    assert_eq!(rows[0].outcome.as_deref(), Some("ok"));
    // A sales manager finds it by that id.
    let manager = app.login_as("asmanager", "pw4all").await;
    let page = app
        .get(&format!("/asm/audit?customerId={id}"), Some(&manager))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let actions: Vec<String> = page.json()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(actions, ["customer-created"]);
}

/// SAP says only "Duplicate User id" (§3.6); the agent is told which e-mail is taken, in the
/// words Spartacus (and the demo shop) use, whatever the letters' case the agent typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_email_at_sap_names_the_email_not_saps_duplicate_user_id() {
    let (_sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let duplicate = app
        .post_json(
            &format!("/asm/customers?baseSite={SITE}"),
            Some(&cookie),
            &json!({"firstName": "Linda", "lastName": "Wolf", "emailAddress": "Linda.Wolf@rustic-hw.com"}),
        )
        .await;
    let e = duplicate.assert_error(StatusCode::CONFLICT, error_type::DUPLICATE_EMAIL);
    assert_eq!(e.subject.as_deref(), Some("emailAddress"));
    assert_eq!(
        e.message, "Enter a different email address as linda.wolf@rustic-hw.com already exists.",
        "the e-mail as SAP keeps it (lower-case)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refreshed_once_for_concurrent_requests() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let before = sealed_tokens(&app)[0].clone();
    sim.sim.advance_clock(43_200 + 60);
    let path = format!("/asm/customers/search?baseSite={SITE}&query=linda");
    // Three searches (an agent's most in flight) and a customer lists read at once.
    let lists = format!("/asm/customerlists?baseSite={SITE}");
    let (a, b, c, d) = tokio::join!(
        app.get(&path, Some(&cookie)),
        app.get(&path, Some(&cookie)),
        app.get(&path, Some(&cookie)),
        app.get(&lists, Some(&cookie)),
    );
    for r in [a, b, c, d] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    assert_eq!(
        tokens_of(&sim, "asagent").len(),
        2,
        "the password grant and exactly one refresh"
    );
    assert_ne!(sealed_tokens(&app)[0], before, "the new tokens are kept");
    // The next request uses the refreshed token without another refresh.
    assert_eq!(app.get(&path, Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(tokens_of(&sim, "asagent").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refresh_ends_the_session_with_a_clear_message() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    sim.sim.advance_clock(31 * 86_400);
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=linda"),
            Some(&cookie),
        )
        .await;
    let e = res.assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    assert!(e.message.contains("expired"), "{}", e.message);
    let me = app.get("/asm/agents/me", Some(&cookie)).await;
    me.assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    assert_eq!(
        app.store_count("SELECT COUNT(*) FROM agent_sessions", &[]),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_revokes_the_tokens_at_sap() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    assert!(tokens_of(&sim, "asagent")
        .iter()
        .all(|(_, revoked)| !revoked));
    let out = app
        .post_json("/asm/agents/logout", Some(&cookie), &json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let tokens = tokens_of(&sim, "asagent");
    assert!(
        !tokens.is_empty() && tokens.iter().all(|(_, revoked)| *revoked),
        "{tokens:?}"
    );
    let refresh_revoked = sim
        .sim
        .data()
        .refresh_tokens
        .values()
        .filter(|t| t.user == "asagent")
        .all(|t| t.revoked);
    assert!(refresh_revoked, "the refresh token too");
}

/// SAP hands every sign-in of one agent with one client the same token pair (SAP-CONTRACT.md
/// §2.1): the agent signing in again in another browser ends the older session without revoking
/// the tokens the new one holds, and with `--end-older-sessions false` one browser's sign-out
/// leaves the other signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_again_keeps_the_token_pair_sap_handed_both_sessions() {
    let (sim, app) = setup().await;
    let search = "/asm/customers/search?query=linda&baseSite=electronics";
    let first = app.login_as("asagent", "pw4all").await;
    let second = app.login_as("asagent", "pw4all").await;
    assert_eq!(
        tokens_of(&sim, "asagent").len(),
        1,
        "SAP handed the same pair"
    );
    assert_eq!(
        app.get("/asm/agents/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED,
        "the older session ended"
    );
    let res = app.get(search, Some(&second)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(tokens_of(&sim, "asagent")
        .iter()
        .all(|(_, revoked)| !revoked));

    let (sim, app) = {
        let sim = SimServer::start(SimConfig::default()).await;
        let app = TestApp::sap(&sim.url, |c| c.end_older_sessions = false);
        (sim, app)
    };
    let one = app.login_as("asagent", "pw4all").await;
    let other = app.login_as("asagent", "pw4all").await;
    let out = app
        .post_json("/asm/agents/logout", Some(&one), &json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let res = app.get(search, Some(&other)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // The last session's sign-out revokes them.
    app.post_json("/asm/agents/logout", Some(&other), &json!({}))
        .await;
    let tokens = tokens_of(&sim, "asagent");
    assert!(
        !tokens.is_empty() && tokens.iter().all(|(_, revoked)| *revoked),
        "{tokens:?}"
    );
}

/// A session that times out (the agent closed the tab) is ended by the sweeper, which revokes
/// its SAP tokens too; a live session's tokens stay valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_revokes_the_tokens_of_timed_out_sessions() {
    let (sim, app) = setup().await;
    let _idle = app.login_as("asagent", "pw4all").await;
    app.advance_secs(400);
    let live = app.login_as("asmanager", "pw4all").await;
    app.advance_secs(300);
    assert_eq!(
        app.get("/asm/agents/me", Some(&live)).await.status,
        StatusCode::OK
    );
    asm_middleware::sweep::sweep(&app.state).await;
    let idle_tokens = tokens_of(&sim, "asagent");
    assert!(
        !idle_tokens.is_empty() && idle_tokens.iter().all(|(_, revoked)| *revoked),
        "{idle_tokens:?}"
    );
    assert!(sim
        .sim
        .data()
        .refresh_tokens
        .values()
        .filter(|t| t.user == "asagent")
        .all(|t| t.revoked));
    assert!(tokens_of(&sim, "asmanager")
        .iter()
        .all(|(_, revoked)| !revoked));
    assert_eq!(
        app.get("/asm/agents/me", Some(&live)).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sap_answering_garbage_html_or_nothing_is_a_503_to_retry() {
    let sim = SimServer::start(SimConfig::default()).await;
    let app = TestApp::sap(&sim.url, |c| c.sapcc_timeout_ms = 500);
    let cookie = app.login_as("asagent", "pw4all").await;
    let path = format!("/asm/customers/search?baseSite={SITE}&query=linda");
    for (fault, latency, words) in [
        (Fault::Html, 0, "did not answer"),
        (Fault::Garbage, 0, "unexpected"),
        (Fault::None, 2_000, "did not answer"),
    ] {
        sim.sim.set_fault(fault, latency);
        let res = app.get(&path, Some(&cookie)).await;
        let e = res.assert_error(StatusCode::SERVICE_UNAVAILABLE, error_type::UNAVAILABLE);
        assert!(e.message.contains(words), "{fault:?}: {}", e.message);
        assert_eq!(res.header("retry-after"), Some("5"));
    }
    // Back to normal: the same session goes on.
    sim.sim.set_fault(Fault::None, 0);
    assert_eq!(app.get(&path, Some(&cookie)).await.status, StatusCode::OK);
    // SAP gone: a 503 too, and readiness says so.
    sim.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let down = app.get(&path, Some(&cookie)).await;
    let e = down.assert_error(StatusCode::SERVICE_UNAVAILABLE, error_type::UNAVAILABLE);
    assert!(e.message.contains("did not answer"), "{}", e.message);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    // Signing in while SAP is down: a 503, not a wrong password.
    let login = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "asagent", "password": "pw4all"}),
        )
        .await;
    login.assert_error(StatusCode::SERVICE_UNAVAILABLE, error_type::UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_comes_from_sap_without_an_agent() {
    let (_sim, app) = setup().await;
    let res = app.get("/asm/products", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let products = res.json()["products"].clone();
    let camera = products
        .as_array()
        .expect("products")
        .iter()
        .find(|p| p["code"] == "278688")
        .expect("PowerShot")
        .clone();
    assert_eq!(camera["name"], "PowerShot A480");
    assert_eq!(camera["price"]["valueCents"], 9_985);
}

/// SAP 2211-jdk21: the agent signs in on SAP's hosted page (authorization code + PKCE), the
/// middleware being the client; the browser ends up with only the session cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_jdk21_line_agents_sign_in_on_saps_page_by_code_and_pkce() {
    use axum::body::Body;
    use axum::http::{header, Method};
    const PUBLIC: &str = "http://asm.test";
    let sim = SimServer::start(SimConfig {
        auth_mode: sapcc_sim::AuthMode::Pkce,
        redirect_uris: vec![format!("{PUBLIC}/asm/agents/sso/callback")],
        ..SimConfig::default()
    })
    .await;
    let app = TestApp::sap(&sim.url, |c| {
        c.sapcc_auth = asm_middleware::config::SapAuthKind::Pkce;
        c.public_url = Some(PUBLIC.into());
    });
    let options = app.get("/asm/agents/sign-in-options", None).await.json();
    assert_eq!(options["sso"]["label"], "SAP Commerce", "{options}");
    assert_eq!(options["password"], false, "no password form: {options}");
    // The password form cannot sign in on this line.
    let password = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "asagent", "password": "pw4all"}),
        )
        .await;
    password.assert_error(StatusCode::FORBIDDEN, error_type::FORBIDDEN);

    // To SAP's authorization endpoint, with S256 and the exact redirect URI.
    let start = app
        .get(
            "/asm/agents/sso/start?returnTo=http%3A%2F%2Fasm.test%2F%3Fasm%3Dtrue",
            None,
        )
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.text());
    let flow = start
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("asm_sso_flow="))
        .expect("flow cookie")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    let authorize = start.header("location").expect("location").to_owned();
    assert!(authorize.starts_with(&format!("{}/authorizationserver/oauth/authorize?", sim.url)));
    assert!(authorize.contains("code_challenge_method=S256"));

    // The agent at SAP's page: its form, then the redirect with the code (not followed).
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = browser
        .get(&authorize)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("page");
    let csrf = page
        .split("name=\"_csrf\" type=\"hidden\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the login form's _csrf")
        .to_owned();
    let login = browser
        .post(format!("{}/authorizationserver/login", sim.url))
        .form(&[
            ("username", "asagent"),
            ("password", "pw4all"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 302);
    let callback = login
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("to the callback")
        .to_owned();
    assert!(callback.starts_with(&format!("{PUBLIC}/asm/agents/sso/callback?code=")));

    // Back at the middleware: the session, and the agent's SAP tokens kept server-side.
    let path = callback.strip_prefix(PUBLIC).expect("path");
    let res = app
        .send(
            common::req(Method::GET, path)
                .header(header::COOKIE, &flow)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
    assert_eq!(res.header("location"), Some("http://asm.test/?asm=true"));
    let cookie = res.session_cookie().expect("session cookie");
    let me = app.get("/asm/agents/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(me.json()["agent"]["uid"], "asagent");
    let search = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=linda"),
            Some(&cookie),
        )
        .await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.text());
    assert_eq!(search.json()["entries"][0]["customerId"], LINDA);
    // The code was single-use: the same callback again is refused.
    let again = app
        .send(
            common::req(Method::GET, path)
                .header(header::COOKIE, &flow)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(again.session_cookie().is_none(), "no second session");
}

/// The demo store's guest carts on SAP: OCC's anonymous carts, addressed by guid (the handle
/// the store keeps), bound by the code the shopper reads out; bound, the guid finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shoppers_guest_cart_lives_at_sap_by_guid_and_is_bound_by_its_code() {
    use axum::body::Body;
    use axum::http::{header, Method};
    let (sim, app) = setup().await;
    let created = app.post_json("/store/carts", None, &json!({})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let cart: asm_types::Cart = serde_json::from_value(created.json()).expect("cart");
    let guid = cart.guid.clone().expect("a guest cart at SAP has its guid");
    assert!(!cart.code.is_empty() && guid != cart.code);
    assert!(cart.entries.is_empty());
    {
        let data = sim.sim.data();
        let at_sap = data
            .carts
            .iter()
            .find(|c| c.code == cart.code)
            .expect("at SAP");
        assert_eq!(at_sap.user, None, "an anonymous cart at SAP");
        assert_eq!(at_sap.guid, guid);
    }
    let entries = format!("/store/carts/{guid}/entries");
    let added = app
        .post_json(
            &entries,
            None,
            &json!({"productCode": "278688", "quantity": 2}),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    assert_eq!(added.json()["totalItems"], 2);
    assert_eq!(added.json()["guid"], guid.as_str());
    let more = app
        .post_json(
            &entries,
            None,
            &json!({"productCode": "278688", "quantity": 1}),
        )
        .await;
    assert_eq!(more.json()["totalItems"], 3, "quantities add up");
    let set = app
        .patch_json(&format!("{entries}/278688"), None, &json!({"quantity": 1}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(set.json()["totalItems"], 1);
    let missing = app
        .patch_json(&format!("{entries}/nosuch"), None, &json!({"quantity": 1}))
        .await;
    let e = missing.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(e.subject.as_deref(), Some("productCode"));
    // The code is what the shopper reads out, not what opens the cart.
    let by_code = app.get(&format!("/store/carts/{}", cart.code), None).await;
    let e = by_code.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(e.subject.as_deref(), Some("cartId"));
    let read = app.get(&format!("/store/carts/{guid}"), None).await;
    assert_eq!(read.json()["totalItems"], 1);

    // The agent binds it to Aaron by its code; the shopper's guid finds nothing any more.
    let cookie = app.login_as("asagent", "pw4all").await;
    let bound = app
        .post_json(
            "/asm/bind-cart",
            Some(&cookie),
            &json!({"customerId": AARON, "cartId": cart.code, "baseSite": SITE, "replace": true}),
        )
        .await;
    assert_eq!(bound.status, StatusCode::OK, "{}", bound.text());
    let gone = app.get(&format!("/store/carts/{guid}"), None).await;
    let e = gone.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(e.subject.as_deref(), Some("cartId"));
    let removed = app
        .send(
            common::req(Method::DELETE, &format!("{entries}/278688"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let e = removed.assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(e.subject.as_deref(), Some("cartId"));

    // SAP answering garbage: a 503 to retry, as for the agent.
    sim.sim.set_fault(Fault::Garbage, 0);
    let down = app.post_json("/store/carts", None, &json!({})).await;
    down.assert_error(StatusCode::SERVICE_UNAVAILABLE, error_type::UNAVAILABLE);
}

/// SAP's customer search has no cart parameter: a cart number is a clear refusal on `cartId`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_number_search_says_sap_cannot_do_it() {
    let (_sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    let err = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&cartId=00001001"),
            Some(&cookie),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("cartId"));
    assert!(
        err.message
            .contains("SAP Commerce cannot find a customer by cart number"),
        "{}",
        err.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellations_and_returns_go_to_sap_in_occs_shapes_with_our_rules_first() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    let order = |code: &'static str| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let res = app
                .get(&format!("/asm/users/{LINDA}/orders/{code}"), Some(&cookie))
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            res.json()
        }
    };
    // 00005002 is not yet shipped: SAP says what may be cancelled.
    let o = order("00005002").await;
    assert_eq!(o["cancellable"], true);
    assert_eq!(o["entries"][1]["entryNumber"], 1);
    assert_eq!(o["entries"][1]["cancellableQuantity"], 2);
    let cancel = format!("/asm/users/{LINDA}/orders/00005002/cancellation");
    let res = app
        .post_json(
            &cancel,
            Some(&cookie),
            &json!({"cancellationRequestEntryInputs": [{"orderEntryNumber": 1, "quantity": 1}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["entries"][1]["cancelledQuantity"], 1);
    assert_eq!(
        sim.sim
            .data()
            .orders
            .iter()
            .find(|o| o.code == "00005002")
            .map(|o| o.cancelled_of(1)),
        Some(1)
    );
    // Over what is left: refused by our rule, SAP never asked (its data unchanged).
    let err = app
        .post_json(
            &cancel,
            Some(&cookie),
            &json!({"cancellationRequestEntryInputs": [{"orderEntryNumber": 1, "quantity": 2}]}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CANCELLATION_REFUSED);
    assert_eq!(err.subject.as_deref(), Some("1"));
    // A delivered order is not cancellable; it is returnable.
    app.post_json(
        &format!("/asm/users/{LINDA}/orders/00005001/cancellation"),
        Some(&cookie),
        &json!({"cancellationRequestEntryInputs": [{"orderEntryNumber": 0, "quantity": 1}]}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::CANCELLATION_REFUSED);
    let returns = format!("/asm/users/{LINDA}/orderReturns");
    app.post_json(
        &returns,
        Some(&cookie),
        &json!({"orderCode": "00005002", "returnRequestEntryInputs": [{"orderEntryNumber": 0, "quantity": 1}], "reason": "Too late"}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::RETURN_REFUSED);
    let res = app
        .post_json(
            &returns,
            Some(&cookie),
            &json!({"orderCode": "00005001", "returnRequestEntryInputs": [{"orderEntryNumber": 0, "quantity": 1}], "reason": "Damaged in transit"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let created = res.json();
    let code = created["code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(created["status"], "APPROVAL_PENDING");
    assert_eq!(created["orderCode"], "00005001");
    assert_eq!(created["cancellable"], true);
    // Customer 360° Activity: the cancelled line's order and the return, with their status.
    let res = app
        .post_json(
            &format!("/asm/customers/{LINDA}/customer360?baseSite={SITE}"),
            Some(&cookie),
            &json!({"queries": [{"type": "activity", "listSize": 10}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let entries = res.json()["fragments"][0]["data"]["entries"].clone();
    let row = entries
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["description"].as_str().unwrap_or("").contains(&code))
        .cloned()
        .unwrap_or_else(|| panic!("the return in {entries}"));
    assert_eq!(row["id"], "00005001");
    assert_eq!(row["status"], "APPROVAL_PENDING");
    // Listed with its status; cancelled; then no longer cancellable.
    let res = app.get(&returns, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["returnRequests"][0]["code"], code.as_str());
    assert_eq!(res.json()["pagination"]["totalResults"], 1);
    let one = format!("{returns}/{code}");
    let res = app
        .patch_json(&one, Some(&cookie), &json!({"status": "CANCELLING"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "CANCELED");
    assert_eq!(res.json()["cancellable"], false);
    app.patch_json(&one, Some(&cookie), &json!({"status": "CANCELLING"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::CANCEL_RETURN_REFUSED);
    app.get(&format!("{returns}/nope"), Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    // Audited: attempt and outcome.
    let audit = app.audit();
    for action in ["order-cancel", "return-create", "return-cancel"] {
        assert!(
            audit
                .iter()
                .any(|r| r.action == action && r.outcome.as_deref() == Some("ok")),
            "{action} in {audit:?}"
        );
    }
    assert!(audit.iter().any(|r| r.action == "return-cancel"
        && r.outcome.as_deref() == Some(error_type::CANCEL_RETURN_REFUSED)));
    let created_row = audit
        .iter()
        .find(|r| r.action == "return-create" && r.outcome.as_deref() == Some("ok"))
        .and_then(|r| r.detail.clone())
        .unwrap_or_default();
    assert!(created_row.contains("Damaged in transit"), "{created_row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_read_from_sap_and_its_customer_only_writes_become_a_clear_refusal() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    let res = app
        .get(&format!("/asm/users/{LINDA}/tickets"), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list: asm_types::TicketList = serde_json::from_value(res.json()).expect("list");
    assert_eq!(list.tickets[0].id, "00000001");
    assert_eq!(list.tickets[0].status.id, "OPEN");
    let res = app
        .get(
            &format!("/asm/users/{LINDA}/tickets/00000002"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"]["id"], "CLOSED");
    let res = app.get("/asm/ticketCategories", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["ticketCategories"][0]["id"], "ENQUIRY");

    // §4.9: opening a ticket and writing in one are for the customer's own token.
    let before = sim.sim.data().tickets.len();
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA}/tickets"),
            Some(&cookie),
            &json!({"subject": "s", "message": "m", "ticketCategory": {"id": "ENQUIRY"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    assert_eq!(res.json()["errors"][0]["type"], "ForbiddenError");
    assert!(res.json()["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("only the customer")));
    assert_eq!(sim.sim.data().tickets.len(), before);
    assert_eq!(app.refused_audit_of("ticket-create").len(), 1);
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA}/tickets/00000001/events"),
            Some(&cookie),
            &json!({"message": "Any news?"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    // A closed ticket is refused by our rule before SAP is asked.
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA}/tickets/00000002/events"),
            Some(&cookie),
            &json!({"message": "again"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_goes_to_sap_naming_the_emulated_customer() {
    let (sim, app) = setup().await;
    let cookie = app.login_as("asagent", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA}/products/300938/reviews"),
            Some(&cookie),
            &json!({"rating": 5, "headline": "Great", "comment": "Sharp."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["addedByAgent"], true);
    let written = sim.sim.data().reviews.last().cloned().expect("review");
    assert_eq!(
        (written.user.as_str(), written.headline.as_str()),
        (LINDA_UID, "Great")
    );
    let res = app.get("/asm/products/300938/reviews", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let reviews = res.json()["reviews"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        reviews.iter().any(|r| r["headline"] == "Great"),
        "{reviews:?}"
    );
    assert_eq!(app.audit_of("review-create").len(), 1);
}
