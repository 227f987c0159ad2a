//! What signs right now: the key set's active key in an issuer, with the `kid` it names, and the
//! other keys of the set for publishing and verifying. Built whole at start and at each reload.

use std::path::Path;

use synerise_auth_token::{Issuer as TokenIssuer, KeySet, OtherKeys};

use crate::error::{Result, token_error};

/// What signs right now; replaced whole by a reload.
#[derive(Debug)]
pub(crate) struct Signing {
    pub(crate) issuer: TokenIssuer,
    pub(crate) others: OtherKeys,
}

/// The `kid` header a key file's tokens carry.
#[derive(Debug, Clone)]
pub(crate) enum Kid {
    None,
    Thumbprint,
    Fixed(String),
}

pub(crate) fn load(key: &Path, kid: &Kid) -> Result<Signing> {
    let set = KeySet::load(key).map_err(|e| token_error(&e))?;
    let several = set.len() > 1;
    let (active, others) = set.into_parts();
    // With more than one key published, a verifier needs the `kid` to pick the key.
    let kid = match (kid, several) {
        (Kid::None, false) => None,
        (Kid::Fixed(kid), false) => Some(kid.clone()),
        _ => Some(active.public_key().thumbprint().to_owned()),
    };
    Ok(Signing {
        issuer: TokenIssuer::new(active, kid),
        others,
    })
}
