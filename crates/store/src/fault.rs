//! Sorting a driver's errors into faults that end by themselves ([`StoreError::Unavailable`])
//! and everything else ([`StoreError::Database`]). What is backend-specific (which error codes
//! mean "full", "read-only", "locked") is passed in by each backend.

use crate::StoreError;

/// `error` as a [`StoreError`]: [`Unavailable`](StoreError::Unavailable) when the pool had no
/// connection in time, the connection failed, or the database's own code is one that
/// `unavailable_code` names (returning a few words saying what it means); otherwise
/// [`Database`](StoreError::Database).
pub(crate) fn classify(
    error: sqlx::Error,
    unavailable_code: fn(&str) -> Option<&'static str>,
) -> StoreError {
    let reason = match &error {
        sqlx::Error::PoolTimedOut => Some("no database connection was free in time"),
        sqlx::Error::PoolClosed => Some("the store is closing"),
        sqlx::Error::Io(_) => Some("an I/O error"),
        sqlx::Error::WorkerCrashed => Some("the database connection failed"),
        sqlx::Error::Database(e) => e.code().as_deref().and_then(unavailable_code),
        _ => None,
    };
    match reason {
        Some(reason) => StoreError::Unavailable {
            reason,
            source: Box::new(error),
        },
        None => StoreError::Database(Box::new(error)),
    }
}
