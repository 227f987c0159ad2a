//! Opening: a fresh database gets its schema, reopening keeps the data, two stores on one
//! database see each other, a schema from a newer release is refused; and, for SQLite, the
//! file's own properties.

use std::sync::Arc;

use synerise_auth_store::{AccountStore, SessionStore, SqliteStore};

use crate::helpers::{ABSOLUTE, IDLE, PASSWORD, T0, TestStore, email, on_both_backends, password};

on_both_backends!(
    a_fresh_database_gets_the_schema,
    reopening_keeps_accounts_and_sessions,
    two_stores_on_one_database_see_each_other,
    a_database_from_a_newer_release_is_refused,
);

async fn a_fresh_database_gets_the_schema(t: TestStore) {
    assert_eq!(
        t.count("SELECT count(*) FROM _sqlx_migrations WHERE version IN (1, 2, 3) AND success")
            .await,
        3
    );
    let tables = t.tables().await;
    for table in ["accounts", "sessions", "failed_sign_ins"] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
}

async fn reopening_keeps_accounts_and_sessions(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    t.store.close().await;

    let store = t.another(None).await;
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
}

/// The CLI's `accounts add` while `serve` runs; or two instances of `serve` on one database.
async fn two_stores_on_one_database_see_each_other(t: TestStore) {
    let other = t.another(None).await;
    AccountStore::create(
        other.as_ref(),
        &email("ann@example.com"),
        &password(PASSWORD),
        T0,
    )
    .await
    .unwrap();
    let ann = t
        .accounts
        .verify_password(&email("ann@example.com"), &password(PASSWORD))
        .await
        .unwrap()
        .unwrap();
    // A session made through one is found, and ended, through the other.
    let (token, _) = t.sessions.create(ann.id, T0, IDLE, ABSOLUTE).await.unwrap();
    assert!(other.lookup(&token, T0).await.unwrap().is_some());
    assert!(other.delete(&token).await.unwrap());
    assert!(t.sessions.lookup(&token, T0).await.unwrap().is_none());
    assert!(
        AccountStore::remove(other.as_ref(), &email("ann@example.com"))
            .await
            .unwrap()
    );
    assert!(t.accounts.list().await.unwrap().is_empty());
}

async fn a_database_from_a_newer_release_is_refused(t: TestStore) {
    let mut raw = t.raw().await;
    let checksum = if t.is_sqlite() {
        "X'00'"
    } else {
        "'\\x00'::BYTEA"
    };
    let sql = format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, {checksum}, 0)"
    );
    raw.execute_owned(sql).await;
    drop(raw);
    t.store.close().await;
    let err = match t.try_another().await {
        Ok(_) => panic!("a schema from a newer release was opened"),
        Err(e) => e,
    };
    assert_eq!(err.code(), "store_migration_failed", "{err:?}");
}

/// Data directories made before PostgreSQL was added must still open: the migrations SQLite
/// already applied keep their checksums (SHA-384 of each file, as sqlx records them).
#[tokio::test]
async fn the_shipped_sqlite_migrations_keep_their_checksums() {
    let t = TestStore::sqlite().await;
    let mut raw = t.raw().await;
    for (version, sha384) in [
        (
            1,
            "f677c8cd5f62ef84d46ac9e30766b3ce9d01fa35744b3beb3a653d586b9d333a99dd5ad2507571f4428e749c52243400",
        ),
        (
            2,
            "7f4e537ad1812d97c1fc6e5751c8f78267c04cc9694ef530ecf26adc8e0018dbbc3df23330ed688e24409fbc9eedd6f8",
        ),
    ] {
        let sql = format!("SELECT hex(checksum) FROM _sqlx_migrations WHERE version = {version}");
        let stored = raw.text_owned(sql).await;
        assert_eq!(stored.to_ascii_lowercase(), sha384, "migration {version}");
    }
}

#[tokio::test]
async fn an_sqlite_file_is_in_wal_mode() {
    let t = TestStore::sqlite().await;
    assert!(t.path().is_file());
    let mut raw = t.raw().await;
    assert_eq!(raw.text("PRAGMA journal_mode").await, "wal");
}

#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestStore::sqlite().await;
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
    assert_eq!(store.path(), path);
}

#[tokio::test]
async fn a_directory_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let err = SqliteStore::open(dir.path()).await.unwrap_err();
    assert_eq!(err.code(), "store_open_failed", "{err:?}");
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
