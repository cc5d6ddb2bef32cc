//! Sign-in throttling policy: failures are counted per account (case-insensitive) and per client
//! address; too many within a window lock the key for a while (temporary, never permanent). The
//! session store counts, atomically, so that every instance sees the same counters.

use crate::ports::ThrottleRule;

/// The limits of the sign-in throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Per account.
    pub account: ThrottleRule,
    /// Per client address.
    pub address: ThrottleRule,
}

/// The window failures are counted in: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60_000;
/// Failures from one address (any accounts) within the window that lock it.
pub const ADDRESS_FAILURES: u32 = 20;

impl Policy {
    /// `account_failures` per account, [`ADDRESS_FAILURES`] per address, both within
    /// [`WINDOW_MS`], each locking for `lock_ms`.
    pub fn new(account_failures: u32, lock_ms: i64) -> Self {
        let rule = |limit| ThrottleRule {
            limit,
            window_ms: WINDOW_MS,
            lock_ms,
        };
        Self {
            account: rule(account_failures),
            address: rule(ADDRESS_FAILURES),
        }
    }

    /// The keys a sign-in of `username` from `address` is counted under, with their rules.
    pub fn keys(&self, username: &str, address: Option<&str>) -> Vec<(String, ThrottleRule)> {
        let mut keys = vec![(account_key(username), self.account)];
        if let Some(a) = address {
            keys.push((format!("address:{a}"), self.address));
        }
        keys
    }
}

/// The throttle key of an account: the typed name, trimmed, lower-cased.
pub fn account_key(username: &str) -> String {
    format!("account:{}", username.trim().to_lowercase())
}

/// Whole seconds to wait for `wait_ms` (rounded up; `None` when nothing is locked).
pub fn wait_seconds(wait_ms: i64) -> Option<u64> {
    (wait_ms > 0).then(|| u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000))
}

/// "1 minute", "5 minutes" (rounded up).
pub fn minutes(seconds: u64) -> String {
    match seconds.div_ceil(60) {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_case_insensitive_and_addresses_separate() {
        let p = Policy::new(5, 300_000);
        let keys = p.keys(" AsAgent ", Some("10.0.0.1"));
        assert_eq!(keys[0].0, "account:asagent");
        assert_eq!(keys[0].1.limit, 5);
        assert_eq!(keys[1].0, "address:10.0.0.1");
        assert_eq!(keys[1].1.limit, ADDRESS_FAILURES);
        assert_eq!(p.keys("a", None).len(), 1);
    }

    #[test]
    fn waits_round_up_to_seconds_and_minutes() {
        assert_eq!(wait_seconds(0), None);
        assert_eq!(wait_seconds(-5), None);
        assert_eq!(wait_seconds(1), Some(1));
        assert_eq!(wait_seconds(30_000), Some(30));
        assert_eq!(minutes(30), "1 minute");
        assert_eq!(minutes(300), "5 minutes");
        assert_eq!(minutes(301), "6 minutes");
    }
}
