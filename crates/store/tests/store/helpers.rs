//! A fresh store in a temporary directory, and ways to look at the file behind its back.

use std::{path::PathBuf, sync::Arc, time::Duration};

use secrecy::SecretString;
use sqlx::{Connection, SqliteConnection, sqlite::SqliteConnectOptions};
use synerise_auth_store::{AccountId, AccountStore, SessionStore, SqliteStore};
use synerise_auth_token::{Email, UnixTime};
use tempfile::TempDir;

/// A password that passes the policy.
pub(crate) const PASSWORD: &str = "correct horse battery";
/// A fixed "now".
pub(crate) const T0: UnixTime = UnixTime::from_secs(1_700_000_000);
/// 30 minutes.
pub(crate) const IDLE: Duration = Duration::from_secs(1800);
/// A day.
pub(crate) const ABSOLUTE: Duration = Duration::from_secs(86_400);

pub(crate) struct TestStore {
    pub(crate) dir: TempDir,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) store: Arc<SqliteStore>,
}

impl TestStore {
    pub(crate) async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("auth.db")).await.unwrap());
        Self {
            dir,
            accounts: store.clone(),
            sessions: store.clone(),
            store,
        }
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().join("auth.db")
    }

    /// Creates an account with [`PASSWORD`].
    pub(crate) async fn account(&self, address: &str) -> AccountId {
        self.accounts
            .create(&email(address), &password(PASSWORD), T0)
            .await
            .unwrap()
    }

    /// A second, plain connection to the same file.
    pub(crate) async fn raw(&self) -> SqliteConnection {
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(self.path()))
            .await
            .unwrap()
    }

    pub(crate) async fn count(&self, sql: &'static str) -> i64 {
        let mut raw = self.raw().await;
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut raw)
            .await
            .unwrap()
    }

    /// Every byte of every file in the directory (the database, its WAL and shared memory).
    pub(crate) fn all_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        bytes
    }
}

pub(crate) fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

pub(crate) fn password(text: &str) -> SecretString {
    SecretString::from(text)
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
