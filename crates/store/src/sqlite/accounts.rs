//! [`AccountStore`] on SQLite.

use async_trait::async_trait;
use secrecy::SecretString;
use sqlx::{Connection as _, SqliteConnection};
use synerise_auth_token::{Email, UnixTime};

use super::{SqliteStore, db_error, retire_on_fault, stored_email};
use crate::{
    Account, AccountId, AccountStore, AccountSummary, PasswordCheck, Result, StoreError,
    check_password_policy,
};

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create(
        &self,
        email: &Email,
        password: &SecretString,
        now: UnixTime,
    ) -> Result<AccountId> {
        check_password_policy(password)?;
        // Hash before asking whether the address is taken: the unique index decides, so two
        // racing sign-ups cannot both win.
        let phc = self.hashing.hash(password.clone()).await?;
        let mut conn = self.write_connection().await?;
        // `execute`, not `RETURNING id` with `fetch_one`: the driver stops at the returned row and
        // drops the error of the commit that follows, so a write the disk refused would look
        // done.
        let inserted =
            sqlx::query("INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?)")
                .bind(email.as_str())
                .bind(phc)
                .bind(now.as_secs())
                .execute(&mut *conn)
                .await;
        match retire_on_fault(&mut conn, inserted) {
            Ok(done) => Ok(AccountId::new(done.last_insert_rowid())),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::AccountExists)
            }
            Err(e) => Err(db_error(e)),
        }
    }

    async fn remove(&self, email: &Email) -> Result<bool> {
        let mut conn = self.write_connection().await?;
        let removed = remove_account(&mut conn, email).await;
        Ok(retire_on_fault(&mut conn, removed).map_err(db_error)? > 0)
    }

    async fn list(&self) -> Result<Vec<AccountSummary>> {
        let rows = sqlx::query_as::<_, (String, i64)>(
            "SELECT email, created_at FROM accounts ORDER BY email, id",
        )
        .fetch_all(&self.reader)
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
            "SELECT id, email, password_hash, created_at FROM accounts WHERE email = ?",
        )
        .bind(email.as_str())
        .fetch_optional(&self.reader)
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

impl SqliteStore {
    /// Replaces a hash made with older parameters, now that the password is known to be right.
    /// Best effort: if it fails, the sign-in still succeeds and the next one tries again.
    async fn rehash(&self, id: i64, old_phc: &str, password: &SecretString) {
        let Ok(new_phc) = self.hashing.hash(password.clone()).await else {
            return;
        };
        let Ok(mut conn) = self.write_connection().await else {
            return;
        };
        // Only if nobody changed the hash meanwhile.
        let updated =
            sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?")
                .bind(new_phc)
                .bind(id)
                .bind(old_phc.to_owned())
                .execute(&mut *conn)
                .await;
        let _ignored = retire_on_fault(&mut conn, updated);
    }
}

/// Deletes the account with `email` and its sessions, in one transaction; the accounts deleted.
async fn remove_account(conn: &mut SqliteConnection, email: &Email) -> sqlx::Result<u64> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    // The foreign key cascades too; deleting the sessions explicitly keeps that true even on a
    // connection where someone turned foreign keys off.
    sqlx::query(
        "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE email = ?)",
    )
    .bind(email.as_str())
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query("DELETE FROM accounts WHERE email = ?")
        .bind(email.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed)
}
