//! The PostgreSQL backend: one database that several instances of the service share, its schema
//! brought up to date when the store connects. The tables are in [`crate::sql`]; this is how
//! PostgreSQL differs.

use std::{future::Future, str::FromStr, time::Duration};

use secrecy::{ExposeSecret as _, SecretString};
use sqlx::{
    PgConnection, Postgres,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::{
    HashingLimits, Result, StoreError,
    sql::{Backend, Core, Dialect, Lock, SqlDb as _, Statement, dialect},
};

/// The schema's migrations, compiled into the binary so it runs from any directory.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a statement waits for a lock another transaction holds (a row or table lock, the
/// advisory lock the gate's log is written under) before it is refused as unavailable, as
/// SQLite's busy timeout does. Writes hold their locks for a millisecond or so.
const LOCK_TIMEOUT: &str = "500ms";

/// The longest any one statement may run; past it the database cancels it (unavailable).
const STATEMENT_TIMEOUT: &str = "5s";

/// The keys of the advisory locks (for the transaction only) that stand for each [`Lock`].
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
    /// One pool, for writes and reads.
    core: Core<Postgres>,
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
            core: Core::new(pool.clone(), pool),
        })
    }

    /// The same store, keeping the newest `kept` gate decisions (at least 1) instead of
    /// [`DEFAULT_DECISIONS_KEPT`](crate::DEFAULT_DECISIONS_KEPT). Older ones are deleted as
    /// new ones are recorded.
    #[must_use]
    pub fn with_decisions_kept(mut self, kept: u32) -> Self {
        self.core.keep_decisions(kept);
        self
    }

    /// The same store, hashing passwords within `limits` instead of
    /// [`HashingLimits::default`].
    #[must_use]
    pub fn with_hashing_limits(mut self, limits: HashingLimits) -> Self {
        self.core.limit_hashing(limits);
        self
    }
}

impl Backend for PostgresStore {
    type Db = Postgres;

    const NAME: &'static str = "postgres";

    /// Row locks and the advisory locks ([`Backend::lock`]) order the writes.
    const BEGIN_WRITE: &'static str = "BEGIN";

    /// Accounts are matched on `email_key`, the address lower-cased, under a unique index.
    const SQL: Dialect = dialect!(
        key: "email_key",
        insert_account: "INSERT INTO accounts (email, email_key, password_hash, created_at) \
                         VALUES ($1, $2, $3, $4) RETURNING id",
    );

    const FAULT: fn(&str) -> Option<&'static str> = postgres_fault;

    fn core(&self) -> &Core<Postgres> {
        &self.core
    }

    fn insert_returning_id<'c>(
        conn: &'c mut PgConnection,
        insert: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<i64>> + Send + 'c {
        let inserted = Postgres::fetch_one(conn, insert);
        async move { Postgres::get(&inserted.await?, 0) }
    }

    /// The transaction-scoped advisory lock for `lock`, waited for at most [`LOCK_TIMEOUT`].
    async fn lock(conn: &mut PgConnection, lock: Lock) -> sqlx::Result<()> {
        let key = match lock {
            Lock::Decisions => DECISIONS_LOCK,
            Lock::Certificates => CERTIFICATES_LOCK,
        };
        advisory_lock(conn, key).await
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

#[cfg(test)]
mod tests;
