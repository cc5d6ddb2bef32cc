//! Two middleware processes on one PostgreSQL session store (`--store postgres://…`), as behind a
//! load balancer: signed in on A, valid on B; searching, emulating and writing on B; A killed
//! with SIGKILL in the middle of a loop of writes alternating A and B; B carries on. Then: no
//! session was lost (B, and A restarted), 5 wrong passwords on A and B together throttle the
//! account on both, a sign-out on B is final on A too, and every acknowledged write has its
//! audit record.
//!
//! Runs only with `ASM_TEST_POSTGRES` (`cargo xtask test` starts a private cluster); skipped
//! with a notice without it, and fails when `CI` is set without it.

use crate::pg_support;

use asm_middleware::commerce::embedded::seed::{AGENT, LINDA_ID, MANAGER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ORIGIN: &str = "http://shop.example";
/// Writes in the loop (each a cart read-or-create and an entry add).
const WRITES: usize = 30;
/// A is killed at this write.
const KILL_AT: usize = 12;
/// The whole loop must finish within this.
const LOOP_BUDGET: Duration = Duration::from_secs(120);

/// One `asm-middleware` process; killed (and reaped) on drop, whatever the test does.
struct Instance {
    name: &'static str,
    child: Option<Child>,
    base: String,
    log: PathBuf,
}

impl Instance {
    /// Starts an instance on a free loopback port and waits (at most 60 s) for `/healthz`.
    async fn start(name: &'static str, dir: &Path, store_url: &str) -> Instance {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let dist = dir.join("dist");
        std::fs::create_dir_all(&dist).expect("dist dir");
        let log = dir.join(format!("{name}-{port}.log"));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_asm-middleware"))
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--store")
            .arg(store_url)
            .arg("--db")
            .arg(dir.join("shop.sqlite"))
            .args(["--customers", "200"])
            .arg("--dist")
            .arg(&dist)
            .args(["--allowed-origins", ORIGIN])
            .env_remove("ASM_STORE")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn asm-middleware");
        let mut instance = Instance {
            name,
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        instance.wait_healthy().await;
        instance
    }

    async fn wait_healthy(&mut self) {
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "instance {} exited ({status}) before it was ready:\n{}",
                    self.name,
                    self.log_text()
                );
            }
            if let Ok(res) = client.get(format!("{}/healthz", self.base)).send().await {
                if res.status() == StatusCode::OK {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "instance {} not ready within 60 s:\n{}",
                self.name,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, then reap.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// An answer: status and body (JSON when it is JSON).
struct Answer {
    status: StatusCode,
    body: Value,
    cookie: Option<String>,
}

impl Answer {
    fn ok(self, what: &str) -> Value {
        assert!(
            self.status.is_success(),
            "{what}: {} {}",
            self.status,
            self.body
        );
        self.body
    }

    fn error_type(&self) -> Option<&str> {
        self.body["errors"][0]["type"].as_str()
    }
}

async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    cookie: Option<&str>,
    body: Option<Value>,
) -> Result<Answer, reqwest::Error> {
    let mut req = client.request(method.clone(), url).header("Origin", ORIGIN);
    if method != reqwest::Method::GET {
        req = req.header("X-ASM-Request", "1");
    }
    if let Some(c) = cookie {
        req = req.header("Cookie", format!("asm_session={c}"));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await?;
    let status = res.status();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix("asm_session=")
                .and_then(|rest| rest.split(';').next())
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        });
    let text = res.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Answer {
        status,
        body,
        cookie,
    })
}

async fn get(c: &reqwest::Client, i: &Instance, path: &str, cookie: Option<&str>) -> Answer {
    send(c, reqwest::Method::GET, i.url(path), cookie, None)
        .await
        .unwrap_or_else(|e| panic!("GET {path} on {}: {e}", i.name))
}

async fn post(
    c: &reqwest::Client,
    i: &Instance,
    path: &str,
    cookie: Option<&str>,
    body: Value,
) -> Answer {
    send(c, reqwest::Method::POST, i.url(path), cookie, Some(body))
        .await
        .unwrap_or_else(|e| panic!("POST {path} on {}: {e}", i.name))
}

async fn login(c: &reqwest::Client, i: &Instance, user: &str, password: &str) -> Answer {
    post(
        c,
        i,
        "/asm/agents/login",
        None,
        json!({"username": user, "password": password}),
    )
    .await
}

/// Sum of the quantities of a cart.
fn quantity(cart: &Value) -> u64 {
    cart["entries"]
        .as_array()
        .map(|es| es.iter().filter_map(|e| e["quantity"].as_u64()).sum())
        .unwrap_or(0)
}

/// Every audit record of `action` about Linda, read through `i` as the sales manager.
async fn audit_records(
    c: &reqwest::Client,
    i: &Instance,
    manager: &str,
    action: &str,
) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 0..100 {
        let body = get(
            c,
            i,
            &format!(
                "/asm/audit?action={action}&customerId={LINDA_ID}&pageSize=100&currentPage={page}"
            ),
            Some(manager),
        )
        .await
        .ok("audit page");
        let entries = body["entries"].as_array().cloned().unwrap_or_default();
        let done = entries.len() < 100;
        all.extend(entries);
        if done {
            return all;
        }
    }
    panic!("more than 10,000 audit records");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_throttle_and_audit_and_survive_a_kill() {
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let c = client();

    // A first (it seeds the shop file), then B.
    let mut a = Instance::start("A", dir.path(), &db.url).await;
    let b = Instance::start("B", dir.path(), &db.url).await;

    // Signed in on A, valid on B.
    let signed_in = login(&c, &a, AGENT.login, AGENT.password).await;
    let cookie = signed_in.cookie.clone().expect("sign-in sets asm_session");
    signed_in.ok("sign-in on A");
    let me = get(&c, &b, "/asm/agents/me", Some(&cookie))
        .await
        .ok("me on B");
    assert_eq!(me["agent"]["uid"], AGENT.login);

    // Search and emulate on B.
    let found = get(
        &c,
        &b,
        "/asm/customers/search?query=linda&baseSite=electronics",
        Some(&cookie),
    )
    .await
    .ok("search on B");
    assert!(
        found["entries"]
            .as_array()
            .is_some_and(|es| es.iter().any(|e| e["customerId"] == LINDA_ID)),
        "{found}"
    );
    let emulation = post(
        &c,
        &b,
        "/asm/sessions",
        Some(&cookie),
        json!({"customerId": LINDA_ID, "baseSite": "electronics", "reason": "Ticket 1"}),
    )
    .await
    .ok("emulate on B");
    let emulation_id = emulation["sessionId"]
        .as_str()
        .expect("sessionId")
        .to_owned();
    // A sees the emulation B started.
    let me = get(&c, &a, "/asm/agents/me", Some(&cookie))
        .await
        .ok("me on A");
    assert_eq!(me["emulation"]["sessionId"], emulation_id.as_str(), "{me}");

    let products = get(&c, &b, "/asm/products", None).await.ok("products");
    let codes: Vec<String> = products["products"]
        .as_array()
        .expect("products")
        .iter()
        .filter_map(|p| p["code"].as_str().map(str::to_owned))
        .collect();
    assert!(!codes.is_empty());
    let carts = format!("/asm/users/{LINDA_ID}/carts");
    let start_cart = post(&c, &b, &carts, Some(&cookie), json!({}))
        .await
        .ok("cart on B");
    let start_quantity = quantity(&start_cart);

    // Writes alternating A and B; A is killed at KILL_AT while a write to it is in flight.
    let started = Instant::now();
    let mut acknowledged = 0usize;
    let mut attempted = 0usize;
    let mut a_alive = true;
    for n in 0..WRITES {
        assert!(
            started.elapsed() < LOOP_BUDGET,
            "the write loop is too slow"
        );
        let on_a = n % 2 == 0 && a_alive;
        let target = if on_a { &a } else { &b };
        let cart = match send(
            &c,
            reqwest::Method::POST,
            target.url(&carts),
            Some(&cookie),
            Some(json!({})),
        )
        .await
        {
            Ok(ans) if ans.status.is_success() => ans.body,
            Ok(ans) => panic!("cart on {}: {} {}", target.name, ans.status, ans.body),
            Err(e) => panic!("cart on {}: {e}", target.name),
        };
        let cart_id = cart["code"].as_str().expect("cart code").to_owned();
        let target_name = target.name;
        let add = {
            let (c, cookie) = (c.clone(), cookie.clone());
            let url = target.url(&format!("{carts}/{cart_id}/entries"));
            let body = json!({"productCode": codes[n % codes.len()], "quantity": 1});
            tokio::spawn(async move {
                send(&c, reqwest::Method::POST, url, Some(&cookie), Some(body)).await
            })
        };
        attempted += 1;
        let killed_now = on_a && n >= KILL_AT;
        if killed_now {
            // Kill A while this write is on its way (it may or may not be acknowledged).
            tokio::time::sleep(Duration::from_millis(fastrand::u64(0..4))).await;
            a.kill();
            a_alive = false;
        }
        match add.await.expect("write task") {
            Ok(ans) if ans.status.is_success() => acknowledged += 1,
            Ok(ans) => panic!("write on {target_name}: {} {}", ans.status, ans.body),
            Err(e) => assert!(killed_now, "write on {target_name} failed: {e}"),
        }
    }
    assert!(!a_alive, "A was killed");
    assert!(
        acknowledged >= WRITES - 1,
        "{acknowledged} of {WRITES} acknowledged"
    );

    // The session lives on B, and so does the emulation.
    let me = get(&c, &b, "/asm/agents/me", Some(&cookie))
        .await
        .ok("me on B after the kill");
    assert_eq!(me["emulation"]["sessionId"], emulation_id.as_str(), "{me}");
    let cart = post(&c, &b, &carts, Some(&cookie), json!({}))
        .await
        .ok("cart after the loop");
    let added = quantity(&cart) - start_quantity;
    assert!(
        added >= acknowledged as u64 && added <= attempted as u64,
        "{added} added, {acknowledged} acknowledged, {attempted} attempted"
    );

    // A restarts: nobody was signed out.
    let a2 = Instance::start("A2", dir.path(), &db.url).await;
    let me = get(&c, &a2, "/asm/agents/me", Some(&cookie))
        .await
        .ok("me on restarted A");
    assert_eq!(me["emulation"]["sessionId"], emulation_id.as_str(), "{me}");

    // Every acknowledged write has its audit record (outcome `ok`).
    let manager = login(&c, &b, MANAGER.login, MANAGER.password).await;
    let manager_cookie = manager.cookie.clone().expect("manager cookie");
    manager.ok("manager sign-in on B");
    let adds = audit_records(&c, &a2, &manager_cookie, "cart-entry-add").await;
    let ok = adds
        .iter()
        .filter(|e| e["outcome"] == "ok" && e["agentId"] == AGENT.login)
        .count();
    assert!(
        ok >= acknowledged,
        "{ok} audited `ok` adds, {acknowledged} acknowledged: {adds:?}"
    );
    assert!(
        adds.len() <= attempted,
        "{} records, {attempted} attempts",
        adds.len()
    );
    eprintln!(
        "multi-instance: {attempted} writes attempted, {acknowledged} acknowledged, \
         {added} applied, {ok} audited `ok` ({} records)",
        adds.len()
    );
    let starts = audit_records(&c, &b, &manager_cookie, "emulation-start").await;
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0]["detail"], "Ticket 1");

    // Five wrong passwords, on A and B in turn, throttle the account on both.
    for n in 0..5 {
        let target = if n % 2 == 0 { &a2 } else { &b };
        let res = login(&c, target, AGENT.login, "wrong password").await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "wrong password {n} on {}: {}",
            target.name,
            res.body
        );
    }
    for target in [&b, &a2] {
        let res = login(&c, target, AGENT.login, AGENT.password).await;
        assert_eq!(
            res.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the account is throttled on {}: {}",
            target.name,
            res.body
        );
        assert_eq!(
            res.error_type(),
            Some(asm_types::error_type::TOO_MANY_ATTEMPTS)
        );
    }
    // The throttle does not touch the existing session.
    get(&c, &a2, "/asm/agents/me", Some(&cookie))
        .await
        .ok("me while throttled");

    // Sign-out on B is final everywhere.
    post(&c, &b, "/asm/agents/logout", Some(&cookie), json!({}))
        .await
        .ok("sign-out on B");
    for target in [&b, &a2] {
        let res = get(&c, target, "/asm/agents/me", Some(&cookie)).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "signed out on {}: {}",
            target.name,
            res.body
        );
    }
    let ends = audit_records(&c, &b, &manager_cookie, "emulation-end").await;
    assert_eq!(ends.len(), 1, "{ends:?}");
    assert_eq!(ends[0]["detail"], "sign-out");

    drop(a2);
    drop(b);
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_database_answers_503_and_the_instance_recovers() {
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let c = client();

    // A wrong URL: the middleware does not start, and says why.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_asm-middleware"))
        .args(["--listen", "127.0.0.1:0", "--store"])
        .arg(format!("postgres://asm@127.0.0.1:{closed}/asm"))
        .arg("--db")
        .arg(dir.path().join("shop.sqlite"))
        .args(["--customers", "200"])
        .env_remove("ASM_STORE")
        .stdin(Stdio::null())
        .output()
        .expect("run asm-middleware");
    assert!(!out.status.success());
    assert!(started.elapsed() < Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot connect to PostgreSQL at asm@127.0.0.1"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Running on the database through a proxy that can be cut.
    let mut proxy = pg_support::Proxy::start(&db.url).await;
    let a = Instance::start("A", dir.path(), &proxy.url).await;
    let signed_in = login(&c, &a, AGENT.login, AGENT.password).await;
    let cookie = signed_in.cookie.clone().expect("cookie");
    signed_in.ok("sign-in");
    get(&c, &a, "/asm/agents/me", Some(&cookie)).await.ok("me");

    // The database goes away: 503 with the error body and Retry-After, quickly, no panic.
    proxy.cut();
    for _ in 0..3 {
        let started = Instant::now();
        let res = send(
            &c,
            reqwest::Method::GET,
            a.url("/asm/agents/me"),
            Some(&cookie),
            None,
        )
        .await
        .expect("an answer, not a dropped connection");
        assert!(started.elapsed() < Duration::from_secs(8));
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
        assert_eq!(res.error_type(), Some(asm_types::error_type::UNAVAILABLE));
    }
    let res = c
        .get(a.url("/asm/agents/me"))
        .header("Cookie", format!("asm_session={cookie}"))
        .send()
        .await
        .expect("answer");
    assert!(res.headers().contains_key("retry-after"), "{res:?}");
    let res = login(&c, &a, AGENT.login, AGENT.password).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);

    // It comes back: the same session works again, without restarting the middleware.
    proxy.listen().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let res = get(&c, &a, "/asm/agents/me", Some(&cookie)).await;
        if res.status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {} {}",
            res.status,
            res.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!a.log_text().contains("panicked"), "{}", a.log_text());
    drop(a);
    drop(proxy);
    drop(db);
}
