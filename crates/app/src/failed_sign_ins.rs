//! Brute-force limits: failed sign-ins in a row per account (in the store, shared by every
//! instance). The per-minute limits in this process are the issuing crate's `PerMinute`.

use std::sync::Arc;

use synerise_auth_store::{LockoutPolicy, SignInKey, SignInLockout};
use synerise_auth_token::{Clock, Email};

use crate::error::{AppError, Result};

/// Failed sign-ins in a row per account; at the limit the account is locked for a while.
///
/// Counted in the store ([`SignInLockout`]), not in this process: every instance sharing the
/// database counts the same run, so N instances allow no more guesses than one.
#[derive(Debug)]
pub(crate) struct FailedSignIns {
    limit: u32,
    lock_secs: i64,
    clock: Arc<dyn Clock>,
    store: Arc<dyn SignInLockout>,
}

/// How long an account stays locked after too many failures.
const LOCK_SECS: i64 = 15 * 60;
/// Runs of failures kept at most; past it, the oldest runs that are not locked are forgotten
/// (at the next housekeeping, every minute).
const MAX_ENTRIES: u32 = 100_000;

impl FailedSignIns {
    /// Locks an account at the `limit`-th failure in a row (0: never), counting in `store`.
    #[must_use]
    pub(crate) fn new(limit: u32, clock: Arc<dyn Clock>, store: Arc<dyn SignInLockout>) -> Self {
        Self {
            limit,
            lock_secs: LOCK_SECS,
            clock,
            store,
        }
    }

    /// Refuses ([`AppError::TooManyRequests`]) while `account` is locked.
    pub(crate) async fn check(&self, account: &Email) -> Result<()> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        match self
            .store
            .locked_until(&SignInKey::of(account), now)
            .await?
        {
            Some(until) => Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from(until.as_secs() - now.as_secs()).unwrap_or(1),
            }),
            None => Ok(()),
        }
    }

    /// Records a failure; the one that reaches the limit locks the account and is refused
    /// ([`AppError::TooManyRequests`]).
    pub(crate) async fn failed(&self, account: &Email) -> Result<()> {
        if self.limit == 0 {
            return Ok(());
        }
        let policy = LockoutPolicy {
            limit: self.limit,
            lock_secs: self.lock_secs,
        };
        let locked = self
            .store
            .record_failure(&SignInKey::of(account), self.clock.now(), policy)
            .await?;
        match locked {
            Some(_) => Err(AppError::TooManyRequests {
                retry_after_secs: self.lock_secs.unsigned_abs(),
            }),
            None => Ok(()),
        }
    }

    /// A success ends the run of failures.
    pub(crate) async fn succeeded(&self, account: &Email) -> Result<()> {
        if self.limit == 0 {
            return Ok(());
        }
        Ok(self.store.clear_failures(&SignInKey::of(account)).await?)
    }

    /// Forgets runs that no longer matter (ended locks, the oldest beyond [`MAX_ENTRIES`]).
    pub(crate) async fn prune(&self) {
        if let Err(e) = self
            .store
            .purge_failed_sign_ins(self.clock.now(), MAX_ENTRIES)
            .await
        {
            tracing::warn!(error = %e, "could not forget old failed sign-ins");
        }
    }
}

#[cfg(test)]
mod tests {
    use synerise_auth_store::SqliteStore;
    use synerise_auth_token::{FixedClock, UnixTime};

    use super::*;

    async fn tracker(limit: u32, clock: Arc<FixedClock>) -> (FailedSignIns, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("auth.db")).await.unwrap();
        (FailedSignIns::new(limit, clock, Arc::new(store)), dir)
    }

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    #[tokio::test]
    async fn locks_on_the_limit_th_failure_and_unlocks_after_the_lock_time() {
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(1_000)));
        let (tracker, _dir) = tracker(3, clock.clone()).await;
        let a = email("a@example.com");
        assert!(tracker.failed(&a).await.is_ok());
        assert!(tracker.failed(&a).await.is_ok());
        let err = tracker.failed(&a).await.unwrap_err();
        assert_eq!(err.code(), "rate_limited");
        let err = tracker.check(&a).await.unwrap_err();
        assert_eq!(err.code(), "rate_limited");
        assert!(
            matches!(err, AppError::TooManyRequests { retry_after_secs } if retry_after_secs == 900),
            "{err:?}"
        );
        assert!(
            tracker.check(&email("b@example.com")).await.is_ok(),
            "other accounts are not affected"
        );
        assert!(
            tracker.check(&email("A@Example.com")).await.is_err(),
            "the same account whatever the case"
        );
        clock.advance(LOCK_SECS);
        assert!(tracker.check(&a).await.is_ok());
        assert!(tracker.failed(&a).await.is_ok(), "the count starts again");
    }

    #[tokio::test]
    async fn success_resets_the_run() {
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(0)));
        let (tracker, _dir) = tracker(2, clock).await;
        let a = email("a@example.com");
        assert!(tracker.failed(&a).await.is_ok());
        tracker.succeeded(&a).await.unwrap();
        assert!(tracker.failed(&a).await.is_ok());
        assert!(tracker.failed(&a).await.is_err());
    }

    #[tokio::test]
    async fn zero_never_locks() {
        let clock = Arc::new(FixedClock::new(UnixTime::from_secs(0)));
        let (tracker, _dir) = tracker(0, clock).await;
        let a = email("a@example.com");
        for _ in 0..20 {
            assert!(tracker.failed(&a).await.is_ok());
        }
        assert!(tracker.check(&a).await.is_ok());
    }
}
