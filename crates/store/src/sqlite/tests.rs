//! Sorting real SQLite errors into faults and the rest.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sqlx::{Connection as _, SqliteConnection, sqlite::SqliteConnectOptions};

use super::{db_error, sqlite_fault};
use crate::{Store as _, StoreError};

fn reason(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::Unavailable { reason, .. } => Some(reason),
        _ => None,
    }
}

#[tokio::test]
async fn a_write_on_a_read_only_database_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let store = super::SqliteStore::open(&path).await.unwrap();
    let mut read_only = SqliteConnection::connect_with(
        &SqliteConnectOptions::new().filename(&path).read_only(true),
    )
    .await
    .unwrap();
    let error = sqlx::query(
        "INSERT INTO accounts (email, password_hash, created_at) VALUES ('a@b.c', 'x', 0)",
    )
    .execute(&mut read_only)
    .await
    .unwrap_err();
    let error = db_error(error);
    assert_eq!(error.code(), "storage_unavailable", "{error:?}");
    assert_eq!(reason(&error), Some("the database is read-only"));
    store.close().await;
}

#[tokio::test]
async fn a_file_that_cannot_be_opened_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let error = SqliteConnection::connect_with(
        &SqliteConnectOptions::new().filename(dir.path().join("missing/auth.db")),
    )
    .await
    .unwrap_err();
    let error = db_error(error);
    assert_eq!(
        reason(&error),
        Some("the database file cannot be opened"),
        "{error:?}"
    );
}

#[tokio::test]
async fn mistakes_in_a_query_and_refused_data_are_not_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(dir.path().join("t.db"))
            .create_if_missing(true),
    )
    .await
    .unwrap();
    let syntax = sqlx::query("SELEKT 1")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert_eq!(db_error(syntax).code(), "store_database_error");
    sqlx::query("CREATE TABLE t (x INTEGER UNIQUE)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut conn)
        .await
        .unwrap();
    let unique = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert_eq!(db_error(unique).code(), "store_database_error");
}

#[test]
fn pool_and_connection_failures_are_unavailable() {
    for error in [
        sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed,
        sqlx::Error::WorkerCrashed,
        sqlx::Error::Io(std::io::Error::other("EIO")),
    ] {
        let error = db_error(error);
        assert_eq!(error.code(), "storage_unavailable", "{error:?}");
        assert!(error.is_unavailable());
    }
    assert!(!db_error(sqlx::Error::RowNotFound).is_unavailable());
}

#[test]
fn extended_codes_are_read_by_their_primary_code() {
    // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE, SQLITE_READONLY_DBMOVED,
    // SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_FULL, SQLITE_CANTOPEN_ISDIR.
    for code in ["5", "517", "262", "1032", "778", "1034", "13", "526"] {
        assert!(sqlite_fault(code).is_some(), "{code}");
    }
    // SQLITE_ERROR, SQLITE_CONSTRAINT_UNIQUE, SQLITE_CORRUPT, SQLITE_MISMATCH, not a number.
    for code in ["1", "2067", "11", "20", ""] {
        assert!(sqlite_fault(code).is_none(), "{code}");
    }
}
