//! `[token]`: the tokens signed for customers.

use serde::{Deserialize, Serialize, Serializer};
use synerise_auth_token::TokenTtl;

use super::declare::{FromEnv, declare_layer};

declare_layer! {
    /// `[token]`: the tokens signed for customers.
    pub struct TokenLayer in "token" {
        #[serde(serialize_with = "super::values::ttl_secs")]
        ttl: TokenTtl, flat "token_ttl", default "`7d`",
            "token lifetime, 1 minute to 30 days";
        kid: KidSetting, flat "token_kid", default "`none`",
            "`kid` header: `none`, `thumbprint`, or a fixed string; the thumbprint whenever the key set holds more than one key";
        allow_client_uuid: bool, flat "allow_client_uuid", default "`false`",
            "for signed-in customers, use a valid `uuid` the browser sends (e.g. the tracker's anonymous one, to merge profiles) instead of the derived one";
    }
}

/// What to put in the token header's `kid`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KidSetting {
    /// No `kid` (Synerise's own examples have none).
    #[default]
    None,
    /// The public key's RFC 7638 thumbprint, as published at `/.well-known/jwks.json`.
    Thumbprint,
    /// A fixed string.
    Fixed(String),
}

impl KidSetting {
    fn from_text(text: &str) -> Self {
        match text {
            "" | "none" => Self::None,
            "thumbprint" => Self::Thumbprint,
            other => Self::Fixed(other.to_owned()),
        }
    }

    fn as_text(&self) -> &str {
        match self {
            Self::None => "none",
            Self::Thumbprint => "thumbprint",
            Self::Fixed(kid) => kid,
        }
    }
}

impl<'de> Deserialize<'de> for KidSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_text(&String::deserialize(d)?))
    }
}

impl Serialize for KidSetting {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_text())
    }
}

impl FromEnv for KidSetting {
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(Self::from_text(text))
    }
}
