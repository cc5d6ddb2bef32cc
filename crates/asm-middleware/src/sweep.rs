//! The periodic clean-up every instance runs: agent sessions past their timeouts end (their
//! emulations end and are audited on time even when the agent's browser is gone, and the
//! backend's tokens of each ended session are revoked), expired sign-in flows go, and audit
//! records older than the retention are deleted, and vouchers valid only during a support call
//! leave the carts of emulations that ended (timed out, or ended on an instance that stopped
//! before it could take them out). The store makes concurrent sweeps of several instances end
//! each session once; taking a voucher out twice is harmless.

use crate::ports::{NewAudit, SessionVoucher};
use crate::AppState;
use asm_types::AuditAction;
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
    end_session_vouchers(state, None).await;
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

/// Takes the vouchers valid only during a support call out of the carts of emulations that
/// ended: of emulation `only` (just ended by hand, by a switch or by signing out), or of every
/// emulation that holds some (the sweep); an emulation still active keeps them. Each removal is
/// audited `voucher-remove` with its agent and customer. Failures are logged: the next sweep
/// tries again.
pub async fn end_session_vouchers(state: &AppState, only: Option<&str>) {
    let held = match state.commerce.session_vouchers(only).await {
        Ok(held) => held,
        Err(e) => {
            tracing::error!(error = ?e, "listing session-only vouchers failed");
            return;
        }
    };
    let mut sessions: Vec<&SessionVoucher> = Vec::new();
    for v in &held {
        if !sessions.iter().any(|s| s.session_id == v.session_id) {
            sessions.push(v);
        }
    }
    for v in sessions {
        match state.sessions.emulation(&v.session_id, &v.agent_uid).await {
            Ok(Some(e)) if e.ended.is_none() => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "reading an emulation failed");
                continue;
            }
        }
        let now = state.now();
        let record = NewAudit {
            at: now,
            agent_uid: Some(v.agent_uid.clone()),
            customer_id: Some(v.customer_id.clone()),
            action: AuditAction::VoucherRemove,
            detail: None,
        };
        let commerce = state.commerce.clone();
        let session_id = v.session_id.clone();
        let removed = state
            .audited(record, async move {
                let change = commerce.end_session_vouchers(&session_id, now).await?;
                Ok((change.value, Some(change.detail)))
            })
            .await;
        if let Err(e) = removed {
            tracing::error!(session = %v.session_id, error = ?e, "removing session-only vouchers failed");
        }
    }
}
