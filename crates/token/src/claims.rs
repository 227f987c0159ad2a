//! What a Synerise token says.

use serde::{Deserialize, Serialize};

use crate::CustomerUuid;

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

/// A verified token's header, as it was sent.
pub type Header = serde_json::Map<String, serde_json::Value>;
