//! The three lists of Synerise's event settings, named apart from the actions in them so that the
//! error type can name a list without depending on the action parser.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The three lists of Synerise's event authentication settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionList {
    /// "Accept anonymous customers": events that do not change customer data and need no token.
    Anonymous,
    /// Events that change customer data yet need no token. Synerise keeps this list only for
    /// backward compatibility and warns against using it.
    ModifyWithoutToken,
    /// Events that change customer data and need a valid token for the event's customer.
    RequireToken,
}

impl ActionList {
    /// Every list, in the order they are configured.
    pub const ALL: [Self; 3] = [
        Self::Anonymous,
        Self::ModifyWithoutToken,
        Self::RequireToken,
    ];

    /// The list's key in the configuration file, such as `require_token`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::ModifyWithoutToken => "modify_without_token",
            Self::RequireToken => "require_token",
        }
    }
}

impl fmt::Display for ActionList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
