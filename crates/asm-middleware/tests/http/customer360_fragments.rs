//! `POST /customers/{customerId}/customer360`: customer 360 as fragments, each answered (or
//! failing) on its own, checked against what the database holds.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{
    error_type, C360Activity, C360CartData, C360CouponStatus, C360Feedback, C360FragmentData,
    C360Overview, C360ProductInterests, C360Profile, C360Promotions, C360StoreLocations,
    Customer360Fragment, Customer360FragmentType, Customer360Response, REQUEST_HEADER,
};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use r2d2_sqlite::rusqlite::params;
use serde_json::{json, Value};

const ALL_TYPES: &[&str] = &[
    "overview",
    "profile",
    "activity",
    "feedback",
    "storeLocations",
    "promotions",
    "cart",
    "savedCart",
    "productInterests",
];

fn path(customer: &str) -> String {
    format!("/asm/customers/{customer}/customer360?baseSite={SITE}")
}

/// Asks for `queries` (a JSON array); asserts 200 and one answer per query, in order.
async fn ask(app: &TestApp, cookie: &str, customer: &str, queries: Value) -> Customer360Response {
    let asked: Vec<String> = queries
        .as_array()
        .expect("queries array")
        .iter()
        .map(|q| q["type"].as_str().expect("type").to_owned())
        .collect();
    let res = app
        .post_json(
            &path(customer),
            Some(cookie),
            &json!({ "queries": queries }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body: Customer360Response = serde_json::from_value(res.json()).expect("response shape");
    let answered: Vec<&str> = body.fragments.iter().map(|f| f.kind().as_str()).collect();
    assert_eq!(answered, asked, "one answer per query, in order");
    body
}

/// The data of one fragment, asserting it did not fail.
async fn one(app: &TestApp, cookie: &str, customer: &str, query: Value) -> C360FragmentData {
    let mut body = ask(app, cookie, customer, json!([query])).await;
    match body.fragments.remove(0) {
        Customer360Fragment::Data(d) => d,
        Customer360Fragment::Failed(e) => panic!("fragment failed: {e:?}"),
    }
}

async fn overview(app: &TestApp, cookie: &str, customer: &str) -> C360Overview {
    match one(app, cookie, customer, json!({"type": "overview"})).await {
        C360FragmentData::Overview(o) => o,
        other => panic!("not an overview: {other:?}"),
    }
}

async fn profile(app: &TestApp, cookie: &str, customer: &str) -> C360Profile {
    match one(app, cookie, customer, json!({"type": "profile"})).await {
        C360FragmentData::Profile(p) => p,
        other => panic!("not a profile: {other:?}"),
    }
}

async fn activity(app: &TestApp, cookie: &str, customer: &str, size: Option<u32>) -> C360Activity {
    let query = match size {
        Some(n) => json!({"type": "activity", "listSize": n}),
        None => json!({"type": "activity"}),
    };
    match one(app, cookie, customer, query).await {
        C360FragmentData::Activity(a) => a,
        other => panic!("not an activity list: {other:?}"),
    }
}

async fn promotions(app: &TestApp, cookie: &str, customer: &str) -> C360Promotions {
    match one(app, cookie, customer, json!({"type": "promotions"})).await {
        C360FragmentData::Promotions(p) => p,
        other => panic!("not promotions: {other:?}"),
    }
}

/// Linda's active cart and its subtotal in cents, from the database.
fn linda_cart(app: &TestApp) -> (String, i64, i64) {
    app.db()
        .query_row(
            "SELECT c.code, COALESCE(SUM(e.quantity), 0), COALESCE(SUM(e.quantity * p.price_cents), 0) \
             FROM carts c LEFT JOIN cart_entries e ON e.cart_code = c.code \
             LEFT JOIN products p ON p.code = e.product_code \
             WHERE c.customer_id = ?1 AND c.status = 'active' \
             GROUP BY c.code ORDER BY c.modified DESC, c.code DESC LIMIT 1",
            [LINDA_ID],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("Linda has an active cart")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_has_the_header_with_cart_order_and_the_latest_open_ticket() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let o = overview(&app, &cookie, LINDA_ID).await;
    assert_eq!(o.name, "Linda Wolf");
    assert_eq!(o.email, "linda.wolf@example.com");
    let town: String = app.scalar(
        "SELECT town FROM customers WHERE customer_id = ?1",
        [LINDA_ID],
    );
    assert_eq!(o.town, town);
    assert!(o.signed_up_date.ends_with('Z'));

    let (code, items, cents) = linda_cart(&app);
    let cart = o.active_cart.expect("active cart");
    assert_eq!(cart.code, code);
    assert_eq!(i64::from(cart.total_items), items);
    assert_eq!(cart.total.cents, cents);
    assert_eq!(cart.total.currency, "USD");
    assert!(cart.total.formatted.starts_with('$'));

    let (order, total): (String, i64) = app
        .db()
        .query_row(
            "SELECT code, total_cents FROM orders WHERE customer_id = ?1 ORDER BY placed DESC, code DESC LIMIT 1",
            [LINDA_ID],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("latest order");
    let latest = o.latest_order.expect("latest order");
    assert_eq!(latest.code, order);
    assert_eq!(latest.total.cents, total);

    // The seed gives Linda an OPEN ticket; the latest open one is shown.
    let open: String = app.scalar(
        "SELECT id FROM tickets WHERE customer_id = ?1 AND status <> 'CLOSED' \
         ORDER BY updated DESC, id DESC LIMIT 1",
        [LINDA_ID],
    );
    let ticket = o.latest_open_ticket.expect("open ticket");
    assert_eq!(ticket.id, open);
    assert_eq!(ticket.status, "OPEN");

    // A newer closed ticket is not "open"; a newer open one replaces it.
    let later = app.now() - 1000;
    app.db()
        .execute(
            "INSERT INTO tickets (id, customer_id, subject, category, status, created, updated) \
             VALUES ('T-CLOSED', ?1, 'Done', 'Enquiry', 'CLOSED', ?2, ?2)",
            params![LINDA_ID, later],
        )
        .expect("insert");
    let o = overview(&app, &cookie, LINDA_ID).await;
    assert_eq!(o.latest_open_ticket.expect("open ticket").id, open);
    app.db()
        .execute(
            "INSERT INTO tickets (id, customer_id, subject, category, status, created, updated) \
             VALUES ('T-NEW', ?1, 'New problem', 'Complaint', 'OPEN', ?2, ?2)",
            params![LINDA_ID, later],
        )
        .expect("insert");
    let o = overview(&app, &cookie, LINDA_ID).await;
    let ticket = o.latest_open_ticket.expect("open ticket");
    assert_eq!(
        (ticket.id.as_str(), ticket.subject.as_str()),
        ("T-NEW", "New problem")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_has_addresses_phones_and_masked_cards() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let p = profile(&app, &cookie, LINDA_ID).await;
    let (line1, postal, phone): (String, String, String) = app
        .db()
        .query_row(
            "SELECT line1, postal_code, phone FROM addresses WHERE customer_id = ?1 AND kind = 'billing'",
            [LINDA_ID],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("billing address");
    let billing = p.billing_address.expect("billing address");
    assert_eq!(
        (billing.line1.as_str(), billing.postal_code.as_str()),
        (line1.as_str(), postal.as_str())
    );
    assert_eq!(billing.phone.as_deref(), Some(phone.as_str()));
    assert!(p.delivery_address.is_some());
    assert_eq!(p.phones, vec![phone]);

    assert_eq!(p.payment_cards.len(), 2);
    let default = &p.payment_cards[0];
    assert!(default.is_default, "the default card comes first");
    assert_eq!(default.brand, "Visa");
    assert_eq!(default.masked_number, "**** **** **** 4242");
    assert!(!p.payment_cards[1].is_default);
    assert!(p.payment_cards[1].masked_number.ends_with("5454"));
    for card in &p.payment_cards {
        let digits = card
            .masked_number
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        assert_eq!(
            digits, 4,
            "only the last four digits: {}",
            card.masked_number
        );
    }

    // Even a full number stored by mistake comes out as its last four digits.
    app.db()
        .execute(
            "INSERT INTO payment_cards (customer_id, brand, last4, expiry, holder, is_default) \
             VALUES (?1, 'Visa', '4111111111119876', '01/2030', 'Linda Wolf', 0)",
            [LINDA_ID],
        )
        .expect("insert");
    let res = app
        .post_json(
            &path(LINDA_ID),
            Some(&cookie),
            &json!({"queries": [{"type": "profile"}]}),
        )
        .await;
    assert!(!res.text().contains("411111"), "{}", res.text());
    let p = profile(&app, &cookie, LINDA_ID).await;
    assert!(p
        .payment_cards
        .iter()
        .any(|c| c.masked_number == "**** **** **** 9876"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_lists_carts_orders_and_tickets_newest_first_and_honours_list_size() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let total: i64 = app.scalar(
        "SELECT (SELECT COUNT(*) FROM carts WHERE customer_id = ?1) \
              + (SELECT COUNT(*) FROM orders WHERE customer_id = ?1) \
              + (SELECT COUNT(*) FROM tickets WHERE customer_id = ?1)",
        [LINDA_ID],
    );
    assert!(total >= 3);
    let all = activity(&app, &cookie, LINDA_ID, None).await;
    assert_eq!(all.total_count as i64, total);
    assert_eq!(all.entries.len() as i64, total);
    assert!(
        all.entries.windows(2).all(|w| w[0].updated >= w[1].updated),
        "sorted by updated, newest first: {:?}",
        all.entries
    );
    let kinds: Vec<String> = all
        .entries
        .iter()
        .map(|e| serde_json::to_value(e.kind).expect("kind").to_string())
        .collect();
    for kind in ["\"CART\"", "\"ORDER\"", "\"TICKET\""] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let (cart, _, _) = linda_cart(&app);
    let entry = all.entries.iter().find(|e| e.id == cart).expect("the cart");
    assert_eq!(entry.status, "ACTIVE");
    let open: String = app.scalar(
        "SELECT subject FROM tickets WHERE customer_id = ?1 AND status = 'OPEN' ORDER BY id LIMIT 1",
        [LINDA_ID],
    );
    assert!(all.entries.iter().any(|e| e.description == open));

    let two = activity(&app, &cookie, LINDA_ID, Some(2)).await;
    assert_eq!(two.entries.len(), 2);
    assert_eq!(two.total_count as i64, total, "the total counts everything");
    assert_eq!(two.entries[..], all.entries[..2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_has_tickets_and_reviews_with_product_names() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let f: C360Feedback = match one(&app, &cookie, LINDA_ID, json!({"type": "feedback"})).await {
        C360FragmentData::Feedback(f) => f,
        other => panic!("{other:?}"),
    };
    let tickets: i64 = app.scalar(
        "SELECT COUNT(*) FROM tickets WHERE customer_id = ?1",
        [LINDA_ID],
    );
    let reviews: i64 = app.scalar(
        "SELECT COUNT(*) FROM reviews WHERE customer_id = ?1",
        [LINDA_ID],
    );
    assert!(tickets > 0 && reviews > 0);
    assert_eq!(f.tickets.len() as i64, tickets);
    assert_eq!(f.ticket_count as i64, tickets);
    assert_eq!(f.reviews.len() as i64, reviews);
    assert_eq!(f.review_count as i64, reviews);
    assert!(f.tickets.iter().any(|t| t.status == "OPEN"));
    let (product, rating, headline): (String, u8, String) = app
        .db()
        .query_row(
            "SELECT p.name, r.rating, r.headline FROM reviews r JOIN products p ON p.code = r.product_code \
             WHERE r.customer_id = ?1 ORDER BY r.created DESC, r.id DESC LIMIT 1",
            [LINDA_ID],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("review");
    let first = &f.reviews[0];
    assert_eq!(
        (
            first.product_name.as_str(),
            first.rating,
            first.headline.as_str()
        ),
        (product.as_str(), rating, headline.as_str())
    );
    assert!(!first.comment.is_empty());
    assert!(first.created.ends_with('Z'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_locations_are_in_her_town_first_then_her_country() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let s: C360StoreLocations =
        match one(&app, &cookie, LINDA_ID, json!({"type": "storeLocations"})).await {
            C360FragmentData::StoreLocations(s) => s,
            other => panic!("{other:?}"),
        };
    let (town, country): (String, String) = app
        .db()
        .query_row(
            "SELECT town, country FROM customers WHERE customer_id = ?1",
            [LINDA_ID],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("customer");
    assert_eq!(
        (s.town.as_str(), s.country.as_str()),
        (town.as_str(), country.as_str())
    );
    let in_town: i64 = app.scalar("SELECT COUNT(*) FROM stores WHERE town = ?1", [&town]);
    assert!(in_town > 0, "the seed has a store in {town}");
    let first: Vec<_> = s.stores.iter().take(in_town as usize).collect();
    assert!(first
        .iter()
        .all(|st| st.town == town && st.in_customer_town));
    assert!(first
        .iter()
        .all(|st| !st.opening_hours.is_empty() && !st.line1.is_empty()));
    assert!(s.stores.iter().all(|st| st.country == country));
    assert!(s.stores[in_town as usize..]
        .iter()
        .all(|st| !st.in_customer_town));
    let in_country: i64 = app.scalar("SELECT COUNT(*) FROM stores WHERE country = ?1", [&country]);
    assert_eq!(s.total_count as i64, in_country);
    assert_eq!(s.stores.len() as i64, in_country);

    let limited = match one(
        &app,
        &cookie,
        LINDA_ID,
        json!({"type": "storeLocations", "listSize": 1}),
    )
    .await
    {
        C360FragmentData::StoreLocations(s) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(limited.stores.len(), 1);
    assert_eq!(limited.stores[0], s.stores[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promotions_flag_what_applies_to_her_cart_and_her_coupons() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let (cart, _, subtotal) = linda_cart(&app);
    let p = promotions(&app, &cookie, LINDA_ID).await;
    assert_eq!(p.cart_code.as_deref(), Some(cart.as_str()));
    assert_eq!(p.cart_subtotal.as_ref().map(|m| m.cents), Some(subtotal));
    let thresholds: Vec<(String, i64)> = {
        let db = app.db();
        let mut stmt = db
            .prepare("SELECT code, threshold_cents FROM promotions")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(p.promotions.len(), thresholds.len());
    for (code, threshold) in &thresholds {
        let promo = p
            .promotions
            .iter()
            .find(|x| &x.code == code)
            .expect("promotion");
        assert_eq!(
            promo
                .threshold
                .as_ref()
                .expect("the demo shop says the threshold")
                .cents,
            *threshold
        );
        assert_eq!(
            promo.applied,
            subtotal >= *threshold,
            "{code}: subtotal {subtotal}"
        );
    }
    assert!(p.cart_vouchers.iter().all(|v| !v.applied));
    let loyalty = p
        .customer_coupons
        .iter()
        .find(|c| c.code == "LOYALTY20")
        .expect("LOYALTY20");
    assert_eq!(loyalty.status, C360CouponStatus::Assigned);
    assert!(loyalty.assigned_date.is_some());
    // Assigned first (also the ended AUTUMN20, with its end), then those valid now.
    let codes: Vec<&str> = p.customer_coupons.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes[..2], ["AUTUMN20", "LOYALTY20"], "assigned first");
    assert_eq!(p.customer_coupons[0].status, C360CouponStatus::Assigned);
    assert_eq!(
        p.customer_coupons[0].ends.as_deref(),
        Some("2025-12-30T00:00:00Z")
    );
    assert!(p.customer_coupons[2..]
        .iter()
        .all(|c| c.status == C360CouponStatus::Available && c.assigned_date.is_none()));

    // Apply a voucher and push the cart over every threshold: the flags follow.
    let db = app.db();
    db.execute(
        "INSERT INTO cart_vouchers (cart_code, voucher_code, applied) VALUES (?1, 'SAVE10', 1)",
        [&cart],
    )
    .expect("voucher");
    db.execute(
        "INSERT OR REPLACE INTO cart_entries (cart_code, product_code, quantity) VALUES (?1, '2053367', 2)",
        [&cart],
    )
    .expect("entry");
    let (_, _, bigger) = linda_cart(&app);
    assert!(thresholds.iter().all(|(_, t)| bigger >= *t));
    let p = promotions(&app, &cookie, LINDA_ID).await;
    assert_eq!(p.cart_subtotal.as_ref().map(|m| m.cents), Some(bigger));
    assert!(p.promotions.iter().all(|x| x.applied));
    for v in &p.cart_vouchers {
        assert_eq!(v.applied, v.code == "SAVE10", "{}", v.code);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_saved_cart_and_product_interests() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let body = ask(
        &app,
        &cookie,
        LINDA_ID,
        json!([{"type": "cart"}, {"type": "savedCart"}, {"type": "productInterests"}]),
    )
    .await;
    let (code, items, subtotal) = linda_cart(&app);
    let Customer360Fragment::Data(C360FragmentData::Cart(C360CartData { cart: Some(cart) })) =
        &body.fragments[0]
    else {
        panic!("no cart: {:?}", body.fragments[0]);
    };
    assert_eq!(cart.code, code);
    assert_eq!(i64::from(cart.total_items), items);
    assert_eq!(cart.subtotal.cents, subtotal);
    assert!(!cart.entries.is_empty());
    assert_eq!(
        cart.entries.iter().map(|e| e.total.cents).sum::<i64>(),
        subtotal
    );
    for e in &cart.entries {
        assert_eq!(e.total.cents, e.unit_price.cents * i64::from(e.quantity));
    }
    assert!(
        matches!(
            &body.fragments[1],
            Customer360Fragment::Data(C360FragmentData::SavedCart(C360CartData { cart: None }))
        ),
        "the seed has no saved cart: {:?}",
        body.fragments[1]
    );
    let Customer360Fragment::Data(C360FragmentData::ProductInterests(interests)) =
        &body.fragments[2]
    else {
        panic!("{:?}", body.fragments[2]);
    };
    assert_eq!(interests.total_count, 2);
    let names: Vec<&str> = interests
        .entries
        .iter()
        .map(|i| i.product_name.as_str())
        .collect();
    assert!(names.contains(&"EOS 450D + 18-55 IS Kit"), "{names:?}");
    assert!(interests.entries.iter().any(|i| i.kind == "BACK_IN_STOCK"));

    // A saved cart shows up with its lines.
    let db = app.db();
    db.execute(
        "INSERT INTO carts (code, customer_id, status, created, modified) VALUES ('SAVED-1', ?1, 'saved', ?2, ?2)",
        params![LINDA_ID, app.now() - 1000],
    )
    .expect("cart");
    db.execute(
        "INSERT INTO cart_entries (cart_code, product_code, quantity) VALUES ('SAVED-1', '4205431', 2)",
        [],
    )
    .expect("entry");
    let saved = match one(&app, &cookie, LINDA_ID, json!({"type": "savedCart"})).await {
        C360FragmentData::SavedCart(C360CartData { cart: Some(c) }) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(saved.code, "SAVED-1");
    assert_eq!(saved.total_items, 2);
    assert_eq!(saved.subtotal.cents, 2 * 39_90);
    assert_eq!(saved.entries[0].product_name, "Tripod Stand");
    // The active cart is still the active one.
    let c = match one(&app, &cookie, LINDA_ID, json!({"type": "cart"})).await {
        C360FragmentData::Cart(C360CartData { cart: Some(c) }) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(c.code, code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_without_data_gets_empty_fragments_not_errors() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let db = app.db();
    db.execute(
        "INSERT INTO customers (customer_id, uid, first_name, last_name, name, town, country, signed_up, search) \
         VALUES ('C-EMPTY', 'empty@example.com', 'Emma', 'Empty', 'Emma Empty', 'Nowhere', 'ZZ', ?1, 'emma empty')",
        [app.now()],
    )
    .expect("insert");
    let queries: Vec<Value> = ALL_TYPES.iter().map(|t| json!({"type": t})).collect();
    let body = ask(&app, &cookie, "C-EMPTY", Value::Array(queries)).await;
    for fragment in &body.fragments {
        let Customer360Fragment::Data(data) = fragment else {
            panic!("failed: {fragment:?}");
        };
        match data {
            C360FragmentData::Overview(o) => {
                assert_eq!(o.name, "Emma Empty");
                assert!(o.active_cart.is_none() && o.latest_order.is_none());
                assert!(o.latest_open_ticket.is_none());
            }
            C360FragmentData::Profile(p) => {
                assert!(p.billing_address.is_none() && p.delivery_address.is_none());
                assert!(p.phones.is_empty() && p.payment_cards.is_empty());
            }
            C360FragmentData::Activity(a) => {
                assert!(a.entries.is_empty());
                assert_eq!(a.total_count, 0);
            }
            C360FragmentData::Feedback(f) => {
                assert!(f.tickets.is_empty() && f.reviews.is_empty());
                assert_eq!((f.ticket_count, f.review_count), (0, 0));
            }
            C360FragmentData::StoreLocations(s) => {
                assert!(s.stores.is_empty());
                assert_eq!(s.total_count, 0);
            }
            C360FragmentData::Promotions(p) => {
                assert!(p.cart_code.is_none() && p.cart_subtotal.is_none());
                assert!(p.promotions.iter().all(|x| !x.applied));
                assert!(p.cart_vouchers.iter().all(|v| !v.applied));
                assert!(p
                    .customer_coupons
                    .iter()
                    .all(|c| c.status == C360CouponStatus::Available));
            }
            C360FragmentData::Cart(c) | C360FragmentData::SavedCart(c) => {
                assert!(c.cart.is_none());
            }
            C360FragmentData::ProductInterests(i) => {
                let empty = C360ProductInterests {
                    entries: vec![],
                    total_count: 0,
                };
                assert_eq!(i, &empty);
            }
        }
    }
    // The raw JSON: empty lists are sent as `[]`, a missing cart as `{}`.
    let res = app
        .post_json(
            &path("C-EMPTY"),
            Some(&cookie),
            &json!({"queries": [{"type": "activity"}, {"type": "cart"}]}),
        )
        .await;
    let v = res.json();
    assert_eq!(v["fragments"][0]["data"]["entries"], json!([]));
    assert_eq!(v["fragments"][1], json!({"type": "cart", "data": {}}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_fragment_does_not_fail_the_others() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.db()
        .execute_batch("DROP TABLE reviews")
        .expect("drop reviews");
    let res = app
        .post_json(
            &path(LINDA_ID),
            Some(&cookie),
            &json!({"queries": [{"type": "feedback"}, {"type": "overview"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let raw = res.json();
    assert_eq!(raw["fragments"][0]["type"], "feedback");
    assert!(raw["fragments"][0].get("data").is_none());
    assert_eq!(raw["fragments"][0]["error"]["type"], error_type::INTERNAL);
    assert!(
        !raw["fragments"][0]["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("reviews"),
        "no SQL detail leaks: {raw}"
    );
    let body: Customer360Response = serde_json::from_value(raw).expect("shape");
    let Customer360Fragment::Failed(failed) = &body.fragments[0] else {
        panic!("feedback should fail: {:?}", body.fragments[0]);
    };
    assert_eq!(failed.kind, Customer360FragmentType::Feedback);
    assert_eq!(failed.error.kind, error_type::INTERNAL);
    let Customer360Fragment::Data(C360FragmentData::Overview(o)) = &body.fragments[1] else {
        panic!("overview should answer: {:?}", body.fragments[1]);
    };
    assert_eq!(o.name, "Linda Wolf");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_types_are_each_answered() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let body = ask(
        &app,
        &cookie,
        LINDA_ID,
        json!([{"type": "activity", "listSize": 1}, {"type": "activity", "listSize": 3}]),
    )
    .await;
    let sizes: Vec<usize> = body
        .fragments
        .iter()
        .map(|f| match f {
            Customer360Fragment::Data(C360FragmentData::Activity(a)) => a.entries.len(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(sizes, vec![1, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_up_front() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let c = Some(cookie.as_str());
    let p = path(LINDA_ID);
    let err = app
        .post_json(&p, c, &json!({"queries": []}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("queries"));
    let thirteen: Vec<Value> = (0..13).map(|_| json!({"type": "overview"})).collect();
    let err = app
        .post_json(&p, c, &json!({ "queries": thirteen }))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("queries"));
    let twelve: Vec<Value> = (0..12).map(|_| json!({"type": "cart"})).collect();
    assert_eq!(
        app.post_json(&p, c, &json!({ "queries": twelve }))
            .await
            .status,
        StatusCode::OK
    );
    for (queries, subject) in [
        (
            json!([{"type": "overview"}, {"type": "orders"}]),
            "queries[1].type",
        ),
        (json!([{"type": "Overview"}]), "queries[0].type"),
        (json!([{"type": "c360Overview"}]), "queries[0].type"),
        (
            json!([{"type": "activity", "listSize": 0}]),
            "queries[0].listSize",
        ),
        (
            json!([{"type": "cart"}, {"type": "activity", "listSize": 501}]),
            "queries[1].listSize",
        ),
    ] {
        let err = app
            .post_json(&p, c, &json!({ "queries": queries }))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{queries}");
    }
    let ok = activity(&app, &cookie, LINDA_ID, Some(500)).await;
    assert!(!ok.entries.is_empty());
    // No body shape, no queries, wrong list size type, no base site.
    for body in [
        json!({}),
        json!({"queries": "overview"}),
        json!({"queries": [{"listSize": 1}]}),
    ] {
        app.post_json(&p, c, &body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    }
    let err = app
        .post_json(
            &format!("/asm/customers/{LINDA_ID}/customer360"),
            c,
            &json!({"queries": [{"type": "overview"}]}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("baseSite"));
    app.post_raw(&p, c, Some("text/plain"), "x")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_customer_no_session_and_no_csrf_header() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let body = json!({"queries": [{"type": "overview"}]});
    let err = app
        .post_json(&path("C-NOPE"), Some(&cookie), &body)
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("C-NOPE"));
    app.post_json(&path(LINDA_ID), None, &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    // A read, but a POST: the CSRF guard applies.
    let res = app
        .send(
            with_cookie(req(Method::POST, &path(LINDA_ID)), Some(&cookie))
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    let err = res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    assert!(err.message.contains(REQUEST_HEADER));
    let res = app
        .send(
            with_cookie(req(Method::POST, &path(LINDA_ID)), Some(&cookie))
                .header(REQUEST_HEADER, "1")
                .header(header::ORIGIN, "http://evil.example")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    // GET is not this route's method.
    assert_eq!(
        app.get(&path(LINDA_ID), Some(&cookie)).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}
