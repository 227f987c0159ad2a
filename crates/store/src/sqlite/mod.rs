//! The SQLite backend: one file in the data directory, created with its schema on first open.
//! The tables are in [`crate::sql`]; this is how SQLite differs.

use std::{
    future::Future,
    path::{Path, PathBuf},
    time::Duration,
};

use sqlx::{
    Connection as _, Sqlite, SqliteConnection,
    migrate::Migrator,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{
    HashingLimits, Result, StoreError,
    sql::{Backend, Core, Dialect, Lock, SqlDb as _, Statement, dialect},
};

/// The schema's migrations, compiled into the binary so it runs from any directory.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a statement waits for another process's write lock (`accounts add` while `serve`
/// runs, or `gate` and `serve` on one data dir) before the write is refused as unavailable.
/// Writes hold the lock for a millisecond or so; anyone holding it longer is stuck.
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

/// How long a write waits for the write connection (behind other writes, or while it is being
/// opened: with `synchronous = FULL` on a disk busy with other work, opening and the first fsync
/// can take a good part of a second). With [`BUSY_TIMEOUT`], a refused write is answered within
/// about a second.
const WRITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a read waits for a read connection.
const READ_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// Read-only connections. In WAL mode each reads the last committed state without waiting for
/// the writer, so reads go on while a write is slow or refused.
const READ_CONNECTIONS: u32 = 4;

/// Accounts, sessions and the event gate's log in one SQLite file, in WAL mode, with foreign keys
/// on.
///
/// Writes go through one connection (SQLite serialises writes anyway, so writers queue in the
/// pool, for at most a short while, instead of each holding a connection while it waits for the
/// lock); reads through a few read-only connections that never wait for the writer. A write that
/// fails on a fault closes its connection, so that no state the failure left (a transaction
/// still open, a cache that cannot be trusted) outlives it: the next write gets a fresh one.
///
/// Implements [`Store`](crate::Store): [`AccountStore`](crate::AccountStore),
/// [`SessionStore`](crate::SessionStore), [`SignInLockout`](crate::SignInLockout),
/// [`DecisionLog`](crate::DecisionLog) and [`CertificateHistory`](crate::CertificateHistory);
/// clones share the connections.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::{sync::Arc, time::Duration};
/// use secrecy::SecretString;
/// use synerise_auth_store::{AccountStore, SessionStore, SqliteStore};
/// use synerise_auth_token::{Email, UnixTime};
///
/// let dir = tempfile::tempdir()?;
/// let store = Arc::new(SqliteStore::open(dir.path().join("auth.db")).await?);
/// let accounts: Arc<dyn AccountStore> = store.clone();
/// let sessions: Arc<dyn SessionStore> = store;
///
/// let email = Email::parse("customer@example.com")?;
/// let now = UnixTime::from_secs(1_700_000_000);
/// accounts.create(&email, &SecretString::from("correct horse battery"), now).await?;
///
/// let account = accounts
///     .verify_password(&email, &SecretString::from("correct horse battery"))
///     .await?
///     .expect("right password");
/// let (token, _) = sessions
///     .create(account.id, now, Duration::from_secs(1800), Duration::from_secs(86_400))
///     .await?;
/// let session = sessions.lookup(&token, now.plus_secs(60)).await?.expect("live");
/// assert_eq!(session.email, email);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// One connection for every write, read-only connections for every read.
    core: Core<Sqlite>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the database file at `path`, creating it (readable by its owner only, on Unix) and
    /// its parent directories if missing, and brings its schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Open`] when the file cannot be created or opened;
    /// [`StoreError::Migration`] when the schema cannot be migrated (for example, a file made by
    /// a newer version).
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let open_error = |source: crate::BoxError| StoreError::Open {
            path: path.clone(),
            source,
        };
        create_private_file(&path)
            .await
            .map_err(|e| open_error(Box::new(e)))?;
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let read_options = options.clone().read_only(true);
        let write_options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: every commit is flushed to the disk before it is acknowledged. NORMAL would
            // survive the process dying, but a power loss or a disk the kernel takes away
            // (remounted read-only on an I/O error) would roll back the last commits, whose
            // 201s and 202s were already sent. Writes here (sign-ups, sessions, gate decisions)
            // are few beside tokens, which write nothing.
            .synchronous(SqliteSynchronous::Full);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            // Kept open, so that the WAL and its index stay in place for the read-only
            // connections (which cannot create them).
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(WRITE_ACQUIRE_TIMEOUT)
            // A connection handed back while the driver believes it is inside a transaction (a
            // failed COMMIT that SQLite rolled back itself, so the driver's ROLLBACK failed too)
            // is closed: its next `begin` would open a SAVEPOINT, that is a real transaction
            // nobody ends, holding the write lock with every later write inside it.
            .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(write_options)
            .await
            .map_err(|e| open_error(Box::new(e)))?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Migration(Box::new(e)))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .acquire_timeout(READ_ACQUIRE_TIMEOUT)
            .connect_with(read_options)
            .await
            .map_err(|e| open_error(Box::new(e)))?;
        Ok(Self {
            core: Core::new(writer, reader),
            path,
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
    /// [`HashingLimits::default`] (one hash per CPU, four waiting per CPU).
    #[must_use]
    pub fn with_hashing_limits(mut self, limits: HashingLimits) -> Self {
        self.core.limit_hashing(limits);
        self
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Backend for SqliteStore {
    type Db = Sqlite;

    const NAME: &'static str = "sqlite";

    /// IMMEDIATE takes the write lock first: a read-then-write transaction can fail at once
    /// (SQLITE_BUSY) when another process (`serve` and `gate` on one data dir) writes between.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    /// The `email` column compares case-insensitively (`COLLATE NOCASE`), so the key (the
    /// address lower-cased) matches it; it is not stored.
    const SQL: Dialect = dialect!(
        key: "email",
        insert_account: "INSERT INTO accounts (email, password_hash, created_at) \
                         VALUES ($1, $3, $4) RETURNING id",
    );

    const FAULT: fn(&str) -> Option<&'static str> = sqlite_fault;

    fn core(&self) -> &Core<Sqlite> {
        &self.core
    }

    /// `execute` runs the statement to its end (its `RETURNING` row unread), so that no
    /// statement is still in progress when the transaction commits.
    fn insert_returning_id<'c>(
        conn: &'c mut SqliteConnection,
        insert: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<i64>> + Send + 'c {
        let done = Sqlite::execute(conn, insert);
        async move { Ok(done.await?.last_insert_rowid()) }
    }

    /// Nothing to do: every write goes through the one write connection, under `BEGIN
    /// IMMEDIATE`.
    async fn lock(_conn: &mut SqliteConnection, _lock: Lock) -> sqlx::Result<()> {
        Ok(())
    }
}

/// Creates the file before SQLite does, so that it (and the `-wal` and `-shm` files SQLite gives
/// the same mode) is readable by its owner only: it holds password hashes.
async fn create_private_file(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await.map(drop)
}

/// A driver error as a [`StoreError`]: the faults that end by themselves are
/// [`StoreError::Unavailable`].
#[cfg(test)]
fn db_error(error: sqlx::Error) -> StoreError {
    crate::sql::db_error::<SqliteStore>(error)
}

/// What an SQLite result code means when it is a fault of the moment rather than of the query:
/// its primary code (the low byte of an extended code) is busy, locked, read-only, I/O error,
/// full, cannot open, out of memory or a locking protocol error.
fn sqlite_fault(code: &str) -> Option<&'static str> {
    let primary = code.parse::<i32>().ok()? & 0xff;
    Some(match primary {
        5 => "another writer held the lock too long",
        6 => "a table is locked",
        7 => "out of memory",
        8 => "the database is read-only",
        10 => "an I/O error",
        13 => "the disk is full",
        14 => "the database file cannot be opened",
        15 => "a locking protocol error",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
