//! The OpenAPI document served at `/asm/openapi.json`: it is OpenAPI 3.1, it documents every
//! route the router serves (derived from the router itself, not from a list kept by hand), every
//! operation documents its errors with the one error body, and real answers match the schemas.

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, DISABLED_ID, LINDA_ID, MANAGER};
use asm_middleware::config::Config;
use asm_middleware::http::{self, OPENAPI_PATH};
use asm_middleware::{AppState, Clock};
use asm_types::{error_type, REQUEST_HEADER, SESSION_COOKIE};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use tower::ServiceExt;

/// The routes of `routes/mod.rs`, written out once more: a floor under the derived list, so a
/// change that broke the derivation (and found no routes) cannot pass unnoticed.
const KNOWN_ROUTES: &[(&str, &str)] = &[
    ("POST", "/agents/login"),
    ("POST", "/agents/logout"),
    ("GET", "/agents/me"),
    ("GET", "/agents/sign-in-options"),
    ("GET", "/agents/sso/start"),
    ("GET", "/agents/sso/callback"),
    ("GET", "/agents/{agentId}"),
    ("GET", "/customers/search"),
    ("GET", "/customers/{customerId}/carts"),
    ("POST", "/customers/{customerId}/customer360"),
    ("POST", "/customers"),
    ("GET", "/customers/autocomplete"),
    ("POST", "/sessions"),
    ("GET", "/sessions/{sessionId}"),
    ("DELETE", "/sessions/{sessionId}"),
    ("GET", "/customerlists"),
    ("GET", "/customerlists/{listId}"),
    ("POST", "/bind-cart"),
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

const ERROR_LIST_REF: &str = "#/components/schemas/ErrorList";

async fn document(app: &TestApp) -> Value {
    let res = app.get("/asm/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// `(METHOD, path)` of every operation in the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method.to_lowercase()).is_some() {
                ops.insert((method.to_string(), path.clone()));
            }
        }
    }
    ops
}

/// Every operation as `(METHOD, path, operation)`.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    documented(doc)
        .into_iter()
        .map(|(m, p)| {
            let op = doc["paths"][&p][m.to_lowercase()].clone();
            (m, p, op)
        })
        .collect()
}

/// The route templates the API router serves, read from the router itself (axum's `Debug`
/// output lists every registered path).
fn served_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    // `Router { path_router: PathRouter { .., node: Node { paths: {RouteId(1): "/a", ..} } },
    // fallback_router: .. }`: only the path router's paths are routes.
    let start = debug
        .find("path_router:")
        .expect("path_router in Router's Debug");
    let end = debug
        .find("fallback_router:")
        .expect("fallback_router in Router's Debug");
    let mut paths = BTreeSet::new();
    let mut rest = &debug[start..end];
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at..];
        let Some(colon) = rest.find("): \"") else {
            break;
        };
        let after = &rest[colon + 4..];
        let end = after.find('"').expect("closing quote");
        let path = &after[..end];
        if path.starts_with('/') && !path.contains("__private__axum") {
            paths.insert(path.to_owned());
        }
        rest = &after[end..];
    }
    paths
}

fn api_state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::for_tests(dir.path().join("asm.sqlite"));
    let state =
        AppState::open(config, Clock::manual(Arc::new(AtomicI64::new(T0)))).expect("open state");
    (state, dir)
}

/// `(METHOD, path)` of every route the API router serves: its paths, and for each path the
/// methods that do not answer with the router's 405 fallback.
async fn served_routes() -> BTreeSet<(String, String)> {
    let (state, _dir) = api_state();
    let router = http::router(state);
    let mut served = BTreeSet::new();
    for path in served_paths(&router) {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "probe" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            let req = csrf_ok(req(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &concrete,
            ))
            .body(Body::empty())
            .unwrap();
            let res = router.clone().oneshot(req).await.expect("infallible");
            let status = res.status();
            let body = res.into_body().collect().await.expect("body").to_bytes();
            assert!(
                !String::from_utf8_lossy(&body).contains("API route not found"),
                "{method} {concrete} did not reach the route {path}"
            );
            if status != StatusCode::METHOD_NOT_ALLOWED {
                served.insert((method.to_string(), path.clone()));
            }
        }
    }
    served
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_1_served_without_a_session() {
    let app = TestApp::new();
    let res = app.get("/asm/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.content_type().starts_with("application/json"));
    assert!(res.session_set_cookie().is_none());
    let doc = res.json();
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "version {version}");
    assert_eq!(doc["info"]["title"], "ASM middleware API");
    assert!(doc["info"]["version"].is_string());
    assert_eq!(doc["servers"][0]["url"], "/asm");
    let scheme = &doc["components"]["securitySchemes"][SESSION_COOKIE];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], SESSION_COOKIE);
    // The same document as the library builds.
    let built = serde_json::to_value(http::openapi()).expect("serialise");
    assert_eq!(doc, built);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let served: BTreeSet<(String, String)> = served_routes()
        .await
        .into_iter()
        .filter(|(_, p)| p != OPENAPI_PATH)
        .collect();
    for (method, path) in KNOWN_ROUTES {
        assert!(
            served.contains(&(method.to_string(), path.to_string())),
            "the router does not serve {method} {path} (or the derivation broke): {served:?}"
        );
    }
    let app = TestApp::new();
    let documented = documented(&document(&app).await);
    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in /asm/openapi.json (register routes with `routes!` and annotate the \
         handler with #[utoipa::path]): {undocumented:?}"
    );
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_its_errors_with_the_error_list() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() >= KNOWN_ROUTES.len());
    for (method, path, op) in &ops {
        let name = format!("{method} {path}");
        assert!(op["operationId"].is_string(), "{name}: operationId");
        assert!(op["summary"].is_string(), "{name}: summary");
        assert!(op["tags"][0].is_string(), "{name}: tag");
        let responses = op["responses"].as_object().expect("responses");
        // The single sign-on routes are browser navigations: they succeed with a redirect, and
        // the callback answers the browser an HTML page when it has no page to go back to.
        let navigation = responses.contains_key("302");
        assert!(
            responses.keys().any(|s| s.starts_with('2')) || navigation,
            "{name}: no success response"
        );
        let mut errors = 0;
        for (status, response) in responses {
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{name} {status}: description"
            );
            if status.starts_with('2') || (navigation && status == "302") {
                continue;
            }
            errors += 1;
            if navigation && response["content"]["text/html"].is_object() {
                continue;
            }
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"], ERROR_LIST_REF,
                "{name} {status}: every non-2xx answer has the ErrorList body"
            );
        }
        assert!(errors >= 1, "{name}: no error response");
        assert!(responses.contains_key("500"), "{name}: 500");
        let secured = op["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty() && s.iter().all(|r| r.get(SESSION_COOKIE).is_some()));
        if secured {
            assert!(responses.contains_key("401"), "{name}: 401 for no session");
            for (status, response) in responses {
                if status.starts_with('2') {
                    assert!(
                        response["headers"].get(asm_types::EXPIRES_HEADER).is_some(),
                        "{name} {status}: {}",
                        asm_types::EXPIRES_HEADER
                    );
                }
            }
        }
        if method != "GET" {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            assert!(
                params.iter().any(|p| p["name"] == REQUEST_HEADER
                    && p["in"] == "header"
                    && p["required"] == true),
                "{name}: the {REQUEST_HEADER} header"
            );
            let csrf = responses["403"]["description"].as_str().unwrap_or("");
            assert!(csrf.contains("CsrfError"), "{name}: 403 CsrfError");
        }
        for param in op["parameters"].as_array().into_iter().flatten() {
            if param["in"] == "path" {
                let placeholder = format!("{{{}}}", param["name"].as_str().unwrap_or(""));
                assert!(path.contains(&placeholder), "{name}: {placeholder}");
            }
        }
        for placeholder in path.split('/').filter(|s| s.starts_with('{')) {
            let param = placeholder.trim_matches(['{', '}']);
            assert!(
                op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "path" && p["name"] == param && p["required"] == true),
                "{name}: path parameter {param} not documented"
            );
        }
    }
    // The sign-in has no session yet; everything but sign-in and sign-out needs one.
    let login = &doc["paths"]["/agents/login"]["post"];
    assert_eq!(login["security"], json!([{}]));
    assert!(login["responses"]["429"]["headers"]["Retry-After"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stable_error_types_are_documented() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let enum_values: Vec<&str> = doc["components"]["schemas"]["ErrorType"]["enum"]
        .as_array()
        .expect("ErrorType enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let all: Vec<&str> = error_type::ALL.iter().map(|(k, _)| *k).collect();
    assert_eq!(enum_values, all);
    for kind in ERROR_TYPES {
        assert!(all.contains(kind), "{kind} missing from error_type::ALL");
    }
    let description = doc["info"]["description"].as_str().expect("description");
    for (kind, meaning) in error_type::ALL {
        assert!(!meaning.trim().is_empty(), "{kind} has no meaning");
        assert!(description.contains(kind), "{kind} not in the description");
    }
    assert_eq!(
        doc["components"]["schemas"]["ApiError"]["properties"]["type"]["$ref"],
        "#/components/schemas/ErrorType"
    );
}

/// Validates `value` against `schema` (the subset of JSON Schema the document uses), resolving
/// `$ref`s in `doc`. Strict about objects: a property the schema does not name is an error, so
/// an answer cannot carry undocumented fields.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .expect("local schema ref");
        let target = &doc["components"]["schemas"][name];
        assert!(target.is_object(), "dangling $ref {reference}");
        return validate(doc, target, value, at, errors);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let ok = options.iter().any(|o| {
                let mut e = Vec::new();
                validate(doc, o, value, at, &mut e);
                e.is_empty()
            });
            if !ok {
                errors.push(format!("{at}: matches no {key} option: {value}"));
            }
            return;
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            validate(doc, s, value, at, errors);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            errors.push(format!("{at}: {actual} is not {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64()) {
        if n < min {
            errors.push(format!("{at}: {n} < minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema["maximum"].as_f64(), value.as_f64()) {
        if n > max {
            errors.push(format!("{at}: {n} > maximum {max}"));
        }
    }
    let integer_range = match schema["format"].as_str() {
        Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
        Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
        _ => None,
    };
    if let (Some((lo, hi)), Some(n)) = (integer_range, value.as_f64()) {
        if n < lo || n > hi {
            errors.push(format!("{at}: {n} outside its format {}", schema["format"]));
        }
    }
    if let Value::Array(items) = value {
        if let Some(min) = schema["minItems"].as_u64() {
            if (items.len() as u64) < min {
                errors.push(format!("{at}: fewer than {min} items"));
            }
        }
        if schema["items"].is_object() {
            for (i, item) in items.iter().enumerate() {
                validate(doc, &schema["items"], item, &format!("{at}[{i}]"), errors);
            }
        }
    }
    if let Value::Object(fields) = value {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or("");
            if !fields.contains_key(name) {
                errors.push(format!("{at}: required field {name} is missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, field) in fields {
            match properties.and_then(|p| p.get(name)) {
                Some(s) => validate(doc, s, field, &format!("{at}.{name}"), errors),
                None => errors.push(format!("{at}: field {name} is not documented")),
            }
        }
    }
}

/// Asserts that `res` is documented for `METHOD path` with its status, and that its body
/// matches the documented schema.
fn assert_conforms(doc: &Value, method: &str, path: &str, res: &Resp) {
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path} is not documented");
    let status = res.status.as_str();
    let response = &op["responses"][status];
    assert!(
        response.is_object(),
        "{method} {path}: status {status} is not documented ({})",
        res.text()
    );
    match response["content"]["application/json"]["schema"] {
        Value::Null => assert!(res.body.is_empty(), "{method} {path}: undocumented body"),
        ref schema => {
            let mut errors = Vec::new();
            validate(doc, schema, &res.json(), "$", &mut errors);
            assert!(
                errors.is_empty(),
                "{method} {path} {status} does not match its schema: {errors:#?}\n{}",
                res.text()
            );
        }
    }
    for header in response["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|h| h.0)
    {
        if header == asm_types::EXPIRES_HEADER {
            let value = res.header(header).expect("the expiry header is sent");
            value
                .parse::<i64>()
                .expect("the expiry header is an integer");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_match_the_documented_schemas() {
    let app = TestApp::new();
    let doc = document(&app).await;

    let bad_login = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": "wrong"}),
        )
        .await;
    assert_eq!(bad_login.status, StatusCode::UNAUTHORIZED);
    assert_conforms(&doc, "POST", "/agents/login", &bad_login);
    let empty = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": "", "password": ""}),
        )
        .await;
    assert_conforms(&doc, "POST", "/agents/login", &empty);
    let no_json = app
        .post_raw("/asm/agents/login", None, Some("text/plain"), "x")
        .await;
    assert_eq!(no_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_conforms(&doc, "POST", "/agents/login", &no_json);

    let no_session = app.get("/asm/agents/me", None).await;
    assert_conforms(&doc, "GET", "/agents/me", &no_session);

    let login = app
        .post_json(
            "/asm/agents/login",
            None,
            &json!({"username": AGENT.login, "password": AGENT.password}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_conforms(&doc, "POST", "/agents/login", &login);
    let cookie = login.session_cookie().expect("cookie");
    let c = Some(cookie.as_str());

    let me = app.get("/asm/agents/me", c).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_conforms(&doc, "GET", "/agents/me", &me);
    let agent = app.get(&format!("/asm/agents/{}", AGENT.login), c).await;
    assert_eq!(agent.status, StatusCode::OK, "{}", agent.text());
    assert_conforms(&doc, "GET", "/agents/{agentId}", &agent);
    let no_agent = app.get("/asm/agents/nobody", c).await;
    assert_conforms(&doc, "GET", "/agents/{agentId}", &no_agent);

    let search = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=a&pageSize=5"),
            c,
        )
        .await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(!search.json()["entries"].as_array().unwrap().is_empty());
    assert_conforms(&doc, "GET", "/customers/search", &search);
    for bad in ["", "baseSite=x&pageSize=0", "baseSite=x&pageSize=abc"] {
        let res = app.get(&format!("/asm/customers/search?{bad}"), c).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_conforms(&doc, "GET", "/customers/search", &res);
    }

    let carts = app
        .get(
            &format!("/asm/customers/{LINDA_ID}/carts?baseSite={SITE}"),
            c,
        )
        .await;
    assert_eq!(carts.status, StatusCode::OK);
    assert_conforms(&doc, "GET", "/customers/{customerId}/carts", &carts);
    let no_customer = app
        .get(&format!("/asm/customers/nobody/carts?baseSite={SITE}"), c)
        .await;
    assert_conforms(&doc, "GET", "/customers/{customerId}/carts", &no_customer);

    let created = app
        .post_json(
            &format!("/asm/customers?baseSite={SITE}"),
            c,
            &json!({"firstName": "Ada", "lastName": "Lovelace", "emailAddress": "ada@example.org"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_conforms(&doc, "POST", "/customers", &created);
    for (body, status) in [
        (
            json!({"firstName": "Ada", "lastName": "L", "emailAddress": "ADA@example.org"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"firstName": "", "emailAddress": "x"}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let res = app
            .post_json(&format!("/asm/customers?baseSite={SITE}"), c, &body)
            .await;
        assert_eq!(res.status, status, "{}", res.text());
        assert_conforms(&doc, "POST", "/customers", &res);
    }
    let suggested = app
        .get(
            &format!("/asm/customers/autocomplete?customerQuery=linda&baseSite={SITE}"),
            c,
        )
        .await;
    assert_eq!(suggested.status, StatusCode::OK);
    assert!(!suggested.json().as_array().unwrap().is_empty());
    assert_conforms(&doc, "GET", "/customers/autocomplete", &suggested);
    let too_short = app
        .get(
            &format!("/asm/customers/autocomplete?customerQuery=li&baseSite={SITE}"),
            c,
        )
        .await;
    assert_eq!(too_short.status, StatusCode::BAD_REQUEST);
    assert_conforms(&doc, "GET", "/customers/autocomplete", &too_short);

    let started = app
        .post_json(
            "/asm/sessions",
            c,
            &json!({"customerId": LINDA_ID, "baseSite": SITE, "reason": "ticket 1"}),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED);
    assert_conforms(&doc, "POST", "/sessions", &started);
    let session_id = started.json()["sessionId"].as_str().unwrap().to_owned();
    let disabled = app
        .post_json(
            "/asm/sessions",
            c,
            &json!({"customerId": DISABLED_ID, "baseSite": SITE, "reason": "r"}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::FORBIDDEN);
    assert_conforms(&doc, "POST", "/sessions", &disabled);

    let me_emulating = app.get("/asm/agents/me", c).await;
    assert!(me_emulating.json()["emulation"].is_object());
    assert_conforms(&doc, "GET", "/agents/me", &me_emulating);
    let read = app.get(&format!("/asm/sessions/{session_id}"), c).await;
    assert_conforms(&doc, "GET", "/sessions/{sessionId}", &read);
    let ended = app.delete(&format!("/asm/sessions/{session_id}"), c).await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_conforms(&doc, "DELETE", "/sessions/{sessionId}", &ended);
    let gone = app.delete("/asm/sessions/nothing", c).await;
    assert_conforms(&doc, "DELETE", "/sessions/{sessionId}", &gone);

    let csrf = app
        .send(
            with_cookie(req(Method::POST, "/asm/sessions"), c)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    csrf.assert_error(StatusCode::FORBIDDEN, error_type::CSRF);
    assert_conforms(&doc, "POST", "/sessions", &csrf);

    let logout = app.post_json("/asm/agents/logout", c, &json!({})).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_conforms(&doc, "POST", "/agents/logout", &logout);
}

/// The customer lists, the sorted search and binding carts answer as documented.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_sorts_and_bind_cart_match_the_documented_schemas() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let cookie = app.login(&AGENT).await;
    let c = Some(cookie.as_str());
    app.emulate(&cookie, LINDA_ID).await;
    for (path, uri, status) in [
        (
            "/customerlists",
            format!("/asm/customerlists?baseSite={SITE}"),
            200,
        ),
        ("/customerlists", "/asm/customerlists".to_owned(), 400),
        (
            "/customerlists/{listId}",
            format!("/asm/customerlists/pickup?baseSite={SITE}"),
            200,
        ),
        (
            "/customerlists/{listId}",
            format!("/asm/customerlists/nolist?baseSite={SITE}"),
            404,
        ),
        (
            "/customers/search",
            format!(
                "/asm/customers/search?baseSite={SITE}&customerListId=pickup&sort=byOrderDateDesc"
            ),
            200,
        ),
        (
            "/customers/search",
            format!("/asm/customers/search?baseSite={SITE}&customerListId=mysessions"),
            200,
        ),
        (
            "/customers/search",
            format!("/asm/customers/search?baseSite={SITE}&orderId=30000001"),
            200,
        ),
        (
            "/customers/search",
            format!("/asm/customers/search?baseSite={SITE}&sort=nope"),
            400,
        ),
    ] {
        let res = app.get(&uri, c).await;
        assert_eq!(res.status.as_u16(), status, "{uri}: {}", res.text());
        assert_conforms(&doc, "GET", path, &res);
    }
    let bind = |replace: bool| {
        json!({"customerId": LINDA_ID, "cartId": asm_middleware::commerce::embedded::seed::FIRST_ANONYMOUS_CART,
               "baseSite": SITE, "replace": replace})
    };
    for (body, status) in [
        (bind(false), StatusCode::CONFLICT),
        (bind(true), StatusCode::OK),
        (bind(true), StatusCode::BAD_REQUEST),
        (
            json!({"customerId": "nobody", "cartId": "1", "baseSite": SITE}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"customerId": DISABLED_ID, "cartId": "1", "baseSite": SITE}),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let res = app.post_json("/asm/bind-cart", c, &body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text());
        assert_conforms(&doc, "POST", "/bind-cart", &res);
    }
    let carts = app
        .get(
            &format!("/asm/customers/{LINDA_ID}/carts?baseSite={SITE}"),
            c,
        )
        .await;
    assert_eq!(carts.json()["savedCarts"].as_array().map(Vec::len), Some(1));
    assert_conforms(&doc, "GET", "/customers/{customerId}/carts", &carts);
    // The sort parameter is documented as the enum of the sorts.
    let params = doc["paths"]["/customers/search"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let sort = params
        .iter()
        .find(|p| p["name"] == "sort")
        .expect("sort parameter");
    let values: Vec<&str> = sort["schema"]["enum"]
        .as_array()
        .or_else(|| {
            sort["schema"]["oneOf"]
                .as_array()
                .and_then(|o| o.iter().find_map(|s| s["enum"].as_array()))
        })
        .unwrap_or_else(|| panic!("sort enum: {sort}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        values,
        [
            "byNameAsc",
            "byNameDesc",
            "byUidAsc",
            "byUidDesc",
            "byOrderDateAsc",
            "byOrderDateDesc",
            "bySessionDateDesc"
        ]
    );
}

/// `u32` values (paging, quantities) are documented with their real range: utoipa's default
/// (`int32`, minimum 0) would claim at most 2^31 - 1 while the server takes and sends up to
/// 2^32 - 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_integers_are_documented_with_their_real_range() {
    fn walk(v: &Value, at: &str, bad: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if map.get("format").is_some_and(|f| f == "int32")
                    && map.get("minimum").and_then(Value::as_f64) == Some(0.0)
                    && !map.contains_key("maximum")
                {
                    bad.push(at.to_owned());
                }
                for (k, v) in map {
                    walk(v, &format!("{at}/{k}"), bad);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{at}/{i}"), bad);
                }
            }
            _ => {}
        }
    }
    let app = TestApp::new();
    let doc = document(&app).await;
    let mut bad = Vec::new();
    walk(&doc, "#", &mut bad);
    assert!(bad.is_empty(), "u32 documented as int32: {bad:?}");
    let current_page = doc["paths"]["/customers/search"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "currentPage")
        .expect("currentPage")["schema"]
        .clone();
    // The result window: (currentPage + 1) × pageSize ≤ 1,000, so at most page 999 (of 1).
    assert_eq!(current_page["maximum"], json!(999));
    assert_eq!(current_page["format"], "int32");

    let cookie = app.login(&AGENT).await;
    for (page, status) in [
        (999, StatusCode::OK),
        (1000, StatusCode::BAD_REQUEST),
        (u64::from(u32::MAX), StatusCode::BAD_REQUEST),
        (u64::from(u32::MAX) + 1, StatusCode::BAD_REQUEST),
    ] {
        let res = app
            .get(
                &format!("/asm/customers/search?baseSite={SITE}&currentPage={page}&pageSize=1"),
                Some(&cookie),
            )
            .await;
        assert_eq!(res.status, status, "currentPage={page}: {}", res.text());
        assert_conforms(&doc, "GET", "/customers/search", &res);
    }
}

#[test]
fn the_validator_catches_what_it_should() {
    let doc = json!({"components": {"schemas": {"E": {
        "type": "object", "required": ["a"],
        "properties": {"a": {"type": "integer", "minimum": 0}, "b": {"type": ["string", "null"]}}
    }}}});
    let schema = json!({"$ref": "#/components/schemas/E"});
    let check = |v: Value| {
        let mut e = Vec::new();
        validate(&doc, &schema, &v, "$", &mut e);
        e.len()
    };
    assert_eq!(check(json!({"a": 1})), 0);
    assert_eq!(check(json!({"a": 1, "b": null})), 0);
    assert_eq!(check(json!({"b": "x"})), 1);
    assert_eq!(check(json!({"a": -1})), 1);
    assert_eq!(check(json!({"a": "1"})), 1);
    assert_eq!(check(json!({"a": 1, "c": 2})), 1);
    let int32 = json!({"type": "integer", "format": "int32", "maximum": 10});
    let mut e = Vec::new();
    validate(&doc, &int32, &json!(11), "$", &mut e);
    validate(
        &doc,
        &json!({"type": "integer", "format": "int32"}),
        &json!(2147483648u64),
        "$",
        &mut e,
    );
    assert_eq!(e.len(), 2, "{e:?}");
}

/// The examples in the document are real: sent as they are to a freshly seeded store, each one
/// succeeds (schemathesis starts from them, so they must reach the operations' real logic).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_examples_work_against_the_seeded_store() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let mut cookie = None;
    // Operations only a sales manager may call run with a manager's session.
    let manager = app.login(&MANAGER).await;
    let mut tried = 0;
    let mut ops = operations(&doc);
    // Sign in first (its example is the demo agent), end sessions last.
    ops.sort_by_key(|(m, p, _)| (p != "/agents/login", m == "DELETE"));
    for (method, path, op) in ops {
        // Sign-out would end the session; the single sign-on redirects need a provider
        // (tests/oidc.rs runs them against one).
        if path == "/agents/logout" || op["responses"].get("302").is_some() {
            continue;
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let body = &op["requestBody"]["content"]["application/json"]["example"];
        let mut uri = format!("/asm{path}");
        let mut query = Vec::new();
        let mut complete = true;
        for p in &params {
            let name = p["name"].as_str().unwrap_or("");
            match (p["in"].as_str(), p["example"].as_str()) {
                (Some("path"), Some(v)) => uri = uri.replace(&format!("{{{name}}}"), v),
                (Some("path"), None) => complete = false,
                (Some("query"), Some(v)) => query.push(format!("{name}={v}")),
                (Some("query"), None) if p["required"] == true => complete = false,
                _ => {}
            }
        }
        if !complete || (op["requestBody"]["required"] == true && body.is_null()) {
            continue;
        }
        if !query.is_empty() {
            uri = format!("{uri}?{}", query.join("&"));
        }
        let cookie_of_op = if path == "/audit" {
            Some(manager.as_str())
        } else {
            cookie.as_deref()
        };
        let res = match method.as_str() {
            "GET" => app.get(&uri, cookie_of_op).await,
            "POST" => app.post_json(&uri, cookie.as_deref(), body).await,
            "DELETE" => app.delete(&uri, cookie.as_deref()).await,
            "PATCH" => app.patch_json(&uri, cookie.as_deref(), body).await,
            other => panic!("no example runner for {other}"),
        };
        assert!(
            res.status.is_success(),
            "the example of {method} {path} ({uri}) fails: {} {}",
            res.status,
            res.text()
        );
        assert_conforms(&doc, &method, &path, &res);
        if path == "/agents/login" {
            cookie = res.session_cookie();
            // The `/users/{userId}` examples act as Linda: they need her emulation.
            if let Some(cookie) = &cookie {
                app.emulate(cookie, LINDA_ID).await;
            }
        }
        tried += 1;
    }
    // Sign-in, agent details, carts and starting a session have complete examples.
    assert!(tried >= 4, "only {tried} operations have complete examples");
}

/// Customer 360 fragments: answers with data, with a failed fragment, and the errors match the
/// documented schemas (the fragment list is a `oneOf` of `{type, data}` and `{type, error}`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer360_fragments_match_the_documented_schemas() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let path = "/customers/{customerId}/customer360";
    let data = &doc["components"]["schemas"]["C360FragmentData"]["oneOf"];
    assert_eq!(
        data.as_array().map(Vec::len),
        Some(9),
        "one option per fragment type"
    );
    let cookie = app.login(&AGENT).await;
    let c = Some(cookie.as_str());
    let uri = format!("/asm/customers/{LINDA_ID}/customer360?baseSite={SITE}");
    let all: Vec<Value> = asm_types::Customer360FragmentType::ALL
        .iter()
        .map(|t| json!({"type": t.as_str(), "listSize": 3}))
        .collect();
    let full = app.post_json(&uri, c, &json!({ "queries": all })).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.text());
    assert_conforms(&doc, "POST", path, &full);
    for (body, status) in [
        (json!({"queries": []}), StatusCode::BAD_REQUEST),
        (
            json!({"queries": [{"type": "nope"}]}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({}), StatusCode::BAD_REQUEST),
    ] {
        let res = app.post_json(&uri, c, &body).await;
        assert_eq!(res.status, status, "{}", res.text());
        assert_conforms(&doc, "POST", path, &res);
    }
    let missing = app
        .post_json(
            &format!("/asm/customers/nobody/customer360?baseSite={SITE}"),
            c,
            &json!({"queries": [{"type": "overview"}]}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_conforms(&doc, "POST", path, &missing);
    let anonymous = app
        .post_json(&uri, None, &json!({"queries": [{"type": "overview"}]}))
        .await;
    assert_conforms(&doc, "POST", path, &anonymous);
    app.db()
        .execute_batch("DROP TABLE reviews")
        .expect("drop reviews");
    let partial = app
        .post_json(
            &uri,
            c,
            &json!({"queries": [{"type": "feedback"}, {"type": "overview"}]}),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK);
    assert!(partial.json()["fragments"][0]["error"].is_object());
    assert_conforms(&doc, "POST", path, &partial);
}
