//! A secret setting (the UUID salt, an API key): a string that never prints its value.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string as configured. Its `Debug` shows no part of it, and a value of the wrong
/// type in a file is refused without being quoted.
///
/// ```
/// use synerise_auth_server::Secret;
///
/// let salt = Secret::new("the site's salt");
/// assert_eq!(format!("{salt:?}"), "Secret(<redacted>)");
/// assert_eq!(salt.expose_secret(), "the site's salt");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self(SecretString::from(text.into()))
    }

    /// The secret's text. Never log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Layers are merged as values in memory (`SettingsLayer::over`), so the secret is written out
/// there; nothing else serializes settings.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(SecretVisitor)
    }
}

struct SecretVisitor;

impl SecretVisitor {
    fn refuse<E: serde::de::Error>() -> E {
        // serde's own message would quote the value.
        E::custom("expected a string (the value is not shown: it is a secret)")
    }
}

impl serde::de::Visitor<'_> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Secret, E> {
        Ok(Secret::new(text))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Secret, E> {
        Ok(Secret::new(text))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Secret, E> {
        Err(Self::refuse())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Secret, E> {
        Err(Self::refuse())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Secret, E> {
        Err(Self::refuse())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Secret, E> {
        Err(Self::refuse())
    }

    fn visit_char<E: serde::de::Error>(self, _: char) -> Result<Secret, E> {
        Err(Self::refuse())
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Secret, E> {
        Err(Self::refuse())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_secret_of_the_wrong_type_is_refused_without_being_quoted() {
        for text in [
            "uuid_salt = 918273645",
            "uuid_salt = true",
            "uuid_salt = 9.18273645",
        ] {
            let error = super::super::SettingsLayer::from_toml(text).unwrap_err();
            assert!(error.contains("uuid_salt"), "{error}");
            assert!(!error.contains("918273645"), "{error}");
            assert!(!error.contains("true"), "{error}");
        }
    }
}
