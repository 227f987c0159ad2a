//! Synerise's event authentication settings: three lists of event actions, and what happens to an
//! action on none of them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Action, ActionList, ConfigError, Result, Rule, SettingsWarning, UnlistedPolicy};

/// The actions on the `anonymous` list when it is not configured.
pub const DEFAULT_ANONYMOUS: &[&str] = &["page.visit"];
/// The actions on the `require_token` list when it is not configured: Synerise requires a token for
/// these two unless told otherwise (its documents name one or both, depending on the version).
pub const DEFAULT_REQUIRE_TOKEN: &[&str] = &["form.submit", "client.createOrUpdate"];

/// Synerise's event authentication settings (Data Management > Events > JS SDK event settings):
/// which event actions are accepted from anonymous customers, which may change customer data
/// without a token, and which require a token; plus the policy for an action on none of the lists.
///
/// Deserialized from a TOML table (unknown keys refused); a list that is not set keeps its default,
/// and a list that is set replaces its default entirely:
///
/// ```
/// use synerise_auth_gate::{Action, ActionList, EventSettings, Rule, UnlistedPolicy};
///
/// let settings: EventSettings = toml::from_str(r#"
///     anonymous = ["page.visit", "product.view"]
///     require_token = ["form.submit", "client.createOrUpdate", "transaction.charge"]
///     unlisted = "require_token"
/// "#).unwrap();
/// let rule = settings.rule_for(&Action::parse("transaction.charge").unwrap());
/// assert_eq!(rule, Rule::Listed(ActionList::RequireToken));
/// assert_eq!(settings.unlisted(), UnlistedPolicy::RequireToken);
/// ```
///
/// An action listed twice, in one list or in two, is refused with a [`ConfigError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEventSettings")]
pub struct EventSettings {
    anonymous: Vec<Action>,
    modify_without_token: Vec<Action>,
    require_token: Vec<Action>,
    unlisted: UnlistedPolicy,
    #[serde(skip)]
    index: HashMap<Action, ActionList>,
}

/// The settings as written in the file: a list that is absent takes its default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEventSettings {
    anonymous: Option<Vec<String>>,
    modify_without_token: Option<Vec<String>>,
    require_token: Option<Vec<String>>,
    #[serde(default)]
    unlisted: UnlistedPolicy,
}

impl TryFrom<RawEventSettings> for EventSettings {
    type Error = ConfigError;

    fn try_from(raw: RawEventSettings) -> Result<Self> {
        let mut defaulted = Vec::new();
        let mut lists = [Vec::new(), Vec::new(), Vec::new()];
        for ((list, given), slot) in ActionList::ALL
            .into_iter()
            .zip([raw.anonymous, raw.modify_without_token, raw.require_token])
            .zip(&mut lists)
        {
            match given {
                Some(names) => {
                    for name in names {
                        let action = Action::parse(&name).map_err(|e| with_list(e, list))?;
                        slot.push(action);
                    }
                }
                None => {
                    defaulted.push(list);
                    *slot = default_list(list);
                }
            }
        }
        let [anonymous, modify_without_token, require_token] = lists;
        Self::build(
            anonymous,
            modify_without_token,
            require_token,
            raw.unlisted,
            &defaulted,
        )
    }
}

fn with_list(error: ConfigError, list: ActionList) -> ConfigError {
    match error {
        ConfigError::InvalidAction { action, reason, .. } => ConfigError::InvalidAction {
            list: Some(list),
            action,
            reason,
        },
        other => other,
    }
}

fn default_list(list: ActionList) -> Vec<Action> {
    let names = match list {
        ActionList::Anonymous => DEFAULT_ANONYMOUS,
        ActionList::ModifyWithoutToken => &[],
        ActionList::RequireToken => DEFAULT_REQUIRE_TOKEN,
    };
    // The defaults are valid names (a unit test parses them), so they skip the parser.
    names.iter().map(|n| Action::known(n)).collect()
}

impl Default for EventSettings {
    /// `page.visit` anonymous; `form.submit` and `client.createOrUpdate` require a token; nothing
    /// on `modify_without_token`; unlisted actions accepted anonymously.
    fn default() -> Self {
        let [anonymous, modify_without_token, require_token] = ActionList::ALL.map(default_list);
        let mut index = HashMap::new();
        for (list, actions) in
            ActionList::ALL
                .into_iter()
                .zip([&anonymous, &modify_without_token, &require_token])
        {
            for action in actions {
                index.insert(action.clone(), list);
            }
        }
        Self {
            anonymous,
            modify_without_token,
            require_token,
            unlisted: UnlistedPolicy::default(),
            index,
        }
    }
}

impl EventSettings {
    /// Settings from three lists and an unlisted policy, given in full (no defaults are merged in).
    ///
    /// # Errors
    /// [`ConfigError::DuplicateAction`] when an action is listed twice.
    pub fn new(
        anonymous: impl IntoIterator<Item = Action>,
        modify_without_token: impl IntoIterator<Item = Action>,
        require_token: impl IntoIterator<Item = Action>,
        unlisted: UnlistedPolicy,
    ) -> Result<Self> {
        Self::build(
            anonymous.into_iter().collect(),
            modify_without_token.into_iter().collect(),
            require_token.into_iter().collect(),
            unlisted,
            &[],
        )
    }

    fn build(
        anonymous: Vec<Action>,
        modify_without_token: Vec<Action>,
        require_token: Vec<Action>,
        unlisted: UnlistedPolicy,
        defaulted: &[ActionList],
    ) -> Result<Self> {
        let mut index: HashMap<Action, ActionList> = HashMap::new();
        for (list, actions) in
            ActionList::ALL
                .into_iter()
                .zip([&anonymous, &modify_without_token, &require_token])
        {
            for action in actions {
                if let Some(&first) = index.get(action) {
                    return Err(ConfigError::DuplicateAction {
                        action: action.to_string(),
                        first,
                        second: list,
                        defaulted: [first, list].into_iter().find(|l| defaulted.contains(l)),
                    });
                }
                index.insert(action.clone(), list);
            }
        }
        Ok(Self {
            anonymous,
            modify_without_token,
            require_token,
            unlisted,
            index,
        })
    }

    /// The same settings with another unlisted policy.
    #[must_use]
    pub fn with_unlisted(mut self, unlisted: UnlistedPolicy) -> Self {
        self.unlisted = unlisted;
        self
    }

    /// The rule that applies to `action`.
    #[must_use]
    pub fn rule_for(&self, action: &Action) -> Rule {
        self.index
            .get(action)
            .map_or(Rule::Unlisted(self.unlisted), |&list| Rule::Listed(list))
    }

    /// The actions on `list`, in the order configured.
    #[must_use]
    pub fn list(&self, list: ActionList) -> &[Action] {
        match list {
            ActionList::Anonymous => &self.anonymous,
            ActionList::ModifyWithoutToken => &self.modify_without_token,
            ActionList::RequireToken => &self.require_token,
        }
    }

    /// The policy for actions on no list.
    #[must_use]
    pub fn unlisted(&self) -> UnlistedPolicy {
        self.unlisted
    }

    /// What is allowed but unwise in these settings; log each once at start-up.
    #[must_use]
    pub fn warnings(&self) -> Vec<SettingsWarning> {
        let mut warnings = Vec::new();
        if !self.modify_without_token.is_empty() {
            warnings.push(SettingsWarning::ModifyWithoutToken(
                self.modify_without_token.clone(),
            ));
        }
        if self.require_token.is_empty() && self.unlisted == UnlistedPolicy::AcceptAnonymous {
            warnings.push(SettingsWarning::NothingRequiresToken);
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(name: &str) -> Action {
        Action::parse(name).unwrap()
    }

    #[test]
    fn defaults_are_valid_names() {
        for name in DEFAULT_ANONYMOUS.iter().chain(DEFAULT_REQUIRE_TOKEN) {
            assert_eq!(Action::parse(name).unwrap(), Action::known(name));
        }
    }

    #[test]
    fn defaults_follow_synerise() {
        let settings = EventSettings::default();
        assert_eq!(
            settings.rule_for(&action("form.submit")),
            Rule::Listed(ActionList::RequireToken)
        );
        assert_eq!(
            settings.rule_for(&action("client.createOrUpdate")),
            Rule::Listed(ActionList::RequireToken)
        );
        assert_eq!(
            settings.rule_for(&action("page.visit")),
            Rule::Listed(ActionList::Anonymous)
        );
        assert_eq!(
            settings.rule_for(&action("product.addToCart")),
            Rule::Unlisted(UnlistedPolicy::AcceptAnonymous)
        );
        assert!(settings.list(ActionList::ModifyWithoutToken).is_empty());
        assert!(settings.warnings().is_empty());
        // An empty table is the defaults.
        assert_eq!(toml::from_str::<EventSettings>("").unwrap(), settings);
    }
}
