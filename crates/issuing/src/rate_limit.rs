//! Requests per key per minute, in this process.

use std::{hash::Hash, num::NonZeroU32, sync::Arc};

use governor::{
    Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
    state::keyed::DefaultKeyedStateStore,
};

use crate::RateLimited;

/// A per-key limit of N requests a minute (GCRA, bursts up to N); `0` means unlimited. Cheap to
/// clone: clones share their counts.
///
/// The counts run on governor's monotonic clock (time elapsed, not the wall clock's "now"), so a
/// wall clock set back or forward neither frees nor blocks anyone.
///
/// ```
/// use synerise_auth_issuing::PerMinute;
/// let limit = PerMinute::new(2);
/// assert!(limit.check(&"k").is_ok());
/// assert!(limit.check(&"k").is_ok());
/// assert_eq!(limit.check(&"k").unwrap_err().code(), "rate_limited");
/// ```
#[derive(Debug, Clone)]
pub struct PerMinute<K: Hash + Eq + Clone>(
    Option<Arc<RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>>>,
);

impl<K: Hash + Eq + Clone> PerMinute<K> {
    /// At most `per_minute` requests a minute per key; `0` is unlimited.
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        Self(
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        )
    }

    /// Counts one request for `key`; refuses over the limit, saying how long to wait.
    ///
    /// # Errors
    /// [`RateLimited`] over the limit.
    pub fn check(&self, key: &K) -> Result<(), RateLimited> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| RateLimited {
            retry_after: not_until.wait_time_from(DefaultClock::default().now()),
        })
    }

    /// Forgets keys whose allowance is full again, so memory stays bounded; call it now and then.
    pub fn prune(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Keys remembered now (those with some of their allowance used).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |limiter| limiter.len())
    }

    /// Whether no key is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_quota_per_key_and_zero_is_unlimited() {
        let limit = PerMinute::new(2);
        assert!(limit.check(&"k").is_ok());
        assert!(limit.check(&"k").is_ok());
        let err = limit.check(&"k").unwrap_err();
        assert_eq!(err.code(), "rate_limited");
        // Two a minute: the next one is allowed about 30 s later.
        assert!((1..=30).contains(&err.retry_after_secs()), "{err:?}");
        assert!(limit.check(&"other").is_ok());
        let unlimited = PerMinute::new(0);
        for _ in 0..100 {
            assert!(unlimited.check(&"k").is_ok());
        }
        assert!(unlimited.is_empty());
    }

    #[test]
    fn clones_share_their_counts() {
        let limit = PerMinute::new(1);
        let clone = limit.clone();
        assert!(limit.check(&1_u8).is_ok());
        assert!(clone.check(&1_u8).is_err());
        assert_eq!(clone.len(), 1);
    }
}
