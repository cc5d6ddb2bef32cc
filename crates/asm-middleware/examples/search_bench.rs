//! Latency and throughput of customer search, autocomplete and customer 360 through the whole
//! router (cookie auth, session touch, SQLite, JSON), in process.
//!
//! `cargo run --profile server -p asm-middleware --example search_bench -- [customers] [rounds] [db]`
//! (defaults: 10000 customers, 200 rounds of every request, a temporary database). Give a `db`
//! path to keep the seeded store between runs (seeding 1,000,000 customers takes minutes).
//! Prints p50/p99/max per request and overall, and sequential throughput.
//!
//! `SEARCH_BENCH_QUERIES=anna,c000123` searches only those queries, and nothing else (for a
//! profile of the search alone, e.g. under `valgrind --tool=callgrind`).

use asm_middleware::config::Config;
use asm_middleware::{app, AppState, Clock};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::time::Instant;
use tower::ServiceExt;

const SEARCHES: &[&str] = &[
    "lin",
    "wolf",
    "anna",
    "schmidt",
    "c000123",
    "sofia.rossi",
    "example.com",
    "zzz",
];
/// The probe's expensive searches and those refused at once (issue 14), shared with
/// `cargo xtask bench http`: one query string per line, `#` comments.
const HOSTILE_SEARCHES: &str = include_str!("../bench/hostile-searches.txt");
const REFUSED_SEARCHES: &str = include_str!("../bench/refused-searches.txt");

/// The query strings of one of those files.
fn queries(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}
const AUTOCOMPLETES: &[&str] = &["lin", "wolf", "anna", "sofia.rossi", "example.com"];
/// Every fragment type of the customer 360 in one request.
const C360_BODY: &str = r#"{"queries":[{"type":"overview"},{"type":"profile"},{"type":"activity"},{"type":"feedback"},{"type":"storeLocations"},{"type":"promotions"}]}"#;

fn pct(times: &[f64], p: f64) -> f64 {
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

/// Sends `make()` `rounds` times; prints and returns the sorted latencies (ms).
async fn measure(
    router: &Router,
    label: &str,
    rounds: usize,
    make: impl Fn() -> Request<Body>,
    summary: impl Fn(&serde_json::Value) -> String,
) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(rounds);
    let mut shown = String::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let res = router.clone().oneshot(make()).await?;
        let status = res.status();
        let body = res.into_body().collect().await?.to_bytes();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if status != StatusCode::OK {
            return Err(format!("{label}: {status} {}", String::from_utf8_lossy(&body)).into());
        }
        if shown.is_empty() {
            shown = summary(&serde_json::from_slice(&body)?);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{label:<56} {shown:>9} {:>9.2} {:>9.2} {:>9.2}",
        pct(&times, 0.5),
        pct(&times, 0.99),
        pct(&times, 1.0)
    );
    Ok(times)
}

fn overall(label: &str, mut all: Vec<f64>) {
    all.sort_by(f64::total_cmp);
    let secs: f64 = all.iter().sum::<f64>() / 1000.0;
    println!(
        "{label:<56} {:>9} {:>9.2} {:>9.2} {:>9.2}   {:.0} requests/s sequential",
        "",
        pct(&all, 0.5),
        pct(&all, 0.99),
        pct(&all, 1.0),
        all.len() as f64 / secs
    );
}

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
    let db = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.sqlite"));
    let mut config = Config::for_tests(db);
    config.customers = customers;
    let seeded = Instant::now();
    let state = AppState::open(config, Clock::system())?;
    println!(
        "store of {customers} customers ready in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let router = app(state);

    let post = |path: &str, body: &'static str, cookie: Option<&str>| {
        let mut b = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(asm_types::REQUEST_HEADER, "1");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::from(body))
    };
    let res = router
        .clone()
        .oneshot(post(
            "/asm/agents/login",
            r#"{"username":"asagent","password":"Agent#2026"}"#,
            None,
        )?)
        .await?;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no cookie")?
        .to_owned();
    let get = |uri: String| {
        Request::get(uri)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap_or_default()
    };

    println!(
        "{:<56} {:>9} {:>9} {:>9} {:>9}",
        "request", "results", "p50 ms", "p99 ms", "max ms"
    );
    let only = std::env::var("SEARCH_BENCH_QUERIES").ok();
    let chosen: Vec<&str> = match &only {
        Some(list) => list.split(',').filter(|q| !q.is_empty()).collect(),
        None => SEARCHES.to_vec(),
    };
    let mut searches = Vec::new();
    for q in chosen {
        let total = |v: &serde_json::Value| {
            let plus = if v["pagination"]["totalIsLowerBound"] == true {
                "+"
            } else {
                ""
            };
            format!("{}{plus}", v["pagination"]["totalResults"])
        };
        searches.extend(
            measure(
                &router,
                &format!("search {q}"),
                rounds,
                || {
                    get(format!(
                        "/asm/customers/search?query={q}&baseSite=electronics&pageSize=20"
                    ))
                },
                total,
            )
            .await?,
        );
    }
    overall("search, all", searches);
    if only.is_some() {
        return Ok(());
    }

    let mut hostile = Vec::new();
    for q in queries(HOSTILE_SEARCHES) {
        hostile.extend(
            measure(
                &router,
                q,
                rounds,
                || get(format!("/asm/customers/search?{q}&baseSite=electronics")),
                |v| v["entries"].as_array().map_or(0, Vec::len).to_string(),
            )
            .await?,
        );
    }
    overall("expensive searches, all", hostile);
    for q in queries(REFUSED_SEARCHES) {
        let started = Instant::now();
        let res = router
            .clone()
            .oneshot(get(format!(
                "/asm/customers/search?{q}&baseSite=electronics"
            )))
            .await?;
        println!(
            "{q:<56} {:>9} {:>9.2} ms",
            res.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }

    let mut autocompletes = Vec::new();
    for q in AUTOCOMPLETES {
        autocompletes.extend(
            measure(
                &router,
                &format!("autocomplete {q}"),
                rounds,
                || {
                    get(format!(
                        "/asm/customers/autocomplete?customerQuery={q}&baseSite=electronics"
                    ))
                },
                |v| v.as_array().map_or(0, Vec::len).to_string(),
            )
            .await?,
        );
    }
    overall("autocomplete, all", autocompletes);

    let mut c360 = Vec::new();
    for id in ["C-LINDA", "C0000002", "C0000500"] {
        c360.extend(
            measure(
                &router,
                &format!("customer 360 summary {id}"),
                rounds,
                || get(format!("/asm/customers/{id}?baseSite=electronics")),
                |v| v["recentOrders"].as_array().map_or(0, Vec::len).to_string(),
            )
            .await?,
        );
        let path = format!("/asm/customers/{id}/customer360?baseSite=electronics");
        c360.extend(
            measure(
                &router,
                &format!("customer 360 fragments {id}"),
                rounds,
                || post(&path, C360_BODY, Some(&cookie)).unwrap_or_default(),
                |v| v["fragments"].as_array().map_or(0, Vec::len).to_string(),
            )
            .await?,
        );
    }
    overall("customer 360, all", c360);
    Ok(())
}
