//! Customer accounts and the trait every backend implements.

use std::fmt;

use async_trait::async_trait;
use secrecy::SecretString;
use synerise_auth_token::{Email, UnixTime};

use crate::Result;

/// An account's identifier in the store. Never reused, even after the account is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(i64);

impl AccountId {
    /// An identifier from its number (for backends).
    #[must_use]
    pub const fn new(id: i64) -> Self {
        Self(id)
    }

    /// The identifier's number.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// An account whose password was just verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its identifier.
    pub id: AccountId,
    /// Its email address as stored, which may differ in case from the one typed at sign-in.
    pub email: Email,
    /// When it was created.
    pub created_at: UnixTime,
}

/// One line of [`AccountStore::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// The email address.
    pub email: Email,
    /// When the account was created.
    pub created_at: UnixTime,
}

/// Where accounts live. Implementations are cheap to share as `Arc<dyn AccountStore>`.
///
/// Email addresses are compared without regard to the case of ASCII letters (so `Ann@x.com` and
/// `ann@x.com` are one account, and a phone's auto-capitalised sign-in still works), and stored as
/// first given. Passwords are stored only as argon2id hashes (see
/// [`PasswordHashing::hash`](crate::PasswordHashing::hash)).
#[async_trait]
pub trait AccountStore: Send + Sync + fmt::Debug {
    /// Creates an account, after checking the password against the policy
    /// ([`check_password_policy`](crate::check_password_policy)).
    ///
    /// # Errors
    /// [`StoreError::AccountExists`](crate::StoreError::AccountExists),
    /// [`StoreError::PasswordTooShort`](crate::StoreError::PasswordTooShort),
    /// [`StoreError::PasswordTooLong`](crate::StoreError::PasswordTooLong).
    async fn create(
        &self,
        email: &Email,
        password: &SecretString,
        now: UnixTime,
    ) -> Result<AccountId>;

    /// Removes an account and all its sessions. Returns whether there was one.
    ///
    /// # Errors
    /// Only when the backend fails.
    async fn remove(&self, email: &Email) -> Result<bool>;

    /// Every account, ordered by email address.
    ///
    /// # Errors
    /// Only when the backend fails.
    async fn list(&self) -> Result<Vec<AccountSummary>>;

    /// The account, if the email names one and the password is its password; `None` otherwise,
    /// in the same time whether the account exists or not (an unknown account is checked against
    /// a dummy hash). A hash made with older parameters is replaced on a successful check.
    ///
    /// # Errors
    /// Only when the backend fails or holds an unreadable hash; a wrong password is `Ok(None)`.
    async fn verify_password(
        &self,
        email: &Email,
        password: &SecretString,
    ) -> Result<Option<Account>>;
}
