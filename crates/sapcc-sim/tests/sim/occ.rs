//! §4 OCC resources used while emulating, §1.2 user matching.

use crate::common;

use axum::http::{Method, StatusCode};
use common::*;
use sapcc_sim::{Config, Sim};
use serde_json::json;

fn u(user: &str, rest: &str) -> String {
    format!("/occ/v2/{SITE}/users/{user}{rest}")
}

#[tokio::test]
async fn user_resolves_by_uid_and_customer_id() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(&sim, &u(LINDA_ID, ""), &t).await;
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    assert_eq!(j["uid"], LINDA);
    assert_eq!(j["customerId"], LINDA_ID);
    assert_eq!(j["name"], "Linda Wolf");
    assert_eq!(j["displayUid"], LINDA);
    assert_eq!(j["currency"]["isocode"], "USD");
    assert_eq!(get(&sim, &u(LINDA, ""), &t).await.json(), j);
    assert_eq!(
        get(&sim, &u(&LINDA.to_uppercase(), ""), &t).await.status,
        StatusCode::OK
    );
    let a = get(&sim, &u("nobody@example.com", ""), &t).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "UnknownIdentifierError");
}

#[tokio::test]
async fn user_matching_roles() {
    let sim = sim();
    // A customer may use current and its own id, nobody else's.
    let t = token(&sim, LINDA).await;
    assert_eq!(get(&sim, &u("current", ""), &t).await.json()["uid"], LINDA);
    assert_eq!(get(&sim, &u(LINDA, ""), &t).await.status, StatusCode::OK);
    let a = get(&sim, &u("aaron.customer@hybris.com", ""), &t).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.error()["message"], "Access is denied");
    // An employee without customermanagergroup may not act on customers.
    let t = token(&sim, "notasagent").await;
    assert_eq!(
        get(&sim, &u(LINDA, ""), &t).await.status,
        StatusCode::FORBIDDEN
    );
    // No token at all → 401.
    assert_eq!(
        call(&sim, Method::GET, &u(LINDA, ""), &[], "").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn deactivated_customers_only_refused_when_switched_on() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(&sim, &u("hans.dampf@example.com", ""), &t).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json()["deactivationDate"].is_string());
    let sim = Sim::new(Config {
        reject_deactivated_customers: true,
        ..Config::default()
    });
    let t = token(&sim, "asagent").await;
    assert_eq!(
        get(&sim, &u("hans.dampf@example.com", ""), &t).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn unknown_site_path_and_method() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(&sim, &format!("/occ/v2/nope/users/{LINDA}"), &t).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "InvalidResourceError");
    let a = get(&sim, "/occ/v2/electronics-spa/nothing/here", &t).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.error()["type"], "UnknownResourceError");
    let a = send(&sim, Method::PUT, &u(LINDA, "/orders"), &t, "{}").await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(a.json()["errors"].is_array());
}

#[tokio::test]
async fn profile_update_is_200_empty() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::PATCH,
        &u(LINDA_ID, ""),
        &t,
        r#"{"firstName":"Lin"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    assert_eq!(
        get(&sim, &u(LINDA, ""), &t).await.json()["name"],
        "Lin Wolf"
    );
}

#[tokio::test]
async fn carts_list_shape_money_and_current_first() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let fields = "fields=carts(DEFAULT,potentialProductPromotions,appliedProductPromotions,potentialOrderPromotions,appliedOrderPromotions,entries(totalPrice(formattedValue),product(images(FULL),stock(FULL)),basePrice(formattedValue,value),updateable),totalPrice(formattedValue),totalItems,totalPriceWithTax(formattedValue),totalDiscounts(value,formattedValue),subTotal(formattedValue),totalUnitCount,deliveryItemsQuantity,deliveryCost(formattedValue),totalTax(formattedValue,%20value),pickupItemsQuantity,net,appliedVouchers,productDiscounts(formattedValue),user,saveTime,name,description)&lang=en&curr=USD";
    let a = get(&sim, &u(LINDA_ID, &format!("/carts?{fields}")), &t).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let carts = a.json()["carts"].as_array().cloned().unwrap_or_default();
    assert_eq!(carts.len(), 2);
    let c = &carts[0];
    assert!(c.get("saveTime").is_none());
    assert_eq!(c["code"], "00001001");
    assert_eq!(
        c["totalPrice"],
        json!({"currencyIso":"USD","value":199.7,"formattedValue":"$199.70","priceType":"BUY"})
    );
    assert_eq!(c["entries"][0]["basePrice"]["formattedValue"], "$99.85");
    assert_eq!(c["entries"][0]["entryNumber"], 0);
    assert_eq!(c["totalItems"], 1);
    assert_eq!(c["totalUnitCount"], 2);
    assert_eq!(c["user"], json!({"uid": LINDA, "name": "Linda Wolf"}));
    for list in [
        "appliedVouchers",
        "appliedOrderPromotions",
        "potentialOrderPromotions",
        "appliedProductPromotions",
        "potentialProductPromotions",
    ] {
        assert_eq!(c[list], json!([]), "{list}");
    }
    assert!(c.get("name").is_none());
    assert!(carts[1]["saveTime"]
        .as_str()
        .unwrap_or_default()
        .ends_with("+0000"));
    let a = get(&sim, &u(LINDA_ID, "/carts?savedCartsOnly=true"), &t).await;
    assert_eq!(a.json()["carts"].as_array().map(Vec::len), Some(1));
    // An empty cart still has entries: [].
    let a = get(&sim, &u("aaron.customer@hybris.com", "/carts/00001003"), &t).await;
    assert_eq!(a.json()["entries"], json!([]));
    assert_eq!(a.json()["totalPrice"]["formattedValue"], "$0.00");
}

#[tokio::test]
async fn unknown_cart_is_400_cart_error_not_found() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(&sim, &u(LINDA, "/carts/99999999"), &t).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "CartError");
    assert_eq!(a.error()["reason"], "notFound");
    // Another customer's cart is not found either.
    let a = get(&sim, &u("aaron.customer@hybris.com", "/carts/00001001"), &t).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn create_delete_and_entries() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/carts?fields=DEFAULT"),
        &t,
        "{}",
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let code = a.json()["code"].as_str().unwrap_or_default().to_string();
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, &format!("/carts/{code}/entries")),
        &t,
        r#"{"quantity":1,"product":{"code":"278688"}}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let m = a.json();
    assert_eq!(m["statusCode"], "success");
    assert_eq!(m["quantityAdded"], 1);
    assert_eq!(m["entry"]["product"]["code"], "278688");
    send(
        &sim,
        Method::POST,
        &u(LINDA_ID, &format!("/carts/{code}/entries")),
        &t,
        r#"{"quantity":1,"product":{"code":"280916"}}"#,
    )
    .await;
    let a = send(
        &sim,
        Method::PATCH,
        &u(LINDA_ID, &format!("/carts/{code}/entries/0")),
        &t,
        r#"{"quantity":3}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["quantity"], 3);
    let a = send(
        &sim,
        Method::PATCH,
        &u(LINDA_ID, &format!("/carts/{code}/entries/0")),
        &t,
        r#"{"quantity":0}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = send(
        &sim,
        Method::PUT,
        &u(LINDA_ID, &format!("/carts/{code}/entries/1")),
        &t,
        r#"{"quantity":2}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, &format!("/carts/{code}/entries/0")),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    // Renumbered after the delete.
    let c = get(&sim, &u(LINDA_ID, &format!("/carts/{code}")), &t)
        .await
        .json();
    assert_eq!(c["entries"][0]["entryNumber"], 0);
    assert_eq!(c["entries"][0]["product"]["code"], "280916");
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, &format!("/carts/{code}/entries/5")),
        &t,
        "",
    )
    .await;
    assert_eq!(a.error()["type"], "CartEntryError");
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, &format!("/carts/{code}/entries")),
        &t,
        r#"{"quantity":1,"product":{"code":"nope"}}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "UnknownIdentifierError");
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, &format!("/carts/{code}")),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    assert_eq!(
        get(&sim, &u(LINDA_ID, &format!("/carts/{code}")), &t)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn anonymous_carts_by_guid_without_token() {
    let sim = sim();
    let a = call(
        &sim,
        Method::POST,
        &u("anonymous", "/carts"),
        &[("content-type", "application/json")],
        "{}",
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let j = a.json();
    assert_eq!(j["user"]["uid"], "anonymous");
    let (code, guid) = (
        j["code"].as_str().unwrap_or_default().to_string(),
        j["guid"].as_str().unwrap_or_default().to_string(),
    );
    let a = call(
        &sim,
        Method::POST,
        &u("anonymous", &format!("/carts/{guid}/entries")),
        &[("content-type", "application/json")],
        r#"{"quantity":2,"product":{"code":"1934793"}}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    // The shopper reads "Cart #<code>"; the agent binds it by that code.
    let t = token(&sim, "asagent").await;
    let a = send_form(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/bind-cart?baseSite={SITE}"),
        &t,
        &format!("cartId={code}&customerId={LINDA}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let c = get(&sim, &u(LINDA_ID, "/carts/current"), &t).await.json();
    assert_eq!(c["code"], code.as_str());
    assert_eq!(c["entries"][0]["quantity"], 2);
}

#[tokio::test]
async fn vouchers_apply_200_empty_remove_204() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/carts/00001001/vouchers?voucherId=SUMMER10"),
        &t,
        "{}",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    let c = get(&sim, &u(LINDA_ID, "/carts/00001001"), &t).await.json();
    assert_eq!(c["appliedVouchers"][0]["code"], "SUMMER10");
    assert_eq!(c["totalPrice"]["formattedValue"], "$189.70");
    assert_eq!(c["totalDiscounts"]["formattedValue"], "$10.00");
    let a = get(&sim, &u(LINDA_ID, "/carts/00001001/vouchers"), &t).await;
    assert_eq!(a.json()["vouchers"][0]["voucherCode"], "SUMMER10");
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/carts/00001001/vouchers?voucherId=SUMMER10"),
        &t,
        "{}",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "VoucherOperationError");
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/carts/00001001/vouchers?voucherId=NOPE"),
        &t,
        "{}",
    )
    .await;
    assert_eq!(a.error()["type"], "VoucherOperationError");
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, "/carts/00001001/vouchers/SUMMER10"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.body.is_empty());
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, "/carts/00001001/vouchers/SUMMER10"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn order_history_detail_place_cancel() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(&sim, &u(LINDA_ID, "/orders?pageSize=5"), &t).await;
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    assert_eq!(j["orders"][0]["code"], "00005002");
    assert_eq!(j["orders"][0]["total"]["formattedValue"], "$139.83");
    assert!(j["orders"][0]["placed"]
        .as_str()
        .unwrap_or_default()
        .ends_with("+0000"));
    assert_eq!(j["pagination"]["pageSize"], 5);
    assert_eq!(j["pagination"]["totalResults"], 2);
    let a = get(
        &sim,
        &u(LINDA_ID, "/orders?pageSize=5&currentPage=1&sort=byDate"),
        &t,
    )
    .await;
    assert_eq!(a.json()["orders"], json!([]));
    let a = get(&sim, &u(LINDA_ID, "/orders/00005001?fields=FULL"), &t).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["entries"][0]["product"]["code"], "300938");
    assert_eq!(
        get(&sim, &u(LINDA_ID, "/orders/00005003"), &t).await.status,
        StatusCode::BAD_REQUEST
    );
    // Place: cartId as query param; a JSON body instead → 400 MissingServletRequestParameterError.
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/orders?fields=FULL"),
        &t,
        r#"{"cartId":"00001001"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "MissingServletRequestParameterError");
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/orders?fields=FULL&cartId=00001001"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let code = a.json()["code"].as_str().unwrap_or_default().to_string();
    assert_eq!(a.json()["status"], "CREATED");
    assert_eq!(a.json()["totalPrice"]["formattedValue"], "$199.70");
    assert_eq!(
        get(&sim, &u(LINDA_ID, "/carts/00001001"), &t).await.status,
        StatusCode::BAD_REQUEST
    );
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, &format!("/orders/{code}/cancellation")),
        &t,
        r#"{"cancellationRequestEntryInputs":[{"orderEntryNumber":0,"quantity":2}]}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    assert_eq!(
        get(&sim, &u(LINDA_ID, &format!("/orders/{code}")), &t)
            .await
            .json()["status"],
        "CANCELLED"
    );
}

#[tokio::test]
async fn customer_coupons_list_claim_disclaim() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(
        &sim,
        &u(LINDA_ID, "/customercoupons?sort=startDate:asc"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    assert_eq!(j["coupons"][0]["couponId"], "FREESHIP");
    assert_eq!(j["coupons"][0]["status"], "Effective");
    assert_eq!(
        j["pagination"],
        json!({"count": 10, "page": 0, "totalCount": 1, "totalPages": 1})
    );
    assert_eq!(j["sorts"][0]["code"], "startDate");
    // Spartacus posts {"headers":{}} as the body: ignored.
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/customercoupons/BUYMORE1000/claim"),
        &t,
        r#"{"headers":{}}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.json()["coupon"]["couponId"], "BUYMORE1000");
    assert_eq!(a.json()["customer"]["uid"], LINDA);
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/customercoupons/BUYMORE1000/claim"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "ValidationError");
    assert_eq!(
        get(&sim, &u(LINDA_ID, "/customercoupons"), &t).await.json()["pagination"]["totalCount"],
        2
    );
    let a = send(
        &sim,
        Method::DELETE,
        &u(LINDA_ID, "/customercoupons/BUYMORE1000/claim"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    let a = send(
        &sim,
        Method::POST,
        &u(LINDA_ID, "/customercoupons/NOPE/claim"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tickets_read_by_agent_create_customer_only() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(
        &sim,
        &u(LINDA_ID, "/tickets?pageSize=5&currentPage=0&sort=byDate"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["tickets"][0]["id"], "00000001");
    assert_eq!(a.json()["tickets"][0]["status"]["id"], "OPEN");
    let a = get(&sim, &u(LINDA_ID, "/tickets/00000002"), &t).await;
    assert_eq!(a.json()["ticketCategory"]["name"], "Enquiry");
    let a = get(&sim, &u(LINDA_ID, "/tickets/nope"), &t).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.error()["message"],
        "Ticket not found for the given ID nope"
    );
    let body = r#"{"subject":"Entering a subject","message":"m","ticketCategory":{"id":"COMPLAINT","name":"Complaint"}}"#;
    assert_eq!(
        send(&sim, Method::POST, &u(LINDA_ID, "/tickets"), &t, body)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let ct = token(&sim, LINDA).await;
    assert_eq!(
        send(&sim, Method::POST, &u("current", "/tickets"), &ct, body)
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn faults_html_garbage_latency_and_empty_token_401() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let uri = u(LINDA, "");
    let set = |mode: &str, ms: u64| format!(r#"{{"mode":"{mode}","latencyMs":{ms}}}"#);
    assert_eq!(
        call(
            &sim,
            Method::POST,
            "/_sim/faults",
            &[("content-type", "application/json")],
            &set("html", 0)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let a = get(&sim, &uri, &t).await;
    assert_eq!(a.status, StatusCode::BAD_GATEWAY);
    assert!(a
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    call(&sim, Method::POST, "/_sim/faults", &[], &set("garbage", 0)).await;
    let a = get(&sim, &uri, &t).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(serde_json::from_slice::<serde_json::Value>(&a.body).is_err());
    call(
        &sim,
        Method::POST,
        "/_sim/faults",
        &[],
        &set("emptyTokenError", 0),
    )
    .await;
    let a = password_grant(&sim, "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.is_empty());
    assert_eq!(get(&sim, &uri, &t).await.status, StatusCode::OK);
    call(&sim, Method::POST, "/_sim/faults", &[], &set("none", 300)).await;
    let started = std::time::Instant::now();
    assert_eq!(get(&sim, &uri, &t).await.status, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    let a = call(
        &sim,
        Method::POST,
        "/_sim/faults",
        &[],
        r#"{"mode":"bogus"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}
