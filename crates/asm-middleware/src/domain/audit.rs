//! What is audited, and how a change made through a backend is recorded around it.

use super::DomainResult;
use crate::ports::{audit_handoff, Commerce, NewAudit, SessionStore};

/// The outcome of a write for its audit record: `ok` with the detail the write returns, or the
/// error type that refused it.
fn outcome_of<T>(result: &DomainResult<(T, Option<String>)>) -> (&str, Option<&str>) {
    match result {
        Ok((_, detail)) => ("ok", detail.as_deref()),
        Err(e) => (e.kind(), None),
    }
}

/// With the record handed to the backend: what `audited` still has to write after the write —
/// nothing when the backend committed the record with its change, else one row with the
/// write's outcome (a refused or failed write rolled back the record with the change; a write
/// that did not take the record left it here).
fn left_to_write<T>(
    committed: bool,
    result: &DomainResult<(T, Option<String>)>,
) -> Option<(&str, Option<&str>)> {
    (!committed).then(|| outcome_of(result))
}

/// Runs the backend write `write` with its audit record.
///
/// - A backend that does not record audit itself (the default; a remote backend): `record` is
///   written first (the attempt), then the write runs, then its outcome — `ok` with the detail
///   the write returns, or the error type that refused it. A crash between the write and its
///   outcome leaves an "attempted, outcome unknown" record, never a change without one. When the
///   outcome cannot be recorded the write's answer still stands (the attempt is on record).
/// - A backend that [records audit](Commerce::records_audit) (the embedded shop on the SQLite
///   store's database): no attempt is written; the record is handed to the write
///   ([`audit_handoff`]), which commits it with outcome `ok` in the change's own transaction.
///   When the write did not commit it (refused, failed, rolled back), `audited` writes the
///   record as one row with the outcome (the error type). A change never exists without its
///   record, and no row is ever "outcome unknown".
pub async fn audited<T, F>(
    sessions: &dyn SessionStore,
    commerce: &dyn Commerce,
    record: NewAudit,
    write: F,
) -> DomainResult<T>
where
    F: std::future::Future<Output = DomainResult<(T, Option<String>)>>,
{
    if commerce.records_audit() {
        let (result, handoff) = audit_handoff::offer(record, write).await;
        if let Some((outcome, detail)) = left_to_write(handoff.committed, &result) {
            let mut record = handoff.record;
            if let Some(detail) = detail {
                record.detail = Some(detail.to_owned());
            }
            let action = record.action;
            if let Err(e) = sessions.audit_with_outcome(record, outcome).await {
                // Nothing changed (the backend's change and record roll back together) unless
                // the write did not take the record; either way the answer stands.
                tracing::error!(
                    outcome,
                    action = action.as_str(),
                    error = %e,
                    "cannot record the outcome of an audited write"
                );
            }
        }
        return result.map(|(value, _)| value);
    }
    let attempt = sessions.audit(record).await?;
    let result = write.await;
    let (outcome, detail) = outcome_of(&result);
    if let Err(e) = sessions.audit_outcome(attempt, outcome, detail).await {
        tracing::error!(
            record = attempt,
            error = %e,
            "cannot record the outcome of an audit record"
        );
    }
    result.map(|(value, _)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DomainError;
    use asm_types::error_type;

    type Result = DomainResult<((), Option<String>)>;

    fn ok(detail: Option<&str>) -> Result {
        Ok(((), detail.map(str::to_owned)))
    }

    fn not_found() -> Result {
        Err(DomainError::not_found("Cart"))
    }

    #[test]
    fn the_outcome_is_ok_with_the_detail_or_the_error_type() {
        assert_eq!(outcome_of(&ok(Some("cart 1"))), ("ok", Some("cart 1")));
        assert_eq!(outcome_of(&ok(None)), ("ok", None));
        assert_eq!(outcome_of(&not_found()), (error_type::NOT_FOUND, None));
    }

    #[test]
    fn a_record_committed_with_the_change_leaves_nothing_to_write() {
        assert_eq!(left_to_write(true, &ok(Some("cart 1"))), None);
        // The change and its `ok` record are on file; a later failure in the same write does
        // not add a second row.
        let later: Result = Err(DomainError::internal("after the commit"));
        assert_eq!(left_to_write(true, &later), None);
    }

    #[test]
    fn a_refused_write_leaves_one_row_with_the_error_type() {
        assert_eq!(
            left_to_write(false, &not_found()),
            Some((error_type::NOT_FOUND, None))
        );
    }

    #[test]
    fn a_write_that_did_not_take_the_record_leaves_it_with_its_outcome() {
        assert_eq!(
            left_to_write(false, &ok(Some("cart 1"))),
            Some(("ok", Some("cart 1")))
        );
    }
}
