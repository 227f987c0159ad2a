//! `[sessions]`: how long a customer stays signed in.

use std::time::Duration;

use super::{SettingsError, declare::declare_layer, values::HumanDuration};

declare_layer! {
    /// `[sessions]`: how long a customer stays signed in.
    pub struct SessionsLayer in "sessions" {
        idle_ttl: HumanDuration, default "`1h`",
            "a session ends after this long unused";
        absolute_ttl: HumanDuration, default "`12h`",
            "a session ends this long after sign-in";
        identity_cookie: IdentityCookieText, default "`off`",
            "`on` (or `on; domain=.shop.example; path=/`): at sign-in with a session, set the tracker's `_snrs_reset_uuid_and_identity_hash` cookie to the customer's `uuid:identityHash` (see \"The front end\")";
    }
}

/// The `identity_cookie` setting as written (`off`, `on`, `on; domain=...; path=...`), checked
/// when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCookieText(String);

impl<'de> serde::Deserialize<'de> for IdentityCookieText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        crate::cookies::IdentityCookie::parse(&text).map_err(serde::de::Error::custom)?;
        Ok(Self(text))
    }
}

impl serde::Serialize for IdentityCookieText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Session lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// Idle expiry.
    pub idle_ttl: Duration,
    /// Absolute expiry.
    pub absolute_ttl: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_ttl: Duration::from_secs(3600),
            absolute_ttl: Duration::from_secs(12 * 3600),
        }
    }
}

impl SessionsLayer {
    /// The tracker's identity cookie to set at sign-in, `None` when `off` or unset.
    pub(crate) fn resolve_identity_cookie(
        &self,
    ) -> Result<Option<crate::cookies::IdentityCookie>, SettingsError> {
        match &self.identity_cookie {
            None => Ok(None),
            Some(IdentityCookieText(text)) => crate::cookies::IdentityCookie::parse(text)
                .map_err(|e| SettingsError::Invalid(format!("sessions.identity_cookie: {e}"))),
        }
    }

    /// Defaults, and checks the idle lifetime is positive and within the absolute one.
    pub(crate) fn resolve(&self) -> Result<SessionSettings, SettingsError> {
        let defaults = SessionSettings::default();
        let sessions = SessionSettings {
            idle_ttl: self.idle_ttl.map_or(defaults.idle_ttl, |d| d.0),
            absolute_ttl: self.absolute_ttl.map_or(defaults.absolute_ttl, |d| d.0),
        };
        if sessions.idle_ttl.is_zero() || sessions.absolute_ttl < sessions.idle_ttl {
            return Err(SettingsError::setting(
                "sessions.idle_ttl",
                "must be positive and at most `[sessions] absolute_ttl`",
            ));
        }
        Ok(sessions)
    }
}
