//! SQLite connection pools and the audit row, shared by the SQLite session store and the
//! embedded demo shop (which writes its audit rows in its own transactions when it shares the
//! store's database file; see [`crate::ports::audit_handoff`]).

use crate::ports::NewAudit;
use r2d2_sqlite::rusqlite::{self, params, Connection};
use r2d2_sqlite::SqliteConnectionManager;
use std::path::Path;

/// A pool of SQLite connections.
pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// A pool of connections to the database file (created if needed), with WAL and foreign keys.
pub fn pool(path: &Path) -> Result<Pool, String> {
    let manager = SqliteConnectionManager::file(path).with_init(|c| {
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
             PRAGMA journal_size_limit = 67108864; PRAGMA mmap_size = 1073741824; \
             PRAGMA cache_size = -16384;",
        )
    });
    r2d2::Pool::builder()
        .max_size(8)
        .build(manager)
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))
}

/// The use of `pool` now (for the metrics).
pub fn usage(pool: &Pool) -> crate::ports::PoolUsage {
    let state = pool.state();
    crate::ports::PoolUsage {
        open: u64::from(state.connections),
        idle: u64::from(state.idle_connections),
        max: u64::from(pool.max_size()),
    }
}

/// Splits the stored comma-separated group list.
pub fn parse_groups(csv: &str) -> Vec<String> {
    csv.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Inserts an audit record into `audit_log` (the SQLite session store's table) on `c`, in the
/// caller's transaction if it has one, with its `outcome` (`None`: not an audited backend write,
/// or an attempt whose outcome comes later). Returns the record's id. The one place that writes
/// audit rows on SQLite: the session store's records and the embedded shop's in-transaction
/// records.
pub fn insert_audit(
    c: &Connection,
    record: &NewAudit,
    outcome: Option<&str>,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO audit_log (at, agent_uid, customer_id, action, detail, outcome) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        record.at,
        record.agent_uid,
        record.customer_id,
        record.action.as_str(),
        record.detail,
        outcome
    ])?;
    Ok(c.last_insert_rowid())
}
