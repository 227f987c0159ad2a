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
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    ConnectionsLayer, DatabaseLayer, GateLayer, LimitsLayer, MetricsLayer, OidcLayer,
    PasswordHashingLayer, Secret, SessionsLayer, SettingsError, ShutdownLayer, TokenCacheLayer,
    TokenLayer, declare,
    declare::{Declared, declare_layer},
    flat,
};

declare_layer! {
    /// One layer of settings, every field optional: the TOML file, the environment, or the
    /// flags. The top of the file, then one field per section.
    ///
    /// A file may use the sectioned form (`[token] ttl = "1h"`) or the flat names every release
    /// read (`token_ttl = "1h"`); naming one setting both ways is refused.
    #[serde(remote = "Self")]
    pub struct SettingsLayer in "" {
        production: bool, flat "production", default "`false`",
            "production mode (see below)";
        listen: SocketAddr, flat "listen", default "`127.0.0.1:8080`",
            "address to listen on";
        key: PathBuf, flat "key", default "dev: `DATA_DIR/private.pem`, created if absent",
            "RSA private key file, or a key directory (`synerise-auth keys`; see \"Key rotation\"); reloaded on SIGHUP";
        data_dir: PathBuf, flat "data_dir", default "`./data`",
            "data directory";
        uuid_salt: Secret, flat "uuid_salt", default "dev: generated into `DATA_DIR/uuid-salt`",
            "the site-wide UUID salt (secret)";
        api_keys: Vec<Secret>, flat "api_keys", default "dev: generated into `DATA_DIR/dev-api-key`",
            "keys for the site's back end; an entry may be `sha256:<hex>` so the plain key need not be stored";
        leeway_secs: u32, flat "leeway_secs", default "`30`",
            "clock-skew allowance when verifying";
        signup: bool, flat "signup", default "dev: `true`, production: `false`",
            "self sign-up at `POST /api/accounts`";
        demo_account: bool, flat "demo_account", default "`true`",
            "dev mode only: create `demo@example.com` / `synerise-demo`";
        allowed_origins: Vec<String>, flat "allowed_origins", default "none",
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
        toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }

    /// Reads `SYNERISE_AUTH_*` variables through `get` (e.g. `|n| std::env::var(n).ok()`):
    /// each setting's flat name (`SYNERISE_AUTH_TOKEN_TTL`) or its section and key
    /// (`SYNERISE_AUTH_TOKEN__TTL`); both for one setting is refused.
    ///
    /// # Errors
    /// When a variable's value is invalid.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        Self::from_env_with(&get)
    }

    /// Reads the process's variables (as [`from_env`](Self::from_env) does), refusing a
    /// `SYNERISE_AUTH_<SECTION>__<KEY>` variable that names no setting, as the file refuses an
    /// unknown key. (Flat `SYNERISE_AUTH_*` names are shared with other commands' flags, such as
    /// `SYNERISE_AUTH_CONFIG`, so only the sectioned form can be checked.)
    ///
    /// # Errors
    /// When a variable's value is invalid, or a sectioned name is unknown.
    pub fn from_env_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let vars: std::collections::BTreeMap<String, String> = vars
            .into_iter()
            .filter(|(name, _)| name.starts_with(declare::ENV_PREFIX))
            .collect();
        let known: Vec<String> = Self::all_declared()
            .iter()
            .filter_map(Declared::nested_env)
            .collect();
        if let Some(unknown) = vars
            .keys()
            .find(|name| name.contains("__") && !known.contains(name))
        {
            return Err(SettingsError::Env {
                name: unknown.clone(),
                message: "names no setting (see the settings table in the README)".into(),
            });
        }
        Self::from_env(|name| vars.get(name).cloned())
    }

    /// [`from_env_vars`](Self::from_env_vars) of this process's variables (those that are not
    /// Unicode are not read, as before).
    ///
    /// # Errors
    /// As [`from_env_vars`](Self::from_env_vars).
    pub fn from_process_env() -> Result<Self, SettingsError> {
        Self::from_env_vars(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
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

impl Serialize for SettingsLayer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Self::serialize(self, serializer)
    }
}

/// Reads the flat names into their sections, then the sectioned layer (unknown keys refused).
impl<'de> Deserialize<'de> for SettingsLayer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let dict = Dict::deserialize(deserializer)?;
        let (dict, renamed) = flat::into_sections(dict, &SettingsLayer::all_declared())
            .map_err(serde::de::Error::custom)?;
        Self::deserialize(&Value::from(dict))
            .map_err(|e| serde::de::Error::custom(flat::describe(&e, &renamed)))
    }
}

impl SettingsError {
    /// For a refused setting, adds where it is set (`[section] key` in the file, the
    /// variable); other errors are returned as they are.
    pub(crate) fn placed(self) -> Self {
        let Self::Setting {
            flat,
            problem,
            place,
        } = self
        else {
            return self;
        };
        if !place.is_empty() {
            return Self::Setting {
                flat,
                problem,
                place,
            };
        }
        let declared = SettingsLayer::all_declared()
            .into_iter()
            .find(|d| d.flat == flat);
        let place = declared.map_or(String::new(), |d| {
            let mut place = format!(" (`{}` in the file", d.toml_key());
            if let Some(name) = d.flat_env() {
                place.push_str(&format!(", {name} in the environment"));
            }
            place + ")"
        });
        Self::Setting {
            flat,
            problem,
            place,
        }
    }
}
