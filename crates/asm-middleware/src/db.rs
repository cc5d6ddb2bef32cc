//! SQLite connection pools, shared by the SQLite session store and the embedded demo shop.

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
             PRAGMA journal_size_limit = 67108864;",
        )
    });
    r2d2::Pool::builder()
        .max_size(8)
        .build(manager)
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))
}

/// Splits the stored comma-separated group list.
pub fn parse_groups(csv: &str) -> Vec<String> {
    csv.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}
