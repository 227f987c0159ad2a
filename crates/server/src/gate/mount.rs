//! Whether `serve` mounts the event gate, and with which settings.

use synerise_auth_gate::EventSettings;

use crate::mode::Mode;

/// The event settings `serve` mounts the gate with, or `None` when it is not mounted: mounted by
/// default in dev mode, and in production only with `[gate] enabled = true`; `[gate]` in the file
/// sets the lists (the defaults otherwise).
pub(crate) fn serve_gate_settings(
    mode: Mode,
    enabled: Option<bool>,
    events: Option<EventSettings>,
) -> Option<EventSettings> {
    enabled
        .unwrap_or(mode == Mode::Dev)
        .then(|| events.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use synerise_auth_gate::{Action, ActionList, Rule, UnlistedPolicy};

    use super::*;
    use crate::{Settings, SettingsLayer};

    #[test]
    fn mounted_by_default_in_dev_mode_only() {
        assert_eq!(
            serve_gate_settings(Mode::Dev, None, None),
            Some(EventSettings::default())
        );
        assert_eq!(serve_gate_settings(Mode::Production, None, None), None);
        assert_eq!(serve_gate_settings(Mode::Dev, Some(false), None), None);
        assert_eq!(
            serve_gate_settings(Mode::Production, Some(true), None),
            Some(EventSettings::default())
        );
        // A `[gate]` table alone does not mount it in production.
        let strict = EventSettings::default().with_unlisted(UnlistedPolicy::RequireToken);
        assert_eq!(
            serve_gate_settings(Mode::Production, None, Some(strict.clone())),
            None
        );
        assert_eq!(
            serve_gate_settings(Mode::Dev, None, Some(strict.clone())),
            Some(strict)
        );
    }

    #[test]
    fn the_gate_table_and_switch_come_from_the_file_and_the_environment() {
        let file: SettingsLayer = toml::from_str(
            "[gate]\nenabled = false\nrequire_token = [\"form.submit\", \"transaction.charge\"]\nunlisted = \"require_token\"\n",
        )
        .unwrap();
        let env = SettingsLayer::from_env(|name| {
            (name == "SYNERISE_AUTH_GATE__ENABLED").then(|| "true".to_owned())
        })
        .unwrap();
        let settings = Settings::resolve(env.over(file).unwrap()).unwrap();
        let events = settings.gate.unwrap();
        assert_eq!(events.unlisted(), UnlistedPolicy::RequireToken);
        assert_eq!(
            events.rule_for(&Action::parse("transaction.charge").unwrap()),
            Rule::Listed(ActionList::RequireToken)
        );
        // Lists not set keep their defaults.
        assert_eq!(
            events.rule_for(&Action::parse("page.visit").unwrap()),
            Rule::Listed(ActionList::Anonymous)
        );

        let off: SettingsLayer = toml::from_str("[gate]\nenabled = false").unwrap();
        assert!(Settings::resolve(off).unwrap().gate.is_none());
    }

    #[test]
    fn mistakes_in_the_gate_table_are_refused() {
        for text in [
            "[gate]\nrequire_tokens = [\"form.submit\"]\n",
            "[gate]\nanonymous = [\"form.submit\"]\n",
            "[gate]\nunlisted = \"sometimes\"\n",
            "[gate]\nrequire_token = [\"form submit\"]\n",
        ] {
            assert!(toml::from_str::<SettingsLayer>(text).is_err(), "{text}");
        }
    }
}
