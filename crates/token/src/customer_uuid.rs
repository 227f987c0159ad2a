//! Customer UUIDs: Synerise's UUIDv5 of a site-wide salt followed by the customer's identifier.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::{Error, Result};

/// The site-wide secret string prefixed to every identifier before hashing. It must stay on the
/// server: whoever has it can compute any customer's UUID from their email.
#[derive(Clone)]
pub struct UuidSalt(String);

impl UuidSalt {
    /// Wraps a salt.
    ///
    /// # Errors
    /// [`Error::InvalidSalt`] when it is empty.
    pub fn new(salt: impl Into<String>) -> Result<Self> {
        let salt = salt.into();
        if salt.is_empty() {
            return Err(Error::InvalidSalt("it is empty"));
        }
        Ok(Self(salt))
    }

    /// The salt's text. Never log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UuidSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UuidSalt(<redacted>)")
    }
}

/// A customer's UUID in RFC 4122 form, as carried in the token's `uuid` claim.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CustomerUuid(Uuid);

impl CustomerUuid {
    /// Synerise's formula: `uuid5(NAMESPACE_URL, salt + identifier)`.
    ///
    /// ```
    /// use synerise_auth_token::{CustomerUuid, UuidSalt};
    /// let salt = UuidSalt::new("someString").unwrap();
    /// assert_eq!(
    ///     CustomerUuid::derive(&salt, "customer@synerise.com").to_string(),
    ///     "345d4c8f-5aff-591d-a19c-1ca48923d9ee",
    /// );
    /// ```
    #[must_use]
    pub fn derive(salt: &UuidSalt, identifier: &str) -> Self {
        let mut name = Vec::with_capacity(salt.0.len() + identifier.len());
        name.extend_from_slice(salt.0.as_bytes());
        name.extend_from_slice(identifier.as_bytes());
        Self(Uuid::new_v5(&Uuid::NAMESPACE_URL, &name))
    }

    /// Parses a UUID in its 36-character hyphenated form (any case; printed lower-case).
    ///
    /// # Errors
    /// [`Error::InvalidUuid`] when the text is not a hyphenated UUID, or is the nil UUID.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.len() != 36 {
            return Err(Error::InvalidUuid(
                "expected 36 characters like 345d4c8f-5aff-591d-a19c-1ca48923d9ee",
            ));
        }
        let uuid = Uuid::try_parse(text).map_err(|_| {
            Error::InvalidUuid("expected 36 characters like 345d4c8f-5aff-591d-a19c-1ca48923d9ee")
        })?;
        if uuid.is_nil() {
            return Err(Error::InvalidUuid("the nil UUID identifies no one"));
        }
        Ok(Self(uuid))
    }

    /// The underlying UUID.
    #[must_use]
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for CustomerUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for CustomerUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomerUuid({})", self.0.hyphenated())
    }
}

impl<'de> Deserialize<'de> for CustomerUuid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for CustomerUuid {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors Synerise publishes on its "Customer UUIDs" page (two revisions of the page).
    #[test]
    fn synerise_published_vectors() {
        let cases = [
            (
                "someString",
                "customer@synerise.com",
                "345d4c8f-5aff-591d-a19c-1ca48923d9ee",
            ),
            (
                "yourdomain.com",
                "customer@synerise.com",
                "7023e164-2318-542c-9992-0b70cf4c5625",
            ),
        ];
        for (salt, id, expected) in cases {
            let uuid = CustomerUuid::derive(&UuidSalt::new(salt).unwrap(), id);
            assert_eq!(uuid.to_string(), expected);
            assert_eq!(uuid.as_uuid().get_version_num(), 5);
        }
    }

    #[test]
    fn parse_round_trips_and_refuses() {
        let uuid = CustomerUuid::parse("345D4C8F-5AFF-591D-A19C-1CA48923D9EE").unwrap();
        assert_eq!(uuid.to_string(), "345d4c8f-5aff-591d-a19c-1ca48923d9ee");
        for bad in [
            "",
            "345d4c8f5aff591da19c1ca48923d9ee",
            "{345d4c8f-5aff-591d-a19c-1ca48923d9ee}",
            "345d4c8f-5aff-591d-a19c-1ca48923d9eg",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(
                matches!(CustomerUuid::parse(bad), Err(Error::InvalidUuid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn empty_salt_is_refused_and_salt_never_prints() {
        assert!(matches!(UuidSalt::new(""), Err(Error::InvalidSalt(_))));
        assert_eq!(
            format!("{:?}", UuidSalt::new("pepper").unwrap()),
            "UuidSalt(<redacted>)"
        );
    }

    proptest::proptest! {
        #[test]
        fn derivation_is_deterministic_and_salt_sensitive(salt in "[a-z]{1,16}", id in ".{0,40}") {
            let a = CustomerUuid::derive(&UuidSalt::new(salt.clone()).unwrap(), &id);
            let b = CustomerUuid::derive(&UuidSalt::new(salt.clone()).unwrap(), &id);
            let c = CustomerUuid::derive(&UuidSalt::new(format!("{salt}x")).unwrap(), &id);
            proptest::prop_assert_eq!(a, b);
            proptest::prop_assert_ne!(a, c);
            proptest::prop_assert_eq!(CustomerUuid::parse(&a.to_string()).unwrap(), a);
        }
    }
}
