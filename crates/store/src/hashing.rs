//! A bound on password hashing: at most a few argon2id hashes at once, a short queue behind them,
//! and a refusal ([`StoreError::Busy`]) beyond that.
//!
//! Each hash holds 19 MiB and a CPU for tens of milliseconds, so a crowd of sign-ins (many IPs,
//! each under its own rate limit) must not start one hash per request: memory would grow with
//! the crowd and every other request would wait behind the CPUs. Here memory is bounded by
//! `running × 19 MiB`, the queue by `queued` futures of a few hundred bytes each, and a request
//! that gives up (its future is dropped, e.g. on the request timeout) leaves the queue at once.
//! A hash already running cannot be stopped half-way, but it keeps its place in the count until
//! it ends, so the bound holds.

use std::{
    num::NonZeroUsize,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};

use secrecy::SecretString;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{
    PasswordCheck, Result, StoreError,
    password::{MAX_PASSWORD_BYTES, hash_now, verify_dummy_now, verify_now},
};

/// How many password hashes may run and wait at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimits {
    /// Hashes running at once (each on its own blocking thread, with 19 MiB).
    pub running: NonZeroUsize,
    /// Hashes waiting for one of those places; more are refused with [`StoreError::Busy`].
    pub queued: usize,
}

impl Default for HashingLimits {
    /// One hash per CPU, and four waiting per CPU: with hashes of about 50 ms, a queued sign-in
    /// waits at most about 200 ms.
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
        Self {
            running: cpus,
            queued: cpus.get() * 4,
        }
    }
}

/// What the hashing bound is doing, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashingStats {
    /// Hashes running now.
    pub running: usize,
    /// Hashes waiting now.
    pub queued: usize,
    /// The most hashes that ever ran at once.
    pub running_peak: usize,
    /// Hashes refused because the queue was full, since start.
    pub refused: u64,
    /// The bound on hashes running at once.
    pub running_limit: usize,
}

/// Runs argon2id hashes on the blocking pool within [`HashingLimits`]; clones share the bound.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use secrecy::SecretString;
/// use synerise_auth_store::{PasswordCheck, PasswordHashing};
///
/// let hashing = PasswordHashing::default();
/// let phc = hashing.hash(SecretString::from("correct horse battery")).await?;
/// let check = hashing.verify(SecretString::from("correct horse battery"), Some(phc)).await?;
/// assert_eq!(check, PasswordCheck::Match);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct PasswordHashing {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    limits: HashingLimits,
    /// Places for running and waiting hashes together; none free means refuse.
    admitted: Arc<Semaphore>,
    /// Places for running hashes.
    running: Arc<Semaphore>,
    now_running: AtomicUsize,
    running_peak: AtomicUsize,
    refused: AtomicU64,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self::new(HashingLimits::default())
    }
}

impl PasswordHashing {
    /// A bound of `limits`.
    #[must_use]
    pub fn new(limits: HashingLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                limits,
                admitted: Arc::new(Semaphore::new(limits.running.get() + limits.queued)),
                running: Arc::new(Semaphore::new(limits.running.get())),
                now_running: AtomicUsize::new(0),
                running_peak: AtomicUsize::new(0),
                refused: AtomicU64::new(0),
            }),
        }
    }

    /// The limits in force.
    #[must_use]
    pub fn limits(&self) -> HashingLimits {
        self.inner.limits
    }

    /// Hashes a password with argon2id at the current parameters and a fresh 16-byte salt.
    /// Returns the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), which carries its
    /// own parameters. Does not check the policy: call
    /// [`check_password_policy`](crate::check_password_policy) first.
    ///
    /// # Errors
    /// [`StoreError::Busy`] when the queue is full; [`StoreError::PasswordHashing`] or
    /// [`StoreError::Task`], neither the caller's fault.
    pub async fn hash(&self, password: SecretString) -> Result<String> {
        self.run(move || hash_now(&password)).await?
    }

    /// Verifies a password against a stored PHC string, or, when there is none (unknown
    /// account), against a dummy hash with the same parameters so that both take the same time.
    /// The comparison of the computed hash with the stored one is constant-time (argon2's
    /// `verify_password` compares with `subtle`).
    ///
    /// Passwords longer than [`MAX_PASSWORD_BYTES`] can never have been stored and are refused
    /// without hashing them.
    ///
    /// # Errors
    /// [`StoreError::Busy`] when the queue is full; [`StoreError::Corrupt`] when the stored
    /// string is not a PHC hash this code can read; [`StoreError::Task`] when the blocking task
    /// fails.
    pub async fn verify(
        &self,
        password: SecretString,
        stored_phc: Option<String>,
    ) -> Result<PasswordCheck> {
        use secrecy::ExposeSecret as _;
        if password.expose_secret().len() > MAX_PASSWORD_BYTES {
            return Ok(PasswordCheck::Mismatch);
        }
        self.run(move || match stored_phc {
            Some(phc) => verify_now(&password, &phc),
            None => verify_dummy_now(&password),
        })
        .await?
    }

    /// What the bound is doing now.
    #[must_use]
    pub fn stats(&self) -> HashingStats {
        let inner = &self.inner;
        let running = inner.now_running.load(Ordering::Relaxed);
        let admitted =
            inner.limits.running.get() + inner.limits.queued - inner.admitted.available_permits();
        HashingStats {
            running,
            queued: admitted.saturating_sub(running),
            running_peak: inner.running_peak.load(Ordering::Relaxed),
            refused: inner.refused.load(Ordering::Relaxed),
            running_limit: inner.limits.running.get(),
        }
    }

    /// Waits for a place (or refuses at once when the queue is full), then runs `work` on the
    /// blocking pool. Both places are released when `work` ends, or when this future is dropped
    /// before `work` starts.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let inner = &self.inner;
        let Ok(admitted) = Arc::clone(&inner.admitted).try_acquire_owned() else {
            inner.refused.fetch_add(1, Ordering::Relaxed);
            return Err(StoreError::Busy);
        };
        let running = Arc::clone(&inner.running)
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Task(Box::new(e)))?;
        let guard = RunningGuard::new(Arc::clone(inner), admitted, running);
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(guard);
            result
        })
        .await
        .map_err(|e| StoreError::Task(Box::new(e)))
    }
}

/// Counts one running hash while it lives, and holds its two places.
struct RunningGuard {
    inner: Arc<Inner>,
    _admitted: OwnedSemaphorePermit,
    _running: OwnedSemaphorePermit,
}

impl RunningGuard {
    fn new(
        inner: Arc<Inner>,
        admitted: OwnedSemaphorePermit,
        running: OwnedSemaphorePermit,
    ) -> Self {
        let now = inner.now_running.fetch_add(1, Ordering::Relaxed) + 1;
        inner.running_peak.fetch_max(now, Ordering::Relaxed);
        Self {
            inner,
            _admitted: admitted,
            _running: running,
        }
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.inner.now_running.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn limits(running: usize, queued: usize) -> HashingLimits {
        HashingLimits {
            running: NonZeroUsize::new(running).unwrap(),
            queued,
        }
    }

    /// Waits until `n` hashes are admitted (running or queued).
    async fn admitted(hashing: &PasswordHashing, n: usize) {
        for _ in 0..1000 {
            let stats = hashing.stats();
            if stats.running + stats.queued == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        panic!("{n} hashes were never admitted: {:?}", hashing.stats());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_queue_is_refused_at_once_and_the_bound_holds() {
        let hashing = PasswordHashing::new(limits(1, 2));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        // Three slow jobs: one runs (blocked until released), two wait.
        let jobs: Vec<_> = (0..3)
            .map(|_| {
                let hashing = hashing.clone();
                let gate = Arc::clone(&gate);
                tokio::spawn(async move {
                    hashing
                        .run(move || gate.lock().map(|g| g.recv().is_ok()).unwrap_or(false))
                        .await
                })
            })
            .collect();
        admitted(&hashing, 3).await;
        let stats = hashing.stats();
        assert_eq!((stats.running, stats.queued), (1, 2));

        // A fourth is refused at once, without waiting for a place.
        let refused = hashing.hash(SecretString::from("one too many")).await;
        assert!(matches!(refused, Err(StoreError::Busy)), "{refused:?}");
        assert_eq!(StoreError::Busy.code(), "busy");
        assert_eq!(hashing.stats().refused, 1);

        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for job in jobs {
            assert!(job.await.unwrap().unwrap());
        }
        let stats = hashing.stats();
        assert_eq!(stats.running_peak, 1, "never more than one ran at once");
        assert_eq!((stats.running, stats.queued), (0, 0));
        // Free again.
        hashing
            .hash(SecretString::from("after the crowd"))
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_that_gives_up_frees_its_place() {
        let hashing = PasswordHashing::new(limits(1, 1));
        let first = {
            let hashing = hashing.clone();
            tokio::spawn(async move { hashing.hash(SecretString::from("first password")).await })
        };
        // Let the first start, then queue a second and drop it while it waits.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let waiting = tokio::time::timeout(
            Duration::from_millis(1),
            hashing.hash(SecretString::from("second password")),
        )
        .await;
        assert!(waiting.is_err(), "the second should still be waiting");
        first.await.unwrap().unwrap();
        assert_eq!(hashing.stats().queued, 0);
        // Both places are free again: two in a row succeed.
        hashing
            .hash(SecretString::from("third password"))
            .await
            .unwrap();
        hashing
            .hash(SecretString::from("fourth password"))
            .await
            .unwrap();
        assert_eq!(hashing.stats().refused, 0);
    }

    #[test]
    fn defaults_follow_the_cpus() {
        let defaults = HashingLimits::default();
        let cpus = std::thread::available_parallelism().unwrap().get();
        assert_eq!(defaults.running.get(), cpus);
        assert_eq!(defaults.queued, cpus * 4);
    }
}
