//! [`DecisionLog`] on either database: one row per decision, the newest kept.

use async_trait::async_trait;
use synerise_auth_token::UnixTime;

use super::{
    Backend, Conn, Lock, SqlDb as _, Statement, begin_write, db_error, retire_on_fault,
    write_connection,
};
use crate::{
    DecisionId, DecisionLog, DecisionQuery, DecisionRecord, LoggedDecision, MAX_DECISIONS_LISTED,
    PRUNED_PER_DECISION, Result, StoreError,
};

#[async_trait]
impl<B: Backend> DecisionLog for B {
    async fn record(&self, decision: &DecisionRecord) -> Result<DecisionId> {
        let mut conn = write_connection(self).await?;
        let recorded = insert_decision::<B>(&mut conn, decision, self.core().decisions_kept).await;
        let id = retire_on_fault(&mut conn, recorded).map_err(db_error::<B>)?;
        Ok(DecisionId::new(id))
    }

    async fn list(&self, query: &DecisionQuery) -> Result<Vec<LoggedDecision>> {
        let limit = query.limit.clamp(1, MAX_DECISIONS_LISTED);
        // One fixed statement: an absent filter is a NULL that matches everything (the CASTs
        // give the NULL a type).
        let rows = B::Db::read_all(
            &self.core().reader,
            Statement::new(
                "SELECT id, at, action, label, uuid, accepted, CAST(status AS BIGINT), reason, \
                 detail, rule, token_sent, token_email_tag, warning FROM gate_decisions \
                 WHERE (CAST($1 AS BOOLEAN) IS NULL OR accepted = $1) \
                 AND (CAST($2 AS TEXT) IS NULL OR action = $2) \
                 AND id > $3 ORDER BY id DESC LIMIT $4",
            )
            .bind(query.accepted)
            .bind(query.action.as_deref())
            .bind(query.after.map_or(0, DecisionId::get))
            .bind(i64::from(limit)),
        )
        .await
        .map_err(db_error::<B>)?;
        rows.iter().map(logged_decision::<B>).collect()
    }
}

/// Inserts `decision` and deletes all but the newest `kept`, in one transaction; the new id.
async fn insert_decision<B: Backend>(
    conn: &mut Conn<B>,
    decision: &DecisionRecord,
    kept: u32,
) -> sqlx::Result<i64> {
    let mut tx = begin_write::<B>(conn).await?;
    // One writer at a time, until commit: ids then become visible in the order they are handed
    // out, so `id > n` never skips a late commit.
    B::lock(&mut tx, Lock::Decisions).await?;
    let id = B::insert_returning_id(
        &mut tx,
        Statement::new(
            "INSERT INTO gate_decisions (at, action, label, uuid, accepted, status, reason, \
             detail, rule, token_sent, token_email_tag, warning) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(decision.at.as_secs())
        .bind(decision.action.as_deref())
        .bind(decision.label.as_deref())
        .bind(decision.uuid.as_deref())
        .bind(decision.accepted)
        .bind(i64::from(decision.status))
        .bind(decision.reason.as_deref())
        .bind(decision.detail.as_str())
        .bind(decision.rule.as_deref())
        .bind(decision.token_sent)
        .bind(decision.token_email_tag.as_deref())
        .bind(decision.warning.as_deref()),
    )
    .await?;
    // Ids only grow, so everything at or below `id - kept` is older than the newest `kept`: the
    // oldest of those, on the primary key, usually one row and never more than
    // PRUNED_PER_DECISION.
    B::Db::execute(
        &mut tx,
        Statement::new(
            "DELETE FROM gate_decisions WHERE id IN \
             (SELECT id FROM gate_decisions WHERE id <= $1 ORDER BY id LIMIT $2)",
        )
        .bind(id.saturating_sub(i64::from(kept)))
        .bind(PRUNED_PER_DECISION),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn logged_decision<B: Backend>(row: &<B::Db as sqlx::Database>::Row) -> Result<LoggedDecision> {
    let get = |index| B::Db::get(row, index).map_err(db_error::<B>);
    let text = |index| B::Db::get(row, index).map_err(db_error::<B>);
    let flag = |index| B::Db::get(row, index).map_err(db_error::<B>);
    let status: i64 = get(6)?;
    Ok(LoggedDecision {
        id: DecisionId::new(get(0)?),
        record: DecisionRecord {
            at: UnixTime::from_secs(get(1)?),
            action: text(2)?,
            label: text(3)?,
            uuid: text(4)?,
            accepted: flag(5)?,
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt("a stored decision's status is out of range"))?,
            reason: text(7)?,
            detail: B::Db::get(row, 8).map_err(db_error::<B>)?,
            rule: text(9)?,
            token_sent: flag(10)?,
            token_email_tag: text(11)?,
            warning: text(12)?,
        },
    })
}
