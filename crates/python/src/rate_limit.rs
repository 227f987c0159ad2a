//! `RateLimit`: tokens per customer per minute, as `serve` limits them (the issuing crate's
//! `PerMinute`, which the Node package's limit is too).

use pyo3::prelude::*;
use synerise_auth_issuing::PerMinute;

use crate::errors::{Refusal, raise};

/// At most `per_minute` calls of `check` per key a minute (bursts up to `per_minute`); `0` is
/// unlimited. Memory stays bounded by the keys of about the last minute whether or not the caller
/// prunes: the issuing crate's limit forgets the others as it checks.
#[pyclass(frozen, module = "synerise_auth")]
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_minute: u32,
    limit: PerMinute<String>,
}

#[pymethods]
impl RateLimit {
    #[new]
    fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            limit: PerMinute::new(per_minute),
        }
    }

    /// Counts one call for `key`; raises `RateLimited` (with `retry_after`) past the limit.
    fn check(&self, py: Python<'_>, key: String) -> PyResult<()> {
        raise(py, self.limit.check(&key).map_err(Refusal::from))
    }

    /// Forgets keys whose allowance is full again now, rather than at the next 4,096th check.
    fn prune(&self) {
        self.limit.prune();
    }

    fn __repr__(&self) -> String {
        format!("RateLimit(per_minute={})", self.per_minute)
    }
}
