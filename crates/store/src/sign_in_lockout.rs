//! Failed sign-ins in a row per account, counted in the database so that every instance of the
//! service sharing it counts the same run: N instances allow the same number of guesses as one.

use std::fmt;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use synerise_auth_token::{Email, UnixTime};

use crate::Result;

/// Whose failures are counted: the SHA-256 of the email address tried, its ASCII letters
/// lower-cased (as accounts are matched). Unknown addresses are counted like known ones, so the
/// answer says nothing about which exist; the address itself is never stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignInKey([u8; 32]);

impl SignInKey {
    /// The key of `email`.
    ///
    /// ```
    /// use synerise_auth_store::SignInKey;
    /// use synerise_auth_token::Email;
    ///
    /// let a = SignInKey::of(&Email::parse("Ann@Example.com").unwrap());
    /// let b = SignInKey::of(&Email::parse("ann@example.com").unwrap());
    /// assert_eq!(a, b);
    /// ```
    #[must_use]
    pub fn of(email: &Email) -> Self {
        Self(Sha256::digest(email.as_str().to_ascii_lowercase().as_bytes()).into())
    }

    /// The 32 bytes stored.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SignInKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag: String = self.0.iter().take(6).map(|b| format!("{b:02x}")).collect();
        write!(f, "SignInKey({tag}..)")
    }
}

/// When failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// The failure in a row that locks the account (at least 1).
    pub limit: u32,
    /// How long the lock lasts, in seconds.
    pub lock_secs: i64,
}

/// Failed sign-ins in a row per [`SignInKey`], and the lock the limit-th one sets.
///
/// Semantics, the same in every backend: a failure adds one to the run (a run whose lock has
/// ended starts again at one); the failure that brings the run to the policy's limit locks the
/// key until `now + lock_secs` (a failure counted while locked, from a check that raced the
/// lock, locks it afresh); a success clears the run.
#[async_trait]
pub trait SignInLockout: Send + Sync + fmt::Debug {
    /// Until when `key` is locked, when it is locked at `now`.
    async fn locked_until(&self, key: &SignInKey, now: UnixTime) -> Result<Option<UnixTime>>;

    /// Counts one failure for `key` at `now`, committed before it returns; until when the key
    /// is now locked, when this failure reached `policy.limit`.
    async fn record_failure(
        &self,
        key: &SignInKey,
        now: UnixTime,
        policy: LockoutPolicy,
    ) -> Result<Option<UnixTime>>;

    /// Ends the run of failures of `key` (a successful sign-in).
    async fn clear_failures(&self, key: &SignInKey) -> Result<()>;

    /// Forgets runs that no longer matter: every lock that has ended at `now`, and, beyond the
    /// newest `kept` runs that are not locked, the older ones (so the table stays bounded
    /// however many addresses are tried). Locks in force are never forgotten. The runs deleted.
    async fn purge_failed_sign_ins(&self, now: UnixTime, kept: u32) -> Result<u64>;
}
