//! §3.7 Customer 360.

use crate::common;

use axum::http::{Method, StatusCode};
use common::*;
use sapcc_sim::{Config, Sim};
use serde_json::{json, Value};

async fn c360(sim: &Sim, t: &str, user: &str, body: Value) -> Answer {
    send(
        sim,
        Method::POST,
        &format!("/assistedservicewebservices/{SITE}/users/{user}/customer360"),
        t,
        &body.to_string(),
    )
    .await
}

fn q(types: &[&str]) -> Value {
    json!({ "customer360Queries": types.iter().map(|t| json!({ "type": t })).collect::<Vec<_>>() })
}

#[tokio::test]
async fn one_fragment_per_query_in_request_order() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let order = [
        "c360TicketList",
        "c360Overview",
        "c360ReviewList",
        "c360Cart",
        "c360StoreLocation",
    ];
    let a = c360(&sim, &t, LINDA, q(&order)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let types: Vec<String> = a.json()["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["type"].as_str().map(str::to_string))
        .collect();
    assert_eq!(types, order);
}

#[tokio::test]
async fn user_id_resolves_by_uid_and_customer_id() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let by_uid = c360(&sim, &t, LINDA, q(&["c360Overview"])).await.json();
    let by_id = c360(&sim, &t, LINDA_ID, q(&["c360Overview"])).await.json();
    assert_eq!(by_uid, by_id);
    assert_eq!(by_uid["value"][0]["overview"]["email"], LINDA);
}

#[tokio::test]
async fn overview_has_string_money_and_sap_dates() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let o =
        c360(&sim, &t, LINDA, q(&["c360Overview"])).await.json()["value"][0]["overview"].clone();
    assert_eq!(o["name"], "Linda Wolf");
    assert_eq!(o["cartCode"], "00001001");
    assert_eq!(o["cartSize"], 1);
    assert_eq!(o["latestOrderCode"], "00005002");
    // 99.85 + 2 × 19.99
    assert_eq!(o["latestOrderTotal"], "$139.83");
    assert_eq!(o["latestOpenedTicketId"], "00000001");
    for k in [
        "latestOrderTime",
        "latestOpenedTicketCreatedAt",
        "signedUpAt",
    ] {
        let d = o[k].as_str().unwrap_or_default();
        assert!(
            d.len() == 24 && d.ends_with("+0000") && d.as_bytes()[10] == b'T',
            "{k}: {d}"
        );
    }
    assert_eq!(o["address"]["town"], "New York");
    assert_eq!(o["userAvatar"]["format"], "mobile");
}

#[tokio::test]
async fn cart_and_saved_cart_fragments() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let v = c360(
        &sim,
        &t,
        LINDA,
        q(&[
            "c360Cart",
            "c360SavedCart",
            "c360CustomerProductInterestList",
        ]),
    )
    .await
    .json()["value"]
        .clone();
    assert_eq!(
        v[0]["cart"],
        json!({"code":"00001001","totalPrice":"$199.70","totalItemCount":2,"entries":[{"productCode":"278688","quantity":2,"basePrice":"$99.85","totalPrice":"$199.70"}]})
    );
    assert_eq!(v[1]["savedCart"]["code"], "00001002");
    assert_eq!(v[1]["savedCart"]["entries"][0]["productCode"], "280916");
    assert_eq!(
        v[2]["customerProductInterests"],
        json!([{"product":{"code":"278688","name":"PowerShot A480"}}])
    );
    // Someone without carts or interests: savedCart absent, lists empty but present.
    let v = c360(
        &sim,
        &t,
        "gi.sun@pronto-hw.com",
        q(&[
            "c360Cart",
            "c360SavedCart",
            "c360CustomerProductInterestList",
            "c360PromotionList",
        ]),
    )
    .await
    .json()["value"]
        .clone();
    assert_eq!(v[0], json!({"type":"c360Cart"}));
    assert_eq!(v[1], json!({"type":"c360SavedCart"}));
    assert_eq!(
        v[2],
        json!({"type":"c360CustomerProductInterestList","customerProductInterests":[]})
    );
    assert_eq!(v[3], json!({"type":"c360PromotionList","promotions":[]}));
}

#[tokio::test]
async fn profile_activity_feedback_store() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let body = json!({"customer360Queries":[
        {"type":"c360CustomerProfile"},
        {"type":"c360ActivityList","additionalRequestParameters":{"listSize":10}},
        {"type":"c360TicketList","additionalRequestParameters":{"listSize":"10"}},
        {"type":"c360ReviewList","additionalRequestParameters":{"listSize":10}},
        {"type":"c360StoreLocation"}]});
    let v = c360(&sim, &t, LINDA, body).await.json()["value"].clone();
    let p = &v[0]["profile"];
    assert_eq!(p["deliveryAddress"]["line1"], "10 Rockefeller Plaza");
    assert_eq!(p["phone1"], "+1 212 555 0100");
    assert_eq!(p["paymentDetails"][0]["expiryYear"], "2030");
    assert_eq!(p["paymentDetails"][0]["cardType"]["code"], "visa");
    assert_eq!(p["paymentDetails"][0]["defaultPayment"], true);
    let acts = v[1]["activities"].as_array().cloned().unwrap_or_default();
    let codes: Vec<&str> = acts
        .iter()
        .filter_map(|a| a["type"]["code"].as_str())
        .collect();
    for c in ["CART", "SAVED CART", "ORDER", "TICKET"] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    assert!(acts
        .iter()
        .all(|a| a["associatedTypeId"].is_string() && a["createdAt"].is_string()));
    assert_eq!(
        v[2]["tickets"][0]["category"],
        json!({"code":"COMPLAINT","name":"Complaint"})
    );
    assert_eq!(v[3]["reviews"][0]["rating"], "4.0");
    assert_eq!(v[3]["reviews"][0]["productCode"], "300938");
    assert_eq!(v[4]["address"], "New York United States of America 10019");
}

#[tokio::test]
async fn list_size_limits_the_list() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let body = json!({"customer360Queries":[{"type":"c360ActivityList","additionalRequestParameters":{"listSize":"2"}}]});
    let v = c360(&sim, &t, LINDA, body).await.json();
    assert_eq!(
        v["value"][0]["activities"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn coupons_and_customer_coupons() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let body = json!({"customer360Queries":[
        {"type":"c360CouponList"},
        {"type":"c360CustomerCouponList","additionalRequestParameters":{"assignable":true}},
        {"type":"c360CustomerCouponList","additionalRequestParameters":{"assignable":"false"}},
        {"type":"c360CustomerCouponList","additionalRequestParameters":{"assignable":"true","searchQuery":"A1220"}},
        {"type":"c360CustomerCouponList","additionalRequestParameters":{"assignable":true,"searchQuery":"Buy over $1000 get 20% off on cart"}}]});
    let v = c360(&sim, &t, LINDA, body).await.json()["value"].clone();
    assert_eq!(
        v[0]["coupons"][0],
        json!({"code":"SUMMER10","name":"Summer sale","applied":false})
    );
    let codes = |f: &Value| -> Vec<String> {
        f["customerCoupons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["code"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(codes(&v[1]), ["BUYMORE1000", "CAMERA15"]);
    assert_eq!(codes(&v[2]), ["FREESHIP"]);
    assert_eq!(codes(&v[3]), ["CAMERA15"]);
    assert_eq!(codes(&v[4]), ["BUYMORE1000"]);
    // Applying a voucher shows as applied.
    let a = send(
        &sim,
        Method::POST,
        &format!("/occ/v2/{SITE}/users/{LINDA_ID}/carts/00001001/vouchers?voucherId=SUMMER10"),
        &t,
        "{}",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let v = c360(&sim, &t, LINDA, q(&["c360CouponList"])).await.json()["value"].clone();
    assert_eq!(v[0]["coupons"][0]["applied"], true);
}

#[tokio::test]
async fn validation_errors() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = c360(&sim, &t, LINDA, json!({"customer360Queries":[{"type":""}]})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "ValidationError");
    assert_eq!(a.error()["reason"], "missing");
    let a = c360(
        &sim,
        &t,
        LINDA,
        json!({"customer360Queries":[{"type":"c360Nonsense"}]}),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["message"], "Invalid field: type");
    for bad in [json!("0"), json!(1000), json!("ten")] {
        let a = c360(&sim, &t, LINDA, json!({"customer360Queries":[{"type":"c360ReviewList","additionalRequestParameters":{"listSize":bad}}]})).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            a.error()["message"],
            "The field listSize should be an integer in a range from 1 to 999."
        );
    }
    // listSize is not checked for other types.
    let a = c360(&sim, &t, LINDA, json!({"customer360Queries":[{"type":"c360Overview","additionalRequestParameters":{"listSize":"0"}}]})).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn preview_types_refused_when_toggle_is_off() {
    let sim = Sim::new(Config {
        customer360_enabled: false,
        ..Config::default()
    });
    let t = token(&sim, "asagent").await;
    assert_eq!(
        c360(&sim, &t, LINDA, q(&["c360StoreLocation", "c360ReviewList"]))
            .await
            .status,
        StatusCode::OK
    );
    let a = c360(&sim, &t, LINDA, q(&["c360Overview"])).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["message"], "Invalid field: type");
}

#[tokio::test]
async fn status_codes_for_tokens_users_and_sites() {
    let sim = sim();
    let t = token(&sim, LINDA).await;
    assert_eq!(
        c360(&sim, &t, LINDA, q(&["c360Overview"])).await.status,
        StatusCode::FORBIDDEN
    );
    let t = token(&sim, "notasagent").await;
    assert_eq!(
        c360(&sim, &t, LINDA, q(&["c360Overview"])).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c360(&sim, "nope", LINDA, q(&["c360Overview"])).await.status,
        StatusCode::UNAUTHORIZED
    );
    let t = token(&sim, "asagent").await;
    let a = c360(&sim, &t, "nonExistingUser", q(&["c360Overview"])).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = send(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/nope/users/{LINDA}/customer360"),
        &t,
        &q(&["c360Overview"]).to_string(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // An empty query list is answered with an empty value list.
    let a = c360(&sim, &t, LINDA, json!({"customer360Queries":[]})).await;
    assert_eq!(a.json(), json!({"value": []}));
}
