//! §4.7 returns, §4.8 coupon notifications, §4.9 ticket events.

mod common;

use axum::http::{Method, StatusCode};
use common::*;

fn u(user: &str, rest: &str) -> String {
    format!("/occ/v2/{SITE}/users/{user}{rest}")
}

#[tokio::test]
async fn returns_create_201_list_detail_cancel_200_empty() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(&sim, Method::POST, &u(LINDA_ID, "/orderReturns?fields=BASIC"), &t, r#"{"orderCode":"00005001","returnRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let r = a.json();
    let code = r["code"].as_str().unwrap_or_default().to_string();
    assert!(code.starts_with("RMA-"));
    assert_eq!(r["returnEntries"][0]["expectedQuantity"], 1);
    assert_eq!(r["totalPrice"]["formattedValue"], "$114.12");
    assert_eq!(r["cancellable"], true);
    let a = get(&sim, &u(LINDA_ID, "/orderReturns?fields=BASIC"), &t).await;
    assert_eq!(a.json()["returnRequests"][0]["code"], code.as_str());
    assert_eq!(
        get(&sim, &u(LINDA_ID, &format!("/orderReturns/{code}")), &t)
            .await
            .status,
        StatusCode::OK
    );
    let a = send(
        &sim,
        Method::PATCH,
        &u(LINDA_ID, &format!("/orderReturns/{code}")),
        &t,
        r#"{"status":"CANCELLING"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    let a = get(&sim, &u(LINDA_ID, "/orderReturns/nope"), &t).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.error()["type"], "NotFoundError");
}

#[tokio::test]
async fn coupon_notification_on_201_off_200() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/customercoupons/FREESHIP/notification"),
        &t,
        "{}",
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.json()["coupon"]["couponId"], "FREESHIP");
    assert!(a.json()["status"].is_string());
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, "/customercoupons/FREESHIP/notification"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn ticket_events_customer_only() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let body = r#"{"message":"Any news?"}"#;
    assert_eq!(
        send(
            &sim,
            Method::POST,
            &u(LINDA_ID, "/tickets/00000001/events"),
            &t,
            body
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let ct = token(&sim, LINDA).await;
    let a = send(
        &sim,
        Method::POST,
        &u("current", "/tickets/00000001/events"),
        &ct,
        body,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.json()["message"], "Any news?");
    let a = send(
        &sim,
        Method::POST,
        &u("current", "/tickets/00000001/events"),
        &ct,
        r#"{"message":"x","toStatus":{"id":"OPEN"}}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "Unable to change ticket status to OPEN for the ticket 00000001"
    );
}
