//! SQLite connection pools and the audit row, shared by the SQLite session store and the
//! embedded demo shop (which writes its audit rows in its own transactions when it shares the
//! store's database file; see [`crate::ports::audit_handoff`]).

use crate::ports::NewAudit;
use r2d2::PooledConnection;
use r2d2_sqlite::rusqlite::{self, params, Connection};
use r2d2_sqlite::SqliteConnectionManager;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// A pool of SQLite connections, with a first-come-first-served queue in front of it for the
/// blocking thread pool (see [`Pool::run`]).
#[derive(Clone)]
pub struct Pool {
    connections: r2d2::Pool<SqliteConnectionManager>,
    /// One permit per connection: requests wait here, in order of arrival.
    queue: Arc<Semaphore>,
}

/// The pool's size: its connections and the blocking threads working on them at once.
const POOL_SIZE: u32 = 8;

/// Why [`Pool::run`] could not run its work.
#[derive(Debug)]
pub enum PoolFailure {
    /// No connection could be had (the pool's timeout, or the file cannot be opened).
    Unavailable(String),
    /// The blocking task failed (it panicked).
    Internal(String),
}

impl Pool {
    /// A connection, waiting for one (start-up, seeding and tests; requests use [`Pool::run`]).
    pub fn get(&self) -> Result<PooledConnection<SqliteConnectionManager>, r2d2::Error> {
        self.connections.get()
    }

    /// A connection if one is free now.
    pub fn try_get(&self) -> Option<PooledConnection<SqliteConnectionManager>> {
        self.connections.try_get()
    }

    /// Runs `f` with a connection on the blocking thread pool. The request first waits for its
    /// turn in a fair queue, so there is at most one blocking thread per connection. Without it,
    /// every request took a blocking thread at once and they raced for the connections: a
    /// returned connection went to whichever thread woke first, not the one waiting longest.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<PoolFailure> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let permit = self
            .queue
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| E::from(PoolFailure::Internal(e.to_string())))?;
        let connections = self.connections.clone();
        tokio::task::spawn_blocking(move || {
            let _turn = permit;
            let mut conn = connections
                .get()
                .map_err(|e| E::from(PoolFailure::Unavailable(e.to_string())))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(PoolFailure::Internal(e.to_string())))?
    }
}

/// How long a statement waits for another connection's write lock before answering busy.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A pool of connections to the database file (created if needed), with WAL and foreign keys.
pub fn pool(path: &Path) -> Result<Pool, String> {
    let manager = SqliteConnectionManager::file(path).with_init(|c| {
        c.busy_timeout(BUSY_TIMEOUT)?;
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; \
             PRAGMA journal_size_limit = 67108864; PRAGMA mmap_size = 1073741824; \
             PRAGMA cache_size = -16384;",
        )
    });
    // No check on every check-out: a connection to a local file does not go stale.
    let connections = r2d2::Pool::builder()
        .max_size(POOL_SIZE)
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
    Ok(Pool {
        connections,
        queue: Arc::new(Semaphore::new(POOL_SIZE as usize)),
    })
}

/// The use of `pool` now (for the metrics).
pub fn usage(pool: &Pool) -> crate::ports::PoolUsage {
    let state = pool.connections.state();
    crate::ports::PoolUsage {
        open: u64::from(state.connections),
        idle: u64::from(state.idle_connections),
        max: u64::from(pool.connections.max_size()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocking_work_waits_its_turn_and_never_outnumbers_the_connections() {
        let dir = tempfile::tempdir().expect("dir");
        let pool = pool(&dir.path().join("db.sqlite")).expect("pool");
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    pool.run(move |c| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        let n: i64 = c
                            .query_row("SELECT ?1", params![i], |r| r.get(0))
                            .map_err(|e| PoolFailure::Internal(e.to_string()))?;
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok::<i64, PoolFailure>(n)
                    })
                    .await
                })
            })
            .collect();
        for (i, t) in tasks.into_iter().enumerate() {
            let n = t.await.expect("task").expect("run");
            assert_eq!(n, i as i64);
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most >= 2, "work ran side by side ({most})");
        assert!(most <= POOL_SIZE as usize, "{most} at once");
    }
}
