//! Event settings from TOML: defaults, replacement, duplicates, names, unknown keys.

use serde::Deserialize;
use synerise_auth_gate::{
    Action, ActionList, ConfigError, EventSettings, Rule, SettingsWarning, UnlistedPolicy,
};

/// The settings as the server's configuration file would hold them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    gate: EventSettings,
}

fn parse(toml_text: &str) -> Result<EventSettings, String> {
    toml::from_str::<Config>(toml_text)
        .map(|c| c.gate)
        .map_err(|e| e.to_string())
}

fn action(name: &str) -> Action {
    Action::parse(name).unwrap()
}

#[test]
fn a_full_table() {
    let settings = parse(
        r#"
        [gate]
        anonymous = ["page.visit", "product.view"]
        modify_without_token = ["newsletter.signup"]
        require_token = ["form.submit", "client.createOrUpdate", "transaction.charge"]
        unlisted = "require_token"
        "#,
    )
    .unwrap();
    assert_eq!(
        settings.list(ActionList::Anonymous),
        [action("page.visit"), action("product.view")]
    );
    assert_eq!(
        settings.rule_for(&action("newsletter.signup")),
        Rule::Listed(ActionList::ModifyWithoutToken)
    );
    assert_eq!(
        settings.rule_for(&action("transaction.charge")),
        Rule::Listed(ActionList::RequireToken)
    );
    assert_eq!(
        settings.rule_for(&action("x")),
        Rule::Unlisted(UnlistedPolicy::RequireToken)
    );
    assert_eq!(
        settings.warnings(),
        [SettingsWarning::ModifyWithoutToken(vec![action(
            "newsletter.signup"
        )])]
    );
    let warning = settings.warnings()[0].to_string();
    assert!(warning.contains("newsletter.signup") && warning.contains("backward compatibility"));
}

#[test]
fn missing_table_or_keys_take_the_defaults() {
    assert_eq!(parse("").unwrap(), EventSettings::default());
    assert_eq!(parse("[gate]").unwrap(), EventSettings::default());
    let settings = parse("[gate]\nunlisted = \"accept_anonymous\"").unwrap();
    assert_eq!(settings, EventSettings::default());

    // A list that is set replaces its default; the others keep theirs.
    let settings = parse("[gate]\nanonymous = [\"product.view\"]").unwrap();
    assert_eq!(
        settings.list(ActionList::Anonymous),
        [action("product.view")]
    );
    assert_eq!(
        settings.rule_for(&action("page.visit")),
        Rule::Unlisted(UnlistedPolicy::AcceptAnonymous)
    );
    assert_eq!(
        settings.list(ActionList::RequireToken),
        [action("form.submit"), action("client.createOrUpdate")]
    );
}

#[test]
fn empty_lists_are_allowed_with_a_warning() {
    let settings = parse("[gate]\nrequire_token = []").unwrap();
    assert!(settings.list(ActionList::RequireToken).is_empty());
    assert_eq!(settings.warnings(), [SettingsWarning::NothingRequiresToken]);
    assert_eq!(settings.warnings()[0].code(), "nothing_requires_token");
    // Unless unlisted actions require one.
    let strict = parse("[gate]\nrequire_token = []\nunlisted = \"require_token\"").unwrap();
    assert!(strict.warnings().is_empty());
}

#[test]
fn an_action_listed_twice_is_refused() {
    let cases = [
        (
            "anonymous = [\"page.visit\", \"page.visit\"]",
            "`page.visit` is listed twice in `anonymous`",
        ),
        (
            "anonymous = [\"a.b\"]\nrequire_token = [\"a.b\"]",
            "`a.b` is listed in both `anonymous` and `require_token`",
        ),
        (
            "modify_without_token = [\"client.createOrUpdate\"]",
            "`client.createOrUpdate` is listed in both `modify_without_token` and `require_token`",
        ),
    ];
    for (body, expected) in cases {
        let error = parse(&format!("[gate]\n{body}")).unwrap_err();
        assert!(error.contains(expected), "{body}: {error}");
    }
    // The clash with a default list says how to change that list.
    let error = parse("[gate]\nanonymous = [\"form.submit\"]").unwrap_err();
    assert!(
        error.contains("`require_token` was not set, so it holds its default list"),
        "{error}"
    );

    let typed = EventSettings::new(
        [action("a.b")],
        [],
        [action("a.b")],
        UnlistedPolicy::default(),
    )
    .unwrap_err();
    assert!(matches!(
        typed,
        ConfigError::DuplicateAction {
            first: ActionList::Anonymous,
            second: ActionList::RequireToken,
            defaulted: None,
            ..
        }
    ));
}

#[test]
fn bad_names_and_keys_are_refused() {
    let cases = [
        (
            "anonymous = [\"\"]",
            "in `anonymous`: invalid event action \"\": it is empty",
        ),
        (
            "require_token = [\"form submit\"]",
            "in `require_token`: invalid event action \"form submit\"",
        ),
        ("anonymous = [1]", "invalid type"),
        ("anonymous = \"page.visit\"", "invalid type"),
        ("unlisted = \"refuse\"", "unknown variant `refuse`"),
        ("anonymus = [\"page.visit\"]", "unknown field `anonymus`"),
    ];
    for (body, expected) in cases {
        let error = parse(&format!("[gate]\n{body}")).unwrap_err();
        assert!(error.contains(expected), "{body}: {error}");
    }
}

#[test]
fn serializes_to_a_table_that_parses_back() {
    let settings =
        parse("[gate]\nmodify_without_token = [\"x.y\"]\nunlisted = \"require_token\"").unwrap();
    let text = toml::to_string(&settings).unwrap();
    assert!(text.contains("unlisted = \"require_token\""), "{text}");
    let back: EventSettings = toml::from_str(&text).unwrap();
    assert_eq!(back, settings);
}
