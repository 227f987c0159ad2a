//! What a Synerise token says.

use serde::{Deserialize, Serialize};

use crate::{CustomerUuid, Email, TokenTtl, UnixTime};

/// The claims of a Synerise token: exactly `exp`, `uuid` and `email`, with `iat` (allowed by
/// Synerise) so that a token's age is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issue time, seconds since the epoch. Optional when verifying tokens made elsewhere.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub iat: Option<i64>,
    /// The customer's UUID.
    pub uuid: CustomerUuid,
    /// The customer's email.
    pub email: String,
}

impl Claims {
    /// The claims of a token issued at `iat` for `email` and `uuid`, living `ttl`: the one place
    /// that says `exp = iat + ttl`.
    ///
    /// ```
    /// use synerise_auth_token::{Claims, CustomerUuid, Email, TokenTtl, UnixTime};
    /// let email = Email::parse("ann@example.com").unwrap();
    /// let uuid = CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap();
    /// let claims = Claims::new(&email, uuid, "1h".parse::<TokenTtl>().unwrap(), UnixTime::from_secs(1_000));
    /// assert_eq!((claims.iat, claims.exp), (Some(1_000), 4_600));
    /// ```
    #[must_use]
    pub fn new(email: &Email, uuid: CustomerUuid, ttl: TokenTtl, iat: UnixTime) -> Self {
        Self {
            exp: iat.plus_secs(i64::from(ttl.as_secs())).as_secs(),
            iat: Some(iat.as_secs()),
            uuid,
            email: email.as_str().to_owned(),
        }
    }
}

/// A verified token's header, as it was sent.
pub type Header = serde_json::Map<String, serde_json::Value>;
