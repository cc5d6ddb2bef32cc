//! Customer-search latency through the whole router (cookie auth, SQLite, JSON), in process.
//!
//! `cargo run --release -p asm-middleware --example search_bench -- [customers] [rounds]`
//! (defaults: 10000 customers, 200 rounds of every query). Prints p50/p99/max per query.

use asm_middleware::config::Config;
use asm_middleware::{app, AppState, Clock};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::time::Instant;
use tower::ServiceExt;

const QUERIES: &[&str] = &[
    "lin",
    "wolf",
    "anna",
    "schmidt",
    "c000123",
    "sofia.rossi",
    "example.com",
    "zzz",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let customers: u32 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_tests(dir.path().join("bench.sqlite"));
    config.customers = customers;
    let seeded = Instant::now();
    let state = AppState::open(config, Clock::system())?;
    println!(
        "seeded {customers} customers in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let router = app(state);

    let login = Request::post("/asm/agents/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "bench")
        .header(header::ORIGIN, "http://bench")
        .header(asm_types::REQUEST_HEADER, "1")
        .body(Body::from(
            r#"{"username":"asagent","password":"Agent#2026"}"#,
        ))?;
    let res = router.clone().oneshot(login).await?;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no cookie")?
        .to_owned();

    println!(
        "{:<14} {:>8} {:>9} {:>9} {:>9}",
        "query", "results", "p50 ms", "p99 ms", "max ms"
    );
    let mut all = Vec::new();
    for q in QUERIES {
        let mut times = Vec::with_capacity(rounds);
        let mut total = String::new();
        for _ in 0..rounds {
            let req = Request::get(format!(
                "/asm/customers/search?query={q}&baseSite=electronics&pageSize=20"
            ))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())?;
            let started = Instant::now();
            let res = router.clone().oneshot(req).await?;
            let status = res.status();
            let body = res.into_body().collect().await?.to_bytes();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            if status != StatusCode::OK {
                return Err(format!("{q}: {status}").into());
            }
            if total.is_empty() {
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                total = v["pagination"]["totalResults"].to_string();
            }
        }
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "{q:<14} {total:>8} {:>9.2} {:>9.2} {:>9.2}",
            pct(0.5),
            pct(0.99),
            pct(1.0)
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{:<14} {:>8} {:>9.2} {:>9.2} {:>9.2}",
        "all",
        "",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
