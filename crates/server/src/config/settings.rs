//! The resolved settings: each layer's values, or their defaults, checked.

use std::{
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
};

use synerise_auth_app::ApiKeys;
use synerise_auth_issuing::{KidSetting, TokenCacheSettings};
use synerise_auth_store::HashingLimits;
use synerise_auth_token::{TokenTtl, UuidSalt};

use crate::cookies::IdentityCookie;

use super::{
    DatabaseSettings, LimitSettings, MetricsAccess, Mode, SessionSettings, SettingsError,
    SettingsLayer, connections::DEFAULT_REQUEST_TIMEOUT,
};
use crate::serve::ConnectionLimits;

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Dev or production.
    pub mode: Mode,
    /// Where to listen.
    pub listen: SocketAddr,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Where the store is: SQLite in the data directory, or a PostgreSQL database.
    pub database: DatabaseSettings,
    /// The signing key file; `None` in dev mode means `<data_dir>/private.pem`, created if absent.
    pub key: Option<PathBuf>,
    /// The UUID salt; `None` in dev mode means one generated and kept in `<data_dir>/uuid-salt`.
    pub uuid_salt: Option<UuidSalt>,
    /// Token lifetime.
    pub token_ttl: TokenTtl,
    /// `kid` header.
    pub token_kid: KidSetting,
    /// API keys (plain or `sha256:`), as configured.
    pub(crate) api_keys: ApiKeys,
    /// Verification leeway in seconds.
    pub leeway_secs: u32,
    /// Self sign-up enabled.
    pub signup: bool,
    /// Create the demo account (dev mode only).
    pub demo_account: bool,
    /// Customer sessions.
    pub sessions: SessionSettings,
    /// Use a browser-supplied uuid for signed-in customers.
    pub allow_client_uuid: bool,
    /// Extra origins allowed for cookie-authenticated calls and CORS, e.g. `https://shop.example`.
    pub allowed_origins: Vec<String>,
    /// Rate limits.
    pub limits: LimitSettings,
    /// The identity provider whose ID tokens are accepted; `None`: none is.
    pub(crate) oidc: Option<crate::oidc::OidcSettings>,
    /// Token reuse.
    pub token_cache: TokenCacheSettings,
    /// Who may read `GET /metrics`.
    pub metrics: MetricsAccess,
    /// The event gate's settings when `serve` mounts it (`None`: not mounted).
    pub gate: Option<synerise_auth_gate::EventSettings>,
    /// Connection limits and timeouts.
    pub connections: ConnectionLimits,
    /// How long one request may take to be answered (408 `request_timeout` past it).
    pub request_timeout: std::time::Duration,
    /// The proxies whose `X-Forwarded-For` names the customer's address.
    pub trusted_proxies: crate::TrustedProxies,
    /// How long `/healthz` answers 503 `draining` on SIGTERM before the listener closes.
    pub drain: std::time::Duration,
    /// The bound on password hashing.
    pub hashing: HashingLimits,
    /// The tracker's identity cookie set at sign-in, when handed over from the server.
    pub identity_cookie: Option<IdentityCookie>,
}

impl Settings {
    /// Resolves the merged layers, applying defaults and production's requirements.
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] naming what to set.
    pub fn resolve(layer: SettingsLayer) -> Result<Self, SettingsError> {
        Self::resolve_layer(layer).map_err(SettingsError::placed)
    }

    fn resolve_layer(layer: SettingsLayer) -> Result<Self, SettingsError> {
        let connections = layer.connections.resolve()?;
        let mode = if layer.production.unwrap_or(false) {
            Mode::Production
        } else {
            Mode::Dev
        };
        let uuid_salt = layer
            .uuid_salt
            .as_ref()
            .map(|salt| UuidSalt::new(salt.expose_secret()))
            .transpose()
            .map_err(|e| SettingsError::Invalid(format!("uuid_salt: {e}")))?;
        let api_keys: Vec<&str> = layer
            .api_keys
            .iter()
            .flatten()
            .map(super::Secret::expose_secret)
            .collect();
        let api_keys = ApiKeys::parse(&api_keys).map_err(SettingsError::Invalid)?;
        if mode == Mode::Production {
            let mut missing = Vec::new();
            if layer.key.is_none() {
                missing.push("the signing key (--key or SYNERISE_AUTH_KEY: an RSA private key file; make one with `synerise-auth keygen`)");
            }
            if uuid_salt.is_none() {
                missing.push("the UUID salt (--uuid-salt or SYNERISE_AUTH_UUID_SALT: the site-wide secret string your customers' UUIDs are derived with)");
            }
            if api_keys.is_empty() {
                missing.push("at least one API key (SYNERISE_AUTH_API_KEYS, comma separated; entries may be sha256:<hex>)");
            }
            if !missing.is_empty() {
                return Err(SettingsError::Invalid(format!(
                    "production mode needs {}",
                    missing.join("; and ")
                )));
            }
        }
        let token_ttl = layer.token.ttl.unwrap_or_default();
        let leeway_secs = layer.leeway_secs.unwrap_or(30);
        Ok(Self {
            mode,
            listen: layer
                .listen
                .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))),
            data_dir: layer.data_dir_or_default(),
            database: layer.database.resolve()?,
            key: layer.key,
            uuid_salt,
            token_ttl,
            token_kid: layer.token.kid.unwrap_or_default(),
            api_keys,
            leeway_secs,
            signup: layer.signup.unwrap_or(mode == Mode::Dev),
            demo_account: layer.demo_account.unwrap_or(true),
            sessions: layer.sessions.resolve()?,
            allow_client_uuid: layer.token.allow_client_uuid.unwrap_or(false),
            allowed_origins: normalize_origins(layer.allowed_origins.unwrap_or_default())?,
            limits: layer.limits.resolve(),
            token_cache: layer.token_cache.resolve(token_ttl)?,
            metrics: layer.metrics.resolve(mode),
            oidc: layer.oidc.resolve(leeway_secs)?,
            gate: crate::gate::serve_gate_settings(mode, layer.gate.enabled, layer.gate.events),
            connections,
            request_timeout: layer.connections.resolve_request_timeout()?,
            trusted_proxies: layer.connections.resolve_trusted_proxies()?,
            drain: layer.shutdown.resolve(mode)?,
            hashing: layer.password_hashing.resolve()?,
            identity_cookie: layer.sessions.resolve_identity_cookie()?,
        })
    }

    /// Dev-mode settings for tests: port 0 on loopback, everything else generated in `data_dir`.
    #[must_use]
    pub fn for_test(data_dir: &Path) -> Self {
        Self {
            mode: Mode::Dev,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            data_dir: data_dir.to_owned(),
            database: DatabaseSettings::Sqlite,
            key: None,
            uuid_salt: None,
            token_ttl: TokenTtl::default(),
            token_kid: KidSetting::None,
            api_keys: ApiKeys::default(),
            leeway_secs: 30,
            signup: true,
            demo_account: true,
            sessions: SessionSettings::default(),
            allow_client_uuid: false,
            allowed_origins: Vec::new(),
            limits: LimitSettings::default(),
            oidc: None,
            token_cache: TokenCacheSettings::default(),
            metrics: MetricsAccess::Public,
            gate: Some(synerise_auth_gate::EventSettings::default()),
            connections: ConnectionLimits::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            trusted_proxies: crate::TrustedProxies::default(),
            // Tests stop at once unless they test the drain.
            drain: std::time::Duration::ZERO,
            hashing: HashingLimits::default(),
            identity_cookie: None,
        }
    }

    /// Configures an OpenID Connect identity provider whose ID tokens are exchanged for tokens.
    ///
    /// # Errors
    /// When the issuer or key URL is not https (or http to loopback), or the audience is empty.
    pub fn with_oidc(
        mut self,
        issuer: &str,
        audience: &str,
        jwks_url: Option<&str>,
    ) -> Result<Self, SettingsError> {
        self.oidc = crate::oidc::settings_from_config(
            Some(issuer.to_owned()),
            Some(vec![audience.to_owned()]),
            jwks_url.map(str::to_owned),
            self.leeway_secs,
        )
        .map_err(SettingsError::Invalid)?;
        Ok(self)
    }

    /// Replaces the API keys (plain or `sha256:` entries).
    ///
    /// # Errors
    /// When an entry is too short or a bad digest.
    pub fn with_api_keys(mut self, keys: &[String]) -> Result<Self, SettingsError> {
        self.api_keys = ApiKeys::parse(keys).map_err(SettingsError::Invalid)?;
        Ok(self)
    }
}

/// Checks each origin is `scheme://host[:port]` with no path, and lower-cases it.
fn normalize_origins(origins: Vec<String>) -> Result<Vec<String>, SettingsError> {
    origins
        .into_iter()
        .map(|origin| {
            let lower = origin.trim().trim_end_matches('/').to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains('/') && !host.contains('*') => {
                    Ok(lower)
                }
                _ => Err(SettingsError::Invalid(format!(
                    "allowed_origins: `{origin}` is not an origin like https://shop.example.com"
                ))),
            }
        })
        .collect()
}
