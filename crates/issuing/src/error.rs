//! The one error type of issuing, each with a stable code.

use std::time::Duration;

/// Why a token was not issued, or a key set not loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuingError {
    /// The key set did not load (at start or on reload): the message names the file and the
    /// reason. Code `key_set_invalid`.
    #[error(transparent)]
    KeySet(synerise_auth_token::Error),
    /// Signing failed (never expected with a key that loaded). Code `signing_failed`.
    #[error(transparent)]
    Signing(synerise_auth_token::Error),
    /// Over a rate limit. Code `rate_limited`.
    #[error(transparent)]
    RateLimited(#[from] RateLimited),
}

impl IssuingError {
    /// The stable snake_case code, the same the HTTP service answers with.
    ///
    /// | code | when |
    /// | --- | --- |
    /// | `key_set_invalid` | the key file or directory did not load |
    /// | `signing_failed` | the signature failed |
    /// | `rate_limited` | over a [`PerMinute`](crate::PerMinute) limit |
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeySet(_) => "key_set_invalid",
            Self::Signing(_) => "signing_failed",
            Self::RateLimited(_) => "rate_limited",
        }
    }
}

/// Over a rate limit: try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many requests; try again in {} s", self.retry_after_secs())]
pub struct RateLimited {
    /// How long until a retry may succeed.
    pub retry_after: Duration,
}

impl RateLimited {
    /// Whole seconds until a retry may succeed, at least 1 (for `Retry-After`).
    #[must_use]
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs().max(1)
    }

    /// The stable code: `rate_limited`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "rate_limited"
    }
}
