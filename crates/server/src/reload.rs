//! Reloading without a restart: on SIGHUP (or [`Reloader::reload`]), `serve` reads its settings
//! again (when it was given where they come from) and its key set, checks every key, and swaps
//! the new signing state in at once. A key set that does not load is refused with one log line
//! naming the file and the reason, and the previous keys keep signing.
//!
//! What reloads: the key set (`key`: a key file or a key directory, its active, next and retired
//! keys), `[token] ttl` and `kid`, and `[token_cache]`: everything that goes into signing, which
//! is built whole and swapped in one step. The mounted event gate follows the active key. Every
//! other setting is read at start only (the listening socket, the store, the limiters and the
//! identity provider's client are built from them once); a reload that finds one changed says
//! in the log that a restart is needed to apply it, and applies the rest.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, OnceLock, PoisonError},
};

use synerise_auth_token::CustomerUuid;

use crate::{
    Settings,
    gate::GateService,
    metrics::Metrics,
    signing::{Signing, SigningSettings},
    token_service::TokenService,
};

/// Where the settings come from, read again at each reload: the flags and environment `serve`
/// started with over the configuration file as it is now.
pub type SettingsSource = Box<dyn Fn() -> anyhow::Result<Settings> + Send + Sync>;

/// Reloads the key set and the signing settings of a running application; cheap to clone.
#[derive(Clone)]
pub struct Reloader {
    inner: Arc<Parts>,
}

struct Parts {
    tokens: Arc<TokenService>,
    gate: Option<GateService>,
    metrics: Arc<Metrics>,
    source: OnceLock<SettingsSource>,
    /// The settings last applied.
    running: Mutex<Settings>,
    /// One reload at a time: two signals in a row apply in order.
    serial: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader").finish_non_exhaustive()
    }
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadReport {
    /// The active key's kid after the reload.
    pub kid: String,
    /// The active key's kid before it.
    pub previous_kid: String,
    /// How many keys the set holds.
    pub keys: usize,
    /// The next key's kid, when one is waiting.
    pub next: Option<String>,
    /// Settings that changed but apply only after a restart.
    pub restart_needed: Vec<&'static str>,
}

impl ReloadReport {
    /// Whether another key signs now.
    #[must_use]
    pub fn key_changed(&self) -> bool {
        self.kid != self.previous_kid
    }
}

/// The signing settings in `settings`: in dev mode without a `key`, the data directory's key.
pub(crate) fn signing_settings(settings: &Settings) -> SigningSettings {
    SigningSettings {
        key: settings
            .key
            .clone()
            .unwrap_or_else(|| default_key_path(settings)),
        ttl: settings.token_ttl,
        kid: settings.token_kid.clone(),
        cache: settings.token_cache,
    }
}

/// Dev mode's key when none is configured.
pub(crate) fn default_key_path(settings: &Settings) -> PathBuf {
    settings.data_dir.join("private.pem")
}

impl Reloader {
    pub(crate) fn new(
        tokens: Arc<TokenService>,
        gate: Option<GateService>,
        metrics: Arc<Metrics>,
        running: Settings,
    ) -> Self {
        Self {
            inner: Arc::new(Parts {
                tokens,
                gate,
                metrics,
                source: OnceLock::new(),
                running: Mutex::new(running),
                serial: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Reads the settings from `source` at each reload from now on (the first call wins);
    /// without one, a reload reads the key set again with the settings the application started
    /// with.
    pub(crate) fn set_source(&self, source: SettingsSource) {
        let _first_wins = self.inner.source.set(source);
    }

    /// Reads the settings and the key set again and swaps them in; on any error, changes nothing
    /// and logs why in one line.
    ///
    /// # Errors
    /// When the settings do not resolve or a key does not load (the message names the file and
    /// the reason).
    pub async fn reload(&self) -> anyhow::Result<ReloadReport> {
        let _one_at_a_time = self.inner.serial.lock().await;
        match self.try_reload().await {
            Ok(report) => {
                self.inner.metrics.key_reload(true);
                Ok(report)
            }
            Err(error) => {
                self.inner.metrics.key_reload(false);
                tracing::error!(
                    error = format!("{error:#}"),
                    "reload refused; the previous keys and settings stay in use"
                );
                Err(error)
            }
        }
    }

    async fn try_reload(&self) -> anyhow::Result<ReloadReport> {
        let settings = match self.inner.source.get() {
            Some(source) => source()?,
            None => self.running().clone(),
        };
        let restart_needed = restart_needed(&self.running(), &settings);
        let wanted = signing_settings(&settings);
        let current = self.inner.tokens.signing();
        let mode = settings.mode;
        let loaded = {
            let current = Arc::clone(&current);
            tokio::task::spawn_blocking(move || -> anyhow::Result<Signing> {
                // What the key is comes first, its mode second (as at start).
                let key = wanted.key.clone();
                let loaded = Signing::load(wanted, Some(&current))?;
                crate::key_permissions::check_key_set_permissions(&key, mode)?;
                Ok(loaded)
            })
            .await??
        };
        let report = ReloadReport {
            kid: loaded.key_id.to_string(),
            previous_kid: current.key_id.to_string(),
            keys: 1 + usize::from(loaded.others.next().is_some()) + loaded.others.retired().len(),
            next: loaded.others.next().map(|k| k.thumbprint().to_owned()),
            restart_needed,
        };
        let public = loaded.public_key().clone();
        self.inner.tokens.replace(loaded);
        self.inner
            .metrics
            .signing_key(&report.kid, Some(&report.previous_kid));
        *self
            .inner
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = settings;

        if report.key_changed()
            && let Some(gate) = &self.inner.gate
            && let Err(error) = gate.follow(&public).await
        {
            tracing::warn!(
                error = format!("{error:#}"),
                "the event gate follows the new key, but its certificate history was not written"
            );
        }
        if !report.restart_needed.is_empty() {
            tracing::warn!(
                settings = report.restart_needed.join(", "),
                "these settings changed but apply only after a restart"
            );
        }
        tracing::info!(
            kid = %report.kid,
            previous = %report.previous_kid,
            keys = report.keys,
            next = report.next.as_deref().unwrap_or("none"),
            "key set reloaded"
        );
        Ok(report)
    }

    fn running(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Reloads on every SIGHUP, for as long as the process runs. Listening starts now, so a
    /// SIGHUP sent as soon as the ready line appears is a reload, never the default action
    /// (death by the signal).
    pub(crate) fn reload_on_hangup(&self) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut hangups = match signal(SignalKind::hangup()) {
                Ok(hangups) => hangups,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGHUP: reloading needs a restart");
                    return;
                }
            };
            let weak = Arc::downgrade(&self.inner);
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    let Some(inner) = weak.upgrade() else { return };
                    tracing::info!("SIGHUP: reloading the key set and the signing settings");
                    // Refusals are logged and counted by `reload`.
                    let _ = Self { inner }.reload().await;
                }
            });
        }
    }
}

/// The settings, other than the ones a reload applies, that differ between `old` and `new`.
fn restart_needed(old: &Settings, new: &Settings) -> Vec<&'static str> {
    let mut changed = Vec::new();
    // Compared by their `Debug` text: every field has one, and the secret ones are compared
    // below by what they do rather than by what they print.
    macro_rules! compare {
        ($($field:ident => $name:literal),* $(,)?) => {
            $( if format!("{:?}", old.$field) != format!("{:?}", new.$field) {
                changed.push($name);
            } )*
        };
    }
    compare!(
        mode => "production",
        listen => "listen",
        data_dir => "data_dir",
        leeway_secs => "leeway_secs",
        signup => "signup",
        demo_account => "demo_account",
        sessions => "[sessions]",
        allow_client_uuid => "[token] allow_client_uuid",
        allowed_origins => "allowed_origins",
        limits => "[limits]",
        oidc => "[oidc]",
        metrics => "[metrics]",
        gate => "[gate]",
        connections => "[connections]",
        request_timeout => "[connections] request_timeout",
        drain => "[shutdown] drain",
        hashing => "[password_hashing]",
        identity_cookie => "[sessions] identity_cookie",
    );
    if !old.api_keys.same_keys(&new.api_keys) {
        changed.push("api_keys");
    }
    let probe = |settings: &Settings| {
        settings
            .uuid_salt
            .as_ref()
            .map(|salt| CustomerUuid::derive(salt, "a probe, never a customer"))
    };
    if probe(old) != probe(new) {
        changed.push("uuid_salt");
    }
    changed
}
