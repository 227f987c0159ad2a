//! The environment's layer, read with figment's `Env` provider: `SYNERISE_AUTH_<KEY>` for a
//! setting at the top of the file (`SYNERISE_AUTH_LISTEN`), `SYNERISE_AUTH_<SECTION>__<KEY>` for
//! one in a section (`SYNERISE_AUTH_TOKEN__TTL`).

use figment::{
    Figment,
    providers::{Env, Serialized},
    value::Value,
};

use super::{
    SettingsError, SettingsLayer,
    declare::{Declared, PREFIX, variable},
};

impl SettingsLayer {
    /// Reads this process's `SYNERISE_AUTH_*` variables, one per setting (see the settings
    /// table in `docs/configure.md`); a list is comma separated, and an empty variable is unset.
    ///
    /// A `SYNERISE_AUTH_<SECTION>__<KEY>` variable that names no setting is refused, as the file
    /// refuses an unknown key. Other names are left alone: they belong to other commands and
    /// programs (`SYNERISE_AUTH_CONFIG`, `SYNERISE_AUTH_LOG_FORMAT`, the tests'
    /// `SYNERISE_AUTH_TEST_DATABASE_URL`).
    ///
    /// # Errors
    /// When a variable's value is invalid (the message names the variable, never a secret's
    /// value), or a sectioned name is unknown.
    pub fn from_process_env() -> Result<Self, SettingsError> {
        let declared = Self::all_declared();
        let mut figment = Figment::new();
        // `Env` names the variables. Their values are kept as written rather than read by
        // figment's value syntax, which would make a salt of digits a number and drop a quoted
        // one's quotes; each setting's type reads the text (lossily, so `30` is a number and
        // `on` is true).
        for (key, text) in Env::prefixed(PREFIX).split("__").iter() {
            let Some(setting) = declared.iter().find(|d| d.env && d.path() == key.as_str()) else {
                if key.as_str().contains('.') {
                    return Err(SettingsError::Env {
                        name: variable(key.as_str()),
                        message: "names no setting (see the settings table in docs/configure.md)"
                            .into(),
                    });
                }
                continue;
            };
            if text.is_empty() {
                continue;
            }
            let value = if setting.list {
                Value::from(
                    text.split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                )
            } else {
                Value::from(text)
            };
            figment = figment.merge(Serialized::default(key.as_str(), value));
        }
        figment.extract_lossy().map_err(|error| {
            let path = error.path.join(".");
            let name = declared
                .iter()
                .map(Declared::path)
                .find(|setting| {
                    path == *setting
                        || path
                            .strip_prefix(setting.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                })
                .unwrap_or(path);
            SettingsError::Env {
                name: variable(&name),
                message: error.kind.to_string(),
            }
        })
    }

    /// The layer these variables set, as [`from_process_env`](Self::from_process_env) reads
    /// them: each setting's variable is asked of `get` and set in a figment `Jail` (which
    /// restores the environment after).
    #[cfg(test)]
    pub(crate) fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let vars: Vec<(String, String)> = Self::all_declared()
            .iter()
            .filter_map(Declared::env_var)
            .filter_map(|name| get(&name).map(|value| (name, value)))
            .collect();
        Self::from_vars(&vars)
    }

    /// The layer these variables (any names) set; see [`from_env`](Self::from_env).
    #[cfg(test)]
    #[expect(
        clippy::result_large_err,
        reason = "figment's `Jail` takes a closure returning figment's own `Result`"
    )]
    pub(crate) fn from_vars<N: AsRef<str>, V: AsRef<str>>(
        vars: &[(N, V)],
    ) -> Result<Self, SettingsError> {
        let mut read = None;
        figment::Jail::expect_with(|jail| {
            for (name, value) in vars {
                jail.set_env(name.as_ref(), value.as_ref());
            }
            read = Some(Self::from_process_env());
            Ok(())
        });
        read.unwrap_or_else(|| unreachable!("the jail ran"))
    }
}
