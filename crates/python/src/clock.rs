//! The one place the package reads the system clock.

use synerise_auth_token::{Clock as _, SystemClock, UnixTime};

/// Now, from the system clock.
pub(crate) fn now() -> UnixTime {
    SystemClock.now()
}
