//! Customer accounts and server-side sessions for synerise-auth.
//!
//! Storage sits behind two small async traits, [`AccountStore`] and [`SessionStore`], used as
//! `Arc<dyn AccountStore>` and `Arc<dyn SessionStore>`, so another database can be added without
//! touching the HTTP layer. [`SqliteStore`] implements them on one SQLite file, and
//! [`PostgresStore`] on a PostgreSQL database that several instances of the service can share;
//! both with embedded, versioned migrations (`migrations/sqlite`, `migrations/postgres`) applied
//! when the store opens. [`Store`] is all of the traits at once.
//!
//! - Passwords: a policy ([`check_password_policy`]: at least [`MIN_PASSWORD_CHARS`] characters,
//!   at most [`MAX_PASSWORD_BYTES`] bytes) and argon2id at OWASP's parameters (19 MiB, 2 passes,
//!   1 lane), hashed off the async threads within a bound ([`PasswordHashing`]: a few at once, a
//!   short queue, [`StoreError::Busy`] beyond it); unknown accounts are checked against a dummy hash so
//!   that sign-in failures take the same time whatever their cause.
//! - Sessions: a 256-bit random [`SessionToken`] handed to the caller once; only its SHA-256 is
//!   stored. Idle and absolute expiry; `last_seen` slides at most once a minute.
//! - Time is a parameter ([`UnixTime`](synerise_auth_token::UnixTime)): nothing here reads the
//!   clock.
//! - The event gate's log: [`DecisionLog`] keeps every decision (the newest
//!   [`DEFAULT_DECISIONS_KEPT`]) and lists them newest first; [`CertificateHistory`] remembers the
//!   certificates the gate was given, so a replaced one can be named.
//! - Failed sign-ins in a row ([`SignInLockout`]) are counted in the database, so that every
//!   instance sharing it counts the same run.
//! - One error type, [`StoreError`], with a stable [`code`](StoreError::code) per variant. A
//!   fault of the database (disk full, read-only, locked past a short wait, I/O error, no
//!   connection free, a lost connection or a database that is down, a serialization failure)
//!   is [`StoreError::Unavailable`], answered within about a second, and
//!   nothing refused is kept: an `Ok` from a write means it is committed.
//!
//! See [`SqliteStore`] for an example.

mod account;
mod error;
mod fault;
mod gate_log;
mod hashing;
mod password;
mod postgres;
mod session;
mod sign_in_lockout;
mod sql;
mod sqlite;
mod store;

pub use account::{Account, AccountId, AccountStore, AccountSummary};
pub use error::{BoxError, Result, StoreError};
pub use gate_log::{
    CERTIFICATES_KEPT, CertificateHistory, DEFAULT_DECISIONS_KEPT, DecisionId, DecisionLog,
    DecisionQuery, DecisionRecord, LoggedDecision, MAX_DECISIONS_LISTED, PRUNED_PER_DECISION,
    RegisteredCertificate,
};
pub use hashing::{HashingLimits, HashingStats, PasswordHashing};
pub use password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordCheck, check_password_policy};
pub use postgres::{PostgresOptions, PostgresStore};
pub use session::{
    Session, SessionStore, SessionToken, SessionTokenHash, session_ttl_secs, touch_interval_secs,
};
pub use sign_in_lockout::{LockoutPolicy, SignInKey, SignInLockout};
pub use sqlite::SqliteStore;
pub use store::Store;
