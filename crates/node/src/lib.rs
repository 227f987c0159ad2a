//! The Node addon behind `@synerise-auth/server`: a translation layer and nothing more. Node values
//! come in, the token crate does the work, Node values go out, and every error leaves with the
//! service's stable `code` ([`error`]). The rules (claims, customer UUIDs, key sets, strict RS256
//! verification) live in the core crates only.
//!
//! Signing runs on libuv's thread pool ([`napi::bindgen_prelude::AsyncTask`]), so the event loop
//! never waits on RSA.

mod error;
mod functions;
mod issue_task;
mod issuer;
mod signing;
mod values;

pub use error::{Code, Result};
pub use functions::{customer_uuid, identity_hash};
pub use issue_task::IssueTask;
pub use issuer::Issuer;
pub use values::{IssuedToken, IssuerOptions, VerifiedToken};
