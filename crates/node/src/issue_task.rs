//! The signature, on libuv's thread pool: the event loop hands the claims over and is free until
//! the token comes back.

use std::sync::Arc;

use napi::{Env, Status, Task};
use synerise_auth_token::{CustomerUuid, Email, TokenTtl, UnixTime};

use crate::{signing::Signing, values::IssuedToken};

/// One token to sign.
#[derive(Debug)]
pub struct IssueTask {
    signing: Arc<Signing>,
    email: Email,
    uuid: CustomerUuid,
    ttl: TokenTtl,
    now: UnixTime,
}

impl IssueTask {
    pub(crate) fn new(
        signing: Arc<Signing>,
        email: Email,
        uuid: CustomerUuid,
        ttl: TokenTtl,
        now: UnixTime,
    ) -> Self {
        Self {
            signing,
            email,
            uuid,
            ttl,
            now,
        }
    }
}

impl Task for IssueTask {
    type Output = IssuedToken;
    type JsValue = IssuedToken;

    /// Runs on a libuv worker thread. A failure here is the signature primitive's (it does not
    /// fail for a valid key); napi's `Task` carries only its own status, so it reaches
    /// JavaScript as `GenericFailure`, which the package reports as `internal_error`.
    fn compute(&mut self) -> napi::Result<IssuedToken> {
        let internal =
            |e: synerise_auth_token::Error| napi::Error::new(Status::GenericFailure, e.to_string());
        let issued = self
            .signing
            .issuer
            .issue(&self.email, &self.uuid, self.ttl, self.now)
            .map_err(internal)?;
        let (jwt, claims) = issued.into_parts();
        let expires_at = UnixTime::from_secs(claims.exp)
            .to_rfc3339()
            .map_err(internal)?;
        Ok(IssuedToken {
            jwt,
            uuid: claims.uuid.to_string(),
            expires_at,
            exp: claims.exp,
        })
    }

    fn resolve(&mut self, _env: Env, output: IssuedToken) -> napi::Result<IssuedToken> {
        Ok(output)
    }
}
