//! The module's free functions: Synerise's customer UUID and identity hash, and verification
//! against a public key given as text.

use pyo3::prelude::*;
use synerise_auth_token::{
    CustomerUuid, Email, IdentityHash, PublicKey, UnixTime, UuidSalt, Verifier,
};

use crate::{
    claims::claims_dict,
    errors::{Refusal, raise},
};

/// Synerise's customer UUID: UUIDv5 (URL namespace) of `salt + email`.
#[pyfunction]
pub(crate) fn customer_uuid(py: Python<'_>, salt: &str, email: &str) -> PyResult<String> {
    let salt = raise(py, UuidSalt::new(salt).map_err(Refusal::from))?;
    Ok(CustomerUuid::derive(&salt, email).to_string())
}

/// Synerise's identity hash of `email` as the service normalises it (trimmed, domain in lower
/// case): Java's `String.hashCode` over its UTF-8 bytes, as `synerise-auth identity-hash` prints.
#[pyfunction]
pub(crate) fn identity_hash(py: Python<'_>, email: &str) -> PyResult<i32> {
    let email = raise(py, Email::parse(email).map_err(Refusal::from))?;
    Ok(IdentityHash::of(email.as_str()).value())
}

/// Verifies `token` against `public_key` (PEM, Synerise's one-line form or bare base64): RS256
/// only; `exp`, `uuid` and `email` required; `now` (seconds since the epoch) defaults to the
/// system clock. Returns the claims.
#[pyfunction]
#[pyo3(signature = (token, public_key, *, now = None, leeway = 30))]
pub(crate) fn verify<'py>(
    py: Python<'py>,
    token: &str,
    public_key: &str,
    now: Option<i64>,
    leeway: u32,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let key = raise(
        py,
        PublicKey::parse_text(public_key, "public_key").map_err(Refusal::from),
    )?;
    let now = now.map_or_else(crate::clock::now, UnixTime::from_secs);
    let verifier = Verifier::new(&key).with_leeway(leeway);
    let verified = raise(py, verifier.verify(token, now).map_err(Refusal::from))?;
    claims_dict(py, &verified.claims)
}
