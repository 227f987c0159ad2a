//! Everything the service keeps, behind one trait object, whichever database holds it.

use async_trait::async_trait;

use crate::{
    AccountStore, CertificateHistory, DecisionLog, PasswordHashing, SessionStore, SignInLockout,
};

/// A whole store: accounts, sessions, the sign-in lockout and the event gate's log, on one
/// database. [`SqliteStore`](crate::SqliteStore) and [`PostgresStore`](crate::PostgresStore)
/// implement it, so the service picks one at start-up and uses it as `Arc<dyn Store>` (which
/// coerces to each of the narrower traits).
#[async_trait]
pub trait Store:
    AccountStore + SessionStore + SignInLockout + DecisionLog + CertificateHistory
{
    /// The bound on password hashing (for its [`stats`](PasswordHashing::stats)).
    fn hashing(&self) -> &PasswordHashing;

    /// Which database this is, for logs: `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Closes every connection, waiting for those in use to be returned. Later calls fail.
    async fn close(&self);
}
