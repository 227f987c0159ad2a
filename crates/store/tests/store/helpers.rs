//! A fresh store for each test, on either backend, and ways to look at its database behind its
//! back.
//!
//! Each test body is written once, as `async fn name(t: TestStore)`, and [`on_both_backends!`]
//! makes two tests of it: `name::sqlite` (a file in a temporary directory) and `name::postgres`
//! (a database of its own, created on the server `SYNERISE_AUTH_TEST_DATABASE_URL` names and
//! dropped after; skipped, saying so, when the variable is not set).

use std::{path::PathBuf, sync::Arc, time::Duration};

use secrecy::SecretString;
use sqlx::{
    Connection as _, PgConnection, SqliteConnection, postgres::PgConnectOptions,
    sqlite::SqliteConnectOptions,
};
use synerise_auth_store::{
    AccountId, AccountStore, PostgresOptions, PostgresStore, SessionStore, SqliteStore, Store,
};
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

/// The variable naming a PostgreSQL server (any database on it) the tests may create databases on.
pub(crate) const DATABASE_URL_VAR: &str = "SYNERISE_AUTH_TEST_DATABASE_URL";

/// Makes `name::sqlite` and `name::postgres` tests of each `async fn name(t: TestStore)`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::helpers::TestStore::sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(t) = $crate::helpers::TestStore::postgres().await {
                    super::$name(t).await;
                }
            }
        }
    )*};
}
pub(crate) use on_both_backends;

/// A store of its own for one test, through every trait.
pub(crate) struct TestStore {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) backend: Backend,
}

/// Where a test's store lives.
pub(crate) enum Backend {
    /// `auth.db` in a temporary directory.
    Sqlite(TempDir),
    /// A database of the test's own, dropped with it.
    Postgres(TestDatabase),
}

impl TestStore {
    /// A store on a fresh SQLite file.
    pub(crate) async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("auth.db")).await.unwrap();
        Self::of(Arc::new(store), Backend::Sqlite(dir))
    }

    /// A store on a fresh PostgreSQL database, or `None` (saying so) when no server is named.
    pub(crate) async fn postgres() -> Option<Self> {
        let database = TestDatabase::create().await?;
        let store = PostgresStore::connect(&database.url(), PostgresOptions::default())
            .await
            .unwrap();
        Some(Self::of(Arc::new(store), Backend::Postgres(database)))
    }

    fn of(store: Arc<dyn Store>, backend: Backend) -> Self {
        Self {
            accounts: store.clone(),
            sessions: store.clone(),
            store,
            backend,
        }
    }

    /// Whether this is the SQLite backend.
    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self.backend, Backend::Sqlite(_))
    }

    /// The SQLite file (SQLite only).
    pub(crate) fn path(&self) -> PathBuf {
        match &self.backend {
            Backend::Sqlite(dir) => dir.path().join("auth.db"),
            Backend::Postgres(_) => panic!("a PostgreSQL store has no file"),
        }
    }

    /// Another store on the same database (another process, or this one restarted), keeping
    /// the newest `kept` gate decisions when given.
    pub(crate) async fn another(&self, kept: Option<u32>) -> Arc<dyn Store> {
        match &self.backend {
            Backend::Sqlite(_) => {
                let store = SqliteStore::open(self.path()).await.unwrap();
                Arc::new(match kept {
                    Some(kept) => store.with_decisions_kept(kept),
                    None => store,
                })
            }
            Backend::Postgres(database) => {
                let store = PostgresStore::connect(&database.url(), PostgresOptions::default())
                    .await
                    .unwrap();
                Arc::new(match kept {
                    Some(kept) => store.with_decisions_kept(kept),
                    None => store,
                })
            }
        }
    }

    /// As [`another`](Self::another), its error returned.
    pub(crate) async fn try_another(&self) -> synerise_auth_store::Result<Arc<dyn Store>> {
        Ok(match &self.backend {
            Backend::Sqlite(_) => Arc::new(SqliteStore::open(self.path()).await?),
            Backend::Postgres(database) => {
                Arc::new(PostgresStore::connect(&database.url(), PostgresOptions::default()).await?)
            }
        })
    }

    /// Creates an account with [`PASSWORD`].
    pub(crate) async fn account(&self, address: &str) -> AccountId {
        self.accounts
            .create(&email(address), &password(PASSWORD), T0)
            .await
            .unwrap()
    }

    /// A second, plain connection to the same database.
    pub(crate) async fn raw(&self) -> Raw {
        match &self.backend {
            Backend::Sqlite(_) => Raw::Sqlite(
                SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(self.path()))
                    .await
                    .unwrap(),
            ),
            Backend::Postgres(database) => Raw::Postgres(database.connect().await),
        }
    }

    /// The one integer `sql` selects (placeholders are written `$1`, which both backends read).
    pub(crate) async fn count(&self, sql: &'static str) -> i64 {
        self.raw().await.integer(sql).await
    }

    /// The names of the tables in the store's database.
    pub(crate) async fn tables(&self) -> Vec<String> {
        match self.raw().await {
            Raw::Sqlite(mut conn) => {
                sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'")
                    .fetch_all(&mut conn)
                    .await
            }
            Raw::Postgres(mut conn) => {
                sqlx::query_scalar(
                    "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
                )
                .fetch_all(&mut conn)
                .await
            }
        }
        .unwrap()
    }

    /// Every byte the database holds for the tables that matter: SQLite's files (database, WAL,
    /// shared memory); on PostgreSQL, the text of every row of every table.
    pub(crate) async fn all_bytes(&self) -> Vec<u8> {
        match &self.backend {
            Backend::Sqlite(dir) => {
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(dir.path()).unwrap() {
                    bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
                }
                bytes
            }
            Backend::Postgres(database) => {
                let mut conn = database.connect().await;
                let mut bytes = Vec::new();
                for table in [
                    "accounts",
                    "sessions",
                    "failed_sign_ins",
                    "gate_decisions",
                    "gate_certificates",
                ] {
                    let sql =
                        format!("SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t");
                    let text: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                    bytes.extend(text.into_bytes());
                }
                bytes
            }
        }
    }
}

/// A plain connection to a test's database.
pub(crate) enum Raw {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Raw {
    /// The one integer `sql` selects.
    pub(crate) async fn integer(&mut self, sql: &'static str) -> i64 {
        match self {
            Self::Sqlite(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
            Self::Postgres(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
        }
    }

    /// The one text `sql` selects.
    pub(crate) async fn text(&mut self, sql: &'static str) -> String {
        match self {
            Self::Sqlite(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
            Self::Postgres(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
        }
    }

    /// The one byte string `sql` selects.
    pub(crate) async fn bytes(&mut self, sql: &'static str) -> Vec<u8> {
        match self {
            Self::Sqlite(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
            Self::Postgres(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
        }
    }

    /// Runs `sql` with `$1` bound to `text`.
    pub(crate) async fn execute_with(&mut self, sql: &'static str, text: &str) {
        match self {
            Self::Sqlite(conn) => sqlx::query(sql).bind(text).execute(conn).await.map(drop),
            Self::Postgres(conn) => sqlx::query(sql).bind(text).execute(conn).await.map(drop),
        }
        .unwrap();
    }

    /// The one text `sql` selects.
    pub(crate) async fn text_owned(&mut self, sql: String) -> String {
        let sql = sqlx::AssertSqlSafe(sql);
        match self {
            Self::Sqlite(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
            Self::Postgres(conn) => sqlx::query_scalar(sql).fetch_one(conn).await.unwrap(),
        }
    }

    /// Runs `sql`, built at run time.
    pub(crate) async fn execute_owned(&mut self, sql: String) {
        let sql = sqlx::AssertSqlSafe(sql);
        match self {
            Self::Sqlite(conn) => sqlx::query(sql).execute(conn).await.map(drop),
            Self::Postgres(conn) => sqlx::query(sql).execute(conn).await.map(drop),
        }
        .unwrap();
    }

    /// Runs `sql`.
    pub(crate) async fn execute(&mut self, sql: &'static str) {
        match self {
            Self::Sqlite(conn) => sqlx::query(sql).execute(conn).await.map(drop),
            Self::Postgres(conn) => sqlx::query(sql).execute(conn).await.map(drop),
        }
        .unwrap();
    }

    /// Takes what another writer would hold while it writes, until [`execute`](Self::execute)
    /// of `ROLLBACK`: SQLite's write lock (`BEGIN IMMEDIATE`); on PostgreSQL, every table in
    /// `EXCLUSIVE` mode (reads go on, writes wait).
    pub(crate) async fn hold_write_lock(&mut self) {
        match self {
            Self::Sqlite(_) => self.execute("BEGIN IMMEDIATE").await,
            Self::Postgres(_) => {
                self.execute("BEGIN").await;
                self.execute(
                    "LOCK TABLE accounts, sessions, failed_sign_ins, gate_decisions, \
                     gate_certificates IN EXCLUSIVE MODE",
                )
                .await;
            }
        }
    }
}

/// A database of one test's own on the server [`DATABASE_URL_VAR`] names, dropped (with any
/// connection still open to it) when this is dropped.
pub(crate) struct TestDatabase {
    server: String,
    name: String,
}

impl TestDatabase {
    /// Creates it, or says why not and answers `None` when no server is named.
    pub(crate) async fn create() -> Option<Self> {
        let Some(server) = std::env::var(DATABASE_URL_VAR)
            .ok()
            .filter(|v| !v.is_empty())
        else {
            eprintln!("SKIPPED: {DATABASE_URL_VAR} is not set (scripts/test sets it)");
            return None;
        };
        let name = format!("synerise_test_{:016x}", rand::random::<u64>());
        let mut admin = PgConnection::connect(&server).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        Some(Self { server, name })
    }

    /// Its URL.
    pub(crate) fn url(&self) -> SecretString {
        SecretString::from(with_database(&self.server, &self.name))
    }

    /// A plain connection to it.
    pub(crate) async fn connect(&self) -> PgConnection {
        let options: PgConnectOptions = with_database(&self.server, &self.name).parse().unwrap();
        PgConnection::connect_with(&options).await.unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot wait on the test's runtime: a thread of its own does.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut admin = PgConnection::connect(&server).await?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// `url` with its database (its path) replaced by `name`, its query kept.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = base[host_start..]
        .find('/')
        .map_or(base, |i| &base[..host_start + i]);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
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
