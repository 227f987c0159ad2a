//! Tests of the gate's routes.
use proptest::prelude::*;
use synerise_auth_gate::Action;

/// Every `pattern` the gate's document gives an action (the event's field, the queries'
/// parameter).
fn action_patterns() -> Vec<regex::Regex> {
    let spec = serde_json::to_value(super::gate_openapi()).unwrap();
    let mut patterns =
        vec![spec["components"]["schemas"]["EventBody"]["properties"]["action"]["pattern"].clone()];
    for path in ["/gate/v1/events", "/gate/v1/events/stream"] {
        for parameter in spec["paths"][path]["get"]["parameters"].as_array().unwrap() {
            if parameter["name"] == "action" {
                patterns.push(parameter["schema"]["pattern"].clone());
            }
        }
    }
    assert_eq!(patterns.len(), 3, "{patterns:?}");
    patterns
        .iter()
        .map(|p| regex::Regex::new(p.as_str().expect("a pattern")).unwrap())
        .collect()
}

fn agrees(patterns: &[regex::Regex], text: &str) -> Result<(), TestCaseError> {
    let parsed = Action::parse(text).is_ok();
    for pattern in patterns {
        prop_assert_eq!(
            pattern.is_match(text),
            parsed,
            "{:?} against {}",
            text,
            pattern
        );
    }
    Ok(())
}

#[test]
fn the_documented_action_pattern_is_what_the_gate_accepts() {
    let patterns = action_patterns();
    let mut cases: Vec<String> = (0u8..=127)
        .flat_map(|b| {
            let c = char::from(b);
            [c.to_string(), format!("a{c}"), format!("a{c}b")]
        })
        .collect();
    cases.extend([
        "a".repeat(128),
        "a".repeat(129),
        "é".into(),
        "form.submit\n".into(),
    ]);
    for case in cases {
        agrees(&patterns, &case).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn the_documented_action_pattern_agrees_on_any_text(text in "[a-zA-Z0-9._:\\- /éż\n]{0,130}|\\PC{0,8}") {
        agrees(&action_patterns(), &text)?;
    }
}
