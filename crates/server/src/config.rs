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
}

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
        Ok(layer)
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
