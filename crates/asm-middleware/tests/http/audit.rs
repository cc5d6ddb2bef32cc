//! `GET /audit` (sales managers only), audit retention, and the security headers of every answer.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID, MANAGER};
use asm_middleware::config::Config;
use asm_middleware::format::DAY_MS;
use asm_types::{error_type, AuditPage};
use axum::http::StatusCode;
use clap::Parser;
use common::*;

/// (action, agent, customer, detail) of one record.
type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn page(res: &Resp) -> AuditPage {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("AuditPage")
}

/// Agent signs in, emulates Linda (reason "ticket 42"), ends the emulation; a minute later the
/// manager signs in.
async fn history(app: &TestApp) -> String {
    let agent = app.login(&AGENT).await;
    app.advance_secs(10);
    let session = app.emulate(&agent, LINDA_ID).await;
    app.advance_secs(10);
    let id = session["sessionId"].as_str().expect("sessionId");
    let res = app
        .delete(&format!("/asm/sessions/{id}"), Some(&agent))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    app.advance_secs(60);
    app.login(&MANAGER).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_reads_the_log_newest_first() {
    let app = TestApp::new();
    let manager = history(&app).await;
    let all = page(&app.get("/asm/audit", Some(&manager)).await);
    let actions: Vec<Row<'_>> = all
        .entries
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.agent_id.as_deref(),
                e.customer_id.as_deref(),
                e.detail.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("sign-in", Some(MANAGER.login), None, None),
            (
                "emulation-end",
                Some(AGENT.login),
                Some(LINDA_ID),
                Some("agent")
            ),
            (
                "emulation-start",
                Some(AGENT.login),
                Some(LINDA_ID),
                Some("ticket 42")
            ),
            ("sign-in", Some(AGENT.login), None, None),
        ]
    );
    assert_eq!(all.pagination.total_results, 4);
    assert_eq!(all.pagination.total_pages, 1);
    assert_eq!(all.pagination.page_size, 20);
    assert_eq!(all.entries[3].at, "2026-01-01T00:00:00Z");
    assert_eq!(all.entries[0].at, "2026-01-01T00:01:20Z");
    assert!(all.entries.windows(2).all(|w| w[0].id > w[1].id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_paging() {
    let app = TestApp::new();
    let manager = history(&app).await;
    let get = |q: String| {
        let app = &app;
        let manager = manager.clone();
        async move { page(&app.get(&format!("/asm/audit?{q}"), Some(&manager)).await) }
    };
    // By action.
    let starts = get("action=emulation-start".into()).await;
    assert_eq!(starts.entries.len(), 1);
    assert_eq!(starts.entries[0].detail.as_deref(), Some("ticket 42"));
    // By agent and customer.
    let by_agent = get(format!("agentId={}", AGENT.login)).await;
    assert_eq!(by_agent.pagination.total_results, 3);
    assert!(by_agent
        .entries
        .iter()
        .all(|e| e.agent_id.as_deref() == Some(AGENT.login)));
    let by_customer = get(format!("customerId={LINDA_ID}")).await;
    assert_eq!(
        by_customer
            .entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        vec!["emulation-end", "emulation-start"]
    );
    let nobody = get("customerId=C-NOBODY".into()).await;
    assert!(nobody.entries.is_empty());
    assert_eq!(nobody.pagination.total_results, 0);
    assert_eq!(nobody.pagination.total_pages, 0);
    // By time: from is inclusive, to exclusive (ms since the epoch).
    let window = get(format!("from={}&to={}", T0 + 10_000, T0 + 20_000)).await;
    assert_eq!(
        window
            .entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        vec!["emulation-start"]
    );
    let since = get(format!("from={}", T0 + 20_000)).await;
    assert_eq!(since.pagination.total_results, 2);
    let before = get(format!("to={}", T0 + 1)).await;
    assert_eq!(before.entries.len(), 1);
    assert_eq!(before.entries[0].action.as_str(), "sign-in");
    // Combined.
    let both = get(format!("agentId={}&action=sign-in", AGENT.login)).await;
    assert_eq!(both.entries.len(), 1);
    // Paging.
    let first = get("pageSize=3".into()).await;
    assert_eq!(first.entries.len(), 3);
    assert_eq!(first.pagination.total_pages, 2);
    assert_eq!(first.pagination.total_results, 4);
    let second = get("pageSize=3&currentPage=1".into()).await;
    assert_eq!(second.entries.len(), 1);
    assert_eq!(second.pagination.current_page, 1);
    assert_eq!(second.entries[0].action.as_str(), "sign-in");
    assert_eq!(second.entries[0].agent_id.as_deref(), Some(AGENT.login));
    let beyond = get("pageSize=3&currentPage=9".into()).await;
    assert!(beyond.entries.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_agent_is_forbidden_and_anonymous_is_401() {
    let app = TestApp::new();
    let agent = app.login(&AGENT).await;
    app.get("/asm/audit", Some(&agent))
        .await
        .assert_error(StatusCode::FORBIDDEN, error_type::FORBIDDEN);
    app.get("/asm/audit", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    app.get("/asm/audit", Some("asm_session=forged"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_400() {
    let app = TestApp::new();
    let manager = app.login(&MANAGER).await;
    for (query, subject) in [
        ("pageSize=0", "pageSize"),
        ("pageSize=101", "pageSize"),
        ("pageSize=x", "query"),
        ("currentPage=-1", "query"),
        ("from=yesterday", "query"),
        ("to=2026-01-01T00:00:00Z", "query"),
        ("from=2&to=1", "from"),
    ] {
        let err = app
            .get(&format!("/asm/audit?{query}"), Some(&manager))
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{query}");
    }
    // The edges are fine.
    page(&app.get("/asm/audit?pageSize=1", Some(&manager)).await);
    page(
        &app.get("/asm/audit?pageSize=100&from=5&to=5", Some(&manager))
            .await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_prunes_old_rows_and_keeps_recent_ones() {
    // Sign-ins only (no `new-sign-in` sign-outs in between).
    let app = TestApp::with_config(|c| c.end_older_sessions = false);
    app.login(&AGENT).await; // at T0
    app.advance_ms(DAY_MS); // T0 + 1 day
    app.login(&AGENT).await;
    app.advance_ms(89 * DAY_MS); // T0 + 90 days: the first row is exactly 90 days old
    let manager = app.login(&MANAGER).await;
    let retention = 90 * DAY_MS;
    assert_eq!(prune(&app, retention).await, 0);
    app.advance_ms(1); // now the first row is older than 90 days
    assert_eq!(prune(&app, retention).await, 1);
    let left = page(&app.get("/asm/audit", Some(&manager)).await);
    assert_eq!(left.pagination.total_results, 2);
    assert_eq!(left.entries[1].at, "2026-01-02T00:00:00Z");
    assert_eq!(left.entries[0].agent_id.as_deref(), Some(MANAGER.login));
    // A shorter retention removes more; the manager's own sign-in (just now) stays.
    assert_eq!(prune(&app, DAY_MS).await, 1);
    let rows = app.audit();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].agent.as_deref(), Some(MANAGER.login));
}

#[test]
fn retention_is_configurable_and_at_least_one_day() {
    let parse = |args: &[&str]| Config::try_parse_from([&["asm-middleware"][..], args].concat());
    assert_eq!(parse(&[]).expect("defaults").audit_retention_days, 90);
    assert_eq!(
        parse(&["--audit-retention-days", "365"])
            .expect("365")
            .audit_retention_days,
        365
    );
    assert!(parse(&["--audit-retention-days", "0"]).is_err());
    assert!(parse(&["--audit-retention-days", "-3"]).is_err());
}

fn assert_common_headers(res: &Resp, what: &str) {
    assert_eq!(
        res.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(res.header("referrer-policy"), Some("same-origin"), "{what}");
    assert_eq!(res.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(res.header("strict-transport-security"), None, "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_api_page_bundle_and_404() {
    let app = TestApp::new();
    let api_csp = "default-src 'none'; frame-ancestors 'none'";
    for (path, status) in [
        ("/asm/agents/me", StatusCode::UNAUTHORIZED),
        ("/asm/openapi.json", StatusCode::OK),
        ("/asm/no-such-route", StatusCode::NOT_FOUND),
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, status, "{path}");
        assert_common_headers(&res, path);
        assert_eq!(
            res.header("content-security-policy"),
            Some(api_csp),
            "{path}"
        );
        assert_eq!(res.header("cross-origin-opener-policy"), None, "{path}");
    }
    // A signed-in API answer, too.
    let cookie = app.login(&AGENT).await;
    let me = app.get("/asm/agents/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_common_headers(&me, "me");
    assert_eq!(me.header("content-security-policy"), Some(api_csp));

    // The store page keeps its own policy and isolates its browsing context.
    let page = app.get("/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_common_headers(&page, "/");
    assert_eq!(
        page.header("content-security-policy"),
        Some(asm_middleware::http::storefront::CSP)
    );
    assert_eq!(
        page.header("cross-origin-opener-policy"),
        Some("same-origin")
    );
    // Compiled into the binary: revalidated on every load, never a stale store.js after a release.
    for path in ["/", "/store.js", "/store.css"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("cache-control"), Some("no-cache"), "{path}");
    }

    // A 404 outside the API, and the bundle folder, do not get the API's policy.
    for path in ["/no-such-page", "/asm-overlay/no-such-file.js"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert_common_headers(&res, path);
        assert_ne!(
            res.header("content-security-policy"),
            Some(api_csp),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_with_secure_cookie() {
    let app = TestApp::with_config(|c| c.secure_cookie = true);
    for path in ["/", "/asm/agents/me", "/no-such-page"] {
        let res = app.get(path, None).await;
        assert_eq!(
            res.header("strict-transport-security"),
            Some(asm_middleware::HSTS),
            "{path}"
        );
    }
}

/// Prunes the audit log as the sweeper does, keeping `retention_ms`.
async fn prune(app: &TestApp, retention_ms: i64) -> usize {
    app.state
        .sessions
        .prune_audit(app.now() - retention_ms)
        .await
        .expect("prune")
}
