//! The event gate as a service: the gate crate's pure decision, the log it writes to, the clock,
//! and the live feed of new decisions. Mounted in `serve` (dev mode, or `gate_enabled`), or run
//! alone by [`GateApplication`] (`synerise-auth gate`).
//!
//! The registered certificate is remembered in the data directory ([`CertificateHistory`]): when
//! the gate starts with another certificate than last time, the previous ones stay known, and
//! tokens they signed are refused as `certificate_replaced` (never accepted).

use std::{
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
};

use anyhow::Context as _;
use axum::Router;
use synerise_auth_gate::{CertificateRegistry, EventSettings, Gate, MAX_REPLACED};
use synerise_auth_store::{
    CertificateHistory, DecisionId, DecisionLog, DecisionRecord, LoggedDecision, SqliteStore,
    StoreError,
};
use synerise_auth_token::{Clock, LogTagKey, PublicKey, SystemClock, UnixTime};
use tokio::{
    net::TcpListener,
    sync::{broadcast, watch},
};

use crate::{
    Mode, SettingsLayer,
    config::DATABASE_FILE,
    routes::gate::{gate_router, standalone_router},
    startup::{ensure_dir, shutdown_signal},
};

/// Where `synerise-auth gate` listens unless told otherwise: next to `serve`'s 8080, so both can
/// run on one machine.
pub const DEFAULT_GATE_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8081);

/// The file in the data directory that keeps the gate's log-tag key when it runs alone.
const LOG_TAG_KEY_FILE: &str = "log-tag-key";

/// How many new decisions the live feed buffers for a slow reader before it drops the reader
/// (which then reconnects and catches up from the log).
const FEED_CAPACITY: usize = 256;

/// The event gate with its log: shared by the routes; cheap to clone.
#[derive(Debug, Clone)]
pub struct GateService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    gate: Gate,
    log: Arc<dyn DecisionLog>,
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
    pub async fn open<S>(
        store: Arc<S>,
        certificate: &PublicKey,
        settings: EventSettings,
        leeway_secs: u32,
        clock: Arc<dyn Clock>,
        log_tags: LogTagKey,
    ) -> anyhow::Result<(Self, GateNotes)>
    where
        S: DecisionLog + CertificateHistory + 'static,
    {
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
            inner: Arc::new(Inner {
                gate: Gate::new(settings, registry, log_tags),
                log: store,
                clock,
                feed,
                closing,
            }),
        };
        Ok((service, notes))
    }

    /// The gate: settings, certificate, decision.
    pub(crate) fn gate(&self) -> &Gate {
        &self.inner.gate
    }

    /// The current time.
    pub(crate) fn now(&self) -> UnixTime {
        self.inner.clock.now()
    }

    /// The decision log.
    pub(crate) fn log(&self) -> &dyn DecisionLog {
        self.inner.log.as_ref()
    }

    /// Keeps a decision and tells the live feed, once it is committed.
    ///
    /// # Errors
    /// When the log cannot be written: the decision is then not answered either (every answered
    /// decision is in the log), and the caller replies with the error instead.
    pub(crate) async fn record(&self, record: &DecisionRecord) -> Result<DecisionId, StoreError> {
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
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<LoggedDecision> {
        self.inner.feed.subscribe()
    }

    /// A receiver that turns `true` when the gate closes.
    pub(crate) fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Ends every open live feed, so that graceful shutdown does not wait on them. New requests
    /// are still decided.
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }
}

/// The event settings `serve` mounts the gate with, or `None` when it is not mounted: mounted by
/// default in dev mode, and in production only with `gate_enabled = true`; `[gate]` in the file
/// sets the lists (the defaults otherwise).
pub(crate) fn serve_gate_settings(
    mode: Mode,
    enabled: Option<bool>,
    events: Option<EventSettings>,
) -> Option<EventSettings> {
    enabled
        .unwrap_or(mode == Mode::Dev)
        .then(|| events.unwrap_or_default())
}

/// Opens the gate `serve` mounts (when its settings say so), with the service's own public key as
/// the registered certificate, so that the tokens it issues are the ones the gate accepts.
pub(crate) async fn open_for_serve(
    events: Option<&EventSettings>,
    leeway_secs: u32,
    store: &Arc<SqliteStore>,
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

/// `router` with the gate's routes added, when there is a gate.
pub(crate) fn with_gate(router: Router, gate: Option<&GateService>) -> Router {
    match gate {
        Some(gate) => router.merge(gate_router(gate.clone())),
        None => router,
    }
}

/// The settings of the gate run alone.
#[derive(Debug, Clone)]
pub struct GateSettings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where the log and the certificate history live (`DATA_DIR/synerise-auth.db`, the file
    /// `serve` uses).
    pub data_dir: PathBuf,
    /// The registered certificate.
    pub certificate: PublicKey,
    /// The event settings.
    pub events: EventSettings,
    /// Clock-skew allowance in seconds when verifying tokens.
    pub leeway_secs: u32,
    /// Connection limits and timeouts.
    pub connections: crate::ConnectionLimits,
}

impl GateSettings {
    /// Settings from the merged configuration layers (`data_dir`, `leeway_secs` and `[gate]` are
    /// read; `listen` is not, because it is `serve`'s address), an address and a certificate.
    ///
    /// # Errors
    /// When a connection setting is out of range.
    pub fn from_layer(
        layer: SettingsLayer,
        listen: Option<SocketAddr>,
        certificate: PublicKey,
    ) -> Result<Self, crate::SettingsError> {
        let connections = layer.connections.resolve()?;
        Ok(Self {
            listen: listen.unwrap_or(DEFAULT_GATE_LISTEN),
            data_dir: layer.data_dir_or_default(),
            certificate,
            events: layer.gate.events.unwrap_or_default(),
            leeway_secs: layer.leeway_secs.unwrap_or(30),
            connections,
        })
    }
}

/// The gate alone, bound and ready to serve: `synerise-auth gate`.
#[derive(Debug)]
pub struct GateApplication {
    listener: TcpListener,
    service: GateService,
    notes: GateNotes,
    database: PathBuf,
    connections: crate::ConnectionLimits,
}

impl GateApplication {
    /// Opens the store in the data directory, registers the certificate, and binds the port.
    ///
    /// # Errors
    /// A message saying what to fix: an unwritable data dir, a port in use.
    pub async fn build(settings: GateSettings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`build`](Self::build), with the clock tests pin.
    ///
    /// # Errors
    /// As [`build`](Self::build).
    pub async fn build_with_clock(
        settings: GateSettings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        ensure_dir(&settings.data_dir)?;
        let database = settings.data_dir.join(DATABASE_FILE);
        let store = Arc::new(
            SqliteStore::open(&database)
                .await
                .with_context(|| format!("cannot open {}", database.display()))?,
        );
        // Run alone, the gate has no UUID salt to derive its log-tag key from: it keeps a random
        // one in the data directory.
        let log_tags = LogTagKey::from_secret(
            crate::startup::read_or_create_secret(&settings.data_dir.join(LOG_TAG_KEY_FILE))?
                .as_bytes(),
        );
        let (service, notes) = GateService::open(
            store,
            &settings.certificate,
            settings.events,
            settings.leeway_secs,
            clock,
            log_tags,
        )
        .await?;
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        Ok(Self {
            listener,
            service,
            notes,
            database,
            connections: settings.connections,
        })
    }

    /// The bound address (its port is the real one when 0 was asked for).
    ///
    /// # Errors
    /// When the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// What start-up found.
    #[must_use]
    pub fn notes(&self) -> &GateNotes {
        &self.notes
    }

    /// The SQLite file the decisions are kept in.
    #[must_use]
    pub fn database(&self) -> &std::path::Path {
        &self.database
    }

    /// Serves until SIGTERM or Ctrl-C, then ends the live feeds and finishes the requests in
    /// flight.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `signal` completes.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_with_shutdown(
        self,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = standalone_router(self.service.clone());
        crate::startup::serve_until(
            self.listener,
            router,
            self.connections,
            Some(self.service),
            signal,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use synerise_auth_gate::{Action, ActionList, Rule, UnlistedPolicy};

    use super::*;
    use crate::Settings;

    #[test]
    fn mounted_by_default_in_dev_mode_only() {
        assert_eq!(
            serve_gate_settings(Mode::Dev, None, None),
            Some(EventSettings::default())
        );
        assert_eq!(serve_gate_settings(Mode::Production, None, None), None);
        assert_eq!(serve_gate_settings(Mode::Dev, Some(false), None), None);
        assert_eq!(
            serve_gate_settings(Mode::Production, Some(true), None),
            Some(EventSettings::default())
        );
        // A `[gate]` table alone does not mount it in production.
        let strict = EventSettings::default().with_unlisted(UnlistedPolicy::RequireToken);
        assert_eq!(
            serve_gate_settings(Mode::Production, None, Some(strict.clone())),
            None
        );
        assert_eq!(
            serve_gate_settings(Mode::Dev, None, Some(strict.clone())),
            Some(strict)
        );
    }

    #[test]
    fn the_gate_table_and_switch_come_from_the_file_and_the_environment() {
        let file: SettingsLayer = toml::from_str(
            "gate_enabled = false\n[gate]\nrequire_token = [\"form.submit\", \"transaction.charge\"]\nunlisted = \"require_token\"\n",
        )
        .unwrap();
        let env = SettingsLayer::from_env(|name| {
            (name == "SYNERISE_AUTH_GATE_ENABLED").then(|| "true".to_owned())
        })
        .unwrap();
        let settings = Settings::resolve(env.over(file).unwrap()).unwrap();
        let events = settings.gate.unwrap();
        assert_eq!(events.unlisted(), UnlistedPolicy::RequireToken);
        assert_eq!(
            events.rule_for(&Action::parse("transaction.charge").unwrap()),
            Rule::Listed(ActionList::RequireToken)
        );
        // Lists not set keep their defaults.
        assert_eq!(
            events.rule_for(&Action::parse("page.visit").unwrap()),
            Rule::Listed(ActionList::Anonymous)
        );

        let off: SettingsLayer = toml::from_str("gate_enabled = false").unwrap();
        assert!(Settings::resolve(off).unwrap().gate.is_none());
    }

    #[test]
    fn mistakes_in_the_gate_table_are_refused() {
        for text in [
            "[gate]\nrequire_tokens = [\"form.submit\"]\n",
            "[gate]\nanonymous = [\"form.submit\"]\n",
            "[gate]\nunlisted = \"sometimes\"\n",
            "[gate]\nrequire_token = [\"form submit\"]\n",
        ] {
            assert!(toml::from_str::<SettingsLayer>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn the_gate_alone_reads_its_own_address_not_serves() {
        let layer: SettingsLayer =
            toml::from_str("listen = \"127.0.0.1:9999\"\ndata_dir = \"/tmp/x\"\nleeway_secs = 5\n")
                .unwrap();
        let key = synerise_auth_token::SigningKey::generate(2048).unwrap();
        let settings = GateSettings::from_layer(layer, None, key.public_key().clone()).unwrap();
        assert_eq!(settings.listen, DEFAULT_GATE_LISTEN);
        assert_eq!(settings.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(settings.leeway_secs, 5);
        assert_eq!(settings.events, EventSettings::default());
    }
}
