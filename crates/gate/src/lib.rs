//! Synerise's checking side, run offline: the event authentication settings (three lists of event
//! actions and a policy for the rest), the registered certificate, and a pure decision per event,
//! with a stable reason for every refusal.
//!
//! This crate has no web framework and no database: the HTTP route (`POST /gate/v1/events`) and
//! the log of decisions are built on it elsewhere. Tokens are checked with the token crate's
//! [`Verifier`](synerise_auth_token::Verifier), the one `synerise-auth verify` uses, never with code
//! of its own. Time is a parameter.
//!
//! ```
//! use synerise_auth_gate::{CertificateRegistry, EventSettings, Gate, Reason};
//! use synerise_auth_token::{LogTagKey, PublicKeyFormat, SigningKey, UnixTime};
//!
//! let key = SigningKey::generate(2048).unwrap();
//! // The certificate as pasted into Synerise, in any of its forms.
//! let pasted = key.public_key().to_format(PublicKeyFormat::Base64);
//! let gate = Gate::new(
//!     EventSettings::default(),
//!     CertificateRegistry::parse(&pasted, "certificate").unwrap(),
//!     LogTagKey::from_secret(b"this install's secret"),
//! );
//! let body = br#"{"action": "page.visit", "client": {"uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee"}}"#;
//! let now = UnixTime::from_secs(1_700_000_000);
//! assert!(gate.decide_json(body, None, now).is_accepted());
//!
//! let refused = gate.decide_json(br#"{"action": "form.submit"}"#, None, now);
//! assert_eq!((refused.status(), refused.reason()), (400, Some(Reason::MalformedEvent)));
//! ```

mod action;
mod action_list;
mod certificates;
mod decision;
mod error;
mod event;
mod gate;
mod rule;
mod settings;
mod warning;

pub use action::{Action, MAX_ACTION_LEN};
pub use action_list::ActionList;
pub use certificates::{CertificateRegistry, MAX_REPLACED, TokenRefusal};
pub use decision::{ACCEPTED_STATUS, Decision, Reason};
pub use error::{ConfigError, Result};
pub use event::{Event, MAX_EVENT_BYTES, MAX_LABEL_CHARS, MalformedEvent};
pub use gate::Gate;
pub use rule::{Rule, UnlistedPolicy};
pub use settings::{DEFAULT_ANONYMOUS, DEFAULT_REQUIRE_TOKEN, EventSettings};
pub use warning::SettingsWarning;
