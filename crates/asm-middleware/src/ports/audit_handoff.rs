//! Handing an audited write's record to the backend, which writes it in the change's own
//! transaction.
//!
//! `domain::audit::audited` records a backend write around the call: the attempt before, the
//! outcome after, because a remote backend (SAP) cannot share a transaction with the session
//! store. A backend whose database *is* the session store's — the embedded shop assembled on the
//! SQLite store's file, see [`Commerce::records_audit`](super::Commerce::records_audit) — does
//! better: its change and its audit row (outcome `ok`, the change's detail) commit together, so
//! there is never a change without its record and never an "outcome unknown" row for it.
//!
//! # How the record travels (without a parameter on the 31 `Commerce` methods)
//!
//! 1. `audited` runs the write future inside [`offer`], which puts the record in a slot of a
//!    tokio task-local ([`tokio::task_local!`]) scoped to *that future only*: nothing outside it
//!    (another request, a later write, a spawned task) sees the record.
//! 2. The backend's write method, polled inside that future (same task), calls [`take`] before it
//!    leaves the task — the task-local is not visible on `spawn_blocking` threads — and moves the
//!    [`Taken`] ticket into its work. Only the first `take` in a scope gets the record: one
//!    audited call, one record.
//! 3. The backend inserts the record with outcome `ok` in its transaction, commits, and then calls
//!    [`Taken::committed`].
//! 4. `offer` returns the write's answer and whether the record was committed. If it was not
//!    (the write was refused and rolled back, or nothing took the record), the record is still
//!    `audited`'s to write: one row, with the outcome.
//!
//! Backends that do not record audit (the default) never call [`take`]; nothing changes for them.

use super::NewAudit;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug)]
struct Slot {
    record: NewAudit,
    taken: bool,
    committed: bool,
}

fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    // A panic while the lock was held leaves plain flags: still meaningful.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

tokio::task_local! {
    /// The record offered to the write running in this scope (see the module comment).
    static OFFERED: Arc<Mutex<Slot>>;
}

/// What became of an offered record once the write finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    /// The record as offered (still the caller's to write unless `committed`).
    pub record: NewAudit,
    /// A backend took the record.
    pub taken: bool,
    /// The backend committed it together with its change.
    pub committed: bool,
}

/// Runs `write` with `record` offered to the backend write inside it (see the module comment);
/// returns the write's answer and what became of the record.
pub async fn offer<F: Future>(record: NewAudit, write: F) -> (F::Output, Handoff) {
    let slot = Arc::new(Mutex::new(Slot {
        record,
        taken: false,
        committed: false,
    }));
    let output = OFFERED.scope(slot.clone(), write).await;
    let slot = lock(&slot);
    let handoff = Handoff {
        record: slot.record.clone(),
        taken: slot.taken,
        committed: slot.committed,
    };
    (output, handoff)
}

/// For a backend's write: the record offered to it, if this write runs inside [`offer`] and no
/// earlier write in it took the record. Call it in the task (before `spawn_blocking`).
pub fn take() -> Option<Taken> {
    OFFERED
        .try_with(|slot| {
            let mut s = lock(slot);
            if s.taken {
                return None;
            }
            s.taken = true;
            Some(Taken {
                record: s.record.clone(),
                slot: slot.clone(),
            })
        })
        .ok()
        .flatten()
}

/// A record taken by a backend write, to insert in the write's transaction.
#[derive(Debug)]
pub struct Taken {
    record: NewAudit,
    slot: Arc<Mutex<Slot>>,
}

impl Taken {
    /// The record to insert (with outcome `ok` and the change's detail, when it has one).
    pub fn record(&self) -> &NewAudit {
        &self.record
    }

    /// Tells `audited` that the record committed with the change. Call it right after the
    /// commit succeeded, never before; a ticket dropped without it leaves the record to
    /// `audited`.
    pub fn committed(self) {
        lock(&self.slot).committed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asm_types::AuditAction;

    fn record() -> NewAudit {
        NewAudit {
            at: 1,
            agent_uid: Some("agent".into()),
            customer_id: Some("C-1".into()),
            action: AuditAction::CartEntryAdd,
            detail: None,
        }
    }

    fn run<F: Future>(f: F) -> F::Output {
        match tokio::runtime::Builder::new_current_thread().build() {
            Ok(rt) => rt.block_on(f),
            Err(e) => panic!("runtime: {e}"),
        }
    }

    #[test]
    fn nothing_is_offered_outside_a_scope() {
        assert!(take().is_none());
        run(async { assert!(take().is_none()) });
    }

    #[test]
    fn a_committed_record_is_reported_committed() {
        let ((), handoff) = run(offer(record(), async {
            let taken = take().expect("offered");
            assert_eq!(taken.record(), &record());
            taken.committed();
        }));
        assert!(handoff.taken && handoff.committed);
        assert_eq!(handoff.record, record());
    }

    #[test]
    fn a_dropped_ticket_leaves_the_record_to_the_caller() {
        let ((), handoff) = run(offer(record(), async {
            drop(take().expect("offered"));
        }));
        assert!(handoff.taken);
        assert!(!handoff.committed);
    }

    #[test]
    fn only_the_first_write_takes_the_record() {
        let (second, handoff) = run(offer(record(), async {
            let first = take().expect("offered");
            let second = take();
            first.committed();
            second.is_some()
        }));
        assert!(!second);
        assert!(handoff.committed);
    }

    #[test]
    fn an_untaken_record_stays_with_the_caller_and_the_scope_ends_with_the_write() {
        let ((), handoff) = run(offer(record(), async {}));
        assert!(!handoff.taken && !handoff.committed);
        run(async {
            let _ = offer(record(), async {}).await;
            assert!(take().is_none(), "the scope ended with the write");
        });
    }
}
