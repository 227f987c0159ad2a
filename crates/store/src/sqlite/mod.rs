//! The SQLite backend: one file in the data directory, created with its schema on first open.

mod accounts;
mod certificates;
mod decisions;
mod sessions;

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use sqlx::{
    migrate::Migrator,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};
use synerise_auth_token::Email;

use crate::{DEFAULT_DECISIONS_KEPT, HashingLimits, PasswordHashing, Result, StoreError};

/// The schema's migrations, compiled into the binary so it runs from any directory.
static MIGRATOR: Migrator = sqlx::migrate!();

/// How long a statement waits for another connection's (or process's: `accounts add` while
/// `serve` runs) write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool. WAL lets readers run beside the one writer; SQLite serialises
/// writes anyway, so a few connections suffice.
const MAX_CONNECTIONS: u32 = 4;

/// Accounts, sessions and the event gate's log in one SQLite file, in WAL mode, with foreign keys
/// on.
///
/// Implements [`AccountStore`](crate::AccountStore), [`SessionStore`](crate::SessionStore),
/// [`DecisionLog`](crate::DecisionLog) and [`CertificateHistory`](crate::CertificateHistory);
/// clones share one connection pool.
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
    pool: SqlitePool,
    path: PathBuf,
    /// How many gate decisions to keep (the newest).
    decisions_kept: u32,
    /// The bound on password hashes at once.
    hashing: PasswordHashing,
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
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across application crashes in WAL mode; only a power loss can
            // roll back the last transactions, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|e| open_error(Box::new(e)))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migration(Box::new(e)))?;
        Ok(Self {
            pool,
            path,
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
    /// [`HashingLimits::default`] (one hash per CPU, four waiting per CPU).
    #[must_use]
    pub fn with_hashing_limits(mut self, limits: HashingLimits) -> Self {
        self.hashing = PasswordHashing::new(limits);
        self
    }

    /// The bound on password hashing, shared by every clone of this store (for its
    /// [`stats`](PasswordHashing::stats)).
    #[must_use]
    pub fn hashing(&self) -> &PasswordHashing {
        &self.hashing
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, waiting for those in use to be returned. Later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
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

fn db_error(error: sqlx::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

/// An email address read back from the database (it was an [`Email`] when written).
fn stored_email(text: &str) -> Result<Email> {
    Email::from_str(text).map_err(|_| StoreError::Corrupt("a stored email address is invalid"))
}
