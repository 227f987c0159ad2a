//! Opening the store the settings name: SQLite in the data directory unless `[database] url`
//! names a PostgreSQL database (which several instances can share).

use std::{path::Path, sync::Arc};

use anyhow::Context as _;
use synerise_auth_store::{HashingLimits, PostgresStore, SqliteStore, Store};

use crate::{
    config::{DATABASE_FILE, DatabaseSettings, redacted_database_url},
    files::ensure_dir,
};

/// Opens (and migrates) the store `database` names, hashing passwords within `hashing`.
///
/// # Errors
/// A message saying what failed: the SQLite file cannot be opened, the PostgreSQL server
/// cannot be reached or refuses the connection, the schema cannot be migrated. The URL's
/// password is never part of it.
pub async fn open_store(
    database: &DatabaseSettings,
    data_dir: &Path,
    hashing: HashingLimits,
) -> anyhow::Result<Arc<dyn Store>> {
    match database {
        DatabaseSettings::Sqlite => {
            ensure_dir(data_dir)?;
            let path = data_dir.join(DATABASE_FILE);
            let store = SqliteStore::open(&path)
                .await
                .with_context(|| format!("cannot open {}", path.display()))?;
            tracing::info!(database = %path.display(), "store: SQLite");
            Ok(Arc::new(store.with_hashing_limits(hashing)))
        }
        DatabaseSettings::Postgres { url, pool } => {
            let shown = redacted_database_url(url.expose_secret());
            let store = PostgresStore::connect(
                &secrecy::SecretString::from(url.expose_secret().to_owned()),
                *pool,
            )
            .await
            .with_context(|| format!("cannot open the PostgreSQL store at {shown}"))?;
            tracing::info!(
                database = %shown,
                max_connections = pool.max_connections,
                "store: PostgreSQL"
            );
            Ok(Arc::new(store.with_hashing_limits(hashing)))
        }
    }
}
