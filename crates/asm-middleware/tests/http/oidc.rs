//! Agent sign-in through a real OpenID provider (npm `oidc-provider`, started by
//! `tests/oidc/provider.mjs` on loopback): the middleware's start and callback routes driven by
//! hand, the provider's login and consent forms posted over HTTP. Success, a wrong password at the
//! provider, cancelled consent, a replayed callback, another browser's callback (state mismatch),
//! an expired flow, an expired code, a user who is not an agent, the provider down (and back).
//!
//! Needs `node` and `node_modules/oidc-provider` (`cargo xtask setup` or `npm ci`): without them
//! the tests are skipped with a notice — except under CI (`CI` set), where they fail.

use crate::common;

use asm_types::{AuditAction, SsoError, SESSION_COOKIE, SSO_ERROR_PARAM};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::{req, Resp, TestApp};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PUBLIC_URL: &str = "http://asm.test";
const CALLBACK: &str = "http://asm.test/asm/agents/sso/callback";
const CLIENT_ID: &str = "asm-test";
const CLIENT_SECRET: &str = "asm-test-secret";
const LABEL: &str = "Test IdP";
/// A storefront page with ASM on and a deep link (on `Config::for_tests`' allowed origin).
const RETURN_TO: &str = "http://shop.example/c/cameras?asm=true&customerId=C-LINDA&ticketId=T-4711";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The provider process, killed when dropped.
struct Idp {
    child: Child,
    issuer: String,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the provider (on `port`, or a free one), or `None` (after a notice) when node or the
/// npm package is missing outside CI.
fn idp(port: Option<u16>) -> Option<Idp> {
    let installed = root()
        .join("node_modules/oidc-provider/package.json")
        .exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "node_modules/oidc-provider is missing, but CI is set: the OIDC tests must run in CI \
             (`cargo xtask setup` installs the npm packages)"
        );
        eprintln!("notice: node or node_modules/oidc-provider missing: skipping this OIDC test (run `npm ci`)");
        return None;
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(root())
        .args(["tests/oidc/provider.mjs", "--redirect-uri", CALLBACK])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(p) = port {
        cmd.args(["--port", &p.to_string()]);
    }
    let mut child = cmd.spawn().expect("start node");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("oidc-provider listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    // Bounded: a provider that does not start fails the test instead of hanging it.
    let issuer = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(url) => url,
        Err(_) => {
            let _ = child.kill();
            panic!("oidc-provider did not start within 60 s");
        }
    };
    Some(Idp { child, issuer })
}

fn app_for(issuer: &str) -> TestApp {
    let issuer = issuer.to_owned();
    TestApp::with_config(move |c| {
        c.public_url = Some(PUBLIC_URL.into());
        c.oidc.issuer = Some(issuer);
        c.oidc.client_id = Some(CLIENT_ID.into());
        c.oidc.client_secret = Some(CLIENT_SECRET.into());
        c.oidc.label = LABEL.into();
    })
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// One browser: its cookies for the middleware (sent by hand through the router) and a cookie
/// store for the provider.
struct Browser {
    idp: reqwest::Client,
    app_cookies: BTreeMap<String, String>,
}

/// Where the provider's pages led.
#[derive(Debug)]
enum AtIdp {
    /// The provider sent the browser back to the middleware's callback with this URL.
    Callback(String),
    /// The provider shows a page (status, URL, body).
    Page(u16, String, String),
}

impl Browser {
    fn new() -> Self {
        Self {
            idp: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            app_cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.app_cookies.is_empty()).then(|| {
            self.app_cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// `GET url` on the middleware (an `http://asm.test/...` URL or a path), keeping its cookies.
    async fn app_get(&mut self, app: &TestApp, url: &str) -> Resp {
        let path = url.strip_prefix(PUBLIC_URL).unwrap_or(url);
        let mut b = req(Method::GET, path);
        if let Some(c) = self.cookie_header() {
            b = b.header(header::COOKIE, c);
        }
        let res = app.send(b.body(Body::empty()).expect("request")).await;
        for c in res.set_cookies() {
            let first = c.split(';').next().unwrap_or_default();
            let (name, value) = first.split_once('=').expect("cookie");
            let removed = value.is_empty() || c.contains("Max-Age=0");
            if removed {
                self.app_cookies.remove(name);
            } else {
                self.app_cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        res
    }

    /// Follows the provider's redirects from `url` until a page or the middleware's callback.
    async fn follow(
        &self,
        issuer: &str,
        mut url: String,
        mut form: Option<Vec<(&str, &str)>>,
    ) -> AtIdp {
        for _ in 0..20 {
            if url.starts_with(PUBLIC_URL) {
                return AtIdp::Callback(url);
            }
            let res = match form.take() {
                Some(f) => self.idp.post(&url).form(&f).send().await,
                None => self.idp.get(&url).send().await,
            }
            .expect("provider answers");
            let status = res.status().as_u16();
            if (300..400).contains(&status) {
                let location = res
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .expect("location")
                    .to_owned();
                url = url::Url::parse(&url)
                    .and_then(|base| base.join(&location))
                    .expect("location URL")
                    .to_string();
                continue;
            }
            let body = res.text().await.expect("body");
            return AtIdp::Page(status, url, body);
        }
        panic!("too many redirects at the provider (issuer {issuer})");
    }

    /// Starts a sign-in on the middleware (to `return_to`) and follows it to the provider's
    /// login page; returns that page's interaction URL.
    async fn start(&mut self, app: &TestApp, issuer: &str, return_to: &str) -> String {
        let res = self
            .app_get(
                app,
                &format!("/asm/agents/sso/start?returnTo={}", encode(return_to)),
            )
            .await;
        assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
        let location = res.header("location").expect("location").to_owned();
        assert!(location.starts_with(issuer), "to the provider: {location}");
        let auth = url::Url::parse(&location).expect("url");
        let q: BTreeMap<String, String> = auth.query_pairs().into_owned().collect();
        assert_eq!(
            q.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        assert_eq!(q.get("redirect_uri").map(String::as_str), Some(CALLBACK));
        assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
        assert!(q.get("code_challenge").is_some_and(|c| c.len() == 43));
        assert!(q.get("state").is_some_and(|s| s.len() >= 32) && q.contains_key("nonce"));
        match self.follow(issuer, location, None).await {
            AtIdp::Page(200, url, body) if body.contains("data-prompt=\"login\"") => url,
            other => panic!("expected the login page, got {other:?}"),
        }
    }

    /// Posts the login form of `interaction`.
    async fn login(&self, issuer: &str, interaction: &str, user: &str, password: &str) -> AtIdp {
        let url = format!("{interaction}/login");
        self.follow(
            issuer,
            url,
            Some(vec![("login", user), ("password", password)]),
        )
        .await
    }

    /// On the consent page: allow (or deny) and follow to the callback.
    async fn consent(&self, issuer: &str, at: AtIdp, allow: bool) -> String {
        let AtIdp::Page(200, url, body) = at else {
            panic!("expected the consent page, got {at:?}");
        };
        assert!(body.contains("data-prompt=\"consent\""), "{body}");
        let action = if allow { "confirm" } else { "abort" };
        match self
            .follow(issuer, format!("{url}/{action}"), Some(vec![]))
            .await
        {
            AtIdp::Callback(url) => url,
            other => panic!("expected the callback, got {other:?}"),
        }
    }

    /// The whole way at the provider: start, log in, allow; the callback URL (not yet delivered).
    async fn through_idp(
        &mut self,
        app: &TestApp,
        issuer: &str,
        user: &str,
        password: &str,
    ) -> String {
        let interaction = self.start(app, issuer, RETURN_TO).await;
        let at = self.login(issuer, &interaction, user, password).await;
        self.consent(issuer, at, true).await
    }
}

/// The `asmSsoError` of a redirect back to the storefront, after checking it is `RETURN_TO`'s
/// page with its deep link kept.
fn sso_error_of(res: &Resp) -> Option<String> {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
    let location = url::Url::parse(res.header("location").expect("location")).expect("url");
    let expected = url::Url::parse(RETURN_TO).expect("url");
    assert_eq!(location.origin(), expected.origin());
    assert_eq!(location.path(), expected.path());
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != SSO_ERROR_PARAM)
        .cloned()
        .collect();
    assert_eq!(
        kept,
        expected.query_pairs().into_owned().collect::<Vec<_>>(),
        "deep link kept"
    );
    pairs
        .into_iter()
        .find(|(k, _)| k == SSO_ERROR_PARAM)
        .map(|(_, v)| v)
}

fn failures(app: &TestApp) -> Vec<String> {
    app.audit_of(AuditAction::SsoSignInFailed.as_str())
        .into_iter()
        .filter_map(|r| r.detail)
        .collect()
}

fn sessions(app: &TestApp) -> u64 {
    common::block(app.state.sessions.count_agent_sessions(None)).expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_signs_in_and_lands_back_on_the_page_with_the_deep_link() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    let mut browser = Browser::new();

    let options = browser.app_get(&app, "/asm/agents/sign-in-options").await;
    assert_eq!(options.status, StatusCode::OK);
    assert_eq!(
        options.json(),
        serde_json::json!({"password": true, "sso": {"label": LABEL, "startUrl": "http://asm.test/asm/agents/sso/start"}})
    );

    let callback = browser
        .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
        .await;
    assert!(browser.app_cookies.contains_key("asm_sso_flow"));
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some(RETURN_TO),
        "back on the page, deep link kept"
    );
    let session = res.session_set_cookie().expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(
        !browser.app_cookies.contains_key("asm_sso_flow"),
        "flow cookie cleared"
    );

    let me = browser.app_get(&app, "/asm/agents/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    let agent = &me.json()["agent"];
    assert_eq!(agent["uid"], "jdoe");
    assert_eq!(agent["name"], "Jane Doe");
    assert_eq!(agent["email"], "jane.doe@example.com");
    assert_eq!(agent["groups"], serde_json::json!(["asagentgroup"]));
    let audited = app.audit_of(AuditAction::SsoSignIn.as_str());
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].agent.as_deref(), Some("jdoe"));
    assert_eq!(audited[0].detail.as_deref(), Some(LABEL));
    assert_eq!(app.audit_of(AuditAction::SignIn.as_str()).len(), 1);

    // A sales manager's groups map to the manager group (and the token is no bearer for the
    // browser: only the session cookie is set).
    let mut manager = Browser::new();
    let callback = manager
        .through_idp(&app, &idp.issuer, "mmanager", "Manager#2026")
        .await;
    let res = manager.app_get(&app, &callback).await;
    assert_eq!(res.header("location"), Some(RETURN_TO));
    assert!(res
        .set_cookies()
        .iter()
        .all(|c| c.starts_with(SESSION_COOKIE) || c.starts_with("asm_sso_flow=")));
    let me = manager.app_get(&app, "/asm/agents/me").await.json();
    assert_eq!(
        me["agent"]["groups"],
        serde_json::json!(["asagentgroup", "asagentsalesmanagergroup"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_at_the_provider_is_refused_there_and_the_agent_can_retry() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    let mut browser = Browser::new();
    let interaction = browser.start(&app, &idp.issuer, RETURN_TO).await;
    match browser
        .login(&idp.issuer, &interaction, "jdoe", "wrong")
        .await
    {
        AtIdp::Page(401, _, body) => assert!(body.contains("Wrong username or password"), "{body}"),
        other => panic!("expected the login page again, got {other:?}"),
    }
    assert_eq!(sessions(&app), 0);
    let at = browser
        .login(&idp.issuer, &interaction, "jdoe", "Agent#2026")
        .await;
    let callback = browser.consent(&idp.issuer, at, true).await;
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(sso_error_of(&res), None);
    assert_eq!(sessions(&app), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelled_consent_goes_back_with_cancelled() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    let mut browser = Browser::new();
    let interaction = browser.start(&app, &idp.issuer, RETURN_TO).await;
    let at = browser
        .login(&idp.issuer, &interaction, "jdoe", "Agent#2026")
        .await;
    let callback = browser.consent(&idp.issuer, at, false).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(
        sso_error_of(&res).as_deref(),
        Some(SsoError::Cancelled.as_str())
    );
    assert!(res
        .session_set_cookie()
        .is_none_or(|c| c.starts_with(&format!("{SESSION_COOKIE}=;"))));
    assert_eq!(sessions(&app), 0);
    assert_eq!(
        failures(&app),
        vec![format!("{LABEL}: provider: access_denied")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_callback_is_refused() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    let mut browser = Browser::new();
    let callback = browser
        .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
        .await;
    let flow_cookie = browser
        .app_cookies
        .get("asm_sso_flow")
        .cloned()
        .expect("flow cookie");
    let first = browser.app_get(&app, &callback).await;
    assert_eq!(sso_error_of(&first), None);
    // The same answer again, even with the flow cookie put back: used once.
    browser
        .app_cookies
        .insert("asm_sso_flow".into(), flow_cookie);
    browser.app_cookies.remove(SESSION_COOKIE);
    let again = browser.app_get(&app, &callback).await;
    assert_eq!(
        sso_error_of(&again).as_deref(),
        Some(SsoError::Expired.as_str())
    );
    assert!(again.session_set_cookie().is_none());
    assert_eq!(sessions(&app), 1);
    assert_eq!(failures(&app), vec![format!("{LABEL}: replayed callback")]);
}

/// RFC 9207: the provider announces `iss` in its discovery document, so a callback whose `iss`
/// names another issuer (a mix-up attack) or has none is refused, and nothing is signed in.
#[tokio::test(flavor = "multi_thread")]
async fn a_callback_from_another_issuer_or_without_one_is_refused() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    for forged in [Some("https://evil.example.com"), None] {
        let mut browser = Browser::new();
        let callback = browser
            .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
            .await;
        let mut url = url::Url::parse(&callback).expect("callback URL");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(
            pairs.iter().any(|(k, v)| k == "iss" && *v == idp.issuer),
            "the provider sends its issuer: {callback}"
        );
        let kept: Vec<(String, String)> =
            pairs.iter().filter(|(k, _)| k != "iss").cloned().collect();
        url.query_pairs_mut().clear().extend_pairs(&kept);
        if let Some(other) = forged {
            url.query_pairs_mut().append_pair("iss", other);
        }
        let res = browser.app_get(&app, url.as_str()).await;
        assert_eq!(
            sso_error_of(&res).as_deref(),
            Some(SsoError::ProviderError.as_str()),
            "iss {forged:?}"
        );
        assert!(res.session_set_cookie().is_none());
    }
    assert_eq!(sessions(&app), 0);
    assert_eq!(
        failures(&app),
        vec![
            format!("{LABEL}: issuer mismatch"),
            format!("{LABEL}: issuer mismatch")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn another_browsers_callback_or_a_forged_state_is_refused() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    let mut victim = Browser::new();
    // The attacker signs in at the provider and hands the callback to another browser.
    let mut attacker = Browser::new();
    let callback = attacker
        .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
        .await;
    let res = victim.app_get(&app, &callback).await;
    assert_eq!(
        sso_error_of(&res).as_deref(),
        Some(SsoError::StateMismatch.as_str())
    );
    assert!(res.session_set_cookie().is_none());
    assert_eq!(sessions(&app), 0);

    // A state nobody started: no page to go back to, a short HTML page.
    let url = url::Url::parse(&callback).expect("url");
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let forged = victim
        .app_get(
            &app,
            &format!(
                "/asm/agents/sso/callback?code={}&state=forged",
                encode(&code)
            ),
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert!(
        forged.content_type().starts_with("text/html"),
        "{}",
        forged.content_type()
    );
    assert!(forged.text().contains(SsoError::Expired.message()));
    assert!(forged.header("location").is_none());
    let missing = victim.app_get(&app, "/asm/agents/sso/callback").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        failures(&app),
        vec![
            format!("{LABEL}: state mismatch"),
            format!("{LABEL}: unknown state"),
            format!("{LABEL}: no state")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_flow_and_an_expired_code_are_refused() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    // The flow: ten minutes on the middleware's clock.
    let mut browser = Browser::new();
    let callback = browser
        .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
        .await;
    app.advance_secs(10 * 60);
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(
        sso_error_of(&res).as_deref(),
        Some(SsoError::Expired.as_str())
    );

    // The code: the provider expires it (its own clock), the exchange is refused.
    let mut browser = Browser::new();
    let callback = browser
        .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
        .await;
    let expired = reqwest::Client::new()
        .post(format!("{}/test/expire-codes", idp.issuer))
        .send()
        .await
        .expect("hook");
    assert_eq!(expired.status().as_u16(), 204);
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(
        sso_error_of(&res).as_deref(),
        Some(SsoError::ProviderError.as_str())
    );
    assert_eq!(sessions(&app), 0);
    assert_eq!(
        failures(&app),
        vec![
            format!("{LABEL}: expired"),
            format!("{LABEL}: SignInProviderError")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_agent_group_is_refused_and_audited() {
    let Some(idp) = idp(None) else { return };
    let app = app_for(&idp.issuer);
    let mut browser = Browser::new();
    let callback = browser
        .through_idp(&app, &idp.issuer, "linda", "Customer#2026")
        .await;
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(
        sso_error_of(&res).as_deref(),
        Some(SsoError::NotAnAgent.as_str())
    );
    assert_eq!(sessions(&app), 0);
    let refused = app.audit_of(AuditAction::SignInRefusedCustomer.as_str());
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].detail.as_deref(), Some("linda"));
    let me = browser.app_get(&app, "/asm/agents/me").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_provider_sends_the_agent_back_and_is_tried_again_when_it_is_up() {
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let installed = root()
        .join("node_modules/oidc-provider/package.json")
        .exists();
    if !installed && std::env::var_os("CI").is_none() {
        eprintln!("notice: node_modules/oidc-provider missing: skipping this OIDC test");
        return;
    }
    let issuer = format!("http://127.0.0.1:{port}");
    let app = app_for(&issuer);
    let mut browser = Browser::new();
    let res = browser
        .app_get(
            &app,
            &format!("/asm/agents/sso/start?returnTo={}", encode(RETURN_TO)),
        )
        .await;
    assert_eq!(
        sso_error_of(&res).as_deref(),
        Some(SsoError::ProviderUnavailable.as_str())
    );
    assert!(!browser.app_cookies.contains_key("asm_sso_flow"));
    assert_eq!(
        failures(&app),
        vec![format!("{LABEL}: ServiceUnavailableError")]
    );
    // The rest of the middleware works.
    let options = browser.app_get(&app, "/asm/agents/sign-in-options").await;
    assert_eq!(options.json()["sso"]["label"], LABEL);

    // Up again on that address: the next sign-in discovers it.
    let Some(idp) = idp(Some(port)) else { return };
    assert_eq!(idp.issuer, issuer);
    let callback = browser
        .through_idp(&app, &idp.issuer, "jdoe", "Agent#2026")
        .await;
    let res = browser.app_get(&app, &callback).await;
    assert_eq!(sso_error_of(&res), None);
    assert_eq!(sessions(&app), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn return_to_must_be_an_allowed_page() {
    // No provider process needed: the checks come before any call to it.
    let app = TestApp::with_config(|c| {
        c.public_url = Some(PUBLIC_URL.into());
        c.oidc.issuer = Some("http://127.0.0.1:9".into());
        c.oidc.client_id = Some(CLIENT_ID.into());
        c.secure_cookie = true;
    });
    let mut browser = Browser::new();
    for bad in [
        None,
        Some("https://evil.example/"),
        Some("//evil.example/"),
        Some("/relative"),
        Some("javascript:alert(1)"),
        Some("http://user:pw@shop.example/"),
    ] {
        let path = match bad {
            Some(b) => format!("/asm/agents/sso/start?returnTo={}", encode(b)),
            None => "/asm/agents/sso/start".into(),
        };
        let res = browser.app_get(&app, &path).await;
        let e = res.assert_error(StatusCode::BAD_REQUEST, asm_types::error_type::VALIDATION);
        assert_eq!(e.subject.as_deref(), Some("returnTo"), "{bad:?}");
        assert!(res.header("location").is_none());
    }
    // The server's own origin is allowed too; the dead provider sends the agent back there.
    let own = "http://asm.test/?asm=true";
    let res = browser
        .app_get(
            &app,
            &format!("/asm/agents/sso/start?returnTo={}", encode(own)),
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(
        res.header("location"),
        Some("http://asm.test/?asm=true&asmSsoError=provider-unavailable")
    );
    assert!(res.header("strict-transport-security").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_flow_cookie_is_lax_httponly_and_short_lived() {
    let Some(idp) = idp(None) else { return };
    let app = TestApp::with_config({
        let issuer = idp.issuer.clone();
        move |c| {
            c.public_url = Some(PUBLIC_URL.into());
            c.oidc.issuer = Some(issuer);
            c.oidc.client_id = Some(CLIENT_ID.into());
            c.oidc.client_secret = Some(CLIENT_SECRET.into());
            c.secure_cookie = true;
        }
    });
    let mut browser = Browser::new();
    let res = browser
        .app_get(
            &app,
            &format!("/asm/agents/sso/start?returnTo={}", encode(RETURN_TO)),
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text());
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("asm_sso_flow="))
        .expect("flow cookie");
    for part in [
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/asm/agents/sso",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_provider_there_is_no_sso_and_password_sign_in_can_be_turned_off() {
    let app = TestApp::new();
    let mut browser = Browser::new();
    let options = browser
        .app_get(&app, "/asm/agents/sign-in-options")
        .await
        .json();
    assert_eq!(options, serde_json::json!({"password": true}));
    let start = browser
        .app_get(
            &app,
            &format!("/asm/agents/sso/start?returnTo={}", encode(RETURN_TO)),
        )
        .await;
    start.assert_error(StatusCode::NOT_FOUND, asm_types::error_type::NOT_FOUND);
    let callback = browser
        .app_get(&app, "/asm/agents/sso/callback?code=x&state=y")
        .await;
    assert_eq!(callback.status, StatusCode::NOT_FOUND);

    let app = TestApp::with_config(|c| c.password_sign_in = false);
    let options: Value = Browser::new()
        .app_get(&app, "/asm/agents/sign-in-options")
        .await
        .json();
    assert_eq!(options["password"], false);
    let res = app
        .post_json(
            "/asm/agents/login",
            None,
            &serde_json::json!({"username": "asagent", "password": "Agent#2026"}),
        )
        .await;
    res.assert_error(StatusCode::FORBIDDEN, asm_types::error_type::FORBIDDEN);
}
