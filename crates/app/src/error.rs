//! The one error type of the application: every refusal carries its kind (what a client can do
//! about it: fix the request, sign in, wait) and a stable snake_case code; anything else is
//! unexpected. The HTTP service turns each kind into a status in one place.

use std::borrow::Cow;

use synerise_auth_issuing::{IssuingError, RateLimited};
use synerise_auth_oidc::OidcError;
use synerise_auth_store::StoreError;

/// How long a client is told to wait after the store refused a request on a fault.
pub const STORE_RETRY_AFTER_SECS: u64 = 2;

/// How long a client is told to wait when the identity provider cannot be reached.
const PROVIDER_RETRY_AFTER_SECS: u64 = 5;

/// Why the application refused or failed a request. The variants are the kinds of refusal; each
/// but [`Unexpected`](Self::Unexpected) carries a stable code ([`code`](Self::code)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The request is malformed or a value is invalid (HTTP 400).
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// No credentials, or wrong ones (HTTP 401).
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// Authenticated, but not allowed this (HTTP 403).
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// Conflicts with what is stored (HTTP 409).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// Over a rate limit or locked out for a while (HTTP 429, code `rate_limited`).
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// Something the application depends on (the identity provider, the store) cannot serve
    /// this now; nothing was written (HTTP 503).
    #[error("{message}")]
    Unavailable {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// Our fault: answered with a fixed sentence, the cause logged, never sent.
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

/// The application's result.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// A bad request with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// An authentication refusal with `code`.
    pub fn unauthorized(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
        }
    }

    /// A refusal of something not allowed, with `code`.
    pub fn forbidden(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// The stable snake_case code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unavailable { code, .. } => code,
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Unexpected(_) => "internal_error",
        }
    }
}

/// A store failure: too many sign-ins at once is `busy`; a fault of the moment (disk full,
/// read-only, locked, I/O, no connection) is `storage_unavailable`, both unavailable for a
/// while; anything else is unexpected.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        if matches!(error, StoreError::Busy) {
            Self::Unavailable {
                code: "busy",
                message: "too many sign-ins at once; try again in a moment".into(),
                retry_after_secs: 1,
            }
        } else if error.is_unavailable() {
            tracing::warn!(error = %error, "the store refused a request");
            Self::Unavailable {
                code: "storage_unavailable",
                message: "the service cannot store this right now; try again shortly".into(),
                retry_after_secs: STORE_RETRY_AFTER_SECS,
            }
        } else {
            Self::Unexpected(error.into())
        }
    }
}

/// Issuing's refusals: over a rate limit is [`TooManyRequests`](AppError::TooManyRequests); a
/// key set that does not load or a signature that fails is unexpected.
impl From<IssuingError> for AppError {
    fn from(error: IssuingError) -> Self {
        match error {
            IssuingError::RateLimited(limited) => limited.into(),
            other => Self::Unexpected(other.into()),
        }
    }
}

impl From<RateLimited> for AppError {
    fn from(limited: RateLimited) -> Self {
        Self::TooManyRequests {
            retry_after_secs: limited.retry_after_secs(),
        }
    }
}

/// A refused ID token is [`Unauthorized`](AppError::Unauthorized) with the verifier's code; an
/// identity provider that cannot be reached (and no cached key that fits) is unavailable
/// (`identity_provider_unavailable`), its cause logged here and never sent.
impl From<OidcError> for AppError {
    fn from(error: OidcError) -> Self {
        if error.is_client_error() {
            return Self::unauthorized(error.code(), error.to_string());
        }
        tracing::warn!(
            cause = error.provider_cause().unwrap_or_default(),
            "identity provider unreachable"
        );
        Self::Unavailable {
            code: error.code(),
            message: error.to_string().into(),
            retry_after_secs: PROVIDER_RETRY_AFTER_SECS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_token_refusal_is_unauthorized_but_an_unreachable_provider() {
        let cases = [
            (OidcError::Malformed("x".into()), "invalid_id_token"),
            (OidcError::BadSignature, "invalid_id_token"),
            (
                OidcError::UnsupportedAlgorithm("HS256".into()),
                "unsupported_algorithm",
            ),
            (OidcError::Expired { exp: 1, now: 2 }, "id_token_expired"),
            (
                OidcError::NotYetValid {
                    not_before: 2,
                    now: 1,
                },
                "id_token_not_yet_valid",
            ),
            (OidcError::WrongIssuer, "wrong_issuer"),
            (OidcError::WrongAudience, "wrong_audience"),
            (OidcError::UnknownKey, "unknown_key"),
            (OidcError::MissingEmail, "missing_email"),
            (OidcError::EmailNotVerified, "email_not_verified"),
        ];
        for (error, code) in cases {
            let message = error.to_string();
            let app = AppError::from(error);
            assert!(matches!(app, AppError::Unauthorized { .. }), "{code}");
            assert_eq!(app.code(), code);
            assert_eq!(app.to_string(), message);
        }
        let down = AppError::from(OidcError::ProviderUnavailable {
            cause: "connection refused".into(),
        });
        assert_eq!(down.code(), "identity_provider_unavailable");
        assert!(
            matches!(
                down,
                AppError::Unavailable {
                    retry_after_secs: 5,
                    ..
                }
            ),
            "{down:?}"
        );
        assert!(
            !down.to_string().contains("refused"),
            "the cause is for logs only"
        );
    }

    #[test]
    fn store_faults_are_unavailable_and_bugs_unexpected() {
        let busy = AppError::from(StoreError::Busy);
        assert!(matches!(
            busy,
            AppError::Unavailable {
                code: "busy",
                retry_after_secs: 1,
                ..
            }
        ));
        let exists = AppError::from(StoreError::AccountExists);
        assert_eq!(exists.code(), "internal_error");
    }

    #[test]
    fn a_rate_limit_waits_at_least_a_second() {
        let limited = AppError::from(RateLimited {
            retry_after: std::time::Duration::from_millis(10),
        });
        assert!(matches!(
            limited,
            AppError::TooManyRequests {
                retry_after_secs: 1
            }
        ));
        assert_eq!(limited.code(), "rate_limited");
    }
}
