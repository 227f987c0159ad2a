//! [`CertificateHistory`] on PostgreSQL.

use async_trait::async_trait;
use sqlx::{Connection as _, PgConnection};
use synerise_auth_token::UnixTime;

use super::{CERTIFICATES_LOCK, PostgresStore, advisory_lock, db_error, retire_on_fault};
use crate::{CERTIFICATES_KEPT, CertificateHistory, RegisteredCertificate, Result};

#[async_trait]
impl CertificateHistory for PostgresStore {
    async fn register_certificate(
        &self,
        thumbprint: &str,
        spki_der: &[u8],
        now: UnixTime,
    ) -> Result<bool> {
        let mut conn = self.connection().await?;
        let registered = register(&mut conn, thumbprint, spki_der, now).await;
        retire_on_fault(&mut conn, registered).map_err(db_error)
    }

    async fn certificates(&self) -> Result<Vec<RegisteredCertificate>> {
        let rows = sqlx::query_as::<_, (String, Vec<u8>, i64)>(
            "SELECT thumbprint, spki_der, registered_at FROM gate_certificates ORDER BY seq DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(thumbprint, spki_der, at)| RegisteredCertificate {
                thumbprint,
                spki_der,
                registered_at: UnixTime::from_secs(at),
            })
            .collect())
    }
}

/// Makes `thumbprint` the newest certificate, in one transaction; `false` when it already was.
async fn register(
    conn: &mut PgConnection,
    thumbprint: &str,
    spki_der: &[u8],
    now: UnixTime,
) -> sqlx::Result<bool> {
    let mut tx = conn.begin().await?;
    // Instances starting together register the same certificate: one at a time, so the second
    // sees the first's row instead of failing on the unique thumbprint.
    advisory_lock(&mut tx, CERTIFICATES_LOCK).await?;
    let newest = sqlx::query_scalar::<_, String>(
        "SELECT thumbprint FROM gate_certificates ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    if newest.as_deref() == Some(thumbprint) {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query("DELETE FROM gate_certificates WHERE thumbprint = $1")
        .bind(thumbprint)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO gate_certificates (thumbprint, spki_der, registered_at) VALUES ($1, $2, $3)",
    )
    .bind(thumbprint)
    .bind(spki_der)
    .bind(now.as_secs())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM gate_certificates WHERE seq NOT IN \
         (SELECT seq FROM gate_certificates ORDER BY seq DESC LIMIT $1)",
    )
    .bind(i64::from(CERTIFICATES_KEPT))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
