//! One layer of settings: the TOML file, the environment, or the flags.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use figment::{
    Figment,
    providers::Serialized,
    value::{Dict, Value},
};
use serde::Deserialize as _;

use super::{
    ConnectionsLayer, DatabaseLayer, GateLayer, LimitsLayer, MetricsLayer, OidcLayer,
    PasswordHashingLayer, Secret, SessionsLayer, SettingsError, ShutdownLayer, TokenCacheLayer,
    TokenLayer,
    declare::{Declared, declare_layer},
};

declare_layer! {
    /// One layer of settings, every field optional: the TOML file, the environment, or the
    /// flags. The top of the file, then one field per section (`[token] ttl = "1h"`).
    pub struct SettingsLayer in "" {
        production: bool, default "`false`",
            "production mode (see below)";
        listen: SocketAddr, default "`127.0.0.1:8080`",
            "address to listen on";
        key: PathBuf, default "dev: `DATA_DIR/private.pem`, created if absent",
            "RSA private key file, or a key directory (`synerise-auth keys`; see \"Key rotation\"); reloaded on SIGHUP";
        data_dir: PathBuf, default "`./data`",
            "data directory";
        uuid_salt: Secret, default "dev: generated into `DATA_DIR/uuid-salt`",
            "the site-wide UUID salt (secret)";
        api_keys: Vec<Secret>, default "dev: generated into `DATA_DIR/dev-api-key`",
            "keys for the site's back end; an entry may be `sha256:<hex>` so the plain key need not be stored";
        leeway_secs: u32, default "`30`",
            "clock-skew allowance when verifying";
        signup: bool, default "dev: `true`, production: `false`",
            "self sign-up at `POST /api/accounts`";
        demo_account: bool, default "`true`",
            "dev mode only: create `demo@example.com` / `synerise-demo`";
        allowed_origins: Vec<String>, default "none",
            "other origins (`https://shop.example`) allowed to make cookie-authenticated calls; CORS answers only these";
    }
    sections {
        /// `[token]`.
        token: TokenLayer,
        /// `[sessions]`.
        sessions: SessionsLayer,
        /// `[limits]`.
        limits: LimitsLayer,
        /// `[oidc]`.
        oidc: OidcLayer,
        /// `[token_cache]`.
        token_cache: TokenCacheLayer,
        /// `[metrics]`.
        metrics: MetricsLayer,
        /// `[gate]`.
        gate: GateLayer,
        /// `[connections]`.
        connections: ConnectionsLayer,
        /// `[password_hashing]`.
        password_hashing: PasswordHashingLayer,
        /// `[database]`.
        database: DatabaseLayer,
        /// `[shutdown]`.
        shutdown: ShutdownLayer,
    }
}

/// The TOML file's contents.
pub type FileSettings = SettingsLayer;
impl SettingsLayer {
    /// Every setting declared, the top of the file first, then each section's.
    pub(crate) fn all_declared() -> Vec<Declared> {
        let mut out = Vec::new();
        Self::declared(&mut out);
        out
    }

    /// Reads a TOML file.
    ///
    /// # Errors
    /// When it cannot be read, is not TOML, or has unknown keys.
    pub fn from_toml_file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text).map_err(|message| SettingsError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    /// Reads the text of a TOML file. It is read into figment's values first, so that a
    /// refused value is named by its path (`token.ttl: ...`), which toml's message alone does
    /// not say (and its whole text would quote the line, a secret's included).
    ///
    /// # Errors
    /// The message, when the text is not TOML or a key is unknown or a value invalid.
    pub(crate) fn from_toml(text: &str) -> Result<Self, String> {
        let dict: Dict = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        Self::deserialize(&Value::from(dict)).map_err(|error| {
            if error.path.is_empty() {
                error.kind.to_string()
            } else {
                format!("{}: {}", error.path.join("."), error.kind)
            }
        })
    }

    /// The data directory these layers name, or the default `./data`.
    #[must_use]
    pub fn data_dir_or_default(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    /// This layer over `lower`: each setting set here wins (a list or the `[gate]` lists
    /// replace the lower layer's whole).
    ///
    /// # Errors
    /// When a value cannot be carried over (a path that is not UTF-8).
    pub fn over(self, lower: Self) -> Result<Self, SettingsError> {
        Figment::from(Serialized::defaults(lower))
            .merge(Serialized::defaults(self))
            .extract()
            .map_err(|e| SettingsError::Invalid(format!("cannot merge the settings: {e}")))
    }
}

impl SettingsError {
    /// For a refused setting, adds where it is set (`[section] key` in the file, the
    /// variable); other errors are returned as they are.
    pub(crate) fn placed(self) -> Self {
        let Self::Setting {
            setting,
            problem,
            place,
        } = self
        else {
            return self;
        };
        if !place.is_empty() {
            return Self::Setting {
                setting,
                problem,
                place,
            };
        }
        let declared = SettingsLayer::all_declared()
            .into_iter()
            .find(|d| d.path() == setting);
        let place = declared.map_or(String::new(), |d| {
            let mut place = format!(" (`{}` in the file", d.toml_key());
            if let Some(name) = d.env_var() {
                place.push_str(&format!(", {name} in the environment"));
            }
            place + ")"
        });
        Self::Setting {
            setting,
            problem,
            place,
        }
    }
}
