//! [`DecisionLog`] on PostgreSQL: one row per decision, the newest kept.

use async_trait::async_trait;
use sqlx::{Connection as _, PgConnection, Row as _, postgres::PgRow};
use synerise_auth_token::UnixTime;

use super::{DECISIONS_LOCK, PostgresStore, advisory_lock, db_error, retire_on_fault};
use crate::{
    DecisionId, DecisionLog, DecisionQuery, DecisionRecord, LoggedDecision, MAX_DECISIONS_LISTED,
    PRUNED_PER_DECISION, Result, StoreError,
};

#[async_trait]
impl DecisionLog for PostgresStore {
    async fn record(&self, decision: &DecisionRecord) -> Result<DecisionId> {
        let mut conn = self.connection().await?;
        let recorded = insert_decision(&mut conn, decision, self.decisions_kept).await;
        let id = retire_on_fault(&mut conn, recorded).map_err(db_error)?;
        Ok(DecisionId::new(id))
    }

    async fn list(&self, query: &DecisionQuery) -> Result<Vec<LoggedDecision>> {
        let limit = query.limit.clamp(1, MAX_DECISIONS_LISTED);
        // One fixed statement: an absent filter is a NULL that matches everything.
        let rows = sqlx::query(
            "SELECT id, at, action, label, uuid, accepted, status, reason, detail, rule, \
             token_sent, token_email_tag, warning FROM gate_decisions \
             WHERE ($1::BOOLEAN IS NULL OR accepted = $1) AND ($2::TEXT IS NULL OR action = $2) \
             AND id > $3 ORDER BY id DESC LIMIT $4",
        )
        .bind(query.accepted)
        .bind(query.action.as_deref())
        .bind(query.after.map_or(0, DecisionId::get))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(logged_decision).collect()
    }
}

/// Inserts `decision` and deletes all but the newest `kept`, in one transaction; the new id.
async fn insert_decision(
    conn: &mut PgConnection,
    decision: &DecisionRecord,
    kept: u32,
) -> sqlx::Result<i64> {
    let mut tx = conn.begin().await?;
    // One writer at a time, until commit: ids then become visible in the order they are handed
    // out, as with SQLite's single writer, so `id > n` never skips a late commit.
    advisory_lock(&mut tx, DECISIONS_LOCK).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO gate_decisions (at, action, label, uuid, accepted, status, reason, detail, \
         rule, token_sent, token_email_tag, warning) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(decision.at.as_secs())
    .bind(decision.action.as_deref())
    .bind(decision.label.as_deref())
    .bind(decision.uuid.as_deref())
    .bind(decision.accepted)
    .bind(i16::try_from(decision.status).unwrap_or(i16::MAX))
    .bind(decision.reason.as_deref())
    .bind(&decision.detail)
    .bind(decision.rule.as_deref())
    .bind(decision.token_sent)
    .bind(decision.token_email_tag.as_deref())
    .bind(decision.warning.as_deref())
    .fetch_one(&mut *tx)
    .await?;
    // Ids only grow, so everything at or below `id - kept` is older than the newest `kept`: the
    // oldest of those, never more than PRUNED_PER_DECISION.
    sqlx::query(
        "DELETE FROM gate_decisions WHERE id IN \
         (SELECT id FROM gate_decisions WHERE id <= $1 ORDER BY id LIMIT $2)",
    )
    .bind(id.saturating_sub(i64::from(kept)))
    .bind(PRUNED_PER_DECISION)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn logged_decision(row: &PgRow) -> Result<LoggedDecision> {
    let status: i16 = row.try_get("status").map_err(db_error)?;
    Ok(LoggedDecision {
        id: DecisionId::new(row.try_get("id").map_err(db_error)?),
        record: DecisionRecord {
            at: UnixTime::from_secs(row.try_get("at").map_err(db_error)?),
            action: row.try_get("action").map_err(db_error)?,
            label: row.try_get("label").map_err(db_error)?,
            uuid: row.try_get("uuid").map_err(db_error)?,
            accepted: row.try_get("accepted").map_err(db_error)?,
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt("a stored decision's status is out of range"))?,
            reason: row.try_get("reason").map_err(db_error)?,
            detail: row.try_get("detail").map_err(db_error)?,
            rule: row.try_get("rule").map_err(db_error)?,
            token_sent: row.try_get("token_sent").map_err(db_error)?,
            token_email_tag: row.try_get("token_email_tag").map_err(db_error)?,
            warning: row.try_get("warning").map_err(db_error)?,
        },
    })
}
