//! Saved carts as the emulated customer (`/users/{id}/carts/{cartId}/save`, `…/restoresavedcart`,
//! `DELETE …/carts/{cartId}`), on the demo shop and on SAP Commerce (its simulator): save the
//! current cart for later under a name (the emulation then has no cart), restore it (the cart
//! that was current, with items, is kept as a saved cart), delete; refusals for an empty cart,
//! a cart that is not saved, bad names, and a customer who is not emulated; every write audited.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{error_type, Cart, CartStatus, Carts};
use axum::http::StatusCode;
use common::*;
use sapcc_sim::Config as SimConfig;
use serde_json::json;

fn cart(res: Resp) -> Cart {
    assert!(res.status.is_success(), "{} {}", res.status, res.text());
    serde_json::from_value(res.json()).expect("Cart")
}

async fn carts(app: &TestApp, cookie: &str, user: &str) -> Carts {
    let res = app
        .get(&format!("/asm/users/{user}/carts"), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("Carts")
}

/// The emulation's cart as the server keeps it (what the storefront shops with).
async fn emulation_cart(app: &TestApp, cookie: &str) -> Option<String> {
    let me = app.get("/asm/agents/me", Some(cookie)).await.json();
    me["emulation"]["cartId"].as_str().map(str::to_owned)
}

/// A saved cart's life on one backend, as the agent does it for `user` with `product`.
async fn saved_cart_life(app: &TestApp, cookie: &str, user: &str, product: &str) {
    let base = format!("/asm/users/{user}/carts");
    // The current cart (created if needed) gets a product.
    let current = cart(app.post_json(&base, Some(cookie), &json!({})).await);
    let code = current.code.clone();
    cart(
        app.post_json(
            &format!("{base}/{code}/entries"),
            Some(cookie),
            &json!({"productCode": product, "quantity": 2}),
        )
        .await,
    );
    assert_eq!(emulation_cart(app, cookie).await.as_deref(), Some(&*code));

    // Bad names are refused before anything is written.
    let save = format!("{base}/{code}/save");
    let err = app
        .patch_json(&save, Some(cookie), &json!({"name": "x".repeat(256)}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("name"));
    let err = app
        .patch_json(&save, Some(cookie), &json!({"name": "two\nlines"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("name"));
    app.patch_json(&save, Some(cookie), &json!({"name": 5}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    // An array is no body, though every field is optional (schemathesis found it).
    let err = app
        .patch_json(&save, Some(cookie), &json!([]))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("body"));

    // Saved for later: named, no longer the emulation's cart.
    let saved = cart(
        app.patch_json(
            &save,
            Some(cookie),
            &json!({"name": "  Birthday presents ", "description": "For May"}),
        )
        .await,
    );
    assert_eq!(saved.status, CartStatus::Saved);
    let info = saved.saved.clone().expect("saved");
    assert_eq!(info.name, "Birthday presents");
    assert_eq!(info.description, "For May");
    assert!(!info.time.is_empty());
    assert_eq!(saved.total_items, current.total_items + 2);
    assert_eq!(emulation_cart(app, cookie).await, None);
    let audit = app.audit_of("cart-save");
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(&code) && d.contains("Birthday presents")),
        "{audit:?}"
    );
    let listed = carts(app, cookie, user).await;
    let row = listed
        .carts
        .iter()
        .find(|c| c.code == code)
        .expect("listed");
    assert_eq!(row.status, CartStatus::Saved);
    assert_eq!(
        row.saved.as_ref().map(|s| s.name.as_str()),
        Some("Birthday presents")
    );

    // Saved already: refused, as is restoring a cart that is not saved.
    app.patch_json(&save, Some(cookie), &json!({}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::SAVED_CART);

    // A new current cart with a product; restoring the saved one keeps it as a saved cart.
    let next = cart(app.post_json(&base, Some(cookie), &json!({})).await);
    assert_ne!(next.code, code);
    cart(
        app.post_json(
            &format!("{base}/{}/entries", next.code),
            Some(cookie),
            &json!({"productCode": product}),
        )
        .await,
    );
    app.patch_json(
        &format!("{base}/{}/restoresavedcart", next.code),
        Some(cookie),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, error_type::SAVED_CART);
    let restored = cart(
        app.patch_json(
            &format!("{base}/{code}/restoresavedcart"),
            Some(cookie),
            &json!({}),
        )
        .await,
    );
    assert_eq!(restored.status, CartStatus::Active);
    assert_eq!(restored.saved, None);
    assert_eq!(emulation_cart(app, cookie).await.as_deref(), Some(&*code));
    let listed = carts(app, cookie, user).await;
    let kept = listed
        .carts
        .iter()
        .find(|c| c.code == next.code)
        .expect("kept");
    assert_eq!(kept.status, CartStatus::Saved, "{listed:?}");
    // The restored cart is the current one: a cart asked for is that one.
    let again = cart(app.post_json(&base, Some(cookie), &json!({})).await);
    assert_eq!(again.code, code);
    let audit = app.audit_of("cart-restore");
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(&next.code)),
        "{audit:?}"
    );

    // Deleted: gone from the list, then not found; deleting the current cart leaves the
    // emulation without one.
    let res = app
        .delete(&format!("{base}/{}", next.code), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert!(carts(app, cookie, user)
        .await
        .carts
        .iter()
        .all(|c| c.code != next.code));
    app.delete(&format!("{base}/{}", next.code), Some(cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    let res = app.delete(&format!("{base}/{code}"), Some(cookie)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    assert_eq!(emulation_cart(app, cookie).await, None);
    assert_eq!(app.audit_of("cart-delete").len(), 2);

    // An empty cart cannot be saved (the refusal is audited as refused).
    let empty = cart(app.post_json(&base, Some(cookie), &json!({})).await);
    assert!(empty.entries.is_empty());
    let err = app
        .patch_json(
            &format!("{base}/{}/save", empty.code),
            Some(cookie),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::SAVED_CART);
    assert!(err.message.contains("empty"), "{}", err.message);
    assert_eq!(app.refused_audit_of("cart-save").len(), 2);
    app.patch_json(
        &format!("{base}/no-such-cart/save"),
        Some(cookie),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_saves_restores_and_deletes_carts_on_the_demo_shop() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    // Not emulating: refused, nothing written.
    app.patch_json(
        &format!("/asm/users/{LINDA_ID}/carts/00000001/save"),
        Some(&cookie),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.delete(
        &format!("/asm/users/{LINDA_ID}/carts/00000001"),
        Some(&cookie),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.emulate(&cookie, LINDA_ID).await;
    saved_cart_life(&app, &cookie, LINDA_ID, "3708646").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_saves_restores_and_deletes_carts_on_sap_commerce() {
    const LINDA: &str = "8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601";
    let sim = SimServer::start(SimConfig::default()).await;
    let app = TestApp::sap(&sim.url, |_| {});
    let cookie = app.login_as("asagent", "pw4all").await;
    app.emulate(&cookie, LINDA).await;
    saved_cart_life(&app, &cookie, LINDA, "280916").await;
}
