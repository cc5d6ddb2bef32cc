//! `sapcc-sim`: the SAP Commerce Cloud simulator as a server.

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use sapcc_sim::{AuthMode, Config, Fault, Sim};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Auth {
    /// SAP CC ≤ 2211.4x: password grant, InvalidTokenError, revoke needs the bearer.
    Password,
    /// SAP CC 2211-jdk21: authorization code + PKCE only, InvalidBearerTokenError.
    Pkce,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Garbage {
    /// 502 with an HTML error page.
    Html,
    /// 200 with a body that is not JSON.
    Json,
}

/// A SAP Commerce Cloud simulator (OAuth, assistedservicewebservices, OCC) following SAP-CONTRACT.md.
#[derive(Parser, Debug)]
#[command(name = "sapcc-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SAPCC_SIM_LISTEN", default_value = "127.0.0.1:9002")]
    listen: String,
    /// Which authorization server line to behave like.
    #[arg(long, value_enum, default_value = "password")]
    auth: Auth,
    /// OAuth client id.
    #[arg(long, default_value = "mobile_android")]
    client_id: String,
    /// OAuth client secret.
    #[arg(long, default_value = "secret")]
    client_secret: String,
    /// Registered redirect URI of the client (repeatable; matched exactly).
    #[arg(
        long = "redirect-uri",
        default_value = "http://127.0.0.1:8080/asm/agents/oauth/callback"
    )]
    redirect_uris: Vec<String>,
    /// Access-token lifetime (`expires_in`).
    #[arg(long, default_value_t = 43_200)]
    token_lifetime_seconds: i64,
    /// Refresh-token lifetime.
    #[arg(long, default_value_t = 2_592_000)]
    refresh_token_lifetime_seconds: i64,
    /// Expired access tokens still accepted for this long (jdk21 clock-skew quirk: 60).
    #[arg(long, default_value_t = 0)]
    expiry_grace_seconds: i64,
    /// Delay added to every answer (fault tests).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer everything with garbage (fault tests); also switchable at run time with
    /// `POST /_sim/faults`.
    #[arg(long, value_enum)]
    garbage: Option<Garbage>,
    /// `toggle.customer360.enabled=false`: only c360StoreLocation and c360ReviewList.
    #[arg(long)]
    customer360_disabled: bool,
    /// `toggle.customerList.enabled=false`: no hasOrder / lastCartId / userAvatar in search.
    #[arg(long)]
    customer_list_disabled: bool,
    /// Reject unknown `lang`/`curr` with 400.
    #[arg(long)]
    strict_site_context: bool,
    /// bind-cart also accepts the opaque customerId.
    #[arg(long)]
    bind_cart_accepts_customer_id: bool,
    /// OCC answers 403 for login-disabled customers in `{userId}`.
    #[arg(long)]
    reject_deactivated_customers: bool,
    /// Generated customers added after the fixed seed (deterministic; every 100th in the agents'
    /// in-store list).
    #[arg(long, default_value_t = 0)]
    customers: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    let a = Args::parse();
    let config = Config {
        auth_mode: match a.auth {
            Auth::Password => AuthMode::Password,
            Auth::Pkce => AuthMode::Pkce,
        },
        client_id: a.client_id,
        client_secret: a.client_secret,
        redirect_uris: a.redirect_uris,
        token_lifetime_seconds: a.token_lifetime_seconds,
        refresh_token_lifetime_seconds: a.refresh_token_lifetime_seconds,
        expiry_grace_seconds: a.expiry_grace_seconds,
        customer360_enabled: !a.customer360_disabled,
        customer_list_enabled: !a.customer_list_disabled,
        strict_site_context: a.strict_site_context,
        bind_cart_accepts_customer_id: a.bind_cart_accepts_customer_id,
        reject_deactivated_customers: a.reject_deactivated_customers,
        latency_ms: a.latency_ms,
        customers: a.customers,
        fault: match a.garbage {
            None => Fault::None,
            Some(Garbage::Html) => Fault::Html,
            Some(Garbage::Json) => Fault::Garbage,
        },
        ..Config::default()
    };
    let sim = Sim::new(config);
    let listener = match tokio::net::TcpListener::bind(&a.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sapcc-sim: cannot listen on {}: {e}", a.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("sapcc-sim listening on http://{}", a.listen);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match axum::serve(listener, sim.router())
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sapcc-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
