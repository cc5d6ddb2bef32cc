//! The emulated customer's consents (`/users/{id}/consenttemplates`, `/consents`), on the demo
//! shop and on SAP Commerce (its simulator): the templates with Linda's seeded consent; giving
//! one (listed as given, audited; giving it again is idempotent); withdrawing one (listed as
//! withdrawn, audited; twice is a clear 400); bad input refused before anything is written;
//! a stale version, an unknown template, another customer's code; not emulating.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use asm_types::{error_type, ConsentTemplate, ConsentTemplateList};
use axum::http::StatusCode;
use common::*;
use sapcc_sim::Config as SimConfig;
use serde_json::json;

async fn list(app: &TestApp, cookie: &str, user: &str) -> ConsentTemplateList {
    let res = app
        .get(&format!("/asm/users/{user}/consenttemplates"), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("ConsentTemplateList")
}

fn template<'a>(list: &'a ConsentTemplateList, id: &str) -> &'a ConsentTemplate {
    list.consent_templates
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("template {id} in {list:?}"))
}

/// Consents given and withdrawn on one backend, as the agent does it for `user`, who has given
/// `STORE_USER_INFORMATION` and not `MARKETING_NEWSLETTER`; `other` is another customer.
async fn consents(app: &TestApp, cookie: &str, user: &str, other: &str) {
    let give = format!("/asm/users/{user}/consents");
    let before = list(app, cookie, user).await;
    assert_eq!(before.consent_templates.len(), 3, "{before:?}");
    let marketing = template(&before, "MARKETING_NEWSLETTER").clone();
    assert_eq!(marketing.name, "I approve to this sample MARKETING consent");
    assert_eq!(
        marketing.description,
        "I would like to receive e-mails about new products and offers."
    );
    assert!(!marketing.given());
    let store = template(&before, "STORE_USER_INFORMATION").clone();
    assert!(store.given(), "Linda's seeded consent: {store:?}");
    let seeded = store.current_consent.clone().expect("current consent");
    assert!(!seeded.consent_given_date.is_empty());
    let version = marketing.version;

    // Bad input is refused before anything is written or audited.
    let bad = |id: serde_json::Value, v: serde_json::Value| json!({"consentTemplateId": id, "consentTemplateVersion": v});
    for (body, subject) in [
        (bad(json!(""), json!(version)), "consentTemplateId"),
        (
            bad(json!("MARKETING NEWSLETTER"), json!(version)),
            "consentTemplateId",
        ),
        (
            bad(json!("A".repeat(65)), json!(version)),
            "consentTemplateId",
        ),
        (
            bad(json!("MARKETING_NEWSLETTER"), json!(-1)),
            "consentTemplateVersion",
        ),
        (
            bad(json!("MARKETING_NEWSLETTER"), json!(1_000_001)),
            "consentTemplateVersion",
        ),
        (bad(json!("MARKETING_NEWSLETTER"), json!("one")), "body"),
        (json!({"consentTemplateId": "MARKETING_NEWSLETTER"}), "body"),
        (
            json!({"consentTemplateId": "MARKETING_NEWSLETTER", "consentTemplateVersion": version, "x": 1}),
            "body",
        ),
    ] {
        let err = app
            .post_json(&give, Some(cookie), &body)
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{body}");
    }
    let err = app
        .post_raw(
            &give,
            Some(cookie),
            Some("application/x-www-form-urlencoded"),
            "consentTemplateId=MARKETING_NEWSLETTER&consentTemplateVersion=1",
        )
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("body"));
    assert!(app.audit_of("consent-give").is_empty());
    assert!(app.refused_audit_of("consent-give").is_empty());

    // An unknown template and a stale version: refused by the rules, audited as refused.
    let err = app
        .post_json(
            &give,
            Some(cookie),
            &bad(json!("NO_SUCH_TEMPLATE"), json!(version)),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("consentTemplateId"));
    assert!(err.message.contains("NO_SUCH_TEMPLATE"), "{}", err.message);
    let err = app
        .post_json(
            &give,
            Some(cookie),
            &bad(json!("MARKETING_NEWSLETTER"), json!(version + 1)),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("consentTemplateVersion"));
    assert!(
        err.message.contains(&format!("version {version}")),
        "{}",
        err.message
    );
    let refused = app.refused_audit_of("consent-give");
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0].customer.as_deref(), Some(user));
    assert!(!template(&list(app, cookie, user).await, "MARKETING_NEWSLETTER").given());

    // Given: answered and listed as given, audited with the template.
    let res = app
        .post_json(
            &give,
            Some(cookie),
            &bad(json!(" MARKETING_NEWSLETTER "), json!(version)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let given: ConsentTemplate = serde_json::from_value(res.json()).expect("ConsentTemplate");
    assert_eq!(given.id, "MARKETING_NEWSLETTER");
    assert!(given.given(), "{given:?}");
    let consent = given.current_consent.clone().expect("current consent");
    assert_ne!(consent.code, seeded.code);
    let now = list(app, cookie, user).await;
    assert_eq!(template(&now, "MARKETING_NEWSLETTER"), &given);
    assert!(template(&now, "STORE_USER_INFORMATION").given());
    let audit = app.audit_of("consent-give");
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].outcome.as_deref(), Some("ok"));
    assert_eq!(audit[0].customer.as_deref(), Some(user));
    let detail = audit[0].detail.clone().unwrap_or_default();
    assert!(detail.contains("MARKETING_NEWSLETTER"), "{detail}");
    assert!(detail.contains(&consent.code), "{detail}");

    // Given again: idempotent, the same consent.
    let res = app
        .post_json(
            &give,
            Some(cookie),
            &bad(json!("MARKETING_NEWSLETTER"), json!(version)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let again: ConsentTemplate = serde_json::from_value(res.json()).expect("ConsentTemplate");
    assert_eq!(again.current_consent, Some(consent.clone()));
    assert_eq!(list(app, cookie, user).await, now);

    // Withdrawn: listed as withdrawn, audited; twice is refused clearly.
    let withdraw = |code: &str| format!("/asm/users/{user}/consents/{code}");
    let res = app.delete(&withdraw(&seeded.code), Some(cookie)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let after = list(app, cookie, user).await;
    let store = template(&after, "STORE_USER_INFORMATION");
    assert!(!store.given(), "{store:?}");
    let withdrawn = store
        .current_consent
        .clone()
        .expect("still the current consent");
    assert_eq!(withdrawn.code, seeded.code);
    assert!(withdrawn.consent_withdrawn_date.is_some());
    assert!(template(&after, "MARKETING_NEWSLETTER").given());
    let audit = app.audit_of("consent-withdraw");
    assert_eq!(audit.len(), 1, "{audit:?}");
    let detail = audit[0].detail.clone().unwrap_or_default();
    assert!(detail.contains("STORE_USER_INFORMATION"), "{detail}");
    assert!(detail.contains(&seeded.code), "{detail}");
    let err = app
        .delete(&withdraw(&seeded.code), Some(cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("consentCode"));
    assert!(err.message.contains("already withdrawn"), "{}", err.message);
    let err = app
        .delete(&withdraw("no-such-consent"), Some(cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("consentCode"));
    app.delete(&withdraw("a%20b"), Some(cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(app.audit_of("consent-withdraw").len(), 1);

    // Given again after the withdrawal: a new consent.
    let res = app
        .post_json(
            &give,
            Some(cookie),
            &bad(json!("STORE_USER_INFORMATION"), json!(store.version)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let regiven: ConsentTemplate = serde_json::from_value(res.json()).expect("ConsentTemplate");
    assert!(regiven.given());
    let code = regiven.current_consent.expect("consent").code;
    assert_ne!(code, seeded.code);

    // Another customer cannot withdraw this customer's consent: not theirs.
    app.emulate(cookie, other).await;
    let err = app
        .delete(&format!("/asm/users/{other}/consents/{code}"), Some(cookie))
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("consentCode"));
    // And this customer's are no longer reachable: the agent emulates the other one now.
    app.get(&format!("/asm/users/{user}/consenttemplates"), Some(cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.delete(&withdraw(&code), Some(cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.post_json(
        &give,
        Some(cookie),
        &bad(json!("PERSONALIZATION"), json!(version)),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    assert!(!template(&list(app, cookie, other).await, "STORE_USER_INFORMATION").given());
}

/// Not emulating `user`: every consent route refuses with `NotEmulatingError`.
async fn not_emulating(app: &TestApp, cookie: &str, user: &str) {
    app.get(&format!("/asm/users/{user}/consenttemplates"), Some(cookie))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.post_json(
        &format!("/asm/users/{user}/consents"),
        Some(cookie),
        &json!({"consentTemplateId": "MARKETING_NEWSLETTER", "consentTemplateVersion": 1}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    app.delete(
        &format!("/asm/users/{user}/consents/00001000"),
        Some(cookie),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, error_type::NOT_EMULATING);
    assert!(app.audit_of("consent-give").is_empty());
    assert!(app.audit_of("consent-withdraw").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_gives_and_withdraws_the_customers_consents_on_the_demo_shop() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    not_emulating(&app, &cookie, LINDA_ID).await;
    app.emulate(&cookie, LINDA_ID).await;
    consents(&app, &cookie, LINDA_ID, "C0000001").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_gives_and_withdraws_the_customers_consents_on_sap_commerce() {
    const LINDA: &str = "8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601";
    const WILLIAM: &str = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
    let sim = SimServer::start(SimConfig::default()).await;
    let app = TestApp::sap(&sim.url, |_| {});
    let cookie = app.login_as("asagent", "pw4all").await;
    not_emulating(&app, &cookie, LINDA).await;
    app.emulate(&cookie, LINDA).await;
    consents(&app, &cookie, LINDA, WILLIAM).await;
}
