//! The session store port: agent sessions, emulations, sign-in throttle counters and the audit
//! log — everything the middleware itself must remember, shared by every instance that uses the
//! same store. Implemented on SQLite (`store::sqlite`, one instance) and PostgreSQL
//! (`store::postgres`, any number of instances).
//!
//! Every method is one atomic step: compound operations (ending a session ends its emulation and
//! writes the audit records) run in one transaction of the store, so two instances doing the same
//! thing at once (two sweepers, a sign-out on A while B times the session out) never double-end
//! or lose a record.

use asm_types::{Agent, AuditAction, AuditEntry};
use async_trait::async_trait;

/// Why the store failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store cannot be reached now (connection refused, pool exhausted, database locked):
    /// the request may be retried; answered 503 with `Retry-After`.
    Unavailable(String),
    /// Anything else (a bug, a corrupt row): answered 500.
    Internal(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "session store unavailable: {m}"),
            StoreError::Internal(m) => write!(f, "session store error: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Idle timeout and absolute lifetime of agent sessions, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// A session not used for this long has ended.
    pub idle_ms: i64,
    /// A session this old has ended, however busy.
    pub max_ms: i64,
}

impl Timeouts {
    /// Whether a session created at `created` and last used at `last_seen` is live at `now`.
    pub fn is_live(&self, created: i64, last_seen: i64, now: i64) -> bool {
        now < last_seen.saturating_add(self.idle_ms) && now < created.saturating_add(self.max_ms)
    }

    /// When such a session ends unless used again.
    pub fn expires_at(&self, created: i64, last_seen: i64) -> i64 {
        last_seen
            .saturating_add(self.idle_ms)
            .min(created.saturating_add(self.max_ms))
    }
}

/// A signed-in agent's session: a snapshot of the agent taken at sign-in (the agent may come
/// from an identity provider the store knows nothing else of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSessionRecord {
    /// SHA-256 of the session token (the token itself is never stored).
    pub token_hash: String,
    /// Who signed in.
    pub agent: Agent,
    /// Sign-in time (ms since the epoch).
    pub created: i64,
    /// Last use (ms since the epoch).
    pub last_seen: i64,
    /// The commerce backend's tokens for this session, sealed (encrypted) by the backend; the
    /// store keeps them opaque.
    pub backend_tokens: Option<String>,
}

/// What the store holds now, as the metrics report it (see [`SessionStore::activity`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreActivity {
    /// Agent sessions past neither timeout.
    pub agent_sessions: u64,
    /// Active emulations of agents who have a live session.
    pub emulations: u64,
}

/// A connection pool's use at one moment (see [`SessionStore::pool_usage`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections open now, busy or idle.
    pub open: u64,
    /// Open connections not lent to anyone.
    pub idle: u64,
    /// The most the pool opens.
    pub max: u64,
}

/// An emulation (assisted session): an agent acting as a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulationRecord {
    /// Random id.
    pub session_id: String,
    /// The agent.
    pub agent_uid: String,
    /// The emulated customer.
    pub customer_id: String,
    /// The customer's name when the emulation started.
    pub customer_name: String,
    /// The customer's e-mail when the emulation started.
    pub customer_email: String,
    /// Base site.
    pub base_site: String,
    /// The cart worked with.
    pub cart_id: Option<String>,
    /// Why the agent emulates (ticket id or note).
    pub reason: Option<String>,
    /// Start (ms since the epoch).
    pub created: i64,
    /// End (ms since the epoch), `None` while active.
    pub ended: Option<i64>,
}

/// An audit record to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    /// When (ms since the epoch).
    pub at: i64,
    /// The agent who acted, if known.
    pub agent_uid: Option<String>,
    /// The customer concerned, if any.
    pub customer_id: Option<String>,
    /// What happened.
    pub action: AuditAction,
    /// Details (reason, refused name, what was changed).
    pub detail: Option<String>,
}

/// Filters and page of an audit read. Times in ms since the epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// At or after (inclusive).
    pub from: Option<i64>,
    /// Before (exclusive).
    pub to: Option<i64>,
    /// Exact agent uid.
    pub agent_id: Option<String>,
    /// Exact customer id.
    pub customer_id: Option<String>,
    /// Exact action.
    pub action: Option<AuditAction>,
    /// Zero-based page.
    pub current_page: u32,
    /// Page size (≥ 1).
    pub page_size: u32,
}

/// How failures under one throttle key count: `limit` failures within `window_ms` lock the key
/// for `lock_ms` (and start a new window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures that lock.
    pub limit: u32,
    /// The counting window (ms).
    pub window_ms: i64,
    /// How long a lock lasts (ms).
    pub lock_ms: i64,
}

/// A pending sign-in through an identity provider (authorization code + PKCE): created when the
/// browser is sent to the provider, used once by the callback — on whichever instance it lands.
#[derive(Clone, PartialEq, Eq)]
pub struct SignInFlow {
    /// The OAuth `state` sent to the provider (random; the key of the flow).
    pub state: String,
    /// SHA-256 of the secret in the browser's flow cookie: the callback must come from the
    /// browser that started the flow.
    pub binding_hash: String,
    /// The PKCE code verifier (RFC 7636).
    pub code_verifier: String,
    /// The OpenID `nonce`.
    pub nonce: String,
    /// The storefront page to send the agent back to (an allowed origin, checked at the start).
    pub return_to: String,
    /// When the flow started (ms since the epoch).
    pub created: i64,
    /// When it can no longer complete (ms since the epoch).
    pub expires_at: i64,
}

impl std::fmt::Debug for SignInFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInFlow")
            .field("return_to", &self.return_to)
            .field("created", &self.created)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The store of the middleware's own state. See the module comment.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Checks that the store answers (for readiness).
    async fn ping(&self) -> StoreResult<()>;

    // ---- agent sessions

    /// Records a new agent session and its `sign-in` audit record.
    async fn create_agent_session(
        &self,
        token_hash: &str,
        agent: &Agent,
        now: i64,
    ) -> StoreResult<()>;

    /// The session with this token hash, live or not (the caller checks the timeouts).
    async fn agent_session(&self, token_hash: &str) -> StoreResult<Option<AgentSessionRecord>>;

    /// Marks the session used at `now`.
    async fn touch_agent_session(&self, token_hash: &str, now: i64) -> StoreResult<()>;

    /// Keeps (or, with `None`, drops) the commerce backend's sealed tokens of a session.
    async fn set_backend_tokens(&self, token_hash: &str, sealed: Option<&str>) -> StoreResult<()>;

    /// Ends one agent session, with `reason` `sign-out` (audited `sign-out`) or `timeout`
    /// (audited `session-expired`): deletes it and ends the agent's active emulation with the
    /// same reason — on `timeout` only when no other live session of the agent remains. Returns
    /// whether the session existed (when another instance ended it first: `false`, nothing done).
    async fn end_agent_session(
        &self,
        token_hash: &str,
        now: i64,
        reason: &str,
        timeouts: Timeouts,
    ) -> StoreResult<bool>;

    /// Ends every session of `agent_uid` but `keep_token_hash` (the agent signed in again), in one
    /// transaction: each is deleted and audited `sign-out` with the detail `new-sign-in`; the
    /// agent's emulation is not ended (it carries on in the new session). Returns the ended
    /// sessions' sealed backend tokens, one per session, for the caller to revoke.
    async fn end_other_agent_sessions(
        &self,
        agent_uid: &str,
        keep_token_hash: &str,
        now: i64,
    ) -> StoreResult<Vec<Option<String>>>;

    /// Ends every session past its idle timeout or lifetime (as `end_agent_session` with
    /// `timeout`); safe when several instances sweep at once. Returns, per ended session, its
    /// sealed backend tokens (`None` without), so that the backend can revoke them.
    async fn expire_agent_sessions(
        &self,
        now: i64,
        timeouts: Timeouts,
    ) -> StoreResult<Vec<Option<String>>>;

    /// How many sessions exist (live or not yet swept) — for tests and metrics.
    async fn count_agent_sessions(&self, agent_uid: Option<&str>) -> StoreResult<u64>;

    /// Live agent sessions and the active emulations of their agents at `now` — read by the
    /// metrics at every scrape, so that several instances on one store all report the same
    /// truth. Cheap: both counts walk indexes, never the emulation history.
    async fn activity(&self, now: i64, timeouts: Timeouts) -> StoreResult<StoreActivity>;

    /// The store's connection pool now (for the metrics); `None` when it has none.
    fn pool_usage(&self) -> Option<PoolUsage> {
        None
    }

    // ---- emulations

    /// The agent's active emulation, if any (the newest).
    async fn active_emulation(&self, agent_uid: &str) -> StoreResult<Option<EmulationRecord>>;

    /// One of the agent's emulations, active or ended.
    async fn emulation(
        &self,
        session_id: &str,
        agent_uid: &str,
    ) -> StoreResult<Option<EmulationRecord>>;

    /// Starts `new` (its `ended` is ignored): first ends the agent's active emulations with the
    /// reason `switched` (audited `emulation-end`), then records `new` and audits
    /// `emulation-start` with its reason. One transaction.
    async fn start_emulation(&self, new: &EmulationRecord) -> StoreResult<()>;

    /// Ends the agent's active emulation(s) — only `session_id` when given — with `reason`
    /// (`agent`, `switched`, `sign-out`, `timeout`), auditing `emulation-end` for each. Returns
    /// how many ended.
    async fn end_emulations(
        &self,
        agent_uid: &str,
        session_id: Option<&str>,
        now: i64,
        reason: &str,
    ) -> StoreResult<usize>;

    /// Sets the cart of an emulation; with `only_if` set, only when its cart is that one.
    async fn set_emulation_cart(
        &self,
        session_id: &str,
        cart_id: Option<&str>,
        only_if: Option<&str>,
    ) -> StoreResult<()>;

    /// Updates the customer's name and e-mail an emulation shows (after the customer's profile
    /// changed while emulating).
    async fn set_emulation_customer(
        &self,
        session_id: &str,
        name: &str,
        email: &str,
    ) -> StoreResult<()>;

    /// The customers this agent emulated, each with the start of the latest emulation, newest
    /// first (the `mysessions` customer list).
    async fn emulated_customers(&self, agent_uid: &str) -> StoreResult<Vec<(String, i64)>>;

    // ---- sign-in throttle

    /// Milliseconds until the most locked of `keys` unlocks (0 or less: none is locked).
    async fn throttle_wait_ms(&self, keys: &[String], now: i64) -> StoreResult<i64>;

    /// Counts a failure under `key` by `rule`, atomically (failures on every instance add up).
    async fn throttle_failed(&self, key: &str, now: i64, rule: ThrottleRule) -> StoreResult<()>;

    /// Forgets the failures of `key` (a successful sign-in).
    async fn throttle_clear(&self, key: &str) -> StoreResult<()>;

    // ---- sign-in flows (identity provider)

    /// Records a pending sign-in flow.
    async fn create_sign_in_flow(&self, flow: &SignInFlow) -> StoreResult<()>;

    /// Marks the flow of `state` used and returns it, with `true` for the first use and `false`
    /// for every later one (a replayed callback; two instances racing: exactly one gets `true`).
    /// `None` when no such flow exists (never started, or pruned).
    async fn take_sign_in_flow(&self, state: &str) -> StoreResult<Option<(SignInFlow, bool)>>;

    /// Deletes flows that expired before `before`; returns how many went.
    async fn prune_sign_in_flows(&self, before: i64) -> StoreResult<usize>;

    /// Counts a failure under `key`, atomically, in a window of `window_ms` (a failure after the
    /// window is over starts a new one), and returns the failures of the window, this one
    /// included. Never locks by itself and never resets at a limit: the caller decides from the
    /// count (the account's progressive slow-down) and locks with [`SessionStore::throttle_lock`].
    async fn throttle_count(&self, key: &str, now: i64, window_ms: i64) -> StoreResult<u32>;

    /// Locks `key` until `until` (a lock that ends later is kept).
    async fn throttle_lock(&self, key: &str, now: i64, until: i64) -> StoreResult<()>;

    // ---- audit log

    /// Appends a record; returns its id.
    async fn audit(&self, record: NewAudit) -> StoreResult<i64>;

    /// Appends `record`, or counts it as a repeat of the latest identical record (same action,
    /// agent, customer and detail, no outcome) that began at most `window_ms` before it: that
    /// record's `repeats` grows by one and its `last_at` becomes `record.at`. For refusals a
    /// client can repeat at will (failed and throttled sign-ins): the log keeps one row per burst
    /// and window instead of one per request. Returns the row's id.
    async fn audit_repeated(&self, record: NewAudit, window_ms: i64) -> StoreResult<i64>;

    /// Appends a record with its outcome already known (`ok`, or the error type that refused the
    /// write), as one row in one statement: a write refused with the attempt never written
    /// (see [`crate::ports::audit_handoff`]). The default writes the attempt and then its
    /// outcome; the SQLite and PostgreSQL stores insert the row at once. Returns its id.
    async fn audit_with_outcome(&self, record: NewAudit, outcome: &str) -> StoreResult<i64> {
        let id = self.audit(record).await?;
        self.audit_outcome(id, outcome, None).await?;
        Ok(id)
    }

    /// Records the outcome of an audited attempt (`ok`, or the error type that refused it) and,
    /// when given, its detail (what was changed); an attempt whose outcome is never recorded
    /// reads as "attempted, outcome unknown".
    async fn audit_outcome(&self, id: i64, outcome: &str, detail: Option<&str>) -> StoreResult<()>;

    /// Re-files the records of the customer id `from` under `to`: a customer created under an
    /// id proposed before the write whom the backend gave its own (SAP assigns `customerId`).
    /// The proposed id is random and used by no other record.
    async fn audit_rename_customer(&self, from: &str, to: &str) -> StoreResult<()>;

    /// A page of records, newest first, and how many match in all.
    async fn audit_page(&self, query: &AuditQuery) -> StoreResult<(u64, Vec<AuditEntry>)>;

    /// Deletes records older than `before`; returns how many went.
    async fn prune_audit(&self, before: i64) -> StoreResult<usize>;
}
