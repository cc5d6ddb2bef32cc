//! `/asm-overlay/*` served like a CDN: precompressed variants negotiated by `Accept-Encoding`,
//! immutable hashed files, a briefly cached loader, 304 on conditional requests, CORS for the
//! allowed origins; and compressed JSON from the API. The bundle is a small fake `dist` folder
//! written here (no Trunk build needed); its `.br` / `.gz` files hold marker bytes, so a test
//! sees which variant was sent.

use crate::common;

use asm_middleware::commerce::embedded::seed::AGENT;
use asm_middleware::http::bundle::{IMMUTABLE, SHORT};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::{req, Resp, TestApp, ALLOWED_ORIGIN};
use std::io::Read;
use tempfile::TempDir;

const WASM: &str = "asm-overlay-0123456789abcdef_bg.wasm";
const GLUE: &str = "asm-overlay-fedcba9876543210.js";
const LOADER: &str = "asm-loader.js";
const WASM_RAW: &[u8] = b"\0asm\x01\0\0\0 the overlay";
const LOADER_RAW: &[u8] = b"import('./asm-overlay-fedcba9876543210.js');";

/// A fake bundle: every file with a `.br` and a `.gz` variant holding marker bytes.
fn fake_dist() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let files: [(&str, &[u8]); 4] = [
        (WASM, WASM_RAW),
        (GLUE, b"export default async function init() {}"),
        (LOADER, LOADER_RAW),
        (
            "asm-overlay.d.ts",
            b"export interface AsmAgent { agentId: string }",
        ),
    ];
    for (name, raw) in files {
        std::fs::write(dir.path().join(name), raw).expect("write file");
        std::fs::write(dir.path().join(format!("{name}.br")), format!("BR:{name}"))
            .expect("write .br");
        std::fs::write(dir.path().join(format!("{name}.gz")), format!("GZ:{name}"))
            .expect("write .gz");
    }
    dir
}

fn app_over(dist: &TempDir) -> TestApp {
    let path = dist.path().to_path_buf();
    TestApp::with_config(move |c| c.dist = path)
}

/// `GET /asm-overlay/<file>` with the given extra headers.
async fn get(app: &TestApp, file: &str, headers: &[(header::HeaderName, &str)]) -> Resp {
    let mut b = req(Method::GET, &format!("/asm-overlay/{file}"));
    for (name, value) in headers {
        b = b.header(name, *value);
    }
    app.send(b.body(Body::empty()).expect("request")).await
}

/// Every value of the `Vary` headers, lower case, split at commas.
fn vary(res: &Resp) -> Vec<String> {
    res.headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wasm_is_sent_brotli_when_accepted_and_says_it_varies_by_encoding() {
    let dist = fake_dist();
    let app = app_over(&dist);
    let res = get(
        &app,
        WASM,
        &[(header::ACCEPT_ENCODING, "gzip, deflate, br")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-encoding"), Some("br"));
    assert_eq!(res.text(), format!("BR:{WASM}"), "the .br file is sent");
    assert_eq!(
        res.content_type(),
        "application/wasm",
        "streaming compilation needs it"
    );
    assert!(
        vary(&res).contains(&"accept-encoding".to_owned()),
        "{:?}",
        vary(&res)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wasm_is_sent_gzip_to_a_client_without_brotli() {
    let dist = fake_dist();
    let app = app_over(&dist);
    let res = get(&app, WASM, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(res.text(), format!("GZ:{WASM}"));
    assert_eq!(res.content_type(), "application/wasm");
    assert!(vary(&res).contains(&"accept-encoding".to_owned()));

    // A brotli q-value of 0 means "not brotli".
    let res = get(&app, WASM, &[(header::ACCEPT_ENCODING, "br;q=0, gzip")]).await;
    assert_eq!(res.header("content-encoding"), Some("gzip"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_accept_encoding_the_files_are_sent_as_they_are() {
    let dist = fake_dist();
    let app = app_over(&dist);
    let res = get(&app, WASM, &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("content-encoding"), None);
    assert_eq!(&res.body[..], WASM_RAW);
    assert!(vary(&res).contains(&"accept-encoding".to_owned()));

    let res = get(&app, LOADER, &[(header::ACCEPT_ENCODING, "identity")]).await;
    assert_eq!(res.header("content-encoding"), None);
    assert_eq!(&res.body[..], LOADER_RAW);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_files_are_immutable_and_the_loader_is_cached_briefly() {
    let dist = fake_dist();
    let app = app_over(&dist);
    for file in [WASM, GLUE] {
        let res = get(&app, file, &[(header::ACCEPT_ENCODING, "br")]).await;
        assert_eq!(res.status, StatusCode::OK, "{file}");
        assert_eq!(res.header("cache-control"), Some(IMMUTABLE), "{file}");
        assert!(res.header("last-modified").is_some(), "{file}");
    }
    let loader = get(&app, LOADER, &[(header::ACCEPT_ENCODING, "br")]).await;
    assert_eq!(loader.status, StatusCode::OK);
    assert_eq!(loader.header("cache-control"), Some(SHORT));
    assert!(
        loader.content_type().contains("javascript"),
        "{}",
        loader.content_type()
    );
    assert_eq!(loader.header("content-encoding"), Some("br"));

    let types = get(&app, "asm-overlay.d.ts", &[]).await;
    assert_eq!(types.header("cache-control"), Some(SHORT));
    assert_eq!(types.content_type(), "text/plain; charset=utf-8");

    // A missing file is not cached as if it existed.
    let missing = get(&app, "asm-overlay-0000000000000000_bg.wasm", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("cache-control"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conditional_request_for_an_unchanged_file_is_answered_304() {
    let dist = fake_dist();
    let app = app_over(&dist);
    let first = get(&app, LOADER, &[(header::ACCEPT_ENCODING, "br")]).await;
    let modified = first
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();
    let again = get(
        &app,
        LOADER,
        &[
            (header::ACCEPT_ENCODING, "br"),
            (header::IF_MODIFIED_SINCE, &modified),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(
        again.header("cache-control"),
        Some(SHORT),
        "the 304 renews the max-age"
    );

    // A validator older than the file gets the file.
    let stale = get(
        &app,
        LOADER,
        &[(header::IF_MODIFIED_SINCE, "Thu, 01 Jan 1970 00:00:01 GMT")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(&stale.body[..], LOADER_RAW);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_origin_gets_cors_headers_and_another_origin_none() {
    let dist = fake_dist();
    let app = app_over(&dist);
    for file in [LOADER, GLUE, WASM] {
        let res = get(&app, file, &[(header::ORIGIN, ALLOWED_ORIGIN)]).await;
        assert_eq!(res.status, StatusCode::OK, "{file}");
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some(ALLOWED_ORIGIN),
            "{file}"
        );
        assert_eq!(
            res.header("access-control-allow-credentials"),
            None,
            "{file}: the bundle is public"
        );
        let vary = vary(&res);
        assert!(vary.contains(&"origin".to_owned()), "{file}: {vary:?}");
        assert!(
            vary.contains(&"accept-encoding".to_owned()),
            "{file}: {vary:?}"
        );
    }
    let other = get(&app, LOADER, &[(header::ORIGIN, "http://evil.example")]).await;
    assert_eq!(other.status, StatusCode::OK, "the file itself is public");
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert!(vary(&other).contains(&"origin".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_json_is_compressed_when_the_client_accepts_it_and_stays_no_store() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    for (encoding, path, with_cookie) in [
        ("gzip", "/asm/openapi.json", false),
        ("br", "/asm/openapi.json", false),
        ("gzip", "/asm/agents/me", true),
    ] {
        let mut b = req(Method::GET, path).header(header::ACCEPT_ENCODING, encoding);
        if with_cookie {
            b = b.header(header::COOKIE, &cookie);
        }
        let res = app.send(b.body(Body::empty()).expect("request")).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("content-encoding"), Some(encoding), "{path}");
        assert_eq!(res.header("cache-control"), Some("no-store"), "{path}");
        assert!(vary(&res).contains(&"accept-encoding".to_owned()), "{path}");
        let mut text = String::new();
        match encoding {
            "gzip" => flate2::read::GzDecoder::new(&res.body[..])
                .read_to_string(&mut text)
                .expect("gunzip"),
            _ => brotli::Decompressor::new(&res.body[..], 4096)
                .read_to_string(&mut text)
                .expect("brotli"),
        };
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert!(json.is_object(), "{path}: {json}");
    }

    // Without Accept-Encoding the JSON is plain.
    let res = app.get("/asm/openapi.json", None).await;
    assert_eq!(res.header("content-encoding"), None);
    assert!(res.json()["openapi"].is_string());
}
