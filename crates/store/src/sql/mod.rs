//! The tables, written once for SQLite and PostgreSQL.
//!
//! Every trait of the store ([`AccountStore`](crate::AccountStore),
//! [`SessionStore`](crate::SessionStore), [`SignInLockout`](crate::SignInLockout),
//! [`DecisionLog`](crate::DecisionLog), [`CertificateHistory`](crate::CertificateHistory),
//! [`Store`](crate::Store)) is implemented here once, for any [`Backend`]: its statements, its
//! transactions and how its faults are sorted. A backend (`crate::sqlite`, `crate::postgres`)
//! supplies only what truly differs: how it connects and which pools it writes and reads
//! through (SQLite's single writer), how a write transaction begins (SQLite's `BEGIN
//! IMMEDIATE`), the advisory locks that stand in for SQLite's single writer on PostgreSQL, how an
//! inserted row's id is read (`last_insert_rowid` or `RETURNING`), which error codes are faults,
//! and the few statements on the case-insensitive email address ([`Dialect`]).
//!
//! Why generic code over `sqlx::Database` rather than the alternatives: sqlx's `Any` driver
//! builds connections only from a URL (losing SQLite's busy timeout, read-only pool and
//! `synchronous = FULL`, set through typed options here) and converts every value at run time;
//! a query builder (sea-query) would rewrite statements that are already portable (both
//! databases read `$n` placeholders, `CAST`, `ON CONFLICT`, `RETURNING`), add a dependency whose
//! sqlx binder has to follow sqlx's releases, and still leave the differences above to code.
//! Generic functions keep plain SQL, checked by the same tests on both databases, with the
//! per-backend part a small trait impl.

mod accounts;
mod certificates;
mod db;
mod decisions;
mod lockout;
mod sessions;

use std::{future::Future, str::FromStr};

use async_trait::async_trait;
use sqlx::{Connection as _, Database, Pool, Transaction, error::ErrorKind, pool::PoolConnection};
use synerise_auth_token::Email;

pub(crate) use db::{SqlDb, Statement};

use crate::{DEFAULT_DECISIONS_KEPT, HashingLimits, PasswordHashing, Result, StoreError, fault};

/// A connection of backend `B`'s database.
pub(crate) type Conn<B> = <<B as Backend>::Db as Database>::Connection;

/// What differs between the databases the store runs on (see the module's documentation).
pub(crate) trait Backend: Send + Sync + std::fmt::Debug + 'static {
    /// The sqlx database.
    type Db: SqlDb;

    /// Which database this is, for logs.
    const NAME: &'static str;

    /// The statement that begins a write transaction.
    const BEGIN_WRITE: &'static str;

    /// The statements that differ ([`dialect!`]).
    const SQL: Dialect;

    /// A few words saying what the database's error `code` means when it is a fault of the
    /// moment rather than of the query (the disk is full, the lock was held too long); `None`
    /// otherwise.
    const FAULT: fn(&str) -> Option<&'static str>;

    /// The pools and settings.
    fn core(&self) -> &Core<Self::Db>;

    /// Runs `insert` (an `INSERT ... RETURNING id`, inside a transaction) to its end; the id of
    /// the row it inserted.
    fn insert_returning_id<'c>(
        conn: &'c mut Conn<Self>,
        insert: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<i64>> + Send + 'c;

    /// Makes the writes under `lock` follow one another until the transaction on `conn` ends
    /// (a backend whose writes already do so does nothing).
    fn lock<'c>(
        conn: &'c mut Conn<Self>,
        lock: Lock,
    ) -> impl Future<Output = sqlx::Result<()>> + Send + 'c;
}

/// Statements on accounts by email address, which the databases match differently: SQLite by a
/// `NOCASE` column, PostgreSQL by a lower-cased `email_key` column. Each takes the address's
/// key ([`email_key`]) where it matches one. Made by [`dialect!`].
#[derive(Debug)]
pub(crate) struct Dialect {
    /// Inserts an account: `$1` the email address, `$2` its key, `$3` the password hash, `$4`
    /// when; `RETURNING id`.
    pub(crate) insert_account: &'static str,
    /// `id, email, password_hash, created_at` of the account whose key is `$1`.
    pub(crate) account_by_email: &'static str,
    /// `email, created_at` of every account, in the order of their keys.
    pub(crate) list_accounts: &'static str,
    /// Deletes the sessions of the account whose key is `$1`.
    pub(crate) delete_account_sessions: &'static str,
    /// Deletes the account whose key is `$1`.
    pub(crate) delete_account: &'static str,
}

/// The [`Dialect`] of a database that matches accounts on the column `key` (a literal) and
/// inserts them with `insert_account`: the statements are written here once.
macro_rules! dialect {
    (key: $key:literal, insert_account: $insert:literal $(,)?) => {
        $crate::sql::Dialect {
            insert_account: $insert,
            account_by_email: concat!(
                "SELECT id, email, password_hash, created_at FROM accounts WHERE ",
                $key,
                " = $1"
            ),
            list_accounts: concat!(
                "SELECT email, created_at FROM accounts ORDER BY ",
                $key,
                ", id"
            ),
            delete_account_sessions: concat!(
                "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE ",
                $key,
                " = $1)"
            ),
            delete_account: concat!("DELETE FROM accounts WHERE ", $key, " = $1"),
        }
    };
}
pub(crate) use dialect;

/// Writes that must follow one another on a database several writers share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Recording a gate decision: ids must become visible in the order they were handed out, or
    /// a reader asking for `id > n` could miss one committed late.
    Decisions,
    /// Registering a certificate: the check-then-insert must not race another instance starting
    /// at the same moment.
    Certificates,
}

/// What every store holds: the pool writes go through and the pool reads go through (the same
/// pool on PostgreSQL; SQLite's one writer and its read-only connections), and the settings.
#[derive(Debug)]
pub(crate) struct Core<DB: Database> {
    pub(crate) writer: Pool<DB>,
    pub(crate) reader: Pool<DB>,
    /// How many gate decisions to keep (the newest).
    pub(crate) decisions_kept: u32,
    /// The bound on password hashes at once.
    pub(crate) hashing: PasswordHashing,
}

// By hand: the derive would ask for `DB: Clone`, which the database types are not.
impl<DB: Database> Clone for Core<DB> {
    fn clone(&self) -> Self {
        Self {
            writer: self.writer.clone(),
            reader: self.reader.clone(),
            decisions_kept: self.decisions_kept,
            hashing: self.hashing.clone(),
        }
    }
}

impl<DB: Database> Core<DB> {
    /// The pools, keeping [`DEFAULT_DECISIONS_KEPT`] decisions and hashing within
    /// [`HashingLimits::default`].
    pub(crate) fn new(writer: Pool<DB>, reader: Pool<DB>) -> Self {
        Self {
            writer,
            reader,
            decisions_kept: DEFAULT_DECISIONS_KEPT,
            hashing: PasswordHashing::default(),
        }
    }

    /// Keeps the newest `kept` gate decisions (at least 1).
    pub(crate) fn keep_decisions(&mut self, kept: u32) {
        self.decisions_kept = kept.max(1);
    }

    /// Hashes passwords within `limits`.
    pub(crate) fn limit_hashing(&mut self, limits: HashingLimits) {
        self.hashing = PasswordHashing::new(limits);
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub(crate) async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl<B: Backend> crate::Store for B {
    fn hashing(&self) -> &PasswordHashing {
        &self.core().hashing
    }

    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn close(&self) {
        self.core().close().await;
    }
}

/// A connection for a write, waited for at most the pool's acquire timeout. Hand every result
/// obtained on it to [`retire_on_fault`].
async fn write_connection<B: Backend>(backend: &B) -> Result<PoolConnection<B::Db>> {
    backend.core().writer.acquire().await.map_err(db_error::<B>)
}

/// Begins a write transaction on `conn`.
async fn begin_write<B: Backend>(conn: &mut Conn<B>) -> sqlx::Result<Transaction<'_, B::Db>> {
    conn.begin_with(B::BEGIN_WRITE).await
}

/// Runs one writing statement on a write connection (autocommit); the rows it changed.
async fn write<B: Backend>(backend: &B, statement: Statement<'_>) -> Result<u64> {
    let mut conn = write_connection(backend).await?;
    let done = B::Db::execute(&mut conn, statement).await;
    retire_on_fault(&mut conn, done)
        .map(|done| B::Db::rows_affected(&done))
        .map_err(db_error::<B>)
}

/// `result`, unchanged; when it is a failure other than a constraint refusing the data (a unique
/// email), `conn` is closed instead of returned to the pool. After a lost connection or a failed
/// commit nothing it holds can be trusted (SQLite may have rolled the transaction back behind
/// the driver's back, or kept it open holding the write lock); a fresh one has neither problem.
fn retire_on_fault<DB: Database, T>(
    conn: &mut PoolConnection<DB>,
    result: sqlx::Result<T>,
) -> sqlx::Result<T> {
    if let Err(error) = &result {
        let refused_data =
            matches!(error, sqlx::Error::Database(e) if e.kind() != ErrorKind::Other);
        if !refused_data {
            conn.close_on_drop();
        }
    }
    result
}

/// A driver error as a [`StoreError`]: the faults that end by themselves are
/// [`StoreError::Unavailable`].
pub(crate) fn db_error<B: Backend>(error: sqlx::Error) -> StoreError {
    fault::classify(error, B::FAULT)
}

/// An email address as accounts are matched: its ASCII letters lower-cased, as SQLite's NOCASE
/// compares (so both backends agree on which addresses are the same).
fn email_key(email: &Email) -> String {
    email.as_str().to_ascii_lowercase()
}

/// An email address read back from the database (it was an [`Email`] when written).
fn stored_email(text: &str) -> Result<Email> {
    Email::from_str(text).map_err(|_| StoreError::Corrupt("a stored email address is invalid"))
}
