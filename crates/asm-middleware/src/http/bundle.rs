//! The overlay bundle under `/asm-overlay/`, served the way a CDN would.
//!
//! - **Precompressed**: `cargo xtask bundle` writes `<file>.br` and `<file>.gz` next to every file
//!   of `dist`; the one the request's `Accept-Encoding` prefers is sent (brotli over gzip over
//!   identity) with `Content-Encoding`, and every answer says `Vary: Accept-Encoding`.
//! - **Cached safely**: the wasm and its glue have content-hashed names
//!   (`asm-overlay-<16 hex>.js`, `asm-overlay-<16 hex>_bg.wasm`, see [`is_hashed`]) and are
//!   [`IMMUTABLE`]; everything else — above all `asm-loader.js`, the one fixed name a storefront
//!   embeds, which names the current hashed files — is cached only briefly ([`SHORT`]), so a
//!   release never mixes pieces. Every file has `Last-Modified`; a conditional request
//!   (`If-Modified-Since`) for an unchanged file is answered `304 Not Modified`.
//! - **Embeddable from another origin**: a request whose `Origin` is one of `--allowed-origins`
//!   gets `Access-Control-Allow-Origin` with that origin (`Vary: Origin`), so a storefront there can
//!   load the loader and glue as modules and fetch the wasm (`application/wasm`, for streaming
//!   compilation). No credentials: the bundle is public.

use crate::config::Config;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// `Cache-Control` of a content-hashed file: its name changes whenever its content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of every other file of the bundle (the loader above all): five minutes, then
/// revalidated (`If-Modified-Since` → 304 while unchanged).
pub const SHORT: &str = "public, max-age=300";

/// Length of the content hash in a hashed file name (hex digits).
pub const HASH_LEN: usize = 16;

/// Whether `name` (a file name or a path ending in one) is content-hashed:
/// `<stem>-<16 lowercase hex>.js`, `<stem>-<16 lowercase hex>_bg.wasm` or (a locale's
/// catalogue) `<stem>-<16 lowercase hex>.json`.
pub fn is_hashed(name: &str) -> bool {
    let name = name.rsplit('/').next().unwrap_or(name);
    let Some(stem) = name
        .strip_suffix("_bg.wasm")
        .or_else(|| name.strip_suffix(".json"))
        .or_else(|| name.strip_suffix(".js"))
    else {
        return false;
    };
    match stem.rsplit_once('-') {
        Some((prefix, hash)) => {
            !prefix.is_empty()
                && hash.len() == HASH_LEN
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => false,
    }
}

/// Routes `/asm-overlay/*`: the files of `config.dist`, precompressed variants negotiated, with
/// cache and CORS headers for `config.allowed_origins`.
pub fn router<S: Clone + Send + Sync + 'static>(config: &Config) -> Router<S> {
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::HEAD])
        .max_age(std::time::Duration::from_secs(600));
    let files = ServeDir::new(&config.dist)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/asm-overlay", files)
        .layer(middleware::from_fn(cache_headers))
        .layer(cors)
}

/// Adds `Cache-Control` (to answers with a body or a 304), `Vary: Accept-Encoding`, and a text
/// type for the TypeScript declarations.
async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let status = res.status();
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let cache = if is_hashed(&path) { IMMUTABLE } else { SHORT };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if status.is_success() && path.ends_with(".d.ts") {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_the_glue_and_the_wasm_with_sixteen_hex_digits() {
        assert!(is_hashed("asm-overlay-0123456789abcdef.js"));
        assert!(is_hashed("asm-overlay-0123456789abcdef_bg.wasm"));
        assert!(is_hashed(
            "/asm-overlay/asm-overlay-0123456789abcdef_bg.wasm"
        ));
        assert!(!is_hashed("asm-loader.js"));
        assert!(is_hashed("asm-locale-de-0123456789abcdef.json"));
        assert!(!is_hashed("asm-locale-de.json"));
        assert!(!is_hashed("asm-overlay.js"));
        assert!(!is_hashed("asm-overlay_bg.wasm"));
        assert!(!is_hashed("asm-overlay.d.ts"));
        assert!(!is_hashed("asm-overlay-0123456789ABCDEF.js"), "upper case");
        assert!(!is_hashed("asm-overlay-0123456789abcde.js"), "15 digits");
        assert!(!is_hashed("asm-overlay-0123456789abcdefa.js"), "17 digits");
        assert!(!is_hashed("-0123456789abcdef.js"), "no stem");
        assert!(
            !is_hashed("asm-overlay-0123456789abcdef.wasm"),
            "wasm without _bg"
        );
        assert!(
            !is_hashed("asm-overlay-0123456789abcdef.js.br"),
            "a variant's name"
        );
    }
}
