//! The one issuer behind every way in: derives the customer's UUID on the server and signs.

use std::sync::Arc;

use synerise_auth_token::{Clock, CustomerUuid, Email, IssuedToken, Issuer, TokenTtl, UuidSalt};

use crate::ApiError;

/// Signs Synerise tokens for customers whose identity the caller has already established.
#[derive(Debug)]
pub(crate) struct Issuing {
    issuer: Issuer,
    salt: UuidSalt,
    ttl: TokenTtl,
    clock: Arc<dyn Clock>,
}

impl Issuing {
    pub(crate) fn new(
        issuer: Issuer,
        salt: UuidSalt,
        ttl: TokenTtl,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            issuer,
            salt,
            ttl,
            clock,
        }
    }

    pub(crate) fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The customer's UUID as this service derives it: UUIDv5 of the salt and the email.
    pub(crate) fn derive_uuid(&self, email: &Email) -> CustomerUuid {
        CustomerUuid::derive(&self.salt, email.as_str())
    }

    /// Signs a token for `email` with `uuid`, off the async worker threads so that a burst of
    /// signatures cannot delay other requests.
    pub(crate) async fn issue(
        self: &Arc<Self>,
        email: Email,
        uuid: CustomerUuid,
    ) -> Result<IssuedToken, ApiError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let now = this.clock.now();
            this.issuer.issue(&email, &uuid, this.ttl, now)
        })
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?
        .map_err(|e| ApiError::Unexpected(e.into()))
    }
}
