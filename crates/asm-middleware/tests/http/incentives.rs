//! Incentive vouchers and vouchers valid only during a support call (SAP's ASM course): a gift
//! voucher adds its product at price 0 and takes it away again, free shipping takes the delivery
//! off, both reach the order; a session-only voucher leaves the cart when the emulation ends —
//! by hand, by a switch to another customer, by a timeout (the sweep) — audited, and a shopper
//! on their own cannot use it.

use crate::common;

use asm_middleware::commerce::embedded::pricing::STANDARD_DELIVERY_CENTS;
use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID, MANAGER};
use asm_types::{
    error_type, C360FragmentData, Cart, Customer360Fragment, Customer360Response, Order,
    VoucherKind,
};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::json;

const GIFT: &str = "GIFTCARD";
const GIFT_PRODUCT: &str = "3708646";
const FREE_SHIPPING: &str = "SHIPFREE";
const CALL_ONLY: &str = "CALL10";

fn cart(res: &Resp) -> Cart {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("Cart")
}

/// Linda's active cart, with at least one product in it.
async fn linda_cart(app: &TestApp, cookie: &str) -> Cart {
    let c = cart(
        &app.post_json(
            &format!("/asm/users/{LINDA_ID}/carts"),
            Some(cookie),
            &json!({}),
        )
        .await,
    );
    if !c.entries.is_empty() {
        return c;
    }
    cart(
        &app.post_json(
            &format!("/asm/users/{LINDA_ID}/carts/{}/entries", c.code),
            Some(cookie),
            &json!({"productCode": "300938", "quantity": 1}),
        )
        .await,
    )
}

async fn apply(app: &TestApp, cookie: &str, cart_id: &str, code: &str) -> Resp {
    app.post_json(
        &format!("/asm/users/{LINDA_ID}/carts/{cart_id}/vouchers"),
        Some(cookie),
        &json!({"voucherId": code}),
    )
    .await
}

async fn read_cart(app: &TestApp, cookie: &str, cart_id: &str) -> Cart {
    cart(
        &app.get(
            &format!("/asm/users/{LINDA_ID}/carts/{cart_id}"),
            Some(cookie),
        )
        .await,
    )
}

/// Whether cart `code` holds voucher `voucher`, read off the shop's database.
fn holds(app: &TestApp, code: &str, voucher: &str) -> bool {
    app.scalar::<i64>(
        "SELECT COUNT(*) FROM cart_vouchers WHERE cart_code = ?1 AND voucher_code = ?2",
        [code, voucher],
    ) > 0
}

fn another_customer(app: &TestApp) -> String {
    app.scalar(
        "SELECT customer_id FROM customers WHERE customer_id <> ?1 AND disabled = 0 \
         ORDER BY customer_id LIMIT 1",
        [LINDA_ID],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gift_voucher_adds_its_product_at_no_cost_and_free_shipping_takes_the_delivery_off() {
    let app = TestApp::new();
    let cookie = app.login(&MANAGER).await;
    app.emulate(&cookie, LINDA_ID).await;
    let before = linda_cart(&app, &cookie).await;
    let delivery = before
        .delivery_cost
        .clone()
        .expect("the shop prices delivery");
    assert_eq!(delivery.value_cents, STANDARD_DELIVERY_CENTS);
    assert_eq!(
        before.total_price.value_cents,
        before.sub_total.value_cents - before.total_discounts.value_cents + STANDARD_DELIVERY_CENTS
    );

    // The gift: a line of its own at price 0, the totals unchanged.
    let with_gift = cart(&apply(&app, &cookie, &before.code, GIFT).await);
    let gift = with_gift
        .entries
        .iter()
        .find(|e| e.give_away)
        .expect("a gift line");
    assert_eq!(gift.product_code, GIFT_PRODUCT);
    assert_eq!((gift.quantity, gift.total_price.value_cents), (1, 0));
    assert_eq!(with_gift.entries.len(), before.entries.len() + 1);
    assert_eq!(with_gift.total_price, before.total_price);
    let voucher = &with_gift.vouchers[0];
    assert_eq!(voucher.kind, VoucherKind::GiftProduct);
    assert_eq!(voucher.gift_product.as_deref(), Some(GIFT_PRODUCT));
    assert_eq!(voucher.discount.value_cents, 0);
    // Free shipping: no delivery cost.
    let free = cart(&apply(&app, &cookie, &before.code, FREE_SHIPPING).await);
    assert_eq!(free.delivery_cost.as_ref().map(|d| d.value_cents), Some(0));
    assert_eq!(
        free.total_price.value_cents,
        before.total_price.value_cents - STANDARD_DELIVERY_CENTS
    );
    assert!(free
        .vouchers
        .iter()
        .any(|v| v.kind == VoucherKind::FreeShipping && v.session_only));

    // Customer 360° Promotions tells the kinds apart.
    let res = app
        .post_json(
            &format!("/asm/customers/{LINDA_ID}/customer360?baseSite={SITE}"),
            Some(&cookie),
            &json!({"queries": [{"type": "promotions"}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut c360: Customer360Response = serde_json::from_value(res.json()).expect("c360");
    let Customer360Fragment::Data(C360FragmentData::Promotions(p)) = c360.fragments.remove(0)
    else {
        panic!("no promotions fragment");
    };
    let find = |code: &str| {
        p.cart_vouchers
            .iter()
            .find(|v| v.code == code)
            .unwrap_or_else(|| panic!("{code} in {:?}", p.cart_vouchers))
    };
    assert_eq!(find(GIFT).kind, VoucherKind::GiftProduct);
    assert_eq!(
        find(GIFT).gift_product_name.as_deref(),
        Some("Secure Digital Card 2GB")
    );
    assert!(find(GIFT).applied);
    assert!(find(CALL_ONLY).session_only && !find(CALL_ONLY).applied);
    assert!(!find("SAVE10").session_only);
    assert_eq!(find("SAVE10").kind, VoucherKind::Discount);

    // The order keeps the gift (at 0) beside the same product bought, and the free delivery.
    let bought = cart(
        &app.post_json(
            &format!("/asm/users/{LINDA_ID}/carts/{}/entries", before.code),
            Some(&cookie),
            &json!({"productCode": GIFT_PRODUCT, "quantity": 1}),
        )
        .await,
    );
    let lines_of_gift = |entries: &[asm_types::OrderLine]| {
        entries
            .iter()
            .filter(|e| e.product_code == GIFT_PRODUCT)
            .count()
    };
    assert_eq!(
        lines_of_gift(&bought.entries),
        2,
        "bought and given: two lines"
    );
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/orders"),
            Some(&cookie),
            &json!({"cartId": before.code}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let order: Order = serde_json::from_value(res.json()).expect("Order");
    let gift = order
        .entries
        .iter()
        .find(|e| e.give_away)
        .expect("the gift is ordered");
    assert_eq!(
        (gift.product_code.as_str(), gift.total_price.value_cents),
        (GIFT_PRODUCT, 0)
    );
    assert_eq!(order.delivery_cost.map(|d| d.value_cents), Some(0));
    assert_eq!(order.total_price, bought.total_price);
    assert_eq!(
        order
            .entries
            .iter()
            .filter(|e| e.product_code == GIFT_PRODUCT)
            .count(),
        2
    );
    let numbers: Vec<u32> = order.entries.iter().map(|e| e.entry_number).collect();
    assert_eq!(numbers, (0..order.entries.len() as u32).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_gift_voucher_takes_the_gift_away() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let before = linda_cart(&app, &cookie).await;
    cart(&apply(&app, &cookie, &before.code, GIFT).await);
    let res = app
        .delete(
            &format!(
                "/asm/users/{LINDA_ID}/carts/{}/vouchers/giftcard",
                before.code
            ),
            Some(&cookie),
        )
        .await;
    let after = cart(&res);
    assert!(after.entries.iter().all(|e| !e.give_away));
    assert_eq!(after.entries, before.entries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_only_voucher_leaves_the_cart_when_the_emulation_ends_by_hand_or_by_a_switch() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let session = app.emulate(&cookie, LINDA_ID).await;
    let c = linda_cart(&app, &cookie).await;
    let applied = cart(&apply(&app, &cookie, &c.code, CALL_ONLY).await);
    let v = applied
        .vouchers
        .iter()
        .find(|v| v.code == CALL_ONLY)
        .expect("applied");
    assert!(v.session_only);
    assert!(v.discount.value_cents > 0);
    cart(&apply(&app, &cookie, &c.code, "SAVE10").await);

    // End Session: the call is over, CALL10 goes, SAVE10 stays.
    let id = session["sessionId"].as_str().expect("sessionId");
    let res = app
        .delete(&format!("/asm/sessions/{id}"), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(!holds(&app, &c.code, CALL_ONLY));
    assert!(holds(&app, &c.code, "SAVE10"));
    let audit = app.audit_of("voucher-remove");
    let record = audit.last().expect("the removal is audited");
    assert_eq!(record.customer.as_deref(), Some(LINDA_ID));
    assert!(
        record
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(CALL_ONLY) && d.contains("emulation ended")),
        "{record:?}"
    );

    // A switch to another customer ends it too.
    app.emulate(&cookie, LINDA_ID).await;
    cart(&apply(&app, &cookie, &c.code, CALL_ONLY).await);
    assert!(holds(&app, &c.code, CALL_ONLY));
    app.emulate(&cookie, &another_customer(&app)).await;
    assert!(!holds(&app, &c.code, CALL_ONLY), "switched away: gone");

    // Applied again and the agent signs out: gone.
    app.emulate(&cookie, LINDA_ID).await;
    cart(&apply(&app, &cookie, &c.code, CALL_ONLY).await);
    let res = app
        .post_json("/asm/agents/logout", Some(&cookie), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(!holds(&app, &c.code, CALL_ONLY), "signed out: gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_only_voucher_of_a_timed_out_emulation_is_taken_out_by_the_sweep() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let c = linda_cart(&app, &cookie).await;
    cart(&apply(&app, &cookie, &c.code, CALL_ONLY).await);

    // A sweep while the call goes on leaves it.
    asm_middleware::sweep::sweep(&app.state).await;
    assert!(holds(&app, &c.code, CALL_ONLY));
    let priced = read_cart(&app, &cookie, &c.code).await;
    assert!(priced.vouchers.iter().any(|v| v.code == CALL_ONLY));

    // The agent's tab is gone; the session times out and the sweep ends it.
    app.advance_secs(700); // past the 600 s idle timeout
    asm_middleware::sweep::sweep(&app.state).await;
    let reason = app
        .store_text(
            "SELECT end_reason FROM emulations WHERE customer_id = ?1",
            &[LINDA_ID],
        )
        .expect("an emulation");
    assert_eq!(reason, "timeout");
    assert!(!holds(&app, &c.code, CALL_ONLY), "the sweep took it out");
    assert_eq!(app.audit_of("voucher-remove").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_alone_cannot_use_a_session_only_voucher() {
    let app = TestApp::new();
    let res = app.post_json("/store/carts", None, &json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let guest: Cart = serde_json::from_value(res.json()).expect("Cart");
    let path = format!("/store/carts/{}/entries", guest.code);
    let res = app
        .post_json(
            &path,
            None,
            &json!({"productCode": "300938", "quantity": 1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    let vouchers = format!("/store/carts/{}/vouchers", guest.code);
    let err = app
        .post_json(&vouchers, None, &json!({"voucherId": CALL_ONLY}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    assert!(
        err.message
            .contains("only during a call with customer support"),
        "{}",
        err.message
    );
    // An ordinary voucher works, and comes off again.
    let with = cart(
        &app.post_json(&vouchers, None, &json!({"voucherId": "save10"}))
            .await,
    );
    assert_eq!(with.vouchers[0].code, "SAVE10");
    assert!(with.total_discounts.value_cents > 0);
    let res = app
        .send(
            req(Method::DELETE, &format!("{vouchers}/SAVE10"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let without = cart(&res);
    assert!(without.vouchers.is_empty());
    // A customer's coupon is not a guest's.
    app.post_json(&vouchers, None, &json!({"voucherId": "VIP25"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VOUCHER_INVALID);
    assert!(!holds(&app, &guest.code, CALL_ONLY));
}
