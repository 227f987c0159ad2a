//! The Synerise token domain: RSA signing keys, Synerise's claims, an issuer that signs RS256
//! JSON Web Tokens, a strict RS256-only verifier, and customer UUIDs (UUIDv5 of salt + identifier).
//!
//! Nothing here knows about HTTP, databases or async runtimes, and nothing reads the system clock
//! except [`SystemClock`]: every operation that needs "now" takes a [`UnixTime`].
//!
//! ```
//! use synerise_auth_token::{Claims, CustomerUuid, Email, Issuer, SigningKey, TokenTtl, UnixTime, UuidSalt, Verifier};
//!
//! let key = SigningKey::generate(2048).unwrap();
//! let issuer = Issuer::new(key, None);
//! let email = Email::parse("customer@synerise.com").unwrap();
//! let uuid = CustomerUuid::derive(&UuidSalt::new("someString").unwrap(), email.as_str());
//! assert_eq!(uuid.to_string(), "345d4c8f-5aff-591d-a19c-1ca48923d9ee");
//!
//! let now = UnixTime::from_secs(1_700_000_000);
//! let issued = issuer.issue(&email, &uuid, TokenTtl::default(), now).unwrap();
//!
//! let verifier = Verifier::new(issuer.public_key());
//! let verified = verifier.verify(issued.token(), now).unwrap();
//! assert_eq!(verified.claims.email, "customer@synerise.com");
//! assert_eq!(verified.claims.exp, 1_700_000_000 + 7 * 24 * 3600);
//! ```

mod atomic_file;
mod claims;
mod clock;
mod customer_uuid;
mod email;
mod error;
mod identity_hash;
mod issuer;
mod key_dir;
mod key_set;
mod key_state;
mod log_tag;
mod public_key;
mod signing_key;
mod ttl;
mod verifier;

pub use claims::{Claims, Header};
pub use clock::{Clock, FixedClock, SystemClock, UnixTime};
pub use customer_uuid::{CustomerUuid, UuidSalt};
pub use email::Email;
pub use error::{Error, KeyError, KeySetError, Result, VerifyError};
pub use identity_hash::IdentityHash;
pub use issuer::{IssuedToken, Issuer};
pub use key_dir::KeyDir;
pub use key_set::{KeySet, OtherKeys, RetiredKey};
pub use key_state::{KEY_STATE_FILE, KeyEntry, KeyRole};
pub use log_tag::LogTagKey;
pub use public_key::{PublicKey, PublicKeyFormat};
pub use signing_key::{KeyBits, SigningKey};
pub use ttl::TokenTtl;
pub use verifier::{DEFAULT_LEEWAY_SECS, VerifiedToken, Verifier};
