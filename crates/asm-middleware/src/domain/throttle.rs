//! Sign-in throttling policy (OWASP ASVS style), fair to the real agent:
//! - per **(account, client address)**: [`Policy::pair`] failures lock that pair for a while —
//!   the guesser's address is stopped, the agent at another address is not;
//! - per **client address** (any accounts): [`ADDRESS_FAILURES`] lock the address;
//! - per **account** (from every address): a progressive slow-down ([`SlowDown`]) instead of a
//!   lock: past [`SlowDown::free`] failures in the window each failure makes the account wait a
//!   little longer, doubling up to [`SlowDown::max_ms`] — a wait the right password passes once it
//!   is over, never a lock an attacker can keep up for good.
//!
//! An account is one whatever the agent typed: the agent's id when the backend recognised the
//! name (id or e-mail, see [`account_of`]), else the typed name trimmed and lower-cased.
//! The session store counts, atomically, so that every instance sees the same counters.

use crate::ports::{Credentials, SessionStore, StoreResult, ThrottleRule};

/// The window failures are counted in: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60_000;
/// Failures from one address (any accounts) within the window that lock it.
pub const ADDRESS_FAILURES: u32 = 20;

/// The account's progressive slow-down: up to `free` failures in `window_ms` cost nothing; the
/// next makes the account wait `base_ms`, each further one twice as long, at most `max_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowDown {
    /// Failures (from all addresses) that cost no wait.
    pub free: u32,
    /// The counting window (ms).
    pub window_ms: i64,
    /// The first wait (ms).
    pub base_ms: i64,
    /// The longest wait (ms).
    pub max_ms: i64,
}

impl SlowDown {
    /// How long the account waits after its `failures`-th failure of the window, if at all.
    pub fn delay_ms(&self, failures: u32) -> Option<i64> {
        let over = failures.checked_sub(self.free)?.checked_sub(1)?;
        let factor = 1_i64 << over.min(30);
        Some(self.base_ms.saturating_mul(factor).min(self.max_ms))
    }
}

/// The limits of the sign-in throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Per (account, client address): a lock.
    pub pair: ThrottleRule,
    /// Per client address: a lock.
    pub address: ThrottleRule,
    /// Per account: a slow-down.
    pub account: SlowDown,
}

/// The first wait of an account's slow-down: 1 s.
pub const SLOW_DOWN_BASE_MS: i64 = 1_000;
/// The longest wait of an account's slow-down: 1 minute.
pub const SLOW_DOWN_MAX_MS: i64 = 60_000;

impl Policy {
    /// `pair_failures` per (account, address) and [`ADDRESS_FAILURES`] per address, both within
    /// [`WINDOW_MS`], each locking for `lock_ms`; the account slows down after twice
    /// `pair_failures` (so one address alone never slows the account down), from
    /// [`SLOW_DOWN_BASE_MS`] to at most [`SLOW_DOWN_MAX_MS`] (or `lock_ms`, if shorter).
    pub fn new(pair_failures: u32, lock_ms: i64) -> Self {
        let rule = |limit| ThrottleRule {
            limit,
            window_ms: WINDOW_MS,
            lock_ms,
        };
        Self {
            pair: rule(pair_failures),
            address: rule(ADDRESS_FAILURES),
            account: SlowDown {
                free: pair_failures.saturating_mul(2),
                window_ms: WINDOW_MS,
                base_ms: SLOW_DOWN_BASE_MS.min(lock_ms.max(1)),
                max_ms: SLOW_DOWN_MAX_MS.min(lock_ms.max(1)),
            },
        }
    }

    /// The keys a sign-in to `account` (see [`account_name`], [`account_of`]) from `address` is
    /// counted under.
    pub fn keys(&self, account: &str, address: Option<&str>) -> Keys {
        Keys {
            account: format!("account:{account}"),
            pair: address.map(|a| format!("pair:{account}|{a}")),
            address: address.map(|a| format!("address:{a}")),
        }
    }
}

/// The throttle keys of one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The account (slow-down).
    pub account: String,
    /// The account at this client address (lock), when the address is known.
    pub pair: Option<String>,
    /// The client address (lock), when known.
    pub address: Option<String>,
}

impl Keys {
    /// Every key, for the lock check.
    pub fn all(&self) -> Vec<String> {
        std::iter::once(self.account.clone())
            .chain(self.pair.clone())
            .chain(self.address.clone())
            .collect()
    }
}

/// A typed sign-in name as an account: trimmed, lower-cased.
pub fn account_name(typed: &str) -> String {
    typed.trim().to_lowercase()
}

/// The account a sign-in counts under: the agent's id when the backend recognised the typed
/// name (an agent's id or e-mail, with the right password or not), else [`account_name`].
pub fn account_of(credentials: &Credentials, typed: &str) -> String {
    match credentials {
        Credentials::Agent(agent, _) => account_name(&agent.uid),
        Credentials::WrongPassword(uid) => account_name(uid),
        Credentials::Customer | Credentials::Unknown => account_name(typed),
    }
}

/// Whole seconds the sign-in under `keys` must wait at `now` (`None`: it may go ahead).
pub async fn wait(store: &dyn SessionStore, keys: &Keys, now: i64) -> StoreResult<Option<u64>> {
    Ok(wait_seconds(
        store.throttle_wait_ms(&keys.all(), now).await?,
    ))
}

/// Counts a failed sign-in: the pair and the address towards their locks, the account towards
/// its slow-down.
pub async fn failed(
    store: &dyn SessionStore,
    policy: &Policy,
    keys: &Keys,
    now: i64,
) -> StoreResult<()> {
    if let Some(pair) = &keys.pair {
        store.throttle_failed(pair, now, policy.pair).await?;
    }
    if let Some(address) = &keys.address {
        store.throttle_failed(address, now, policy.address).await?;
    }
    let failures = store
        .throttle_count(&keys.account, now, policy.account.window_ms)
        .await?;
    if let Some(delay) = policy.account.delay_ms(failures) {
        store
            .throttle_lock(&keys.account, now, now.saturating_add(delay))
            .await?;
    }
    Ok(())
}

/// A successful sign-in forgets the failures of its pair (the agent's own typos). The account's
/// count stays: a success must not hand a guesser at other addresses a fresh allowance.
pub async fn succeeded(store: &dyn SessionStore, keys: &Keys) -> StoreResult<()> {
    match &keys.pair {
        Some(pair) => store.throttle_clear(pair).await,
        None => store.throttle_clear(&keys.account).await,
    }
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
    use asm_types::Agent;

    #[test]
    fn keys_separate_the_account_the_pair_and_the_address() {
        let p = Policy::new(5, 300_000);
        let keys = p.keys(&account_name(" AsAgent "), Some("10.0.0.1"));
        assert_eq!(keys.account, "account:asagent");
        assert_eq!(keys.pair.as_deref(), Some("pair:asagent|10.0.0.1"));
        assert_eq!(keys.address.as_deref(), Some("address:10.0.0.1"));
        assert_eq!(keys.all().len(), 3);
        assert_eq!(p.pair.limit, 5);
        assert_eq!(p.address.limit, ADDRESS_FAILURES);
        let no_address = p.keys("a", None);
        assert_eq!(no_address.all(), vec!["account:a".to_owned()]);
    }

    #[test]
    fn an_agent_id_and_its_email_are_one_account() {
        let agent = Agent {
            uid: "AsAgent".into(),
            name: "A".into(),
            email: "agent@example.com".into(),
            groups: vec![],
        };
        assert_eq!(
            account_of(&Credentials::Agent(agent, None), "agent@example.com"),
            "asagent"
        );
        assert_eq!(
            account_of(
                &Credentials::WrongPassword("asagent".into()),
                " Agent@Example.com"
            ),
            "asagent"
        );
        // A name the backend does not know: the typed name, normalized.
        assert_eq!(account_of(&Credentials::Unknown, " Nobody@X "), "nobody@x");
        assert_eq!(account_of(&Credentials::Customer, "Linda"), "linda");
    }

    #[test]
    fn one_address_alone_never_slows_the_account_down() {
        let p = Policy::new(5, 300_000);
        // The pair locks at 5; the account is free up to twice that.
        for failures in 0..=10 {
            assert_eq!(p.account.delay_ms(failures), None, "{failures}");
        }
    }

    #[test]
    fn the_account_slows_down_progressively_up_to_a_bound() {
        let p = Policy::new(5, 300_000);
        assert_eq!(p.account.delay_ms(11), Some(1_000));
        assert_eq!(p.account.delay_ms(12), Some(2_000));
        assert_eq!(p.account.delay_ms(13), Some(4_000));
        assert_eq!(
            p.account.delay_ms(17),
            Some(60_000),
            "64 s capped at a minute"
        );
        assert_eq!(p.account.delay_ms(u32::MAX), Some(SLOW_DOWN_MAX_MS));
        // Never longer than the configured lock.
        let short = Policy::new(5, 10_000);
        assert_eq!(short.account.delay_ms(40), Some(10_000));
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
