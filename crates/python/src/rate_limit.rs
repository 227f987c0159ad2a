//! `RateLimit`: tokens per customer per minute, as `serve` limits them.

use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use governor::{Quota, RateLimiter, clock::Clock as _, state::keyed::DefaultKeyedStateStore};
use pyo3::prelude::*;

use crate::errors::{Refusal, raise};

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, governor::clock::DefaultClock>;

/// At most `per_minute` calls of `check` per key a minute (bursts up to `per_minute`); `0` is
/// unlimited. Keys whose allowance is full again are forgotten by `prune`, which `check` also
/// runs every [`PRUNE_EVERY`] calls, so memory stays bounded by the keys of about a minute
/// whether or not the caller prunes.
#[pyclass(frozen, module = "synerise_auth")]
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_minute: u32,
    limiter: Option<Arc<Keyed>>,
    /// Checks since the last prune.
    checks: AtomicU32,
}

/// How many checks between two prunes of the keys whose allowance is full again.
const PRUNE_EVERY: u32 = 4096;

#[pymethods]
impl RateLimit {
    #[new]
    fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            limiter: NonZeroU32::new(per_minute)
                .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
            checks: AtomicU32::new(0),
        }
    }

    /// Counts one call for `key`; raises `RateLimited` (with `retry_after`) past the limit.
    fn check(&self, py: Python<'_>, key: String) -> PyResult<()> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        let checked = limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            Refusal::rate_limited(wait.as_secs().max(1))
        });
        raise(py, checked)
    }

    /// Forgets keys whose allowance is full again, so memory stays bounded.
    fn prune(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn __repr__(&self) -> String {
        format!("RateLimit(per_minute={})", self.per_minute)
    }
}
