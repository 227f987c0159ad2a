//! The event gate as a service (its HTTP routes are the server's `routes::gate`): the gate crate's pure decision, the log it writes to, the clock,
//! and the live feed of new decisions.
//!
//! The registered certificate is remembered in the data directory ([`CertificateHistory`]): when
//! the gate starts with another certificate than last time, the previous ones stay known, and
//! tokens they signed are refused as `certificate_replaced` (never accepted).

use std::sync::Arc;

use anyhow::Context as _;
use arc_swap::ArcSwap;
use synerise_auth_gate::{CertificateRegistry, EventSettings, Gate, MAX_REPLACED};
use synerise_auth_store::{
    CertificateHistory, DecisionId, DecisionLog, DecisionRecord, LoggedDecision, Store, StoreError,
};
use synerise_auth_token::{Clock, LogTagKey, PublicKey, UnixTime};
use tokio::sync::{broadcast, watch};

/// How many new decisions the live feed buffers for a slow reader before it drops the reader
/// (which then reconnects and catches up from the log).
const FEED_CAPACITY: usize = 256;

/// The event gate with its log: shared by the routes; cheap to clone.
#[derive(Debug, Clone)]
pub struct GateService {
    inner: Arc<GateParts>,
}

/// What the clones of a [`GateService`] share.
#[derive(Debug)]
struct GateParts {
    /// Swapped whole when `serve` activates another key (see [`GateService::follow`]).
    gate: ArcSwap<Gate>,
    log: Arc<dyn DecisionLog>,
    history: Arc<dyn CertificateHistory>,
    clock: Arc<dyn Clock>,
    /// Each decision once it is logged, for `GET /gate/v1/events/stream`.
    feed: broadcast::Sender<LoggedDecision>,
    /// Set to `true` on shutdown, so that open streams end and graceful shutdown can finish.
    closing: watch::Sender<bool>,
}

/// What opening the gate found, for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateNotes {
    /// The active certificate's RFC 7638 thumbprint.
    pub certificate: String,
    /// Whether it differs from the certificate the gate had last time in this data directory
    /// (`false` on the first start, too).
    pub replaced_previous: bool,
    /// The replaced certificates still known (thumbprints, newest first): their tokens are
    /// refused as `certificate_replaced`.
    pub replaced: Vec<String>,
    /// Unwise but allowed event settings, one sentence each (also logged as warnings).
    pub warnings: Vec<String>,
}

impl GateService {
    /// Registers `certificate` as the active one in `store`'s certificate history, rebuilds the
    /// registry from that history (the previous certificates are remembered as replaced), and
    /// opens the gate on `store`'s decision log.
    ///
    /// # Errors
    /// When the store cannot be read or written.
    pub async fn open(
        store: Arc<dyn Store>,
        certificate: &PublicKey,
        settings: EventSettings,
        leeway_secs: u32,
        clock: Arc<dyn Clock>,
        log_tags: LogTagKey,
    ) -> anyhow::Result<(Self, GateNotes)> {
        let first_start = store.certificates().await?.is_empty();
        let changed = store
            .register_certificate(
                certificate.thumbprint(),
                certificate.spki_der(),
                clock.now(),
            )
            .await
            .context("cannot record the gate's certificate")?;
        let history = store.certificates().await?;

        // Rebuilt oldest first, so that each `replace` pushes the one before it onto the
        // replaced list and the active certificate ends up on top.
        let older: Vec<PublicKey> = history
            .iter()
            .filter(|c| c.thumbprint != certificate.thumbprint())
            .take(MAX_REPLACED)
            .filter_map(|c| match PublicKey::from_der(&c.spki_der, "a remembered certificate") {
                Ok(key) => Some(key),
                Err(e) => {
                    tracing::warn!(thumbprint = %c.thumbprint, error = %e, "skipping a remembered gate certificate");
                    None
                }
            })
            .collect();
        let registry = match older.split_last() {
            None => CertificateRegistry::new(certificate).with_leeway(leeway_secs),
            Some((oldest, newer)) => {
                let mut registry = CertificateRegistry::new(oldest).with_leeway(leeway_secs);
                for key in newer.iter().rev() {
                    registry.replace(key);
                }
                registry.replace(certificate);
                registry
            }
        };

        let warnings: Vec<String> = settings
            .warnings()
            .iter()
            .map(ToString::to_string)
            .collect();
        for (warning, text) in settings.warnings().iter().zip(&warnings) {
            tracing::warn!(code = warning.code(), "{text}");
        }
        let notes = GateNotes {
            certificate: certificate.thumbprint().to_owned(),
            replaced_previous: changed && !first_start,
            replaced: registry
                .replaced()
                .map(|k| k.thumbprint().to_owned())
                .collect(),
            warnings,
        };
        tracing::info!(
            certificate = %notes.certificate,
            replaced = notes.replaced.len(),
            unlisted = settings.unlisted().key(),
            "event gate open"
        );
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        let (closing, _) = watch::channel(false);
        let service = Self {
            inner: Arc::new(GateParts {
                gate: ArcSwap::from_pointee(Gate::new(settings, registry, log_tags)),
                history: Arc::clone(&store) as Arc<dyn CertificateHistory>,
                log: store,
                clock,
                feed,
                closing,
            }),
        };
        Ok((service, notes))
    }

    /// The gate: settings, certificate, decision.
    #[must_use]
    pub fn gate(&self) -> arc_swap::Guard<Arc<Gate>> {
        self.inner.gate.load()
    }

    /// Registers `certificate` as the active one, as pasting it into Synerise does: tokens of the
    /// key it replaces are refused as `certificate_replaced` from the next event on. The
    /// certificate history in the store is updated too, so a restart remembers. Returns whether
    /// the active certificate changed.
    ///
    /// # Errors
    /// When the history cannot be written; the gate has switched all the same (it follows the
    /// key that signs), and the next start registers the certificate again.
    pub async fn follow(&self, certificate: &PublicKey) -> anyhow::Result<bool> {
        let mut gate = Gate::clone(&self.inner.gate.load());
        if !gate.certificates_mut().replace(certificate) {
            return Ok(false);
        }
        self.inner.gate.store(Arc::new(gate));
        self.inner
            .history
            .register_certificate(
                certificate.thumbprint(),
                certificate.spki_der(),
                self.inner.clock.now(),
            )
            .await
            .context("cannot record the gate's new certificate")?;
        Ok(true)
    }

    /// The current time.
    #[must_use]
    pub fn now(&self) -> UnixTime {
        self.inner.clock.now()
    }

    /// The decision log.
    #[must_use]
    pub fn log(&self) -> &dyn DecisionLog {
        self.inner.log.as_ref()
    }

    /// Keeps a decision and tells the live feed, once it is committed.
    ///
    /// # Errors
    /// When the log cannot be written: the decision is then not answered either (every answered
    /// decision is in the log), and the caller replies with the error instead.
    pub async fn record(&self, record: &DecisionRecord) -> Result<DecisionId, StoreError> {
        let id = self.inner.log.record(record).await?;
        if self.inner.feed.receiver_count() > 0 {
            // A reader may still go between the count and the send: that is not an error.
            let _ = self.inner.feed.send(LoggedDecision {
                id,
                record: record.clone(),
            });
        }
        Ok(id)
    }

    /// A receiver of decisions logged from now on.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<LoggedDecision> {
        self.inner.feed.subscribe()
    }

    /// A receiver that turns `true` when the gate closes.
    #[must_use]
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Ends every open live feed, so that graceful shutdown does not wait on them. New requests
    /// are still decided.
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }
}

/// Opens the gate `serve` mounts (when its settings say so), with the service's own public key as
/// the registered certificate, so that the tokens it issues are the ones the gate accepts.
///
/// # Errors
/// When the store cannot be read or written.
pub async fn open_for_serve(
    events: Option<&EventSettings>,
    leeway_secs: u32,
    store: &Arc<dyn Store>,
    certificate: &PublicKey,
    clock: &Arc<dyn Clock>,
    log_tags: &LogTagKey,
) -> anyhow::Result<Option<GateService>> {
    let Some(events) = events else {
        return Ok(None);
    };
    let (service, _) = GateService::open(
        Arc::clone(store),
        certificate,
        events.clone(),
        leeway_secs,
        Arc::clone(clock),
        log_tags.clone(),
    )
    .await?;
    Ok(Some(service))
}
