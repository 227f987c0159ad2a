//! The event gate run alone: `synerise-auth gate`.

use std::{
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
};

use anyhow::Context as _;
use synerise_auth_app::{GateNotes, GateService};
use synerise_auth_gate::EventSettings;
use synerise_auth_store::SqliteStore;
use synerise_auth_token::{Clock, LogTagKey, PublicKey, SystemClock};

use crate::{
    SettingsLayer,
    config::DATABASE_FILE,
    files::{ensure_dir, read_or_create_secret},
    listening::Listening,
    routes::gate::standalone_router,
};

/// Where `synerise-auth gate` listens unless told otherwise: next to `serve`'s 8080, so both can
/// run on one machine.
pub const DEFAULT_GATE_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8081);

/// The file in the data directory that keeps the gate's log-tag key when it runs alone.
const LOG_TAG_KEY_FILE: &str = "log-tag-key";

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
        let connections = layer
            .connections
            .resolve()
            .map_err(crate::SettingsError::placed)?;
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
    listening: Listening,
    service: GateService,
    notes: GateNotes,
    database: PathBuf,
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
            read_or_create_secret(&settings.data_dir.join(LOG_TAG_KEY_FILE))?.as_bytes(),
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
        Ok(Self {
            listening: Listening::bind(settings.listen, settings.connections).await?,
            service,
            notes,
            database,
        })
    }

    /// The bound address (its port is the real one when 0 was asked for).
    ///
    /// # Errors
    /// When the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listening.local_addr()
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
        let router = standalone_router(self.service.clone());
        self.listening.run(router, Some(self.service), None).await
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
        let signal = Box::pin(signal);
        self.listening
            .run(router, Some(self.service), Some(signal))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
