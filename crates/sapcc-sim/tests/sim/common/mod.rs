#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use sapcc_sim::{Config, Sim};
use serde_json::Value;
use tower::ServiceExt;

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const CLIENT: &str = "client_id=mobile_android&client_secret=secret";
pub const SITE: &str = "electronics-spa";
pub const LINDA: &str = "linda.wolf@rustic-hw.com";
pub const LINDA_ID: &str = "8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601";

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// The first OCC error entry.
    pub fn error(&self) -> Value {
        self.json()["errors"][0].clone()
    }
}

pub fn sim() -> Sim {
    Sim::new(Config::default())
}

pub async fn call(
    sim: &Sim,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Body::from(body.to_string())).expect("request");
    let res = sim.router().oneshot(req).await.expect("answer");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn form(sim: &Sim, uri: &str, body: &str) -> Answer {
    call(
        sim,
        Method::POST,
        uri,
        &[(header::CONTENT_TYPE.as_str(), FORM)],
        body,
    )
    .await
}

/// Password grant; returns the token response.
pub async fn password_grant(sim: &Sim, user: &str, password: &str) -> Answer {
    form(
        sim,
        "/authorizationserver/oauth/token",
        &format!("grant_type=password&scope=&{CLIENT}&username={user}&password={password}"),
    )
    .await
}

pub async fn token(sim: &Sim, user: &str) -> String {
    let a = password_grant(sim, user, "pw4all").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

pub async fn get(sim: &Sim, uri: &str, token: &str) -> Answer {
    let auth = format!("Bearer {token}");
    call(sim, Method::GET, uri, &[("authorization", &auth)], "").await
}

pub async fn send(sim: &Sim, method: Method, uri: &str, token: &str, json: &str) -> Answer {
    let auth = format!("Bearer {token}");
    call(
        sim,
        method,
        uri,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        json,
    )
    .await
}

pub async fn send_form(sim: &Sim, method: Method, uri: &str, token: &str, body: &str) -> Answer {
    let auth = format!("Bearer {token}");
    call(
        sim,
        method,
        uri,
        &[("authorization", &auth), ("content-type", FORM)],
        body,
    )
    .await
}
