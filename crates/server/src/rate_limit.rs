//! Brute-force limits: requests per key per minute, and failed sign-ins in a row per account.

use std::{
    collections::HashMap,
    hash::Hash,
    num::NonZeroU32,
    sync::{Arc, Mutex},
};

use governor::{Quota, RateLimiter, clock::Clock as _, state::keyed::DefaultKeyedStateStore};
use synerise_auth_token::{Clock, UnixTime};

use crate::ApiError;

/// A per-key limit of N requests a minute (GCRA, bursts up to N). `0` means unlimited.
#[derive(Debug, Clone)]
pub(crate) struct PerMinute<K: Hash + Eq + Clone>(
    Option<Arc<RateLimiter<K, DefaultKeyedStateStore<K>, governor::clock::DefaultClock>>>,
);

impl<K: Hash + Eq + Clone> PerMinute<K> {
    pub(crate) fn new(per_minute: u32) -> Self {
        Self(
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        )
    }

    /// Counts one request for `key`; refuses with 429 and `Retry-After` over the limit.
    pub(crate) fn check(&self, key: &K) -> Result<(), ApiError> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets keys whose allowance is full again, so memory stays bounded.
    pub(crate) fn prune(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Failed sign-ins in a row per account; at the limit the account is locked for a while.
#[derive(Debug)]
pub(crate) struct FailedSignIns {
    limit: u32,
    lock_secs: i64,
    clock: Arc<dyn Clock>,
    accounts: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    locked_until: Option<UnixTime>,
}

/// How long an account stays locked after too many failures.
const LOCK_SECS: i64 = 15 * 60;
/// Entries kept at most; past it, entries that are not locked are forgotten first.
const MAX_ENTRIES: usize = 100_000;

impl FailedSignIns {
    pub(crate) fn new(limit: u32, clock: Arc<dyn Clock>) -> Self {
        Self {
            limit,
            lock_secs: LOCK_SECS,
            clock,
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses with 429 while `account` is locked.
    pub(crate) fn check(&self, account: &str) -> Result<(), ApiError> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        let accounts = self
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match accounts.get(account).and_then(|e| e.locked_until) {
            Some(until) if until > now => Err(ApiError::TooManyRequests {
                retry_after_secs: u64::try_from(until.as_secs() - now.as_secs()).unwrap_or(1),
            }),
            _ => Ok(()),
        }
    }

    /// Records a failure; the one that reaches the limit locks the account and is answered 429.
    pub(crate) fn failed(&self, account: &str) -> Result<(), ApiError> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        let mut accounts = self
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if accounts.len() >= MAX_ENTRIES {
            accounts.retain(|_, e| e.locked_until.is_some_and(|until| until > now));
        }
        let entry = accounts.entry(account.to_owned()).or_insert(Entry {
            failures: 0,
            locked_until: None,
        });
        if entry.locked_until.is_some_and(|until| until <= now) {
            *entry = Entry {
                failures: 0,
                locked_until: None,
            };
        }
        entry.failures += 1;
        if entry.failures >= self.limit {
            entry.locked_until = Some(now.plus_secs(self.lock_secs));
            return Err(ApiError::TooManyRequests {
                retry_after_secs: self.lock_secs.unsigned_abs(),
            });
        }
        Ok(())
    }

    /// A success ends the run of failures.
    pub(crate) fn succeeded(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(account);
    }
}

#[cfg(test)]
mod tests {
    use synerise_auth_token::FixedClock;

    use super::*;

    #[test]
    fn locks_on_the_limit_th_failure_and_unlocks_after_the_lock_time() {
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(1_000)));
        let tracker = FailedSignIns::new(3, clock.clone());
        assert!(tracker.failed("a").is_ok());
        assert!(tracker.failed("a").is_ok());
        assert_eq!(tracker.failed("a").unwrap_err().code(), "rate_limited");
        assert_eq!(tracker.check("a").unwrap_err().code(), "rate_limited");
        assert!(
            tracker.check("b").is_ok(),
            "other accounts are not affected"
        );
        clock.advance(LOCK_SECS);
        assert!(tracker.check("a").is_ok());
        assert!(tracker.failed("a").is_ok(), "the count starts again");
    }

    #[test]
    fn success_resets_the_run() {
        let tracker = FailedSignIns::new(2, Arc::new(FixedClock::new(UnixTime::from_secs(0))));
        assert!(tracker.failed("a").is_ok());
        tracker.succeeded("a");
        assert!(tracker.failed("a").is_ok());
    }

    #[test]
    fn per_minute_refuses_past_the_quota_and_zero_is_unlimited() {
        let limit = PerMinute::new(2);
        assert!(limit.check(&"k").is_ok());
        assert!(limit.check(&"k").is_ok());
        let err = limit.check(&"k").unwrap_err();
        assert_eq!(err.code(), "rate_limited");
        assert!(limit.check(&"other").is_ok());
        let unlimited = PerMinute::new(0);
        for _ in 0..100 {
            assert!(unlimited.check(&"k").is_ok());
        }
    }
}
