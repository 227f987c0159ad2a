//! Every reason code, the three lists, the unlisted policy, and tokens sent with anonymous events.

use serde_json::json;
use synerise_auth_gate::{
    Action, ActionList, EventSettings, Reason, Rule, TokenRefusal, UnlistedPolicy,
};
use synerise_auth_token::{Email, VerifyError};

use crate::helpers::*;

fn action(name: &str) -> Action {
    Action::parse(name).unwrap()
}

// --- the reasons, one by one -------------------------------------------------------------------

#[test]
fn token_required_for_both_default_actions() {
    let gate = gate();
    for name in ["form.submit", "client.createOrUpdate"] {
        let decision = gate.decide(&event(name, uuid()), None, now());
        assert_refused(&decision, 401, Reason::TokenRequired);
        assert!(decision.detail().contains(name), "{}", decision.detail());
        assert!(decision.detail().contains("require_token"));
        assert_eq!(
            decision.rule(),
            Some(Rule::Listed(ActionList::RequireToken))
        );
        assert!(!decision.token_sent());
        assert_eq!(decision.action(), Some(&action(name)));
        assert_eq!(decision.uuid(), Some(uuid()));
    }
}

#[test]
fn valid_token_for_the_same_customer_is_accepted() {
    let decision = gate().decide(&event("form.submit", uuid()), Some(&token()), now());
    assert_accepted(&decision);
    assert!(decision.token_sent());
    assert_eq!(decision.token_uuid(), Some(uuid()));
    let tag = log_tags().tag(&Email::parse(EMAIL).unwrap());
    assert_eq!(decision.token_email_tag(), Some(tag.as_str()));
    assert_eq!(decision.warning(), None);
}

#[test]
fn uuid_mismatch_is_403() {
    let foreign = token_at(&ISSUER, other_uuid(), now(), 3600);
    let decision = gate().decide(&event("form.submit", uuid()), Some(&foreign), now());
    assert_refused(&decision, 403, Reason::UuidMismatch);
    assert!(decision.detail().contains(OTHER_UUID));
    assert!(decision.detail().contains(UUID));
    // The token was valid: whose it was is kept for the log.
    assert_eq!(decision.token_uuid(), Some(other_uuid()));
    assert!(decision.token_email_tag().is_some());
}

#[test]
fn malformed_tokens() {
    let gate = gate();
    let event = event("form.submit", uuid());
    for token in [
        "",
        "undefined",
        "not.a.jwt",
        "a.b",
        "a.b.c.d",
        "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        "eyJhbGciOiJSUzI1NiJ9.!!!.c2ln",
    ] {
        let decision = gate.decide(&event, Some(token), now());
        assert_refused(&decision, 401, Reason::MalformedToken);
        assert!(decision.token_sent());
        assert!(
            decision.detail().contains("not a compact JSON Web Token"),
            "{token:?}: {}",
            decision.detail()
        );
    }
}

#[test]
fn wrong_algorithm_hs256_with_the_public_key_as_secret() {
    let decision = gate().decide(
        &event("form.submit", uuid()),
        Some(&hs256_with_public_key()),
        now(),
    );
    assert_refused(&decision, 401, Reason::WrongAlgorithm);
    assert!(
        decision.detail().contains("\"HS256\""),
        "{}",
        decision.detail()
    );
    assert!(decision.detail().contains("only RS256"));
}

#[test]
fn wrong_algorithm_none() {
    let decision = gate().decide(&event("form.submit", uuid()), Some(&alg_none()), now());
    assert_refused(&decision, 401, Reason::WrongAlgorithm);
    assert!(
        decision.detail().contains("\"none\""),
        "{}",
        decision.detail()
    );
}

#[test]
fn wrong_algorithm_rs512_header_signed_with_the_right_key() {
    let token = sign_raw(
        ISSUER.signing_key(),
        &json!({"alg": "RS512", "typ": "JWT"}),
        &payload(),
    );
    let decision = gate().decide(&event("form.submit", uuid()), Some(&token), now());
    assert_refused(&decision, 401, Reason::WrongAlgorithm);
}

/// `{"alg":"HS256","alg":"RS256"}`: the gate's algorithm check and the JWT library must not read
/// different `alg`s. The token is refused whatever it is signed with.
#[test]
fn a_header_naming_alg_twice_is_refused() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    for header in [
        r#"{"alg":"HS256","alg":"RS256"}"#,
        r#"{"alg":"RS256","alg":"HS256"}"#,
    ] {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            base64_json(&payload())
        );
        let signature = ISSUER.signing_key().sign(input.as_bytes()).unwrap();
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
        let decision = gate().decide(&event("form.submit", uuid()), Some(&token), now());
        assert!(!decision.is_accepted(), "{header}");
        assert_eq!(decision.status(), 401);
        assert!(
            matches!(
                decision.reason(),
                Some(Reason::MalformedToken | Reason::WrongAlgorithm)
            ),
            "{header}: {decision:?}"
        );
    }
}

#[test]
fn bad_signature_from_another_key() {
    let foreign = token_at(&OTHER, uuid(), now(), 3600);
    let decision = gate().decide(&event("form.submit", uuid()), Some(&foreign), now());
    assert_refused(&decision, 401, Reason::BadSignature);
    assert!(decision.detail().contains("registered certificate"));
    assert_eq!(decision.token_uuid(), None);
    assert_eq!(decision.token_email_tag(), None);
}

#[test]
fn bad_signature_when_the_payload_was_changed() {
    let token = token();
    let mut parts: Vec<&str> = token.split('.').collect();
    let mut claims = payload();
    claims["uuid"] = json!(OTHER_UUID);
    let forged = base64_json(&claims);
    parts[1] = &forged;
    let decision = gate().decide(
        &event("form.submit", other_uuid()),
        Some(&parts.join(".")),
        now(),
    );
    assert_refused(&decision, 401, Reason::BadSignature);
}

fn base64_json(value: &serde_json::Value) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[test]
fn expired_and_the_leeway_edge() {
    let gate = gate();
    let event = event("form.submit", uuid());
    // Issued an hour and a minute ago for an hour: expired sixty seconds ago.
    let old = token_at(&ISSUER, uuid(), now().plus_secs(-3660), 3600);
    let decision = gate.decide(&event, Some(&old), now());
    assert_refused(&decision, 401, Reason::Expired);
    assert!(
        decision.detail().contains("60 seconds ago"),
        "{}",
        decision.detail()
    );

    // The default leeway is 30 s: exp 29 s ago still passes, exp 30 s ago does not.
    let just = token_at(&ISSUER, uuid(), now().plus_secs(-60 - 29), 60);
    assert_accepted(&gate.decide(&event, Some(&just), now()));
    let gone = token_at(&ISSUER, uuid(), now().plus_secs(-60 - 30), 60);
    assert_refused(
        &gate.decide(&event, Some(&gone), now()),
        401,
        Reason::Expired,
    );
}

#[test]
fn not_yet_valid_from_iat_or_nbf_in_the_future() {
    let gate = gate();
    let event = event("form.submit", uuid());
    let early = token_at(&ISSUER, uuid(), now().plus_secs(600), 3600);
    let decision = gate.decide(&event, Some(&early), now());
    assert_refused(&decision, 401, Reason::NotYetValid);
    assert!(
        decision.detail().contains("600 seconds"),
        "{}",
        decision.detail()
    );

    let mut claims = payload();
    claims["nbf"] = json!(now().as_secs() + 120);
    let token = sign_raw(
        ISSUER.signing_key(),
        &json!({"alg": "RS256", "typ": "JWT"}),
        &claims,
    );
    assert_refused(
        &gate.decide(&event, Some(&token), now()),
        401,
        Reason::NotYetValid,
    );
}

#[test]
fn missing_claims() {
    let gate = gate();
    let event = event("form.submit", uuid());
    for claim in ["exp", "uuid", "email"] {
        let mut claims = payload();
        claims.as_object_mut().unwrap().remove(claim);
        let token = sign_raw(ISSUER.signing_key(), &json!({"alg": "RS256"}), &claims);
        let decision = gate.decide(&event, Some(&token), now());
        assert_refused(&decision, 401, Reason::MissingClaim);
        assert!(
            decision.detail().contains(&format!("no `{claim}` claim")),
            "{}",
            decision.detail()
        );
    }
}

#[test]
fn invalid_claims() {
    let gate = gate();
    let event = event("form.submit", uuid());
    for (claim, value) in [
        ("uuid", json!("not-a-uuid")),
        ("uuid", json!(42)),
        ("email", json!("")),
        ("email", json!(["a"])),
        ("exp", json!("tomorrow")),
    ] {
        let mut claims = payload();
        claims[claim] = value;
        let token = sign_raw(ISSUER.signing_key(), &json!({"alg": "RS256"}), &claims);
        let decision = gate.decide(&event, Some(&token), now());
        assert_refused(&decision, 401, Reason::InvalidClaim);
        assert!(decision.detail().contains(&format!("`{claim}` claim")));
    }
}

#[test]
fn certificate_replaced() {
    let mut gate = gate();
    let old = token();
    assert!(gate.certificates_mut().replace(OTHER.public_key()));
    let decision = gate.decide(&event("form.submit", uuid()), Some(&old), now());
    assert_refused(&decision, 401, Reason::CertificateReplaced);
    assert!(decision.detail().contains(ISSUER.public_key().thumbprint()));
    assert!(decision.detail().contains("replaced"));
}

#[test]
fn malformed_event() {
    let decision = gate().decide_json(br#"{"action": "form.submit"}"#, Some(&token()), now());
    assert_refused(&decision, 400, Reason::MalformedEvent);
    assert!(decision.token_sent());
    assert_eq!(decision.rule(), None);
    assert_eq!(decision.action(), Some(&action("form.submit")));
    assert_eq!(decision.uuid(), None);
    assert_eq!(decision.token_uuid(), None, "the token is not looked at");
}

/// The gate's codes are the verifier's codes: every `VerifyError` maps to the reason of the same
/// name, so the gate and `synerise-auth verify` say the same thing.
#[test]
fn every_verifier_code_is_a_reason_of_the_same_name() {
    let errors = [
        VerifyError::Malformed("x".into()),
        VerifyError::WrongAlgorithm {
            found: "HS256".into(),
        },
        VerifyError::BadSignature,
        VerifyError::Expired { exp: 1, now: 2 },
        VerifyError::NotYetValid { nbf: 2, now: 1 },
        VerifyError::MissingClaim("uuid"),
        VerifyError::InvalidClaim {
            claim: "uuid",
            reason: "is not a UUID",
        },
    ];
    for error in errors {
        let code = error.code();
        let reason = Reason::for_refusal(&TokenRefusal::Invalid(error));
        assert_eq!(reason.code(), code);
        assert_eq!(reason.status(), 401);
    }
    let replaced = TokenRefusal::CertificateReplaced {
        replaced_kid: "kid".into(),
    };
    assert_eq!(Reason::for_refusal(&replaced), Reason::CertificateReplaced);
}

// --- the three lists and the unlisted policy ------------------------------------------------------

#[test]
fn anonymous_list_accepts_without_a_token() {
    let decision = gate().decide(&event("page.visit", uuid()), None, now());
    assert_accepted(&decision);
    assert_eq!(decision.rule(), Some(Rule::Listed(ActionList::Anonymous)));
    assert_eq!(decision.warning(), None);
    assert!(decision.detail().contains("anonymous customers"));
}

fn custom_settings() -> EventSettings {
    EventSettings::new(
        [action("page.visit"), action("product.view")],
        [action("newsletter.signup")],
        [action("form.submit"), action("transaction.charge")],
        UnlistedPolicy::AcceptAnonymous,
    )
    .unwrap()
}

#[test]
fn modify_without_token_accepts_with_a_warning() {
    let gate = gate_with(custom_settings());
    let decision = gate.decide(&event("newsletter.signup", uuid()), None, now());
    assert_accepted(&decision);
    assert_eq!(
        decision.rule(),
        Some(Rule::Listed(ActionList::ModifyWithoutToken))
    );
    assert!(
        decision
            .warning()
            .unwrap()
            .contains("backward compatibility")
    );
    assert!(decision.detail().contains("modify_without_token"));
    // With a valid token nothing was let through unchecked: no warning.
    let with_token = gate.decide(&event("newsletter.signup", uuid()), Some(&token()), now());
    assert_accepted(&with_token);
    assert_eq!(with_token.warning(), None);
}

#[test]
fn require_token_list_is_the_configured_one() {
    let gate = gate_with(custom_settings());
    assert_refused(
        &gate.decide(&event("transaction.charge", uuid()), None, now()),
        401,
        Reason::TokenRequired,
    );
    assert_accepted(&gate.decide(&event("transaction.charge", uuid()), Some(&token()), now()));
    // `client.createOrUpdate` is not in this explicit list any more: unlisted, accepted.
    let decision = gate.decide(&event("client.createOrUpdate", uuid()), None, now());
    assert_accepted(&decision);
    assert_eq!(
        decision.rule(),
        Some(Rule::Unlisted(UnlistedPolicy::AcceptAnonymous))
    );
}

#[test]
fn unlisted_accept_anonymous_by_default() {
    let decision = gate().decide(&event("product.addToCart", uuid()), None, now());
    assert_accepted(&decision);
    assert_eq!(
        decision.rule(),
        Some(Rule::Unlisted(UnlistedPolicy::AcceptAnonymous))
    );
    assert!(decision.detail().contains("on no list"));
}

#[test]
fn unlisted_require_token_when_configured() {
    let gate = gate_with(EventSettings::default().with_unlisted(UnlistedPolicy::RequireToken));
    let decision = gate.decide(&event("product.addToCart", uuid()), None, now());
    assert_refused(&decision, 401, Reason::TokenRequired);
    assert_eq!(
        decision.rule(),
        Some(Rule::Unlisted(UnlistedPolicy::RequireToken))
    );
    assert!(decision.detail().contains("unlisted actions require one"));
    assert_accepted(&gate.decide(&event("product.addToCart", uuid()), Some(&token()), now()));
    // The anonymous list still holds.
    assert_accepted(&gate.decide(&event("page.visit", uuid()), None, now()));
}

// --- a token sent with an event that needs none ---------------------------------------------------

#[test]
fn a_token_sent_with_an_anonymous_event_is_still_checked() {
    let gate = gate();
    let visit = event("page.visit", uuid());

    let valid = gate.decide(&visit, Some(&token()), now());
    assert_accepted(&valid);
    assert_eq!(valid.token_uuid(), Some(uuid()));

    let expired = token_at(&ISSUER, uuid(), now().plus_secs(-7200), 3600);
    let decision = gate.decide(&visit, Some(&expired), now());
    assert_refused(&decision, 401, Reason::Expired);
    assert!(
        decision.detail().contains("needs no token"),
        "{}",
        decision.detail()
    );

    let foreign = token_at(&ISSUER, other_uuid(), now(), 3600);
    assert_refused(
        &gate.decide(&visit, Some(&foreign), now()),
        403,
        Reason::UuidMismatch,
    );

    assert_refused(
        &gate.decide(&visit, Some(&alg_none()), now()),
        401,
        Reason::WrongAlgorithm,
    );
}

#[test]
fn decide_is_pure() {
    let gate = gate();
    let event = event("form.submit", uuid());
    let token = token();
    let first = gate.decide(&event, Some(&token), now());
    for _ in 0..3 {
        assert_eq!(gate.decide(&event, Some(&token), now()), first);
    }
}

#[test]
fn a_token_with_critical_header_extensions_is_refused_even_when_well_signed() {
    let header = json!({"alg": "RS256", "typ": "JWT", "crit": ["exp"]});
    let token = sign_raw(ISSUER.signing_key(), &header, &payload());
    let decision = gate().decide(&event("form.submit", uuid()), Some(&token), now());
    assert_refused(&decision, 401, Reason::MalformedToken);
    assert!(decision.detail().contains("crit"), "{}", decision.detail());
    // The same claims without `crit` are accepted: the refusal is the header's.
    let plain = sign_raw(
        ISSUER.signing_key(),
        &json!({"alg": "RS256", "typ": "JWT"}),
        &payload(),
    );
    assert_accepted(&gate().decide(&event("form.submit", uuid()), Some(&plain), now()));
}
