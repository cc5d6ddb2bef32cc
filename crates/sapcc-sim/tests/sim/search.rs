//! §3.1 / §3.2 customer search, §3.3 autocomplete, §3.4 customer lists.

use crate::common;

use axum::http::{Method, StatusCode};
use common::*;
use sapcc_sim::{Config, Sim};
use serde_json::Value;

fn uids(a: &Answer) -> Vec<String> {
    a.json()["entries"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|e| e["uid"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn search(sim: &Sim, t: &str, q: &str) -> Answer {
    get(
        sim,
        &format!("/assistedservicewebservices/customers/search?baseSite={SITE}&{q}"),
        t,
    )
    .await
}

#[tokio::test]
async fn query_is_a_uid_prefix_match() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "query=dummyuser").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(uids(&a), ["dummyuser1", "dummyuser2", "dummyuser3"]);
}

#[tokio::test]
async fn sort_by_name_desc_with_page_size() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "query=dummyuser&sort=byNameDesc&pageSize=2").await;
    assert_eq!(uids(&a), ["dummyuser3", "dummyuser2"]);
    let p = &a.json()["pagination"];
    assert_eq!(p["pageSize"], 2);
    assert_eq!(p["sort"], "byNameDesc");
    assert_eq!(p["totalResults"], 3);
    assert_eq!(p["totalPages"], 2);
    assert_eq!(p["currentPage"], 0);
}

#[tokio::test]
async fn sort_by_uid_asc_page_two() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(
        &sim,
        &t,
        "query=dummyuser&sort=byUidAsc&pageSize=1&currentPage=2",
    )
    .await;
    assert_eq!(uids(&a), ["dummyuser3"]);
}

#[tokio::test]
async fn unknown_term_is_200_empty_and_blank_query_lists_everyone() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "query=zzzz-nobody").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["entries"], serde_json::json!([]));
    let a = search(&sim, &t, "query=").await;
    assert!(!uids(&a).is_empty());
    let a = search(&sim, &t, "").await;
    assert!(!uids(&a).is_empty());
    // Only customers, never employees.
    assert!(!uids(&a).iter().any(|u| u == "asagent" || u == "notasagent"));
}

#[tokio::test]
async fn names_match_too() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    assert_eq!(uids(&search(&sim, &t, "query=wolf").await), [LINDA]);
    assert_eq!(uids(&search(&sim, &t, "query=LIN").await), [LINDA]);
}

#[tokio::test]
async fn entries_have_the_user_shape_and_always_a_customer_id() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "query=linda").await;
    let e = &a.json()["entries"][0];
    assert_eq!(e["uid"], LINDA);
    assert_eq!(e["customerId"], LINDA_ID);
    assert_eq!(e["name"], "Linda Wolf");
    assert_eq!(e["firstName"], "Linda");
    assert_eq!(e["lastName"], "Wolf");
    assert_eq!(e["displayUid"], LINDA);
    assert_eq!(e["defaultAddress"]["phone"], "+1 212 555 0100");
    assert_eq!(e["lastCartId"], "00001001");
    assert_eq!(e["hasOrder"], true);
    assert_eq!(e["userAvatar"]["url"], "/medias/avatars/linda.jpg");
    // nulls omitted
    let a = search(&sim, &t, "query=gi.sun").await;
    let e = a.json()["entries"][0].clone();
    assert!(
        e.get("defaultAddress").is_none()
            && e.get("userAvatar").is_none()
            && e.get("lastCartId").is_none()
    );
    assert_eq!(e["hasOrder"], false);
    for entry in a.json()["entries"].as_array().into_iter().flatten() {
        assert!(entry["customerId"].is_string());
    }
    let sorts = a.json()["sorts"].as_array().cloned().unwrap_or_default();
    let codes: Vec<&str> = sorts.iter().filter_map(|s| s["code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "byUidAsc",
            "byUidDesc",
            "byNameAsc",
            "byNameDesc",
            "byOrderDateAsc",
            "byOrderDateDesc"
        ]
    );
    assert!(sorts.iter().all(|s| s["selected"].is_boolean()));
}

#[tokio::test]
async fn deactivated_customer_carries_its_deactivation_date() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "query=hans").await;
    let d = a.json()["entries"][0]["deactivationDate"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(d.ends_with("+0000") && d.len() == 24, "{d}");
}

#[tokio::test]
async fn customer_list_toggle_off_omits_the_enrichment() {
    let sim = Sim::new(Config {
        customer_list_enabled: false,
        ..Config::default()
    });
    let t = token(&sim, "asagent").await;
    let e = search(&sim, &t, "query=linda").await.json()["entries"][0].clone();
    assert!(
        e.get("hasOrder").is_none()
            && e.get("lastCartId").is_none()
            && e.get("userAvatar").is_none()
    );
    assert!(e["customerId"].is_string());
}

#[tokio::test]
async fn order_id_search_ignores_other_criteria() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(
        &sim,
        &t,
        "orderId=00005003&query=linda&customerListId=nonsense",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(uids(&a), ["william.hunter@pronto-hw.com"]);
    assert_eq!(a.json()["entries"][0]["hasOrder"], true);
}

#[tokio::test]
async fn unknown_order_id_is_400_wrong_order_id() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "orderId=wrong_order").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error()["message"]
        .as_str()
        .unwrap_or("")
        .contains("Wrong orderId"));
}

#[tokio::test]
async fn customer_list_search() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "customerListId=someID").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["errors"][0]["type"], "RequestParameterError");
    let a = search(&sim, &t, "customerListId=bopisCustomers").await;
    assert_eq!(a.status, StatusCode::OK);
    let mut u = uids(&a);
    u.sort();
    assert_eq!(u, [LINDA, "william.hunter@pronto-hw.com"]);
    let a = search(
        &sim,
        &t,
        "customerListId=bopisCustomers&pageSize=1&currentPage=0",
    )
    .await;
    assert_eq!(a.json()["pagination"]["pageSize"], 1);
    assert_eq!(a.json()["pagination"]["sort"], "byOrderDateDesc");
    // Linda's latest order is the newer one.
    assert_eq!(uids(&a), [LINDA]);
    let a = search(
        &sim,
        &t,
        "customerListId=bopisCustomers&sort=byOrderDateAsc",
    )
    .await;
    assert_eq!(a.json()["pagination"]["sort"], "byOrderDateAsc");
    assert_eq!(uids(&a)[0], "william.hunter@pronto-hw.com");
    // Filtered by query.
    let a = search(&sim, &t, "customerListId=bopisCustomers&query=will").await;
    assert_eq!(uids(&a), ["william.hunter@pronto-hw.com"]);
}

#[tokio::test]
async fn lists_are_per_agent() {
    let sim = sim();
    let agent = token(&sim, "asagent").await;
    let manager = token(&sim, "asmanager").await;
    assert_eq!(
        uids(
            &search(
                &sim,
                &agent,
                "customerListId=instoreCustomers&sort=byUidAsc"
            )
            .await
        ),
        ["gi.sun@pronto-hw.com", LINDA]
    );
    assert_eq!(
        uids(&search(&sim, &manager, "customerListId=instoreCustomers").await),
        ["aaron.customer@hybris.com"]
    );
}

#[tokio::test]
async fn paging_errors() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(&sim, &t, "pageSize=0").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "Request parameter pageSize must be greater than 0"
    );
    assert_eq!(a.error()["subject"], "pageSize");
    let a = search(&sim, &t, "currentPage=-1").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "Request parameter currentPage must be equal or greater than 0"
    );
    assert_eq!(a.error()["subject"], "currentPage");
    // The checks run first, also with orderId.
    let a = search(&sim, &t, "orderId=00005003&pageSize=0").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn base_site_is_required_and_checked() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(
        &sim,
        "/assistedservicewebservices/customers/search?query=x",
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "MissingServletRequestParameterError");
    let a = get(
        &sim,
        "/assistedservicewebservices/customers/search?baseSite=invalid_baseSite",
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "The requested BaseSite: invalid_baseSite doesn't exist"
    );
}

#[tokio::test]
async fn lang_and_curr_are_ignored_unless_strict() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    assert_eq!(
        search(&sim, &t, "query=linda&lang=xx&curr=YYY&fields=FULL")
            .await
            .status,
        StatusCode::OK
    );
    let strict = Sim::new(Config {
        strict_site_context: true,
        ..Config::default()
    });
    let t = token(&strict, "asagent").await;
    assert_eq!(
        search(&strict, &t, "lang=en&curr=USD").await.status,
        StatusCode::OK
    );
    let a = search(&strict, &t, "lang=xx").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.error()["type"], "UnsupportedLanguageError");
    let a = search(&strict, &t, "curr=YYY").await;
    assert_eq!(a.error()["type"], "UnsupportedCurrencyError");
}

#[tokio::test]
async fn non_agent_and_customer_tokens_are_403_access_is_denied() {
    let sim = sim();
    for who in ["notasagent", LINDA] {
        let t = token(&sim, who).await;
        for uri in [
            format!("/assistedservicewebservices/customers/search?baseSite={SITE}"),
            format!("/assistedservicewebservices/customerlists?baseSite={SITE}"),
        ] {
            let a = get(&sim, &uri, &t).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{who} {uri}");
            assert!(a.text().contains("Access is denied"));
        }
    }
}

#[tokio::test]
async fn post_search_uses_page_and_a_json_body() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let uri = format!("/assistedservicewebservices/customers/search?baseSite={SITE}&pageSize=1&page=2&sort=byUidAsc");
    let a = send(&sim, Method::POST, &uri, &t, r#"{"query":"dummyuser"}"#).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(uids(&a), ["dummyuser3"]);
    let a = send(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/customers/search?baseSite={SITE}&page=-1"),
        &t,
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "Request parameter page must be equal or greater than 0"
    );
    assert_eq!(a.error()["subject"], "page");
    let a = send(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/customers/search?baseSite={SITE}"),
        &t,
        r#"{"orderId":"00005003"}"#,
    )
    .await;
    assert_eq!(uids(&a), ["william.hunter@pronto-hw.com"]);
}

#[tokio::test]
async fn autocomplete_and_suggestions() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(
        &sim,
        &format!(
            "/assistedservicewebservices/customers/autocomplete?baseSite={SITE}&customerQuery=lin"
        ),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let s = a.json()[0].clone();
    assert_eq!(s["email"], LINDA);
    assert_eq!(s["fullName"], "Linda Wolf");
    assert_eq!(s["carts"], serde_json::json!(["00001001"]));
    assert!(s["date"].as_str().unwrap_or_default().ends_with("+0000"));
    let a = get(
        &sim,
        &format!(
            "/assistedservicewebservices/customers/autocomplete?baseSite={SITE}&customerQuery=li"
        ),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.error()["message"],
        "Customer query length must not be less than 3"
    );
    let a = send(
        &sim,
        Method::POST,
        &format!("/assistedservicewebservices/customers/suggestions/search?baseSite={SITE}"),
        &t,
        r#"{"customerQuery":"dummy"}"#,
    )
    .await;
    assert_eq!(a.json()["suggestions"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn customer_lists_shape() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = get(
        &sim,
        &format!("/assistedservicewebservices/customerlists?baseSite={SITE}"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    let groups: Vec<&str> = j["userGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["uid"].as_str())
        .collect();
    assert_eq!(
        groups,
        [
            "instoreCustomers",
            "bopisCustomers",
            "myRecentCustomerSessions"
        ]
    );
    assert_eq!(j["userGroups"][1]["name"], "Pick-Up In-Store Customers");
    assert_eq!(j["totalNumber"], 3);
    let a = get(
        &sim,
        &format!("/assistedservicewebservices/customerlists/bopisCustomers?baseSite={SITE}"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let j: Value = a.json();
    assert_eq!(j["uid"], "bopisCustomers");
    assert!(j["additionalColumnsKeys"].is_array());
    assert!(j["searchBoxEnabled"].is_boolean());
    let a = get(
        &sim,
        &format!("/assistedservicewebservices/customerlists/nope?baseSite={SITE}"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn loading_a_user_adds_it_to_my_recent_customer_sessions() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    assert_eq!(
        uids(&search(&sim, &t, "customerListId=myRecentCustomerSessions").await),
        Vec::<String>::new()
    );
    assert_eq!(
        get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA_ID}"), &t)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        uids(&search(&sim, &t, "customerListId=myRecentCustomerSessions").await),
        [LINDA]
    );
}

#[tokio::test]
async fn huge_paging_values_do_not_overflow() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = search(
        &sim,
        &t,
        "pageSize=9223372036854775807&currentPage=9223372036854775807",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["entries"], serde_json::json!([]));
    let a = get(
        &sim,
        &format!("/occ/v2/{SITE}/users/{LINDA}/orders?pageSize=9223372036854775807&currentPage=3"),
        &t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = search(&sim, &t, "pageSize=abc").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}
