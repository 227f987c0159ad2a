//! The functions that need no key: the customer UUID and Synerise's identity hash.

use napi_derive::napi;
use synerise_auth_token::{CustomerUuid, IdentityHash, UuidSalt};

use crate::error::{Result, token_error};

/// The customer's UUID as the service derives it: UUIDv5 (URL namespace) of `salt + email`.
/// Throws `invalid_salt` for an empty salt.
#[napi(js_name = "customerUuid")]
pub fn customer_uuid(salt: String, email: String) -> Result<String> {
    let salt = UuidSalt::new(salt).map_err(|e| token_error(&e))?;
    Ok(CustomerUuid::derive(&salt, &email).to_string())
}

/// Synerise's identity hash of an identifier (the customer's email): Java's `String.hashCode`
/// over its UTF-8 bytes, a signed 32-bit integer.
#[napi(js_name = "identityHash")]
pub fn identity_hash(identifier: String) -> i32 {
    IdentityHash::of(&identifier).value()
}
