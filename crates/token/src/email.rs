//! A customer's email address, parsed once.

use std::fmt;

use email_address::{EmailAddress, Options};
use serde::{Deserialize, Deserializer, Serialize};

use crate::{Error, Result};

/// The most bytes an email address may have (RFC 5321's path limit less the angle brackets).
const MAX_LEN: usize = 254;

/// A syntactically valid email address: trimmed, at most 254 bytes, `local@domain.tld`, no display
/// name, no IP-literal domain. The domain is lower-cased (domains are case-insensitive); the local
/// part is kept as given, because it is the customer's identifier and feeds their UUID.
///
/// ```
/// use synerise_auth_token::Email;
/// assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "Ann@example.com");
/// assert!(Email::parse("not an email").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an email address.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`] with the reason when the text is not an address.
    pub fn parse(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidEmail("it is empty"));
        }
        if trimmed.len() > MAX_LEN {
            return Err(Error::InvalidEmail("it is longer than 254 bytes"));
        }
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let parsed = EmailAddress::parse_with_options(trimmed, options)
            .map_err(|_| Error::InvalidEmail("it is not of the form name@example.com"))?;
        // The domain in lower case (domains are case-insensitive; local parts need not be).
        let (local, domain) = (parsed.local_part(), parsed.domain());
        let mut address = String::with_capacity(local.len() + 1 + domain.len());
        address.push_str(local);
        address.push('@');
        address.extend(domain.chars().map(|c| c.to_ascii_lowercase()));
        Ok(Self(address))
    }

    /// The address as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Prints the address. Logs use [`LogTagKey::tag`](crate::LogTagKey::tag) instead.
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Redacted, so that a stray `{:?}` in a log line does not leak a customer's address.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for Email {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let email = Email::parse(" customer@Synerise.COM\n").unwrap();
        assert_eq!(email.as_str(), "customer@synerise.com");
        assert_eq!(
            Email::parse("a.b+tag@sub.example.org").unwrap().as_str(),
            "a.b+tag@sub.example.org"
        );
    }

    #[test]
    fn refuses_with_a_reason() {
        for (text, reason) in [
            ("", "it is empty"),
            ("   ", "it is empty"),
            ("plain", "it is not of the form name@example.com"),
            ("a@b", "it is not of the form name@example.com"),
            ("@example.com", "it is not of the form name@example.com"),
            ("a b@example.com", "it is not of the form name@example.com"),
            (
                "Ann <ann@example.com>",
                "it is not of the form name@example.com",
            ),
            ("ann@[127.0.0.1]", "it is not of the form name@example.com"),
            (
                "ann@example.com\u{0}",
                "it is not of the form name@example.com",
            ),
        ] {
            match Email::parse(text) {
                Err(Error::InvalidEmail(r)) => assert_eq!(r, reason, "{text:?}"),
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn refuses_overlong() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(
            Email::parse(&long),
            Err(Error::InvalidEmail("it is longer than 254 bytes"))
        ));
    }

    #[test]
    fn debug_does_not_print_the_address() {
        let email = Email::parse("secret.person@example.com").unwrap();
        let shown = format!("{email:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(shown, "Email(<redacted>)");
    }

    #[test]
    fn deserializes_through_parse() {
        let email: Email = serde_json::from_str("\" x@Example.com \"").unwrap();
        assert_eq!(email.as_str(), "x@example.com");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
