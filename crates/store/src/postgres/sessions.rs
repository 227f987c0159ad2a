//! [`SessionStore`] on PostgreSQL.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{Connection as _, PgConnection};
use synerise_auth_token::{Email, UnixTime};

use super::{PostgresStore, db_error, email_key, retire_on_fault, stored_email};
use crate::{
    AccountId, Result, Session, SessionStore, SessionToken, StoreError, session_ttl_secs,
    touch_interval_secs,
};

#[async_trait]
impl SessionStore for PostgresStore {
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
        let mut conn = self.connection().await?;
        let created = insert_session(&mut conn, &token, account, now, idle_secs, expires_at).await;
        let Some(email) = retire_on_fault(&mut conn, created).map_err(db_error)? else {
            return Err(StoreError::AccountNotFound);
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
        let row = sqlx::query_as::<_, (i64, String, i64, i64, i64, i64)>(
            "SELECT s.account_id, a.email, s.created_at, s.last_seen, s.idle_ttl_secs, s.expires_at \
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some((account_id, email, created_at, last_seen, idle_secs, expires_at)) = row else {
            return Ok(None);
        };
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
            match self
                .write(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash))
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_unavailable() => {}
                Err(e) => return Err(e),
            }
            return Ok(None);
        }
        if now.as_secs().saturating_sub(last_seen) >= touch_interval_secs(idle_secs).max(1) {
            // `last_seen < $1`: never move it backwards if a concurrent lookup (on this
            // instance or another, whose clock may differ) got there first.
            let touched = self
                .write(
                    sqlx::query(
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
                // it stands. The next lookup tries again.
                Err(e) if e.is_unavailable() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Some(session))
    }

    async fn delete(&self, token: &SessionToken) -> Result<bool> {
        let deleted = self
            .write(
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token.hash().as_bytes().as_slice()),
            )
            .await?;
        Ok(deleted > 0)
    }

    async fn delete_for_account(&self, email: &Email) -> Result<u64> {
        self.write(
            sqlx::query(
                "DELETE FROM sessions WHERE account_id IN \
                 (SELECT id FROM accounts WHERE email_key = $1)",
            )
            .bind(email_key(email)),
        )
        .await
    }

    async fn purge_expired(&self, now: UnixTime) -> Result<u64> {
        self.write(
            sqlx::query(
                "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen + idle_ttl_secs <= $1",
            )
            .bind(now.as_secs()),
        )
        .await
    }
}

/// Inserts the session for `account` and reads the account's email, in one transaction; `None`
/// (and nothing written) when there is no such account.
async fn insert_session(
    conn: &mut PgConnection,
    token: &SessionToken,
    account: AccountId,
    now: UnixTime,
    idle_secs: i64,
    expires_at: UnixTime,
) -> sqlx::Result<Option<String>> {
    let mut tx = conn.begin().await?;
    // The row lock `FOR KEY SHARE` takes (as the foreign key would) keeps the account from being
    // removed between the read and the insert.
    let email =
        sqlx::query_scalar::<_, String>("SELECT email FROM accounts WHERE id = $1 FOR KEY SHARE")
            .bind(account.get())
            .fetch_optional(&mut *tx)
            .await?;
    let Some(email) = email else {
        tx.rollback().await?;
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, last_seen, idle_ttl_secs, expires_at) \
         VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(token.hash().as_bytes().as_slice())
    .bind(account.get())
    .bind(now.as_secs())
    .bind(idle_secs)
    .bind(expires_at.as_secs())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(email))
}
