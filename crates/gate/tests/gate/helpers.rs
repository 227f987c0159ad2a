//! Keys, tokens and events for the tests. Keys are made or loaded once per test binary.

use std::{path::PathBuf, sync::LazyLock};

use aws_lc_rs::hmac;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use synerise_auth_gate::{CertificateRegistry, Decision, Event, EventSettings, Gate, Reason};
use synerise_auth_token::{
    CustomerUuid, Email, Issuer, PublicKeyFormat, SigningKey, TokenTtl, UnixTime,
};

/// A key made here, the one registered by default.
pub(crate) static ISSUER: LazyLock<Issuer> =
    LazyLock::new(|| Issuer::new(SigningKey::generate(2048).unwrap(), None));

/// The openssl-made fixture key, whose public key exists as files in several forms.
pub(crate) static FIXTURE: LazyLock<Issuer> = LazyLock::new(|| issuer_from("rsa2048-pkcs8.pem"));

/// Another openssl-made key, never the registered one unless a test says so.
pub(crate) static OTHER: LazyLock<Issuer> = LazyLock::new(|| issuer_from("other-rsa2048.pem"));

pub(crate) const EMAIL: &str = "Customer@Synerise.com";
pub(crate) const UUID: &str = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";
pub(crate) const OTHER_UUID: &str = "7023e164-2318-542c-9992-0b70cf4c5625";

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn issuer_from(name: &str) -> Issuer {
    Issuer::new(SigningKey::from_file(&fixture(name)).unwrap(), None)
}

pub(crate) fn now() -> UnixTime {
    UnixTime::from_secs(1_700_000_000)
}

pub(crate) fn uuid() -> CustomerUuid {
    CustomerUuid::parse(UUID).unwrap()
}

pub(crate) fn other_uuid() -> CustomerUuid {
    CustomerUuid::parse(OTHER_UUID).unwrap()
}

/// A token from `issuer` for `uuid`, issued at `at`, living `ttl_secs`.
pub(crate) fn token_at(issuer: &Issuer, uuid: CustomerUuid, at: UnixTime, ttl_secs: u64) -> String {
    let email = Email::parse(EMAIL).unwrap();
    let ttl = TokenTtl::from_secs(ttl_secs).unwrap();
    issuer
        .issue(&email, &uuid, ttl, at)
        .unwrap()
        .token()
        .to_owned()
}

/// A week-long token from the registered key for [`UUID`], issued now.
pub(crate) fn token() -> String {
    token_at(&ISSUER, uuid(), now(), 7 * 24 * 3600)
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// `header.payload.signature`, RS256-signed by `key` over whatever header and payload are given.
pub(crate) fn sign_raw(key: &SigningKey, header: &Value, payload: &Value) -> String {
    let signing_input = format!("{}.{}", b64(header), b64(payload));
    let signature = key.sign(signing_input.as_bytes()).unwrap();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A payload like the issuer's, for hand-made tokens.
pub(crate) fn payload() -> Value {
    json!({
        "exp": now().as_secs() + 3600,
        "iat": now().as_secs(),
        "uuid": UUID,
        "email": EMAIL,
    })
}

/// The classic key-confusion forgery: HS256 with the registered public key's PEM as the secret.
pub(crate) fn hs256_with_public_key() -> String {
    let secret = ISSUER.public_key().to_format(PublicKeyFormat::Pem);
    let signing_input = format!(
        "{}.{}",
        b64(&json!({"alg": "HS256", "typ": "JWT"})),
        b64(&payload())
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// An unsigned token, `alg: none`, with an empty signature part.
pub(crate) fn alg_none() -> String {
    format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&payload())
    )
}

pub(crate) fn event(action: &str, uuid: CustomerUuid) -> Event {
    let body = json!({"action": action, "label": "a label", "client": {"uuid": uuid}});
    Event::from_json(body.to_string().as_bytes()).unwrap()
}

pub(crate) fn gate_with(settings: EventSettings) -> Gate {
    Gate::new(
        settings,
        CertificateRegistry::new(ISSUER.public_key()),
        log_tags(),
    )
}

/// The key the test gates tag customers with.
pub(crate) fn log_tags() -> synerise_auth_token::LogTagKey {
    synerise_auth_token::LogTagKey::from_secret(b"gate tests")
}

pub(crate) fn gate() -> Gate {
    gate_with(EventSettings::default())
}

/// Asserts a refusal's status, reason and wire form, and that its detail is a plain sentence
/// with no token and no email address in it.
pub(crate) fn assert_refused(decision: &Decision, status: u16, reason: Reason) {
    assert!(!decision.is_accepted(), "{decision:?}");
    assert_eq!(decision.status(), status, "{decision:?}");
    assert_eq!(decision.reason(), Some(reason), "{decision:?}");
    let wire = serde_json::to_value(decision).unwrap();
    assert_eq!(
        wire,
        json!({"accepted": false, "reason": reason.code(), "detail": decision.detail()})
    );
    assert_plain_detail(decision);
}

/// Asserts an acceptance and its wire form.
pub(crate) fn assert_accepted(decision: &Decision) {
    assert!(decision.is_accepted(), "{decision:?}");
    assert_eq!(decision.status(), 202);
    assert_eq!(decision.reason(), None);
    assert_eq!(
        serde_json::to_value(decision).unwrap(),
        json!({"accepted": true})
    );
    assert_plain_detail(decision);
}

fn assert_plain_detail(decision: &Decision) {
    let detail = decision.detail();
    assert!(detail.len() > 20, "{detail}");
    assert!(detail.ends_with('.'), "{detail}");
    assert!(!detail.contains('@'), "an email leaked: {detail}");
    assert!(!detail.contains("eyJ"), "a token leaked: {detail}");
    assert!(!detail.contains('\n'), "{detail}");
}
