//! Acting as the emulated customer: what the storefront calls while an agent emulates. Every
//! `/users/{userId}/...` operation needs the agent's active emulation of exactly that customer
//! (else `NotEmulatingError`), and every write is audited with the agent and the customer.
//! Only sales managers may place orders; nobody changes a customer's e-mail or password here.

pub mod addresses;
pub mod carts;
pub mod consents;
pub mod coupons;
pub mod orders;
pub mod profile;
pub mod returns;
pub mod support;

use crate::domain;
use crate::domain::DomainResult;
use crate::http::auth::SignedIn;
use crate::http::error::ApiResult;
use crate::http::sessions::wire;
use crate::ports::{Change, NewAudit};
use crate::AppState;
use asm_types::{AssistedSession, AuditAction};

/// Largest quantity of one product in a cart.
pub use crate::ports::commerce::MAX_QUANTITY;

/// The agent's active emulation, which must be of `user_id` (see
/// [`domain::acting_as::require_emulation`]).
pub async fn require_emulation(
    state: &AppState,
    agent_uid: &str,
    user_id: &str,
) -> ApiResult<AssistedSession> {
    let active = state.sessions.active_emulation(agent_uid).await?;
    Ok(wire(domain::acting_as::require_emulation(active, user_id)?))
}

/// Checks that the agent emulates `user_id`, then runs the write `op` with its audit record
/// (attempt, then outcome; see [`AppState::audited`]). Returns the answer and the emulation.
pub(crate) async fn write_as<T, F>(
    state: &AppState,
    s: &SignedIn,
    user_id: &str,
    action: AuditAction,
    op: F,
) -> ApiResult<(T, AssistedSession)>
where
    T: Send + 'static,
    F: std::future::Future<Output = DomainResult<Change<T>>> + Send + 'static,
{
    write_in(state, s, user_id, action, |_| op).await
}

/// [`write_as`] whose write needs the emulation it happens in (`op` gets it).
pub(crate) async fn write_in<T, F, Fut>(
    state: &AppState,
    s: &SignedIn,
    user_id: &str,
    action: AuditAction,
    op: F,
) -> ApiResult<(T, AssistedSession)>
where
    T: Send + 'static,
    F: FnOnce(&AssistedSession) -> Fut,
    Fut: std::future::Future<Output = DomainResult<Change<T>>> + Send + 'static,
{
    let session = require_emulation(state, &s.agent.uid, user_id).await?;
    let record = NewAudit {
        at: state.now(),
        agent_uid: Some(s.agent.uid.clone()),
        customer_id: Some(user_id.to_owned()),
        action,
        detail: None,
    };
    let write = op(&session);
    let value = state
        .audited(record, async move {
            let change = write.await?;
            Ok((change.value, Some(change.detail)))
        })
        .await?;
    Ok((value, session))
}
