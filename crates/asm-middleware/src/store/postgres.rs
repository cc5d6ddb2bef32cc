//! The session store on PostgreSQL, for any number of middleware instances sharing one database:
//! agent sessions, emulations, the sign-in throttle and the audit log live in tables that every
//! instance reads and writes (tokio-postgres through a deadpool connection pool, no TLS).
//!
//! - **Migrations** are embedded SQL (`migrations/postgres/*.sql`), applied in order at start (or by
//!   [`migrate`]) inside one transaction that holds an advisory lock, and recorded in
//!   `schema_migrations`: two instances starting at the same moment apply each migration once.
//! - **Compound operations** (ending a session ends its emulation and writes the audit records;
//!   starting an emulation ends the previous one) run in one transaction. Everything that changes
//!   an agent's emulations first takes a transaction-scoped advisory lock on the agent, so two
//!   instances never leave an agent with two active emulations or end one twice.
//! - **The sweeper** locks the expired sessions `FOR UPDATE SKIP LOCKED` (in agent order) and
//!   deletes each with `DELETE … RETURNING`: when every instance sweeps, each session is ended, and
//!   audited, by exactly one of them.
//! - **The throttle** counts a failure with one `INSERT … ON CONFLICT DO UPDATE` that carries the
//!   window and lock rules, so failures on every instance add up.
//! - **Errors**: a connection, pool or timeout problem is [`StoreError::Unavailable`] (the pool waits
//!   at most [`WAIT_TIMEOUT`] for a connection, connecting gives up after [`CONNECT_TIMEOUT`], and no
//!   operation takes longer than [`OPERATION_TIMEOUT`]); anything else is [`StoreError::Internal`].
//!   Broken connections are dropped by the pool when they are next checked out, so the store
//!   recovers by itself once the database is back.

use crate::ports::SignInFlow;
use crate::ports::{
    AgentSessionRecord, AuditQuery, EmulationRecord, NewAudit, PoolUsage, SessionStore,
    StoreActivity, StoreError, StoreResult, ThrottleRule, Timeouts,
};
use asm_types::{Agent, AuditAction, AuditEntry};
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// How long a request waits for a free pooled connection before the store answers `Unavailable`.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long opening a new connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest any one store operation may take (a hung connection answers `Unavailable`).
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);

/// The embedded migrations: version, name, SQL. Append only; never edit one that has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "session store",
        include_str!("migrations/postgres/0001_session_store.sql"),
    ),
    (
        2,
        "backend tokens",
        include_str!("migrations/postgres/0002_backend_tokens.sql"),
    ),
    (
        3,
        "sign-in flows",
        include_str!("migrations/postgres/0003_sign_in_flows.sql"),
    ),
    (
        4,
        "audit repeats",
        include_str!("migrations/postgres/0004_audit_repeats.sql"),
    ),
];

/// How many migrations this build knows (the latest version).
pub const MIGRATION_COUNT: usize = MIGRATIONS.len();

/// Key of the advisory lock held while migrating (`asm-migr` in ASCII).
const MIGRATION_LOCK: i64 = 0x6173_6d2d_6d69_6772;

/// Expired sessions ended per sweep transaction.
const SWEEP_BATCH: i64 = 200;

/// One throttle failure in this many also deletes stale throttle rows (unlocked, window over:
/// they count exactly as no row).
const THROTTLE_PRUNE_ONE_IN: u32 = 64;

/// The session store on PostgreSQL. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PostgresStore")
            .field("max_size", &status.max_size)
            .field("size", &status.size)
            .finish()
    }
}

impl PostgresStore {
    /// Builds a pool of at most `pool_size` connections from a `postgres://` URL, checks that it
    /// can connect, and runs the migrations the database has not seen yet.
    pub async fn connect(url: &str, pool_size: usize) -> Result<PostgresStore, String> {
        let store = Self::lazy(url, pool_size)?;
        let where_ = describe_url(url);
        let mut client = store.pool.get().await.map_err(|e| {
            format!(
                "cannot connect to PostgreSQL at {where_}: {}",
                pool_text(&e)
            )
        })?;
        let applied = migrate_client(&mut client)
            .await
            .map_err(|e| format!("PostgreSQL migrations failed at {where_}: {}", chain(&e)))?;
        if applied > 0 {
            tracing::info!(applied, at = %where_, "applied PostgreSQL migrations");
        }
        Ok(store)
    }

    /// Builds the pool without connecting or migrating: the first operation connects. For a store
    /// that must start while the database is down (and for tests of exactly that).
    pub fn lazy(url: &str, pool_size: usize) -> Result<PostgresStore, String> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            format!(
                "invalid PostgreSQL URL {}: {}",
                describe_url(url),
                chain(&e)
            )
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("asm-middleware");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(WAIT_TIMEOUT))
            .build()
            .map_err(|e| format!("cannot build the PostgreSQL pool: {e}"))?;
        Ok(PostgresStore { pool })
    }

    /// Records the outcome of audit record `id` and, when given, replaces its detail.
    pub async fn set_audit_outcome(
        &self,
        id: i64,
        outcome: &str,
        detail: Option<&str>,
    ) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "UPDATE audit_log SET outcome = $2, detail = COALESCE($3::text, detail) WHERE id = $1",
                )
                .await?;
            c.execute(&stmt, &[&id, &outcome, &detail]).await?;
            Ok(())
        })
        .await
    }

    /// A pooled connection.
    async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_error)
    }
}

/// Connects to `url` once and applies the migrations it has not seen yet (for a `migrate`
/// subcommand); returns how many it applied.
pub async fn migrate(url: &str) -> Result<usize, String> {
    let where_ = describe_url(url);
    let mut config = tokio_postgres::Config::from_str(url)
        .map_err(|e| format!("invalid PostgreSQL URL {where_}: {}", chain(&e)))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let (mut client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| format!("cannot connect to PostgreSQL at {where_}: {}", chain(&e)))?;
    let task = tokio::spawn(connection);
    let result = migrate_client(&mut client)
        .await
        .map_err(|e| format!("PostgreSQL migrations failed at {where_}: {}", chain(&e)));
    drop(client);
    let _ = task.await;
    result
}

/// Applies the missing migrations in one transaction under an advisory lock.
async fn migrate_client(
    client: &mut tokio_postgres::Client,
) -> Result<usize, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let done: Vec<i64> = tx
        .query("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await?;
        applied += 1;
    }
    tx.commit().await?;
    Ok(applied)
}

/// Runs `f` with the operation time limit.
async fn timed<T>(f: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    tokio::time::timeout(OPERATION_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(format!(
                "no answer from PostgreSQL within {} s",
                OPERATION_TIMEOUT.as_secs()
            )))
        })
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if is_unavailable(&e) {
            StoreError::Unavailable(chain(&e))
        } else {
            StoreError::Internal(chain(&e))
        }
    }
}

/// Whether a driver error means "cannot reach the database now" (retry later) rather than a bug.
fn is_unavailable(e: &tokio_postgres::Error) -> bool {
    if let Some(code) = e.code() {
        let c = code.code();
        return c.starts_with("08") // connection exception
            || c.starts_with("53") // insufficient resources (too many connections, disk full)
            || c.starts_with("57P") // server shutting down, cannot connect now
            || *code == SqlState::QUERY_CANCELED // statement timeout
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::READ_ONLY_SQL_TRANSACTION // a standby after a fail-over
            || *code == SqlState::INVALID_CATALOG_NAME
            || *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION;
    }
    if e.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    let text = e.to_string();
    text.starts_with("error connecting")
        || text.starts_with("timeout")
        || text.starts_with("error communicating")
}

/// A pool error: everything but a misconfigured runtime means the database cannot be reached.
fn pool_error(e: PoolError) -> StoreError {
    match e {
        PoolError::NoRuntimeSpecified => StoreError::Internal(pool_text(&e)),
        _ => StoreError::Unavailable(pool_text(&e)),
    }
}

fn pool_text(e: &PoolError) -> String {
    match e {
        PoolError::Backend(b) => chain(b),
        other => other.to_string(),
    }
}

/// An error with its causes, e.g. `db error: ERROR: relation "x" does not exist`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// `user@host:port/dbname` of a URL, without its password (for messages).
fn describe_url(url: &str) -> String {
    match tokio_postgres::Config::from_str(url) {
        Ok(c) => {
            let hosts: Vec<String> = c
                .get_hosts()
                .iter()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(t) => t.clone(),
                    tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect();
            let ports: Vec<String> = c.get_ports().iter().map(u16::to_string).collect();
            format!(
                "{}@{}:{}/{}",
                c.get_user().unwrap_or(""),
                hosts.join(","),
                if ports.is_empty() {
                    "5432".to_owned()
                } else {
                    ports.join(",")
                },
                c.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

/// Milliseconds since the epoch as RFC 3339 (UTC).
fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

const SELECT_EMULATION: &str =
    "SELECT session_id, agent_uid, customer_id, customer_name, customer_email, \
     base_site, cart_id, reason, created, ended FROM emulations";

fn emulation_from_row(r: &Row) -> StoreResult<EmulationRecord> {
    Ok(EmulationRecord {
        session_id: r.try_get(0)?,
        agent_uid: r.try_get(1)?,
        customer_id: r.try_get(2)?,
        customer_name: r.try_get(3)?,
        customer_email: r.try_get(4)?,
        base_site: r.try_get(5)?,
        cart_id: r.try_get(6)?,
        reason: r.try_get(7)?,
        created: r.try_get(8)?,
        ended: r.try_get(9)?,
    })
}

type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// Serialises every change to one agent's emulations (transaction-scoped advisory lock).
async fn lock_agent(tx: &Tx<'_>, agent_uid: &str) -> StoreResult<()> {
    let stmt = tx
        .prepare_cached("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .await?;
    tx.execute(&stmt, &[&format!("asm-agent:{agent_uid}")])
        .await?;
    Ok(())
}

async fn insert_audit(
    tx: &Tx<'_>,
    at: i64,
    agent_uid: Option<&str>,
    customer_id: Option<&str>,
    action: AuditAction,
    detail: Option<&str>,
) -> StoreResult<i64> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO audit_log (at, agent_uid, customer_id, action, detail) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .await?;
    let row = tx
        .query_one(
            &stmt,
            &[&at, &agent_uid, &customer_id, &action.as_str(), &detail],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// Ends the agent's active emulations (only `session_id` when given), auditing each; the caller
/// holds the agent's lock.
async fn end_emulations_in(
    tx: &Tx<'_>,
    agent_uid: &str,
    session_id: Option<&str>,
    now: i64,
    reason: &str,
) -> StoreResult<usize> {
    let stmt = tx
        .prepare_cached(
            "UPDATE emulations SET ended = $3, end_reason = $4 \
             WHERE agent_uid = $1 AND ended IS NULL AND ($2::text IS NULL OR session_id = $2::text) \
             RETURNING session_id, customer_id",
        )
        .await?;
    let rows = tx
        .query(&stmt, &[&agent_uid, &session_id, &now, &reason])
        .await?;
    let mut ended: Vec<(String, String)> = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<StoreResult<_>>()?;
    ended.sort();
    for (_, customer_id) in &ended {
        insert_audit(
            tx,
            now,
            Some(agent_uid),
            Some(customer_id),
            AuditAction::EmulationEnd,
            Some(reason),
        )
        .await?;
    }
    Ok(ended.len())
}

/// `end_agent_session` inside a transaction.
async fn end_session_in(
    tx: &Tx<'_>,
    token_hash: &str,
    now: i64,
    reason: &str,
    timeouts: Timeouts,
) -> StoreResult<Option<Option<String>>> {
    let stmt = tx
        .prepare_cached(
            "DELETE FROM agent_sessions WHERE token_hash = $1 RETURNING agent_uid, backend_tokens",
        )
        .await?;
    let Some(row) = tx.query_opt(&stmt, &[&token_hash]).await? else {
        return Ok(None);
    };
    let agent_uid: String = row.try_get(0)?;
    let tokens: Option<String> = row.try_get(1)?;
    lock_agent(tx, &agent_uid).await?;
    // A session that times out ends the emulation only if it was the agent's last live session
    // (sessions past their own timeouts, swept or not, do not count).
    let other_live = if reason == "timeout" {
        let stmt = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM agent_sessions \
                 WHERE agent_uid = $1 AND last_seen > $2 AND created > $3)",
            )
            .await?;
        let row = tx
            .query_one(
                &stmt,
                &[
                    &agent_uid,
                    &now.saturating_sub(timeouts.idle_ms),
                    &now.saturating_sub(timeouts.max_ms),
                ],
            )
            .await?;
        row.try_get::<_, bool>(0)?
    } else {
        false
    };
    if !other_live {
        end_emulations_in(tx, &agent_uid, None, now, reason).await?;
    }
    let action = if reason == "timeout" {
        AuditAction::SessionExpired
    } else {
        AuditAction::SignOut
    };
    insert_audit(tx, now, Some(&agent_uid), None, action, None).await?;
    Ok(Some(tokens))
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            c.simple_query("SELECT 1").await?;
            Ok(())
        })
        .await
    }

    async fn create_agent_session(
        &self,
        token_hash: &str,
        agent: &Agent,
        now: i64,
    ) -> StoreResult<()> {
        timed(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO agent_sessions \
                     (token_hash, agent_uid, agent_name, agent_email, agent_groups, created, last_seen) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6)",
                )
                .await?;
            tx.execute(
                &stmt,
                &[
                    &token_hash,
                    &agent.uid,
                    &agent.name,
                    &agent.email,
                    &agent.groups,
                    &now,
                ],
            )
            .await?;
            insert_audit(&tx, now, Some(&agent.uid), None, AuditAction::SignIn, None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn agent_session(&self, token_hash: &str) -> StoreResult<Option<AgentSessionRecord>> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "SELECT token_hash, agent_uid, agent_name, agent_email, agent_groups, created, last_seen, \
                     backend_tokens FROM agent_sessions WHERE token_hash = $1",
                )
                .await?;
            let Some(r) = c.query_opt(&stmt, &[&token_hash]).await? else {
                return Ok(None);
            };
            Ok(Some(AgentSessionRecord {
                token_hash: r.try_get(0)?,
                agent: Agent {
                    uid: r.try_get(1)?,
                    name: r.try_get(2)?,
                    email: r.try_get(3)?,
                    groups: r.try_get(4)?,
                },
                created: r.try_get(5)?,
                last_seen: r.try_get(6)?,
                backend_tokens: r.try_get(7)?,
            }))
        })
        .await
    }

    async fn set_backend_tokens(&self, token_hash: &str, sealed: Option<&str>) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "UPDATE agent_sessions SET backend_tokens = $2 WHERE token_hash = $1",
                )
                .await?;
            c.execute(&stmt, &[&token_hash, &sealed]).await?;
            Ok(())
        })
        .await
    }

    async fn touch_agent_session(&self, token_hash: &str, now: i64) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached("UPDATE agent_sessions SET last_seen = GREATEST(last_seen, $2) WHERE token_hash = $1")
                .await?;
            c.execute(&stmt, &[&token_hash, &now]).await?;
            Ok(())
        })
        .await
    }

    async fn end_agent_session(
        &self,
        token_hash: &str,
        now: i64,
        reason: &str,
        timeouts: Timeouts,
    ) -> StoreResult<bool> {
        timed(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            let existed = end_session_in(&tx, token_hash, now, reason, timeouts).await?;
            tx.commit().await?;
            Ok(existed.is_some())
        })
        .await
    }

    async fn end_other_agent_sessions(
        &self,
        agent_uid: &str,
        keep_token_hash: &str,
        now: i64,
    ) -> StoreResult<Vec<Option<String>>> {
        timed(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            // Rows first, then the agent's lock: the order `end_session_in` takes them in.
            let stmt = tx
                .prepare_cached(
                    "DELETE FROM agent_sessions WHERE agent_uid = $1 AND token_hash <> $2 \
                     RETURNING backend_tokens",
                )
                .await?;
            let rows = tx.query(&stmt, &[&agent_uid, &keep_token_hash]).await?;
            let tokens = rows
                .iter()
                .map(|r| r.try_get::<_, Option<String>>(0))
                .collect::<Result<Vec<_>, _>>()?;
            if !tokens.is_empty() {
                lock_agent(&tx, agent_uid).await?;
            }
            for _ in &tokens {
                insert_audit(
                    &tx,
                    now,
                    Some(agent_uid),
                    None,
                    AuditAction::SignOut,
                    Some("new-sign-in"),
                )
                .await?;
            }
            tx.commit().await?;
            Ok(tokens)
        })
        .await
    }

    async fn expire_agent_sessions(
        &self,
        now: i64,
        timeouts: Timeouts,
    ) -> StoreResult<Vec<Option<String>>> {
        timed(async {
            let mut ended = Vec::new();
            loop {
                let mut c = self.client().await?;
                let tx = c.transaction().await?;
                // Locked in agent order, so that two sweepers take the agents' locks in the same
                // order; rows another sweeper holds are skipped (it ends them).
                let stmt = tx
                    .prepare_cached(
                        "SELECT token_hash FROM agent_sessions WHERE last_seen <= $1 OR created <= $2 \
                         ORDER BY agent_uid, token_hash LIMIT $3 FOR UPDATE SKIP LOCKED",
                    )
                    .await?;
                let rows = tx
                    .query(
                        &stmt,
                        &[
                            &now.saturating_sub(timeouts.idle_ms),
                            &now.saturating_sub(timeouts.max_ms),
                            &SWEEP_BATCH,
                        ],
                    )
                    .await?;
                let hashes: Vec<String> = rows
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
                for hash in &hashes {
                    if let Some(tokens) = end_session_in(&tx, hash, now, "timeout", timeouts).await? {
                        ended.push(tokens);
                    }
                }
                tx.commit().await?;
                if i64::try_from(hashes.len()).unwrap_or(i64::MAX) < SWEEP_BATCH {
                    return Ok(ended);
                }
            }
        })
        .await
    }

    async fn count_agent_sessions(&self, agent_uid: Option<&str>) -> StoreResult<u64> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM agent_sessions WHERE $1::text IS NULL OR agent_uid = $1::text",
                )
                .await?;
            let n: i64 = c.query_one(&stmt, &[&agent_uid]).await?.try_get(0)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn activity(&self, now: i64, timeouts: Timeouts) -> StoreResult<StoreActivity> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "SELECT (SELECT COUNT(*) FROM agent_sessions WHERE last_seen > $1 AND created > $2), \
                            (SELECT COUNT(*) FROM emulations WHERE ended IS NULL AND agent_uid IN \
                               (SELECT agent_uid FROM agent_sessions WHERE last_seen > $1 AND created > $2))",
                )
                .await?;
            let idle_since = now.saturating_sub(timeouts.idle_ms);
            let created_since = now.saturating_sub(timeouts.max_ms);
            let row = c.query_one(&stmt, &[&idle_since, &created_since]).await?;
            let sessions: i64 = row.try_get(0)?;
            let emulations: i64 = row.try_get(1)?;
            Ok(StoreActivity {
                agent_sessions: u64::try_from(sessions).unwrap_or(0),
                emulations: u64::try_from(emulations).unwrap_or(0),
            })
        })
        .await
    }

    fn pool_usage(&self) -> Option<PoolUsage> {
        let status = self.pool.status();
        let open = u64::try_from(status.size).unwrap_or(0);
        let idle = u64::try_from(status.available).unwrap_or(0);
        Some(PoolUsage {
            open,
            idle: idle.min(open),
            max: u64::try_from(status.max_size).unwrap_or(0),
        })
    }

    async fn active_emulation(&self, agent_uid: &str) -> StoreResult<Option<EmulationRecord>> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(&format!(
                    "{SELECT_EMULATION} WHERE agent_uid = $1 AND ended IS NULL \
                     ORDER BY created DESC, session_id DESC LIMIT 1"
                ))
                .await?;
            c.query_opt(&stmt, &[&agent_uid])
                .await?
                .as_ref()
                .map(emulation_from_row)
                .transpose()
        })
        .await
    }

    async fn emulation(
        &self,
        session_id: &str,
        agent_uid: &str,
    ) -> StoreResult<Option<EmulationRecord>> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(&format!(
                    "{SELECT_EMULATION} WHERE session_id = $1 AND agent_uid = $2"
                ))
                .await?;
            c.query_opt(&stmt, &[&session_id, &agent_uid])
                .await?
                .as_ref()
                .map(emulation_from_row)
                .transpose()
        })
        .await
    }

    async fn start_emulation(&self, new: &EmulationRecord) -> StoreResult<()> {
        timed(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            lock_agent(&tx, &new.agent_uid).await?;
            end_emulations_in(&tx, &new.agent_uid, None, new.created, "switched").await?;
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO emulations (session_id, agent_uid, customer_id, customer_name, \
                     customer_email, base_site, cart_id, reason, created) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .await?;
            tx.execute(
                &stmt,
                &[
                    &new.session_id,
                    &new.agent_uid,
                    &new.customer_id,
                    &new.customer_name,
                    &new.customer_email,
                    &new.base_site,
                    &new.cart_id,
                    &new.reason,
                    &new.created,
                ],
            )
            .await?;
            insert_audit(
                &tx,
                new.created,
                Some(&new.agent_uid),
                Some(&new.customer_id),
                AuditAction::EmulationStart,
                new.reason.as_deref(),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn end_emulations(
        &self,
        agent_uid: &str,
        session_id: Option<&str>,
        now: i64,
        reason: &str,
    ) -> StoreResult<usize> {
        timed(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            lock_agent(&tx, agent_uid).await?;
            let n = end_emulations_in(&tx, agent_uid, session_id, now, reason).await?;
            tx.commit().await?;
            Ok(n)
        })
        .await
    }

    async fn set_emulation_cart(
        &self,
        session_id: &str,
        cart_id: Option<&str>,
        only_if: Option<&str>,
    ) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "UPDATE emulations SET cart_id = $2::text \
                     WHERE session_id = $1 AND ($3::text IS NULL OR cart_id = $3::text)",
                )
                .await?;
            c.execute(&stmt, &[&session_id, &cart_id, &only_if]).await?;
            Ok(())
        })
        .await
    }

    async fn set_emulation_customer(
        &self,
        session_id: &str,
        name: &str,
        email: &str,
    ) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "UPDATE emulations SET customer_name = $2, customer_email = $3 \
                     WHERE session_id = $1",
                )
                .await?;
            c.execute(&stmt, &[&session_id, &name, &email]).await?;
            Ok(())
        })
        .await
    }

    async fn emulated_customers(&self, agent_uid: &str) -> StoreResult<Vec<(String, i64)>> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "SELECT customer_id, MAX(created) AS latest FROM emulations WHERE agent_uid = $1 \
                     GROUP BY customer_id ORDER BY latest DESC, customer_id",
                )
                .await?;
            c.query(&stmt, &[&agent_uid])
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })
        .await
    }

    async fn throttle_wait_ms(&self, keys: &[String], now: i64) -> StoreResult<i64> {
        if keys.is_empty() {
            return Ok(0);
        }
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "SELECT MAX(locked_until - $2::bigint) FROM throttle WHERE key = ANY($1::text[])",
                )
                .await?;
            let wait: Option<i64> = c.query_one(&stmt, &[&keys, &now]).await?.try_get(0)?;
            Ok(wait.unwrap_or(0))
        })
        .await
    }

    async fn throttle_failed(&self, key: &str, now: i64, rule: ThrottleRule) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            // `counted` is the failures of the current window including this one (the window
            // restarts when it is over); reaching the limit locks the key for `lock_ms` and starts
            // a new window with no failures. A lock is never shortened by a later failure window.
            const COUNTED: &str = "(CASE WHEN $2::bigint - t.window_start >= $4::bigint THEN 0 \
                                   ELSE t.failures END + 1)";
            let sql = format!(
                "INSERT INTO throttle AS t (key, failures, window_start, locked_until) \
                 VALUES ($1, CASE WHEN 1 >= $3::bigint THEN 0 ELSE 1 END, $2::bigint, \
                         CASE WHEN 1 >= $3::bigint THEN $2::bigint + $5::bigint ELSE 0 END) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN {COUNTED} >= $3::bigint THEN 0 ELSE {COUNTED} END, \
                   window_start = CASE WHEN {COUNTED} >= $3::bigint THEN $2::bigint \
                                       WHEN $2::bigint - t.window_start >= $4::bigint THEN $2::bigint \
                                       ELSE t.window_start END, \
                   locked_until = CASE WHEN {COUNTED} >= $3::bigint THEN $2::bigint + $5::bigint \
                                       ELSE t.locked_until END"
            );
            let stmt = c.prepare_cached(&sql).await?;
            c.execute(
                &stmt,
                &[
                    &key,
                    &now,
                    &i64::from(rule.limit),
                    &rule.window_ms,
                    &rule.lock_ms,
                ],
            )
            .await?;
            if fastrand::u32(..THROTTLE_PRUNE_ONE_IN) == 0 {
                let stmt = c
                    .prepare_cached(
                        "DELETE FROM throttle WHERE locked_until <= $1 AND window_start <= $1 - $2",
                    )
                    .await?;
                c.execute(&stmt, &[&now, &rule.window_ms]).await?;
            }
            Ok(())
        })
        .await
    }

    async fn throttle_clear(&self, key: &str) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached("DELETE FROM throttle WHERE key = $1")
                .await?;
            c.execute(&stmt, &[&key]).await?;
            Ok(())
        })
        .await
    }

    async fn create_sign_in_flow(&self, flow: &SignInFlow) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "INSERT INTO sign_in_flows (state, binding_hash, code_verifier, nonce, \
                     return_to, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .await?;
            c.execute(
                &stmt,
                &[
                    &flow.state,
                    &flow.binding_hash,
                    &flow.code_verifier,
                    &flow.nonce,
                    &flow.return_to,
                    &flow.created,
                    &flow.expires_at,
                ],
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn take_sign_in_flow(&self, state: &str) -> StoreResult<Option<(SignInFlow, bool)>> {
        timed(async {
            let c = self.client().await?;
            // One statement: the row lock makes concurrent callbacks (on any instance) add
            // their use one after the other, and only one of them sees 1.
            let stmt = c
                .prepare_cached(
                    "UPDATE sign_in_flows SET uses = uses + 1 WHERE state = $1 RETURNING \
                     state, binding_hash, code_verifier, nonce, return_to, created, expires_at, uses",
                )
                .await?;
            let Some(r) = c.query_opt(&stmt, &[&state]).await? else {
                return Ok(None);
            };
            let flow = SignInFlow {
                state: r.try_get(0)?,
                binding_hash: r.try_get(1)?,
                code_verifier: r.try_get(2)?,
                nonce: r.try_get(3)?,
                return_to: r.try_get(4)?,
                created: r.try_get(5)?,
                expires_at: r.try_get(6)?,
            };
            Ok(Some((flow, r.try_get::<_, i64>(7)? == 1)))
        })
        .await
    }

    async fn prune_sign_in_flows(&self, before: i64) -> StoreResult<usize> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached("DELETE FROM sign_in_flows WHERE expires_at < $1")
                .await?;
            let n = c.execute(&stmt, &[&before]).await?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
        .await
    }

    async fn throttle_count(&self, key: &str, now: i64, window_ms: i64) -> StoreResult<u32> {
        timed(async {
            let c = self.client().await?;
            // One statement: concurrent failures on every instance each get their own count.
            let stmt = c
                .prepare_cached(
                    "INSERT INTO throttle AS t (key, failures, window_start, locked_until) \
                     VALUES ($1, 1, $2::bigint, 0) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN $2::bigint - t.window_start >= $3::bigint THEN 1 \
                                       ELSE t.failures + 1 END, \
                       window_start = CASE WHEN $2::bigint - t.window_start >= $3::bigint \
                                           THEN $2::bigint ELSE t.window_start END \
                     RETURNING failures",
                )
                .await?;
            let row = c.query_one(&stmt, &[&key, &now, &window_ms]).await?;
            let failures: i64 = row.try_get(0)?;
            Ok(u32::try_from(failures).unwrap_or(u32::MAX))
        })
        .await
    }

    async fn throttle_lock(&self, key: &str, now: i64, until: i64) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "INSERT INTO throttle AS t (key, failures, window_start, locked_until) \
                     VALUES ($1, 0, $2::bigint, $3::bigint) \
                     ON CONFLICT (key) DO UPDATE SET \
                       locked_until = GREATEST(t.locked_until, EXCLUDED.locked_until)",
                )
                .await?;
            c.execute(&stmt, &[&key, &now, &until]).await?;
            Ok(())
        })
        .await
    }

    async fn audit_repeated(&self, record: NewAudit, window_ms: i64) -> StoreResult<i64> {
        timed(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            // Identical refusals arriving at once on several instances queue here, so that they
            // count on one row.
            let stmt = tx
                .prepare_cached("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .await?;
            let key = format!(
                "asm-audit:{}|{}|{}|{}",
                record.action.as_str(),
                record.agent_uid.as_deref().unwrap_or(""),
                record.customer_id.as_deref().unwrap_or(""),
                record.detail.as_deref().unwrap_or("")
            );
            tx.execute(&stmt, &[&key]).await?;
            let stmt = tx
                .prepare_cached(
                    "SELECT id FROM audit_log WHERE at >= $1 AND at <= $2 AND action = $3 \
                     AND agent_uid IS NOT DISTINCT FROM $4 \
                     AND customer_id IS NOT DISTINCT FROM $5 \
                     AND detail IS NOT DISTINCT FROM $6 \
                     AND outcome IS NULL ORDER BY id DESC LIMIT 1",
                )
                .await?;
            let latest = tx
                .query_opt(
                    &stmt,
                    &[
                        &record.at.saturating_sub(window_ms),
                        &record.at,
                        &record.action.as_str(),
                        &record.agent_uid,
                        &record.customer_id,
                        &record.detail,
                    ],
                )
                .await?;
            let id = match latest {
                Some(row) => {
                    let id: i64 = row.try_get(0)?;
                    let stmt = tx
                        .prepare_cached(
                            "UPDATE audit_log SET repeats = repeats + 1, last_at = $2 WHERE id = $1",
                        )
                        .await?;
                    tx.execute(&stmt, &[&id, &record.at]).await?;
                    id
                }
                None => {
                    insert_audit(
                        &tx,
                        record.at,
                        record.agent_uid.as_deref(),
                        record.customer_id.as_deref(),
                        record.action,
                        record.detail.as_deref(),
                    )
                    .await?
                }
            };
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    async fn audit(&self, record: NewAudit) -> StoreResult<i64> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "INSERT INTO audit_log (at, agent_uid, customer_id, action, detail) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .await?;
            let row = c
                .query_one(
                    &stmt,
                    &[
                        &record.at,
                        &record.agent_uid,
                        &record.customer_id,
                        &record.action.as_str(),
                        &record.detail,
                    ],
                )
                .await?;
            Ok(row.try_get(0)?)
        })
        .await
    }

    async fn audit_with_outcome(&self, record: NewAudit, outcome: &str) -> StoreResult<i64> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "INSERT INTO audit_log (at, agent_uid, customer_id, action, detail, outcome) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .await?;
            let row = c
                .query_one(
                    &stmt,
                    &[
                        &record.at,
                        &record.agent_uid,
                        &record.customer_id,
                        &record.action.as_str(),
                        &record.detail,
                        &outcome,
                    ],
                )
                .await?;
            Ok(row.try_get(0)?)
        })
        .await
    }

    async fn audit_outcome(&self, id: i64, outcome: &str, detail: Option<&str>) -> StoreResult<()> {
        self.set_audit_outcome(id, outcome, detail).await
    }

    async fn audit_rename_customer(&self, from: &str, to: &str) -> StoreResult<()> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached("UPDATE audit_log SET customer_id = $2 WHERE customer_id = $1")
                .await?;
            c.execute(&stmt, &[&from, &to]).await?;
            Ok(())
        })
        .await
    }

    async fn audit_page(&self, query: &AuditQuery) -> StoreResult<(u64, Vec<AuditEntry>)> {
        timed(async {
            let c = self.client().await?;
            let action = query.action.map(|a| a.as_str().to_owned());
            let limit = i64::from(query.page_size.max(1));
            let offset = i64::from(query.current_page).saturating_mul(limit);
            let mut conditions: Vec<String> = Vec::new();
            let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
            let filters: [(&str, Option<&(dyn ToSql + Sync)>); 5] = [
                ("at >=", query.from.as_ref().map(|v| v as _)),
                ("at <", query.to.as_ref().map(|v| v as _)),
                ("agent_uid =", query.agent_id.as_ref().map(|v| v as _)),
                ("customer_id =", query.customer_id.as_ref().map(|v| v as _)),
                ("action =", action.as_ref().map(|v| v as _)),
            ];
            for (condition, value) in filters {
                if let Some(v) = value {
                    args.push(v);
                    conditions.push(format!("{condition} ${}", args.len()));
                }
            }
            let filter = if conditions.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", conditions.join(" AND "))
            };
            let stmt = c
                .prepare_cached(&format!("SELECT COUNT(*) FROM audit_log{filter}"))
                .await?;
            let total: i64 = c.query_one(&stmt, &args).await?.try_get(0)?;
            let n = args.len();
            args.push(&limit);
            args.push(&offset);
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT id, at, agent_uid, customer_id, action, detail, outcome, repeats, last_at \
                     FROM audit_log{filter} ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
                    n + 1,
                    n + 2
                ))
                .await?;
            let entries = c
                .query(&stmt, &args)
                .await?
                .iter()
                .map(|r| {
                    let action: String = r.try_get(4)?;
                    let repeats: i64 = r.try_get(7)?;
                    let last_at: Option<i64> = r.try_get(8)?;
                    Ok(AuditEntry {
                        id: r.try_get(0)?,
                        at: rfc3339(r.try_get(1)?),
                        agent_id: r.try_get(2)?,
                        customer_id: r.try_get(3)?,
                        action: AuditAction::parse(&action).ok_or_else(|| {
                            StoreError::Internal(format!("unknown audit action {action:?}"))
                        })?,
                        detail: r.try_get(5)?,
                        outcome: r.try_get(6)?,
                        repeats: (repeats > 1)
                            .then(|| u32::try_from(repeats).unwrap_or(u32::MAX)),
                        last_at: last_at.filter(|_| repeats > 1).map(rfc3339),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((u64::try_from(total).unwrap_or(0), entries))
        })
        .await
    }

    async fn prune_audit(&self, before: i64) -> StoreResult<usize> {
        timed(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "DELETE FROM audit_log WHERE at < $1 AND COALESCE(last_at, at) < $1",
                )
                .await?;
            let n = c.execute(&stmt, &[&before]).await?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_described_without_their_password() {
        let d = describe_url("postgres://asm:secret@127.0.0.1:5433/shop");
        assert_eq!(d, "asm@127.0.0.1:5433/shop");
        assert!(!d.contains("secret"));
    }

    #[test]
    fn a_bad_url_is_an_error_not_a_panic() {
        let e = PostgresStore::lazy("postgres://asm@127.0.0.1:notaport/x", 2).unwrap_err();
        assert!(e.contains("invalid PostgreSQL URL"), "{e}");
    }

    #[test]
    fn migrations_are_in_order() {
        for (i, (version, _, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
        }
    }
}
