//! [`AccountStore`] on SQLite.

use async_trait::async_trait;
use secrecy::SecretString;
use synerise_auth_token::{Email, UnixTime};

use super::{SqliteStore, db_error, stored_email};
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
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(email.as_str())
        .bind(phc)
        .bind(now.as_secs())
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(id) => Ok(AccountId::new(id)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::AccountExists)
            }
            Err(e) => Err(db_error(e)),
        }
    }

    async fn remove(&self, email: &Email) -> Result<bool> {
        // The foreign key cascades too; deleting the sessions explicitly keeps that true even
        // on a connection where someone turned foreign keys off.
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        sqlx::query(
            "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE email = ?)",
        )
        .bind(email.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let removed = sqlx::query("DELETE FROM accounts WHERE email = ?")
            .bind(email.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
        tx.commit().await.map_err(db_error)?;
        Ok(removed > 0)
    }

    async fn list(&self) -> Result<Vec<AccountSummary>> {
        let rows = sqlx::query_as::<_, (String, i64)>(
            "SELECT email, created_at FROM accounts ORDER BY email, id",
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
            "SELECT id, email, password_hash, created_at FROM accounts WHERE email = ?",
        )
        .bind(email.as_str())
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

impl SqliteStore {
    /// Replaces a hash made with older parameters, now that the password is known to be right.
    /// Best effort: if it fails, the sign-in still succeeds and the next one tries again.
    async fn rehash(&self, id: i64, old_phc: &str, password: &SecretString) {
        let Ok(new_phc) = self.hashing.hash(password.clone()).await else {
            return;
        };
        // Only if nobody changed the hash meanwhile.
        let _ignored =
            sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?")
                .bind(new_phc)
                .bind(id)
                .bind(old_phc.to_owned())
                .execute(&self.pool)
                .await;
    }
}
