//! The crate's one error type: configuration that cannot be used.

use crate::ActionList;

/// A `Result` whose error is this crate's [`ConfigError`].
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// Why the gate's configuration (event settings or certificate) was refused.
///
/// Messages are one sentence that names the list and the action, so that a mistake in the TOML
/// file can be found without reading the code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An event action name is not usable.
    #[error("{}invalid event action {action:?}: {reason}", in_list(*.list))]
    InvalidAction {
        /// The list it was found in, when it came from one.
        list: Option<ActionList>,
        /// The name as given (shortened when very long).
        action: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An action appears twice: in two lists, or twice in one.
    #[error("{}", duplicate_message(action, *first, *second, *defaulted))]
    DuplicateAction {
        /// The action.
        action: String,
        /// The list it was first found in.
        first: ActionList,
        /// The list it was found in again (the same list when it is repeated within one).
        second: ActionList,
        /// The list that was not set in the file and took its default, if one of the two did.
        defaulted: Option<ActionList>,
    },
    /// The certificate could not be read or is not an RSA public key of at least 2048 bits.
    #[error("certificate refused: {0}")]
    Certificate(#[source] synerise_auth_token::Error),
}

fn in_list(list: Option<ActionList>) -> String {
    list.map_or_else(String::new, |l| format!("in `{}`: ", l.key()))
}

fn duplicate_message(
    action: &str,
    first: ActionList,
    second: ActionList,
    defaulted: Option<ActionList>,
) -> String {
    let mut message = if first == second {
        format!(
            "event action `{action}` is listed twice in `{}`",
            first.key()
        )
    } else {
        format!(
            "event action `{action}` is listed in both `{}` and `{}`; an action belongs to one list",
            first.key(),
            second.key()
        )
    };
    if let Some(list) = defaulted {
        message.push_str(" (`");
        message.push_str(list.key());
        message.push_str(
            "` was not set, so it holds its default list; set it explicitly to change it)",
        );
    }
    message
}
