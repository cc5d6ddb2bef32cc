//! §4.7 returns, §4.8 coupon notifications, §4.9 ticket events.

use crate::common;

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

#[tokio::test]
async fn reviews_201_and_the_user_id_header_only_for_customer_managers() {
    let sim = sim();
    let uri = format!("/occ/v2/{SITE}/products/278688/reviews");
    let body = "headline=Great&comment=Works&rating=5&alias=L";
    let t = token(&sim, "asagent").await;
    let auth = format!("Bearer {t}");
    let a = call(
        &sim,
        Method::POST,
        &uri,
        &[
            ("authorization", &auth),
            ("content-type", FORM),
            ("sap-commerce-cloud-user-id", LINDA_ID),
        ],
        body,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!(a.json()["principal"]["uid"], LINDA);
    assert_eq!(a.json()["rating"], 5.0);
    // A customer's token: the header is ignored, the review is the customer's own.
    let ct = token(&sim, "aaron.customer@hybris.com").await;
    let auth = format!("Bearer {ct}");
    let a = call(
        &sim,
        Method::POST,
        &uri,
        &[
            ("authorization", &auth),
            ("content-type", FORM),
            ("sap-commerce-cloud-user-id", LINDA_ID),
        ],
        body,
    )
    .await;
    assert_eq!(a.json()["principal"]["uid"], "aaron.customer@hybris.com");
    // JSON body, anonymous.
    let a = call(
        &sim,
        Method::POST,
        &uri,
        &[("content-type", "application/json")],
        r#"{"headline":"h","comment":"c","rating":3}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert!(a.json().get("principal").is_none());
    let a = call(
        &sim,
        Method::POST,
        &uri,
        &[("content-type", FORM)],
        "headline=&comment=c&rating=9",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["errors"].as_array().map(Vec::len), Some(2));
    let a = call(&sim, Method::GET, &format!("{uri}?maxCount=2"), &[], "").await;
    assert_eq!(a.json()["reviews"].as_array().map(Vec::len), Some(2));
    let a = call(
        &sim,
        Method::GET,
        &format!("/occ/v2/{SITE}/products/nope/reviews"),
        &[],
        "",
    )
    .await;
    assert_eq!(a.error()["type"], "UnknownIdentifierError");
    // The emulated customer's review shows in Customer 360.
    let a = send(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/{SITE}/users/{LINDA_ID}/customer360"),
        &t,
        r#"{"customer360Queries":[{"type":"c360ReviewList"}]}"#,
    )
    .await;
    assert_eq!(
        a.json()["value"][0]["reviews"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn huge_quantities_do_not_panic() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let uri = format!("/occ/v2/{SITE}/users/{LINDA_ID}/carts/00001001/entries");
    let body = r#"{"quantity":9223372036854775807,"product":{"code":"278688"}}"#;
    assert_eq!(
        send(&sim, Method::POST, &uri, &t, body).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&sim, Method::POST, &uri, &t, body).await.status,
        StatusCode::OK
    );
    let a = get(
        &sim,
        &format!("/occ/v2/{SITE}/users/{LINDA_ID}/carts/00001001"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = send(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/{SITE}/users/{LINDA_ID}/customer360"),
        &t,
        r#"{"customer360Queries":[{"type":"c360Cart"},{"type":"c360Overview"}]}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn cancellation_counts_what_is_left_and_refuses_shipped_or_too_many() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    // 00005002: CREATED, entries 0 (1 x 278688) and 1 (2 x 1934793).
    let cancel = |body: &'static str| {
        let (sim, t) = (&sim, &t);
        async move {
            send(
                sim,
                Method::POST,
                &u(LINDA_ID, "/orders/00005002/cancellation"),
                t,
                body,
            )
            .await
        }
    };
    let a =
        cancel(r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":1,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty(), "200 with an empty body");
    let o = get(&sim, &u(LINDA_ID, "/orders/00005002?fields=FULL"), &t)
        .await
        .json();
    assert_eq!(o["status"], "CREATED");
    assert_eq!(o["cancellable"], true);
    assert_eq!(o["entries"][1]["cancelledItemsQuantity"], 1);
    assert_eq!(o["entries"][1]["cancellableQuantity"], 1);
    assert_eq!(
        o["entries"][1]["quantity"], 2,
        "the entry keeps its quantity"
    );
    // More than is left, an unknown entry, no entries: 400 ValidationError.
    for body in [
        r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":1,"quantity":2}]}"#,
        r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":7,"quantity":1}]}"#,
        r#"{"cancellationRequestEntryInputs":[]}"#,
    ] {
        let a = cancel(body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(a.error()["type"], "ValidationError", "{body}");
    }
    // The rest: the order is cancelled, and cannot be cancelled again.
    let a = cancel(r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1},{"orderEntryNumber":1,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::OK);
    let o = get(&sim, &u(LINDA_ID, "/orders/00005002?fields=FULL"), &t)
        .await
        .json();
    assert_eq!(o["status"], "CANCELLED");
    assert_eq!(o["cancellable"], false);
    let a =
        cancel(r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "CancellationError");
    // A delivered order is not cancellable.
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/orders/00005001/cancellation"),
        &t,
        r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1}]}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "CancellationError");
}

#[tokio::test]
async fn returns_only_of_delivered_orders_within_what_is_left_and_cancellable_until_received() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let create = |body: &'static str| {
        let (sim, t) = (&sim, &t);
        async move { send(sim, Method::POST, &u(LINDA_ID, "/orderReturns"), t, body).await }
    };
    // Not delivered.
    let a = create(r#"{"orderCode":"00005002","returnRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "ReturnRequestError");
    // 00005001: COMPLETED, 1 x 300938. One return takes it all; a second is refused.
    let a = create(r#"{"orderCode":"00005001","returnRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::CREATED);
    let code = a.json()["code"].as_str().unwrap_or_default().to_string();
    assert_eq!(a.json()["status"], "APPROVAL_PENDING");
    let o = get(&sim, &u(LINDA_ID, "/orders/00005001?fields=FULL"), &t)
        .await
        .json();
    assert_eq!(o["entries"][0]["returnedItemsQuantity"], 1);
    assert_eq!(o["entries"][0]["returnableQuantity"], 0);
    assert_eq!(o["returnable"], false);
    let a = create(r#"{"orderCode":"00005001","returnRequestEntryInputs":[{"orderEntryNumber":0,"quantity":1}]}"#).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = create(r#"{"orderCode":"00005001","returnRequestEntryInputs":[]}"#).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "ValidationError");
    // Paged list.
    let a = get(
        &sim,
        &u(
            LINDA_ID,
            "/orderReturns?fields=BASIC&pageSize=5&currentPage=0&sort=byDate",
        ),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["pagination"]["totalResults"], 1);
    assert_eq!(a.json()["pagination"]["pageSize"], 5);
    // Received: no longer cancellable.
    if let Some(r) = sim.data().returns.iter_mut().find(|r| r.code == code) {
        r.status = "RECEIVED";
    }
    let a = send(
        &sim,
        Method::PATCH,
        &u(LINDA_ID, &format!("/orderReturns/{code}")),
        &t,
        r#"{"status":"CANCELLING"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "CancelReturnRequestError");
    let r = get(&sim, &u(LINDA_ID, &format!("/orderReturns/{code}")), &t)
        .await
        .json();
    assert_eq!(r["cancellable"], false);
    assert_eq!(r["status"], "RECEIVED");
}

#[tokio::test]
async fn consents_list_give_201_with_a_form_and_withdraw_200() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(&sim, &u(LINDA_ID, "/consenttemplates"), &t).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let list = a.json();
    let templates = list["consentTemplates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(templates.len(), 3);
    assert_eq!(templates[0]["id"], "MARKETING_NEWSLETTER");
    assert_eq!(templates[0]["version"], 0);
    assert!(templates[0].get("currentConsent").is_none(), "never given");
    let seeded = &templates[1]["currentConsent"];
    assert_eq!(templates[1]["id"], "STORE_USER_INFORMATION");
    assert!(seeded["consentGivenDate"]
        .as_str()
        .is_some_and(|d| d.ends_with("+0000")));
    assert!(seeded.get("consentWithdrawnDate").is_none());

    // SAP's form, 201 with the template; a second time the same consent.
    let give = u(LINDA_ID, "/consents");
    let body = "consentTemplateId=MARKETING_NEWSLETTER&consentTemplateVersion=0";
    let a = send_form(&sim, Method::POST, &give, &t, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let code = a.json()["currentConsent"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!code.is_empty());
    let a = send_form(&sim, Method::POST, &give, &t, body).await;
    assert_eq!(a.json()["currentConsent"]["code"], code.as_str());
    // Missing or unknown parameters.
    let a = send_form(&sim, Method::POST, &give, &t, "consentTemplateVersion=0").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "MissingServletRequestParameterError");
    let a = send_form(
        &sim,
        Method::POST,
        &give,
        &t,
        "consentTemplateId=MARKETING_NEWSLETTER&consentTemplateVersion=3",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "UnknownIdentifierError");

    // Withdrawn: 200, empty; the template keeps it with its withdrawn date.
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, &format!("/consents/{code}")),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.body.is_empty());
    let list = get(&sim, &u(LINDA_ID, "/consenttemplates"), &t)
        .await
        .json();
    let withdrawn = &list["consentTemplates"][0]["currentConsent"];
    assert_eq!(withdrawn["code"], code.as_str());
    assert!(withdrawn["consentWithdrawnDate"].is_string());
    // Another customer's code is unknown to this one.
    let william = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
    let a = send(
        &sim,
        Method::DELETE,
        &u(william, &format!("/consents/{code}")),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "UnknownIdentifierError");
}
