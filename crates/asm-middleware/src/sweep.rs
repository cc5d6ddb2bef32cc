//! The periodic clean-up every instance runs: agent sessions past their timeouts end (their
//! emulations end and are audited on time even when the agent's browser is gone, and the
//! backend's tokens of each ended session are revoked), expired sign-in flows go, and audit
//! records older than the retention are deleted. The store makes concurrent sweeps of several
//! instances end each session once.

use crate::AppState;
use std::time::Duration;

/// How often the middleware sweeps.
pub const EVERY: Duration = Duration::from_secs(15);

/// One sweep; failures are logged and the next sweep tries again.
pub async fn sweep(state: &AppState) {
    let now = state.now();
    match state
        .sessions
        .expire_agent_sessions(now, state.timeouts())
        .await
    {
        Ok(ended) => {
            // SAP keeps a session's tokens valid until they expire; revoke what timed out here.
            for sealed in ended.into_iter().flatten() {
                state.commerce.sign_out(&sealed).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "session sweep failed"),
    }
    state.cart_limit.forget_idle();
    if let Err(e) = state.sessions.prune_sign_in_flows(now).await {
        tracing::error!(error = %e, "pruning sign-in flows failed");
    }
    let retention = i64::from(state.config.audit_retention_days) * crate::format::DAY_MS;
    if let Err(e) = state
        .sessions
        .prune_audit(now.saturating_sub(retention))
        .await
    {
        tracing::error!(error = %e, "audit pruning failed");
    }
}
