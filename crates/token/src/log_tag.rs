//! Tags that let log lines about one customer be matched with each other, and with nothing else.

use std::fmt;

use aws_lc_rs::hmac;

use crate::{Email, UuidSalt};

/// What the key is derived for, so that it differs from every other use of the same secret.
const DERIVATION_LABEL: &[u8] = b"synerise-auth log tags v1";

/// A per-install secret that keys the tags customers appear under in logs: HMAC-SHA256 of the
/// address, so that someone holding the logs and a list of addresses cannot tell which line is
/// whose (as they could with a plain hash), while lines about one customer still share a tag.
///
/// `serve` derives it from the UUID salt, which every instance of one site shares, so tags match
/// across instances and with the event gate mounted beside it.
///
/// ```
/// use synerise_auth_token::{Email, LogTagKey, UuidSalt};
/// let key = LogTagKey::derive(&UuidSalt::new("the site's salt").unwrap());
/// let ann = Email::parse("ann@example.com").unwrap();
/// assert_eq!(key.tag(&ann), key.tag(&ann));
/// assert_eq!(key.tag(&ann).len(), 16);
/// let other = LogTagKey::derive(&UuidSalt::new("another site's salt").unwrap());
/// assert_ne!(key.tag(&ann), other.tag(&ann));
/// ```
#[derive(Clone)]
pub struct LogTagKey(hmac::Key);

impl LogTagKey {
    /// The key derived from a site's UUID salt.
    #[must_use]
    pub fn derive(salt: &UuidSalt) -> Self {
        let outer = hmac::Key::new(hmac::HMAC_SHA256, salt.expose_secret().as_bytes());
        let derived = hmac::sign(&outer, DERIVATION_LABEL);
        Self(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
    }

    /// A key from secret bytes (e.g. a random secret kept in the data directory).
    #[must_use]
    pub fn from_secret(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// The tag for `email`: the first 64 bits of its HMAC, as 16 hex digits.
    #[must_use]
    pub fn tag(&self, email: &Email) -> String {
        use fmt::Write as _;
        let mac = hmac::sign(&self.0, email.as_str().as_bytes());
        mac.as_ref()
            .iter()
            .take(8)
            .fold(String::with_capacity(16), |mut out, b| {
                let _ = write!(out, "{b:02x}");
                out
            })
    }
}

impl fmt::Debug for LogTagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogTagKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_keyed_and_stable() {
        let ann = Email::parse("ann@example.com").unwrap();
        let bob = Email::parse("bob@example.com").unwrap();
        let key = LogTagKey::from_secret(b"one install");
        assert_eq!(key.tag(&ann), key.tag(&ann));
        assert_ne!(key.tag(&ann), key.tag(&bob));
        assert_ne!(
            key.tag(&ann),
            LogTagKey::from_secret(b"another install").tag(&ann)
        );
        // Not the unkeyed SHA-256 prefix anyone could compute from an address list.
        use sha2::{Digest, Sha256};
        let plain: String = Sha256::digest(b"ann@example.com")
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(key.tag(&ann), plain);
        assert!(key.tag(&ann).chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn the_salt_derived_key_is_not_the_salt_itself() {
        let salt = UuidSalt::new("shared salt").unwrap();
        let ann = Email::parse("ann@example.com").unwrap();
        assert_ne!(
            LogTagKey::derive(&salt).tag(&ann),
            LogTagKey::from_secret(b"shared salt").tag(&ann)
        );
        assert_eq!(
            format!("{:?}", LogTagKey::derive(&salt)),
            "LogTagKey(<redacted>)"
        );
    }
}
