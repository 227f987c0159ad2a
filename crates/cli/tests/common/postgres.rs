//! A PostgreSQL database of a test's own, on the server `SYNERISE_AUTH_TEST_DATABASE_URL` names
//! (scripts/test starts a private one), dropped when the test ends.

use sqlx::Connection as _;

const DATABASE_URL_VAR: &str = "SYNERISE_AUTH_TEST_DATABASE_URL";

/// A fresh database, dropped (connections and all) when this is dropped.
pub(crate) struct TestDatabase {
    server: String,
    name: String,
    /// Its URL.
    pub(crate) url: String,
}

impl TestDatabase {
    /// `None`, said on stderr, when no server is named.
    pub(crate) fn create() -> Option<Self> {
        let Some(server) = std::env::var(DATABASE_URL_VAR)
            .ok()
            .filter(|v| !v.is_empty())
        else {
            eprintln!("SKIPPED: {DATABASE_URL_VAR} is not set (scripts/test sets it)");
            return None;
        };
        let name = format!("synerise_test_{:016x}", rand_u64());
        admin(&server, format!("CREATE DATABASE {name}"));
        let url = with_database(&server, &name);
        Some(Self { server, name, url })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        admin(
            &self.server,
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Runs one statement on the server's own database.
fn admin(server: &str, sql: String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(server).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

/// A number no other test (in this process or another) picks: std's randomly keyed hasher.
fn rand_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// `url` with its database (its path) replaced by `name`, its query kept.
fn with_database(url: &str, name: &str) -> String {
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
