//! Sign-in throttling, per account and per client address: after too many failed sign-ins in a
//! window, further attempts are refused for a while (temporary, never a permanent lock).

use std::collections::HashMap;
use std::sync::Mutex;

/// Limits of the throttle.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Failures of one account within the window that lock it.
    pub account_failures: u32,
    /// Failures from one client address within the window that lock it.
    pub address_failures: u32,
    /// The window failures are counted in (ms).
    pub window_ms: i64,
    /// How long a lock lasts (ms).
    pub lock_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            account_failures: 5,
            address_failures: 20,
            window_ms: 15 * 60_000,
            lock_ms: 5 * 60_000,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    failures: u32,
    window_start: i64,
    locked_until: i64,
}

/// Which kind of key a failure is counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    /// An account (agent id or e-mail, case-insensitive).
    Account(&'a str),
    /// A client address.
    Address(&'a str),
}

impl Key<'_> {
    fn id(&self) -> String {
        match self {
            Key::Account(a) => format!("account:{}", a.to_lowercase()),
            Key::Address(a) => format!("address:{a}"),
        }
    }
}

/// In-memory failure counters (per process; enough for one middleware instance).
#[derive(Debug, Default)]
pub struct Throttle {
    limits: Limits,
    entries: Mutex<HashMap<String, Entry>>,
}

/// Entries kept before stale ones are pruned.
const PRUNE_AT: usize = 10_000;

impl Throttle {
    /// A throttle with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            entries: Mutex::default(),
        }
    }

    /// `Err(seconds)` to wait when any of `keys` is locked at `now`.
    pub fn check(&self, keys: &[Key<'_>], now: i64) -> Result<(), u64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let wait = keys
            .iter()
            .filter_map(|k| entries.get(&k.id()))
            .map(|e| e.locked_until - now)
            .max()
            .unwrap_or(0);
        if wait > 0 {
            Err(((wait + 999) / 1000) as u64)
        } else {
            Ok(())
        }
    }

    /// Counts a failed sign-in under `key`; locks it when the limit is reached.
    pub fn failed(&self, key: Key<'_>, now: i64) {
        let limit = match key {
            Key::Account(_) => self.limits.account_failures,
            Key::Address(_) => self.limits.address_failures,
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= PRUNE_AT {
            let window = self.limits.window_ms;
            entries.retain(|_, e| e.locked_until > now || e.window_start + window > now);
        }
        let entry = entries.entry(key.id()).or_default();
        if now - entry.window_start >= self.limits.window_ms {
            *entry = Entry {
                failures: 0,
                window_start: now,
                locked_until: entry.locked_until,
            };
        }
        entry.failures += 1;
        if entry.failures >= limit {
            entry.locked_until = now + self.limits.lock_ms;
            entry.failures = 0;
            entry.window_start = now;
        }
    }

    /// A successful sign-in clears the account's failures.
    pub fn succeeded(&self, key: Key<'_>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&key.id());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            account_failures: 3,
            address_failures: 5,
            window_ms: 60_000,
            lock_ms: 30_000,
        }
    }

    #[test]
    fn an_account_locks_after_the_limit_and_unlocks_later() {
        let t = Throttle::new(limits());
        let key = [Key::Account("Agent")];
        for i in 0..3 {
            assert_eq!(t.check(&key, i), Ok(()));
            t.failed(Key::Account("agent"), i);
        }
        assert_eq!(t.check(&key, 2), Err(30));
        assert_eq!(t.check(&key, 29_002), Err(1));
        assert_eq!(t.check(&key, 29_001), Err(2));
        assert_eq!(t.check(&key, 30_002), Ok(()));
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let t = Throttle::new(limits());
        t.failed(Key::Account("a"), 0);
        t.failed(Key::Account("a"), 1);
        t.failed(Key::Account("a"), 70_000);
        assert_eq!(t.check(&[Key::Account("a")], 70_000), Ok(()));
    }

    #[test]
    fn success_resets_the_account() {
        let t = Throttle::new(limits());
        t.failed(Key::Account("a"), 0);
        t.failed(Key::Account("a"), 0);
        t.succeeded(Key::Account("a"));
        t.failed(Key::Account("a"), 0);
        assert_eq!(t.check(&[Key::Account("a")], 0), Ok(()));
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let t = Throttle::new(limits());
        for i in 0..5 {
            t.failed(Key::Address("10.0.0.1"), i);
        }
        assert!(t
            .check(&[Key::Account("new"), Key::Address("10.0.0.1")], 5)
            .is_err());
        assert_eq!(t.check(&[Key::Address("10.0.0.2")], 5), Ok(()));
    }
}
