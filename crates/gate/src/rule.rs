//! How an event's action is treated: the list it is on, or the policy for an action on none.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ActionList;

/// What the gate does with an action that is on none of the three lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlistedPolicy {
    /// Accept it without a token, as Synerise does by default for events it has not been told
    /// about.
    #[default]
    AcceptAnonymous,
    /// Treat it as if it were on the `require_token` list: the strict choice.
    RequireToken,
}

impl UnlistedPolicy {
    /// The policy's value in the configuration file.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::AcceptAnonymous => "accept_anonymous",
            Self::RequireToken => "require_token",
        }
    }
}

/// The rule that decided how an event's action is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The action is on this list.
    Listed(ActionList),
    /// The action is on no list, and the unlisted policy applied.
    Unlisted(UnlistedPolicy),
}

impl Rule {
    /// Whether an event under this rule needs a valid token.
    #[must_use]
    pub const fn requires_token(self) -> bool {
        matches!(
            self,
            Self::Listed(ActionList::RequireToken) | Self::Unlisted(UnlistedPolicy::RequireToken)
        )
    }

    /// A stable snake_case name for logs and the gate page: the list's key (`anonymous`,
    /// `modify_without_token`, `require_token`), or `unlisted_accept_anonymous` /
    /// `unlisted_require_token`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Listed(list) => list.key(),
            Self::Unlisted(UnlistedPolicy::AcceptAnonymous) => "unlisted_accept_anonymous",
            Self::Unlisted(UnlistedPolicy::RequireToken) => "unlisted_require_token",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_and_token_requirement() {
        let cases = [
            (Rule::Listed(ActionList::Anonymous), "anonymous", false),
            (
                Rule::Listed(ActionList::ModifyWithoutToken),
                "modify_without_token",
                false,
            ),
            (
                Rule::Listed(ActionList::RequireToken),
                "require_token",
                true,
            ),
            (
                Rule::Unlisted(UnlistedPolicy::AcceptAnonymous),
                "unlisted_accept_anonymous",
                false,
            ),
            (
                Rule::Unlisted(UnlistedPolicy::RequireToken),
                "unlisted_require_token",
                true,
            ),
        ];
        for (rule, code, requires) in cases {
            assert_eq!(rule.code(), code);
            assert_eq!(rule.requires_token(), requires, "{code}");
        }
    }
}
