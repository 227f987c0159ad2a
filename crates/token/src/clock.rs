//! Time, as a parameter. The only place in the workspace that reads the system clock is
//! [`SystemClock`].

use std::sync::atomic::{AtomicI64, Ordering};

use crate::{Error, Result};

/// Seconds since the Unix epoch, the unit of JWT's `exp`, `iat` and `nbf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(i64);

impl UnixTime {
    /// A time from seconds since the epoch.
    #[must_use]
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> i64 {
        self.0
    }

    /// This time plus `secs` seconds, saturating.
    #[must_use]
    pub const fn plus_secs(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs))
    }

    /// This time in RFC 3339 form, in UTC (`2026-11-30T12:00:00Z`), as the API's `expiresAt`
    /// and the gate log's `at` carry it.
    ///
    /// ```
    /// use synerise_auth_token::UnixTime;
    /// assert_eq!(UnixTime::from_secs(1_700_000_000).to_rfc3339().unwrap(), "2023-11-14T22:13:20Z");
    /// ```
    ///
    /// # Errors
    /// [`Error::TimeOutOfRange`] for a time before year 1 or after year 9999, which RFC 3339
    /// cannot write.
    pub fn to_rfc3339(self) -> Result<String> {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .ok_or(Error::TimeOutOfRange(self.0))
    }
}

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the system clock
    fn now(&self) -> UnixTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        UnixTime(secs)
    }
}

/// A clock that says what it is told, for tests and tools.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock stopped at `at`.
    #[must_use]
    pub fn new(at: UnixTime) -> Self {
        Self(AtomicI64::new(at.0))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: UnixTime) {
        self.0.store(at.0, Ordering::SeqCst);
    }

    /// Moves the clock forward by `secs` seconds.
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_in_range_and_refused_beyond() {
        assert_eq!(
            UnixTime::from_secs(0).to_rfc3339().unwrap(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            UnixTime::from_secs(253_402_300_799).to_rfc3339().unwrap(),
            "9999-12-31T23:59:59Z"
        );
        assert!(matches!(
            UnixTime::from_secs(253_402_300_800).to_rfc3339(),
            Err(Error::TimeOutOfRange(253_402_300_800))
        ));
        assert!(UnixTime::from_secs(i64::MIN).to_rfc3339().is_err());
    }
}
