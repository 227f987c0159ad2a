//! Parsing events: what is required, what is optional, what is refused.

use serde_json::json;
use synerise_auth_gate::{Event, MAX_EVENT_BYTES, MAX_LABEL_CHARS, Reason};

use crate::helpers::*;

#[test]
fn a_full_event_parses_and_serializes_back() {
    let body = json!({
        "action": "form.submit",
        "label": "Newsletter",
        "client": {"uuid": UUID.to_uppercase(), "email": "ignored@example.com"},
        "params": {"formType": "newsletter", "nested": {"a": [1, 2]}},
        "time": "2026-01-01T00:00:00Z",
        "eventUUID": "ignored"
    });
    let event = Event::from_json(body.to_string().as_bytes()).unwrap();
    assert_eq!(event.action().as_str(), "form.submit");
    assert_eq!(event.label(), Some("Newsletter"));
    assert_eq!(event.uuid(), uuid());
    assert_eq!(event.params().unwrap()["formType"], "newsletter");
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({
            "action": "form.submit",
            "label": "Newsletter",
            "client": {"uuid": UUID},
            "params": {"formType": "newsletter", "nested": {"a": [1, 2]}}
        })
    );
}

#[test]
fn label_and_params_are_optional_and_may_be_null() {
    for body in [
        json!({"action": "page.visit", "client": {"uuid": UUID}}),
        json!({"action": "page.visit", "client": {"uuid": UUID}, "label": null, "params": null}),
    ] {
        let event = Event::from_json(body.to_string().as_bytes()).unwrap();
        assert_eq!(event.label(), None);
        assert_eq!(event.params(), None);
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"action": "page.visit", "client": {"uuid": UUID}})
        );
    }
}

#[test]
fn malformed_events_are_refused_with_400_and_a_reason() {
    let long_label = "x".repeat(MAX_LABEL_CHARS + 1);
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "not valid JSON"),
        ("{".into(), "not valid JSON"),
        ("not json".into(), "not valid JSON"),
        ("[]".into(), "must be a JSON object, not an array"),
        (r#""page.visit""#.into(), "must be a JSON object, not a string"),
        ("null".into(), "must be a JSON object, not null"),
        (json!({"client": {"uuid": UUID}}).to_string(), "no `action`"),
        (json!({"action": null, "client": {"uuid": UUID}}).to_string(), "no `action`"),
        (json!({"action": 7, "client": {"uuid": UUID}}).to_string(), "`action` must be a string, not a number"),
        (json!({"action": "", "client": {"uuid": UUID}}).to_string(), "it is empty"),
        (json!({"action": "page visit", "client": {"uuid": UUID}}).to_string(), "only ASCII letters"),
        (json!({"action": "page.visit"}).to_string(), "no `client` object"),
        (json!({"action": "page.visit", "client": UUID}).to_string(), "`client` must be an object"),
        (json!({"action": "page.visit", "client": {}}).to_string(), "no `client.uuid`"),
        (json!({"action": "page.visit", "client": {"uuid": 5}}).to_string(), "`client.uuid` must be a string"),
        (json!({"action": "page.visit", "client": {"uuid": "abc"}}).to_string(), "`client.uuid` is not a UUID"),
        (
            json!({"action": "page.visit", "client": {"uuid": "00000000-0000-0000-0000-000000000000"}}).to_string(),
            "`client.uuid` is not a UUID",
        ),
        (json!({"action": "page.visit", "client": {"uuid": UUID}, "label": 1}).to_string(), "`label` must be a string"),
        (json!({"action": "page.visit", "client": {"uuid": UUID}, "label": long_label}).to_string(), "`label` is longer than 1024"),
        (json!({"action": "page.visit", "client": {"uuid": UUID}, "params": [1]}).to_string(), "`params` must be an object, not an array"),
        (json!({"action": "page.visit", "client": {"uuid": UUID}, "params": "a=b"}).to_string(), "`params` must be an object"),
    ];
    let gate = gate();
    for (body, expected) in cases {
        let error = Event::from_json(body.as_bytes()).unwrap_err();
        assert!(error.reason().contains(expected), "{body}: {error}");
        let decision = gate.decide_json(body.as_bytes(), None, now());
        assert_refused(&decision, 400, Reason::MalformedEvent);
        assert!(decision.detail().starts_with("The event is malformed: "));
        assert!(decision.detail().contains(expected));
    }
}

#[test]
fn what_was_valid_before_the_problem_is_kept() {
    let body = json!({"action": "form.submit", "client": {"uuid": "abc"}}).to_string();
    let error = Event::from_json(body.as_bytes()).unwrap_err();
    assert_eq!(error.action().unwrap().as_str(), "form.submit");
    assert_eq!(error.uuid(), None);

    let body = json!({"action": "form.submit", "client": {"uuid": UUID}, "label": 1}).to_string();
    let decision = gate().decide_json(body.as_bytes(), None, now());
    assert_eq!(decision.action().unwrap().as_str(), "form.submit");
    assert_eq!(decision.uuid(), Some(uuid()));

    let error = Event::from_json(br#"{"action": "no good"}"#).unwrap_err();
    assert_eq!(error.action(), None);
}

#[test]
fn size_limits() {
    let padding = "x".repeat(MAX_EVENT_BYTES);
    let body = json!({"action": "page.visit", "client": {"uuid": UUID}, "params": {"p": padding}})
        .to_string();
    let error = Event::from_json(body.as_bytes()).unwrap_err();
    assert!(error.reason().contains("bytes long"), "{error}");

    let label = "ł".repeat(MAX_LABEL_CHARS); // 2048 bytes, 1024 characters: allowed
    let body =
        json!({"action": "page.visit", "client": {"uuid": UUID}, "label": label}).to_string();
    assert!(Event::from_json(body.as_bytes()).is_ok());

    let deep = format!(
        r#"{{"action": "page.visit", "client": {{"uuid": "{UUID}"}}, "params": {{"a": {}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let error = Event::from_json(deep.as_bytes()).unwrap_err();
    assert!(error.reason().contains("not valid JSON"), "{error}");
}

#[test]
fn the_reason_never_quotes_the_body() {
    let body =
        json!({"action": "page.visit", "client": {"uuid": "secret-ish@example.com"}}).to_string();
    let error = Event::from_json(body.as_bytes()).unwrap_err();
    assert!(!error.reason().contains("example.com"), "{error}");
}
