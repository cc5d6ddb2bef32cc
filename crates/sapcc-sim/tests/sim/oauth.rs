//! §2: password grant, refresh with rotation, expiry, revoke, authorization code + PKCE.

use crate::common;

use axum::http::{Method, StatusCode};
use common::*;
use sapcc_sim::{AuthMode, Config, Sim};

#[tokio::test]
async fn password_grant_answers_the_rfc6749_shape() {
    let sim = sim();
    let a = password_grant(&sim, "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::OK);
    let j = a.json();
    assert_eq!(j["token_type"], "bearer");
    assert!(j["access_token"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(j["refresh_token"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(j["expires_in"], 43_200);
    assert_eq!(j["scope"], "basic openid");
    assert_eq!(a.header("cache-control").as_deref(), Some("no-store"));
}

#[tokio::test]
async fn password_grant_does_not_depend_on_field_order_and_accepts_basic_auth() {
    let sim = sim();
    let a = form(
        &sim,
        "/authorizationserver/oauth/token",
        &format!("password=pw4all&username=asagent&{CLIENT}&grant_type=password"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    // mobile_android:secret
    let a = call(
        &sim,
        Method::POST,
        "/authorizationserver/oauth/token",
        &[
            ("content-type", FORM),
            ("authorization", "Basic bW9iaWxlX2FuZHJvaWQ6c2VjcmV0"),
        ],
        "grant_type=password&username=asagent&password=pw4all",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}

#[tokio::test]
async fn wrong_password_is_invalid_grant_bad_credentials() {
    let sim = sim();
    let a = password_grant(&sim, "asagent", "nope").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.json(),
        serde_json::json!({"error": "invalid_grant", "error_description": "Bad credentials"})
    );
}

#[tokio::test]
async fn disabled_user_is_invalid_grant() {
    let sim = sim();
    let a = password_grant(&sim, "hans.dampf@example.com", "pw4all").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "invalid_grant");
    assert!(a.json()["error_description"]
        .as_str()
        .unwrap_or("")
        .contains("disabled"));
}

#[tokio::test]
async fn bad_client_is_invalid_client_401() {
    let sim = sim();
    let a = form(&sim, "/authorizationserver/oauth/token", "grant_type=password&client_id=mobile_android&client_secret=x&username=asagent&password=pw4all").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.json()["error"], "invalid_client");
}

#[tokio::test]
async fn unknown_grant_is_unsupported_grant_type() {
    let sim = sim();
    let a = form(
        &sim,
        "/authorizationserver/oauth/token",
        &format!("grant_type=implicit&{CLIENT}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn simultaneous_logins_get_the_same_pair_on_the_jdk17_line() {
    let sim = sim();
    let a = password_grant(&sim, "asagent", "pw4all").await.json();
    let b = password_grant(&sim, "asagent", "pw4all").await.json();
    assert_eq!(a["access_token"], b["access_token"]);
    assert_eq!(a["refresh_token"], b["refresh_token"]);
}

#[tokio::test]
async fn expired_token_is_401_invalid_token_error() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let uri = format!("/assistedservicewebservices/customerlists?baseSite={SITE}");
    assert_eq!(get(&sim, &uri, &t).await.status, StatusCode::OK);
    sim.advance_clock(43_200);
    let a = get(&sim, &uri, &t).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error()["type"], "InvalidTokenError");
    assert!(a.error()["message"].as_str().is_some());
    // The same on OCC.
    let a = get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), &t).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error()["type"], "InvalidTokenError");
}

#[tokio::test]
async fn clock_can_be_advanced_over_http() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let a = call(
        &sim,
        Method::POST,
        "/_sim/clock?advanceSeconds=50000",
        &[],
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), &t).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expiry_grace_keeps_an_expired_token_working_for_a_while() {
    let sim = Sim::new(Config {
        expiry_grace_seconds: 60,
        ..Config::default()
    });
    let t = token(&sim, "asagent").await;
    let uri = format!("/occ/v2/{SITE}/users/{LINDA}");
    sim.advance_clock(43_230);
    assert_eq!(get(&sim, &uri, &t).await.status, StatusCode::OK);
    sim.advance_clock(60);
    assert_eq!(get(&sim, &uri, &t).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_and_missing_tokens_are_401() {
    let sim = sim();
    let uri = format!("/assistedservicewebservices/customerlists?baseSite={SITE}");
    let a = get(&sim, &uri, "nonsense").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error()["type"], "InvalidTokenError");
    let a = call(&sim, Method::GET, &uri, &[], "").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.json()["errors"].is_array());
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let sim = sim();
    let t = token(&sim, "asagent").await;
    let uri = format!("/assistedservicewebservices/customerlists?baseSite={SITE}");
    for scheme in ["bearer", "Bearer", "BEARER"] {
        let auth = format!("{scheme} {t}");
        let a = call(&sim, Method::GET, &uri, &[("authorization", &auth)], "").await;
        assert_eq!(a.status, StatusCode::OK, "{scheme}");
    }
}

async fn refresh(sim: &Sim, rt: &str) -> common::Answer {
    form(
        sim,
        "/authorizationserver/oauth/token",
        &format!("grant_type=refresh_token&scope=&refresh_token={rt}&{CLIENT}"),
    )
    .await
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_old_one_is_invalid_grant() {
    let sim = sim();
    let first = password_grant(&sim, "asagent", "pw4all").await.json();
    let rt1 = first["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let a = refresh(&sim, &rt1).await;
    assert_eq!(a.status, StatusCode::OK);
    let second = a.json();
    assert_eq!(second["token_type"], "bearer");
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let t2 = second["access_token"].as_str().unwrap_or_default();
    assert_eq!(
        get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), t2)
            .await
            .status,
        StatusCode::OK
    );
    let a = refresh(&sim, &rt1).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_after_expiry_gives_a_working_token() {
    let sim = sim();
    let first = password_grant(&sim, "asagent", "pw4all").await.json();
    sim.advance_clock(50_000);
    let a = refresh(&sim, first["refresh_token"].as_str().unwrap_or_default()).await;
    assert_eq!(a.status, StatusCode::OK);
    let t = a.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), &t)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_refresh_token_is_invalid_grant() {
    let sim = sim();
    let a = refresh(&sim, "nope").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn revoke_needs_the_bearer_and_revokes_the_pair() {
    let sim = sim();
    let j = password_grant(&sim, "asagent", "pw4all").await.json();
    let at = j["access_token"].as_str().unwrap_or_default().to_string();
    let rt = j["refresh_token"].as_str().unwrap_or_default().to_string();
    // Without Authorization: refused on the JDK17 line.
    let a = form(
        &sim,
        "/authorizationserver/oauth/revoke",
        &format!("{CLIENT}&token={at}&token_type_hint=access_token"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), &at)
            .await
            .status,
        StatusCode::OK
    );
    let a = send_form(
        &sim,
        Method::POST,
        "/authorizationserver/oauth/revoke",
        &at,
        &format!("{CLIENT}&token={at}&token_type_hint=access_token"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_empty());
    let a = get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), &at).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error()["type"], "InvalidTokenError");
    // The second, parallel revocation fails (its bearer is gone) — the client must not care.
    let a = send_form(
        &sim,
        Method::POST,
        "/authorizationserver/oauth/revoke",
        &at,
        &format!("{CLIENT}&token={rt}&token_type_hint=refresh_token"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&sim, &rt).await.status, StatusCode::BAD_REQUEST);
    // A new login gets a new pair.
    let again = password_grant(&sim, "asagent", "pw4all").await.json();
    assert_ne!(again["access_token"].as_str(), Some(at.as_str()));
}

fn pkce() -> Sim {
    Sim::new(Config {
        auth_mode: AuthMode::Pkce,
        ..Config::default()
    })
}

const REDIRECT: &str = "http://127.0.0.1:8080/asm/agents/oauth/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_string()
}

/// authorize → (cookie, csrf).
async fn authorize(sim: &Sim) -> (String, String) {
    let uri = format!(
        "/authorizationserver/oauth/authorize?response_type=code&client_id=mobile_android&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256&state=xyz&scope=basic",
        enc(REDIRECT)
    );
    let a = call(sim, Method::GET, &uri, &[], "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    let cookie = a.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("JSESSIONID="));
    let cookie = cookie.split(';').next().unwrap_or_default().to_string();
    let html = a.text();
    let marker = "name=\"_csrf\" type=\"hidden\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    let csrf = html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(!csrf.is_empty());
    assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
    (cookie, csrf)
}

async fn login(sim: &Sim, cookie: &str, csrf: &str, user: &str, pw: &str) -> common::Answer {
    call(
        sim,
        Method::POST,
        "/authorizationserver/login",
        &[("content-type", FORM), ("cookie", cookie)],
        &format!("username={user}&password={pw}&_csrf={csrf}"),
    )
    .await
}

fn code_of(location: &str) -> String {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

async fn exchange(sim: &Sim, code: &str, verifier: &str, redirect: &str) -> common::Answer {
    form(
        sim,
        "/authorizationserver/oauth/token",
        &format!("grant_type=authorization_code&code={code}&code_verifier={verifier}&redirect_uri={}&{CLIENT}", enc(redirect)),
    )
    .await
}

#[tokio::test]
async fn pkce_flow_end_to_end() {
    let sim = pkce();
    let (cookie, csrf) = authorize(&sim).await;
    let a = login(&sim, &cookie, &csrf, "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::FOUND);
    let location = a.header("location").unwrap_or_default();
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert!(location.ends_with("&state=xyz"), "{location}");
    let code = code_of(&location);
    let a = exchange(&sim, &code, VERIFIER, REDIRECT).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let j = a.json();
    assert_eq!(j["token_type"], "bearer");
    assert!(
        j["refresh_token"].is_string() && j["expires_in"].is_number() && j["scope"].is_string()
    );
    let t = j["access_token"].as_str().unwrap_or_default();
    assert_eq!(
        get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), t)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn pkce_code_replay_fails_and_revokes_the_first_tokens() {
    let sim = pkce();
    let (cookie, csrf) = authorize(&sim).await;
    let code = code_of(
        &login(&sim, &cookie, &csrf, "asagent", "pw4all")
            .await
            .header("location")
            .unwrap_or_default(),
    );
    let first = exchange(&sim, &code, VERIFIER, REDIRECT).await.json();
    let t = first["access_token"].as_str().unwrap_or_default();
    let a = exchange(&sim, &code, VERIFIER, REDIRECT).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "invalid_grant");
    let a = get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), t).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error()["type"], "InvalidBearerTokenError");
}

#[tokio::test]
async fn pkce_wrong_verifier_wrong_redirect_and_expired_code_are_invalid_grant() {
    let sim = pkce();
    for case in 0..3 {
        let (cookie, csrf) = authorize(&sim).await;
        let code = code_of(
            &login(&sim, &cookie, &csrf, "asagent", "pw4all")
                .await
                .header("location")
                .unwrap_or_default(),
        );
        let a = match case {
            0 => {
                exchange(
                    &sim,
                    &code,
                    "wrong-verifier-wrong-verifier-wrong-verifier-x",
                    REDIRECT,
                )
                .await
            }
            1 => exchange(&sim, &code, VERIFIER, &format!("{REDIRECT}/")).await,
            _ => {
                sim.advance_clock(301);
                exchange(&sim, &code, VERIFIER, REDIRECT).await
            }
        };
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "case {case}");
        assert_eq!(a.json()["error"], "invalid_grant", "case {case}");
    }
}

#[tokio::test]
async fn pkce_wrong_password_redirects_to_login_with_error() {
    let sim = pkce();
    let (cookie, csrf) = authorize(&sim).await;
    let a = login(&sim, &cookie, &csrf, "asagent", "nope").await;
    assert_eq!(a.status, StatusCode::FOUND);
    assert_eq!(
        a.header("location").as_deref(),
        Some("/authorizationserver/login?error=bad_credentials")
    );
    // The login page shows the error with the same session; a retry then succeeds.
    let page = call(
        &sim,
        Method::GET,
        "/authorizationserver/login?error=bad_credentials",
        &[("cookie", &cookie)],
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Invalid username or password"));
    let a = login(&sim, &cookie, &csrf, "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::FOUND);
    assert!(a
        .header("location")
        .unwrap_or_default()
        .starts_with(REDIRECT));
}

#[tokio::test]
async fn pkce_stale_csrf_or_session_is_403_html() {
    let sim = pkce();
    let (cookie, _) = authorize(&sim).await;
    let a = login(&sim, &cookie, "stale", "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    let (cookie, csrf) = authorize(&sim).await;
    sim.advance_clock(301);
    let a = login(&sim, &cookie, &csrf, "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pkce_authorize_checks_redirect_uri_and_challenge() {
    let sim = pkce();
    let base = "/authorizationserver/oauth/authorize?response_type=code&client_id=mobile_android";
    let a = call(
        &sim,
        Method::GET,
        &format!(
            "{base}&redirect_uri={}/&code_challenge={CHALLENGE}&code_challenge_method=S256",
            enc(REDIRECT)
        ),
        &[],
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
    let a = call(
        &sim,
        Method::GET,
        &format!("{base}&redirect_uri={}&state=s1", enc(REDIRECT)),
        &[],
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::FOUND);
    let loc = a.header("location").unwrap_or_default();
    assert!(
        loc.starts_with(&format!("{REDIRECT}?error=invalid_request")),
        "{loc}"
    );
    assert!(loc.ends_with("state=s1"));
}

#[tokio::test]
async fn pkce_mode_refuses_the_password_grant() {
    let sim = pkce();
    let a = password_grant(&sim, "asagent", "pw4all").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn pkce_mode_oauth_params_in_the_url_are_401_with_an_empty_body() {
    let sim = pkce();
    let a = call(
        &sim,
        Method::POST,
        &format!(
            "/authorizationserver/oauth/token?grant_type=refresh_token&refresh_token=x&{CLIENT}"
        ),
        &[],
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.is_empty());
}

#[tokio::test]
async fn pkce_refresh_revokes_the_previous_access_token_at_once() {
    let sim = pkce();
    let (cookie, csrf) = authorize(&sim).await;
    let code = code_of(
        &login(&sim, &cookie, &csrf, "asagent", "pw4all")
            .await
            .header("location")
            .unwrap_or_default(),
    );
    let first = exchange(&sim, &code, VERIFIER, REDIRECT).await.json();
    let old = first["access_token"].as_str().unwrap_or_default();
    let a = refresh(&sim, first["refresh_token"].as_str().unwrap_or_default()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_ne!(a.json()["refresh_token"], first["refresh_token"]);
    let r = get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), old).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error()["type"], "InvalidBearerTokenError");
    assert_eq!(
        refresh(&sim, first["refresh_token"].as_str().unwrap_or_default())
            .await
            .json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn jdk17_refresh_keeps_the_old_access_token_until_it_expires() {
    let sim = sim();
    let first = password_grant(&sim, "asagent", "pw4all").await.json();
    let old = first["access_token"].as_str().unwrap_or_default();
    assert_eq!(
        refresh(&sim, first["refresh_token"].as_str().unwrap_or_default())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&sim, &format!("/occ/v2/{SITE}/users/{LINDA}"), old)
            .await
            .status,
        StatusCode::OK
    );
}
