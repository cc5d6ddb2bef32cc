//! The `SessionStore` contract (`ports::session_store`), written once over `&dyn SessionStore` and
//! run for each store:
//! - PostgreSQL (`postgres::*`): each test in its own fresh database of the server named by
//!   `ASM_TEST_POSTGRES` (`cargo xtask test` starts one; `cargo xtask pg` for developers). Without
//!   it the tests are skipped with a notice — and fail when `CI` is set.
//! - SQLite (`sqlite::*`): each test in its own temp dir, through [`sqlite_store`].
//!
//! Below the shared cases come PostgreSQL-only tests: two stores (two instances) on one database,
//! concurrent migrations, a dead database, and recovery after an outage.

use crate::pg_support;

use asm_middleware::ports::{
    AuditQuery, EmulationRecord, NewAudit, SessionStore, SignInFlow, StoreError, ThrottleRule,
    Timeouts,
};
use asm_middleware::store::postgres::PostgresStore;
use asm_types::{Agent, AuditAction, AuditEntry};
use futures_util::future::join_all;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- the stores under test

/// The SQLite store in `dir` (its own database file).
fn sqlite_store(dir: &Path) -> Arc<dyn SessionStore> {
    let store = asm_middleware::store::sqlite::SqliteStore::open(&dir.join("sessions.sqlite"))
        .expect("open the SQLite session store");
    Arc::new(store)
}

/// Runs `case` against a SQLite store in a temp dir.
async fn with_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Arc<dyn SessionStore>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    case(sqlite_store(dir.path())).await;
}

/// Runs `case` against a PostgreSQL store on a fresh database (skipped without a server).
async fn with_postgres<F, Fut>(case: F)
where
    F: FnOnce(Arc<dyn SessionStore>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    let store = PostgresStore::connect(&db.url, 8)
        .await
        .expect("connect to the test database");
    case(Arc::new(store)).await;
    drop(db);
}

/// One `#[tokio::test]` per case and store.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::with_postgres(|s| async move { super::$case(s.as_ref()).await }).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::with_sqlite(|s| async move { super::$case(s.as_ref()).await }).await;
                }
            )*
        }
    };
}

conformance!(
    ping_answers,
    sessions_are_created_read_touched_and_ended,
    a_timeout_keeps_the_emulation_of_another_live_session,
    sign_out_ends_the_emulation_even_with_another_live_session,
    the_sweep_ends_only_expired_sessions,
    concurrent_sweeps_end_each_session_once,
    concurrent_ends_of_one_session_end_it_once,
    starting_an_emulation_switches_from_the_previous_one,
    emulations_end_with_or_without_a_session_id,
    the_cart_of_an_emulation_is_set_only_if_it_is_still_that_one,
    emulated_customers_are_newest_first,
    the_throttle_locks_at_the_limit_within_the_window,
    failures_outside_the_window_do_not_add_up,
    clearing_the_throttle_forgets_the_failures,
    concurrent_failures_all_count,
    the_throttle_counts_in_a_window_without_locking,
    a_throttle_lock_is_kept_until_the_latest,
    concurrent_counts_are_each_their_own,
    a_new_sign_in_ends_the_agents_other_sessions,
    repeated_identical_records_are_counted_on_one_row,
    the_audit_log_filters_pages_and_counts_newest_first,
    audit_outcomes_are_recorded,
    a_record_with_its_outcome_is_one_row,
    old_audit_records_are_pruned,
    a_sign_in_flow_is_taken_once,
    concurrent_callbacks_take_a_flow_once,
    expired_sign_in_flows_are_pruned,
);

// ---------------------------------------------------------------- helpers

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;
const TIMEOUTS: Timeouts = Timeouts {
    idle_ms: 600_000,
    max_ms: 12 * 3_600_000,
};

fn agent(uid: &str) -> Agent {
    Agent {
        uid: uid.to_owned(),
        name: format!("Agent {uid}"),
        email: format!("{uid}@example.com"),
        groups: vec!["asagentgroup".to_owned()],
    }
}

fn emulation(id: &str, agent_uid: &str, customer: &str, created: i64) -> EmulationRecord {
    EmulationRecord {
        session_id: id.to_owned(),
        agent_uid: agent_uid.to_owned(),
        customer_id: customer.to_owned(),
        customer_name: format!("Customer {customer}"),
        customer_email: format!("{customer}@example.com"),
        base_site: "electronics".to_owned(),
        cart_id: None,
        reason: Some(format!("Ticket {id}")),
        created,
        ended: None,
    }
}

/// Every audit record, newest first.
async fn audit_all(s: &dyn SessionStore) -> Vec<AuditEntry> {
    let (total, entries) = s
        .audit_page(&AuditQuery {
            page_size: 10_000,
            ..AuditQuery::default()
        })
        .await
        .expect("audit page");
    assert_eq!(total as usize, entries.len());
    entries
}

async fn audit_of(s: &dyn SessionStore, action: AuditAction) -> Vec<AuditEntry> {
    s.audit_page(&AuditQuery {
        action: Some(action),
        page_size: 10_000,
        ..AuditQuery::default()
    })
    .await
    .expect("audit page")
    .1
}

fn actions(entries: &[AuditEntry]) -> Vec<&'static str> {
    entries.iter().map(|e| e.action.as_str()).collect()
}

// ---------------------------------------------------------------- agent sessions

async fn ping_answers(s: &dyn SessionStore) {
    s.ping().await.expect("ping");
}

async fn sessions_are_created_read_touched_and_ended(s: &dyn SessionStore) {
    let a = agent("asagent");
    s.create_agent_session("h1", &a, T0).await.expect("create");
    let rec = s.agent_session("h1").await.expect("read").expect("exists");
    assert_eq!(rec.token_hash, "h1");
    assert_eq!(rec.agent, a);
    assert_eq!((rec.created, rec.last_seen), (T0, T0));
    assert_eq!(s.agent_session("nope").await.expect("read"), None);

    s.touch_agent_session("h1", T0 + 1_000)
        .await
        .expect("touch");
    let rec = s.agent_session("h1").await.expect("read").expect("exists");
    assert_eq!((rec.created, rec.last_seen), (T0, T0 + 1_000));
    // A late, older touch (two requests racing) never moves the session back in time.
    s.touch_agent_session("h1", T0 + 500).await.expect("touch");
    let rec = s.agent_session("h1").await.expect("read").expect("exists");
    assert_eq!(rec.last_seen, T0 + 1_000);
    s.touch_agent_session("nope", T0).await.expect("touch none");

    s.create_agent_session("h2", &agent("other"), T0)
        .await
        .expect("create");
    assert_eq!(s.count_agent_sessions(None).await.expect("count"), 2);
    assert_eq!(
        s.count_agent_sessions(Some("asagent"))
            .await
            .expect("count"),
        1
    );
    assert_eq!(s.count_agent_sessions(Some("x")).await.expect("count"), 0);

    assert!(s
        .end_agent_session("h1", T0 + 2_000, "sign-out", TIMEOUTS)
        .await
        .expect("end"));
    assert!(
        !s.end_agent_session("h1", T0 + 3_000, "sign-out", TIMEOUTS)
            .await
            .expect("end again"),
        "a session ends once"
    );
    assert_eq!(s.agent_session("h1").await.expect("read"), None);
    assert_eq!(
        s.count_agent_sessions(Some("asagent"))
            .await
            .expect("count"),
        0
    );

    let mine = s
        .audit_page(&AuditQuery {
            agent_id: Some("asagent".into()),
            page_size: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("audit")
        .1;
    assert_eq!(actions(&mine), ["sign-out", "sign-in"]);
    for e in &mine {
        assert_eq!(e.agent_id.as_deref(), Some("asagent"));
        assert_eq!(
            (e.customer_id.as_deref(), e.detail.as_deref()),
            (None, None)
        );
        assert_eq!(e.outcome, None);
    }
    assert_eq!(mine[0].at, "2026-01-01T00:00:02Z");
}

async fn a_timeout_keeps_the_emulation_of_another_live_session(s: &dyn SessionStore) {
    let a = agent("asagent");
    s.create_agent_session("old", &a, T0).await.expect("create");
    s.create_agent_session("new", &a, T0).await.expect("create");
    s.start_emulation(&emulation("e1", "asagent", "C-1", T0 + 1))
        .await
        .expect("start");
    let now = T0 + TIMEOUTS.idle_ms;
    s.touch_agent_session("new", now - 1_000)
        .await
        .expect("touch");
    // `old` timed out, `new` is live: the emulation goes on.
    assert!(s
        .end_agent_session("old", now, "timeout", TIMEOUTS)
        .await
        .expect("end"));
    let active = s.active_emulation("asagent").await.expect("active");
    assert_eq!(active.map(|e| e.session_id).as_deref(), Some("e1"));
    assert!(audit_of(s, AuditAction::EmulationEnd).await.is_empty());
    let expired = audit_of(s, AuditAction::SessionExpired).await;
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].agent_id.as_deref(), Some("asagent"));
    assert_eq!(expired[0].detail, None);

    // When `new` times out too, the emulation ends with it.
    let later = now - 1_000 + TIMEOUTS.idle_ms;
    assert!(s
        .end_agent_session("new", later, "timeout", TIMEOUTS)
        .await
        .expect("end"));
    assert_eq!(s.active_emulation("asagent").await.expect("active"), None);
    let ended = s
        .emulation("e1", "asagent")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(ended.ended, Some(later));
    let ends = audit_of(s, AuditAction::EmulationEnd).await;
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].detail.as_deref(), Some("timeout"));
    assert_eq!(ends[0].customer_id.as_deref(), Some("C-1"));
    assert_eq!(ends[0].agent_id.as_deref(), Some("asagent"));

    // A session that expired itself but was not swept yet does not keep an emulation going.
    s.create_agent_session("x1", &a, later)
        .await
        .expect("create");
    s.create_agent_session("x2", &a, later)
        .await
        .expect("create");
    s.start_emulation(&emulation("e2", "asagent", "C-2", later))
        .await
        .expect("start");
    let gone = later + TIMEOUTS.idle_ms;
    assert!(s
        .end_agent_session("x1", gone, "timeout", TIMEOUTS)
        .await
        .expect("end"));
    assert_eq!(s.active_emulation("asagent").await.expect("active"), None);
}

async fn sign_out_ends_the_emulation_even_with_another_live_session(s: &dyn SessionStore) {
    let a = agent("asagent");
    s.create_agent_session("tab1", &a, T0)
        .await
        .expect("create");
    s.create_agent_session("tab2", &a, T0)
        .await
        .expect("create");
    s.start_emulation(&emulation("e1", "asagent", "C-1", T0 + 1))
        .await
        .expect("start");
    assert!(s
        .end_agent_session("tab1", T0 + 5, "sign-out", TIMEOUTS)
        .await
        .expect("end"));
    assert_eq!(s.active_emulation("asagent").await.expect("active"), None);
    let all = audit_all(s).await;
    assert_eq!(
        actions(&all),
        [
            "sign-out",
            "emulation-end",
            "emulation-start",
            "sign-in",
            "sign-in"
        ]
    );
    assert_eq!(all[1].detail.as_deref(), Some("sign-out"));
    assert_eq!(all[2].detail.as_deref(), Some("Ticket e1"));
    assert_eq!(all[2].customer_id.as_deref(), Some("C-1"));
    // The other session is still there.
    assert!(s.agent_session("tab2").await.expect("read").is_some());
    // Ending a session that does not exist does nothing at all.
    s.start_emulation(&emulation("e2", "asagent", "C-2", T0 + 6))
        .await
        .expect("start");
    let before = audit_all(s).await.len();
    assert!(!s
        .end_agent_session("tab1", T0 + 7, "sign-out", TIMEOUTS)
        .await
        .expect("end"));
    assert_eq!(audit_all(s).await.len(), before);
    assert!(s
        .active_emulation("asagent")
        .await
        .expect("active")
        .is_some());
}

async fn the_sweep_ends_only_expired_sessions(s: &dyn SessionStore) {
    let now = T0 + TIMEOUTS.max_ms + 1;
    // idle: last used more than the idle timeout ago.
    s.create_agent_session("idle", &agent("a1"), now - TIMEOUTS.idle_ms - 5)
        .await
        .expect("create");
    // old: busy, but past its lifetime.
    s.create_agent_session("old", &agent("a2"), T0)
        .await
        .expect("create");
    s.touch_agent_session("old", now - 1).await.expect("touch");
    // live, exactly one ms before either limit.
    s.create_agent_session("live", &agent("a3"), now - TIMEOUTS.idle_ms + 1)
        .await
        .expect("create");
    s.start_emulation(&emulation("e1", "a1", "C-1", now - TIMEOUTS.idle_ms))
        .await
        .expect("start");
    s.start_emulation(&emulation("e3", "a3", "C-3", now - 10))
        .await
        .expect("start");

    assert_eq!(
        s.expire_agent_sessions(now, TIMEOUTS)
            .await
            .expect("sweep")
            .len(),
        2
    );
    assert_eq!(s.count_agent_sessions(None).await.expect("count"), 1);
    assert!(s.agent_session("live").await.expect("read").is_some());
    assert_eq!(s.active_emulation("a1").await.expect("active"), None);
    assert!(s.active_emulation("a3").await.expect("active").is_some());
    let expired = audit_of(s, AuditAction::SessionExpired).await;
    let mut who: Vec<_> = expired.iter().filter_map(|e| e.agent_id.clone()).collect();
    who.sort();
    assert_eq!(who, ["a1", "a2"]);
    let ends = audit_of(s, AuditAction::EmulationEnd).await;
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].detail.as_deref(), Some("timeout"));
    // Nothing left to sweep.
    assert!(s
        .expire_agent_sessions(now, TIMEOUTS)
        .await
        .expect("sweep")
        .is_empty());
}

/// Agents × sessions, all expired at `now`, each agent emulating.
async fn expired_crowd(s: &dyn SessionStore, agents: usize, sessions: usize) -> i64 {
    for a in 0..agents {
        let uid = format!("agent{a:02}");
        for i in 0..sessions {
            s.create_agent_session(&format!("h-{a}-{i}"), &agent(&uid), T0)
                .await
                .expect("create");
        }
        s.start_emulation(&emulation(&format!("e-{a}"), &uid, &format!("C-{a}"), T0))
            .await
            .expect("start");
    }
    T0 + TIMEOUTS.idle_ms
}

async fn concurrent_sweeps_end_each_session_once(s: &dyn SessionStore) {
    let now = expired_crowd(s, 10, 3).await;
    let sweeps = join_all((0..3).map(|_| s.expire_agent_sessions(now, TIMEOUTS))).await;
    let ended: usize = sweeps.into_iter().map(|r| r.expect("sweep").len()).sum();
    assert_eq!(ended, 30, "every session ended by exactly one sweep");
    assert_eq!(s.count_agent_sessions(None).await.expect("count"), 0);
    assert_eq!(audit_of(s, AuditAction::SessionExpired).await.len(), 30);
    assert_eq!(audit_of(s, AuditAction::EmulationEnd).await.len(), 10);
}

async fn concurrent_ends_of_one_session_end_it_once(s: &dyn SessionStore) {
    s.create_agent_session("h", &agent("asagent"), T0)
        .await
        .expect("create");
    s.start_emulation(&emulation("e", "asagent", "C-1", T0))
        .await
        .expect("start");
    let now = T0 + TIMEOUTS.idle_ms;
    let ends = join_all((0..6).map(|i| {
        let reason = if i % 2 == 0 { "sign-out" } else { "timeout" };
        s.end_agent_session("h", now, reason, TIMEOUTS)
    }))
    .await;
    let existed = ends
        .into_iter()
        .filter(|r| *r.as_ref().expect("end"))
        .count();
    assert_eq!(existed, 1);
    let session_ends = audit_of(s, AuditAction::SignOut).await.len()
        + audit_of(s, AuditAction::SessionExpired).await.len();
    assert_eq!(session_ends, 1);
    assert_eq!(audit_of(s, AuditAction::EmulationEnd).await.len(), 1);
}

// ---------------------------------------------------------------- emulations

async fn starting_an_emulation_switches_from_the_previous_one(s: &dyn SessionStore) {
    s.start_emulation(&emulation("e1", "asagent", "C-1", T0))
        .await
        .expect("start");
    let mut second = emulation("e2", "asagent", "C-2", T0 + 10);
    second.cart_id = Some("cart-2".into());
    second.ended = Some(T0 + 11); // ignored
    s.start_emulation(&second).await.expect("start");

    let active = s
        .active_emulation("asagent")
        .await
        .expect("active")
        .expect("one");
    assert_eq!(
        active,
        EmulationRecord {
            ended: None,
            ..second.clone()
        }
    );
    let first = s
        .emulation("e1", "asagent")
        .await
        .expect("read")
        .expect("e1");
    assert_eq!(first.ended, Some(T0 + 10));
    assert_eq!(first.customer_name, "Customer C-1");
    assert_eq!(s.emulation("e1", "someone-else").await.expect("read"), None);
    assert_eq!(s.emulation("nope", "asagent").await.expect("read"), None);
    assert_eq!(s.active_emulation("other").await.expect("active"), None);

    let all = audit_all(s).await;
    assert_eq!(
        actions(&all),
        ["emulation-start", "emulation-end", "emulation-start"]
    );
    assert_eq!(all[0].detail.as_deref(), Some("Ticket e2"));
    assert_eq!(all[0].customer_id.as_deref(), Some("C-2"));
    assert_eq!(all[1].detail.as_deref(), Some("switched"));
    assert_eq!(all[1].customer_id.as_deref(), Some("C-1"));
    assert_eq!(all[1].agent_id.as_deref(), Some("asagent"));

    // Concurrent starts still leave one active emulation.
    let starts = join_all((0..5).map(|i| {
        let e = emulation(&format!("c{i}"), "asagent", "C-9", T0 + 100 + i);
        async move { s.start_emulation(&e).await }
    }))
    .await;
    for r in starts {
        r.expect("start");
    }
    let ends = s
        .end_emulations("asagent", None, T0 + 200, "agent")
        .await
        .expect("end");
    assert_eq!(ends, 1, "exactly one emulation was active");
}

async fn emulations_end_with_or_without_a_session_id(s: &dyn SessionStore) {
    s.start_emulation(&emulation("e1", "asagent", "C-1", T0))
        .await
        .expect("start");
    s.start_emulation(&emulation("o1", "other", "C-1", T0))
        .await
        .expect("start");
    assert_eq!(
        s.end_emulations("asagent", Some("o1"), T0 + 1, "agent")
            .await
            .expect("end"),
        0,
        "another agent's emulation"
    );
    assert_eq!(
        s.end_emulations("asagent", Some("nope"), T0 + 1, "agent")
            .await
            .expect("end"),
        0
    );
    assert_eq!(
        s.end_emulations("asagent", Some("e1"), T0 + 2, "agent")
            .await
            .expect("end"),
        1
    );
    assert_eq!(
        s.end_emulations("asagent", Some("e1"), T0 + 3, "agent")
            .await
            .expect("end"),
        0,
        "ending an ended emulation is harmless"
    );
    let e1 = s
        .emulation("e1", "asagent")
        .await
        .expect("read")
        .expect("e1");
    assert_eq!(e1.ended, Some(T0 + 2));
    assert!(s.active_emulation("other").await.expect("active").is_some());

    s.start_emulation(&emulation("e2", "asagent", "C-2", T0 + 4))
        .await
        .expect("start");
    assert_eq!(
        s.end_emulations("asagent", None, T0 + 5, "agent")
            .await
            .expect("end"),
        1
    );
    assert_eq!(
        s.end_emulations("asagent", None, T0 + 6, "agent")
            .await
            .expect("end"),
        0
    );
    let ends = audit_of(s, AuditAction::EmulationEnd).await;
    assert_eq!(ends.len(), 2);
    assert!(ends.iter().all(|e| e.detail.as_deref() == Some("agent")));
    assert_eq!(ends[0].customer_id.as_deref(), Some("C-2"));
    assert_eq!(ends[1].customer_id.as_deref(), Some("C-1"));
}

async fn the_cart_of_an_emulation_is_set_only_if_it_is_still_that_one(s: &dyn SessionStore) {
    s.start_emulation(&emulation("e1", "asagent", "C-1", T0))
        .await
        .expect("start");
    let cart = |s: &'static str| Some(s);
    let read = || async {
        s.emulation("e1", "asagent")
            .await
            .expect("read")
            .expect("e1")
            .cart_id
    };
    s.set_emulation_cart("e1", cart("c1"), None)
        .await
        .expect("set");
    assert_eq!(read().await.as_deref(), Some("c1"));
    s.set_emulation_cart("e1", None, cart("c2"))
        .await
        .expect("set");
    assert_eq!(read().await.as_deref(), Some("c1"), "not c2: unchanged");
    s.set_emulation_cart("e1", cart("c3"), cart("c1"))
        .await
        .expect("set");
    assert_eq!(read().await.as_deref(), Some("c3"));
    s.set_emulation_cart("e1", None, cart("c3"))
        .await
        .expect("set");
    assert_eq!(read().await, None);
    s.set_emulation_cart("e1", cart("c4"), cart("c3"))
        .await
        .expect("set");
    assert_eq!(read().await, None, "no cart is not c3");
    s.set_emulation_cart("nope", cart("c4"), None)
        .await
        .expect("no such emulation: nothing to do");
}

async fn emulated_customers_are_newest_first(s: &dyn SessionStore) {
    for (id, customer, at) in [
        ("e1", "C-A", T0),
        ("e2", "C-B", T0 + 10),
        ("e3", "C-A", T0 + 20),
        ("e4", "C-C", T0 + 5),
    ] {
        s.start_emulation(&emulation(id, "asagent", customer, at))
            .await
            .expect("start");
    }
    s.start_emulation(&emulation("o1", "other", "C-Z", T0 + 30))
        .await
        .expect("start");
    assert_eq!(
        s.emulated_customers("asagent").await.expect("list"),
        [
            ("C-A".to_owned(), T0 + 20),
            ("C-B".to_owned(), T0 + 10),
            ("C-C".to_owned(), T0 + 5)
        ]
    );
    assert!(s
        .emulated_customers("nobody")
        .await
        .expect("list")
        .is_empty());
}

// ---------------------------------------------------------------- throttle

const RULE: ThrottleRule = ThrottleRule {
    limit: 3,
    window_ms: 60_000,
    lock_ms: 30_000,
};

fn keys(k: &[&str]) -> Vec<String> {
    k.iter().map(|s| (*s).to_owned()).collect()
}

async fn the_throttle_locks_at_the_limit_within_the_window(s: &dyn SessionStore) {
    let k = keys(&["account:asagent"]);
    assert!(s.throttle_wait_ms(&k, T0).await.expect("wait") <= 0);
    assert_eq!(s.throttle_wait_ms(&[], T0).await.expect("wait"), 0);
    s.throttle_failed("account:asagent", T0, RULE)
        .await
        .expect("fail");
    s.throttle_failed("account:asagent", T0 + 1, RULE)
        .await
        .expect("fail");
    assert!(s.throttle_wait_ms(&k, T0 + 1).await.expect("wait") <= 0);
    s.throttle_failed("account:asagent", T0 + 2, RULE)
        .await
        .expect("fail");
    assert_eq!(s.throttle_wait_ms(&k, T0 + 2).await.expect("wait"), 30_000);
    assert_eq!(
        s.throttle_wait_ms(&k, T0 + 10_002).await.expect("wait"),
        20_000
    );
    // The most locked key counts; unknown keys do not.
    let both = keys(&["address:10.0.0.1", "account:asagent", "account:nobody"]);
    assert_eq!(
        s.throttle_wait_ms(&both, T0 + 10_002).await.expect("wait"),
        20_000
    );
    assert!(s.throttle_wait_ms(&k, T0 + 30_002).await.expect("wait") <= 0);
    // Other keys are not locked.
    assert!(
        s.throttle_wait_ms(&keys(&["account:other"]), T0 + 2)
            .await
            .expect("wait")
            <= 0
    );
    // The lock started a new window with no failures: two more do not lock again...
    s.throttle_failed("account:asagent", T0 + 40_000, RULE)
        .await
        .expect("fail");
    s.throttle_failed("account:asagent", T0 + 40_001, RULE)
        .await
        .expect("fail");
    assert!(s.throttle_wait_ms(&k, T0 + 40_001).await.expect("wait") <= 0);
    // ...a third does.
    s.throttle_failed("account:asagent", T0 + 40_002, RULE)
        .await
        .expect("fail");
    assert_eq!(
        s.throttle_wait_ms(&k, T0 + 40_002).await.expect("wait"),
        30_000
    );
}

async fn failures_outside_the_window_do_not_add_up(s: &dyn SessionStore) {
    let k = keys(&["account:a"]);
    s.throttle_failed("account:a", T0, RULE)
        .await
        .expect("fail");
    s.throttle_failed("account:a", T0 + 1, RULE)
        .await
        .expect("fail");
    s.throttle_failed("account:a", T0 + 70_000, RULE)
        .await
        .expect("fail");
    assert!(s.throttle_wait_ms(&k, T0 + 70_000).await.expect("wait") <= 0);
    s.throttle_failed("account:a", T0 + 70_001, RULE)
        .await
        .expect("fail");
    assert!(s.throttle_wait_ms(&k, T0 + 70_001).await.expect("wait") <= 0);
    s.throttle_failed("account:a", T0 + 70_002, RULE)
        .await
        .expect("fail");
    assert_eq!(
        s.throttle_wait_ms(&k, T0 + 70_002).await.expect("wait"),
        30_000,
        "three in the new window"
    );
}

async fn clearing_the_throttle_forgets_the_failures(s: &dyn SessionStore) {
    let k = keys(&["account:a"]);
    s.throttle_failed("account:a", T0, RULE)
        .await
        .expect("fail");
    s.throttle_failed("account:a", T0, RULE)
        .await
        .expect("fail");
    s.throttle_clear("account:a").await.expect("clear");
    s.throttle_failed("account:a", T0, RULE)
        .await
        .expect("fail");
    assert!(s.throttle_wait_ms(&k, T0).await.expect("wait") <= 0);
    // Clearing a lock unlocks.
    s.throttle_failed("account:a", T0, RULE)
        .await
        .expect("fail");
    s.throttle_failed("account:a", T0, RULE)
        .await
        .expect("fail");
    assert!(s.throttle_wait_ms(&k, T0).await.expect("wait") > 0);
    s.throttle_clear("account:a").await.expect("clear");
    assert!(s.throttle_wait_ms(&k, T0).await.expect("wait") <= 0);
    s.throttle_clear("account:never").await.expect("clear");
}

async fn concurrent_failures_all_count(s: &dyn SessionStore) {
    let rule = ThrottleRule {
        limit: 20,
        window_ms: 60_000,
        lock_ms: 30_000,
    };
    // 19 of 20: not locked; 20 of 20: locked — only if none was lost.
    let fails = join_all((0..19).map(|i| s.throttle_failed("address:a", T0 + i, rule))).await;
    fails.into_iter().for_each(|r| r.expect("fail"));
    assert!(
        s.throttle_wait_ms(&keys(&["address:a"]), T0 + 19)
            .await
            .expect("wait")
            <= 0
    );
    let fails = join_all((0..20).map(|i| s.throttle_failed("address:b", T0 + i, rule))).await;
    fails.into_iter().for_each(|r| r.expect("fail"));
    assert!(
        s.throttle_wait_ms(&keys(&["address:b"]), T0 + 20)
            .await
            .expect("wait")
            > 29_000,
        "20 concurrent failures lock"
    );
}

// ---------------------------------------------------------------- audit log

fn record(at: i64, agent: Option<&str>, customer: Option<&str>, action: AuditAction) -> NewAudit {
    NewAudit {
        at,
        agent_uid: agent.map(str::to_owned),
        customer_id: customer.map(str::to_owned),
        action,
        detail: Some(format!("at {at}")),
    }
}

async fn the_audit_log_filters_pages_and_counts_newest_first(s: &dyn SessionStore) {
    use AuditAction::*;
    let rows = [
        record(T0, Some("a1"), None, SignIn),
        record(T0 + 10, Some("a1"), Some("C-1"), EmulationStart),
        record(T0 + 10, Some("a1"), Some("C-1"), CartCreate), // same time: higher id first
        record(T0 + 20, Some("a2"), Some("C-2"), CartEntryAdd),
        record(T0 + 30, Some("a1"), Some("C-1"), CartEntryAdd),
        record(T0 + 40, None, None, SignInFailed),
    ];
    let mut ids = Vec::new();
    for r in rows {
        ids.push(s.audit(r).await.expect("audit"));
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    let page = |q: AuditQuery| async move {
        let (total, entries) = s.audit_page(&q).await.expect("page");
        (total, entries.iter().map(|e| e.id).collect::<Vec<_>>())
    };
    let all = AuditQuery {
        page_size: 100,
        ..AuditQuery::default()
    };
    let newest_first = vec![ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]];
    assert_eq!(page(all.clone()).await, (6, newest_first.clone()));
    // Paging.
    for (p, want) in [
        (0, &newest_first[0..2]),
        (1, &newest_first[2..4]),
        (2, &newest_first[4..6]),
    ] {
        let q = AuditQuery {
            page_size: 2,
            current_page: p,
            ..AuditQuery::default()
        };
        assert_eq!(page(q).await, (6, want.to_vec()));
    }
    let beyond = AuditQuery {
        page_size: 2,
        current_page: 5,
        ..AuditQuery::default()
    };
    assert_eq!(page(beyond).await, (6, vec![]));
    // Filters: from inclusive, to exclusive, exact agent, customer, action; combined.
    let q = AuditQuery {
        from: Some(T0 + 10),
        to: Some(T0 + 30),
        ..all.clone()
    };
    assert_eq!(page(q).await, (3, vec![ids[3], ids[2], ids[1]]));
    let q = AuditQuery {
        agent_id: Some("a1".into()),
        ..all.clone()
    };
    assert_eq!(page(q).await, (4, vec![ids[4], ids[2], ids[1], ids[0]]));
    let q = AuditQuery {
        customer_id: Some("C-2".into()),
        ..all.clone()
    };
    assert_eq!(page(q).await, (1, vec![ids[3]]));
    let q = AuditQuery {
        action: Some(CartEntryAdd),
        ..all.clone()
    };
    assert_eq!(page(q).await, (2, vec![ids[4], ids[3]]));
    let q = AuditQuery {
        action: Some(CartEntryAdd),
        agent_id: Some("a1".into()),
        from: Some(T0 + 30),
        page_size: 1,
        ..AuditQuery::default()
    };
    assert_eq!(page(q).await, (1, vec![ids[4]]));
    let q = AuditQuery {
        agent_id: Some("A1".into()),
        ..all.clone()
    };
    assert_eq!(page(q).await, (0, vec![]), "exact, case-sensitive agent id");
    // The fields of an entry.
    let (_, entries) = s.audit_page(&all).await.expect("page");
    let e = &entries[1];
    assert_eq!(e.at, "2026-01-01T00:00:00.03Z");
    assert_eq!(e.agent_id.as_deref(), Some("a1"));
    assert_eq!(e.customer_id.as_deref(), Some("C-1"));
    assert_eq!(e.action, CartEntryAdd);
    assert_eq!(e.detail.as_deref(), Some(&*format!("at {}", T0 + 30)));
    assert_eq!(e.outcome, None);
    let e = &entries[0];
    assert_eq!(
        (e.agent_id.as_deref(), e.customer_id.as_deref()),
        (None, None)
    );
}

/// A refused write whose record the backend was to write (`audit_with_outcome`): one row, its
/// outcome already there.
async fn a_record_with_its_outcome_is_one_row(s: &dyn SessionStore) {
    let id = s
        .audit_with_outcome(
            record(T0, Some("a1"), Some("C-1"), AuditAction::CartEntryAdd),
            "NotFoundError",
        )
        .await
        .expect("audit with outcome");
    let all = audit_all(s).await;
    assert_eq!(all.len(), 1);
    let e = &all[0];
    assert_eq!(e.id, id);
    assert_eq!(e.action, AuditAction::CartEntryAdd);
    assert_eq!(e.outcome.as_deref(), Some("NotFoundError"));
    assert_eq!(e.detail, Some(format!("at {T0}")));
    assert_eq!(
        (e.agent_id.as_deref(), e.customer_id.as_deref()),
        (Some("a1"), Some("C-1"))
    );
}

async fn audit_outcomes_are_recorded(s: &dyn SessionStore) {
    let attempt = s
        .audit(record(
            T0,
            Some("a1"),
            Some("C-1"),
            AuditAction::CartEntryAdd,
        ))
        .await
        .expect("audit");
    let refused = s
        .audit(record(
            T0 + 1,
            Some("a1"),
            Some("C-1"),
            AuditAction::OrderPlace,
        ))
        .await
        .expect("audit");
    let unknown = s
        .audit(record(
            T0 + 2,
            Some("a1"),
            Some("C-1"),
            AuditAction::VoucherApply,
        ))
        .await
        .expect("audit");
    s.audit_outcome(attempt, "ok", Some("added 1 x 3708646"))
        .await
        .expect("outcome");
    s.audit_outcome(refused, "ForbiddenError", None)
        .await
        .expect("outcome");
    s.audit_outcome(999_999, "ok", None)
        .await
        .expect("no such record: nothing to do");
    let all = audit_all(s).await;
    let outcome = |id| {
        all.iter()
            .find(|e| e.id == id)
            .map(|e| (e.outcome.clone(), e.detail.clone()))
    };
    let detail = |at: i64| Some(format!("at {at}"));
    assert_eq!(
        outcome(attempt),
        Some((Some("ok".into()), Some("added 1 x 3708646".into()))),
        "the outcome's detail replaces the attempt's"
    );
    assert_eq!(
        outcome(refused),
        Some((Some("ForbiddenError".into()), detail(T0 + 1)))
    );
    assert_eq!(
        outcome(unknown),
        Some((None, detail(T0 + 2))),
        "attempted, outcome unknown"
    );
}

async fn old_audit_records_are_pruned(s: &dyn SessionStore) {
    for at in [T0, T0 + 1, T0 + 2, T0 + 3] {
        s.audit(record(at, None, None, AuditAction::SignInFailed))
            .await
            .expect("audit");
    }
    assert_eq!(s.prune_audit(T0 + 2).await.expect("prune"), 2);
    assert_eq!(s.prune_audit(T0 + 2).await.expect("prune"), 0);
    let left: Vec<_> = audit_all(s).await.iter().map(|e| e.at.clone()).collect();
    assert_eq!(
        left,
        ["2026-01-01T00:00:00.003Z", "2026-01-01T00:00:00.002Z"]
    );
}

// ---------------------------------------------------------------- sign-in flows

fn flow(state: &str, created: i64) -> SignInFlow {
    SignInFlow {
        state: state.into(),
        binding_hash: format!("binding-of-{state}"),
        code_verifier: format!("verifier-of-{state}-0123456789012345678901234567890123"),
        nonce: format!("nonce-of-{state}"),
        return_to: "https://shop.example/?asm=true&customerId=C-1".into(),
        created,
        expires_at: created + 600_000,
    }
}

async fn a_sign_in_flow_is_taken_once(s: &dyn SessionStore) {
    let f = flow("state-1", T0);
    s.create_sign_in_flow(&f).await.expect("create");
    assert_eq!(
        s.take_sign_in_flow("state-1").await.expect("take"),
        Some((f.clone(), true))
    );
    // A replay still finds it (its page to go back to) but not as the first use.
    assert_eq!(
        s.take_sign_in_flow("state-1").await.expect("take"),
        Some((f, false))
    );
    assert_eq!(s.take_sign_in_flow("state-2").await.expect("take"), None);
    // The state is the key: a second flow with it is refused.
    assert!(s.create_sign_in_flow(&flow("state-1", T0)).await.is_err());
}

async fn concurrent_callbacks_take_a_flow_once(s: &dyn SessionStore) {
    s.create_sign_in_flow(&flow("raced", T0))
        .await
        .expect("create");
    let takes = join_all((0..8).map(|_| s.take_sign_in_flow("raced"))).await;
    let firsts = takes
        .into_iter()
        .map(|t| t.expect("take").expect("found"))
        .filter(|(_, first)| *first)
        .count();
    assert_eq!(firsts, 1);
}

async fn expired_sign_in_flows_are_pruned(s: &dyn SessionStore) {
    s.create_sign_in_flow(&flow("old", T0))
        .await
        .expect("create");
    s.create_sign_in_flow(&flow("new", T0 + 600_000))
        .await
        .expect("create");
    assert_eq!(s.prune_sign_in_flows(T0 + 600_001).await.expect("prune"), 1);
    assert_eq!(s.take_sign_in_flow("old").await.expect("take"), None);
    assert!(s.take_sign_in_flow("new").await.expect("take").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_a_callback_on_two_instances_takes_the_flow_once() {
    let Some((_db, a, b)) = two_instances().await else {
        return;
    };
    a.create_sign_in_flow(&flow("two", T0))
        .await
        .expect("create");
    let (ra, rb) = tokio::join!(a.take_sign_in_flow("two"), b.take_sign_in_flow("two"));
    let (fa, fb) = (
        ra.expect("A").expect("found"),
        rb.expect("B").expect("found"),
    );
    assert!(fa.1 ^ fb.1, "exactly one instance completes the sign-in");
}

// ---------------------------------------------------------------- PostgreSQL only

/// Two instances (two stores, two pools) on one fresh database, or `None` (skipped).
async fn two_instances() -> Option<(pg_support::TestDb, PostgresStore, PostgresStore)> {
    let db = pg_support::TestDb::create().await?;
    let a = PostgresStore::connect(&db.url, 4).await.expect("connect A");
    let b = PostgresStore::connect(&db.url, 4).await.expect("connect B");
    Some((db, a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_two_instances_sweep_each_session_once() {
    let Some((_db, a, b)) = two_instances().await else {
        return;
    };
    let now = expired_crowd(&a, 12, 4).await;
    let (ra, rb) = tokio::join!(
        a.expire_agent_sessions(now, TIMEOUTS),
        b.expire_agent_sessions(now, TIMEOUTS)
    );
    assert_eq!(ra.expect("sweep A").len() + rb.expect("sweep B").len(), 48);
    assert_eq!(audit_of(&b, AuditAction::SessionExpired).await.len(), 48);
    assert_eq!(audit_of(&a, AuditAction::EmulationEnd).await.len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_throttle_failures_on_two_instances_add_up() {
    let Some((_db, a, b)) = two_instances().await else {
        return;
    };
    let rule = ThrottleRule {
        limit: 5,
        window_ms: 900_000,
        lock_ms: 300_000,
    };
    // 5 wrong passwords, alternating instances: the 5th locks, on both.
    for i in 0..4 {
        let s: &dyn SessionStore = if i % 2 == 0 { &a } else { &b };
        s.throttle_failed("account:asagent", T0 + i, rule)
            .await
            .expect("fail");
        assert!(
            b.throttle_wait_ms(&keys(&["account:asagent"]), T0 + i)
                .await
                .expect("wait")
                <= 0
        );
    }
    a.throttle_failed("account:asagent", T0 + 4, rule)
        .await
        .expect("fail");
    assert_eq!(
        b.throttle_wait_ms(&keys(&["account:asagent"]), T0 + 4)
            .await
            .expect("wait"),
        300_000
    );
    // And many at once on both.
    let rule = ThrottleRule { limit: 40, ..rule };
    let on_a = join_all((0..20).map(|i| a.throttle_failed("address:x", T0 + i, rule)));
    let on_b = join_all((0..20).map(|i| b.throttle_failed("address:x", T0 + i, rule)));
    let (ra, rb) = tokio::join!(on_a, on_b);
    ra.into_iter().chain(rb).for_each(|r| r.expect("fail"));
    assert!(
        a.throttle_wait_ms(&keys(&["address:x"]), T0 + 20)
            .await
            .expect("wait")
            > 0,
        "40 failures over two instances lock"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_migrations_run_once_when_instances_start_together() {
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    let starts = join_all((0..4).map(|_| PostgresStore::connect(&db.url, 2))).await;
    for s in &starts {
        assert!(s.is_ok(), "{:?}", s.as_ref().err());
    }
    assert_eq!(
        asm_middleware::store::postgres::migrate(&db.url)
            .await
            .expect("migrate"),
        0,
        "nothing left to apply"
    );
    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .expect("versions");
    let versions: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    let all: Vec<i64> = (1..=asm_middleware::store::postgres::MIGRATION_COUNT as i64).collect();
    assert_eq!(versions, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_migrate_applies_then_connect_finds_nothing_to_do() {
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    assert_eq!(
        asm_middleware::store::postgres::migrate(&db.url)
            .await
            .expect("migrate"),
        asm_middleware::store::postgres::MIGRATION_COUNT
    );
    let s = PostgresStore::connect(&db.url, 2).await.expect("connect");
    s.ping().await.expect("ping");
}

/// A port on which nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

/// Calls every operation of `s`, each within `limit`; returns the results' errors.
async fn every_operation(s: &dyn SessionStore, limit: Duration) -> Vec<(&'static str, StoreError)> {
    macro_rules! call {
        ($out:ident, $name:literal, $e:expr) => {{
            let started = Instant::now();
            let r = tokio::time::timeout(limit, $e)
                .await
                .unwrap_or_else(|_| panic!("{} hung for more than {limit:?}", $name));
            assert!(started.elapsed() <= limit);
            if let Err(e) = r {
                $out.push(($name, e));
            }
        }};
    }
    let mut out = Vec::new();
    let a = agent("asagent");
    let e = emulation("e", "asagent", "C-1", T0);
    call!(out, "ping", s.ping());
    call!(
        out,
        "create_agent_session",
        s.create_agent_session("h", &a, T0)
    );
    call!(out, "agent_session", s.agent_session("h"));
    call!(out, "touch_agent_session", s.touch_agent_session("h", T0));
    call!(
        out,
        "end_agent_session",
        s.end_agent_session("h", T0, "sign-out", TIMEOUTS)
    );
    call!(
        out,
        "expire_agent_sessions",
        s.expire_agent_sessions(T0, TIMEOUTS)
    );
    call!(out, "count_agent_sessions", s.count_agent_sessions(None));
    call!(out, "active_emulation", s.active_emulation("asagent"));
    call!(out, "emulation", s.emulation("e", "asagent"));
    call!(out, "start_emulation", s.start_emulation(&e));
    call!(
        out,
        "end_emulations",
        s.end_emulations("asagent", None, T0, "agent")
    );
    call!(
        out,
        "set_emulation_cart",
        s.set_emulation_cart("e", None, None)
    );
    call!(out, "emulated_customers", s.emulated_customers("asagent"));
    call!(
        out,
        "throttle_wait_ms",
        s.throttle_wait_ms(&keys(&["k"]), T0)
    );
    call!(out, "throttle_failed", s.throttle_failed("k", T0, RULE));
    call!(out, "throttle_clear", s.throttle_clear("k"));
    call!(
        out,
        "audit",
        s.audit(record(T0, None, None, AuditAction::SignIn))
    );
    call!(out, "audit_outcome", s.audit_outcome(1, "ok", None));
    call!(
        out,
        "audit_with_outcome",
        s.audit_with_outcome(record(T0, None, None, AuditAction::CartEntryAdd), "ok")
    );
    call!(
        out,
        "audit_page",
        s.audit_page(&AuditQuery {
            page_size: 10,
            ..AuditQuery::default()
        })
    );
    call!(out, "prune_audit", s.prune_audit(T0));
    out
}

const OPERATIONS: usize = 21;

fn assert_all_unavailable(errors: &[(&str, StoreError)]) {
    assert_eq!(
        errors.len(),
        OPERATIONS,
        "every operation fails: {errors:?}"
    );
    for (name, e) in errors {
        assert!(
            matches!(e, StoreError::Unavailable(_)),
            "{name}: {e:?} should be Unavailable"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_a_dead_database_answers_unavailable_quickly() {
    // Needs no server: nothing listens on the port.
    let url = format!("postgres://asm@127.0.0.1:{}/asm", closed_port());
    let err = PostgresStore::connect(&url, 2)
        .await
        .expect_err("no server");
    assert!(
        err.contains("cannot connect to PostgreSQL at asm@127.0.0.1"),
        "{err}"
    );
    let err = PostgresStore::connect("mysql://x", 2)
        .await
        .expect_err("not a PostgreSQL URL");
    assert!(err.contains("invalid PostgreSQL URL"), "{err}");

    let store = PostgresStore::lazy(&url, 2).expect("a pool needs no server");
    let started = Instant::now();
    let errors = every_operation(&store, Duration::from_secs(5)).await;
    assert_all_unavailable(&errors);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_a_wrong_database_or_user_is_a_clear_error() {
    let Some(server) = pg_support::server_url() else {
        return;
    };
    let url = pg_support::with_database(&server, "no_such_database");
    let err = PostgresStore::connect(&url, 2).await.expect_err("no db");
    assert!(err.contains("no_such_database"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_the_store_recovers_when_the_database_is_back() {
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    let mut proxy = pg_support::Proxy::start(&db.url).await;
    let store = PostgresStore::connect(&proxy.url, 4)
        .await
        .expect("connect through the proxy");
    // Warm the pool: several connections in use at once.
    let warm = join_all((0..4).map(|_| store.count_agent_sessions(None))).await;
    warm.into_iter().for_each(|r| {
        r.expect("count");
    });
    store
        .create_agent_session("h", &agent("asagent"), T0)
        .await
        .expect("create");

    // Outage: every pooled connection is broken, the port refuses.
    proxy.cut();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let errors = every_operation(&store, Duration::from_secs(5)).await;
    assert_all_unavailable(&errors);
    assert!(started.elapsed() < Duration::from_secs(20));

    // Back: the pool replaces the broken connections by itself.
    proxy.listen().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut failures = 0;
    let session = loop {
        match store.agent_session("h").await {
            Ok(s) => break s,
            Err(e) => {
                failures += 1;
                assert!(Instant::now() < deadline, "no recovery: {e:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert!(session.is_some(), "the data survived the outage");
    assert_eq!(failures, 0, "the first call after the outage already works");
    let all = join_all((0..8).map(|_| store.count_agent_sessions(None))).await;
    for r in all {
        assert_eq!(r.expect("count after recovery"), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_connections_killed_by_the_server_are_replaced() {
    let Some(db) = pg_support::TestDb::create().await else {
        return;
    };
    let store = PostgresStore::connect(&db.url, 4).await.expect("connect");
    let warm = join_all((0..4).map(|_| store.count_agent_sessions(None))).await;
    warm.into_iter().for_each(|r| {
        r.expect("count");
    });
    let (admin, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let killed: i64 = admin
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("terminate")
        .get(0);
    assert!(killed >= 1, "the store's connections were terminated");
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..8 {
        assert_eq!(store.count_agent_sessions(None).await.expect("count"), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_a_server_that_never_answers_is_unavailable_within_seconds() {
    // Needs no server: a socket that accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "postgres://asm@127.0.0.1:{}/asm",
        listener.local_addr().expect("addr").port()
    );
    let started = Instant::now();
    let err = PostgresStore::connect(&url, 2)
        .await
        .expect_err("no answer");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    let store = PostgresStore::lazy(&url, 2).expect("pool");
    for _ in 0..2 {
        let started = Instant::now();
        let r = store.ping().await;
        assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
        let r = store.start_emulation(&emulation("e", "a", "C", T0)).await;
        assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
        assert!(
            started.elapsed() < Duration::from_secs(12),
            "{:?}",
            started.elapsed()
        );
    }
    drop(listener);
}

// ---------------------------------------------------------------- throttle: counts and locks

async fn the_throttle_counts_in_a_window_without_locking(s: &dyn SessionStore) {
    let k = keys(&["account:asagent"]);
    for n in 1..=5 {
        assert_eq!(
            s.throttle_count("account:asagent", T0 + i64::from(n), 60_000)
                .await
                .expect("count"),
            n
        );
    }
    // Counting never locks by itself, and other keys count on their own.
    assert!(s.throttle_wait_ms(&k, T0 + 5).await.expect("wait") <= 0);
    assert_eq!(
        s.throttle_count("account:other", T0 + 5, 60_000)
            .await
            .expect("count"),
        1
    );
    // A failure after the window starts a new one.
    assert_eq!(
        s.throttle_count("account:asagent", T0 + 1 + 60_000, 60_000)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        s.throttle_count("account:asagent", T0 + 2 + 60_000, 60_000)
            .await
            .expect("count"),
        2
    );
    // Clearing forgets the count.
    s.throttle_clear("account:asagent").await.expect("clear");
    assert_eq!(
        s.throttle_count("account:asagent", T0 + 3 + 60_000, 60_000)
            .await
            .expect("count"),
        1
    );
}

async fn a_throttle_lock_is_kept_until_the_latest(s: &dyn SessionStore) {
    let k = keys(&["account:a"]);
    // On a key with no row yet, and on one with a count.
    s.throttle_lock("account:a", T0, T0 + 2_000)
        .await
        .expect("lock");
    assert_eq!(s.throttle_wait_ms(&k, T0).await.expect("wait"), 2_000);
    // An earlier end does not shorten the lock; a later one extends it.
    s.throttle_lock("account:a", T0, T0 + 1_000)
        .await
        .expect("lock");
    assert_eq!(s.throttle_wait_ms(&k, T0).await.expect("wait"), 2_000);
    s.throttle_lock("account:a", T0 + 500, T0 + 4_000)
        .await
        .expect("lock");
    assert_eq!(s.throttle_wait_ms(&k, T0 + 500).await.expect("wait"), 3_500);
    assert!(s.throttle_wait_ms(&k, T0 + 4_000).await.expect("wait") <= 0);
    // A lock keeps the key's count.
    assert_eq!(
        s.throttle_count("account:b", T0, 60_000)
            .await
            .expect("count"),
        1
    );
    s.throttle_lock("account:b", T0, T0 + 1_000)
        .await
        .expect("lock");
    assert_eq!(
        s.throttle_count("account:b", T0 + 1, 60_000)
            .await
            .expect("count"),
        2
    );
}

async fn concurrent_counts_are_each_their_own(s: &dyn SessionStore) {
    let counts = join_all((0..20).map(|i| s.throttle_count("account:c", T0 + i, 60_000))).await;
    let mut counts: Vec<u32> = counts.into_iter().map(|c| c.expect("count")).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<u32>>());
}

// ---------------------------------------------------------------- sessions: a new sign-in

async fn a_new_sign_in_ends_the_agents_other_sessions(s: &dyn SessionStore) {
    let a = agent("asagent");
    s.create_agent_session("old-1", &a, T0)
        .await
        .expect("create");
    s.create_agent_session("old-2", &a, T0 + 1)
        .await
        .expect("create");
    s.set_backend_tokens("old-2", Some("sealed-2"))
        .await
        .expect("tokens");
    s.create_agent_session("other", &agent("asmanager"), T0 + 1)
        .await
        .expect("create");
    s.start_emulation(&emulation("e1", "asagent", "C-1", T0 + 2))
        .await
        .expect("emulate");
    s.create_agent_session("new", &a, T0 + 3)
        .await
        .expect("create");
    let mut tokens = s
        .end_other_agent_sessions("asagent", "new", T0 + 3)
        .await
        .expect("end others");
    tokens.sort();
    assert_eq!(tokens, vec![None, Some("sealed-2".to_owned())]);
    for gone in ["old-1", "old-2"] {
        assert!(
            s.agent_session(gone).await.expect("read").is_none(),
            "{gone}"
        );
    }
    assert!(s.agent_session("new").await.expect("read").is_some());
    assert!(s.agent_session("other").await.expect("read").is_some());
    // The emulation carries on in the new session.
    assert_eq!(
        s.active_emulation("asagent")
            .await
            .expect("emulation")
            .map(|e| e.session_id),
        Some("e1".to_owned())
    );
    let sign_outs = audit_of(s, AuditAction::SignOut).await;
    assert_eq!(sign_outs.len(), 2);
    assert!(sign_outs
        .iter()
        .all(|e| e.detail.as_deref() == Some("new-sign-in")
            && e.agent_id.as_deref() == Some("asagent")));
    assert!(audit_of(s, AuditAction::EmulationEnd).await.is_empty());
    // Nothing left to end.
    assert!(s
        .end_other_agent_sessions("asagent", "new", T0 + 4)
        .await
        .expect("end others")
        .is_empty());
}

// ---------------------------------------------------------------- audit: repeats

async fn repeated_identical_records_are_counted_on_one_row(s: &dyn SessionStore) {
    let failed = |at: i64, detail: Option<&str>| NewAudit {
        at,
        agent_uid: None,
        customer_id: None,
        action: AuditAction::SignInFailed,
        detail: detail.map(str::to_owned),
    };
    let first = s
        .audit_repeated(failed(T0, Some("nobody")), 60_000)
        .await
        .expect("audit");
    for i in 1..=3 {
        let id = s
            .audit_repeated(failed(T0 + i * 1_000, Some("nobody")), 60_000)
            .await
            .expect("audit");
        assert_eq!(id, first, "counted on the first row");
    }
    // Another detail (or none), or past the window: rows of their own.
    let other = s
        .audit_repeated(failed(T0 + 4_000, Some("somebody")), 60_000)
        .await
        .expect("audit");
    let none = s
        .audit_repeated(failed(T0 + 4_000, None), 60_000)
        .await
        .expect("audit");
    let later = s
        .audit_repeated(failed(T0 + 60_001, Some("nobody")), 60_000)
        .await
        .expect("audit");
    assert_eq!(
        [other != first, none != first, later != first, none != other],
        [true; 4]
    );
    // A record with an outcome is never counted on.
    let with_outcome = s
        .audit_with_outcome(failed(T0 + 60_002, Some("x")), "ok")
        .await
        .expect("audit");
    assert_ne!(
        s.audit_repeated(failed(T0 + 60_003, Some("x")), 60_000)
            .await
            .expect("audit"),
        with_outcome
    );
    let entries = audit_of(s, AuditAction::SignInFailed).await;
    let row = entries.iter().find(|e| e.id == first).expect("first row");
    assert_eq!(row.repeats, Some(4));
    assert_eq!(row.at, "2026-01-01T00:00:00Z");
    assert_eq!(row.last_at.as_deref(), Some("2026-01-01T00:00:03Z"));
    let once = entries.iter().find(|e| e.id == other).expect("other row");
    assert_eq!((once.repeats, once.last_at.as_deref()), (None, None));
    // Pruning keeps a repeated row while its last repeat is within the retention.
    assert_eq!(s.prune_audit(T0 + 2_000).await.expect("prune"), 0);
    assert!(s.prune_audit(T0 + 3_001).await.expect("prune") >= 1);
    assert!(audit_of(s, AuditAction::SignInFailed)
        .await
        .iter()
        .all(|e| e.id != first));
}
