//! The signature, on libuv's thread pool: the event loop hands the claims over and is free until
//! the token comes back. A token found in the reuse cache crosses over as it is.

use std::sync::Arc;

use napi::{Env, Status, Task};
use synerise_auth_issuing::{Issued, Pending, Tokens};
use synerise_auth_token::UnixTime;

use crate::values::IssuedToken;

/// One token to hand out: found in the cache, or to sign.
#[derive(Debug)]
pub struct IssueTask {
    tokens: Arc<Tokens>,
    found: Option<Result<Issued, Pending>>,
}

impl IssueTask {
    pub(crate) fn new(tokens: Arc<Tokens>, found: Result<Issued, Pending>) -> Self {
        Self {
            tokens,
            found: Some(found),
        }
    }
}

impl Task for IssueTask {
    type Output = IssuedToken;
    type JsValue = IssuedToken;

    /// Runs on a libuv worker thread. napi's `Task` rejects with its own status only, so a
    /// failure puts the stable code first in the message (`signing_failed: ...`), which the
    /// package's JavaScript turns back into the error's `code`.
    fn compute(&mut self) -> napi::Result<IssuedToken> {
        let issued = match self.found.take() {
            Some(Ok(hit)) => hit,
            Some(Err(pending)) => self.tokens.sign(pending).map_err(|e| {
                napi::Error::new(Status::GenericFailure, format!("{}: {e}", e.code()))
            })?,
            None => {
                return Err(napi::Error::new(
                    Status::GenericFailure,
                    "internal_error: the token was already handed out",
                ));
            }
        };
        let (jwt, claims) = issued.into_parts();
        let expires_at = UnixTime::from_secs(claims.exp).to_rfc3339().map_err(|e| {
            napi::Error::new(Status::GenericFailure, format!("internal_error: {e}"))
        })?;
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
