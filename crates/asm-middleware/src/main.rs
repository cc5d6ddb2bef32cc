//! `asm-middleware` binary: opens (and seeds) the database, sweeps expired sessions, serves.
//!
//! The log (`tracing`) goes to stderr; stdout has only the lines scripts read: where it listens
//! (and serves metrics), that it stopped, and what `migrate` did.

use asm_middleware::config::{Command, CommerceKind, Config, SapAuthKind};
use asm_middleware::ports::SessionStore;
use asm_middleware::store::postgres::PostgresStore;
use asm_middleware::store::sqlite::SqliteStore;
use asm_middleware::{app, AppState, Clock};
use clap::Parser;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    asm_middleware::telemetry::init(config.log_format);
    if let Err(e) = run(config).await {
        tracing::error!("{e}");
        std::process::exit(1);
    }
}

async fn run(config: Config) -> Result<(), String> {
    if matches!(config.command, Some(Command::Migrate)) {
        return migrate(config).await;
    }
    let started = std::time::Instant::now();
    let listen = config.listen.clone();
    let dist = config.dist.clone();
    let db_path = config.db.clone();
    let state = if config.commerce == CommerceKind::Sapcc {
        let sessions: Arc<dyn SessionStore> = if config.store == "sqlite" {
            let path = config.db.clone();
            Arc::new(
                tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                    .await
                    .map_err(|e| e.to_string())??,
            )
        } else {
            Arc::new(PostgresStore::connect(&config.store, config.store_pool).await?)
        };
        tracing::info!(
            "commerce backend: SAP Commerce at {} (base site {}, agents sign in by {})",
            config.sapcc_url,
            config.base_site,
            match config.sapcc_auth {
                SapAuthKind::Password => "password",
                SapAuthKind::Pkce => "SAP's sign-in page (authorization code + PKCE)",
            }
        );
        AppState::sap(config, Clock::system(), sessions)?
    } else if config.store == "sqlite" {
        tokio::task::spawn_blocking(move || AppState::open(config, Clock::system()))
            .await
            .map_err(|e| e.to_string())??
    } else if config.store.starts_with("postgres://") || config.store.starts_with("postgresql://") {
        let store = PostgresStore::connect(&config.store, config.store_pool).await?;
        tracing::info!(
            "session store: PostgreSQL (pool of {}); sessions, emulations, sign-in throttle and \
             audit are shared by every instance on it",
            config.store_pool
        );
        tracing::info!(
            "note: the embedded demo shop is one SQLite file: instances share it only on one \
             host (use a remote commerce backend for more)"
        );
        let sessions: Arc<dyn SessionStore> = Arc::new(store);
        tokio::task::spawn_blocking(move || AppState::with_store(config, Clock::system(), sessions))
            .await
            .map_err(|e| e.to_string())??
    } else {
        return Err(format!(
            "--store {}: expected `sqlite` or a `postgres://user@host:port/db` URL",
            config.store
        ));
    };
    let state = state.configure_sign_in()?;
    if let (Some(issuer), Some(public)) = (&state.config.oidc.issuer, &state.config.public_url) {
        tracing::info!(
            "agents may sign in through {issuer} (redirect URI {})",
            asm_middleware::http::sso::redirect_uri(public)
        );
    }
    tracing::info!(
        "database {} ready in {:.1} s",
        db_path.display(),
        started.elapsed().as_secs_f64()
    );
    if !dist.join("asm-loader.js").exists() {
        tracing::warn!(
            "no overlay bundle in {} (run `trunk build --release` first)",
            dist.display()
        );
    }
    spawn_sweeper(state.clone());
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(metrics_listen) = state.config.metrics_listen.clone() {
        serve_metrics(&metrics_listen, state.clone()).await?;
    }
    // Scripts and tests wait for this line on stdout (`listening on http://…`): keep its shape.
    println!("asm-middleware: listening on http://{addr}/  (storefront with ASM: http://{addr}/?asm=true)");
    let limits = asm_middleware::serve::ConnectionLimits::of(&state.config);
    asm_middleware::serve::serve(listener, app(state), limits, shutdown).await;
    println!("asm-middleware: stopped (in-flight requests were answered)");
    Ok(())
}

/// Serves the metrics (`GET /metrics`) on their own listener at `addr` (`--metrics-listen`),
/// and says where on stdout.
async fn serve_metrics(addr: &str, state: asm_middleware::AppState) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--metrics-listen: cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    println!("asm-middleware: metrics on http://{bound}/metrics");
    // The same connection hygiene as the app's listener (timeouts, connection cap).
    let limits = asm_middleware::serve::ConnectionLimits::of(&state.config);
    let router = asm_middleware::metrics::router(state);
    tokio::spawn(asm_middleware::serve::serve(
        listener,
        router,
        limits,
        std::future::pending::<()>(),
    ));
    Ok(())
}

/// Ctrl-C or SIGTERM (what an orchestrator sends): stop accepting, let in-flight requests finish.
/// The SIGTERM handler is installed at once (before the server says it listens), so a signal
/// that comes early is not lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            match terminate.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutting down");
    }
}

/// `asm-middleware migrate`: migrates the session store (PostgreSQL, or SQLite in `--db`) and
/// the demo shop's database, then exits.
async fn migrate(config: Config) -> Result<(), String> {
    if config.store.starts_with("postgres://") || config.store.starts_with("postgresql://") {
        let applied = asm_middleware::store::postgres::migrate(&config.store).await?;
        println!(
            "asm-middleware: PostgreSQL session store migrated (migrations applied now: {applied})"
        );
    }
    let db = config.db.clone();
    tokio::task::spawn_blocking(move || {
        let pool = asm_middleware::commerce::embedded::schema::open(&db)?;
        if config.store == "sqlite" {
            asm_middleware::store::sqlite::SqliteStore::on_pool(pool)?;
        }
        Ok::<_, String>(())
    })
    .await
    .map_err(|e| e.to_string())??;
    println!("asm-middleware: database {} migrated", config.db.display());
    Ok(())
}

/// Runs [`asm_middleware::sweep::sweep`] every 15 s.
fn spawn_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(asm_middleware::sweep::EVERY);
        loop {
            tick.tick().await;
            asm_middleware::sweep::sweep(&state).await;
        }
    });
}
