//! Requests per key per minute, in this process.

use std::{
    hash::Hash,
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use governor::{
    Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
    state::keyed::DefaultKeyedStateStore,
};

use crate::RateLimited;

/// Checks between two prunes of the keys whose allowance is full again.
const PRUNE_EVERY: u32 = 4096;

/// A per-key limit of N requests a minute (GCRA, bursts up to N); `0` means unlimited. Cheap to
/// clone: clones share their counts.
///
/// The counts run on governor's monotonic clock (time elapsed, not the wall clock's "now"), so a
/// wall clock set back or forward neither frees nor blocks anyone.
///
/// Memory stays bounded without the caller's help: every 4,096th [`check`](Self::check) first
/// forgets the keys whose allowance is full again (a key unused for about a minute), so what is
/// kept is the keys of about the last minute. A caller may also [`prune`](Self::prune) on a timer.
///
/// ```
/// use synerise_auth_issuing::PerMinute;
/// let limit = PerMinute::new(2);
/// assert!(limit.check(&"k").is_ok());
/// assert!(limit.check(&"k").is_ok());
/// assert_eq!(limit.check(&"k").unwrap_err().code(), "rate_limited");
/// ```
#[derive(Debug, Clone)]
pub struct PerMinute<K: Hash + Eq + Clone>(Option<Arc<Limiter<K>>>);

#[derive(Debug)]
struct Limiter<K: Hash + Eq + Clone> {
    keyed: RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>,
    /// Checks counted, for the prune every [`PRUNE_EVERY`].
    checks: AtomicU32,
}

impl<K: Hash + Eq + Clone> PerMinute<K> {
    /// At most `per_minute` requests a minute per key; `0` is unlimited.
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        Self(NonZeroU32::new(per_minute).map(|n| {
            Arc::new(Limiter {
                keyed: RateLimiter::keyed(Quota::per_minute(n)),
                checks: AtomicU32::new(0),
            })
        }))
    }

    /// Counts one request for `key`; refuses over the limit, saying how long to wait.
    ///
    /// # Errors
    /// [`RateLimited`] over the limit.
    pub fn check(&self, key: &K) -> Result<(), RateLimited> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        if limiter.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            limiter.prune();
        }
        limiter
            .keyed
            .check_key(key)
            .map_err(|not_until| RateLimited {
                retry_after: not_until.wait_time_from(DefaultClock::default().now()),
            })
    }

    /// Forgets keys whose allowance is full again now, rather than at the next 4,096th check.
    pub fn prune(&self) {
        if let Some(limiter) = &self.0 {
            limiter.prune();
        }
    }

    /// Keys remembered now (those with some of their allowance used).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |limiter| limiter.keyed.len())
    }

    /// Whether no key is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn prune(&self) {
        self.keyed.retain_recent();
        self.keyed.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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

    #[test]
    fn checks_alone_forget_the_keys_whose_allowance_is_full_again() {
        // Six million a minute: one request's allowance comes back in 10 µs, so the keys below
        // are all full again after the pause, without a test that waits a minute.
        let limit = PerMinute::new(6_000_000);
        for key in 0..PRUNE_EVERY - 1 {
            assert!(limit.check(&key).is_ok());
        }
        assert_eq!(limit.len(), usize::try_from(PRUNE_EVERY - 1).unwrap());
        std::thread::sleep(Duration::from_millis(20));
        // The 4,096th check prunes before it counts its own key.
        assert!(limit.check(&u32::MAX).is_ok());
        assert_eq!(limit.len(), 1, "only the key just checked is remembered");
        // And so on every 4,096 checks, whoever calls (here, a clone).
        let clone = limit.clone();
        for key in 0..PRUNE_EVERY - 1 {
            assert!(clone.check(&key).is_ok());
        }
        std::thread::sleep(Duration::from_millis(20));
        assert!(clone.check(&u32::MAX).is_ok());
        assert_eq!(limit.len(), 1);
    }

    #[test]
    fn a_key_over_its_limit_is_not_forgotten_by_a_prune() {
        let limit = PerMinute::new(1);
        assert!(limit.check(&"k").is_ok());
        limit.prune();
        assert!(
            limit.check(&"k").is_err(),
            "its allowance is not full again"
        );
    }
}
