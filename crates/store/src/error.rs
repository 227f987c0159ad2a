//! The store's one error type.

use std::path::PathBuf;

/// A boxed cause, so that no database driver's error type is part of the public API and another
/// backend can report through the same variants.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong in the store. Each variant has a stable [`code`](StoreError::code).
///
/// Messages never carry a password, a session token or an email address.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An account with this email address (compared case-insensitively) already exists.
    #[error("an account with this email address already exists")]
    AccountExists,
    /// The account does not exist (any more).
    #[error("no such account")]
    AccountNotFound,
    /// The password has fewer characters than the policy requires.
    #[error("the password must have at least {min_chars} characters")]
    PasswordTooShort {
        /// The least number of characters (Unicode scalar values) accepted.
        min_chars: usize,
    },
    /// The password has more bytes than the policy allows.
    #[error("the password must have at most {max_bytes} bytes")]
    PasswordTooLong {
        /// The most bytes (UTF-8) accepted.
        max_bytes: usize,
    },
    /// Text offered as a session token is not one this store could have made.
    #[error("the session token is malformed")]
    MalformedSessionToken,
    /// A session lifetime is out of range.
    #[error("invalid session lifetime: {0}")]
    InvalidSessionTtl(&'static str),
    /// The database file could not be opened or created.
    #[error("cannot open the store at {}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The database server could not be reached, or refused the connection, when the store
    /// opened (the message never holds the connection URL or its password).
    #[error("cannot connect to the store's database")]
    Connect(#[source] BoxError),
    /// The schema could not be brought up to date.
    #[error("cannot migrate the store's schema")]
    Migration(#[source] BoxError),
    /// The database failed a query.
    #[error("the store's database failed")]
    Database(#[source] BoxError),
    /// The store cannot serve this now, and nothing was written: the disk is full, the file
    /// system is read-only, another writer held the lock past the wait allowed, an I/O error, no
    /// connection free in time. Worth retrying once the fault ends; the store recovers by itself.
    #[error("the store is unavailable: {reason}")]
    Unavailable {
        /// What kind of fault, in a few words (`"the disk is full"`), for logs.
        reason: &'static str,
        /// The driver's error.
        #[source]
        source: BoxError,
    },
    /// The database holds something this code cannot read.
    #[error("the store holds corrupt data: {0}")]
    Corrupt(&'static str),
    /// Hashing a password failed (this is a bug or a resource problem, never the user's fault).
    #[error("password hashing failed: {0}")]
    PasswordHashing(String),
    /// Too many password hashes are running and waiting; try again in a moment.
    #[error("too many sign-ins at once; try again in a moment")]
    Busy,
    /// A background task (password hashing) panicked or was cancelled.
    #[error("a background task failed")]
    Task(#[source] BoxError),
}

impl StoreError {
    /// Whether this is [`StoreError::Unavailable`]: a fault that ends by itself (or when an
    /// operator frees space), to be answered "try again later" rather than "failed".
    #[must_use]
    pub const fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// A stable, snake_case code for this error, for API answers and logs.
    ///
    /// ```
    /// use synerise_auth_store::StoreError;
    /// assert_eq!(StoreError::AccountExists.code(), "account_exists");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::AccountExists => "account_exists",
            Self::AccountNotFound => "account_not_found",
            Self::PasswordTooShort { .. } => "password_too_short",
            Self::PasswordTooLong { .. } => "password_too_long",
            Self::MalformedSessionToken => "malformed_session_token",
            Self::InvalidSessionTtl(_) => "invalid_session_ttl",
            Self::Open { .. } => "store_open_failed",
            Self::Connect(_) => "store_connect_failed",
            Self::Migration(_) => "store_migration_failed",
            Self::Database(_) => "store_database_error",
            Self::Unavailable { .. } => "storage_unavailable",
            Self::Corrupt(_) => "store_corrupt",
            Self::PasswordHashing(_) => "password_hashing_failed",
            Self::Busy => "busy",
            Self::Task(_) => "store_task_failed",
        }
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let io = || -> BoxError { Box::new(std::io::Error::other("x")) };
        let all = [
            (StoreError::AccountExists, "account_exists"),
            (StoreError::AccountNotFound, "account_not_found"),
            (
                StoreError::PasswordTooShort { min_chars: 12 },
                "password_too_short",
            ),
            (
                StoreError::PasswordTooLong { max_bytes: 1024 },
                "password_too_long",
            ),
            (StoreError::MalformedSessionToken, "malformed_session_token"),
            (StoreError::InvalidSessionTtl("x"), "invalid_session_ttl"),
            (
                StoreError::Open {
                    path: PathBuf::from("/x"),
                    source: io(),
                },
                "store_open_failed",
            ),
            (StoreError::Connect(io()), "store_connect_failed"),
            (StoreError::Migration(io()), "store_migration_failed"),
            (StoreError::Database(io()), "store_database_error"),
            (
                StoreError::Unavailable {
                    reason: "the disk is full",
                    source: io(),
                },
                "storage_unavailable",
            ),
            (StoreError::Corrupt("x"), "store_corrupt"),
            (
                StoreError::PasswordHashing("x".into()),
                "password_hashing_failed",
            ),
            (StoreError::Busy, "busy"),
            (StoreError::Task(io()), "store_task_failed"),
        ];
        let mut seen = std::collections::HashSet::new();
        for (error, code) in &all {
            assert_eq!(error.code(), *code);
            assert!(seen.insert(*code), "duplicate code {code}");
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn policy_messages_say_the_limit() {
        assert_eq!(
            StoreError::PasswordTooShort { min_chars: 12 }.to_string(),
            "the password must have at least 12 characters"
        );
        assert_eq!(
            StoreError::PasswordTooLong { max_bytes: 1024 }.to_string(),
            "the password must have at most 1024 bytes"
        );
    }
}
