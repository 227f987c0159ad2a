//! Property tests of the gate's parsers of outside input: event bodies, actions and pasted
//! certificates. None may panic; what they accept must mean what it says.

use proptest::prelude::*;
use serde_json::json;
use synerise_auth_gate::{Action, CertificateRegistry, Event, MAX_EVENT_BYTES};

use crate::helpers::*;

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[a-z]{0,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn event_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Event::from_json(&bytes);
    }

    #[test]
    fn an_accepted_event_has_the_action_and_uuid_it_was_sent_with(
        action in "[a-z]{1,10}\\.[a-zA-Z]{1,10}",
        label in proptest::option::of("\\PC{0,30}"),
        params in json_value(),
    ) {
        let mut body = json!({"action": action, "client": {"uuid": UUID}});
        if let Some(label) = &label {
            body["label"] = json!(label);
        }
        body["params"] = params.clone();
        match Event::from_json(body.to_string().as_bytes()) {
            Ok(event) => {
                prop_assert_eq!(event.action().as_str(), action.as_str());
                prop_assert_eq!(event.uuid(), uuid());
                prop_assert_eq!(event.label(), label.as_deref());
                prop_assert!(params.is_object() || params.is_null());
            }
            // Only `params` of another type than an object may make it malformed.
            Err(malformed) => prop_assert!(!params.is_object() && !params.is_null(), "{}", malformed.reason()),
        }
    }

    #[test]
    fn arbitrary_json_never_panics_and_is_decided(value in json_value()) {
        let decision = gate().decide_json(value.to_string().as_bytes(), None, now());
        prop_assert!([202, 400, 401].contains(&decision.status()), "{}", decision.status());
    }

    #[test]
    fn actions_never_panic_and_round_trip(text in "\\PC{0,40}") {
        if let Ok(action) = Action::parse(&text) {
            prop_assert_eq!(Action::parse(action.as_str()).unwrap(), action);
        }
    }

    #[test]
    fn pasted_certificates_never_panic(text in "\\PC{0,400}") {
        let _ = CertificateRegistry::parse(&text, "pasted");
    }
}

#[test]
fn an_oversized_body_is_malformed_before_it_is_parsed() {
    let body = vec![b' '; MAX_EVENT_BYTES + 1];
    let malformed = Event::from_json(&body).unwrap_err();
    assert!(
        malformed.reason().contains("bytes long"),
        "{}",
        malformed.reason()
    );
}
