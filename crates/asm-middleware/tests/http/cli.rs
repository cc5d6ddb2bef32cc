//! The binary's `migrate` command: a deployment step that prepares the databases and exits.

use std::process::Command;

fn middleware() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asm-middleware"))
}

#[test]
fn migrate_prepares_the_sqlite_databases_and_exits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shop.sqlite");
    let out = middleware()
        .args(["--db", db.to_str().expect("path"), "migrate"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrated"));
    let c = r2d2_sqlite::rusqlite::Connection::open(&db).expect("open");
    for table in [
        "customers",
        "carts",
        "agent_sessions",
        "emulations",
        "login_throttle",
        "audit_log",
    ] {
        let n: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .expect("query");
        assert_eq!(n, 1, "table {table}");
    }
    // Migrating does not seed: the shop is seeded when it first serves.
    let customers: i64 = c
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .expect("count");
    assert_eq!(customers, 0);
    // A second run finds nothing to do and still succeeds.
    let again = middleware()
        .args(["--db", db.to_str().expect("path"), "migrate"])
        .output()
        .expect("run");
    assert!(again.status.success());
}

#[test]
fn migrate_with_an_unreachable_postgres_fails_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shop.sqlite");
    let out = middleware()
        .args([
            "--db",
            db.to_str().expect("path"),
            "--store",
            "postgres://asm:secret@127.0.0.1:1/asm",
            "migrate",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    assert!(
        !err.contains("secret"),
        "the password is not printed: {err}"
    );
}
