//! The Node addon behind `@synerise-auth/server`: a translation layer and nothing more. Node values
//! come in, the core crates do the work, Node values go out, and every error leaves with the
//! service's stable `code` ([`error`]). The rules (claims, customer UUIDs, key sets and their
//! reload, token reuse, rate limits, strict RS256 verification) live in the core crates only:
//! `synerise-auth-issuing` and `synerise-auth-token`.
//!
//! Signing runs on libuv's thread pool ([`napi::bindgen_prelude::AsyncTask`]), so the event loop
//! never waits on RSA.

mod error;
mod functions;
mod issue_task;
mod issuer;
mod rate_limit;
mod values;

pub use error::{Code, Result};
pub use functions::{customer_uuid, identity_hash};
pub use issue_task::IssueTask;
pub use issuer::Issuer;
pub use rate_limit::PerMinute;
pub use values::{IssuedToken, IssuerOptions, VerifiedToken};
