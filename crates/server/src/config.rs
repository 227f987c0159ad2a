//! Configuration: typed settings from layers, in precedence order flags, then environment
//! (`SYNERISE_AUTH_<NAME>`), then a TOML file, then defaults. Unknown TOML keys are refused.

use std::{
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
};

use serde::Deserialize;
use synerise_auth_token::{TokenTtl, UuidSalt};

use crate::api_keys::ApiKeys;

/// Dev mode fills in what is missing; production mode refuses to start without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Local development: generated key, salt and API key in the data dir, demo site, loopback.
    Dev,
    /// Production: every secret must be configured.
    Production,
}

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
    #[error("cannot read config file {path}: {source}")]
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
    /// Rate limits.
    pub limits: LimitSettings,
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
            limits: LimitSettings::default(),
        }
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
