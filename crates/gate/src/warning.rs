//! What the settings allow but advise against, logged once at start-up.

use std::fmt;

use crate::Action;

/// Something allowed but unwise in the settings, to be logged once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingsWarning {
    /// Actions that may change customer data without a token.
    ModifyWithoutToken(Vec<Action>),
    /// No action requires a token: the gate only checks the tokens that happen to be sent.
    NothingRequiresToken,
}

impl SettingsWarning {
    /// A stable snake_case name for the warning.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::ModifyWithoutToken(_) => "modify_without_token",
            Self::NothingRequiresToken => "nothing_requires_token",
        }
    }
}

impl fmt::Display for SettingsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ModifyWithoutToken(actions) => {
                let names: Vec<&str> = actions.iter().map(Action::as_str).collect();
                write!(
                    f,
                    "`modify_without_token` lets {} change customer data without a token; Synerise \
                     keeps this list only for backward compatibility and advises against it",
                    names.join(", ")
                )
            }
            Self::NothingRequiresToken => f.write_str(
                "no event action requires a token (`require_token` is empty and unlisted actions \
                 are accepted anonymously), so only tokens that happen to be sent are checked",
            ),
        }
    }
}
