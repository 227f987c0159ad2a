//! The synerise-auth HTTP service.
//!
//! [`Settings`] are layered (defaults, TOML file, environment, flags) and resolved once;
//! [`Application::build`] binds the port and [`Application::run_until_stopped`] serves until
//! SIGTERM or Ctrl-C. [`router`] builds the routes without binding anything, for tests.

mod api_keys;
mod caller;
mod config;
mod cookies;
mod cross_site;
mod error;
mod issuing;
mod rate_limit;
mod routes;
mod startup;
mod state;
pub mod telemetry;

pub use config::{DATABASE_FILE, FileSettings, Mode, Settings, SettingsError, SettingsLayer};
pub use error::ApiError;
pub use startup::{Application, router};
pub use state::AppState;
