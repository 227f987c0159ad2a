//! The crate's error types: why an ID token was not accepted, each reason with a stable code,
//! and why settings were refused.

use std::{borrow::Cow, sync::Arc};

/// Why an ID token was not accepted.
///
/// Every variant but [`ProviderUnavailable`](Self::ProviderUnavailable) says the token is not
/// good enough ([`is_client_error`](Self::is_client_error); an HTTP service answers 401): the
/// caller must sign in again or fix its setup. `ProviderUnavailable` is the one that is not the
/// caller's fault (a 503): the provider's keys could not be fetched and none that fits the token
/// is cached, so the token could not be checked at all.
///
/// Messages never quote the token's claims (only a short, sanitised `alg`), so they can be sent
/// to the client and logged.
///
/// ```
/// use synerise_auth_oidc::OidcError;
///
/// let refused = OidcError::WrongAudience;
/// assert_eq!(refused.code(), "wrong_audience");
/// assert!(refused.is_client_error());
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OidcError {
    /// Not a compact JWS, a header or claim of the wrong type, no `sub` or `exp`, an `email` that
    /// is not an address, or an access token sent in place of an ID token.
    #[error("the ID token is malformed: {0}")]
    Malformed(Cow<'static, str>),
    /// The signature does not verify with the key the header names.
    #[error("the ID token's signature does not verify")]
    BadSignature,
    /// `alg` is neither RS256 nor ES256 (refused before any key is looked up).
    #[error("the ID token's algorithm `{0}` is not accepted (RS256 or ES256 only)")]
    UnsupportedAlgorithm(String),
    /// `exp`, plus the leeway, has passed.
    #[error("the ID token has expired; sign in again")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The time it was checked at.
        now: i64,
    },
    /// `nbf` or `iat`, less the leeway, is still to come.
    #[error("the ID token is not valid yet (check the clocks)")]
    NotYetValid {
        /// The token's `nbf` (or `iat`).
        not_before: i64,
        /// The time it was checked at.
        now: i64,
    },
    /// `iss` is missing or not exactly the configured issuer.
    #[error("the ID token is not from the configured identity provider")]
    WrongIssuer,
    /// `aud` is missing or contains none of the configured audiences.
    #[error("the ID token was not issued for this site (audience)")]
    WrongAudience,
    /// The provider's key set has no key with this `kid` fit for this `alg`, even after a refetch
    /// (or a refetch was not due yet).
    #[error("the ID token is signed with a key the identity provider does not publish")]
    UnknownKey,
    /// No `email` claim (ask the provider for the `email` scope).
    #[error("the ID token has no email (request the `email` scope)")]
    MissingEmail,
    /// `email_verified` is not `true`.
    #[error("the identity provider has not verified this email address")]
    EmailNotVerified,
    /// The provider's keys could not be fetched and no cached key fits the token. 503.
    #[error("the identity provider cannot be reached to check the ID token; try again shortly")]
    ProviderUnavailable {
        /// Why the last fetch failed, for the logs (not sent to the client).
        cause: Arc<str>,
    },
}

impl OidcError {
    /// The stable snake_case code, for an API's `{"error", "code"}` body.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) | Self::BadSignature => "invalid_id_token",
            Self::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            Self::Expired { .. } => "id_token_expired",
            Self::NotYetValid { .. } => "id_token_not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::UnknownKey => "unknown_key",
            Self::MissingEmail => "missing_email",
            Self::EmailNotVerified => "email_not_verified",
            Self::ProviderUnavailable { .. } => "identity_provider_unavailable",
        }
    }

    /// Whether the caller is at fault (a 4xx), as opposed to the provider being unreachable.
    #[must_use]
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::ProviderUnavailable { .. })
    }

    /// What went wrong with the provider, for the logs; `None` for a client error.
    #[must_use]
    pub fn provider_cause(&self) -> Option<&str> {
        match self {
            Self::ProviderUnavailable { cause } => Some(cause),
            _ => None,
        }
    }

    /// An unsupported `alg`, quoted only if it is short and plain (it comes from the client).
    pub(crate) fn unsupported_algorithm(alg: &str) -> Self {
        let plain = alg.len() <= 16 && alg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        Self::UnsupportedAlgorithm(if plain { alg } else { "?" }.to_owned())
    }
}

/// Why [`OidcSettings::new`](crate::OidcSettings::new) refused its values. Each message quotes
/// the value and says what an acceptable one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OidcSettingsError {
    /// The issuer is not a URL, not `https://` (or `http://` to a loopback address), or has
    /// spaces around it.
    #[error("issuer: {0}")]
    Issuer(String),
    /// No audience was given: the tokens' `aud` must be checked against the site's client ids.
    #[error("no audience: give the site's OAuth client id, as the ID tokens' `aud` carries it")]
    NoAudience,
    /// One of the audiences is empty or only spaces.
    #[error("an audience is empty")]
    EmptyAudience,
    /// The key set's URL is not a URL, or not `https://` (or `http://` to a loopback address).
    #[error("key set URL: {0}")]
    JwksUrl(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_the_clients_but_an_unreachable_provider() {
        let cases = [
            (OidcError::Malformed("x".into()), "invalid_id_token"),
            (OidcError::BadSignature, "invalid_id_token"),
            (
                OidcError::unsupported_algorithm("none"),
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
            assert_eq!(error.code(), code);
            assert!(error.is_client_error(), "{code}");
            assert_eq!(error.provider_cause(), None);
        }
        let down = OidcError::ProviderUnavailable {
            cause: "connection refused".into(),
        };
        assert_eq!(down.code(), "identity_provider_unavailable");
        assert!(!down.is_client_error());
        assert_eq!(down.provider_cause(), Some("connection refused"));
        assert!(
            !down.to_string().contains("refused"),
            "the cause is for logs only"
        );
    }

    #[test]
    fn an_odd_algorithm_name_is_not_echoed() {
        assert_eq!(
            OidcError::unsupported_algorithm("HS256").to_string(),
            "the ID token's algorithm `HS256` is not accepted (RS256 or ES256 only)"
        );
        assert!(matches!(
            OidcError::unsupported_algorithm("<script>alert(1)</script>"),
            OidcError::UnsupportedAlgorithm(alg) if alg == "?"
        ));
    }
}
