//! The `SessionStore` on SQLite: the embedded default (`cargo xtask demo` needs no server). One
//! middleware instance per database file; several would share the file but not its locks'
//! fairness, so use PostgreSQL for more than one.
//!
//! Its tables live beside the demo shop's in the same file by default and are migrated by the
//! store itself (`session_store_version`), independent of the shop's schema.

use crate::ports::session_store::{
    AgentSessionRecord, AuditQuery, EmulationRecord, NewAudit, PoolUsage, SessionStore,
    StoreActivity, StoreError, StoreResult, ThrottleRule, Timeouts,
};
use crate::ports::SignInFlow;
use asm_types::{Agent, AuditAction, AuditEntry};
use async_trait::async_trait;
use r2d2_sqlite::rusqlite::types::Value;
use r2d2_sqlite::rusqlite::{
    self, params, params_from_iter, Connection, OptionalExtension, TransactionBehavior,
};
use std::path::Path;

pub use crate::db::Pool;

/// The store's own migrations, applied in order; `session_store_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    agent_uid TEXT,
    customer_id TEXT,
    action TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
ALTER TABLE audit_log ADD COLUMN outcome TEXT;
CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_uid TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    agent_email TEXT NOT NULL,
    agent_groups TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions(agent_uid);
CREATE INDEX agent_sessions_last_seen ON agent_sessions(last_seen);
CREATE TABLE emulations (
    session_id TEXT PRIMARY KEY,
    agent_uid TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    base_site TEXT NOT NULL,
    cart_id TEXT,
    reason TEXT,
    created INTEGER NOT NULL,
    ended INTEGER,
    end_reason TEXT
);
CREATE INDEX emulations_agent ON emulations(agent_uid, ended);
CREATE INDEX emulations_agent_customer ON emulations(agent_uid, customer_id, created);
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
"#,
    // 2: the commerce backend's tokens of an agent session (sealed; SAP Commerce).
    "ALTER TABLE agent_sessions ADD COLUMN backend_tokens TEXT;",
    // 3: pending sign-ins through an identity provider.
    r#"
CREATE TABLE sign_in_flows (
    state TEXT PRIMARY KEY,
    binding_hash TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_flows_expires ON sign_in_flows(expires_at);
"#,
    // 4: repeated identical refusals as one record.
    "ALTER TABLE audit_log ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;\n\
     ALTER TABLE audit_log ADD COLUMN last_at INTEGER;",
];

/// The SQLite session store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: Pool,
}

fn map_err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Internal(e.to_string()),
    }
}

impl From<crate::db::PoolFailure> for StoreError {
    fn from(e: crate::db::PoolFailure) -> Self {
        match e {
            crate::db::PoolFailure::Unavailable(m) => StoreError::Unavailable(m),
            crate::db::PoolFailure::Internal(m) => StoreError::Internal(m),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        map_err(e)
    }
}

impl SqliteStore {
    /// The store on an existing pool (the demo shop's), migrating its tables.
    pub fn on_pool(pool: Pool) -> Result<Self, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        migrate(&mut conn).map_err(|e| format!("session store migration failed: {e}"))?;
        Ok(Self { pool })
    }

    /// The store in its own database file (created if needed).
    pub fn open(path: &Path) -> Result<Self, String> {
        Self::on_pool(crate::db::pool(path)?)
    }

    /// A short indexed read (a lookup by key): on the calling task when a connection is free at
    /// once, else like [`Self::run`]. Such a lookup takes microseconds, while handing it to a
    /// database thread and back cost more CPU than the read (the context switches were about
    /// a third of `GET /agents/me`'s CPU time). A read in WAL mode waits for no writer; the rare
    /// moment it would (the WAL being reset), it would sleep in SQLite's busy handler, so on
    /// the task it runs without one, and a busy answer runs it again the usual way.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Clone + Send + 'static,
    {
        if let Some(mut conn) = self.pool.try_get() {
            if conn.busy_timeout(std::time::Duration::ZERO).is_ok() {
                let answer = (f.clone())(&mut conn);
                // Setting a timeout cannot fail (`sqlite3_busy_timeout` only stores it).
                let _ = conn.busy_timeout(crate::db::BUSY_TIMEOUT);
                if !matches!(answer, Err(StoreError::Unavailable(_))) {
                    return answer;
                }
            }
        }
        self.run(f).await
    }

    async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        self.pool.run(f).await
    }
}

/// Runs the store's migrations this database has not seen yet.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS session_store_version (version INTEGER NOT NULL)",
    )?;
    let done: i64 = conn
        .query_row("SELECT MAX(version) FROM session_store_version", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0);
    for (i, sql) in (0_i64..)
        .zip(MIGRATIONS.iter())
        .skip(usize::try_from(done).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO session_store_version (version) VALUES (?1)",
            params![i + 1],
        )?;
        tx.commit()?;
    }
    Ok(())
}

fn insert_audit(c: &Connection, r: &NewAudit) -> rusqlite::Result<i64> {
    crate::db::insert_audit(c, r, None)
}

fn audit_row(
    c: &Connection,
    at: i64,
    agent: &str,
    customer: Option<&str>,
    action: AuditAction,
    detail: Option<&str>,
) -> rusqlite::Result<i64> {
    insert_audit(
        c,
        &NewAudit {
            at,
            agent_uid: Some(agent.to_owned()),
            customer_id: customer.map(str::to_owned),
            action,
            detail: detail.map(str::to_owned),
        },
    )
}

const EMULATION_COLUMNS: &str = "session_id, agent_uid, customer_id, customer_name, \
     customer_email, base_site, cart_id, reason, created, ended";

fn emulation_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EmulationRecord> {
    Ok(EmulationRecord {
        session_id: r.get(0)?,
        agent_uid: r.get(1)?,
        customer_id: r.get(2)?,
        customer_name: r.get(3)?,
        customer_email: r.get(4)?,
        base_site: r.get(5)?,
        cart_id: r.get(6)?,
        reason: r.get(7)?,
        created: r.get(8)?,
        ended: r.get(9)?,
    })
}

/// Ends the agent's active emulations (only `session_id` when given), auditing each.
fn end_emulations_in(
    c: &Connection,
    agent_uid: &str,
    session_id: Option<&str>,
    now: i64,
    reason: &str,
) -> rusqlite::Result<usize> {
    let active: Vec<(String, String)> = {
        let mut stmt = c.prepare_cached(
            "SELECT session_id, customer_id FROM emulations WHERE agent_uid = ?1 AND ended IS NULL \
             AND (?2 IS NULL OR session_id = ?2)",
        )?;
        let rows = stmt.query_map(params![agent_uid, session_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, customer) in &active {
        c.prepare_cached(
            "UPDATE emulations SET ended = ?1, end_reason = ?2 WHERE session_id = ?3",
        )?
        .execute(params![now, reason, id])?;
        audit_row(
            c,
            now,
            agent_uid,
            Some(customer),
            AuditAction::EmulationEnd,
            Some(reason),
        )?;
    }
    Ok(active.len())
}

/// Ends one agent session (see the port's doc); `false` when it no longer exists.
/// Ends one session; `Some(its sealed backend tokens)` when it existed.
fn end_session_in(
    c: &Connection,
    token_hash: &str,
    now: i64,
    reason: &str,
    t: Timeouts,
) -> rusqlite::Result<Option<Option<String>>> {
    let ended: Option<(String, Option<String>)> = c
        .query_row(
            "DELETE FROM agent_sessions WHERE token_hash = ?1 RETURNING agent_uid, backend_tokens",
            params![token_hash],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((uid, tokens)) = ended else {
        return Ok(None);
    };
    let other_live: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM agent_sessions WHERE agent_uid = ?1 \
         AND last_seen + ?3 > ?2 AND created + ?4 > ?2)",
        params![uid, now, t.idle_ms, t.max_ms],
        |r| r.get(0),
    )?;
    if reason != "timeout" || !other_live {
        end_emulations_in(c, &uid, None, now, reason)?;
    }
    let action = if reason == "timeout" {
        AuditAction::SessionExpired
    } else {
        AuditAction::SignOut
    };
    audit_row(c, now, &uid, None, action, None)?;
    Ok(Some(tokens))
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn create_agent_session(
        &self,
        token_hash: &str,
        agent: &Agent,
        now: i64,
    ) -> StoreResult<()> {
        let (hash, agent) = (token_hash.to_owned(), agent.clone());
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO agent_sessions (token_hash, agent_uid, agent_name, agent_email, \
                 agent_groups, created, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    hash,
                    agent.uid,
                    agent.name,
                    agent.email,
                    agent.groups.join(","),
                    now
                ],
            )?;
            audit_row(&tx, now, &agent.uid, None, AuditAction::SignIn, None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn agent_session(&self, token_hash: &str) -> StoreResult<Option<AgentSessionRecord>> {
        let hash = token_hash.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT agent_uid, agent_name, agent_email, agent_groups, created, last_seen, \
                 backend_tokens FROM agent_sessions WHERE token_hash = ?1",
            )?
            .query_row(params![hash], |r| {
                Ok(AgentSessionRecord {
                    token_hash: hash.clone(),
                    agent: Agent {
                        uid: r.get(0)?,
                        name: r.get(1)?,
                        email: r.get(2)?,
                        groups: crate::db::parse_groups(&r.get::<_, String>(3)?),
                    },
                    created: r.get(4)?,
                    last_seen: r.get(5)?,
                    backend_tokens: r.get(6)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn set_backend_tokens(&self, token_hash: &str, sealed: Option<&str>) -> StoreResult<()> {
        let (hash, sealed) = (token_hash.to_owned(), sealed.map(str::to_owned));
        self.run(move |c| {
            c.prepare_cached(
                "UPDATE agent_sessions SET backend_tokens = ?1 WHERE token_hash = ?2",
            )?
            .execute(params![sealed, hash])?;
            Ok(())
        })
        .await
    }

    async fn touch_agent_session(&self, token_hash: &str, now: i64) -> StoreResult<()> {
        let hash = token_hash.to_owned();
        self.run(move |c| {
            c.prepare_cached(
                "UPDATE agent_sessions SET last_seen = MAX(last_seen, ?1) WHERE token_hash = ?2",
            )?
            .execute(params![now, hash])?;
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
        let (hash, reason) = (token_hash.to_owned(), reason.to_owned());
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let ended = end_session_in(&tx, &hash, now, &reason, timeouts)?;
            tx.commit()?;
            Ok(ended.is_some())
        })
        .await
    }

    async fn end_other_agent_sessions(
        &self,
        agent_uid: &str,
        keep_token_hash: &str,
        now: i64,
    ) -> StoreResult<Vec<Option<String>>> {
        let (uid, keep) = (agent_uid.to_owned(), keep_token_hash.to_owned());
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let tokens: Vec<Option<String>> = {
                let mut stmt = tx.prepare_cached(
                    "DELETE FROM agent_sessions WHERE agent_uid = ?1 AND token_hash <> ?2 \
                     RETURNING backend_tokens",
                )?;
                let rows = stmt.query_map(params![uid, keep], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            for _ in &tokens {
                audit_row(
                    &tx,
                    now,
                    &uid,
                    None,
                    AuditAction::SignOut,
                    Some("new-sign-in"),
                )?;
            }
            tx.commit()?;
            Ok(tokens)
        })
        .await
    }

    async fn expire_agent_sessions(
        &self,
        now: i64,
        timeouts: Timeouts,
    ) -> StoreResult<Vec<Option<String>>> {
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let expired: Vec<String> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT token_hash FROM agent_sessions \
                     WHERE last_seen + ?2 <= ?1 OR created + ?3 <= ?1",
                )?;
                let rows = stmt
                    .query_map(params![now, timeouts.idle_ms, timeouts.max_ms], |r| {
                        r.get(0)
                    })?;
                rows.collect::<Result<_, _>>()?
            };
            let mut ended = Vec::new();
            for hash in &expired {
                if let Some(tokens) = end_session_in(&tx, hash, now, "timeout", timeouts)? {
                    ended.push(tokens);
                }
            }
            tx.commit()?;
            Ok(ended)
        })
        .await
    }

    async fn count_agent_sessions(&self, agent_uid: Option<&str>) -> StoreResult<u64> {
        let uid = agent_uid.map(str::to_owned);
        self.run(move |c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM agent_sessions WHERE ?1 IS NULL OR agent_uid = ?1",
                params![uid],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn activity(&self, now: i64, timeouts: Timeouts) -> StoreResult<StoreActivity> {
        self.run(move |c| {
            let live = params![
                now.saturating_sub(timeouts.idle_ms),
                now.saturating_sub(timeouts.max_ms)
            ];
            let sessions: i64 = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM agent_sessions WHERE last_seen > ?1 AND created > ?2",
                )?
                .query_row(live, |r| r.get(0))?;
            let emulations: i64 = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM emulations WHERE ended IS NULL AND agent_uid IN \
                     (SELECT agent_uid FROM agent_sessions WHERE last_seen > ?1 AND created > ?2)",
                )?
                .query_row(live, |r| r.get(0))?;
            Ok(StoreActivity {
                agent_sessions: u64::try_from(sessions).unwrap_or(0),
                emulations: u64::try_from(emulations).unwrap_or(0),
            })
        })
        .await
    }

    fn pool_usage(&self) -> Option<PoolUsage> {
        Some(crate::db::usage(&self.pool))
    }

    async fn active_emulation(&self, agent_uid: &str) -> StoreResult<Option<EmulationRecord>> {
        let uid = agent_uid.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {EMULATION_COLUMNS} FROM emulations WHERE agent_uid = ?1 AND ended IS NULL \
                 ORDER BY created DESC LIMIT 1"
            ))?
            .query_row(params![uid], emulation_from_row)
            .optional()?)
        })
        .await
    }

    async fn emulation(
        &self,
        session_id: &str,
        agent_uid: &str,
    ) -> StoreResult<Option<EmulationRecord>> {
        let (id, uid) = (session_id.to_owned(), agent_uid.to_owned());
        self.run(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {EMULATION_COLUMNS} FROM emulations WHERE session_id = ?1 AND agent_uid = ?2"
            ))?
            .query_row(params![id, uid], emulation_from_row)
            .optional()?)
        })
        .await
    }

    async fn start_emulation(&self, new: &EmulationRecord) -> StoreResult<()> {
        let e = new.clone();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            end_emulations_in(&tx, &e.agent_uid, None, e.created, "switched")?;
            tx.execute(
                &format!(
                    "INSERT INTO emulations ({EMULATION_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)"
                ),
                params![
                    e.session_id,
                    e.agent_uid,
                    e.customer_id,
                    e.customer_name,
                    e.customer_email,
                    e.base_site,
                    e.cart_id,
                    e.reason,
                    e.created
                ],
            )?;
            audit_row(
                &tx,
                e.created,
                &e.agent_uid,
                Some(&e.customer_id),
                AuditAction::EmulationStart,
                e.reason.as_deref(),
            )?;
            tx.commit()?;
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
        let (uid, id, reason) = (
            agent_uid.to_owned(),
            session_id.map(str::to_owned),
            reason.to_owned(),
        );
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = end_emulations_in(&tx, &uid, id.as_deref(), now, &reason)?;
            tx.commit()?;
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
        let (id, cart, only_if) = (
            session_id.to_owned(),
            cart_id.map(str::to_owned),
            only_if.map(str::to_owned),
        );
        self.run(move |c| {
            c.execute(
                "UPDATE emulations SET cart_id = ?1 WHERE session_id = ?2 \
                 AND (?3 IS NULL OR cart_id = ?3)",
                params![cart, id, only_if],
            )?;
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
        let (id, name, email) = (session_id.to_owned(), name.to_owned(), email.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE emulations SET customer_name = ?2, customer_email = ?3 WHERE session_id = ?1",
                params![id, name, email],
            )?;
            Ok(())
        })
        .await
    }

    async fn emulated_customers(&self, agent_uid: &str) -> StoreResult<Vec<(String, i64)>> {
        let uid = agent_uid.to_owned();
        self.run(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT customer_id, MAX(created) AS last FROM emulations WHERE agent_uid = ?1 \
                 GROUP BY customer_id ORDER BY last DESC, customer_id",
            )?;
            let rows = stmt.query_map(params![uid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn throttle_wait_ms(&self, keys: &[String], now: i64) -> StoreResult<i64> {
        let keys = keys.to_vec();
        self.run(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT locked_until FROM login_throttle WHERE key = ?1")?;
            let mut wait = 0;
            for key in &keys {
                if let Some(until) = stmt
                    .query_row(params![key], |r| r.get::<_, i64>(0))
                    .optional()?
                {
                    wait = wait.max(until - now);
                }
            }
            Ok(wait)
        })
        .await
    }

    async fn throttle_failed(&self, key: &str, now: i64, rule: ThrottleRule) -> StoreResult<()> {
        let key = key.to_owned();
        self.run(move |c| {
            // One statement, so concurrent failures all count: a failure outside the window
            // starts a new one; the one that reaches the limit locks the key and starts over.
            c.prepare_cached(
                "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
                 VALUES (?1, CASE WHEN ?3 <= 1 THEN 0 ELSE 1 END, ?2, CASE WHEN ?3 <= 1 THEN ?2 + ?5 ELSE 0 END) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE \
                     WHEN (CASE WHEN ?2 - window_start >= ?4 THEN 0 ELSE failures END) + 1 >= ?3 THEN 0 \
                     ELSE (CASE WHEN ?2 - window_start >= ?4 THEN 0 ELSE failures END) + 1 END, \
                   locked_until = CASE \
                     WHEN (CASE WHEN ?2 - window_start >= ?4 THEN 0 ELSE failures END) + 1 >= ?3 THEN ?2 + ?5 \
                     ELSE locked_until END, \
                   window_start = CASE \
                     WHEN ?2 - window_start >= ?4 THEN ?2 \
                     WHEN failures + 1 >= ?3 THEN ?2 \
                     ELSE window_start END",
            )?
            .execute(params![key, now, rule.limit, rule.window_ms, rule.lock_ms])?;
            Ok(())
        })
        .await
    }

    async fn throttle_clear(&self, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        self.run(move |c| {
            c.prepare_cached("DELETE FROM login_throttle WHERE key = ?1")?
                .execute(params![key])?;
            Ok(())
        })
        .await
    }

    async fn create_sign_in_flow(&self, flow: &SignInFlow) -> StoreResult<()> {
        let flow = flow.clone();
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO sign_in_flows (state, binding_hash, code_verifier, nonce, return_to, \
                 created, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                flow.state,
                flow.binding_hash,
                flow.code_verifier,
                flow.nonce,
                flow.return_to,
                flow.created,
                flow.expires_at
            ])?;
            Ok(())
        })
        .await
    }

    async fn take_sign_in_flow(&self, state: &str) -> StoreResult<Option<(SignInFlow, bool)>> {
        let state = state.to_owned();
        self.run(move |c| {
            // One statement: concurrent callbacks each add one use, and only one sees 1.
            let row = c
                .prepare_cached(
                    "UPDATE sign_in_flows SET uses = uses + 1 WHERE state = ?1 RETURNING \
                     state, binding_hash, code_verifier, nonce, return_to, created, expires_at, uses",
                )?
                .query_row(params![state], |r| {
                    Ok((
                        SignInFlow {
                            state: r.get(0)?,
                            binding_hash: r.get(1)?,
                            code_verifier: r.get(2)?,
                            nonce: r.get(3)?,
                            return_to: r.get(4)?,
                            created: r.get(5)?,
                            expires_at: r.get(6)?,
                        },
                        r.get::<_, i64>(7)? == 1,
                    ))
                })
                .optional()?;
            Ok(row)
        })
        .await
    }

    async fn prune_sign_in_flows(&self, before: i64) -> StoreResult<usize> {
        self.run(move |c| {
            Ok(
                c.prepare_cached("DELETE FROM sign_in_flows WHERE expires_at < ?1")?
                    .execute(params![before])?,
            )
        })
        .await
    }

    async fn throttle_count(&self, key: &str, now: i64, window_ms: i64) -> StoreResult<u32> {
        let key = key.to_owned();
        self.run(move |c| {
            // One statement: concurrent failures each get their own count.
            let failures: i64 = c
                .prepare_cached(
                    "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
                     VALUES (?1, 1, ?2, 0) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN ?2 - window_start >= ?3 THEN 1 ELSE failures + 1 END, \
                       window_start = CASE WHEN ?2 - window_start >= ?3 THEN ?2 ELSE window_start END \
                     RETURNING failures",
                )?
                .query_row(params![key, now, window_ms], |r| r.get(0))?;
            Ok(u32::try_from(failures).unwrap_or(u32::MAX))
        })
        .await
    }

    async fn throttle_lock(&self, key: &str, now: i64, until: i64) -> StoreResult<()> {
        let key = key.to_owned();
        self.run(move |c| {
            c.prepare_cached(
                "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
                 VALUES (?1, 0, ?2, ?3) \
                 ON CONFLICT (key) DO UPDATE SET \
                   locked_until = MAX(locked_until, excluded.locked_until)",
            )?
            .execute(params![key, now, until])?;
            Ok(())
        })
        .await
    }

    async fn audit(&self, record: NewAudit) -> StoreResult<i64> {
        self.run(move |c| Ok(insert_audit(c, &record)?)).await
    }

    async fn audit_repeated(&self, record: NewAudit, window_ms: i64) -> StoreResult<i64> {
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let latest: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM audit_log WHERE at >= ?1 AND at <= ?2 AND action = ?3 \
                     AND agent_uid IS ?4 AND customer_id IS ?5 AND detail IS ?6 \
                     AND outcome IS NULL ORDER BY id DESC LIMIT 1",
                )?
                .query_row(
                    params![
                        record.at.saturating_sub(window_ms),
                        record.at,
                        record.action.as_str(),
                        record.agent_uid,
                        record.customer_id,
                        record.detail
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            let id = match latest {
                Some(id) => {
                    tx.prepare_cached(
                        "UPDATE audit_log SET repeats = repeats + 1, last_at = ?2 WHERE id = ?1",
                    )?
                    .execute(params![id, record.at])?;
                    id
                }
                None => insert_audit(&tx, &record)?,
            };
            tx.commit()?;
            Ok(id)
        })
        .await
    }

    async fn audit_with_outcome(&self, record: NewAudit, outcome: &str) -> StoreResult<i64> {
        let outcome = outcome.to_owned();
        self.run(move |c| Ok(crate::db::insert_audit(c, &record, Some(&outcome))?))
            .await
    }

    async fn audit_rename_customer(&self, from: &str, to: &str) -> StoreResult<()> {
        let (from, to) = (from.to_owned(), to.to_owned());
        self.run(move |c| {
            c.prepare_cached("UPDATE audit_log SET customer_id = ?1 WHERE customer_id = ?2")?
                .execute(params![to, from])?;
            Ok(())
        })
        .await
    }

    async fn audit_outcome(&self, id: i64, outcome: &str, detail: Option<&str>) -> StoreResult<()> {
        let (outcome, detail) = (outcome.to_owned(), detail.map(str::to_owned));
        self.run(move |c| {
            c.prepare_cached(
                "UPDATE audit_log SET outcome = ?1, detail = COALESCE(?2, detail) WHERE id = ?3",
            )?
            .execute(params![outcome, detail, id])?;
            Ok(())
        })
        .await
    }

    async fn audit_page(&self, q: &AuditQuery) -> StoreResult<(u64, Vec<AuditEntry>)> {
        let q = q.clone();
        self.run(move |c| {
            let mut conditions: Vec<&str> = Vec::new();
            let mut args: Vec<Value> = Vec::new();
            if let Some(from) = q.from {
                conditions.push("at >= ?");
                args.push(Value::Integer(from));
            }
            if let Some(to) = q.to {
                conditions.push("at < ?");
                args.push(Value::Integer(to));
            }
            let action = q.action.map(|a| a.as_str().to_owned());
            for (column, value) in [
                ("agent_uid = ?", &q.agent_id),
                ("customer_id = ?", &q.customer_id),
                ("action = ?", &action),
            ] {
                if let Some(v) = value {
                    conditions.push(column);
                    args.push(Value::Text(v.clone()));
                }
            }
            let filter = if conditions.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", conditions.join(" AND "))
            };
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM audit_log{filter}"),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let offset = i64::from(q.current_page) * i64::from(q.page_size);
            args.push(Value::Integer(i64::from(q.page_size)));
            args.push(Value::Integer(offset));
            let mut stmt = c.prepare(&format!(
                "SELECT id, at, agent_uid, customer_id, action, detail, outcome, repeats, last_at \
                 FROM audit_log{filter} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
            ))?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, Option<i64>>(8)?,
                ))
            })?;
            let mut entries = Vec::new();
            for row in rows {
                let (id, at, agent_id, customer_id, action, detail, outcome, repeats, last_at) =
                    row?;
                let Some(action) = AuditAction::parse(&action) else {
                    return Err(StoreError::Internal(format!(
                        "audit record {id} has an unknown action {action:?}"
                    )));
                };
                entries.push(AuditEntry {
                    id,
                    at: crate::format::rfc3339(at),
                    agent_id,
                    customer_id,
                    action,
                    detail,
                    outcome,
                    repeats: (repeats > 1).then(|| u32::try_from(repeats).unwrap_or(u32::MAX)),
                    last_at: last_at.filter(|_| repeats > 1).map(crate::format::rfc3339),
                });
            }
            Ok((u64::try_from(total).unwrap_or(0), entries))
        })
        .await
    }

    async fn prune_audit(&self, before: i64) -> StoreResult<usize> {
        self.run(move |c| {
            Ok(c.execute(
                "DELETE FROM audit_log WHERE at < ?1 AND COALESCE(last_at, at) < ?1",
                params![before],
            )?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_that_finds_the_database_busy_on_the_task_runs_again_on_a_database_thread() {
        let dir = tempfile::tempdir().expect("dir");
        let store = SqliteStore::open(&dir.path().join("store.sqlite")).expect("store");
        let tries = Arc::new(AtomicUsize::new(0));
        let threads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (t, th) = (tries.clone(), threads.clone());
        let answer = store
            .read(move |c| {
                th.lock()
                    .expect("threads")
                    .push(std::thread::current().id());
                // The busy timeout is off on the task, back on a database thread.
                let timeout: i64 = c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
                if t.fetch_add(1, Ordering::SeqCst) == 0 {
                    assert_eq!(timeout, 0, "no busy handler on the task");
                    return Err(StoreError::Unavailable("database is locked".into()));
                }
                assert_eq!(timeout, 5_000);
                Ok(timeout)
            })
            .await
            .expect("the second try answers");
        assert_eq!(answer, 5_000);
        assert_eq!(tries.load(Ordering::SeqCst), 2);
        let threads = threads.lock().expect("threads");
        assert_ne!(threads[0], threads[1], "the retry ran on another thread");
        // The connection used on the task has its busy timeout back.
        let conn = store.pool.get().expect("conn");
        let timeout: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .expect("timeout");
        assert_eq!(timeout, 5_000);
    }
}
