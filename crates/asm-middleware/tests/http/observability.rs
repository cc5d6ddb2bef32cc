//! What operators see: the request id, the one log line per request (read from the real
//! binary's stderr), and the Prometheus metrics behind `--metrics-listen`.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::*;
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use tower::ServiceExt;

/// Sends `GET /healthz` with `id` as `X-Request-Id` (if any); returns the answer's id.
async fn echoed_id(app: &TestApp, id: Option<&str>) -> String {
    let mut b = req(Method::GET, "/healthz");
    if let Some(id) = id {
        b = b.header("x-request-id", id);
    }
    let res = app.send(b.body(Body::empty()).unwrap()).await;
    assert_eq!(res.status, StatusCode::OK);
    res.header("x-request-id")
        .expect("every answer carries X-Request-Id")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_is_echoed_when_sane_and_generated_otherwise() {
    let app = TestApp::new();
    assert_eq!(
        echoed_id(&app, Some("edge-42.a_b:c")).await,
        "edge-42.a_b:c"
    );
    let first = echoed_id(&app, None).await;
    let second = echoed_id(&app, None).await;
    assert_eq!(first.len(), 36, "a UUID: {first}");
    assert_ne!(first, second, "a new id per request");
    for insane in ["has space", "semi;colon", &"x".repeat(65)] {
        let id = echoed_id(&app, Some(insane)).await;
        assert_ne!(id, insane);
        assert_eq!(id.len(), 36, "replaced by a UUID: {id}");
    }
    // Also API answers (errors included) carry it.
    let res = app.get("/asm/agents/me", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.header("x-request-id").is_some());
}

/// The value of the sample `name{labels}` in an exposition (labels in their encoded order).
fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{labels}}}")
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.rsplit_once(' ').filter(|(k, _)| *k == key))
        .and_then(|(_, v)| v.parse().ok())
}

async fn scrape(app: &TestApp) -> String {
    let res = asm_middleware::metrics::router(app.state.clone())
        .oneshot(req(Method::GET, "/metrics").body(Body::empty()).unwrap())
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
    let body = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8(body.to_vec()).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_failed_sign_ins_and_read_the_session_gauges() {
    let app = TestApp::new();
    let before = scrape(&app).await;
    assert_eq!(sample(&before, "asm_agent_sessions", ""), Some(0.0));
    assert_eq!(sample(&before, "asm_active_emulations", ""), Some(0.0));
    let healthz = r#"method="GET",route="/healthz",status="2xx""#;
    assert_eq!(sample(&before, "asm_http_requests_total", healthz), None);

    echoed_id(&app, None).await;
    echoed_id(&app, None).await;
    let wrong = app
        .post_json(
            "/asm/agents/login",
            None,
            &serde_json::json!({"username": AGENT.login, "password": "wrong"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let cookie = app.login(&AGENT).await;
    let after_login = scrape(&app).await;
    assert_eq!(
        sample(&after_login, "asm_http_requests_total", healthz),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &after_login,
            "asm_http_request_duration_seconds_count",
            healthz
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &after_login,
            "asm_http_requests_total",
            r#"method="POST",route="/asm/agents/login",status="4xx""#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &after_login,
            "asm_sign_in_failures_total",
            r#"method="password",reason="InvalidCredentialsError""#
        ),
        Some(1.0)
    );
    assert_eq!(sample(&after_login, "asm_agent_sessions", ""), Some(1.0));
    assert!(
        sample(
            &after_login,
            "asm_db_pool_connections",
            r#"pool="session_store",state="max""#
        )
        .is_some_and(|n| n >= 1.0),
        "{after_login}"
    );

    // The route is the pattern, never the concrete path with a customer id.
    let res = app
        .get(
            &format!("/asm/customers/{LINDA_ID}?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    app.emulate(&cookie, LINDA_ID).await;
    let emulating = scrape(&app).await;
    assert_eq!(sample(&emulating, "asm_active_emulations", ""), Some(1.0));
    assert_eq!(
        sample(
            &emulating,
            "asm_http_requests_total",
            r#"method="GET",route="/asm/customers/{customerId}",status="2xx""#
        ),
        Some(1.0)
    );
    assert!(!emulating.contains(LINDA_ID), "no customer id in labels");

    let res = app
        .send(
            with_cookie(
                csrf_ok(req(Method::POST, "/asm/agents/logout")),
                Some(&cookie),
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let after_logout = scrape(&app).await;
    assert_eq!(sample(&after_logout, "asm_agent_sessions", ""), Some(0.0));
    assert_eq!(
        sample(&after_logout, "asm_active_emulations", ""),
        Some(0.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_gauges_count_only_live_sessions() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    app.emulate(&cookie, LINDA_ID).await;
    let live = scrape(&app).await;
    assert_eq!(sample(&live, "asm_agent_sessions", ""), Some(1.0));
    assert_eq!(sample(&live, "asm_active_emulations", ""), Some(1.0));
    // Past the idle timeout, before any sweep: the session still has its row, but is over.
    app.advance_secs(601);
    let idle = scrape(&app).await;
    assert_eq!(sample(&idle, "asm_agent_sessions", ""), Some(0.0));
    assert_eq!(sample(&idle, "asm_active_emulations", ""), Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_time_the_calls_to_sap_commerce() {
    let sim = SimServer::start(sapcc_sim::Config::default()).await;
    let app = TestApp::sap(&sim.url, |_| {});
    let cookie = app.login_as("asagent", "pw4all").await;
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=linda"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let up = scrape(&app).await;
    let answered = r#"service="sapcc",outcome="2xx""#;
    let calls = sample(&up, "asm_outgoing_request_duration_seconds_count", answered);
    assert!(calls.is_some_and(|n| n >= 2.0), "sign-in and search: {up}");
    assert_eq!(
        sample(
            &up,
            "asm_outgoing_request_duration_seconds_count",
            r#"service="sapcc",outcome="error""#
        ),
        None
    );
    // A proxy in front of SAP failing: counted as its status class.
    sim.sim.set_fault(sapcc_sim::Fault::Html, 0);
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=linda"),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        res.text()
    );
    let failing = scrape(&app).await;
    assert_eq!(
        sample(
            &failing,
            "asm_outgoing_request_duration_seconds_count",
            r#"service="sapcc",outcome="5xx""#
        ),
        Some(1.0),
        "{failing}"
    );
    // No SAP at all (nothing listens on port 1): `error`.
    let gone = TestApp::sap("http://127.0.0.1:1", |_| {});
    let res = gone
        .post_json(
            "/asm/agents/login",
            None,
            &serde_json::json!({"username": "asagent", "password": "pw4all"}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        res.text()
    );
    let down = scrape(&gone).await;
    assert_eq!(
        sample(
            &down,
            "asm_outgoing_request_duration_seconds_count",
            r#"service="sapcc",outcome="error""#
        ),
        Some(1.0),
        "{down}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_app_does_not_serve_metrics() {
    let app = TestApp::new();
    let res = app.get("/metrics", None).await;
    assert_ne!(res.status, StatusCode::OK);
    assert!(!res.text().contains("asm_http_requests"), "{}", res.text());
}

/// The real binary, serving on a free port with `args`; its stdout's `listening on` and
/// `metrics on` addresses, and its stderr (the log) collected by a thread until it exits.
struct Server {
    child: Child,
    url: String,
    metrics: Option<String>,
    log: std::thread::JoinHandle<Vec<String>>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("shop.sqlite");
        let mut child = Command::new(env!("CARGO_BIN_EXE_asm-middleware"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--customers",
                "50",
                "--allowed-origins",
                ALLOWED_ORIGIN,
                "--db",
                db.to_str().expect("path"),
                "--dist",
                dir.path().to_str().expect("path"),
            ])
            .args(args)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start");
        let stderr = child.stderr.take().expect("stderr");
        let log = std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .collect()
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let mut metrics = None;
        let mut url = None;
        for line in lines.by_ref().take(20) {
            if let Some(rest) = line.strip_prefix("asm-middleware: metrics on ") {
                metrics = Some(rest.trim().to_owned());
            }
            if let Some(rest) = line.strip_prefix("asm-middleware: listening on ") {
                let addr = rest.split_whitespace().next().expect("address");
                url = Some(addr.trim_end_matches('/').to_owned());
                break;
            }
        }
        // Keep draining stdout so the server never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            url: url.expect("the server did not start"),
            metrics,
            log,
            _dir: dir,
        }
    }

    /// Stops the server (SIGTERM) and returns everything it logged.
    fn stop(mut self) -> Vec<String> {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "{status}");
        self.log.join().expect("log reader")
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// Signs in through the real server as request `id`; returns the status and session cookie.
async fn sign_in(
    c: &reqwest::Client,
    url: &str,
    password: &str,
    id: &str,
) -> (u16, Option<String>) {
    let res = c
        .post(format!("{url}/asm/agents/login"))
        .header("origin", ALLOWED_ORIGIN)
        .header("x-asm-request", "1")
        .header("x-request-id", id)
        .json(&serde_json::json!({"username": AGENT.login, "password": password}))
        .send()
        .await
        .expect("login");
    let status = res.status().as_u16();
    let cookie = res
        .cookies()
        .find(|c| c.name() == asm_types::SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    (status, cookie)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_one_log_line_with_route_status_and_agent_and_no_secrets() {
    let server = Server::start(&[]);
    assert_eq!(server.metrics, None, "no metrics without --metrics-listen");
    let c = client();
    let (status, _) = sign_in(&c, &server.url, "not-the-password-1", "login-1").await;
    assert_eq!(status, 401);
    let (status, cookie) = sign_in(&c, &server.url, AGENT.password, "login-2").await;
    assert_eq!(status, 200);
    let cookie = cookie.expect("session cookie");
    let res = c
        .get(format!(
            "{}/asm/customers/{LINDA_ID}?baseSite={SITE}&secretQuery=hush",
            server.url
        ))
        .header("cookie", format!("{}={cookie}", asm_types::SESSION_COOKIE))
        .header("x-request-id", "customer-read-7")
        .send()
        .await
        .expect("customer");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("customer-read-7")
    );
    let metrics = c
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .expect("metrics");
    assert_ne!(metrics.status().as_u16(), 200, "no /metrics on --listen");
    let log = server.stop();
    let all = log.join("\n");

    let line = |id: &str| -> &String {
        log.iter()
            .find(|l| l.contains(&format!("request_id={id}")) && l.contains("answered"))
            .unwrap_or_else(|| panic!("no answered line for {id}:\n{all}"))
    };
    let read = line("customer-read-7");
    assert!(read.contains("method=GET"), "{read}");
    assert!(read.contains("route=/asm/customers/{customerId}"), "{read}");
    assert!(read.contains("agent=asagent"), "{read}");
    assert!(read.contains("status=200"), "{read}");
    assert!(read.contains("latency_ms="), "{read}");
    let refused = line("login-1");
    assert!(refused.contains("route=/asm/agents/login"), "{refused}");
    assert!(refused.contains("status=401"), "{refused}");
    let signed_in = line("login-2");
    assert!(signed_in.contains("status=200"), "{signed_in}");
    assert!(signed_in.contains("agent=asagent"), "{signed_in}");
    assert_eq!(
        log.iter()
            .filter(|l| l.contains("request_id=customer-read-7") && l.contains("answered"))
            .count(),
        1,
        "one line per request:\n{all}"
    );
    for secret in [
        cookie.as_str(),
        AGENT.password,
        "not-the-password-1",
        "secretQuery",
        "hush",
        LINDA_ID,
    ] {
        assert!(!all.contains(secret), "{secret} is in the log:\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_and_metrics_on_their_own_listener() {
    let server = Server::start(&["--log-format", "json", "--metrics-listen", "127.0.0.1:0"]);
    let metrics_url = server.metrics.clone().expect("metrics address on stdout");
    let c = client();
    let (status, _) = sign_in(&c, &server.url, "wrong-password", "login-1").await;
    assert_eq!(status, 401);
    let text = c
        .get(&metrics_url)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert_eq!(
        sample(
            &text,
            "asm_sign_in_failures_total",
            r#"method="password",reason="InvalidCredentialsError""#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "asm_http_requests_total",
            r#"method="POST",route="/asm/agents/login",status="4xx""#
        ),
        Some(1.0),
        "{text}"
    );
    let log = server.stop();
    let events: Vec<serde_json::Value> = log
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let answered = events
        .iter()
        .find(|e| e["message"] == "answered" && e["span"]["request_id"] == "login-1")
        .unwrap_or_else(|| panic!("no answered event: {log:?}"));
    assert_eq!(answered["status"], 401);
    assert_eq!(answered["span"]["route"], "/asm/agents/login");
    assert_eq!(answered["span"]["method"], "POST");
    assert!(!log.join("\n").contains("wrong-password"));
}
