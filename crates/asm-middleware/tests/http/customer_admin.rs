//! `POST /customers` (create a customer) and `GET /customers/autocomplete`.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{
    error_type, AutocompleteEntry, Customer360Data, CustomerSearchEntry, CustomerSearchPage,
    ErrorList,
};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use serde_json::{json, Value};

const CREATE: &str = "/asm/customers?baseSite=electronics";

fn ada() -> Value {
    json!({"firstName": "Ada", "lastName": "Lovelace", "emailAddress": "Ada.Lovelace@Example.com"})
}

/// Asserts a 400 with one `ValidationError` per subject, in order; returns the errors.
fn assert_field_errors(res: &Resp, subjects: &[&str]) -> ErrorList {
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    let list: ErrorList = serde_json::from_value(res.json()).expect("ErrorList");
    let got: Vec<_> = list
        .errors
        .iter()
        .map(|e| e.subject.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(got, subjects, "{}", res.text());
    for e in &list.errors {
        assert_eq!(e.kind, error_type::VALIDATION);
        assert!(!e.message.trim().is_empty());
    }
    list
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_customer_is_found_read_and_emulated() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app.post_json(CREATE, Some(&cookie), &ada()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let created: CustomerSearchEntry = serde_json::from_value(res.json()).expect("entry");
    assert_eq!(created.uid, "ada.lovelace@example.com");
    assert_eq!(created.name, "Ada Lovelace");
    assert!(
        created.customer_id.starts_with("C-"),
        "{}",
        created.customer_id
    );
    assert!(!created.has_order);
    assert_eq!(created.emulation_blocked, None);
    assert!(res.header(asm_types::EXPIRES_HEADER).is_some());

    // Found by search at once: by name, by e-mail, by id.
    for q in [
        "lovelace",
        "ada.lovelace@",
        &created.customer_id.to_lowercase(),
    ] {
        let page: CustomerSearchPage = serde_json::from_value(
            app.get(
                &format!("/asm/customers/search?query={q}&baseSite={SITE}"),
                Some(&cookie),
            )
            .await
            .json(),
        )
        .expect("page");
        assert_eq!(page.entries, vec![created.clone()], "{q}");
    }
    // The 360 summary.
    let res = app
        .get(
            &format!("/asm/customers/{}?baseSite={SITE}", created.customer_id),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let data: Customer360Data = serde_json::from_value(res.json()).expect("360");
    assert_eq!(data.overview.name, "Ada Lovelace");
    assert_eq!(data.overview.email, "ada.lovelace@example.com");
    assert!(data.recent_orders.is_empty() && data.active_carts.is_empty());
    // Emulatable.
    let session = app.emulate(&cookie, &created.customer_id).await;
    assert_eq!(session["customerEmail"], "ada.lovelace@example.com");
    // Autocomplete finds the new customer too.
    let found: Vec<AutocompleteEntry> = serde_json::from_value(
        app.get(
            &format!("/asm/customers/autocomplete?customerQuery=lovelace&baseSite={SITE}"),
            Some(&cookie),
        )
        .await
        .json(),
    )
    .expect("entries");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].customer_id, created.customer_id);
    assert!(found[0].carts.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_creation_is_audited() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.advance_secs(5);
    let res = app.post_json(CREATE, Some(&cookie), &ada()).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let id = res.json()["customerId"].as_str().unwrap().to_owned();
    let rows = app.audit_of("customer-created");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].agent.as_deref(), Some(AGENT.login));
    assert_eq!(rows[0].customer.as_deref(), Some(id.as_str()));
    assert_eq!(rows[0].at, app.now());
    let signed_up: i64 = app.scalar(
        "SELECT signed_up FROM customers WHERE customer_id = ?1",
        [&id],
    );
    assert_eq!(signed_up, app.now());
    // A refused creation writes nothing.
    let res = app.post_json(CREATE, Some(&cookie), &ada()).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(app.audit_of("customer-created").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_field_is_validated_and_every_bad_field_is_reported() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let c = Some(cookie.as_str());
    let long = "x".repeat(101);
    let cases: &[(Value, &[&str])] = &[
        (
            json!({"lastName": "L", "emailAddress": "a@b.co"}),
            &["firstName"],
        ),
        (
            json!({"firstName": "  ", "lastName": "L", "emailAddress": "a@b.co"}),
            &["firstName"],
        ),
        (
            json!({"firstName": long, "lastName": "L", "emailAddress": "a@b.co"}),
            &["firstName"],
        ),
        (
            json!({"firstName": "F", "emailAddress": "a@b.co"}),
            &["lastName"],
        ),
        (
            json!({"firstName": "F", "lastName": long, "emailAddress": "a@b.co"}),
            &["lastName"],
        ),
        (
            json!({"firstName": "F", "lastName": "L"}),
            &["emailAddress"],
        ),
        (
            json!({"firstName": "F", "lastName": "L", "emailAddress": " "}),
            &["emailAddress"],
        ),
        (
            json!({"firstName": "F", "lastName": "L", "emailAddress": format!("{long}@b.co")}),
            &["emailAddress"],
        ),
        (json!({}), &["firstName", "lastName", "emailAddress"]),
        (
            json!({"firstName": "", "lastName": long, "emailAddress": "nope"}),
            &["firstName", "lastName", "emailAddress"],
        ),
        (
            json!({"firstName": "F", "lastName": "", "emailAddress": "a@b"}),
            &["lastName", "emailAddress"],
        ),
    ];
    for (body, subjects) in cases {
        let res = app.post_json(CREATE, c, body).await;
        assert_field_errors(&res, subjects);
    }
    // The limit counts the value as sent (the documented maxLength), spaces included.
    let res = app
        .post_json(
            CREATE,
            c,
            &json!({"firstName": format!(" {}", "y".repeat(100)), "lastName": "L", "emailAddress": "h@b.co"}),
        )
        .await;
    assert_field_errors(&res, &["firstName"]);
    // 100 characters are fine.
    let hundred = "y".repeat(100);
    let res = app
        .post_json(
            CREATE,
            c,
            &json!({"firstName": hundred, "lastName": format!(" {} ", "z".repeat(98)), "emailAddress": "h@b.co"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(app.audit_of("customer-created").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_email_addresses_are_refused() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for email in [
        "plain",
        "@example.com",
        "a@",
        "a@example",
        "a@@example.com",
        "a@b@example.com",
        "a b@example.com",
        "a@.example.com",
        "a@example.com.",
    ] {
        let res = app
            .post_json(
                CREATE,
                Some(&cookie),
                &json!({"firstName": "F", "lastName": "L", "emailAddress": email}),
            )
            .await;
        let err = res.assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("emailAddress"), "{email}");
    }
    let count: i64 = app.scalar("SELECT COUNT(*) FROM customers", []);
    assert_eq!(count as u64, TOTAL_CUSTOMERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_email_is_refused_whatever_its_case() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let c = Some(cookie.as_str());
    // An existing (seeded) customer.
    let err = app
        .post_json(
            CREATE,
            c,
            &json!({"firstName": "L", "lastName": "W", "emailAddress": "LINDA.Wolf@example.COM"}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, error_type::DUPLICATE_EMAIL);
    assert_eq!(err.subject.as_deref(), Some("emailAddress"));
    assert!(
        err.message.contains("linda.wolf@example.com") && err.message.contains("already exists"),
        "{}",
        err.message
    );
    // One created here, then again in another case.
    let res = app.post_json(CREATE, c, &ada()).await;
    assert_eq!(res.status, StatusCode::CREATED);
    app.post_json(
        CREATE,
        c,
        &json!({"firstName": "Other", "lastName": "Ada", "emailAddress": " ADA.LOVELACE@example.com "}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, error_type::DUPLICATE_EMAIL);
    let count: i64 = app.scalar(
        "SELECT COUNT(*) FROM customers WHERE uid = 'ada.lovelace@example.com' COLLATE NOCASE",
        [],
    );
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_email_is_refused() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let agent_email: String = app.scalar("SELECT email FROM agents WHERE uid = ?1", [AGENT.login]);
    app.post_json(
        CREATE,
        Some(&cookie),
        &json!({"firstName": "A", "lastName": "Gent", "emailAddress": agent_email.to_uppercase()}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, error_type::DUPLICATE_EMAIL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_needs_a_session_the_csrf_header_and_a_base_site() {
    let app = TestApp::new();
    app.post_json(CREATE, None, &ada())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    // No X-ASM-Request header.
    let res = app
        .send(
            with_cookie(req(Method::POST, CREATE), Some(&cookie))
                .header(header::ORIGIN, ALLOWED_ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(ada().to_string()))
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    let err = app
        .post_json("/asm/customers", Some(&cookie), &ada())
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("baseSite"));
    app.post_raw(CREATE, Some(&cookie), Some("text/plain"), "x")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    app.post_raw(CREATE, Some(&cookie), Some("application/json"), "[1]")
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert!(app.audit_of("customer-created").is_empty());
    let count: i64 = app.scalar("SELECT COUNT(*) FROM customers", []);
    assert_eq!(count as u64, TOTAL_CUSTOMERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_suggests_customers_with_their_carts() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app
        .get(
            &format!("/asm/customers/autocomplete?customerQuery=%20Linda.WOLF%20&baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.header(asm_types::EXPIRES_HEADER).is_some());
    let entries: Vec<AutocompleteEntry> = serde_json::from_value(res.json()).expect("entries");
    assert_eq!(entries.len(), 1);
    let linda = &entries[0];
    assert_eq!(linda.customer_id, LINDA_ID);
    assert_eq!(linda.email, "linda.wolf@example.com");
    assert_eq!(linda.full_name, "Linda Wolf");
    assert!(linda.date.ends_with('Z'), "{}", linda.date);
    let carts: Vec<String> = {
        let db = app.db();
        let mut stmt = db
            .prepare(
                "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' \
                 ORDER BY modified DESC, code",
            )
            .unwrap();
        stmt.query_map([LINDA_ID], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(!carts.is_empty());
    assert_eq!(linda.carts, carts);
    // Nobody matches: an empty list.
    let none = app
        .get(
            &format!("/asm/customers/autocomplete?customerQuery=zzzqqq&baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.json(), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_answers_at_most_ten_by_name() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    // Every generated customer's e-mail ends with example.com.
    let res = app
        .get(
            &format!("/asm/customers/autocomplete?customerQuery=example.com&baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let entries: Vec<AutocompleteEntry> = serde_json::from_value(res.json()).expect("entries");
    assert_eq!(entries.len(), 10);
    let names: Vec<String> = entries.iter().map(|e| e.full_name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_errors() {
    let app = TestApp::new();
    app.get(
        &format!("/asm/customers/autocomplete?customerQuery=linda&baseSite={SITE}"),
        None,
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    for (query, subject) in [
        (format!("customerQuery=li&baseSite={SITE}"), "customerQuery"),
        (
            format!("customerQuery=%20%20li%20%20&baseSite={SITE}"),
            "customerQuery",
        ),
        (format!("baseSite={SITE}"), "customerQuery"),
        ("customerQuery=linda".to_owned(), "baseSite"),
        ("customerQuery=linda&baseSite=%20".to_owned(), "baseSite"),
    ] {
        let err = app
            .get(
                &format!("/asm/customers/autocomplete?{query}"),
                Some(&cookie),
            )
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_post_is_served_on_the_customers_collection() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let res = app.get(CREATE, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{}", res.text());
    res.json();
}
