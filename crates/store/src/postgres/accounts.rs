//! [`AccountStore`] on PostgreSQL.

use async_trait::async_trait;
use secrecy::SecretString;
use sqlx::{Connection as _, PgConnection};
use synerise_auth_token::{Email, UnixTime};

use super::{PostgresStore, db_error, email_key, retire_on_fault, stored_email};
use crate::{
    Account, AccountId, AccountStore, AccountSummary, PasswordCheck, Result, StoreError,
    check_password_policy,
};

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create(
        &self,
        email: &Email,
        password: &SecretString,
        now: UnixTime,
    ) -> Result<AccountId> {
        check_password_policy(password)?;
        // Hash before asking whether the address is taken: the unique index decides, so two
        // racing sign-ups (on one instance or two) cannot both win.
        let phc = self.hashing.hash(password.clone()).await?;
        let mut conn = self.connection().await?;
        let inserted = insert_account(&mut conn, email, &phc, now).await;
        match retire_on_fault(&mut conn, inserted) {
            Ok(id) => Ok(AccountId::new(id)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::AccountExists)
            }
            Err(e) => Err(db_error(e)),
        }
    }

    async fn remove(&self, email: &Email) -> Result<bool> {
        let mut conn = self.connection().await?;
        let removed = remove_account(&mut conn, email).await;
        Ok(retire_on_fault(&mut conn, removed).map_err(db_error)? > 0)
    }

    async fn list(&self) -> Result<Vec<AccountSummary>> {
        let rows = sqlx::query_as::<_, (String, i64)>(
            "SELECT email, created_at FROM accounts ORDER BY email_key, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.into_iter()
            .map(|(email, created_at)| {
                Ok(AccountSummary {
                    email: stored_email(&email)?,
                    created_at: UnixTime::from_secs(created_at),
                })
            })
            .collect()
    }

    async fn verify_password(
        &self,
        email: &Email,
        password: &SecretString,
    ) -> Result<Option<Account>> {
        let row = sqlx::query_as::<_, (i64, String, String, i64)>(
            "SELECT id, email, password_hash, created_at FROM accounts WHERE email_key = $1",
        )
        .bind(email_key(email))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let stored_phc = row.as_ref().map(|(_, _, phc, _)| phc.clone());
        // Runs even when there is no account (against a dummy hash), so both take as long.
        let check = self.hashing.verify(password.clone(), stored_phc).await?;
        let Some((id, stored, old_phc, created_at)) = row else {
            return Ok(None);
        };
        if !check.is_match() {
            return Ok(None);
        }
        if check == PasswordCheck::MatchOutdated {
            self.rehash(id, &old_phc, password).await;
        }
        Ok(Some(Account {
            id: AccountId::new(id),
            email: stored_email(&stored)?,
            created_at: UnixTime::from_secs(created_at),
        }))
    }
}

impl PostgresStore {
    /// Replaces a hash made with older parameters, now that the password is known to be right.
    /// Best effort: if it fails, the sign-in still succeeds and the next one tries again.
    async fn rehash(&self, id: i64, old_phc: &str, password: &SecretString) {
        let Ok(new_phc) = self.hashing.hash(password.clone()).await else {
            return;
        };
        // Only if nobody changed the hash meanwhile.
        let _ignored = self
            .write(
                sqlx::query(
                    "UPDATE accounts SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
                )
                .bind(new_phc)
                .bind(id)
                .bind(old_phc.to_owned()),
            )
            .await;
    }
}

/// Inserts the account in a transaction committed before the id is returned (`RETURNING` read
/// in autocommit would hand the id over before the commit's answer).
async fn insert_account(
    conn: &mut PgConnection,
    email: &Email,
    phc: &str,
    now: UnixTime,
) -> sqlx::Result<i64> {
    let mut tx = conn.begin().await?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO accounts (email, email_key, password_hash, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(email.as_str())
    .bind(email_key(email))
    .bind(phc)
    .bind(now.as_secs())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes the account with `email` and its sessions, in one transaction; the accounts deleted.
async fn remove_account(conn: &mut PgConnection, email: &Email) -> sqlx::Result<u64> {
    let mut tx = conn.begin().await?;
    // The foreign key cascades too; deleting the sessions explicitly keeps both backends alike.
    sqlx::query(
        "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE email_key = $1)",
    )
    .bind(email_key(email))
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query("DELETE FROM accounts WHERE email_key = $1")
        .bind(email_key(email))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed)
}
