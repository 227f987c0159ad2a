//! `[database]`: where accounts, sessions, the sign-in lockout and the gate's log are kept.
//! Without a URL, SQLite in the data directory; with a `postgres://` URL, that PostgreSQL
//! database, which several instances of the service can share.

use std::{fmt, time::Duration};

use synerise_auth_store::PostgresOptions;

use super::{Secret, SettingsError, declare::declare_layer, values::HumanDuration};

declare_layer! {
    /// `[database]`: the store's database and its pool.
    pub struct DatabaseLayer in "database" {
        url: Secret, default "none: SQLite in `DATA_DIR/synerise-auth.db`",
            "a `postgres://user:password@host:port/database` URL to keep everything in PostgreSQL, shared by every instance given it (secret: never logged)";
        max_connections: u32, default "`10`",
            "PostgreSQL only: connections this instance opens at most (the server must allow the sum over instances)";
        acquire_timeout: HumanDuration, default "`1s`",
            "PostgreSQL only: how long a request waits for a free connection; then 503 `storage_unavailable` with `Retry-After`";
    }
}

/// Which database the store is in.
#[derive(Clone, Default)]
pub enum DatabaseSettings {
    /// SQLite, in the data directory.
    #[default]
    Sqlite,
    /// PostgreSQL at this URL, through a pool with these bounds.
    Postgres {
        /// The URL (it may hold a password).
        url: Secret,
        /// The pool's bounds.
        pool: PostgresOptions,
    },
}

impl DatabaseSettings {
    /// PostgreSQL at `url` with the default pool.
    #[must_use]
    pub fn postgres(url: impl Into<String>) -> Self {
        Self::Postgres {
            url: Secret::new(url),
            pool: PostgresOptions::default(),
        }
    }
}

impl PartialEq for DatabaseSettings {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        match (self, other) {
            (Self::Sqlite, Self::Sqlite) => true,
            (Self::Postgres { url: a, pool: p }, Self::Postgres { url: b, pool: q }) => {
                p == q
                    && bool::from(
                        a.expose_secret()
                            .as_bytes()
                            .ct_eq(b.expose_secret().as_bytes()),
                    )
            }
            _ => false,
        }
    }
}

impl Eq for DatabaseSettings {}

/// Shows where the database is without its password: `postgres://auth:***@db:5432/auth`.
impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite => f.write_str("Sqlite"),
            Self::Postgres { url, pool } => f
                .debug_struct("Postgres")
                .field("url", &redacted(url.expose_secret()))
                .field("pool", pool)
                .finish(),
        }
    }
}

impl DatabaseLayer {
    /// The database named, and checks its URL's scheme and the pool's bounds.
    ///
    /// # Errors
    /// A URL that is not `postgres://` (not repeated in the message), a pool of no connection,
    /// an acquire timeout outside 100ms..60s.
    pub fn resolve(&self) -> Result<DatabaseSettings, SettingsError> {
        let Some(url) = &self.url else {
            return Ok(DatabaseSettings::Sqlite);
        };
        let text = url.expose_secret();
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            // The value is not repeated: it may hold a password.
            return Err(SettingsError::setting(
                "database.url",
                "must be a postgres:// URL (postgres://user:password@host:port/database)",
            ));
        }
        let defaults = PostgresOptions::default();
        let max_connections = match self.max_connections {
            None => defaults.max_connections,
            Some(0) => {
                return Err(SettingsError::setting(
                    "database.max_connections",
                    "must be at least 1",
                ));
            }
            Some(n) => n,
        };
        let acquire_timeout = match self.acquire_timeout {
            None => defaults.acquire_timeout,
            Some(HumanDuration(d))
                if d >= Duration::from_millis(100) && d <= Duration::from_secs(60) =>
            {
                d
            }
            Some(_) => {
                return Err(SettingsError::setting(
                    "database.acquire_timeout",
                    "must be between 100ms and 60s",
                ));
            }
        };
        Ok(DatabaseSettings::Postgres {
            url: url.clone(),
            pool: PostgresOptions {
                max_connections,
                acquire_timeout,
            },
        })
    }
}

/// `url` with the password (between `user:` and `@`) replaced by `***`, for logs.
#[must_use]
pub(crate) fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return "<not a URL>".to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    let user_info = &rest[..at];
    let user = user_info
        .split_once(':')
        .map_or(user_info, |(user, _)| user);
    let shown = if user_info.contains(':') {
        format!("{user}:***")
    } else {
        user.to_owned()
    };
    format!("{}{shown}{}", &url[..scheme_end], &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        assert_eq!(
            redacted("postgres://auth:s3cret@db.internal:5432/auth?sslmode=require"),
            "postgres://auth:***@db.internal:5432/auth?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://auth@db/auth"),
            "postgres://auth@db/auth"
        );
        assert_eq!(redacted("postgres://db/auth"), "postgres://db/auth");
        // A password holding `@` or `:` is still hidden whole.
        assert_eq!(
            redacted("postgres://auth:p@ss:w0rd@db/auth"),
            "postgres://auth:***@db/auth"
        );
        let settings = DatabaseSettings::postgres("postgres://auth:s3cret@db/auth");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("auth:***@db"), "{shown}");
    }

    #[test]
    fn without_a_url_it_is_sqlite() {
        assert_eq!(
            DatabaseLayer::default().resolve().unwrap(),
            DatabaseSettings::Sqlite
        );
    }

    #[test]
    fn a_url_of_another_kind_is_refused_without_being_repeated() {
        let layer = DatabaseLayer {
            url: Some(Secret::new("mysql://root:hunter22@db/auth")),
            ..DatabaseLayer::default()
        };
        let error = layer.resolve().unwrap_err().to_string();
        assert!(error.contains("database.url"), "{error}");
        assert!(!error.contains("hunter22"), "{error}");
    }

    #[test]
    fn the_pool_bounds_are_read_and_checked() {
        let url = Some(Secret::new("postgres://auth@db/auth"));
        let layer = DatabaseLayer {
            url: url.clone(),
            max_connections: Some(4),
            acquire_timeout: Some(HumanDuration(Duration::from_millis(250))),
        };
        assert_eq!(
            layer.resolve().unwrap(),
            DatabaseSettings::Postgres {
                url: Secret::new("postgres://auth@db/auth"),
                pool: PostgresOptions {
                    max_connections: 4,
                    acquire_timeout: Duration::from_millis(250),
                },
            }
        );
        for bad in [
            DatabaseLayer {
                url: url.clone(),
                max_connections: Some(0),
                ..DatabaseLayer::default()
            },
            DatabaseLayer {
                url: url.clone(),
                acquire_timeout: Some(HumanDuration(Duration::ZERO)),
                ..DatabaseLayer::default()
            },
        ] {
            assert!(bad.resolve().is_err(), "{bad:?}");
        }
    }
}
