//! `[sessions]`: how long a customer stays signed in.

use std::time::Duration;

use super::{SettingsError, declare::declare_layer, values::HumanDuration};

declare_layer! {
    /// `[sessions]`: how long a customer stays signed in.
    pub struct SessionsLayer in "sessions" {
        idle_ttl: HumanDuration, flat "session_idle_ttl", default "`1h`",
            "a session ends after this long unused";
        absolute_ttl: HumanDuration, flat "session_absolute_ttl", default "`12h`",
            "a session ends this long after sign-in";
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
    /// Defaults, and checks the idle lifetime is positive and within the absolute one.
    pub(crate) fn resolve(&self) -> Result<SessionSettings, SettingsError> {
        let defaults = SessionSettings::default();
        let sessions = SessionSettings {
            idle_ttl: self.idle_ttl.map_or(defaults.idle_ttl, |d| d.0),
            absolute_ttl: self.absolute_ttl.map_or(defaults.absolute_ttl, |d| d.0),
        };
        if sessions.idle_ttl.is_zero() || sessions.absolute_ttl < sessions.idle_ttl {
            return Err(SettingsError::setting(
                "session_idle_ttl",
                "must be positive and at most session_absolute_ttl",
            ));
        }
        Ok(sessions)
    }
}
