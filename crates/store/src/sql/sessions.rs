//! [`SessionStore`] on either database.

use std::time::Duration;

use async_trait::async_trait;
use synerise_auth_token::{Email, UnixTime};

use super::{
    Backend, Conn, SqlDb as _, Statement, begin_write, db_error, email_key, retire_on_fault,
    stored_email, write, write_connection,
};
use crate::{
    AccountId, Result, Session, SessionStore, SessionToken, StoreError, session_ttl_secs,
    touch_interval_secs,
};

#[async_trait]
impl<B: Backend> SessionStore for B {
    async fn create(
        &self,
        account: AccountId,
        now: UnixTime,
        idle_ttl: Duration,
        absolute_ttl: Duration,
    ) -> Result<(SessionToken, Session)> {
        let (idle_secs, absolute_secs) = session_ttl_secs(idle_ttl, absolute_ttl)?;
        let token = SessionToken::generate();
        let expires_at = now.plus_secs(absolute_secs);
        let mut conn = write_connection(self).await?;
        let created =
            insert_session::<B>(&mut conn, &token, account, now, idle_secs, expires_at).await;
        let email = match retire_on_fault(&mut conn, created) {
            Ok(Some(email)) => email,
            // Removed just before (or, on a shared database, while) the session was inserted.
            Ok(None) => return Err(StoreError::AccountNotFound),
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                return Err(StoreError::AccountNotFound);
            }
            Err(e) => return Err(db_error::<B>(e)),
        };
        let session = Session {
            account_id: account,
            email: stored_email(&email)?,
            created_at: now,
            last_seen: now,
            idle_expires_at: now.plus_secs(idle_secs),
            expires_at,
        };
        Ok((token, session))
    }

    async fn lookup(&self, token: &SessionToken, now: UnixTime) -> Result<Option<Session>> {
        let hash = token.hash().as_bytes().as_slice();
        let row = B::Db::read_optional(
            &self.core().reader,
            Statement::new(
                "SELECT s.account_id, a.email, s.created_at, s.last_seen, s.idle_ttl_secs, \
                 s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
                 WHERE s.token_hash = $1",
            )
            .bind(hash),
        )
        .await
        .map_err(db_error::<B>)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (account_id, email, created_at, last_seen, idle_secs, expires_at) =
            read_session::<B>(&row).map_err(db_error::<B>)?;
        let mut session = Session {
            account_id: AccountId::new(account_id),
            email: stored_email(&email)?,
            created_at: UnixTime::from_secs(created_at),
            last_seen: UnixTime::from_secs(last_seen),
            idle_expires_at: UnixTime::from_secs(last_seen).plus_secs(idle_secs),
            expires_at: UnixTime::from_secs(expires_at),
        };
        if session.is_expired_at(now) {
            // Forgetting it now is tidiness: an expired session is no session whether or not the
            // row goes, and `purge_expired` removes it later if this cannot.
            let deleted = write(
                self,
                Statement::new("DELETE FROM sessions WHERE token_hash = $1").bind(hash),
            )
            .await;
            match deleted {
                Ok(_) => {}
                Err(e) if e.is_unavailable() => {}
                Err(e) => return Err(e),
            }
            return Ok(None);
        }
        if now.as_secs().saturating_sub(last_seen) >= touch_interval_secs(idle_secs).max(1) {
            // `last_seen < $1`: never move it backwards if a concurrent lookup (on this
            // instance or another, whose clock may differ) got there first.
            let touched = write(
                self,
                Statement::new(
                    "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2 AND last_seen < $1",
                )
                .bind(now.as_secs())
                .bind(hash),
            )
            .await;
            match touched {
                Ok(_) => {
                    session.last_seen = now;
                    session.idle_expires_at = now.plus_secs(idle_secs);
                }
                // The session is live whether or not its idle expiry could slide: answered as
                // it stands, so that signed-in requests keep working while the store cannot
                // write. The next lookup tries again.
                Err(e) if e.is_unavailable() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Some(session))
    }

    async fn delete(&self, token: &SessionToken) -> Result<bool> {
        let deleted = write(
            self,
            Statement::new("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token.hash().as_bytes().as_slice()),
        )
        .await?;
        Ok(deleted > 0)
    }

    async fn delete_for_account(&self, email: &Email) -> Result<u64> {
        write(
            self,
            Statement::new(B::SQL.delete_account_sessions).bind(email_key(email).as_str()),
        )
        .await
    }

    async fn purge_expired(&self, now: UnixTime) -> Result<u64> {
        write(
            self,
            Statement::new(
                "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen + idle_ttl_secs <= $1",
            )
            .bind(now.as_secs()),
        )
        .await
    }
}

/// `account_id, email, created_at, last_seen, idle_ttl_secs, expires_at` of a session's row.
fn read_session<B: Backend>(
    row: &<B::Db as sqlx::Database>::Row,
) -> sqlx::Result<(i64, String, i64, i64, i64, i64)> {
    Ok((
        B::Db::get(row, 0)?,
        B::Db::get(row, 1)?,
        B::Db::get(row, 2)?,
        B::Db::get(row, 3)?,
        B::Db::get(row, 4)?,
        B::Db::get(row, 5)?,
    ))
}

/// Inserts the session for `account` and reads the account's email, in one transaction; `None`
/// (and nothing written) when there is no such account.
async fn insert_session<B: Backend>(
    conn: &mut Conn<B>,
    token: &SessionToken,
    account: AccountId,
    now: UnixTime,
    idle_secs: i64,
    expires_at: UnixTime,
) -> sqlx::Result<Option<String>> {
    // Write first, read second: on SQLite a read-then-write transaction can fail at once
    // (SQLITE_BUSY) when another connection writes in between; on PostgreSQL the foreign key's
    // row lock keeps the account from being removed between the insert and the read.
    let mut tx = begin_write::<B>(conn).await?;
    let inserted = B::Db::execute(
        &mut tx,
        Statement::new(
            "INSERT INTO sessions \
             (token_hash, account_id, created_at, last_seen, idle_ttl_secs, expires_at) \
             SELECT $1, id, $2, $2, $3, $4 FROM accounts WHERE id = $5",
        )
        .bind(token.hash().as_bytes().as_slice())
        .bind(now.as_secs())
        .bind(idle_secs)
        .bind(expires_at.as_secs())
        .bind(account.get()),
    )
    .await?;
    if B::Db::rows_affected(&inserted) == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let row = B::Db::fetch_one(
        &mut tx,
        Statement::new("SELECT email FROM accounts WHERE id = $1").bind(account.get()),
    )
    .await?;
    let email = B::Db::get(&row, 0)?;
    tx.commit().await?;
    Ok(Some(email))
}
