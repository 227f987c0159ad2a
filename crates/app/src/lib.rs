//! What the synerise-auth service does, without HTTP.
//!
//! An [`App`] is built once from its settings and parts ([`App::new`]); its methods are the use
//! cases: [`App::authenticate`] (who presents a [`Credential`]), [`App::issue_token`] (a token
//! for that [`Caller`]), [`App::sign_up`], [`App::sign_in`], [`App::current_session`] and
//! [`App::sign_out`]. Each takes plain values and answers a value or an [`AppError`], whose kind
//! and stable code the HTTP service turns into a status and a body in one place. "Now" is read
//! from the clock the application was given, never from the system.
//!
//! The token service ([`TokenService`]: the issuing crate's `Tokens` with a bound on signatures
//! running at once) and the event gate's service ([`GateService`]) are parts of their own, so a
//! reload can swap keys and the gate can run alone.
//!
//! ```no_run
//! # async fn example(app: synerise_auth_app::App) -> Result<(), synerise_auth_app::AppError> {
//! use synerise_auth_app::{Credential, TokenRequest};
//!
//! let caller = app.authenticate(Credential::Bearer("an API key")).await?;
//! let request = TokenRequest {
//!     email: Some("ann@example.com".parse().expect("an email")),
//!     uuid: None,
//! };
//! let issued = app.issue_token(&caller, request).await?;
//! println!("{}", issued.jwt());
//! # Ok(())
//! # }
//! ```

mod api_keys;
mod app;
mod authenticate;
mod cross_site;
mod customers;
mod error;
mod failed_sign_ins;
mod gate;
mod gate_event;
mod issue;
mod limits;
mod token_service;

#[cfg(test)]
mod tests;

pub use api_keys::ApiKeys;
pub use app::{App, AppParts, AppSettings, SessionLifetimes};
pub use authenticate::{Caller, Credential};
pub use cross_site::RequestSite;
pub use customers::SignedIn;
pub use error::{AppError, Result, STORE_RETRY_AFTER_SECS};
pub use gate::{GateNotes, GateService, open_for_serve};
pub use gate_event::{EventInput, Verdict};
pub use issue::{ClientUuid, TokenRequest};
pub use limits::RateLimits;
pub use token_service::{IssuingMetrics, TokenService};
