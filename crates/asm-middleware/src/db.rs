//! SQLite connection pools and the audit row, shared by the SQLite session store and the
//! embedded demo shop (which writes its audit rows in its own transactions when it shares the
//! store's database file; see [`crate::ports::audit_handoff`]).

use crate::ports::NewAudit;
use r2d2::PooledConnection;
use r2d2_sqlite::rusqlite::{self, params, Connection};
use r2d2_sqlite::SqliteConnectionManager;
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};

/// A pool of SQLite connections, and the database threads that run requests' work on them,
/// first come, first served (see [`Pool::run`]).
#[derive(Clone)]
pub struct Pool {
    connections: r2d2::Pool<SqliteConnectionManager>,
    /// The queue of work for the database threads, in order of arrival.
    jobs: mpsc::Sender<Job>,
}

/// Work for a database thread.
type Job = Box<dyn FnOnce() + Send>;

/// The pool's connections (requests' work, and session reads on the request's task).
const POOL_SIZE: u32 = 8;

/// How many database threads run requests' work: two a core, at most one a connection. On 2
/// cores (4 threads) the 1M-customer search served 2,413–2,699 req/s against 1,871–2,069 on
/// tokio's blocking pool behind a fair queue of 8: every hand-off there woke a thread of its own,
/// and 8 busy threads shared 2 cores.
fn database_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .saturating_mul(2)
        .clamp(2, POOL_SIZE as usize)
}

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

    /// Runs `f` with a connection on a database thread. The work waits in one queue, in order
    /// of arrival, and a thread that finishes takes the next at once (no thread is woken per
    /// request). A panic in `f` is an internal error of this request only.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<PoolFailure> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let connections = self.connections.clone();
        let job: Job = Box::new(move || {
            // A request that has gone while it waited (its client left) costs no work.
            if answer.is_closed() {
                return;
            }
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut conn = connections
                    .get()
                    .map_err(|e| E::from(PoolFailure::Unavailable(e.to_string())))?;
                f(&mut conn)
            }))
            .unwrap_or_else(|_| {
                Err(E::from(PoolFailure::Internal(
                    "the database work panicked".to_owned(),
                )))
            });
            // The request may have gone (its client left): nobody to answer then.
            let _ = answer.send(out);
        });
        self.jobs
            .send(job)
            .map_err(|_| E::from(PoolFailure::Internal("no database thread".to_owned())))?;
        answered
            .await
            .map_err(|_| E::from(PoolFailure::Internal("the database work ended".to_owned())))?
    }
}

/// Starts `n` database threads taking work from one queue; they end when every [`Pool`] holding
/// the queue is gone.
fn start_database_threads(n: usize) -> Result<mpsc::Sender<Job>, String> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for i in 0..n {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("asm-db-{i}"))
            .spawn(move || loop {
                // The lock is held only while waiting for the next job, never while it runs.
                let next = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(poisoned) => poisoned.into_inner().recv(),
                };
                match next {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            })
            .map_err(|e| format!("cannot start a database thread: {e}"))?;
    }
    Ok(jobs)
}

/// How long a statement waits for another connection's write lock before answering busy.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A pool of connections to the database file (created if needed), with WAL and foreign keys.
pub fn pool(path: &Path) -> Result<Pool, String> {
    let manager = SqliteConnectionManager::file(path).with_init(|c| {
        c.busy_timeout(BUSY_TIMEOUT)?;
        // Plans that never depend on bound values: otherwise every statement with a bound
        // `MATCH` (the search's index walks) is compiled again each time it runs, about 55,000
        // instructions a walk, up to three walks a search. No query here needs a value-dependent
        // plan (no `LIKE` prefix over an index; the one partial index is implied by `= ?`).
        c.set_db_config(
            r2d2_sqlite::rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
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
        jobs: start_database_threads(database_threads())?,
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
    async fn database_work_waits_its_turn_and_never_outnumbers_the_threads() {
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
        assert!(most <= database_threads(), "{most} at once");
        assert!(database_threads() <= POOL_SIZE as usize);
    }

    // One runtime thread: spawned tasks first run in the order they were spawned, so their work
    // is queued in that order.
    #[tokio::test(flavor = "current_thread")]
    async fn work_runs_in_order_of_arrival_a_panic_fails_only_its_request_and_a_gone_one_is_skipped(
    ) {
        let dir = tempfile::tempdir().expect("dir");
        let pool = pool(&dir.path().join("db.sqlite")).expect("pool");
        let threads = database_threads();
        // Hold every thread, then queue work: it starts in the order it came.
        let (started, mut holding) = tokio::sync::mpsc::unbounded_channel::<()>();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(Mutex::new(held));
        let holders: Vec<_> = (0..threads)
            .map(|_| {
                let (pool, held, started) = (pool.clone(), held.clone(), started.clone());
                tokio::spawn(async move {
                    pool.run(move |_| {
                        let _ = started.send(());
                        let _ = held.lock().map(|h| h.recv());
                        Ok::<(), PoolFailure>(())
                    })
                    .await
                })
            })
            .collect();
        for _ in 0..threads {
            holding.recv().await.expect("a thread holds");
        }
        let order = Arc::new(Mutex::new(Vec::new()));
        let queued: Vec<_> = (0..20)
            .map(|i| {
                let (pool, order) = (pool.clone(), order.clone());
                tokio::spawn(async move {
                    pool.run(move |_| {
                        order.lock().expect("order").push(i);
                        Ok::<(), PoolFailure>(())
                    })
                    .await
                })
            })
            .collect();
        // One request gives up while it waits: its work never runs.
        let ran = Arc::new(AtomicUsize::new(0));
        let gone = {
            let (pool, ran) = (pool.clone(), ran.clone());
            tokio::spawn(async move {
                pool.run(move |_| {
                    ran.fetch_add(1, Ordering::SeqCst);
                    Ok::<(), PoolFailure>(())
                })
                .await
            })
        };
        tokio::task::yield_now().await;
        gone.abort();
        let _ = gone.await;
        // One thread is let go: it alone works the queue, so the work runs in the order it is
        // taken. (With all of them let go, two threads taking 18 and 19 may finish either way.)
        release.send(()).expect("release one");
        for q in queued {
            q.await.expect("task").expect("queued work");
        }
        for _ in 1..threads {
            release.send(()).expect("release");
        }
        for h in holders {
            h.await.expect("holder").expect("held work");
        }
        let order = order.lock().expect("order").clone();
        assert_eq!(
            order,
            (0..20).collect::<Vec<_>>(),
            "first come, first served"
        );
        // A panic is this request's internal error; the threads go on working.
        let panicked = pool
            .run(|_| -> Result<(), PoolFailure> { panic!("bad work") })
            .await;
        assert!(
            matches!(panicked, Err(PoolFailure::Internal(_))),
            "{panicked:?}"
        );
        for _ in 0..threads * 2 {
            let n: i64 = pool
                .run(|c| {
                    c.query_row("SELECT 7", [], |r| r.get(0))
                        .map_err(|e| PoolFailure::Internal(e.to_string()))
                })
                .await
                .expect("work after the panic");
            assert_eq!(n, 7);
        }
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the gone request's work ran");
    }
}
