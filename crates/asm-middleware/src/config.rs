//! Server configuration (command line and environment).

use clap::Parser;
use std::path::PathBuf;

/// The reference ASM middleware with its embedded demo store.
#[derive(Clone, Debug, Parser)]
#[command(name = "asm-middleware", version, about)]
pub struct Config {
    /// What to do; without a command the middleware serves.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "ASM_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// SQLite database file; created, migrated and seeded on first start.
    #[arg(long, env = "ASM_DB", default_value = "asm-demo.sqlite")]
    pub db: PathBuf,
    /// Where the middleware keeps agent sessions, emulations, sign-in throttle counters and the
    /// audit log: `sqlite` (in the `--db` file; one instance) or a `postgres://user@host:port/db`
    /// URL (any number of instances sharing it).
    #[arg(long, env = "ASM_STORE", default_value = "sqlite")]
    pub store: String,
    /// Connections to the PostgreSQL session store per instance.
    #[arg(long, env = "ASM_STORE_POOL", default_value_t = 16)]
    pub store_pool: usize,
    /// Number of generated customers when seeding a new database.
    #[arg(long, env = "ASM_CUSTOMERS", default_value_t = 10_000)]
    pub customers: u32,
    /// Agent session idle timeout, seconds.
    #[arg(long, env = "ASM_IDLE_TIMEOUT", default_value_t = 600)]
    pub idle_timeout: u32,
    /// Agent session absolute lifetime, seconds.
    #[arg(long, env = "ASM_MAX_LIFETIME", default_value_t = 12 * 3600)]
    pub max_lifetime: u32,
    /// Origins (besides the server's own) allowed to call the API with credentials, comma separated.
    #[arg(long, env = "ASM_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Mark the session cookie `Secure` (use behind HTTPS).
    #[arg(long, env = "ASM_SECURE_COOKIE", default_value_t = false)]
    pub secure_cookie: bool,
    /// Failed sign-ins of one account (within 15 minutes) before it is locked for a while.
    #[arg(long, env = "ASM_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,
    /// How long a throttled account or address must wait, seconds.
    #[arg(long, env = "ASM_LOGIN_LOCK_SECONDS", default_value_t = 300)]
    pub login_lock_seconds: u32,
    /// How long audit records are kept, days (at least 1; the default keeps them 90 days).
    #[arg(long, env = "ASM_AUDIT_RETENTION_DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub audit_retention_days: u32,
    /// The commerce backend: `embedded` (the demo shop in `--db`) or `sapcc` (SAP Commerce
    /// Cloud at `--sapcc-url`).
    #[arg(long, env = "ASM_COMMERCE", value_enum, default_value_t = CommerceKind::Embedded)]
    pub commerce: CommerceKind,
    /// SAP Commerce's API host, e.g. `https://api.c1234.commerce.ondemand.com`.
    #[arg(long, env = "ASM_SAPCC_URL", default_value = "")]
    pub sapcc_url: String,
    /// The middleware's OAuth client at SAP's authorization server.
    #[arg(long, env = "ASM_SAPCC_CLIENT_ID", default_value = "")]
    pub sapcc_client_id: String,
    /// Its secret.
    #[arg(
        long,
        env = "ASM_SAPCC_CLIENT_SECRET",
        default_value = "",
        hide_env_values = true
    )]
    pub sapcc_client_secret: String,
    /// How agents sign in at SAP: `password` (SAP Commerce up to 2211.4x) or `pkce`
    /// (authorization code + PKCE on SAP's sign-in page, 2211-jdk21).
    #[arg(long, env = "ASM_SAPCC_AUTH", value_enum, default_value_t = SapAuthKind::Password)]
    pub sapcc_auth: SapAuthKind,
    /// Timeout of every call to SAP Commerce, milliseconds.
    #[arg(long, env = "ASM_SAPCC_TIMEOUT_MS", default_value_t = 10_000)]
    pub sapcc_timeout_ms: u64,
    /// Agents (SAP uids) who are sales managers and may place orders, comma separated (SAP keeps
    /// group membership out of its tokens).
    #[arg(long, env = "ASM_SAPCC_SALES_MANAGERS", value_delimiter = ',')]
    pub sapcc_sales_managers: Vec<String>,
    /// SAP Commerce's base site, e.g. `electronics-spa`.
    #[arg(long, env = "ASM_BASE_SITE", default_value = "electronics-spa")]
    pub base_site: String,
    /// Key sealing the agents' SAP tokens in the session store: 64 hex digits (32 bytes). Every
    /// instance on one store needs the same key; without one a random key is made at start (SAP
    /// sessions then end with a restart).
    #[arg(
        long,
        env = "ASM_TOKEN_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub token_key: String,
    /// A request's head (request line and headers) must arrive within this many milliseconds,
    /// or the connection is closed (slow clients cannot hold connections open); it also bounds
    /// how long a kept-alive connection may wait for its next request.
    #[arg(long, env = "ASM_HEADER_READ_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_ms: u64,
    /// A kept-alive connection with no request in flight is closed after this many milliseconds.
    #[arg(long, env = "ASM_KEEP_ALIVE_TIMEOUT_MS", default_value_t = 5_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_alive_timeout_ms: u64,
    /// Connections served at once (further clients wait in the listen queue); keep it below
    /// the process's file limit.
    #[arg(long, env = "ASM_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: usize,
    /// Requests handled at once; more are refused at once with 503 `ServiceUnavailableError`
    /// and `Retry-After` (load shedding). `/healthz` is not counted.
    #[arg(long, env = "ASM_MAX_IN_FLIGHT", default_value_t = 256,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_in_flight: usize,
    /// A request (reading its body included) must be answered within this many milliseconds,
    /// or it is answered 503 `ServiceUnavailableError` with `Retry-After`.
    #[arg(long, env = "ASM_REQUEST_TIMEOUT_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_ms: u64,
    /// Anonymous carts (`POST /store/carts`, no sign-in) one client address may create at once
    /// (IPv6: one /64); then one more every `--guest-cart-refill-ms`, and more are refused
    /// with 429 `TooManyRequestsError` and `Retry-After`. `0` turns the limit off.
    #[arg(long, env = "ASM_GUEST_CART_BURST", default_value_t = 20)]
    pub guest_cart_burst: u32,
    /// How often one client address gets one more anonymous cart back, milliseconds.
    #[arg(long, env = "ASM_GUEST_CART_REFILL_MS", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub guest_cart_refill_ms: u64,
    /// Reverse proxies (CIDR blocks, comma separated, e.g. `10.0.0.0/8,::1/128`) whose
    /// `Forwarded` / `X-Forwarded-For` headers name the client: the sign-in throttle counts
    /// per client address, taken from those headers only when the TCP peer is one of these
    /// (by default none: the peer's own address).
    #[arg(long, env = "ASM_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The base sites the API accepts in `baseSite`, comma separated (others are refused with
    /// 400 `ValidationError`). With `--commerce sapcc`, `--base-site` is accepted too.
    #[arg(
        long,
        env = "ASM_BASE_SITES",
        value_delimiter = ',',
        default_value = "electronics"
    )]
    pub base_sites: Vec<String>,
    /// End an agent's older sessions when the agent signs in again (audited `sign-out` with the
    /// detail `new-sign-in`; the agent's emulation carries on in the new session). `false` lets
    /// an agent keep several sessions (browsers) at once.
    #[arg(long, env = "ASM_END_OLDER_SESSIONS", default_value_t = true,
          action = clap::ArgAction::Set)]
    pub end_older_sessions: bool,
    /// Folder with the built overlay bundle (Trunk's `dist`), served at `/asm-overlay/`.
    #[arg(long, env = "ASM_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// The middleware's public base URL as browsers reach it (scheme, host, port; e.g.
    /// `https://asm.example.com`). Single sign-on needs it: the redirect URI registered with the
    /// identity provider is `<public-url>/asm/agents/sso/callback`, exactly.
    #[arg(long, env = "ASM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Whether agents may sign in with a user name and password (`POST /agents/login`); turn it
    /// off when every agent signs in through the identity provider.
    #[arg(long, env = "ASM_PASSWORD_SIGN_IN", default_value_t = true, action = clap::ArgAction::Set)]
    pub password_sign_in: bool,
    /// How log lines are written on stderr: `text` (one readable line per event) or `json`
    /// (one JSON object per line, for a log collector). What is logged is chosen with the
    /// `RUST_LOG` environment variable (default `info`; e.g. `warn,asm_middleware=debug`).
    /// Lines logged while a request is served carry its `request_id`.
    #[arg(long, env = "ASM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Serve Prometheus metrics at `GET /metrics` on this separate address (e.g.
    /// `127.0.0.1:9464`), for the metrics scraper only; without it there are no metrics. They
    /// are never served on `--listen`: keep this address unreachable from the internet.
    #[arg(long, env = "ASM_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Agent sign-in through an OpenID Connect provider (authorization code + PKCE).
    #[command(flatten)]
    pub oidc: OidcConfig,
}

/// The OpenID Connect provider agents sign in with (`--oidc-*`); off without `--oidc-issuer`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct OidcConfig {
    /// The provider's issuer URL (its discovery document is `<issuer>/.well-known/openid-configuration`),
    /// e.g. `https://login.microsoftonline.com/<tenant>/v2.0`, `https://<org>.okta.com`,
    /// `https://<host>/realms/<realm>`. Needs `--oidc-client-id` and `--public-url`.
    #[arg(long = "oidc-issuer", env = "ASM_OIDC_ISSUER")]
    pub issuer: Option<String>,
    /// The client id registered with the provider.
    #[arg(long = "oidc-client-id", env = "ASM_OIDC_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The client secret (a confidential client; sent with HTTP Basic authentication). Prefer the
    /// environment variable to the command line.
    #[arg(
        long = "oidc-client-secret",
        env = "ASM_OIDC_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
    /// What the bar's button says after "Sign in with".
    #[arg(
        long = "oidc-label",
        env = "ASM_OIDC_LABEL",
        default_value = "company sign-in"
    )]
    pub label: String,
    /// Scopes asked for, separated by spaces (`openid` is always asked for).
    #[arg(
        long = "oidc-scopes",
        env = "ASM_OIDC_SCOPES",
        default_value = "openid email profile"
    )]
    pub scopes: String,
    /// The ID token (or userinfo) claim listing the user's groups or roles.
    #[arg(
        long = "oidc-groups-claim",
        env = "ASM_OIDC_GROUPS_CLAIM",
        default_value = "groups"
    )]
    pub groups_claim: String,
    /// The claim value that makes the user an agent (mapped to `asagentgroup`).
    #[arg(
        long = "oidc-agent-group",
        env = "ASM_OIDC_AGENT_GROUP",
        default_value = "asagentgroup"
    )]
    pub agent_group: String,
    /// The claim value that makes the user a sales manager (mapped to `asagentsalesmanagergroup`;
    /// a sales manager is an agent too).
    #[arg(
        long = "oidc-sales-manager-group",
        env = "ASM_OIDC_SALES_MANAGER_GROUP",
        default_value = "asagentsalesmanagergroup"
    )]
    pub sales_manager_group: String,
}

/// A trusted proxy: a CIDR block, or one address (a block of one).
fn parse_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{s}` is not a CIDR block (e.g. 10.0.0.0/8) or an IP address"))
}

/// The commerce backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CommerceKind {
    /// The embedded demo shop (SQLite, one instance).
    Embedded,
    /// SAP Commerce Cloud.
    Sapcc,
}

/// The log's line format (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// How agents sign in at SAP Commerce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SapAuthKind {
    /// The password grant (up to 2211.4x).
    Password,
    /// Authorization code + PKCE (2211-jdk21).
    Pkce,
}

/// Commands besides serving.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum Command {
    /// Apply the session store's and the demo shop's migrations, then exit (a deployment step
    /// before starting several instances; serving runs them too).
    Migrate,
}

impl Config {
    /// Whether agents can sign in with a password here: `--password-sign-in`, and never on SAP
    /// Commerce 2211-jdk21 (`--sapcc-auth pkce`), which has no password grant.
    pub fn password_offered(&self) -> bool {
        self.password_sign_in
            && !(self.commerce == CommerceKind::Sapcc && self.sapcc_auth == SapAuthKind::Pkce)
    }

    /// The base sites `baseSite` may name: `--base-sites`, and with SAP Commerce `--base-site`.
    pub fn allowed_base_sites(&self) -> impl Iterator<Item = &str> {
        let sap = (self.commerce == CommerceKind::Sapcc).then_some(self.base_site.as_str());
        self.base_sites
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .chain(sap)
    }

    /// Defaults for tests: a database path of the caller's choosing, a small store.
    pub fn for_tests(db: PathBuf) -> Self {
        Self {
            command: None,
            listen: "127.0.0.1:0".into(),
            db,
            store: "sqlite".into(),
            store_pool: 4,
            customers: 200,
            idle_timeout: 600,
            max_lifetime: 12 * 3600,
            allowed_origins: vec!["http://shop.example".into()],
            secure_cookie: false,
            login_max_failures: 5,
            login_lock_seconds: 300,
            audit_retention_days: 90,
            commerce: CommerceKind::Embedded,
            sapcc_url: String::new(),
            sapcc_client_id: String::new(),
            sapcc_client_secret: String::new(),
            sapcc_auth: SapAuthKind::Password,
            sapcc_timeout_ms: 10_000,
            sapcc_sales_managers: vec![],
            base_site: "electronics-spa".into(),
            token_key: String::new(),
            dist: PathBuf::from("dist"),
            header_read_timeout_ms: 10_000,
            keep_alive_timeout_ms: 5_000,
            max_connections: 1024,
            max_in_flight: 256,
            request_timeout_ms: 30_000,
            guest_cart_burst: 20,
            guest_cart_refill_ms: 1_000,
            trusted_proxies: vec![],
            base_sites: vec!["electronics".into()],
            end_older_sessions: true,
            public_url: None,
            password_sign_in: true,
            log_format: LogFormat::Text,
            metrics_listen: None,
            oidc: OidcConfig {
                issuer: None,
                client_id: None,
                client_secret: None,
                label: "company sign-in".into(),
                scopes: "openid email profile".into(),
                groups_claim: "groups".into(),
                agent_group: asm_types::AGENT_GROUP.into(),
                sales_manager_group: asm_types::SALES_MANAGER_GROUP.into(),
            },
        }
    }
}
