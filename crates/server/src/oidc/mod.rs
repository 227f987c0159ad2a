//! The identity-provider door: verifying a site's OpenID Connect ID tokens, so that
//! `POST /generate-jwt` can issue a Synerise token for the email the provider vouches for.
//!
//! - [`OidcSettings`]: the issuer, the audiences (client ids), where the keys are, and limits;
//!   built from the `oidc_issuer`, `oidc_audience` and `oidc_jwks_url` settings.
//! - [`IdTokenVerifier`]: every check on one token (`verifier.rs`), with the provider's keys
//!   fetched on demand and cached (`jwks_cache.rs`, `key_set.rs`), through the discovery document
//!   when no key URL is configured (`discovery.rs`), each fetch bounded in time and size
//!   (`fetch.rs`).
//! - `VerifiedIdentity`: the verified email, subject and issuer.
//! - [`OidcError`]: why a token was refused, with a stable code: 401 for every bad token, 503
//!   only when the provider cannot be reached and no cached key fits.
//!
//! ```ignore
//! let verifier = IdTokenVerifier::new(settings, reqwest::Client::new());
//! match verifier.verify(id_token, clock.now()).await {
//!     Ok(identity) => issue_for(&identity.email),
//!     Err(e) => refuse(e.status(), e.code(), e.to_string()),
//! }
//! ```

mod discovery;
mod error;
mod fetch;
mod jwks_cache;
mod key_set;
mod settings;
mod verifier;

#[cfg(test)]
mod tests;

pub(crate) use error::OidcError;
pub(crate) use settings::OidcSettings;
pub(crate) use verifier::IdTokenVerifier;
#[cfg(test)]
pub(crate) use verifier::VerifiedIdentity;
