//! [`SignInLockout`] on either database: one row per run of failures, counted atomically however
//! many writers count at once.

use async_trait::async_trait;
use synerise_auth_token::UnixTime;

use super::{
    Backend, Conn, SqlDb as _, Statement, begin_write, db_error, retire_on_fault, write,
    write_connection,
};
use crate::{LockoutPolicy, Result, SignInKey, SignInLockout};

#[async_trait]
impl<B: Backend> SignInLockout for B {
    async fn locked_until(&self, key: &SignInKey, now: UnixTime) -> Result<Option<UnixTime>> {
        let row = B::Db::read_optional(
            &self.core().reader,
            Statement::new(
                "SELECT locked_until FROM failed_sign_ins \
                 WHERE account_key = $1 AND locked_until > $2",
            )
            .bind(key.as_bytes().as_slice())
            .bind(now.as_secs()),
        )
        .await
        .map_err(db_error::<B>)?;
        let until: Option<i64> = match row {
            Some(row) => B::Db::get(&row, 0).map_err(db_error::<B>)?,
            None => None,
        };
        Ok(until.map(UnixTime::from_secs))
    }

    async fn record_failure(
        &self,
        key: &SignInKey,
        now: UnixTime,
        policy: LockoutPolicy,
    ) -> Result<Option<UnixTime>> {
        let mut conn = write_connection(self).await?;
        let counted = count_failure::<B>(&mut conn, key, now, policy).await;
        retire_on_fault(&mut conn, counted)
            .map(|until| until.map(UnixTime::from_secs))
            .map_err(db_error::<B>)
    }

    async fn clear_failures(&self, key: &SignInKey) -> Result<()> {
        write(
            self,
            Statement::new("DELETE FROM failed_sign_ins WHERE account_key = $1")
                .bind(key.as_bytes().as_slice()),
        )
        .await
        .map(drop)
    }

    async fn purge_failed_sign_ins(&self, now: UnixTime, kept: u32) -> Result<u64> {
        write(
            self,
            Statement::new(
                "DELETE FROM failed_sign_ins WHERE locked_until <= $1 OR (locked_until IS NULL \
                 AND account_key NOT IN (SELECT account_key FROM failed_sign_ins \
                 WHERE locked_until IS NULL ORDER BY last_failed_at DESC LIMIT $2))",
            )
            .bind(now.as_secs())
            .bind(i64::from(kept)),
        )
        .await
    }
}

/// Adds one failure to `key`'s run (or starts one), locking it when the run reaches the limit,
/// in one transaction; until when it is locked.
async fn count_failure<B: Backend>(
    conn: &mut Conn<B>,
    key: &SignInKey,
    now: UnixTime,
    policy: LockoutPolicy,
) -> sqlx::Result<Option<i64>> {
    let limit = i64::from(policy.limit.max(1));
    let lock_until = now.plus_secs(policy.lock_secs).as_secs();
    let account_key = key.as_bytes().as_slice();
    // `execute` then a read, not `RETURNING` with `fetch_one`: the statement runs to its end
    // before the transaction commits. The upsert takes the row's lock, so concurrent failures
    // each count.
    let mut tx = begin_write::<B>(conn).await?;
    // A run whose lock has ended starts again at one; SET reads the row as it was.
    B::Db::execute(
        &mut tx,
        Statement::new(
            "INSERT INTO failed_sign_ins AS f \
             (account_key, failures, locked_until, last_failed_at) \
             VALUES ($1, 1, CASE WHEN $2 <= 1 THEN CAST($3 AS BIGINT) END, $4) \
             ON CONFLICT (account_key) DO UPDATE SET \
             failures = CASE WHEN f.locked_until <= $4 THEN 1 ELSE f.failures + 1 END, \
             locked_until = CASE \
               WHEN (CASE WHEN f.locked_until <= $4 THEN 1 ELSE f.failures + 1 END) >= $2 THEN $3 \
               WHEN f.locked_until <= $4 THEN NULL ELSE f.locked_until END, \
             last_failed_at = $4",
        )
        .bind(account_key)
        .bind(limit)
        .bind(lock_until)
        .bind(now.as_secs()),
    )
    .await?;
    let row = B::Db::fetch_one(
        &mut tx,
        Statement::new("SELECT locked_until FROM failed_sign_ins WHERE account_key = $1")
            .bind(account_key),
    )
    .await?;
    let until: Option<i64> = B::Db::get(&row, 0)?;
    tx.commit().await?;
    Ok(until.filter(|until| *until > now.as_secs()))
}
