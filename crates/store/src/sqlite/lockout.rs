//! [`SignInLockout`] on SQLite.

use async_trait::async_trait;
use sqlx::{Connection as _, SqliteConnection};
use synerise_auth_token::UnixTime;

use super::{SqliteStore, db_error, retire_on_fault};
use crate::{LockoutPolicy, Result, SignInKey, SignInLockout};

#[async_trait]
impl SignInLockout for SqliteStore {
    async fn locked_until(&self, key: &SignInKey, now: UnixTime) -> Result<Option<UnixTime>> {
        let until = sqlx::query_scalar::<_, i64>(
            "SELECT locked_until FROM failed_sign_ins WHERE account_key = ? AND locked_until > ?",
        )
        .bind(key.as_bytes().as_slice())
        .bind(now.as_secs())
        .fetch_optional(&self.reader)
        .await
        .map_err(db_error)?;
        Ok(until.map(UnixTime::from_secs))
    }

    async fn record_failure(
        &self,
        key: &SignInKey,
        now: UnixTime,
        policy: LockoutPolicy,
    ) -> Result<Option<UnixTime>> {
        let mut conn = self.write_connection().await?;
        let counted = count_failure(&mut conn, key, now, policy).await;
        retire_on_fault(&mut conn, counted)
            .map(|until| until.map(UnixTime::from_secs))
            .map_err(db_error)
    }

    async fn clear_failures(&self, key: &SignInKey) -> Result<()> {
        self.write(
            sqlx::query("DELETE FROM failed_sign_ins WHERE account_key = ?")
                .bind(key.as_bytes().as_slice()),
        )
        .await
        .map(drop)
    }

    async fn purge_failed_sign_ins(&self, now: UnixTime, kept: u32) -> Result<u64> {
        self.write(
            sqlx::query(
                "DELETE FROM failed_sign_ins WHERE locked_until <= ? OR (locked_until IS NULL \
                 AND account_key NOT IN (SELECT account_key FROM failed_sign_ins \
                 WHERE locked_until IS NULL ORDER BY last_failed_at DESC LIMIT ?))",
            )
            .bind(now.as_secs())
            .bind(i64::from(kept)),
        )
        .await
    }
}

/// Adds one failure to `key`'s run (or starts one), locking it when the run reaches the limit,
/// in one transaction; until when it is locked.
async fn count_failure(
    conn: &mut SqliteConnection,
    key: &SignInKey,
    now: UnixTime,
    policy: LockoutPolicy,
) -> sqlx::Result<Option<i64>> {
    let limit = i64::from(policy.limit.max(1));
    let lock_until = now.plus_secs(policy.lock_secs).as_secs();
    // `execute` then a read, not `RETURNING` with `fetch_one`: the commit's error must be seen.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    // A run whose lock has ended starts again at one; SET reads the row as it was.
    sqlx::query(
        "INSERT INTO failed_sign_ins (account_key, failures, locked_until, last_failed_at) \
         VALUES (?1, 1, CASE WHEN ?2 <= 1 THEN ?3 END, ?4) \
         ON CONFLICT (account_key) DO UPDATE SET \
         failures = CASE WHEN locked_until <= ?4 THEN 1 ELSE failures + 1 END, \
         locked_until = CASE \
           WHEN (CASE WHEN locked_until <= ?4 THEN 1 ELSE failures + 1 END) >= ?2 THEN ?3 \
           WHEN locked_until <= ?4 THEN NULL ELSE locked_until END, \
         last_failed_at = ?4",
    )
    .bind(key.as_bytes().as_slice())
    .bind(limit)
    .bind(lock_until)
    .bind(now.as_secs())
    .execute(&mut *tx)
    .await?;
    let until = sqlx::query_scalar::<_, Option<i64>>(
        "SELECT locked_until FROM failed_sign_ins WHERE account_key = ?",
    )
    .bind(key.as_bytes().as_slice())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(until.filter(|until| *until > now.as_secs()))
}
