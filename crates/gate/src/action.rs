//! Event action names, such as `page.visit` or `form.submit`, and the three lists they go on.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::{ConfigError, Result};

/// The longest action name accepted, in bytes.
pub const MAX_ACTION_LEN: usize = 128;

/// An event action name, as Synerise's JS SDK sends it in `action`: ASCII letters and digits, and
/// `.`, `_`, `-` or `:` after the first character; at most [`MAX_ACTION_LEN`] bytes. Matching is
/// case-sensitive, as Synerise's names are (`client.createOrUpdate`).
///
/// ```
/// use synerise_auth_gate::Action;
/// assert_eq!(Action::parse("form.submit").unwrap().as_str(), "form.submit");
/// assert!(Action::parse("form submit").is_err());
/// assert!(Action::parse("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Action(String);

impl Action {
    /// Parses an action name. Surrounding white space is not trimmed: a tracker that sends
    /// `" page.visit"` is sending another name, and should hear about it.
    ///
    /// # Errors
    /// [`ConfigError::InvalidAction`] (with no list) when the name is empty, too long, or holds a
    /// character outside the set above.
    pub fn parse(text: &str) -> Result<Self> {
        let reason = if text.is_empty() {
            Some("it is empty")
        } else if text.len() > MAX_ACTION_LEN {
            Some("it is longer than 128 bytes")
        } else if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            Some("it must start with a letter or a digit")
        } else if !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'))
        {
            Some("only ASCII letters, digits, `.`, `_`, `-` and `:` are allowed")
        } else {
            None
        };
        match reason {
            None => Ok(Self(text.to_owned())),
            Some(reason) => Err(ConfigError::InvalidAction {
                list: None,
                action: shorten(text),
                reason,
            }),
        }
    }

    /// A name known to be valid (the built-in defaults), without parsing it.
    pub(crate) fn known(name: &'static str) -> Self {
        Self(name.to_owned())
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At most 64 characters of untrusted text, for error messages.
fn shorten(text: &str) -> String {
    const KEEP: usize = 64;
    if text.chars().count() <= KEEP {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(KEEP).collect();
        short.push('…');
        short
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({})", self.0)
    }
}

impl AsRef<str> for Action {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Action {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synerise_names_parse() {
        for name in [
            "page.visit",
            "form.submit",
            "client.createOrUpdate",
            "product.addToCart",
            "transaction.charge",
            "custom:event_name-2",
            "a",
        ] {
            assert_eq!(Action::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        let long = "a".repeat(MAX_ACTION_LEN + 1);
        for (bad, reason) in [
            ("", "it is empty"),
            (long.as_str(), "it is longer than 128 bytes"),
            (".visit", "it must start with a letter or a digit"),
            (" page.visit", "it must start with a letter or a digit"),
            ("page visit", "only ASCII letters"),
            ("page.visit\n", "only ASCII letters"),
            ("stróna", "only ASCII letters"),
            ("page/visit", "only ASCII letters"),
        ] {
            match Action::parse(bad) {
                Err(ConfigError::InvalidAction {
                    list: None,
                    reason: got,
                    action,
                }) => {
                    assert!(got.starts_with(reason), "{bad:?}: {got}");
                    assert!(action.chars().count() <= 65, "{action}");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert_eq!(
            Action::parse(&"a".repeat(MAX_ACTION_LEN))
                .unwrap()
                .as_str()
                .len(),
            128
        );
    }

    #[test]
    fn deserializes_through_parse() {
        let ok: Action = serde_json::from_str(r#""form.submit""#).unwrap();
        assert_eq!(ok.to_string(), "form.submit");
        let err = serde_json::from_str::<Action>(r#""form submit""#).unwrap_err();
        assert!(err.to_string().contains("invalid event action"), "{err}");
    }
}
