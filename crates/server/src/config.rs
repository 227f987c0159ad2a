//! Configuration: typed settings from layers, in precedence order flags, then environment
//! (`SYNERISE_AUTH_<NAME>`), then a TOML file, then defaults. Unknown TOML keys are refused.

use std::{
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
};

use serde::Deserialize;
use synerise_auth_token::{TokenTtl, UuidSalt};

use synerise_auth_store::HashingLimits;

pub use crate::cookies::IdentityCookie;
use crate::{api_keys::ApiKeys, serve::ConnectionLimits};

/// How long one request may take unless `request_timeout` says otherwise.
pub(crate) const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub use crate::mode::Mode;

/// What to put in the token header's `kid`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KidSetting {
    /// No `kid` (Synerise's own examples have none).
    #[default]
    None,
    /// The public key's RFC 7638 thumbprint, as published at `/.well-known/jwks.json`.
    Thumbprint,
    /// A fixed string.
    Fixed(String),
}

impl<'de> Deserialize<'de> for KidSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_text(&String::deserialize(d)?))
    }
}

impl KidSetting {
    fn from_text(text: &str) -> Self {
        match text {
            "" | "none" => Self::None,
            "thumbprint" => Self::Thumbprint,
            other => Self::Fixed(other.to_owned()),
        }
    }
}

/// One layer of settings, every field optional: the TOML file, the environment, or the flags.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsLayer {
    /// Production mode (`SYNERISE_AUTH_PRODUCTION=true`).
    pub production: Option<bool>,
    /// Address to listen on.
    pub listen: Option<SocketAddr>,
    /// RSA private key file (PEM or DER).
    pub key: Option<PathBuf>,
    /// Directory for the key (dev mode), the salt (dev mode) and the database.
    pub data_dir: Option<PathBuf>,
    /// The site-wide UUID salt. Secret.
    pub uuid_salt: Option<String>,
    /// Token lifetime, e.g. `7d`.
    pub token_ttl: Option<TokenTtl>,
    /// `kid` header: `none` (default), `thumbprint`, or a fixed string.
    pub token_kid: Option<KidSetting>,
    /// API keys for the site's back end: plain, or `sha256:<hex>`.
    pub api_keys: Option<Vec<String>>,
    /// Clock-skew leeway for verification, in seconds.
    pub leeway_secs: Option<u32>,
    /// Self sign-up over HTTP (`POST /api/accounts`); default on in dev mode, off in production.
    pub signup: Option<bool>,
    /// In dev mode, create the demo account `demo@example.com` (default true).
    pub demo_account: Option<bool>,
    /// A session ends after this long without requests (default `1h`).
    pub session_idle_ttl: Option<HumanDuration>,
    /// A session ends this long after sign-in, whatever happens (default `12h`).
    pub session_absolute_ttl: Option<HumanDuration>,
    /// Use a `uuid` sent by a signed-in customer's browser (e.g. the tracker's anonymous one, to
    /// merge profiles) instead of the server-derived one (default false).
    pub allow_client_uuid: Option<bool>,
    /// Origins besides the service's own allowed to make cookie-authenticated calls (and CORS).
    pub allowed_origins: Option<Vec<String>>,
    /// Sign-in attempts per client IP per minute (default 30; 0 = unlimited).
    pub sign_in_per_ip_per_minute: Option<u32>,
    /// Failed sign-ins in a row on one account before it is locked for 15 minutes (default 10).
    pub failed_sign_ins_per_account: Option<u32>,
    /// Token requests per session per minute (default 30; 0 = unlimited).
    pub tokens_per_session_per_minute: Option<u32>,
    /// Token requests per identity-provider identity per minute (default 30; 0 = unlimited).
    pub tokens_per_identity_per_minute: Option<u32>,
    /// Token requests per API key per minute (default 0 = unlimited: the site's back end may
    /// mint for many customers at once).
    pub tokens_per_api_key_per_minute: Option<u32>,
    /// The identity provider whose ID tokens `POST /generate-jwt` accepts: its issuer URL,
    /// compared exactly with the tokens' `iss` (unset: that door is closed).
    pub oidc_issuer: Option<String>,
    /// The site's OAuth client ids; an ID token's `aud` must contain one.
    pub oidc_audience: Option<Vec<String>>,
    /// The provider's JWKS URL (default: `jwks_uri` from the issuer's discovery document).
    pub oidc_jwks_url: Option<String>,
    /// Token reuse: hand a returning customer the token signed for them moments ago (`on`,
    /// default, or `off`).
    #[serde(default, deserialize_with = "on_off")]
    pub token_cache: Option<bool>,
    /// How long after signing a token may be reused (default `10m`, at most half the TTL).
    pub token_cache_max_age: Option<HumanDuration>,
    /// Tokens kept for reuse at most (default 100000, about 0.7 KB each).
    pub token_cache_capacity: Option<u32>,
    /// `GET /metrics`: `off`, `api_key` (needs `Authorization: Bearer <API key>`) or `public`;
    /// default `public` in dev mode, `api_key` in production.
    pub metrics: Option<MetricsAccess>,
    /// Mount the event gate (`/gate/v1/*`) in `serve`: default on in dev mode, off in production.
    pub gate_enabled: Option<bool>,
    /// At sign-in with a session, hand the customer's uuid and identity hash to Synerise's
    /// tracker in the `_snrs_reset_uuid_and_identity_hash` cookie: `off` (default), `on`, or
    /// `on; domain=.shop.example; path=/`.
    #[serde(default, deserialize_with = "identity_cookie")]
    pub identity_cookie: Option<Option<IdentityCookie>>,
    /// The event gate's settings: the `[gate]` table (`anonymous`, `modify_without_token`,
    /// `require_token`, `unlisted`); unset lists keep their defaults.
    pub gate: Option<synerise_auth_gate::EventSettings>,
    /// Connections open at once at most (default: the file-descriptor limit less 64).
    pub max_connections: Option<u32>,
    /// How long a client may take to send a request's headers (default `10s`).
    pub header_read_timeout: Option<HumanDuration>,
    /// How long a connection may stay open with no request in flight (default `60s`).
    pub idle_timeout: Option<HumanDuration>,
    /// How long one request may take to be answered (default `10s`).
    pub request_timeout: Option<HumanDuration>,
    /// Password hashes running at once (default: one per CPU).
    pub max_password_hashes: Option<u32>,
    /// Password hashes waiting for a place; beyond, 503 `busy` (default: four per CPU).
    pub password_hash_queue: Option<u32>,
}

/// A duration written as `30m`, `12h`, `7d` or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub std::time::Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_env(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl FromEnv for HumanDuration {
    fn from_env(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(secs) = text.parse::<u64>() {
            return Ok(Self(std::time::Duration::from_secs(secs)));
        }
        humantime::parse_duration(text)
            .map(Self)
            .map_err(|e| format!("`{text}`: {e} (try 30m, 12h or 7d)"))
    }
}

/// The SQLite file, inside the data dir.
pub const DATABASE_FILE: &str = "synerise-auth.db";

/// The TOML file's contents.
pub type FileSettings = SettingsLayer;

/// Why settings could not be loaded or resolved. Each message says what to set.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// An environment variable has an invalid value.
    #[error("environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: String,
        /// Why.
        message: String,
    },
    /// A required setting is missing or invalid.
    #[error("{0}")]
    Invalid(String),
}

macro_rules! env_fields {
    ($layer:ident, $get:ident, $($field:ident),* $(,)?) => {
        $(
            let name = concat!("SYNERISE_AUTH_", stringify!($field)).to_ascii_uppercase();
            if let Some(value) = $get(&name).filter(|v| !v.is_empty()) {
                $layer.$field = Some(parse_env(&name, &value)?);
            }
        )*
    };
}

trait FromEnv: Sized {
    fn from_env(text: &str) -> Result<Self, String>;
}
impl FromEnv for bool {
    fn from_env(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err("expected true or false".into()),
        }
    }
}
impl FromEnv for SocketAddr {
    fn from_env(text: &str) -> Result<Self, String> {
        text.parse()
            .map_err(|e| format!("{e} (expected e.g. 127.0.0.1:8080)"))
    }
}
impl FromEnv for PathBuf {
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(PathBuf::from(text))
    }
}
impl FromEnv for String {
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}
impl FromEnv for TokenTtl {
    fn from_env(text: &str) -> Result<Self, String> {
        text.parse()
            .map_err(|e: synerise_auth_token::Error| e.to_string())
    }
}
impl FromEnv for Option<IdentityCookie> {
    fn from_env(text: &str) -> Result<Self, String> {
        IdentityCookie::parse(text)
    }
}

fn identity_cookie<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<IdentityCookie>>, D::Error> {
    IdentityCookie::parse(&String::deserialize(d)?)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

impl FromEnv for KidSetting {
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(Self::from_text(text))
    }
}
impl FromEnv for u32 {
    fn from_env(text: &str) -> Result<Self, String> {
        text.parse()
            .map_err(|_| "expected a whole number".to_owned())
    }
}
impl FromEnv for Vec<String> {
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(text
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect())
    }
}

fn parse_env<T: FromEnv>(name: &str, value: &str) -> Result<T, SettingsError> {
    T::from_env(value).map_err(|message| SettingsError::Env {
        name: name.to_owned(),
        message,
    })
}

impl SettingsLayer {
    /// Reads a TOML file.
    ///
    /// # Errors
    /// When it cannot be read, is not TOML, or has unknown keys.
    pub fn from_toml_file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }

    /// Reads `SYNERISE_AUTH_*` variables through `get` (e.g. `|n| std::env::var(n).ok()`).
    ///
    /// # Errors
    /// When a variable's value is invalid.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut layer = Self::default();
        env_fields!(
            layer,
            get,
            production,
            listen,
            key,
            data_dir,
            uuid_salt,
            token_ttl,
            token_kid,
            api_keys,
            leeway_secs
        );
        env_fields!(
            layer,
            get,
            signup,
            demo_account,
            session_idle_ttl,
            session_absolute_ttl
        );
        env_fields!(
            layer,
            get,
            allow_client_uuid,
            allowed_origins,
            sign_in_per_ip_per_minute
        );
        env_fields!(
            layer,
            get,
            failed_sign_ins_per_account,
            tokens_per_session_per_minute
        );
        env_fields!(
            layer,
            get,
            tokens_per_identity_per_minute,
            tokens_per_api_key_per_minute
        );
        env_fields!(layer, get, oidc_issuer, oidc_audience, oidc_jwks_url);
        env_fields!(
            layer,
            get,
            token_cache,
            token_cache_max_age,
            token_cache_capacity,
            metrics
        );
        env_fields!(
            layer,
            get,
            gate_enabled,
            identity_cookie,
            max_connections,
            header_read_timeout
        );
        env_fields!(
            layer,
            get,
            idle_timeout,
            request_timeout,
            max_password_hashes,
            password_hash_queue
        );
        Ok(layer)
    }

    /// The data directory these layers name, or the default `./data`.
    #[must_use]
    pub fn data_dir_or_default(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    /// This layer over `lower`: each field set here wins.
    #[must_use]
    pub fn over(self, lower: Self) -> Self {
        Self {
            production: self.production.or(lower.production),
            listen: self.listen.or(lower.listen),
            key: self.key.or(lower.key),
            data_dir: self.data_dir.or(lower.data_dir),
            uuid_salt: self.uuid_salt.or(lower.uuid_salt),
            token_ttl: self.token_ttl.or(lower.token_ttl),
            token_kid: self.token_kid.or(lower.token_kid),
            api_keys: self.api_keys.or(lower.api_keys),
            leeway_secs: self.leeway_secs.or(lower.leeway_secs),
            signup: self.signup.or(lower.signup),
            demo_account: self.demo_account.or(lower.demo_account),
            session_idle_ttl: self.session_idle_ttl.or(lower.session_idle_ttl),
            session_absolute_ttl: self.session_absolute_ttl.or(lower.session_absolute_ttl),
            allow_client_uuid: self.allow_client_uuid.or(lower.allow_client_uuid),
            allowed_origins: self.allowed_origins.or(lower.allowed_origins),
            sign_in_per_ip_per_minute: self
                .sign_in_per_ip_per_minute
                .or(lower.sign_in_per_ip_per_minute),
            failed_sign_ins_per_account: self
                .failed_sign_ins_per_account
                .or(lower.failed_sign_ins_per_account),
            tokens_per_session_per_minute: self
                .tokens_per_session_per_minute
                .or(lower.tokens_per_session_per_minute),
            tokens_per_identity_per_minute: self
                .tokens_per_identity_per_minute
                .or(lower.tokens_per_identity_per_minute),
            tokens_per_api_key_per_minute: self
                .tokens_per_api_key_per_minute
                .or(lower.tokens_per_api_key_per_minute),
            oidc_issuer: self.oidc_issuer.or(lower.oidc_issuer),
            oidc_audience: self.oidc_audience.or(lower.oidc_audience),
            oidc_jwks_url: self.oidc_jwks_url.or(lower.oidc_jwks_url),
            token_cache: self.token_cache.or(lower.token_cache),
            token_cache_max_age: self.token_cache_max_age.or(lower.token_cache_max_age),
            token_cache_capacity: self.token_cache_capacity.or(lower.token_cache_capacity),
            metrics: self.metrics.or(lower.metrics),
            gate_enabled: self.gate_enabled.or(lower.gate_enabled),
            gate: self.gate.or(lower.gate),
            max_connections: self.max_connections.or(lower.max_connections),
            header_read_timeout: self.header_read_timeout.or(lower.header_read_timeout),
            idle_timeout: self.idle_timeout.or(lower.idle_timeout),
            request_timeout: self.request_timeout.or(lower.request_timeout),
            max_password_hashes: self.max_password_hashes.or(lower.max_password_hashes),
            password_hash_queue: self.password_hash_queue.or(lower.password_hash_queue),
            identity_cookie: self.identity_cookie.or(lower.identity_cookie),
        }
    }
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Dev or production.
    pub mode: Mode,
    /// Where to listen.
    pub listen: SocketAddr,
    /// Data directory.
    pub data_dir: PathBuf,
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
    /// The tracker's identity cookie set at sign-in; `None`: not set.
    pub identity_cookie: Option<IdentityCookie>,
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
    /// The bound on password hashing.
    pub hashing: HashingLimits,
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// Idle expiry.
    pub idle_ttl: std::time::Duration,
    /// Absolute expiry.
    pub absolute_ttl: std::time::Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_ttl: std::time::Duration::from_secs(3600),
            absolute_ttl: std::time::Duration::from_secs(12 * 3600),
        }
    }
}

/// Rate limits; 0 means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Sign-in attempts per client IP per minute.
    pub sign_in_per_ip_per_minute: u32,
    /// Failed sign-ins in a row on one account before a lock-out.
    pub failed_sign_ins_per_account: u32,
    /// Token requests per session per minute.
    pub tokens_per_session_per_minute: u32,
    /// Token requests per identity-provider identity per minute.
    pub tokens_per_identity_per_minute: u32,
    /// Token requests per API key per minute.
    pub tokens_per_api_key_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            sign_in_per_ip_per_minute: 30,
            failed_sign_ins_per_account: 10,
            tokens_per_session_per_minute: 30,
            tokens_per_identity_per_minute: 30,
            tokens_per_api_key_per_minute: 0,
        }
    }
}

impl Settings {
    /// Resolves the merged layers, applying defaults and production's requirements.
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] naming what to set.
    pub fn resolve(layer: SettingsLayer) -> Result<Self, SettingsError> {
        let connections = resolve_connections(&ServerLayer::of(&layer))?;
        let mode = if layer.production.unwrap_or(false) {
            Mode::Production
        } else {
            Mode::Dev
        };
        let uuid_salt = layer
            .uuid_salt
            .map(UuidSalt::new)
            .transpose()
            .map_err(|e| SettingsError::Invalid(format!("uuid_salt: {e}")))?;
        let api_keys =
            ApiKeys::parse(&layer.api_keys.unwrap_or_default()).map_err(SettingsError::Invalid)?;
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
        Ok(Self {
            mode,
            listen: layer
                .listen
                .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))),
            data_dir: layer.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            key: layer.key,
            uuid_salt,
            token_ttl: layer.token_ttl.unwrap_or_default(),
            token_kid: layer.token_kid.unwrap_or_default(),
            api_keys,
            leeway_secs: layer.leeway_secs.unwrap_or(30),
            signup: layer.signup.unwrap_or(mode == Mode::Dev),
            demo_account: layer.demo_account.unwrap_or(true),
            sessions: resolve_sessions(layer.session_idle_ttl, layer.session_absolute_ttl)?,
            allow_client_uuid: layer.allow_client_uuid.unwrap_or(false),
            allowed_origins: normalize_origins(layer.allowed_origins.unwrap_or_default())?,
            identity_cookie: layer.identity_cookie.flatten(),
            limits: {
                let d = LimitSettings::default();
                LimitSettings {
                    sign_in_per_ip_per_minute: layer
                        .sign_in_per_ip_per_minute
                        .unwrap_or(d.sign_in_per_ip_per_minute),
                    failed_sign_ins_per_account: layer
                        .failed_sign_ins_per_account
                        .unwrap_or(d.failed_sign_ins_per_account),
                    tokens_per_session_per_minute: layer
                        .tokens_per_session_per_minute
                        .unwrap_or(d.tokens_per_session_per_minute),
                    tokens_per_identity_per_minute: layer
                        .tokens_per_identity_per_minute
                        .unwrap_or(d.tokens_per_identity_per_minute),
                    tokens_per_api_key_per_minute: layer
                        .tokens_per_api_key_per_minute
                        .unwrap_or(d.tokens_per_api_key_per_minute),
                }
            },
            token_cache: resolve_token_cache(
                layer.token_cache,
                layer.token_cache_max_age,
                layer.token_cache_capacity,
                layer.token_ttl.unwrap_or_default(),
            )?,
            metrics: layer.metrics.unwrap_or(match mode {
                Mode::Dev => MetricsAccess::Public,
                Mode::Production => MetricsAccess::ApiKey,
            }),
            oidc: crate::oidc::settings_from_config(
                layer.oidc_issuer,
                layer.oidc_audience,
                layer.oidc_jwks_url,
                layer.leeway_secs.unwrap_or(30),
            )
            .map_err(SettingsError::Invalid)?,
            gate: crate::gate::serve_gate_settings(mode, layer.gate_enabled, layer.gate),
            connections,
            request_timeout: resolve_request_timeout(layer.request_timeout)?,
            hashing: resolve_hashing(layer.max_password_hashes, layer.password_hash_queue)?,
        })
    }

    /// Dev-mode settings for tests: port 0 on loopback, everything else generated in `data_dir`.
    #[must_use]
    pub fn for_test(data_dir: &Path) -> Self {
        Self {
            mode: Mode::Dev,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            data_dir: data_dir.to_owned(),
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
            identity_cookie: None,
            limits: LimitSettings::default(),
            oidc: None,
            token_cache: TokenCacheSettings::default(),
            metrics: MetricsAccess::Public,
            gate: Some(synerise_auth_gate::EventSettings::default()),
            connections: ConnectionLimits::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            hashing: HashingLimits::default(),
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

/// Token reuse (see `token_cache.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCacheSettings {
    /// Whether tokens are reused at all.
    pub enabled: bool,
    /// How long after signing a token may be handed out again (whole seconds).
    pub max_age: std::time::Duration,
    /// Tokens kept at most.
    pub capacity: usize,
}

impl Default for TokenCacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_age: std::time::Duration::from_secs(600),
            capacity: 100_000,
        }
    }
}

/// Who may read `GET /metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsAccess {
    /// No `/metrics` route (404).
    Off,
    /// Callers with one of the API keys, as `Authorization: Bearer <key>` (Prometheus's
    /// `authorization` scrape setting).
    ApiKey,
    /// Anyone who can reach the port.
    Public,
}

impl<'de> Deserialize<'de> for MetricsAccess {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_env(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl FromEnv for MetricsAccess {
    fn from_env(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "api_key" => Ok(Self::ApiKey),
            "public" => Ok(Self::Public),
            other => Err(format!("`{other}`: expected off, api_key or public")),
        }
    }
}

/// `true`/`false` or, as the README writes it, `"on"`/`"off"`.
fn on_off<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Bool(b) => Ok(Some(b)),
        Raw::Text(text) => bool::from_env(&text)
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("`{text}`: expected on or off"))),
    }
}

/// Defaults and checks the token cache: a token may only be reused during the first half of its
/// lifetime, so that every token handed out still has at least half its TTL to live.
fn resolve_token_cache(
    enabled: Option<bool>,
    max_age: Option<HumanDuration>,
    capacity: Option<u32>,
    ttl: TokenTtl,
) -> Result<TokenCacheSettings, SettingsError> {
    let defaults = TokenCacheSettings::default();
    let enabled = enabled.unwrap_or(defaults.enabled);
    let half_ttl = std::time::Duration::from_secs(u64::from(ttl.as_secs() / 2));
    let max_age = match max_age {
        None => defaults.max_age.min(half_ttl),
        Some(HumanDuration(age)) => {
            let age = std::time::Duration::from_secs(age.as_secs());
            if enabled && (age.is_zero() || age > half_ttl) {
                return Err(SettingsError::Invalid(format!(
                    "token_cache_max_age must be between 1s and half the token TTL ({}), so that a \
                     reused token still has at least half its lifetime; to stop reusing tokens \
                     set token_cache = off",
                    humantime::format_duration(half_ttl)
                )));
            }
            age
        }
    };
    let capacity = match capacity {
        None => defaults.capacity,
        Some(0) if enabled => {
            return Err(SettingsError::Invalid(
                "token_cache_capacity must be at least 1; to stop reusing tokens set \
                 token_cache = off"
                    .into(),
            ));
        }
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    Ok(TokenCacheSettings {
        enabled,
        max_age,
        capacity,
    })
}

fn resolve_sessions(
    idle: Option<HumanDuration>,
    absolute: Option<HumanDuration>,
) -> Result<SessionSettings, SettingsError> {
    let defaults = SessionSettings::default();
    let sessions = SessionSettings {
        idle_ttl: idle.map_or(defaults.idle_ttl, |d| d.0),
        absolute_ttl: absolute.map_or(defaults.absolute_ttl, |d| d.0),
    };
    if sessions.idle_ttl.is_zero() || sessions.absolute_ttl < sessions.idle_ttl {
        return Err(SettingsError::Invalid(
            "session_idle_ttl must be positive and at most session_absolute_ttl".into(),
        ));
    }
    Ok(sessions)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_over_env_over_file_over_defaults() {
        let file: SettingsLayer = toml::from_str(
            "listen = \"127.0.0.1:1000\"\ntoken_ttl = \"1h\"\nuuid_salt = \"from-file\"",
        )
        .unwrap();
        let env = SettingsLayer::from_env(|name| match name {
            "SYNERISE_AUTH_LISTEN" => Some("127.0.0.1:2000".into()),
            "SYNERISE_AUTH_UUID_SALT" => Some("from-env".into()),
            _ => None,
        })
        .unwrap();
        let flags = SettingsLayer {
            listen: Some("127.0.0.1:3000".parse().unwrap()),
            ..Default::default()
        };
        let settings = Settings::resolve(flags.over(env.over(file))).unwrap();
        assert_eq!(settings.listen.port(), 3000);
        assert_eq!(settings.uuid_salt.unwrap().expose_secret(), "from-env");
        assert_eq!(settings.token_ttl.as_secs(), 3600);
        assert_eq!(settings.data_dir, PathBuf::from("data"));
        assert_eq!(settings.mode, Mode::Dev);
    }

    #[test]
    fn the_identity_cookie_is_off_unless_set_and_an_env_off_beats_a_file_on() {
        let unset = Settings::resolve(SettingsLayer::default()).unwrap();
        assert_eq!(unset.identity_cookie, None);
        let file: SettingsLayer =
            toml::from_str("identity_cookie = \"on; domain=.shop.example\"").unwrap();
        let from_file = Settings::resolve(file.clone()).unwrap();
        assert_eq!(
            from_file.identity_cookie.and_then(|c| c.domain).as_deref(),
            Some(".shop.example")
        );
        let env = SettingsLayer::from_env(|n| {
            (n == "SYNERISE_AUTH_IDENTITY_COOKIE").then(|| "off".into())
        })
        .unwrap();
        assert_eq!(
            Settings::resolve(env.over(file)).unwrap().identity_cookie,
            None
        );
        assert!(toml::from_str::<SettingsLayer>("identity_cookie = \"maybe\"").is_err());
        let err = SettingsLayer::from_env(|n| {
            (n == "SYNERISE_AUTH_IDENTITY_COOKIE").then(|| "on; path=relative".into())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("SYNERISE_AUTH_IDENTITY_COOKIE"),
            "{err}"
        );
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<SettingsLayer>("lissen = \"x\"").is_err());
    }

    #[test]
    fn bad_env_values_name_the_variable() {
        let err =
            SettingsLayer::from_env(|n| (n == "SYNERISE_AUTH_TOKEN_TTL").then(|| "forever".into()))
                .unwrap_err();
        assert!(err.to_string().contains("SYNERISE_AUTH_TOKEN_TTL"), "{err}");
    }

    #[test]
    fn production_names_everything_missing() {
        let err = Settings::resolve(SettingsLayer {
            production: Some(true),
            ..Default::default()
        })
        .unwrap_err();
        let text = err.to_string();
        for needle in [
            "SYNERISE_AUTH_KEY",
            "SYNERISE_AUTH_UUID_SALT",
            "SYNERISE_AUTH_API_KEYS",
        ] {
            assert!(text.contains(needle), "{text}");
        }
    }
}

#[cfg(test)]
mod token_cache_settings_tests {
    use super::*;

    fn resolve(env: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let layer = SettingsLayer::from_env(|name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })?;
        Settings::resolve(layer)
    }

    #[test]
    fn on_by_default_for_ten_minutes() {
        let settings = resolve(&[]).unwrap();
        assert_eq!(settings.token_cache, TokenCacheSettings::default());
        assert!(settings.token_cache.enabled);
        assert_eq!(settings.token_cache.max_age.as_secs(), 600);
        assert_eq!(settings.token_cache.capacity, 100_000);
    }

    #[test]
    fn env_switches_it_off_and_sets_age_and_capacity() {
        let off = resolve(&[("SYNERISE_AUTH_TOKEN_CACHE", "off")]).unwrap();
        assert!(!off.token_cache.enabled);
        let tuned = resolve(&[
            ("SYNERISE_AUTH_TOKEN_CACHE", "on"),
            ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "2m"),
            ("SYNERISE_AUTH_TOKEN_CACHE_CAPACITY", "500"),
        ])
        .unwrap();
        assert!(tuned.token_cache.enabled);
        assert_eq!(tuned.token_cache.max_age.as_secs(), 120);
        assert_eq!(tuned.token_cache.capacity, 500);
    }

    #[test]
    fn toml_takes_on_off_or_booleans() {
        for (text, enabled) in [
            ("token_cache = \"off\"", false),
            ("token_cache = false", false),
            ("token_cache = \"on\"", true),
            ("token_cache = true", true),
        ] {
            let layer: SettingsLayer = toml::from_str(text).unwrap();
            assert_eq!(layer.token_cache, Some(enabled), "{text}");
        }
        assert!(toml::from_str::<SettingsLayer>("token_cache = \"maybe\"").is_err());
    }

    #[test]
    fn max_age_must_leave_half_the_ttl() {
        let err = resolve(&[
            ("SYNERISE_AUTH_TOKEN_TTL", "1h"),
            ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "31m"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("token_cache_max_age"), "{err}");
        assert!(
            resolve(&[
                ("SYNERISE_AUTH_TOKEN_TTL", "1h"),
                ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "30m"),
            ])
            .is_ok()
        );
        assert!(resolve(&[("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "0")]).is_err());
        assert!(resolve(&[("SYNERISE_AUTH_TOKEN_CACHE_CAPACITY", "0")]).is_err());
        // Off, the other cache settings are not held against the operator.
        assert!(
            resolve(&[
                ("SYNERISE_AUTH_TOKEN_CACHE", "off"),
                ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "0"),
            ])
            .is_ok()
        );
    }

    #[test]
    fn the_default_age_shrinks_with_a_short_ttl() {
        let settings = resolve(&[("SYNERISE_AUTH_TOKEN_TTL", "5m")]).unwrap();
        assert_eq!(settings.token_cache.max_age.as_secs(), 150);
    }

    #[test]
    fn metrics_access_defaults_by_mode_and_parses() {
        assert_eq!(resolve(&[]).unwrap().metrics, MetricsAccess::Public);
        let layer = SettingsLayer {
            production: Some(true),
            key: Some(PathBuf::from("k.pem")),
            uuid_salt: Some("salt".into()),
            api_keys: Some(vec!["an-api-key-of-24-chars-xx".into()]),
            ..SettingsLayer::default()
        };
        assert_eq!(
            Settings::resolve(layer.clone()).unwrap().metrics,
            MetricsAccess::ApiKey
        );
        let public: SettingsLayer = toml::from_str("metrics = \"public\"").unwrap();
        assert_eq!(
            Settings::resolve(public.over(layer)).unwrap().metrics,
            MetricsAccess::Public
        );
        assert!(resolve(&[("SYNERISE_AUTH_METRICS", "yes please")]).is_err());
        assert_eq!(
            resolve(&[("SYNERISE_AUTH_METRICS", "off")])
                .unwrap()
                .metrics,
            MetricsAccess::Off
        );
    }
}

/// The connection settings of a layer, which `serve` and the gate run alone both read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerLayer {
    max_connections: Option<u32>,
    header_read_timeout: Option<HumanDuration>,
    idle_timeout: Option<HumanDuration>,
}

impl ServerLayer {
    pub(crate) fn of(layer: &SettingsLayer) -> Self {
        Self {
            max_connections: layer.max_connections,
            header_read_timeout: layer.header_read_timeout,
            idle_timeout: layer.idle_timeout,
        }
    }
}

/// Defaults and checks the connection limits: timeouts of at least a second, a cap of at least
/// one connection and below the file-descriptor limit.
pub(crate) fn resolve_connections(layer: &ServerLayer) -> Result<ConnectionLimits, SettingsError> {
    let defaults = ConnectionLimits::default();
    let at_least_a_second = |name: &str, value: Option<HumanDuration>, default| match value {
        None => Ok(default),
        Some(HumanDuration(d)) if d >= std::time::Duration::from_secs(1) => Ok(d),
        Some(_) => Err(SettingsError::Invalid(format!(
            "{name} must be at least 1s"
        ))),
    };
    let max_connections = match layer.max_connections {
        None => defaults.max_connections,
        Some(0) => {
            return Err(SettingsError::Invalid(
                "max_connections must be at least 1".into(),
            ));
        }
        Some(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if n > ConnectionLimits::default_max_connections() {
                return Err(SettingsError::Invalid(format!(
                    "max_connections is {n}, but the file-descriptor limit (ulimit -n) leaves room \
                     for {} connections: raise the limit or lower max_connections",
                    ConnectionLimits::default_max_connections()
                )));
            }
            n
        }
    };
    Ok(ConnectionLimits {
        max_connections,
        header_read_timeout: at_least_a_second(
            "header_read_timeout",
            layer.header_read_timeout,
            defaults.header_read_timeout,
        )?,
        idle_timeout: at_least_a_second("idle_timeout", layer.idle_timeout, defaults.idle_timeout)?,
    })
}

fn resolve_request_timeout(
    value: Option<HumanDuration>,
) -> Result<std::time::Duration, SettingsError> {
    match value {
        None => Ok(DEFAULT_REQUEST_TIMEOUT),
        Some(HumanDuration(d)) if d >= std::time::Duration::from_secs(1) => Ok(d),
        Some(_) => Err(SettingsError::Invalid(
            "request_timeout must be at least 1s".into(),
        )),
    }
}

fn resolve_hashing(
    running: Option<u32>,
    queued: Option<u32>,
) -> Result<HashingLimits, SettingsError> {
    let defaults = HashingLimits::default();
    let running = match running {
        None => defaults.running,
        Some(n) => usize::try_from(n)
            .ok()
            .and_then(std::num::NonZeroUsize::new)
            .ok_or_else(|| {
                SettingsError::Invalid("max_password_hashes must be at least 1".into())
            })?,
    };
    Ok(HashingLimits {
        running,
        queued: queued.map_or(defaults.queued, |n| {
            usize::try_from(n).unwrap_or(usize::MAX)
        }),
    })
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_settings_file_is_read_or_refused_without_panicking(text in "\\PC{0,200}") {
            if let Ok(layer) = toml::from_str::<SettingsLayer>(&text) {
                let _ = Settings::resolve(layer);
            }
        }

        #[test]
        fn any_environment_value_is_read_or_refused_with_its_name(
            name in prop::sample::select(vec![
                "SYNERISE_AUTH_LISTEN", "SYNERISE_AUTH_TOKEN_TTL", "SYNERISE_AUTH_LEEWAY_SECS",
                "SYNERISE_AUTH_PRODUCTION", "SYNERISE_AUTH_SESSION_IDLE_TTL", "SYNERISE_AUTH_METRICS",
                "SYNERISE_AUTH_TOKEN_CACHE", "SYNERISE_AUTH_MAX_CONNECTIONS",
                "SYNERISE_AUTH_HEADER_READ_TIMEOUT", "SYNERISE_AUTH_MAX_PASSWORD_HASHES",
            ]),
            value in "\\PC{1,30}",
        ) {
            match SettingsLayer::from_env(|n| (n == name).then(|| value.clone())) {
                Ok(layer) => {
                    let _ = Settings::resolve(layer);
                }
                Err(e) => prop_assert!(e.to_string().contains(name), "{e}"),
            }
        }

        #[test]
        fn durations_in_every_unit_read_back(n in 1_u64..100_000, unit in prop::sample::select(vec!["s", "m", "h", "d", ""])) {
            let text = format!("{n}{unit}");
            let parsed = HumanDuration::from_env(&text).unwrap().0.as_secs();
            let scale = match unit { "m" => 60, "h" => 3600, "d" => 86_400, _ => 1 };
            prop_assert_eq!(parsed, n * scale);
        }
    }

    #[test]
    fn connection_and_hashing_settings_are_checked() {
        let layer = |text: &str| toml::from_str::<SettingsLayer>(text).unwrap();
        let settings = Settings::resolve(layer(
            "max_connections = 50\nheader_read_timeout = \"3s\"\nidle_timeout = \"1m\"\n\
             request_timeout = \"5s\"\nmax_password_hashes = 3\npassword_hash_queue = 0\n",
        ))
        .unwrap();
        assert_eq!(settings.connections.max_connections, 50);
        assert_eq!(settings.connections.header_read_timeout.as_secs(), 3);
        assert_eq!(settings.connections.idle_timeout.as_secs(), 60);
        assert_eq!(settings.request_timeout.as_secs(), 5);
        assert_eq!(settings.hashing.running.get(), 3);
        assert_eq!(settings.hashing.queued, 0);
        for (text, says) in [
            ("max_connections = 0", "max_connections must be at least 1"),
            ("max_connections = 4000000000", "file-descriptor limit"),
            (
                "header_read_timeout = \"0s\"",
                "header_read_timeout must be at least 1s",
            ),
            (
                "request_timeout = \"0\"",
                "request_timeout must be at least 1s",
            ),
            (
                "max_password_hashes = 0",
                "max_password_hashes must be at least 1",
            ),
        ] {
            let error = Settings::resolve(layer(text)).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
