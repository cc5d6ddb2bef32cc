//! `cargo xtask`: the project's set-up commands.
//!
//! - `cargo xtask demo [middleware flags…]`: installs what is missing, builds the release overlay
//!   bundle and the middleware, and runs the middleware with its demo store.
//! - `cargo xtask test`: installs what is missing and runs every check and test suite.
//! - `cargo xtask setup`: only installs what is missing.
//! - `cargo xtask bundle`: builds the code-split release bundle ([`split::build`]), then content-hashed
//!   names and `.br` / `.gz` variants ([`bundle::finish`]).
//! - `cargo xtask sizes`: builds the release bundle and prints its sizes (raw / gzip / brotli);
//!   fails over budget ([`bundle::sizes`]).
//! - `cargo xtask bench http [--quick] [--cases …]`: the middleware under attack and load
//!   (slowloris, deep pages, sign-in lockout, anonymous-cart flood, search and `/agents/me` at
//!   1M customers), loopback only, about 2 minutes; one table against issue 14's targets
//!   ([`bench`]).
//! - `cargo xtask bench overlay [--runs N]`: headless Chromium on the demo store — bare page load,
//!   `?asm=true` until the sign-in form is interactive, a navigation while emulating until
//!   "End Session" is back: medians, p90, ratios and bytes, warm and cold cache ([`bench`]).
//! - `cargo xtask pg`: starts a private PostgreSQL cluster (as the tests use), prints its URL and
//!   keeps it until Ctrl-C.
//!
//! Each install step runs only when its tool is missing, so a second run starts at once.

mod bench;
mod bundle;
mod postgres;
mod split;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const TRUNK_VERSION: &str = "~0.21";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = root();
    if let Err(e) = env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    set_path(&root);
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("setup") => setup(true),
        Some("pg") => pg(),
        Some("bench") => bench::bench(&args[1..]),
        Some("bundle") => setup(false).and_then(|()| release_bundle()),
        Some("sizes") => setup(false)
            .and_then(|()| release_bundle())
            .and_then(|()| sizes()),
        Some("screenshots") => setup(true)
            .and_then(|()| release_bundle())
            .and_then(|()| screenshots()),
        _ => {
            eprintln!(
                "usage: cargo xtask <demo [middleware flags…] | test | setup | bundle | sizes | \
                 screenshots | pg | \
                 bench http [--quick] [--seconds N] [--load-seconds N] [--cases a,b] | \
                 bench overlay [--runs N] [--deadline-seconds N] [--json]>"
            );
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Puts cargo's bin folder and the npm tools (wasm-opt from `binaryen`) first on PATH.
fn set_path(root: &Path) {
    let mut dirs = vec![root.join("node_modules/.bin")];
    if let Some(home) = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    if let Ok(joined) = env::join_paths(dirs) {
        env::set_var("PATH", joined);
    }
}

type Step = Result<(), String>;

/// A named step of `cargo xtask test`.
type NamedStep<'a> = (&'a str, Box<dyn Fn() -> Step>);

/// Runs `program args…`, streaming its output; fails on a non-zero exit.
/// End-to-end files that are about one backend and already run on it, left out of the second
/// pass: single sign-on through an OpenID provider is the embedded backend's (agents on SAP sign
/// in on SAP's own page, in `sapcc.test.mjs`), and `sapcc.test.mjs` runs on the simulator anyway.
const E2E_ONE_BACKEND: &[&str] = &["oidc.test.mjs", "sapcc.test.mjs"];

/// The end-to-end suite a second time, every middleware on its own SAP Commerce simulator
/// (`ASM_E2E_COMMERCE=sapcc`, see `tests/e2e/server.mjs`).
fn e2e_on_sap_simulator() -> Step {
    let mut files: Vec<String> = std::fs::read_dir("tests/e2e")
        .map_err(|e| format!("tests/e2e: {e}"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs") && !E2E_ONE_BACKEND.contains(&name.as_str()))
        .map(|name| format!("tests/e2e/{name}"))
        .collect();
    files.sort();
    let mut args = vec!["--test", "--test-concurrency=1"];
    args.extend(files.iter().map(String::as_str));
    run_env("node", &args, &[("ASM_E2E_COMMERCE", "sapcc")])
}

/// `cargo xtask screenshots`: the README's pictures in `docs/screenshots/`, taken from the
/// release bundle on the demo store (`tests/e2e/screenshots.mjs`, the e2e suite's browser and
/// server helpers; `screenshots.test.mjs` checks on every run that they can still be taken).
fn screenshots() -> Step {
    run("cargo", &["build", "-p", "asm-middleware"])?;
    run_env(
        "node",
        &["tests/e2e/screenshots.mjs", "docs/screenshots"],
        &[("ASM_MIDDLEWARE_BIN", "target/debug/asm-middleware")],
    )
}

fn run(program: &str, args: &[&str]) -> Step {
    run_env(program, args, &[])
}

fn run_env(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Step {
    println!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed ({status})", args.join(" ")))
    }
}

/// The output of `program args…`, or `None` when it cannot run or fails.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The exact `wasm-bindgen` version the lock file uses (the CLI must match it).
fn wasm_bindgen_version() -> Result<String, String> {
    let lock = fs::read_to_string("Cargo.lock").map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn as_root(cmd: &[&str]) -> Step {
    let is_root = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if is_root {
        run_env(cmd[0], &cmd[1..], &[("DEBIAN_FRONTEND", "noninteractive")])
    } else {
        let mut args = vec!["env", "DEBIAN_FRONTEND=noninteractive"];
        args.extend_from_slice(cmd);
        run("sudo", &args)
    }
}

/// Installs what is missing. `browser`: also Chromium, ChromeDriver and Playwright.
fn setup(browser: bool) -> Step {
    let started = Instant::now();
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        run("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    // The Debian packages download while the Rust tools compile.
    let apt = apt_missing(browser);
    let apt_job = (!apt.is_empty()).then(|| std::thread::spawn(move || apt_install(&apt)));
    let trunk_ok = output("trunk", &["--version"]).is_some_and(|v| v.contains("0.21."));
    if !trunk_ok {
        println!("xtask: installing trunk {TRUNK_VERSION} (a few minutes on 2 cores)");
        run_env(
            "cargo",
            &["install", "trunk", "--version", TRUNK_VERSION, "--locked"],
            QUICK_INSTALL,
        )?;
    }
    let wbg = wasm_bindgen_version()?;
    let wbg_ok = output("wasm-bindgen", &["--version"])
        .is_some_and(|v| v.trim() == format!("wasm-bindgen {wbg}"))
        && output("wasm-bindgen-test-runner", &["--version"]).is_some();
    if !wbg_ok {
        println!("xtask: installing wasm-bindgen-cli {wbg} (about 4 minutes)");
        run_env(
            "cargo",
            &["install", "wasm-bindgen-cli", "--version", &wbg, "--force"],
            QUICK_INSTALL,
        )?;
    }
    if let Some(job) = apt_job {
        job.join()
            .map_err(|_| "the package installation stopped".to_owned())??;
    }
    // `oidc-provider`: the OpenID provider of the single sign-on tests (HTTP and end-to-end);
    // `axe-core`: the accessibility rules the end-to-end tests run on the overlay.
    let npm_ok = Path::new("node_modules/.bin/wasm-opt").exists()
        && Path::new("node_modules/playwright-core/package.json").exists()
        && Path::new("node_modules/typescript/package.json").exists()
        && Path::new("node_modules/oidc-provider/package.json").exists()
        && Path::new("node_modules/axe-core/axe.min.js").exists()
        && Path::new("node_modules/.bin/esbuild").exists();
    if !npm_ok {
        run("npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    println!(
        "xtask: tools ready ({:.0} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Tools installed with `cargo install` are built for a quick compile (no LTO, many codegen
/// units, light optimisation): they only orchestrate, and this saves minutes on a fresh machine.
const QUICK_INSTALL: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ("CARGO_INCREMENTAL", "0"),
];

/// The Debian packages that are missing (`browser`: also what the test suites need).
fn apt_missing(browser: bool) -> Vec<&'static str> {
    let mut apt: Vec<&str> = Vec::new();
    if output("node", &["--version"]).is_none() || output("npm", &["--version"]).is_none() {
        apt.extend(["nodejs", "npm"]);
    }
    // The schemathesis step needs python3 with venv, and curl.
    if browser && output("curl", &["--version"]).is_none() {
        apt.push("curl");
    }
    if browser && output("python3", &["-m", "venv", "--help"]).is_none() {
        apt.extend(["python3", "python3-venv", "python3-pip"]);
    }
    if browser && !Path::new(CHROMIUM).exists() {
        apt.push("chromium");
    }
    if browser && !Path::new(CHROMEDRIVER).exists() {
        apt.push("chromium-driver");
    }
    // The PostgreSQL session store's tests run against a private cluster of Debian's server.
    if browser && postgres::bin_dir().is_none() {
        apt.push("postgresql");
    }
    apt
}

/// `apt-get install` of `packages`.
fn apt_install(packages: &[&str]) -> Step {
    as_root(&["apt-get", "update", "-q"])?;
    let mut cmd = vec!["apt-get", "install", "-y", "-q", "--no-install-recommends"];
    cmd.extend_from_slice(packages);
    as_root(&cmd)
}

/// The release overlay bundle in `dist/`: the code-split build ([`split::build`]: cargo,
/// wasm-split, wasm-bindgen, wasm-opt -Oz from npm's binaryen), then hashed names and
/// precompressed variants.
fn release_bundle() -> Step {
    split::build(Path::new("dist"))?;
    bundle::finish(Path::new("dist")).map(|_| ())
}

/// Prints the bundle's sizes; fails over budget.
fn sizes() -> Step {
    bundle::sizes(Path::new("dist"))
}

/// The middleware and the SAP simulator (the end-to-end suite's SAP part runs both).
fn build_middleware() -> Step {
    run(
        "cargo",
        &[
            "build",
            "-p",
            "asm-middleware",
            "-p",
            "sapcc-sim",
            "--profile",
            "server",
        ],
    )
}

/// The SAP simulator's demo settings (`cargo xtask demo --commerce sapcc-sim`).
const SIM_LISTEN: &str = "127.0.0.1:9002";
/// A fixed token key for the demo only (sealing the simulator's tokens).
const DEMO_TOKEN_KEY: &str =
    "6173 6d2d 6465 6d6f 2d6b 6579 2d6e 6f74 2d61 2d73 6563 7265 742d 2d2d 2d2d 2d2d";

fn demo(extra: &[String]) -> Step {
    setup(false)?;
    release_bundle()?;
    // `--commerce sapcc-sim`: the SAP simulator, with the middleware on it.
    let mut rest: Vec<String> = Vec::new();
    let mut sim = false;
    let mut it = extra.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--commerce" => match it.next().map(String::as_str) {
                Some("sapcc-sim") => sim = true,
                Some(other) => rest.extend(["--commerce".to_owned(), other.to_owned()]),
                None => rest.push(a.clone()),
            },
            "--commerce=sapcc-sim" => sim = true,
            _ => rest.push(a.clone()),
        }
    }
    build_middleware()?;
    let _ = fs::create_dir_all("target");
    let mut args: Vec<String> = vec!["--dist".into(), "dist".into()];
    if !rest.iter().any(|a| a == "--db" || a.starts_with("--db=")) {
        let db = if sim {
            "target/asm-demo-sap.sqlite"
        } else {
            "target/asm-demo.sqlite"
        };
        args.extend(["--db".into(), db.into()]);
    }
    let _simulator = if sim {
        let child = Command::new("target/server/sapcc-sim")
            .args(["--listen", SIM_LISTEN])
            .spawn()
            .map_err(|e| format!("cannot start the SAP simulator: {e}"))?;
        args.extend(
            [
                "--commerce",
                "sapcc",
                "--sapcc-url",
                &format!("http://{SIM_LISTEN}"),
                "--sapcc-client-id",
                "mobile_android",
                "--sapcc-client-secret",
                "secret",
                "--sapcc-sales-managers",
                "asmanager",
                "--token-key",
                &DEMO_TOKEN_KEY.replace(' ', ""),
            ]
            .map(str::to_owned),
        );
        println!(
            "xtask: SAP Commerce simulator on http://{SIM_LISTEN}; agent sign-in: asagent / pw4all \
             (sales manager: asmanager / pw4all); try the customer \"Linda Wolf\""
        );
        Some(KillOnDrop(child))
    } else {
        println!(
            "xtask: agent sign-in: asagent / Agent#2026 (sales manager: asmanager / Manager#2026)"
        );
        None
    };
    args.extend(rest);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run("target/server/asm-middleware", &args)
}

/// A child process stopped when this value goes (the demo's simulator).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `cargo xtask pg`: a private PostgreSQL cluster for developers, until Ctrl-C.
fn pg() -> Step {
    if postgres::bin_dir().is_none() {
        as_root(&["apt-get", "update"])?;
        as_root(&[
            "apt-get",
            "install",
            "-y",
            "--no-install-recommends",
            "postgresql",
        ])?;
    }
    let cluster = postgres::Cluster::start()?;
    println!("xtask: PostgreSQL is up: {}", cluster.url);
    println!("xtask:   export ASM_TEST_POSTGRES={}", cluster.url);
    println!(
        "xtask:   cargo run -p asm-middleware -- --store {}",
        cluster.url
    );
    println!("xtask: Ctrl-C stops it and deletes its files");
    postgres::wait_for_interrupt();
    drop(cluster);
    println!("xtask: PostgreSQL stopped");
    Ok(())
}

fn test() -> Step {
    setup(true)?;
    // One build of everything in the dev profile serves every step: no incremental caches
    // (a fresh checkout gains nothing from them, and they cost gigabytes), and the end-to-end
    // and schemathesis steps run the middleware and simulator binaries `cargo test` built.
    env::set_var("CARGO_INCREMENTAL", "0");
    for (var, bin) in [
        ("ASM_MIDDLEWARE_BIN", "target/debug/asm-middleware"),
        ("ASM_SAPCC_SIM_BIN", "target/debug/sapcc-sim"),
        ("ASM_SERVER", "target/debug/asm-middleware"),
    ] {
        if env::var_os(var).is_none() {
            env::set_var(var, root().join(bin));
        }
    }
    // One private PostgreSQL for every step: the session store tests (and the multi-instance
    // test) find it in ASM_TEST_POSTGRES; each test makes its own database in it. Stopped and
    // deleted when this function returns. Without it those tests fail under CI.
    let _cluster = match postgres::Cluster::start() {
        Ok(c) => {
            println!("xtask: test PostgreSQL at {}", c.url);
            env::set_var("ASM_TEST_POSTGRES", &c.url);
            Some(c)
        }
        Err(e) => {
            println!("xtask: cannot start the test PostgreSQL: {e}");
            None
        }
    };
    let chromedriver = [("CHROMEDRIVER", CHROMEDRIVER)];
    let steps: Vec<NamedStep> = vec![
        (
            "format",
            Box::new(|| run("cargo", &["fmt", "--all", "--", "--check"])),
        ),
        (
            "clippy (native)",
            Box::new(|| {
                run(
                    "cargo",
                    &[
                        "clippy",
                        "--workspace",
                        "--all-targets",
                        "--",
                        "-D",
                        "warnings",
                    ],
                )
            }),
        ),
        (
            "clippy (wasm32)",
            Box::new(|| {
                run(
                    "cargo",
                    &[
                        "clippy",
                        "-p",
                        "asm-overlay",
                        "--target",
                        "wasm32-unknown-unknown",
                        "--all-targets",
                        "--",
                        "-D",
                        "warnings",
                    ],
                )
            }),
        ),
        (
            "type declarations (tsc --noEmit)",
            Box::new(|| run("npm", &["run", "--silent", "test:types"])),
        ),
        (
            "unit and HTTP tests",
            Box::new(|| run("cargo", &["test", "--workspace"])),
        ),
        (
            // The same HTTP suite again, each test on its own PostgreSQL session store.
            "HTTP tests on the PostgreSQL session store",
            Box::new(|| {
                run_env(
                    "cargo",
                    // `--workspace`: the same features as the step before, so nothing rebuilds.
                    &["test", "--workspace", "--test", "http"],
                    &[("ASM_TEST_STORE", "postgres")],
                )
            }),
        ),
        (
            "overlay browser tests",
            Box::new(move || {
                run_env(
                    "cargo",
                    &[
                        "test",
                        "-p",
                        "asm-overlay",
                        "--target",
                        "wasm32-unknown-unknown",
                    ],
                    &chromedriver,
                )
            }),
        ),
        (
            "release bundle",
            Box::new(|| release_bundle().and_then(|()| sizes())),
        ),
        (
            "schemathesis",
            Box::new(|| run("bash", &["tests/schemathesis/run.sh"])),
        ),
        (
            "end-to-end tests",
            Box::new(|| run("npm", &["run", "--silent", "test:e2e"])),
        ),
        (
            "end-to-end tests on the SAP simulator",
            Box::new(e2e_on_sap_simulator),
        ),
    ];
    let mut failed = Vec::new();
    for (name, step) in &steps {
        let started = Instant::now();
        println!("\nxtask: ==== {name}");
        match step() {
            Ok(()) => println!(
                "xtask: ---- {name}: ok ({:.0} s)",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => {
                println!("xtask: ---- {name}: FAILED: {e}");
                failed.push(*name);
            }
        }
    }
    println!();
    println!(
        "steps: {} passed, {} failed",
        steps.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")))
    }
}
