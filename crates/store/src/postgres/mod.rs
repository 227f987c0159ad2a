//! The PostgreSQL backend: one database that several instances of the service share, its schema
//! brought up to date when the store connects.

mod accounts;
mod certificates;
mod decisions;
mod lockout;
mod sessions;

use std::{str::FromStr, time::Duration};

use secrecy::{ExposeSecret as _, SecretString};
use sqlx::{
    PgConnection, Postgres,
    error::ErrorKind,
    migrate::Migrator,
    pool::PoolConnection,
    postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions},
    query::Query,
};
use synerise_auth_token::Email;

use crate::{DEFAULT_DECISIONS_KEPT, HashingLimits, PasswordHashing, Result, StoreError, fault};

/// The schema's migrations, compiled into the binary so it runs from any directory.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a statement waits for a lock another transaction holds (a row or table lock, the
/// advisory lock the gate's log is written under) before it is refused as unavailable, as
/// SQLite's busy timeout does. Writes hold their locks for a millisecond or so.
const LOCK_TIMEOUT: &str = "500ms";

/// The longest any one statement may run; past it the database cancels it (unavailable).
const STATEMENT_TIMEOUT: &str = "5s";

/// The advisory locks writes that must follow one another take (for the transaction only).
/// Decisions: ids must become visible in the order they were handed out, or a reader asking
/// for `id > n` could miss one committed late; certificates: the check-then-insert must not
/// race another instance starting at the same moment.
const DECISIONS_LOCK: i64 = 0x5359_4e41_0001;
const CERTIFICATES_LOCK: i64 = 0x5359_4e41_0002;

/// The bounds of the connection pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Connections open at most (each instance of the service has its own pool: the database
    /// must allow the sum).
    pub max_connections: u32,
    /// How long a query waits for a free connection (or for one to be opened) before it is
    /// refused as [`StoreError::Unavailable`].
    pub acquire_timeout: Duration,
}

impl Default for PostgresOptions {
    /// 10 connections, one second's wait.
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(1),
        }
    }
}

/// Accounts, sessions, the sign-in lockout and the event gate's log in a PostgreSQL database,
/// through a bounded pool of connections.
///
/// Every write commits before it returns; a statement that fails on a fault (a lost connection,
/// a database that is down or shutting down, a serialization failure, a lock held past
/// [`LOCK_TIMEOUT`]) is [`StoreError::Unavailable`] and closes its connection, and the pool opens
/// fresh ones when the database answers again: the store recovers by itself. Several stores
/// (several instances of the service) on one database see each other's writes at once.
///
/// Implements [`Store`](crate::Store); clones share the pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// How many gate decisions to keep (the newest).
    decisions_kept: u32,
    /// The bound on password hashes at once.
    hashing: PasswordHashing,
}

impl PostgresStore {
    /// Connects to the database `url` names (`postgres://user:password@host:port/database`),
    /// with at most `options.max_connections`, and brings its schema up to date (one instance at
    /// a time, when several start together).
    ///
    /// # Errors
    /// [`StoreError::Connect`] when the URL is not one, or the server cannot be reached or
    /// refuses it (no message repeats the URL); [`StoreError::Migration`] when the schema cannot
    /// be migrated (for example, a database a newer version migrated).
    pub async fn connect(url: &SecretString, options: PostgresOptions) -> Result<Self> {
        let connect_options = PgConnectOptions::from_str(url.expose_secret())
            .map_err(|e| StoreError::Connect(Box::new(e)))?
            .application_name("synerise-auth")
            .options([
                ("lock_timeout", LOCK_TIMEOUT),
                ("statement_timeout", STATEMENT_TIMEOUT),
            ]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect_options)
            .await
            .map_err(|e| StoreError::Connect(Box::new(e)))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migration(Box::new(e)))?;
        Ok(Self {
            pool,
            decisions_kept: DEFAULT_DECISIONS_KEPT,
            hashing: PasswordHashing::default(),
        })
    }

    /// The same store, keeping the newest `kept` gate decisions (at least 1) instead of
    /// [`DEFAULT_DECISIONS_KEPT`]. Older ones are deleted as new ones are recorded.
    #[must_use]
    pub fn with_decisions_kept(mut self, kept: u32) -> Self {
        self.decisions_kept = kept.max(1);
        self
    }

    /// The same store, hashing passwords within `limits` instead of
    /// [`HashingLimits::default`].
    #[must_use]
    pub fn with_hashing_limits(mut self, limits: HashingLimits) -> Self {
        self.hashing = PasswordHashing::new(limits);
        self
    }

    /// The bound on password hashing, shared by every clone of this store.
    #[must_use]
    pub fn hashing(&self) -> &PasswordHashing {
        &self.hashing
    }

    /// Closes every connection, waiting for those in use to be returned. Later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A connection for a write, waited for at most the pool's acquire timeout. Hand every
    /// result obtained on it to [`retire_on_fault`].
    async fn connection(&self) -> Result<PoolConnection<Postgres>> {
        self.pool.acquire().await.map_err(db_error)
    }

    /// Runs one writing statement (autocommit); the rows it changed.
    async fn write(&self, statement: Query<'_, Postgres, PgArguments>) -> Result<u64> {
        let mut conn = self.connection().await?;
        let done = statement.execute(&mut *conn).await;
        retire_on_fault(&mut conn, done)
            .map(|done| done.rows_affected())
            .map_err(db_error)
    }
}

#[async_trait::async_trait]
impl crate::Store for PostgresStore {
    fn hashing(&self) -> &PasswordHashing {
        &self.hashing
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn close(&self) {
        Self::close(self).await;
    }
}

/// Takes the transaction-scoped advisory lock `key` (released at commit or rollback), waiting
/// at most [`LOCK_TIMEOUT`].
async fn advisory_lock(conn: &mut PgConnection, key: i64) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(conn)
        .await
        .map(drop)
}

/// `result`, unchanged; when it is a failure other than a constraint refusing the data (a unique
/// email), `conn` is closed instead of returned to the pool: after a lost connection or a
/// failed commit nothing it holds can be trusted, and a fresh one costs little.
fn retire_on_fault<T>(
    conn: &mut PoolConnection<Postgres>,
    result: std::result::Result<T, sqlx::Error>,
) -> std::result::Result<T, sqlx::Error> {
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
fn db_error(error: sqlx::Error) -> StoreError {
    fault::classify(error, postgres_fault)
}

/// What a PostgreSQL SQLSTATE means when it is a fault of the moment rather than of the query:
/// a connection exception (class 08), a serialization failure or deadlock (40001, 40P01), a lock
/// not granted in time (55P03), a statement cancelled by its timeout (57014), a server shutting
/// down, restarting or terminating the connection (57P01..57P05), insufficient resources (class
/// 53: disk full, out of memory, too many connections), a system or I/O error (class 58), a
/// read-only server (25006: a standby).
fn postgres_fault(code: &str) -> Option<&'static str> {
    Some(match code {
        "40001" => "a concurrent write conflicted (serialization failure)",
        "40P01" => "a deadlock with another writer",
        "55P03" => "another writer held the lock too long",
        "57014" => "a statement took too long",
        "57P01" | "57P02" | "57P05" => "the database ended the connection",
        "57P03" => "the database is starting up or shutting down",
        "53100" => "the disk is full",
        "53200" => "the database is out of memory",
        "53300" => "the database has no connection free",
        "25006" => "the database is read-only",
        _ if code.starts_with("08") => "the database connection failed",
        _ if code.starts_with("53") => "the database lacks resources",
        _ if code.starts_with("58") => "an I/O error",
        _ => return None,
    })
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

#[cfg(test)]
mod tests;
