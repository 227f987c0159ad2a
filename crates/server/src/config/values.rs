//! Value types shared by several sections.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use synerise_auth_token::TokenTtl;

/// A duration written as `30m`, `12h`, `7d` or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Secs(secs) => Ok(Self(Duration::from_secs(secs))),
            Raw::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_duration(self.0))
    }
}

impl std::str::FromStr for HumanDuration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(secs) = text.parse::<u64>() {
            return Ok(Self(Duration::from_secs(secs)));
        }
        humantime::parse_duration(text)
            .map(Self)
            .map_err(|e| format!("`{text}`: {e} (try 30m, 12h or 7d)"))
    }
}

/// `true`/`false` or, as the README writes it, `"on"`/`"off"`.
pub(crate) fn on_off<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Bool(b) => Ok(Some(b)),
        Raw::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" | "1" => Ok(Some(true)),
            "off" | "false" | "no" | "0" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom(format!(
                "`{text}`: expected on or off"
            ))),
        },
    }
}

/// Writes a TTL as its seconds (which its `Deserialize` reads back).
pub(crate) fn ttl_secs<S: Serializer>(ttl: &Option<TokenTtl>, s: S) -> Result<S::Ok, S::Error> {
    match ttl {
        Some(ttl) => s.serialize_u32(ttl.as_secs()),
        None => s.serialize_none(),
    }
}

/// A limit at least 1 second long, or the error naming `setting`.
pub(crate) fn at_least_a_second(
    setting: &str,
    value: Option<HumanDuration>,
    default: Duration,
) -> Result<Duration, super::SettingsError> {
    match value {
        None => Ok(default),
        Some(HumanDuration(d)) if d >= Duration::from_secs(1) => Ok(d),
        Some(_) => Err(super::SettingsError::setting(
            setting,
            "must be at least 1s",
        )),
    }
}

/// Converts a count from the file to `usize`, saturating.
pub(crate) fn count(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
