//! Opening: a fresh file gets its schema, reopening keeps the data, bad files are refused.

use std::sync::Arc;

use synerise_auth_store::{AccountStore, SessionStore, SqliteStore};

use crate::helpers::{ABSOLUTE, IDLE, PASSWORD, T0, TestStore, email, password};

#[tokio::test]
async fn a_fresh_file_gets_the_schema() {
    let t = TestStore::new().await;
    assert!(t.path().is_file());
    assert_eq!(t.store.path(), t.path());
    assert_eq!(
        t.count("SELECT count(*) FROM _sqlx_migrations WHERE version = 1 AND success")
            .await,
        1
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' \
             AND name IN ('accounts', 'sessions')"
        )
        .await,
        2
    );
    let mut raw = t.raw().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[cfg(unix)]
#[tokio::test]
async fn the_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestStore::new().await;
    let mode = std::fs::metadata(t.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

#[tokio::test]
async fn missing_parent_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/nested/auth.db");
    let store = SqliteStore::open(&path).await.unwrap();
    assert!(AccountStore::list(&store).await.unwrap().is_empty());
    assert!(path.is_file());
}

#[tokio::test]
async fn reopening_keeps_accounts_and_sessions() {
    let t = TestStore::new().await;
    let id = t.account("ann@example.com").await;
    let (token, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    t.store.close().await;
    let path = t.path();
    drop((t.accounts, t.sessions, t.store));

    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let accounts: Arc<dyn AccountStore> = store.clone();
    let sessions: Arc<dyn SessionStore> = store;
    let list = accounts.list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].email.as_str(), "ann@example.com");
    let account = accounts
        .verify_password(&email("ann@example.com"), &password(PASSWORD))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.id, id);
    let session = sessions
        .lookup(&token, T0.plus_secs(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.account_id, id);
    drop(t.dir);
}

#[tokio::test]
async fn two_stores_on_one_file_see_each_other() {
    // The CLI's `accounts add` while `serve` runs.
    let t = TestStore::new().await;
    let cli = SqliteStore::open(t.path()).await.unwrap();
    AccountStore::create(&cli, &email("ann@example.com"), &password(PASSWORD), T0)
        .await
        .unwrap();
    assert!(
        t.accounts
            .verify_password(&email("ann@example.com"), &password(PASSWORD))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        AccountStore::remove(&cli, &email("ann@example.com"))
            .await
            .unwrap()
    );
    assert!(t.accounts.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_directory_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let err = SqliteStore::open(dir.path()).await.unwrap_err();
    assert_eq!(err.code(), "store_open_failed", "{err:?}");
}

#[tokio::test]
async fn a_file_from_a_newer_release_is_refused() {
    let t = TestStore::new().await;
    let mut raw = t.raw().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, X'00', 0)",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    drop(raw);
    t.store.close().await;
    let err = SqliteStore::open(t.path()).await.unwrap_err();
    assert_eq!(err.code(), "store_migration_failed", "{err:?}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    std::fs::write(
        &path,
        b"this is not an SQLite database, it is a plain text file",
    )
    .unwrap();
    let err = SqliteStore::open(&path).await.unwrap_err();
    assert!(
        matches!(err.code(), "store_open_failed" | "store_migration_failed"),
        "{err:?}"
    );
}
