//! Configuration: typed settings from layers, in precedence order flags, then environment
//! (`SYNERISE_AUTH_<KEY>` at the top of the file, `SYNERISE_AUTH_<SECTION>__<KEY>` in a section;
//! `environment.rs`), then a TOML file, then defaults. Unknown TOML keys are refused.
//!
//! Each setting is declared once, in the file of its section (`token.rs` for `[token]`...), with
//! its key, its documented default and its meaning; the settings table of `docs/configure.md` is
//! made from those declarations (`readme.rs`). Layers are merged by figment;
//! [`Settings::resolve`] applies the defaults and checks.

pub(crate) mod connections;
mod database;
mod declare;
mod environment;
mod gate;
mod hashing;
mod limits;
mod metrics;
mod oidc;
#[cfg(test)]
mod readme;
mod secret;
mod sessions;
mod settings;
mod shutdown;
#[cfg(test)]
mod tests;
mod token;
mod token_cache;
mod values;

mod error;
mod layer;

pub use connections::ConnectionsLayer;
pub(crate) use database::redacted as redacted_database_url;
pub use database::{DatabaseLayer, DatabaseSettings};
pub use error::SettingsError;
pub use gate::GateLayer;
pub use hashing::PasswordHashingLayer;
pub use layer::{FileSettings, SettingsLayer};
pub use limits::{LimitSettings, LimitsLayer};
pub use metrics::{MetricsAccess, MetricsLayer};
pub use oidc::OidcLayer;
pub use secret::Secret;
pub use sessions::{SessionSettings, SessionsLayer};
pub use settings::Settings;
pub use shutdown::ShutdownLayer;
pub use synerise_auth_issuing::{KidSetting, TokenCacheSettings};
pub use token::TokenLayer;
pub use token_cache::TokenCacheLayer;
pub use values::HumanDuration;

/// The SQLite file, inside the data dir (when no `database_url` is set).
pub const DATABASE_FILE: &str = "synerise-auth.db";

pub use crate::cookies::IdentityCookie;
pub use crate::mode::Mode;
