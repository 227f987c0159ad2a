//! [`DecisionLog`] on SQLite: one row per decision, the newest kept.

use async_trait::async_trait;
use sqlx::{Connection as _, Row as _, SqliteConnection, sqlite::SqliteRow};
use synerise_auth_token::UnixTime;

use super::{SqliteStore, db_error, retire_on_fault};
use crate::{
    DecisionId, DecisionLog, DecisionQuery, DecisionRecord, LoggedDecision, MAX_DECISIONS_LISTED,
    PRUNED_PER_DECISION, Result, StoreError,
};

#[async_trait]
impl DecisionLog for SqliteStore {
    async fn record(&self, decision: &DecisionRecord) -> Result<DecisionId> {
        let mut conn = self.write_connection().await?;
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
             WHERE (? IS NULL OR accepted = ?) AND (? IS NULL OR action = ?) AND id > ? \
             ORDER BY id DESC LIMIT ?",
        )
        .bind(query.accepted)
        .bind(query.accepted)
        .bind(query.action.as_deref())
        .bind(query.action.as_deref())
        .bind(query.after.map_or(0, DecisionId::get))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db_error)?;
        rows.iter().map(logged_decision).collect()
    }
}

/// Inserts `decision` and deletes all but the newest `kept`, in one transaction; the new id.
async fn insert_decision(
    conn: &mut SqliteConnection,
    decision: &DecisionRecord,
    kept: u32,
) -> sqlx::Result<i64> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let id = sqlx::query(
        "INSERT INTO gate_decisions (at, action, label, uuid, accepted, status, reason, detail, \
         rule, token_sent, token_email_tag, warning) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(decision.at.as_secs())
    .bind(decision.action.as_deref())
    .bind(decision.label.as_deref())
    .bind(decision.uuid.as_deref())
    .bind(decision.accepted)
    .bind(i64::from(decision.status))
    .bind(decision.reason.as_deref())
    .bind(&decision.detail)
    .bind(decision.rule.as_deref())
    .bind(decision.token_sent)
    .bind(decision.token_email_tag.as_deref())
    .bind(decision.warning.as_deref())
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    // Ids only grow, so everything at or below `id - kept` is older than the newest `kept`: the
    // oldest of those, on the primary key, usually one row and never more than
    // PRUNED_PER_DECISION.
    sqlx::query(
        "DELETE FROM gate_decisions WHERE id IN \
         (SELECT id FROM gate_decisions WHERE id <= ? ORDER BY id LIMIT ?)",
    )
    .bind(id.saturating_sub(i64::from(kept)))
    .bind(PRUNED_PER_DECISION)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn logged_decision(row: &SqliteRow) -> Result<LoggedDecision> {
    let status: i64 = row.try_get("status").map_err(db_error)?;
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
