//! Verification of a site's OpenID Connect ID tokens, so that a service can issue a Synerise
//! token for the email the site's identity provider vouches for.
//!
//! - [`OidcSettings`]: the issuer, the audiences (client ids), where the keys are, and limits.
//! - [`IdTokenVerifier`]: every check on one token (`verifier.rs`), with the provider's keys
//!   fetched on demand and cached (`jwks_cache.rs`, `key_set.rs`), through the discovery document
//!   when no key URL is configured (`discovery.rs`), each fetch bounded in time and size
//!   (`fetch.rs`) and made only to `https://` or loopback addresses (`endpoint.rs`).
//! - [`VerifiedIdentity`]: the verified email, subject and issuer.
//! - [`OidcError`]: why a token was refused, with a stable code; every reason is the caller's
//!   ([`OidcError::is_client_error`]) but an unreachable provider with no cached key that fits.
//!
//! Nothing here knows about a web framework or a database, and nothing reads the system clock:
//! [`IdTokenVerifier::verify`] takes the time to check against, and the key cache's intervals
//! run on that same time.
//!
//! ```
//! use synerise_auth_oidc::{IdTokenVerifier, OidcSettings};
//! use synerise_auth_token::UnixTime;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let issuer = "https://login.shop.example/realms/shop";
//! let settings = OidcSettings::new(issuer, ["shop-web"], None, 30).unwrap();
//! let verifier = IdTokenVerifier::new(settings, reqwest::Client::new());
//! let now = UnixTime::from_secs(1_800_000_000);
//! // A good token gives the `VerifiedIdentity`; this one is refused before any key is fetched.
//! let refused = verifier.verify("not.a-token", now).await.unwrap_err();
//! assert_eq!(refused.code(), "invalid_id_token");
//! assert!(refused.is_client_error());
//! # }
//! ```

mod discovery;
mod endpoint;
mod error;
mod fetch;
mod jwks_cache;
mod key_set;
mod settings;
mod verifier;

#[cfg(test)]
mod tests;

pub use error::{OidcError, OidcSettingsError};
pub use settings::{
    DEFAULT_HTTP_TIMEOUT, DEFAULT_KEY_MAX_AGE, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REFETCH_MIN_INTERVAL, OidcSettings,
};
pub use verifier::{IdTokenVerifier, VerifiedIdentity};
