//! The synerise-auth HTTP service.
//!
//! [`Settings`] are layered (defaults, TOML file, environment, flags) and resolved once;
//! [`Application::build`] binds the port and [`Application::run_until_stopped`] serves until
//! SIGTERM or Ctrl-C. [`router`] builds the routes without binding anything, for tests.

mod bearer;
mod build_info;
mod caller;
mod client_ip;
mod compose;
mod config;
pub mod contract;
mod cookies;
mod cross_site;
pub mod database;
mod error;
mod files;
mod gate;
mod key_permissions;
mod listening;
mod metrics;
mod middleware;
mod mode;
mod oidc;
mod openapi;
mod reload;
mod routes;
mod runtime;
mod serve;
mod shutdown;
mod startup;
mod state;
pub mod telemetry;

pub use build_info::{COMMIT, LONG_VERSION, VERSION};
pub use client_ip::TrustedProxies;
pub use config::IdentityCookie;
pub use config::{
    ConnectionsLayer, DatabaseLayer, DatabaseSettings, GateLayer, HumanDuration, KidSetting,
    LimitSettings, LimitsLayer, MetricsAccess, MetricsLayer, OidcLayer, PasswordHashingLayer,
    Secret, SessionSettings, SessionsLayer, ShutdownLayer, TokenCacheLayer, TokenCacheSettings,
    TokenLayer,
};
pub use config::{DATABASE_FILE, FileSettings, Mode, Settings, SettingsError, SettingsLayer};
pub use error::ApiError;
pub use gate::{DEFAULT_GATE_LISTEN, GateApplication, GateNotes, GateService, GateSettings};
pub use reload::{ReloadReport, Reloader, SettingsSource};
pub use routes::gate::{gate_openapi, gate_router};
pub use runtime::runtime;
pub use serve::{ConnectionLimits, RESERVED_FDS};
pub use startup::{Application, router};
pub use state::AppState;
