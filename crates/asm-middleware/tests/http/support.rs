//! Support tickets and product reviews written while emulating (`/users/{id}/tickets`,
//! `/tickets/{id}/events`, `/products/{code}/reviews`): what a ticket and a review must hold,
//! status changes only along a ticket's transitions, the agent's mark on what they wrote, the
//! audit record of every write (backend refusals too), and Customer 360° Feedback showing it.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{
    error_type, C360FragmentData, Customer360Fragment, Customer360Response, Review, ReviewList,
    Ticket, TicketCategoryList, TicketEvent, TicketList,
};
use axum::http::StatusCode;
use common::*;
use serde_json::json;

fn tickets_path() -> String {
    format!("/asm/users/{LINDA_ID}/tickets")
}

async fn emulating_linda(app: &TestApp) -> String {
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    cookie
}

fn error_kind(res: &Resp) -> String {
    res.json()["errors"][0]["type"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn error_subject(res: &Resp) -> String {
    res.json()["errors"][0]["subject"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn open_ticket(app: &TestApp, cookie: &str, subject: &str) -> Ticket {
    let res = app
        .post_json(
            &tickets_path(),
            Some(cookie),
            &json!({"subject": subject, "message": "The lens has a scratch.\nSince Monday.", "ticketCategory": {"id": "COMPLAINT"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    serde_json::from_value(res.json()).expect("Ticket")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_opens_a_ticket_as_the_customer_marked_and_audited() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    let cats: TicketCategoryList =
        serde_json::from_value(app.get("/asm/ticketCategories", Some(&cookie)).await.json())
            .expect("categories");
    assert!(cats.ticket_categories.iter().any(|c| c.id == "COMPLAINT"));

    let t = open_ticket(&app, &cookie, "  Camera arrived scratched ").await;
    assert_eq!(t.subject, "Camera arrived scratched");
    assert_eq!(t.status.id, "OPEN");
    assert_eq!(t.ticket_category.name, "Complaint");
    assert!(t.added_by_agent);
    assert_eq!(t.ticket_events.len(), 1);
    assert_eq!(
        t.ticket_events[0].message,
        "The lens has a scratch.\nSince Monday."
    );
    assert!(t.ticket_events[0].added_by_agent);
    assert_eq!(t.ticket_events[0].author, "Linda Wolf");

    // Listed first (most recently changed), and readable with its messages.
    let list: TicketList =
        serde_json::from_value(app.get(&tickets_path(), Some(&cookie)).await.json()).expect("list");
    assert_eq!(list.tickets[0].id, t.id);
    assert!(list.tickets[0].ticket_events.is_empty());
    let again: Ticket = serde_json::from_value(
        app.get(&format!("{}/{}", tickets_path(), t.id), Some(&cookie))
            .await
            .json(),
    )
    .expect("detail");
    assert_eq!(again, t);

    let audit = app.audit_of("ticket-create");
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].agent.as_deref(), Some("asagent"));
    assert_eq!(audit[0].customer.as_deref(), Some(LINDA_ID));
    assert!(
        audit[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(&t.id)),
        "{audit:?}"
    );

    // Customer 360° Feedback shows it first, marked as the agent's.
    let res = app
        .post_json(
            &format!("/asm/customers/{LINDA_ID}/customer360?baseSite={SITE}"),
            Some(&cookie),
            &json!({"queries": [{"type": "feedback", "listSize": 10}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut c360: Customer360Response = serde_json::from_value(res.json()).expect("c360");
    let Customer360Fragment::Data(C360FragmentData::Feedback(f)) = c360.fragments.remove(0) else {
        panic!("no feedback fragment");
    };
    assert_eq!(f.tickets[0].id, t.id);
    assert!(f.tickets[0].added_by_agent);
    assert!(f.tickets.iter().skip(1).all(|t| !t.added_by_agent));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_close_a_ticket_and_a_closed_ticket_takes_no_more() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    let t = open_ticket(&app, &cookie, "Broken strap").await;
    let events = format!("{}/{}/events", tickets_path(), t.id);

    let res = app
        .post_json(&events, Some(&cookie), &json!({"message": "Any news?"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let e: TicketEvent = serde_json::from_value(res.json()).expect("event");
    assert!(e.added_by_agent && e.to_status.is_none());

    // A status the ticket cannot move to: refused, audited as refused, nothing written.
    let res = app
        .post_json(
            &events,
            Some(&cookie),
            &json!({"message": "reopen", "toStatus": {"id": "OPEN"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert_eq!(error_subject(&res), "toStatus");
    assert_eq!(app.refused_audit_of("ticket-message").len(), 1);

    let res = app
        .post_json(
            &events,
            Some(&cookie),
            &json!({"message": "Solved, thanks.", "toStatus": {"id": "CLOSED"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let after: Ticket = serde_json::from_value(
        app.get(&format!("{}/{}", tickets_path(), t.id), Some(&cookie))
            .await
            .json(),
    )
    .expect("detail");
    assert_eq!(after.status.id, "CLOSED");
    assert!(after.available_status_transitions.is_empty());
    let messages: Vec<&str> = after
        .ticket_events
        .iter()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "The lens has a scratch.\nSince Monday.",
            "Any news?",
            "Solved, thanks."
        ]
    );
    assert_eq!(
        after.ticket_events[2]
            .to_status
            .as_ref()
            .map(|s| s.id.as_str()),
        Some("CLOSED")
    );

    let res = app
        .post_json(&events, Some(&cookie), &json!({"message": "one more"}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert_eq!(app.audit_of("ticket-message").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tickets_are_refused_with_the_field_named() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    let long = "x".repeat(256);
    let cases = [
        (
            json!({"subject": " ", "message": "m", "ticketCategory": {"id": "ENQUIRY"}}),
            "subject",
        ),
        (
            json!({"subject": long, "message": "m", "ticketCategory": {"id": "ENQUIRY"}}),
            "subject",
        ),
        (
            json!({"subject": "Rtl\u{202E}gnp.exe", "message": "m", "ticketCategory": {"id": "ENQUIRY"}}),
            "subject",
        ),
        (
            json!({"subject": "s", "message": "", "ticketCategory": {"id": "ENQUIRY"}}),
            "message",
        ),
        (
            json!({"subject": "s", "message": "m", "ticketCategory": {"id": "NOPE"}}),
            "ticketCategory",
        ),
        (
            json!({"subject": "s", "message": "m", "ticketCategory": {"id": "ENQUIRY"}, "associatedTo": {"code": "99999999", "type": "Order"}}),
            "associatedTo",
        ),
        (
            json!({"subject": "s", "message": "m", "ticketCategory": {"id": "ENQUIRY"}, "associatedTo": {"code": "1", "type": "Invoice"}}),
            "associatedTo",
        ),
    ];
    for (body, field) in cases {
        let res = app.post_json(&tickets_path(), Some(&cookie), &body).await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            res.text()
        );
        assert_eq!(error_kind(&res), error_type::VALIDATION, "{body}");
        assert_eq!(error_subject(&res), field, "{body}");
    }
    let res = app
        .post_json(&tickets_path(), Some(&cookie), &json!({"subject": 5}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // Nothing was opened; the two the shop refused are audited as refused.
    assert!(app.audit_of("ticket-create").is_empty());
    assert_eq!(app.refused_audit_of("ticket-create").len(), 2);
    let res = app
        .get(&format!("{}/99999999", tickets_path()), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text());
    let res = app
        .get(&format!("{}?pageSize=0", tickets_path()), Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_about_an_order_names_it() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    let order: String = app.scalar(
        "SELECT code FROM orders WHERE customer_id = ?1 ORDER BY placed DESC LIMIT 1",
        [LINDA_ID],
    );
    let res = app
        .post_json(
            &tickets_path(),
            Some(&cookie),
            &json!({"subject": "Late", "message": "Still waiting.", "ticketCategory": {"id": "DELIVERY"}, "associatedTo": {"code": order, "type": "Order"}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let t: Ticket = serde_json::from_value(res.json()).expect("ticket");
    assert_eq!(t.associated_to.map(|a| a.code), Some(order));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_need_an_emulation_of_that_customer() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let body = json!({"subject": "s", "message": "m", "ticketCategory": {"id": "ENQUIRY"}});
    let res = app.post_json(&tickets_path(), Some(&cookie), &body).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    assert_eq!(error_kind(&res), error_type::NOT_EMULATING);
    let res = app.get(&tickets_path(), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/products/300938/reviews"),
            Some(&cookie),
            &json!({"rating": 5, "headline": "h", "comment": "c"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app.get("/asm/ticketCategories", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_writes_a_review_as_the_customer_shown_on_the_product() {
    let app = TestApp::new();
    let cookie = emulating_linda(&app).await;
    let product: String = app.scalar("SELECT code FROM products ORDER BY code LIMIT 1", []);
    let path = format!("/asm/users/{LINDA_ID}/products/{product}/reviews");
    let res = app
        .post_json(
            &path,
            Some(&cookie),
            &json!({"rating": 4, "headline": " Good value ", "comment": "Sharp pictures."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let r: Review = serde_json::from_value(res.json()).expect("review");
    assert_eq!((r.rating, r.headline.as_str()), (4, "Good value"));
    assert_eq!(r.alias, "Linda Wolf");
    assert!(r.added_by_agent);

    // Public on the product, newest first.
    let list: ReviewList = serde_json::from_value(
        app.get(&format!("/asm/products/{product}/reviews"), None)
            .await
            .json(),
    )
    .expect("reviews");
    assert_eq!(list.reviews[0], r);
    let res = app.get("/asm/products/NOPE/reviews", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    for (body, field) in [
        (
            json!({"rating": 0, "headline": "h", "comment": "c"}),
            "rating",
        ),
        (
            json!({"rating": 3, "headline": "", "comment": "c"}),
            "headline",
        ),
        (
            json!({"rating": 3, "headline": "h", "comment": " "}),
            "comment",
        ),
    ] {
        let res = app.post_json(&path, Some(&cookie), &body).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_subject(&res), field, "{body}");
    }
    let res = app
        .post_json(
            &format!("/asm/users/{LINDA_ID}/products/NOPE/reviews"),
            Some(&cookie),
            &json!({"rating": 3, "headline": "h", "comment": "c"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text());
    let audit = app.audit_of("review-create");
    assert_eq!(audit.len(), 1);
    assert!(audit[0]
        .detail
        .as_deref()
        .is_some_and(|d| d.contains(&product)));
    assert_eq!(app.refused_audit_of("review-create").len(), 1);
}
