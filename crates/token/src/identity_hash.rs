//! Synerise's identity hash: how the tracker tells one identified customer from another.
//!
//! Synerise's Magento integration (`Helper/Tracking/UuidManagement.php`, `hashString`) computes
//! it as Java's `String.hashCode` taken over the identifier's bytes: `h = 31 * h + byte`, each
//! byte unsigned (PHP's `ord`), wrapped to a signed 32-bit integer at every step. It then hands
//! `uuid:hash` to the tracker in the `_snrs_reset_uuid_and_identity_hash` cookie, the hash
//! written as a decimal, negative when the top bit is set.

use std::fmt;

/// Synerise's identity hash of an identifier (by default the customer's email).
///
/// ```
/// use synerise_auth_token::IdentityHash;
///
/// assert_eq!(IdentityHash::of("a").value(), 97);
/// assert_eq!(IdentityHash::of("customer@synerise.com").to_string(), "-374943845");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdentityHash(i32);

impl IdentityHash {
    /// Hashes the identifier's UTF-8 bytes.
    #[must_use]
    pub fn of(identifier: &str) -> Self {
        let hash = identifier.bytes().fold(0_i32, |h, byte| {
            h.wrapping_mul(31).wrapping_add(i32::from(byte))
        });
        Self(hash)
    }

    /// The hash as the signed 32-bit integer Synerise's code computes.
    #[must_use]
    pub fn value(self) -> i32 {
        self.0
    }
}

impl fmt::Display for IdentityHash {
    /// The decimal form the tracker's cookie carries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::IdentityHash;

    /// The PHP function, step for step in 64-bit arithmetic: `overflow32(31 * h + ord(c))`.
    fn php_hash_string(s: &str) -> i64 {
        let overflow32 = |v: i64| {
            let v = v % 4_294_967_296;
            if v > 2_147_483_647 {
                v - 4_294_967_296
            } else if v < -2_147_483_648 {
                v + 4_294_967_296
            } else {
                v
            }
        };
        s.bytes()
            .fold(0, |h, byte| overflow32(31 * h + i64::from(byte)))
    }

    #[test]
    fn matches_the_integrations_arithmetic() {
        for s in [
            "",
            "a",
            "ann@example.com",
            "customer@synerise.com",
            "zażółć@gęślą.pl",
            "a-very-long-local-part-that-wraps-many-times@subdomain.example.co.uk",
        ] {
            assert_eq!(
                i64::from(IdentityHash::of(s).value()),
                php_hash_string(s),
                "{s}"
            );
        }
    }

    #[test]
    fn is_javas_string_hash_code_for_ascii() {
        // "hello".hashCode() in Java.
        assert_eq!(IdentityHash::of("hello").value(), 99_162_322);
        assert_eq!(IdentityHash::of("").value(), 0);
    }

    #[test]
    fn hashes_bytes_not_utf16_units() {
        // "é" is two bytes (0xC3 0xA9): 31 * 195 + 169, where Java's hashCode would give 233.
        assert_eq!(IdentityHash::of("é").value(), 31 * 195 + 169);
    }
}
