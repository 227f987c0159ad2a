//! The registered certificate: every form it may be pasted in, and replacing it.

use synerise_auth_gate::{
    CertificateRegistry, ConfigError, EventSettings, Gate, MAX_REPLACED, Reason, TokenRefusal,
};
use synerise_auth_token::{Issuer, PublicKey, PublicKeyFormat, VerifyError};

use crate::helpers::*;

/// The PKCS#1 `RSAPublicKey` inside an RSA SubjectPublicKeyInfo: what `BEGIN RSA PUBLIC KEY`
/// holds. Only for 2048-bit keys, whose SPKI header has a fixed length.
fn pkcs1_der(spki: &[u8]) -> Vec<u8> {
    const RSA_ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    assert_eq!(&spki[..2], [0x30, 0x82]);
    assert_eq!(&spki[4..19], RSA_ALGORITHM);
    assert_eq!(&spki[19..21], [0x03, 0x82]); // BIT STRING, two length bytes
    assert_eq!(spki[23], 0); // no unused bits
    spki[24..].to_vec()
}

fn base64(bytes: &[u8]) -> String {
    use base64::{Engine, engine::general_purpose::STANDARD};
    STANDARD.encode(bytes)
}

fn wrap(text: &str, width: usize, newline: &str) -> String {
    text.as_bytes()
        .chunks(width)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(newline)
}

/// Every way a person might paste the public key of `issuer` into Synerise's certificate field.
fn pasted_forms(issuer: &Issuer) -> Vec<(&'static str, String)> {
    let key = issuer.public_key();
    let spki = base64(key.spki_der());
    let pkcs1 = base64(&pkcs1_der(key.spki_der()));
    vec![
        (
            "PEM with header and line breaks",
            key.to_format(PublicKeyFormat::Pem),
        ),
        (
            "PEM with header on one line",
            key.to_format(PublicKeyFormat::SingleLine),
        ),
        (
            "bare base64 on one line",
            key.to_format(PublicKeyFormat::Base64),
        ),
        (
            "base64 without header, with line breaks",
            wrap(&spki, 64, "\n"),
        ),
        (
            "base64 without header, 76 columns, CRLF",
            wrap(&spki, 76, "\r\n"),
        ),
        (
            "PEM with CRLF, indented, blank lines around",
            format!(
                "\n\n  -----BEGIN PUBLIC KEY-----\r\n  {}\r\n  -----END PUBLIC KEY-----  \r\n\n",
                wrap(&spki, 64, "\r\n  ")
            ),
        ),
        (
            "PEM header without line breaks but a space",
            format!("-----BEGIN PUBLIC KEY----- {spki} -----END PUBLIC KEY-----"),
        ),
        (
            "PKCS#1 PEM with line breaks",
            format!(
                "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
                wrap(&pkcs1, 64, "\n")
            ),
        ),
        (
            "PKCS#1 PEM on one line",
            format!("-----BEGIN RSA PUBLIC KEY-----{pkcs1}-----END RSA PUBLIC KEY-----"),
        ),
        ("PKCS#1 bare base64", pkcs1),
    ]
}

fn assert_registered(registry: &CertificateRegistry, issuer: &Issuer, form: &str) {
    assert_eq!(registry.active(), issuer.public_key(), "{form}");
    let gate = Gate::new(
        EventSettings::default(),
        registry.clone(),
        crate::helpers::log_tags(),
    );
    let token = token_at(issuer, uuid(), now(), 3600);
    let decision = gate.decide(&event("form.submit", uuid()), Some(&token), now());
    assert!(decision.is_accepted(), "{form}: {}", decision.detail());
    let other = token_at(&OTHER, uuid(), now(), 3600);
    let decision = gate.decide(&event("form.submit", uuid()), Some(&other), now());
    assert_eq!(decision.reason(), Some(Reason::BadSignature), "{form}");
}

#[test]
fn every_pasted_form_of_a_generated_key() {
    for (form, text) in pasted_forms(&ISSUER) {
        let registry =
            CertificateRegistry::parse(&text, form).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_registered(&registry, &ISSUER, form);
    }
}

#[test]
fn every_pasted_form_of_an_openssl_key() {
    for (form, text) in pasted_forms(&FIXTURE) {
        let registry =
            CertificateRegistry::parse(&text, form).unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_registered(&registry, &FIXTURE, form);
    }
}

#[test]
fn openssl_files_spki_pkcs1_and_der() {
    for name in [
        "rsa2048-public.pem",
        "rsa2048-pkcs1-public.pem",
        "rsa2048-public.der",
    ] {
        let registry = CertificateRegistry::from_file(&fixture(name)).unwrap();
        assert_registered(&registry, &FIXTURE, name);
        if name.ends_with(".pem") {
            let text = std::fs::read_to_string(fixture(name)).unwrap();
            let registry = CertificateRegistry::parse(&text, name).unwrap();
            assert_registered(&registry, &FIXTURE, name);
        }
    }
}

#[test]
fn what_is_not_a_certificate_is_refused() {
    let private = std::fs::read_to_string(fixture("rsa2048-pkcs8.pem")).unwrap();
    for (text, expected) in [
        ("", "is empty"),
        ("   \n", "is empty"),
        ("not a key", "is not PEM or base64"),
        ("aGVsbG8gd29ybGQ=", "is not an RSA public key"),
        (private.as_str(), "holds a private key"),
    ] {
        let error = CertificateRegistry::parse(text, "the certificate").unwrap_err();
        assert!(matches!(error, ConfigError::Certificate(_)), "{error:?}");
        let message = error.to_string();
        assert!(
            message.starts_with("certificate refused: the certificate"),
            "{message}"
        );
        assert!(message.contains(expected), "{text:?}: {message}");
    }
    let missing = CertificateRegistry::from_file(&fixture("no-such-file.pem")).unwrap_err();
    assert!(matches!(missing, ConfigError::Certificate(_)));
}

#[test]
fn replacing_refuses_tokens_of_the_old_key_as_certificate_replaced() {
    let mut registry = CertificateRegistry::new(ISSUER.public_key());
    let old = token();
    let new = token_at(&OTHER, uuid(), now(), 3600);
    let stranger = token_at(&FIXTURE, uuid(), now(), 3600);
    assert!(registry.verify(&old, now()).is_ok());

    assert!(registry.replace(OTHER.public_key()));
    assert_eq!(registry.active(), OTHER.public_key());
    assert_eq!(
        registry.replaced().collect::<Vec<_>>(),
        [ISSUER.public_key()]
    );
    assert_eq!(
        registry.verify(&old, now()).unwrap_err(),
        TokenRefusal::CertificateReplaced {
            replaced_kid: ISSUER.public_key().thumbprint().to_owned()
        }
    );
    assert_eq!(
        registry.verify(&old, now()).unwrap_err().code(),
        "certificate_replaced"
    );
    assert!(registry.verify(&new, now()).is_ok());
    // A key that was never registered is still a bad signature.
    assert_eq!(
        registry.verify(&stranger, now()).unwrap_err(),
        TokenRefusal::Invalid(VerifyError::BadSignature)
    );
    // The signature is checked first: an expired token of the old key is `certificate_replaced`.
    let old_and_expired = token_at(&ISSUER, uuid(), now().plus_secs(-7200), 3600);
    assert_eq!(
        registry.verify(&old_and_expired, now()).unwrap_err().code(),
        "certificate_replaced"
    );
    // A forgery is a forgery whatever the history.
    assert_eq!(
        registry.verify(&alg_none(), now()).unwrap_err().code(),
        "wrong_algorithm"
    );
}

#[test]
fn replacing_with_the_active_key_changes_nothing() {
    let mut registry = CertificateRegistry::new(ISSUER.public_key());
    assert!(!registry.replace(ISSUER.public_key()));
    assert_eq!(registry.replaced().len(), 0);
    let same = ISSUER.public_key().to_format(PublicKeyFormat::Base64);
    assert!(!registry.replace_text(&same, "the same key").unwrap());
    assert!(registry.verify(&token(), now()).is_ok());
}

#[test]
fn a_replaced_key_can_be_made_active_again() {
    let mut registry = CertificateRegistry::new(ISSUER.public_key());
    registry.replace(OTHER.public_key());
    registry.replace(ISSUER.public_key());
    assert_eq!(
        registry.replaced().collect::<Vec<_>>(),
        [OTHER.public_key()]
    );
    assert!(registry.verify(&token(), now()).is_ok());
    let other = token_at(&OTHER, uuid(), now(), 3600);
    assert_eq!(
        registry.verify(&other, now()).unwrap_err().code(),
        "certificate_replaced"
    );
}

#[test]
fn replace_text_takes_any_form_and_keeps_the_registry_on_error() {
    let mut registry = CertificateRegistry::new(ISSUER.public_key());
    let pkcs1 = std::fs::read_to_string(fixture("rsa2048-pkcs1-public.pem")).unwrap();
    assert!(registry.replace_text(&pkcs1, "pasted").unwrap());
    assert_eq!(registry.active(), FIXTURE.public_key());

    let error = registry.replace_text("garbage", "pasted").unwrap_err();
    assert!(matches!(error, ConfigError::Certificate(_)));
    assert_eq!(registry.active(), FIXTURE.public_key());
    assert_eq!(registry.replaced().len(), 1);
}

/// Distinct public keys, cheaply: the fixture's modulus with one byte changed. Nothing signs
/// with them; generating seventeen real keys would take seconds.
fn distinct_public_keys(count: u8) -> Vec<PublicKey> {
    let spki = FIXTURE.public_key().spki_der().to_vec();
    (0..count)
        .map(|i| {
            let mut der = spki.clone();
            der[100] = i; // well inside the modulus, far from its odd last byte
            PublicKey::from_der(&der, "test key").unwrap()
        })
        .collect()
}

#[test]
fn history_is_bounded() {
    let keys = distinct_public_keys(u8::try_from(MAX_REPLACED).unwrap() + 1);
    let mut registry = CertificateRegistry::new(ISSUER.public_key());
    for key in &keys {
        assert!(registry.replace(key));
    }
    assert_eq!(registry.active(), &keys[MAX_REPLACED]);
    assert_eq!(registry.replaced().len(), MAX_REPLACED);
    // Newest first; the oldest (the first registered) is forgotten.
    assert_eq!(registry.replaced().next(), Some(&keys[MAX_REPLACED - 1]));
    assert!(registry.replaced().all(|k| k != ISSUER.public_key()));
    assert_eq!(
        registry.verify(&token(), now()).unwrap_err().code(),
        "bad_signature"
    );
}

#[test]
fn leeway_is_configurable_and_survives_replacement() {
    // Expired 10 s ago: inside the default 30 s leeway, outside a zero leeway.
    let recent = token_at(&ISSUER, uuid(), now().plus_secs(-70), 60);
    let lenient = CertificateRegistry::new(ISSUER.public_key());
    assert!(lenient.verify(&recent, now()).is_ok());

    let mut strict = CertificateRegistry::new(OTHER.public_key()).with_leeway(0);
    strict.replace(ISSUER.public_key());
    assert_eq!(strict.verify(&recent, now()).unwrap_err().code(), "expired");
    let strict = strict.with_leeway(60);
    assert!(strict.verify(&recent, now()).is_ok());
}
