//! What is audited, and how a change made through a backend is recorded around it.

use super::DomainResult;
use crate::ports::{NewAudit, SessionStore};

/// Runs the backend write `write` with its audit record: `record` first (the attempt), then the
/// write, then its outcome — `ok` with the detail the write returns, or the error type that
/// refused it. A crash between the write and its outcome leaves an "attempted, outcome unknown"
/// record, never a change without one. When the outcome cannot be recorded the write's answer
/// still stands (the attempt is on record).
pub async fn audited<T, F>(
    sessions: &dyn SessionStore,
    record: NewAudit,
    write: F,
) -> DomainResult<T>
where
    F: std::future::Future<Output = DomainResult<(T, Option<String>)>>,
{
    let attempt = sessions.audit(record).await?;
    let result = write.await;
    let (outcome, detail) = match &result {
        Ok((_, detail)) => ("ok", detail.as_deref()),
        Err(e) => (e.kind(), None),
    };
    if let Err(e) = sessions.audit_outcome(attempt, outcome, detail).await {
        eprintln!("asm-middleware: cannot record the outcome of audit record {attempt}: {e}");
    }
    result.map(|(value, _)| value)
}
