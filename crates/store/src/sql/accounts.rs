//! [`AccountStore`] on either database.

use async_trait::async_trait;
use secrecy::SecretString;
use synerise_auth_token::{Email, UnixTime};

use super::{
    Backend, Conn, SqlDb as _, Statement, begin_write, db_error, email_key, retire_on_fault,
    stored_email, write, write_connection,
};
use crate::{
    Account, AccountId, AccountStore, AccountSummary, PasswordCheck, Result, StoreError,
    check_password_policy,
};

#[async_trait]
impl<B: Backend> AccountStore for B {
    async fn create(
        &self,
        email: &Email,
        password: &SecretString,
        now: UnixTime,
    ) -> Result<AccountId> {
        check_password_policy(password)?;
        // Hash before asking whether the address is taken: the unique index decides, so two
        // racing sign-ups (on one instance or two) cannot both win.
        let phc = self.core().hashing.hash(password.clone()).await?;
        let mut conn = write_connection(self).await?;
        let inserted = insert_account::<B>(&mut conn, email, &phc, now).await;
        match retire_on_fault(&mut conn, inserted) {
            Ok(id) => Ok(AccountId::new(id)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::AccountExists)
            }
            Err(e) => Err(db_error::<B>(e)),
        }
    }

    async fn remove(&self, email: &Email) -> Result<bool> {
        let mut conn = write_connection(self).await?;
        let removed = remove_account::<B>(&mut conn, email).await;
        Ok(retire_on_fault(&mut conn, removed).map_err(db_error::<B>)? > 0)
    }

    async fn list(&self) -> Result<Vec<AccountSummary>> {
        let rows = B::Db::read_all(&self.core().reader, Statement::new(B::SQL.list_accounts))
            .await
            .map_err(db_error::<B>)?;
        rows.iter()
            .map(|row| {
                let email: String = B::Db::get(row, 0).map_err(db_error::<B>)?;
                Ok(AccountSummary {
                    email: stored_email(&email)?,
                    created_at: UnixTime::from_secs(B::Db::get(row, 1).map_err(db_error::<B>)?),
                })
            })
            .collect()
    }

    async fn verify_password(
        &self,
        email: &Email,
        password: &SecretString,
    ) -> Result<Option<Account>> {
        let row = B::Db::read_optional(
            &self.core().reader,
            Statement::new(B::SQL.account_by_email).bind(email_key(email).as_str()),
        )
        .await
        .map_err(db_error::<B>)?;
        let row = match row {
            Some(row) => Some(read_account::<B>(&row).map_err(db_error::<B>)?),
            None => None,
        };
        let stored_phc = row.as_ref().map(|(_, _, phc, _)| phc.clone());
        // Runs even when there is no account (against a dummy hash), so both take as long.
        let check = self
            .core()
            .hashing
            .verify(password.clone(), stored_phc)
            .await?;
        let Some((id, stored, old_phc, created_at)) = row else {
            return Ok(None);
        };
        if !check.is_match() {
            return Ok(None);
        }
        if check == PasswordCheck::MatchOutdated {
            rehash(self, id, &old_phc, password).await;
        }
        Ok(Some(Account {
            id: AccountId::new(id),
            email: stored_email(&stored)?,
            created_at: UnixTime::from_secs(created_at),
        }))
    }
}

/// `id, email, password_hash, created_at` of an account's row.
fn read_account<B: Backend>(
    row: &<B::Db as sqlx::Database>::Row,
) -> sqlx::Result<(i64, String, String, i64)> {
    Ok((
        B::Db::get(row, 0)?,
        B::Db::get(row, 1)?,
        B::Db::get(row, 2)?,
        B::Db::get(row, 3)?,
    ))
}

/// Replaces a hash made with older parameters, now that the password is known to be right.
/// Best effort: if it fails, the sign-in still succeeds and the next one tries again.
async fn rehash<B: Backend>(backend: &B, id: i64, old_phc: &str, password: &SecretString) {
    let Ok(new_phc) = backend.core().hashing.hash(password.clone()).await else {
        return;
    };
    // Only if nobody changed the hash meanwhile.
    let _ignored = write(
        backend,
        Statement::new(
            "UPDATE accounts SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
        )
        .bind(new_phc.as_str())
        .bind(id)
        .bind(old_phc),
    )
    .await;
}

/// Inserts the account in a transaction committed before the id is returned (an id read in
/// autocommit could be handed over before the commit's answer, and a write the disk refused
/// would look done).
async fn insert_account<B: Backend>(
    conn: &mut Conn<B>,
    email: &Email,
    phc: &str,
    now: UnixTime,
) -> sqlx::Result<i64> {
    let mut tx = begin_write::<B>(conn).await?;
    let key = email_key(email);
    let id = B::insert_returning_id(
        &mut tx,
        Statement::new(B::SQL.insert_account)
            .bind(email.as_str())
            .bind(key.as_str())
            .bind(phc)
            .bind(now.as_secs()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes the account with `email` and its sessions, in one transaction; the accounts deleted.
async fn remove_account<B: Backend>(conn: &mut Conn<B>, email: &Email) -> sqlx::Result<u64> {
    let key = email_key(email);
    let mut tx = begin_write::<B>(conn).await?;
    // The foreign key cascades too; deleting the sessions explicitly keeps that true even on a
    // connection where someone turned foreign keys off.
    B::Db::execute(
        &mut tx,
        Statement::new(B::SQL.delete_account_sessions).bind(key.as_str()),
    )
    .await?;
    let removed = B::Db::execute(
        &mut tx,
        Statement::new(B::SQL.delete_account).bind(key.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(B::Db::rows_affected(&removed))
}
