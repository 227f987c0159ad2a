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

use synerise_auth_app::{GateService, TokenService};
use synerise_auth_issuing::SigningSettings;
use synerise_auth_token::{CustomerUuid, KeySet};

use crate::{Settings, metrics::Metrics};

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
        let mode = settings.mode;
        let reloaded = {
            let tokens = Arc::clone(&self.inner.tokens);
            tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                // What the key is comes first, its mode second (as at start): the set is read
                // once to name a public, foreign or encrypted key as such, and only swapped in
                // after its files' modes pass.
                KeySet::load(&wanted.key)?;
                crate::key_permissions::check_key_set_permissions(&wanted.key, mode)?;
                Ok(tokens.tokens().reload_with(wanted)?)
            })
            .await??
        };
        let report = ReloadReport {
            kid: reloaded.key_id.clone(),
            previous_kid: reloaded.previous_key_id.clone(),
            keys: reloaded.keys,
            next: reloaded.next.clone(),
            restart_needed,
        };
        let public = reloaded.public_key;
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
    // Compared as typed values; the secret ones by digest (the API keys, the salt below) or in
    // constant time (the database URL), never by what they print. The pattern names every
    // field, so a setting added later does not compile until it is placed here or below.
    macro_rules! compare {
        ($($field:ident => $name:literal),* $(,)?; applied: $($applied:ident),* $(,)?) => {
            let Settings { $($field: _,)* $($applied: _,)* uuid_salt: _ } = old;
            $( if old.$field != new.$field {
                changed.push($name);
            } )*
        };
    }
    compare!(
        mode => "production",
        listen => "listen",
        data_dir => "data_dir",
        database => "[database]",
        api_keys => "api_keys",
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
        trusted_proxies => "[connections] trusted_proxies",
        hashing => "[password_hashing]",
        identity_cookie => "[sessions] identity_cookie";
        applied: key, token_ttl, token_kid, token_cache,
    );
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use synerise_auth_token::UuidSalt;

    use super::*;
    use crate::{DatabaseSettings, TrustedProxies};

    fn base() -> Settings {
        let mut settings = Settings::for_test(Path::new("/nowhere"));
        settings.uuid_salt = Some(UuidSalt::new("the first salt").unwrap());
        settings
            .with_api_keys(&["an API key of twenty-odd characters".to_owned()])
            .unwrap()
    }

    #[test]
    fn the_same_settings_need_no_restart_and_signing_ones_apply_by_reload() {
        let mut new = base();
        assert!(restart_needed(&base(), &new).is_empty());
        new.token_ttl = "1h".parse().unwrap();
        new.key = Some("/elsewhere/key.pem".into());
        assert!(restart_needed(&base(), &new).is_empty());
    }

    #[test]
    fn each_changed_setting_is_named_secrets_included() {
        let mut new = base();
        new.database = DatabaseSettings::postgres("postgres://a:secret@db/auth");
        new.trusted_proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        new.signup = false;
        assert_eq!(
            restart_needed(&base(), &new),
            ["[database]", "signup", "[connections] trusted_proxies"]
        );
    }

    #[test]
    fn a_replaced_secret_is_seen_though_it_prints_the_same() {
        let mut salt = base();
        salt.uuid_salt = Some(UuidSalt::new("another salt").unwrap());
        assert_eq!(
            format!("{:?}", base().uuid_salt),
            format!("{:?}", salt.uuid_salt)
        );
        assert_eq!(restart_needed(&base(), &salt), ["uuid_salt"]);

        let keys = base()
            .with_api_keys(&["another API key of twenty-odd characters".to_owned()])
            .unwrap();
        assert_eq!(
            format!("{:?}", base().api_keys),
            format!("{:?}", keys.api_keys)
        );
        assert_eq!(restart_needed(&base(), &keys), ["api_keys"]);

        let mut one = base();
        one.database = DatabaseSettings::postgres("postgres://a:one@db/auth");
        let mut two = base();
        two.database = DatabaseSettings::postgres("postgres://a:two@db/auth");
        assert_eq!(format!("{:?}", one.database), format!("{:?}", two.database));
        assert_eq!(restart_needed(&one, &two), ["[database]"]);
    }
}
