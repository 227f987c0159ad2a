//! How long a token lives.

use std::{fmt, str::FromStr, time::Duration};

use crate::{Error, Result};

/// A token's lifetime: between one minute and 30 days; 7 days by default, as in Synerise's guide.
///
/// Parsed from text such as `7d`, `12h`, `90m`, `3600s` or `3600` (seconds).
///
/// ```
/// use synerise_auth_token::TokenTtl;
/// assert_eq!("12h".parse::<TokenTtl>().unwrap().as_secs(), 43_200);
/// assert_eq!(TokenTtl::default().as_secs(), 604_800);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenTtl(u32);

impl TokenTtl {
    /// The shortest lifetime accepted.
    pub const MIN_SECS: u32 = 60;
    /// The longest lifetime accepted.
    pub const MAX_SECS: u32 = 30 * 24 * 3600;

    /// The longest lifetime accepted, as a lifetime.
    pub const MAX: Self = Self(Self::MAX_SECS);

    /// A lifetime of `secs` seconds.
    ///
    /// # Errors
    /// [`Error::InvalidTtl`] outside one minute to 30 days.
    pub fn from_secs(secs: u64) -> Result<Self> {
        if secs < u64::from(Self::MIN_SECS) || secs > u64::from(Self::MAX_SECS) {
            return Err(Error::InvalidTtl(format!(
                "{secs} s is outside the allowed range of 1 minute to 30 days"
            )));
        }
        Ok(Self(
            u32::try_from(secs).map_err(|_| Error::InvalidTtl("too long".into()))?,
        ))
    }

    /// The lifetime in seconds.
    #[must_use]
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// The lifetime as a [`Duration`].
    #[must_use]
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(u64::from(self.0))
    }
}

impl Default for TokenTtl {
    fn default() -> Self {
        Self(7 * 24 * 3600)
    }
}

impl FromStr for TokenTtl {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        let secs = match text.parse::<u64>() {
            Ok(secs) => secs,
            Err(_) => humantime::parse_duration(text)
                .map_err(|e| {
                    Error::InvalidTtl(format!("`{text}`: {e} (try 7d, 12h, 30m or 3600s)"))
                })?
                .as_secs(),
        };
        Self::from_secs(secs)
    }
}

impl fmt::Display for TokenTtl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&humantime::format_duration(self.as_duration()), f)
    }
}

impl<'de> serde::Deserialize<'de> for TokenTtl {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Secs(secs) => Self::from_secs(secs),
            Raw::Text(text) => text.parse(),
        }
        .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        for (text, secs) in [
            ("7d", 604_800),
            ("12h", 43_200),
            ("90m", 5_400),
            ("3600s", 3_600),
            ("3600", 3_600),
            ("1m", 60),
            ("30d", 2_592_000),
        ] {
            assert_eq!(text.parse::<TokenTtl>().unwrap().as_secs(), secs, "{text}");
        }
    }

    #[test]
    fn refuses_out_of_range_and_garbage() {
        for text in ["59s", "31d", "0", "", "soon", "-5m"] {
            assert!(
                matches!(text.parse::<TokenTtl>(), Err(Error::InvalidTtl(_))),
                "{text}"
            );
        }
    }
}
