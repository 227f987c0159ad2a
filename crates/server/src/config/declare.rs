//! The one place a setting is declared: [`declare_layer!`] takes each setting's key, its type,
//! its default as documented and its meaning, and makes from them the layer's field, the
//! variable it is read from and the row of the settings table (`docs/configure.md`).

/// Every variable starts with this.
pub(crate) const PREFIX: &str = "SYNERISE_AUTH_";

/// The variable of a path: `token.ttl` is `SYNERISE_AUTH_TOKEN__TTL`.
pub(crate) fn variable(path: &str) -> String {
    format!("{PREFIX}{}", path.replace('.', "__")).to_ascii_uppercase()
}

/// One setting as declared: what the settings table shows, and how it is found in the
/// environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Declared {
    /// Its section (`token`, `limits`...), or `""` for the top of the file.
    pub(crate) section: &'static str,
    /// Its key in the section.
    pub(crate) key: &'static str,
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
    /// Where it sits in the TOML file: `production`, `[token] ttl`.
    #[must_use]
    pub(crate) fn toml_key(&self) -> String {
        if self.section.is_empty() {
            self.key.to_owned()
        } else {
            format!("[{}] {}", self.section, self.key)
        }
    }

    /// Its variable: `SYNERISE_AUTH_LISTEN` at the top of the file, `SYNERISE_AUTH_TOKEN__TTL`
    /// in a section; `None` when it is not read from the environment.
    #[must_use]
    pub(crate) fn env_var(&self) -> Option<String> {
        self.env.then(|| variable(&self.path()))
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

/// Whether a setting of the type written `ty` is a list: every list setting is a `Vec`.
#[must_use]
pub(crate) const fn is_list(ty: &str) -> bool {
    matches!(ty.as_bytes(), [b'V', b'e', b'c', ..])
}

/// Declares a layer: a struct of optional settings (one table of the TOML file), each with its
/// documented default and meaning, and optionally the sections it holds. Generates the struct
/// (unknown keys refused), `DECLARED` (its settings) and `declared()` (its and its sections'
/// settings).
macro_rules! declare_layer {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $section:literal {
            $(
                $(#[$fmeta:meta])*
                $field:ident: $ty:ty, default $default:literal, $meaning:literal;
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
                    default: $default,
                    meaning: $meaning,
                    env: true,
                    list: $crate::config::declare::is_list(stringify!($ty)),
                },
            )*];

            /// Adds this table's settings, then its sections', to `out`.
            pub(crate) fn declared(out: &mut Vec<$crate::config::declare::Declared>) {
                out.extend_from_slice(Self::DECLARED);
                $($( <$sty>::declared(out); )*)?
            }
        }
    };
}

pub(crate) use declare_layer;
