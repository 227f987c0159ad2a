//! [`CertificateHistory`] on either database.

use async_trait::async_trait;
use synerise_auth_token::UnixTime;

use super::{
    Backend, Conn, Lock, SqlDb as _, Statement, begin_write, db_error, retire_on_fault,
    write_connection,
};
use crate::{CERTIFICATES_KEPT, CertificateHistory, RegisteredCertificate, Result};

#[async_trait]
impl<B: Backend> CertificateHistory for B {
    async fn register_certificate(
        &self,
        thumbprint: &str,
        spki_der: &[u8],
        now: UnixTime,
    ) -> Result<bool> {
        let mut conn = write_connection(self).await?;
        let registered = register::<B>(&mut conn, thumbprint, spki_der, now).await;
        retire_on_fault(&mut conn, registered).map_err(db_error::<B>)
    }

    async fn certificates(&self) -> Result<Vec<RegisteredCertificate>> {
        let rows = B::Db::read_all(
            &self.core().reader,
            Statement::new(
                "SELECT thumbprint, spki_der, registered_at FROM gate_certificates \
                 ORDER BY seq DESC",
            ),
        )
        .await
        .map_err(db_error::<B>)?;
        rows.iter()
            .map(|row| {
                Ok(RegisteredCertificate {
                    thumbprint: B::Db::get(row, 0)?,
                    spki_der: B::Db::get(row, 1)?,
                    registered_at: UnixTime::from_secs(B::Db::get(row, 2)?),
                })
            })
            .collect::<sqlx::Result<_>>()
            .map_err(db_error::<B>)
    }
}

/// Makes `thumbprint` the newest certificate, in one transaction; `false` when it already was.
async fn register<B: Backend>(
    conn: &mut Conn<B>,
    thumbprint: &str,
    spki_der: &[u8],
    now: UnixTime,
) -> sqlx::Result<bool> {
    // The write lock is taken first (SQLite's IMMEDIATE, PostgreSQL's advisory lock): instances
    // starting together register the same certificate, and a read-then-write transaction must
    // not race another writer (on SQLite it would fail at once with SQLITE_BUSY; on
    // PostgreSQL the second would fail on the unique thumbprint instead of seeing the first's
    // row).
    let mut tx = begin_write::<B>(conn).await?;
    B::lock(&mut tx, Lock::Certificates).await?;
    let newest = B::Db::fetch_optional(
        &mut tx,
        Statement::new("SELECT thumbprint FROM gate_certificates ORDER BY seq DESC LIMIT 1"),
    )
    .await?
    .map(|row| B::Db::get::<String>(&row, 0))
    .transpose()?;
    if newest.as_deref() == Some(thumbprint) {
        tx.rollback().await?;
        return Ok(false);
    }
    B::Db::execute(
        &mut tx,
        Statement::new("DELETE FROM gate_certificates WHERE thumbprint = $1").bind(thumbprint),
    )
    .await?;
    B::Db::execute(
        &mut tx,
        Statement::new(
            "INSERT INTO gate_certificates (thumbprint, spki_der, registered_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(thumbprint)
        .bind(spki_der)
        .bind(now.as_secs()),
    )
    .await?;
    B::Db::execute(
        &mut tx,
        Statement::new(
            "DELETE FROM gate_certificates WHERE seq NOT IN \
             (SELECT seq FROM gate_certificates ORDER BY seq DESC LIMIT $1)",
        )
        .bind(i64::from(CERTIFICATES_KEPT)),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
