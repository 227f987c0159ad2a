//! The one place a setting is declared: [`declare_layer!`] takes each setting's key, its old flat
//! name, its type, its default as documented and its meaning, and makes from them the layer's
//! field, the environment variables it is read from, the flat TOML key it is still read under,
//! and the row of the README's settings table.

use std::{net::SocketAddr, path::PathBuf};

use synerise_auth_token::TokenTtl;

use super::SettingsError;

/// Every variable starts with this.
pub(crate) const ENV_PREFIX: &str = "SYNERISE_AUTH_";

/// One setting as declared: what the README's table shows, and how it is found in the
/// environment and in a flat TOML file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Declared {
    /// Its section (`token`, `limits`...), or `""` for the top of the file.
    pub(crate) section: &'static str,
    /// Its key in the section.
    pub(crate) key: &'static str,
    /// Its flat name, the TOML key and the variable suffix it was read under before sections
    /// (`token_ttl`); `""` when it has none.
    pub(crate) flat: &'static str,
    /// Its default as documented (dev and production when they differ).
    pub(crate) default: &'static str,
    /// What it does, in one line.
    pub(crate) meaning: &'static str,
    /// Whether it is read from the environment.
    pub(crate) env: bool,
    /// Whether its value is a list (comma separated in the environment).
    pub(crate) list: bool,
}

impl Declared {
    /// Where it sits in the sectioned TOML form: `production`, `[token] ttl`.
    #[must_use]
    pub(crate) fn toml_key(&self) -> String {
        if self.section.is_empty() {
            self.key.to_owned()
        } else {
            format!("[{}] {}", self.section, self.key)
        }
    }

    /// The variable of its flat name (`SYNERISE_AUTH_TOKEN_TTL`), the one every release read.
    #[must_use]
    pub(crate) fn flat_env(&self) -> Option<String> {
        (self.env && !self.flat.is_empty())
            .then(|| format!("{ENV_PREFIX}{}", self.flat.to_ascii_uppercase()))
    }

    /// The variable of its section and key (`SYNERISE_AUTH_TOKEN__TTL`), for a setting in a
    /// section.
    #[must_use]
    pub(crate) fn nested_env(&self) -> Option<String> {
        (self.env && !self.section.is_empty()).then(|| {
            format!(
                "{ENV_PREFIX}{}__{}",
                self.section.to_ascii_uppercase(),
                self.key.to_ascii_uppercase()
            )
        })
    }

    /// Its path in the merged layers: `token.ttl`.
    #[must_use]
    pub(crate) fn path(&self) -> String {
        if self.section.is_empty() {
            self.key.to_owned()
        } else {
            format!("{}.{}", self.section, self.key)
        }
    }
}

/// Reads one setting from the environment: its flat variable or its nested one (both set is
/// refused, so that no one wonders which wins).
pub(crate) fn env_value<T: FromEnv>(
    get: &dyn Fn(&str) -> Option<String>,
    declared: &Declared,
) -> Result<Option<T>, SettingsError> {
    let found: Vec<(String, String)> = [declared.flat_env(), declared.nested_env()]
        .into_iter()
        .flatten()
        .filter_map(|name| get(&name).filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [(name, value)] => T::from_env(value)
            .map(Some)
            .map_err(|message| SettingsError::Env {
                name: name.clone(),
                message,
            }),
        [(first, _), (second, _), ..] => Err(SettingsError::Env {
            name: format!("{first} and {second}"),
            message: "both set the same setting; keep one".into(),
        }),
    }
}

/// A value written as the text of an environment variable.
pub(crate) trait FromEnv: Sized {
    /// Whether the variable holds a comma-separated list.
    const LIST: bool = false;
    /// Parses the variable's text; the message says what was expected.
    fn from_env(text: &str) -> Result<Self, String>;
}

impl FromEnv for bool {
    fn from_env(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
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

impl FromEnv for u32 {
    fn from_env(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| "expected a whole number".to_owned())
    }
}

impl<T: FromEnv> FromEnv for Vec<T> {
    const LIST: bool = true;
    fn from_env(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(T::from_env)
            .collect()
    }
}

/// Declares a layer: a struct of optional settings (one table of the TOML file), each with its
/// flat name, documented default and meaning, and optionally the sections it holds. Generates
/// the struct, `DECLARED` (its settings), `declared()` (its and its sections' settings) and
/// `from_env_with()` (the layer as the environment sets it).
macro_rules! declare_layer {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $section:literal {
            $(
                $(#[$fmeta:meta])*
                $field:ident: $ty:ty, flat $flat:literal, default $default:literal, $meaning:literal;
            )*
        }
        $( sections { $( $(#[$smeta:meta])* $sfield:ident: $sty:ty ),* $(,)? } )?
    ) => {
        #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        $(#[$meta])*
        $vis struct $name {
            $(
                #[doc = $meaning]
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            $($(
                $(#[$smeta])*
                #[serde(default)]
                pub $sfield: $sty,
            )*)?
        }

        impl $name {
            /// The settings this table declares.
            pub(crate) const DECLARED: &'static [$crate::config::declare::Declared] = &[$(
                $crate::config::declare::Declared {
                    section: $section,
                    key: stringify!($field),
                    flat: $flat,
                    default: $default,
                    meaning: $meaning,
                    env: true,
                    list: <$ty as $crate::config::declare::FromEnv>::LIST,
                },
            )*];

            /// Adds this table's settings, then its sections', to `out`.
            #[allow(unused_variables)]
            pub(crate) fn declared(out: &mut Vec<$crate::config::declare::Declared>) {
                out.extend_from_slice(Self::DECLARED);
                $($( <$sty>::declared(out); )*)?
            }

            /// This table as the environment (read through `get`) sets it.
            #[allow(unused_variables, unused_mut, unused_assignments)]
            pub(crate) fn from_env_with(
                get: &dyn Fn(&str) -> Option<String>,
            ) -> Result<Self, $crate::config::SettingsError> {
                let mut index = 0;
                Ok(Self {
                    $(
                        $field: {
                            let value = $crate::config::declare::env_value::<$ty>(
                                get,
                                &Self::DECLARED[index],
                            )?;
                            index += 1;
                            value
                        },
                    )*
                    $($( $sfield: <$sty>::from_env_with(get)?, )*)?
                })
            }
        }
    };
}

pub(crate) use declare_layer;
