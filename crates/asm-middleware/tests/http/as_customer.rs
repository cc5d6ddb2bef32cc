//! Acting as the emulated customer: carts, entries, vouchers, orders, coupons and profile, with
//! the rules (only inside an emulation of that customer, only managers place orders, no e-mail
//! or password changes) and the audit record of every write.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID, MANAGER};
use asm_types::{
    error_type, Cart, CartStatus, Carts, CustomerCoupon, CustomerCouponList, CustomerProfile,
    Order, OrderHistory, ProductList,
};
use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn cart(res: &Resp) -> Cart {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("Cart")
}

/// Linda's active cart, as the emulation sees it.
async fn linda_cart(app: &TestApp, cookie: &str) -> Cart {
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/carts"),
            Some(cookie),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("Cart")
}

fn entries_path(cart: &str) -> String {
    format!("/asm/users/{LINDA_ID}/carts/{cart}/entries")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_are_public() {
    let app = TestApp::new();
    let res = app.get("/asm/products", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let list: ProductList = serde_json::from_value(res.json()).expect("ProductList");
    assert!(list.products.len() >= 10);
    assert!(list.products.windows(2).all(|w| w[0].name <= w[1].name));
    assert!(list.products[0].price.value_cents > 0);
    assert_eq!(list.products[0].price.currency_iso, "USD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_happens_as_a_customer_outside_an_emulation_of_that_customer() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let carts = format!("/asm/users/{LINDA_ID}/carts");
    // Signed out.
    app.get(&carts, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    // Signed in, not emulating: reads and writes are refused.
    let err = app
        .get(&carts, Some(&cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    assert_eq!(err.subject.as_deref(), Some(LINDA_ID));
    app.post_json(&carts, Some(&cookie), &json!({}))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.patch_json(
        &format!("/asm/users/{LINDA_ID}"),
        Some(&cookie),
        &json!({"firstName": "Eve"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    // Emulating somebody else.
    app.emulate(&cookie, "C0000001").await;
    let err = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/customercoupons/SORRY10/claim"),
            Some(&cookie),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    assert!(err.message.contains("not this customer"), "{}", err.message);
    // After the emulation ends, the customer's data is out of reach again.
    let session = app.emulate(&cookie, LINDA_ID).await;
    let id = session["sessionId"].as_str().expect("id");
    assert_eq!(app.get(&carts, Some(&cookie)).await.status, StatusCode::OK);
    app.delete(&format!("/asm/sessions/{id}"), Some(&cookie))
        .await;
    app.get(&carts, Some(&cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    // No write was recorded, and Linda's name is unchanged.
    assert!(app.audit_of("profile-update").is_empty());
    assert!(app.audit_of("coupon-assign").is_empty());
    let name: String = app.scalar(
        "SELECT first_name FROM customers WHERE customer_id = ?1",
        [LINDA_ID],
    );
    assert_eq!(name, "Linda");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_changes_the_cart_and_every_change_is_audited() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let before = linda_cart(&app, &cookie).await;
    assert_eq!(before.status, CartStatus::Active);
    let code = before.code.clone();

    // Add twice: quantities add up.
    let after = cart(
        &app.post_json(
            &entries_path(&code),
            Some(&cookie),
            &json!({"productCode": "3708646", "quantity": 2}),
        )
        .await,
    );
    let after = if before.entries.iter().any(|e| e.product_code == "3708646") {
        after
    } else {
        cart(
            &app.post_json(
                &entries_path(&code),
                Some(&cookie),
                &json!({"productCode": "3708646"}),
            )
            .await,
        )
    };
    let line = after
        .entries
        .iter()
        .find(|e| e.product_code == "3708646")
        .expect("line");
    assert!(line.quantity >= 2);
    assert_eq!(
        line.total_price.value_cents,
        line.base_price.value_cents * i64::from(line.quantity)
    );
    assert_eq!(
        after.sub_total.value_cents,
        after
            .entries
            .iter()
            .map(|e| e.total_price.value_cents)
            .sum::<i64>()
    );

    // Set the quantity, then remove the line.
    let changed = cart(
        &app.patch_json(
            &format!("{}/3708646", entries_path(&code)),
            Some(&cookie),
            &json!({"quantity": 5}),
        )
        .await,
    );
    let line = changed
        .entries
        .iter()
        .find(|e| e.product_code == "3708646")
        .expect("line");
    assert_eq!(line.quantity, 5);
    let removed = cart(
        &app.delete(&format!("{}/3708646", entries_path(&code)), Some(&cookie))
            .await,
    );
    assert!(removed.entries.iter().all(|e| e.product_code != "3708646"));

    // The database holds what the answers said.
    let rows: i64 = app.scalar(
        "SELECT COUNT(*) FROM cart_entries WHERE cart_code = ?1 AND product_code = '3708646'",
        [&code],
    );
    assert_eq!(rows, 0);

    // Every write names the agent and the customer.
    for action in ["cart-entry-add", "cart-entry-update", "cart-entry-remove"] {
        let rows = app.audit_of(action);
        assert!(!rows.is_empty(), "no {action} record");
        for r in rows {
            assert_eq!(r.agent.as_deref(), Some("asagent"));
            assert_eq!(r.customer.as_deref(), Some(LINDA_ID));
            assert!(r.detail.unwrap_or_default().contains(&code));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_entry_errors() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let code = linda_cart(&app, &cookie).await.code;
    let path = entries_path(&code);
    let err = app
        .post_json(&path, Some(&cookie), &json!({"productCode": "NOPE"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("productCode"));
    for q in [0, 100] {
        let err = app
            .post_json(
                &path,
                Some(&cookie),
                &json!({"productCode": "3708646", "quantity": q}),
            )
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("quantity"));
    }
    app.patch_json(
        &format!("{path}/3708646"),
        Some(&cookie),
        &json!({"quantity": 100}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    // A line the cart does not have.
    let err = app
        .patch_json(
            &format!("{path}/NOPE"),
            Some(&cookie),
            &json!({"quantity": 1}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("productCode"));
    // Somebody else's cart (an anonymous one) is not Linda's.
    let anonymous: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id IS NULL LIMIT 1",
        [],
    );
    let err = app
        .post_json(
            &entries_path(&anonymous),
            Some(&cookie),
            &json!({"productCode": "3708646"}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("cartId"));
    app.get(
        &format!("/asm/users/{LINDA_ID}/carts/{anonymous}"),
        Some(&cookie),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    // Malformed bodies.
    app.post_json(&path, Some(&cookie), &json!({"quantity": 1}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    // Without the CSRF header nothing changes.
    let res = app
        .send(
            with_cookie(req(axum::http::Method::POST, &path), Some(&cookie))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(r#"{"productCode":"3708646"}"#))
                .expect("request"),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    assert!(app.audit_of("cart-entry-add").is_empty());
    // The refusals that reached the shop are recorded as attempts with the error that refused
    // them (the anonymous cart: not found); those refused before it (validation, CSRF) are not.
    let refused = app.refused_audit_of("cart-entry-add");
    assert!(!refused.is_empty(), "refused attempts are audited");
    assert!(refused
        .iter()
        .all(|r| r.outcome.as_deref() == Some(error_type::NOT_FOUND)));
    assert!(refused
        .iter()
        .all(|r| r.agent.as_deref() == Some(AGENT.login)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouchers_apply_and_remove_and_change_the_total() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let code = linda_cart(&app, &cookie).await.code;
    // A known total: one camera.
    let base = cart(
        &app.post_json(
            &entries_path(&code),
            Some(&cookie),
            &json!({"productCode": "300938"}),
        )
        .await,
    );
    let vouchers = format!("/asm/users/{LINDA_ID}/carts/{code}/vouchers");
    let with = cart(
        &app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "save10"}))
            .await,
    );
    assert_eq!(with.vouchers.len(), 1);
    assert_eq!(with.vouchers[0].code, "SAVE10");
    assert_eq!(
        with.vouchers[0].discount.value_cents,
        base.sub_total.value_cents / 10
    );
    assert!(with.total_price.value_cents < base.total_price.value_cents);
    assert_eq!(
        with.total_price.value_cents,
        with.sub_total.value_cents - with.total_discounts.value_cents
            + with.delivery_cost.map_or(0, |d| d.value_cents)
    );
    // Twice is refused; unknown codes are refused.
    let err = app
        .post_json(&vouchers, Some(&cookie), &json!({"voucherId": "SAVE10"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    assert_eq!(err.subject.as_deref(), Some("voucherId"));
    app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "FREE100"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    // A customer coupon works only once assigned: Linda has LOYALTY20, not SORRY10.
    app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "SORRY10"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    let loyal = cart(
        &app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "LOYALTY20"}))
            .await,
    );
    assert_eq!(loyal.vouchers.len(), 2);
    // Remove.
    let without = cart(
        &app.delete(&format!("{vouchers}/SAVE10"), Some(&cookie))
            .await,
    );
    assert_eq!(without.vouchers.len(), 1);
    assert_eq!(without.vouchers[0].code, "LOYALTY20");
    app.delete(&format!("{vouchers}/SAVE10"), Some(&cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(app.audit_of("voucher-apply").len(), 2);
    assert_eq!(app.audit_of("voucher-remove").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_sales_managers_place_orders_and_the_order_records_the_agent() {
    let app = TestApp::new();
    // A plain agent is refused; nothing is placed; the refusal is audited.
    let agent = app.login(&AGENT).await;
    app.emulate(&agent, LINDA_ID).await;
    let code = linda_cart(&app, &agent).await.code;
    let orders_before: i64 = app.scalar(
        "SELECT COUNT(*) FROM orders WHERE customer_id = ?1",
        [LINDA_ID],
    );
    let place = format!("/asm/users/{LINDA_ID}/orders");
    let err = app
        .post_json(&place, Some(&agent), &json!({"cartId": code}))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::FORBIDDEN);
    assert!(err.message.contains("sales managers"), "{}", err.message);
    let orders_after: i64 = app.scalar(
        "SELECT COUNT(*) FROM orders WHERE customer_id = ?1",
        [LINDA_ID],
    );
    assert_eq!(orders_before, orders_after);
    assert_eq!(app.audit_of("order-refused").len(), 1);

    // The manager places it.
    let manager = app.login(&MANAGER).await;
    app.emulate(&manager, LINDA_ID).await;
    let cart_before = linda_cart(&app, &manager).await;
    assert_eq!(cart_before.code, code);
    assert!(!cart_before.entries.is_empty());
    let res = app
        .post_json(&place, Some(&manager), &json!({"cartId": code}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let order: Order = serde_json::from_value(res.json()).expect("Order");
    assert_eq!(order.placed_by.as_deref(), Some("asmanager"));
    assert_eq!(order.status, "CREATED");
    assert_eq!(order.entries.len(), cart_before.entries.len());
    assert_eq!(order.total_price, cart_before.total_price);
    // The cart is ordered; a new one comes with the next `POST carts`.
    let status: String = app.scalar("SELECT status FROM carts WHERE code = ?1", [&code]);
    assert_eq!(status, "ordered");
    app.post_json(&place, Some(&manager), &json!({"cartId": code}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/carts"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let fresh: Cart = serde_json::from_value(res.json()).expect("Cart");
    assert_ne!(fresh.code, code);
    assert!(fresh.entries.is_empty());
    // An empty cart cannot be ordered.
    app.post_json(&place, Some(&manager), &json!({"cartId": fresh.code}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    // The order is in the history, first, with its lines.
    let res = app.get(&place, Some(&manager)).await;
    assert_eq!(res.status, StatusCode::OK);
    let history: OrderHistory = serde_json::from_value(res.json()).expect("history");
    assert_eq!(history.orders[0].code, order.code);
    assert_eq!(history.pagination.total_results, orders_before as u64 + 1);
    let res = app
        .get(&format!("{place}/{}", order.code), Some(&manager))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let again: Order = serde_json::from_value(res.json()).expect("Order");
    assert_eq!(again, order);
    let placed = app.audit_of("order-place");
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0].agent.as_deref(), Some("asmanager"));
    assert!(placed[0]
        .detail
        .as_deref()
        .unwrap_or("")
        .contains(&order.code));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_orders_have_lines_and_unknown_orders_are_not_found() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let res = app
        .get(
            &format!("/asm/users/{LINDA_ID}/orders?pageSize=1"),
            Some(&cookie),
        )
        .await;
    let history: OrderHistory = serde_json::from_value(res.json()).expect("history");
    assert_eq!(history.orders.len(), 1);
    let code = &history.orders[0].code;
    let res = app
        .get(
            &format!("/asm/users/{LINDA_ID}/orders/{code}"),
            Some(&cookie),
        )
        .await;
    let order: Order = serde_json::from_value(res.json()).expect("Order");
    assert!(!order.entries.is_empty());
    assert_eq!(
        order.total_price.value_cents,
        order
            .entries
            .iter()
            .map(|e| e.total_price.value_cents)
            .sum::<i64>()
    );
    // Another customer's order is not Linda's.
    let other: String = app.scalar(
        "SELECT code FROM orders WHERE customer_id != ?1 LIMIT 1",
        [LINDA_ID],
    );
    app.get(
        &format!("/asm/users/{LINDA_ID}/orders/{other}"),
        Some(&cookie),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    app.get(
        &format!("/asm/users/{LINDA_ID}/orders?pageSize=0"),
        Some(&cookie),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_coupons_assign_and_unassign() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let list = format!("/asm/users/{LINDA_ID}/customercoupons");
    let coupons: CustomerCouponList =
        serde_json::from_value(app.get(&list, Some(&cookie)).await.json()).expect("list");
    // Assigned first (the ended AUTUMN20 and LOYALTY20), then by code.
    let codes: Vec<&str> = coupons.coupons.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes[..2], ["AUTUMN20", "LOYALTY20"]);
    assert!(coupons.coupons[..2].iter().all(|c| c.assigned));
    assert!(coupons.coupons[2..].iter().all(|c| !c.assigned));
    let res = app
        .post_json(&format!("{list}/sorry10/claim"), Some(&cookie), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let coupon: CustomerCoupon = serde_json::from_value(res.json()).expect("coupon");
    assert!(coupon.assigned);
    assert_eq!(coupon.code, "SORRY10");
    let assigned_by: String = app.scalar(
        "SELECT assigned_by FROM customer_coupons WHERE customer_id = ?1 AND coupon_code = 'SORRY10'",
        [LINDA_ID],
    );
    assert_eq!(assigned_by, "asagent");
    // The customer can now use it on her cart; unassigning takes it off the cart too.
    let code = linda_cart(&app, &cookie).await.code;
    let vouchers = format!("/asm/users/{LINDA_ID}/carts/{code}/vouchers");
    cart(
        &app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "SORRY10"}))
            .await,
    );
    let res = app
        .delete(&format!("{list}/SORRY10/claim"), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let coupon: CustomerCoupon = serde_json::from_value(res.json()).expect("coupon");
    assert!(!coupon.assigned);
    let after = cart(
        &app.get(
            &format!("/asm/users/{LINDA_ID}/carts/{code}"),
            Some(&cookie),
        )
        .await,
    );
    assert!(after.vouchers.iter().all(|v| v.code != "SORRY10"));
    app.post_json(&format!("{list}/NOPE/claim"), Some(&cookie), &json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(app.audit_of("coupon-assign").len(), 1);
    assert_eq!(app.audit_of("coupon-unassign").len(), 1);
}

/// A coupon that has ended is listed with its end (the store and Customer 360° say "expired"),
/// cannot be used on a cart, and once taken back cannot be given again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_coupon_is_listed_but_cannot_be_used_or_given_again() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let list = format!("/asm/users/{LINDA_ID}/customercoupons");
    let coupons: CustomerCouponList =
        serde_json::from_value(app.get(&list, Some(&cookie)).await.json()).expect("list");
    let autumn = coupons
        .coupons
        .iter()
        .find(|c| c.code == "AUTUMN20")
        .expect("AUTUMN20 listed");
    assert!(autumn.assigned);
    assert_eq!(autumn.end_date.as_deref(), Some("2025-12-30T00:00:00Z"));
    let vip = coupons
        .coupons
        .iter()
        .find(|c| c.code == "VIP25")
        .expect("VIP25");
    assert_eq!(vip.end_date.as_deref(), Some("2026-01-06T00:00:00Z"));
    // Not on a cart.
    let code = linda_cart(&app, &cookie).await.code;
    let vouchers = format!("/asm/users/{LINDA_ID}/carts/{code}/vouchers");
    app.post_json(&vouchers, Some(&cookie), &json!({"voucherId": "AUTUMN20"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    // Claiming it again while she has it changes nothing; taken back, it cannot be given again.
    let res = app
        .post_json(&format!("{list}/AUTUMN20/claim"), Some(&cookie), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = app
        .delete(&format!("{list}/AUTUMN20/claim"), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let err = app
        .post_json(&format!("{list}/autumn20/claim"), Some(&cookie), &json!({}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("couponCode"));
    assert_eq!(err.message, "Coupon AUTUMN20 expired on 2025-12-30.");
    let has: i64 = app.scalar(
        "SELECT COUNT(*) FROM customer_coupons WHERE customer_id = ?1 AND coupon_code = 'AUTUMN20'",
        [LINDA_ID],
    );
    assert_eq!(has, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_changes_names_and_phone_but_never_email_or_password() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let path = format!("/asm/users/{LINDA_ID}");
    let res = app
        .patch_json(
            &path,
            Some(&cookie),
            &json!({"lastName": "Wolf-Berg", "phone": "+49 30 1234"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let profile: CustomerProfile = serde_json::from_value(res.json()).expect("profile");
    assert_eq!(profile.name, "Linda Wolf-Berg");
    assert_eq!(profile.phone.as_deref(), Some("+49 30 1234"));
    // The new name is searchable at once.
    let res = app
        .get(
            "/asm/customers/search?baseSite=electronics&query=wolf-berg",
            Some(&cookie),
        )
        .await;
    assert_eq!(res.json()["entries"][0]["customerId"], LINDA_ID);
    // The emulation shows the new name from now on (the bar reads it from `/agents/me`).
    let me = app.get("/asm/agents/me", Some(&cookie)).await.json();
    assert_eq!(me["emulation"]["customerName"], "Linda Wolf-Berg");
    // E-mail, password and unknown fields are refused, and nothing else in that body is
    // applied or audited.
    for (field, body) in [
        (
            "email",
            json!({"firstName": "Eve", "email": "eve@evil.example"}),
        ),
        ("password", json!({"password": "hunter2"})),
        ("nickname", json!({"firstName": "Eve", "nickname": "eve"})),
        ("body", json!({})),
    ] {
        let err = app
            .patch_json(&path, Some(&cookie), &body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(field));
    }
    let profile: CustomerProfile =
        serde_json::from_value(app.get(&path, Some(&cookie)).await.json()).expect("profile");
    assert_eq!(profile.first_name, "Linda");
    assert_eq!(profile.email, "linda.wolf@example.com");
    for (field, body) in [
        ("firstName", json!({"firstName": "  "})),
        ("lastName", json!({"lastName": "x".repeat(101)})),
        ("phone", json!({"phone": "call me maybe"})),
        ("firstName", json!({"firstName": "Rtl\u{202E}gnp.exe"})),
        ("lastName", json!({"lastName": "\u{2066}Wolf"})),
    ] {
        let err = app
            .patch_json(&path, Some(&cookie), &body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(field));
    }
    assert_eq!(app.audit_of("profile-update").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_list_shows_active_then_saved() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let active = linda_cart(&app, &cookie).await.code;
    let db = app.db();
    db.execute(
        "INSERT INTO carts (code, customer_id, status, created, modified) VALUES ('99999999', ?1, 'saved', ?2, ?2)",
        (LINDA_ID, T0 + 1),
    )
    .expect("saved cart");
    let res = app
        .get(&format!("/asm/users/{LINDA_ID}/carts"), Some(&cookie))
        .await;
    let carts: Carts = serde_json::from_value(res.json()).expect("carts");
    assert_eq!(carts.carts[0].code, active);
    let last = carts.carts.last().expect("saved");
    assert_eq!(last.code, "99999999");
    assert_eq!(last.status, CartStatus::Saved);
    // A saved cart cannot be changed.
    app.post_json(
        &entries_path("99999999"),
        Some(&cookie),
        &json!({"productCode": "3708646"}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
}
