//! The native module of the `synerise-auth` Python package (`synerise_auth._native`): a thin
//! binding over the issuing and token crates, as the Node addon (crates/node) is. The rules (key
//! sets and their reload, claims, customer UUIDs, rate limits, strict RS256 verification) live in
//! those crates only. Python values in, one call into the crate, Python values out;
//! every error mapped once, in [`errors`], to the package's exceptions and the service's codes.

mod claims;
mod clock;
mod errors;
mod functions;
mod issuer;
mod rate_limit;

use pyo3::prelude::*;

#[pymodule]
mod _native {
    #[pymodule_export]
    use crate::functions::{customer_uuid, identity_hash, verify};
    #[pymodule_export]
    use crate::issuer::{IssuedToken, Issuer};
    #[pymodule_export]
    use crate::rate_limit::RateLimit;
}
