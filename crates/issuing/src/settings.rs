//! The settings [`Tokens`](crate::Tokens) are made from: which key signs, for how long, with which
//! `kid` header, and how tokens are reused. The service declares and reads them (its
//! configuration file, environment and flags) and converts into these.

use std::{path::PathBuf, time::Duration};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use synerise_auth_token::TokenTtl;

/// What signs, all of which a reload applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSettings {
    /// A key file (a set of one) or a key directory (its active key signs).
    pub key: PathBuf,
    /// The token lifetime.
    pub ttl: TokenTtl,
    /// The `kid` header.
    pub kid: KidSetting,
    /// Token reuse.
    pub cache: TokenCacheSettings,
}

impl SigningSettings {
    /// Signing with the key at `key`, the default lifetime, no `kid` and the default reuse.
    #[must_use]
    pub fn new(key: impl Into<PathBuf>) -> Self {
        Self {
            key: key.into(),
            ttl: TokenTtl::default(),
            kid: KidSetting::default(),
            cache: TokenCacheSettings::default(),
        }
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
    /// `none` (or empty), `thumbprint`, or any other text as a fixed `kid`.
    ///
    /// ```
    /// use synerise_auth_issuing::KidSetting;
    /// assert_eq!(KidSetting::parse("thumbprint"), KidSetting::Thumbprint);
    /// assert_eq!(KidSetting::parse("k1").as_str(), "k1");
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text {
            "" | "none" => Self::None,
            "thumbprint" => Self::Thumbprint,
            other => Self::Fixed(other.to_owned()),
        }
    }

    /// The setting as [`parse`](Self::parse) reads it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::None => "none",
            Self::Thumbprint => "thumbprint",
            Self::Fixed(kid) => kid,
        }
    }
}

impl<'de> Deserialize<'de> for KidSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

impl Serialize for KidSetting {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Token reuse: a returning customer gets the token signed for them moments ago (see
/// [`Tokens`](crate::Tokens)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCacheSettings {
    /// Whether tokens are reused at all.
    pub enabled: bool,
    /// How long after signing a token may be handed out again (whole seconds).
    pub max_age: Duration,
    /// Tokens kept at most.
    pub capacity: usize,
}

impl Default for TokenCacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_age: Duration::from_secs(600),
            capacity: 100_000,
        }
    }
}
