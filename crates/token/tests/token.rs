//! The token crate against keys made by openssl and against an independent RSA implementation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
use std::{path::PathBuf, sync::LazyLock};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use synerise_auth_token::{
    CustomerUuid, Email, Error, Issuer, KeyError, PublicKey, PublicKeyFormat, SigningKey, TokenTtl,
    UnixTime, UuidSalt, Verifier, VerifyError,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

static ISSUER: LazyLock<Issuer> = LazyLock::new(|| {
    Issuer::new(
        SigningKey::from_file(&fixture("rsa2048-pkcs8.pem")).unwrap(),
        None,
    )
});
static OTHER: LazyLock<SigningKey> =
    LazyLock::new(|| SigningKey::from_file(&fixture("other-rsa2048.pem")).unwrap());

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

fn customer() -> (Email, CustomerUuid) {
    let email = Email::parse("customer@synerise.com").unwrap();
    let uuid = CustomerUuid::derive(&UuidSalt::new("someString").unwrap(), email.as_str());
    (email, uuid)
}

fn b64(json: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(json).unwrap())
}

/// Signs an arbitrary header and payload with RS256, to build tokens the issuer would never make.
fn sign_raw(key: &SigningKey, header: &serde_json::Value, payload: &serde_json::Value) -> String {
    let message = format!("{}.{}", b64(header), b64(payload));
    let signature = key.sign(message.as_bytes()).unwrap();
    format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn rs256() -> serde_json::Value {
    serde_json::json!({"alg": "RS256", "typ": "JWT"})
}

#[test]
fn loads_every_supported_encoding_of_the_same_key() {
    let reference = SigningKey::from_file(&fixture("rsa2048-pkcs8.pem")).unwrap();
    for name in [
        "rsa2048-pkcs1.pem",
        "rsa2048-pkcs8.der",
        "rsa2048-pkcs1.der",
    ] {
        let key = SigningKey::from_file(&fixture(name)).unwrap();
        assert_eq!(key.public_key(), reference.public_key(), "{name}");
        assert_eq!(key.bits(), 2048);
    }
    let public = PublicKey::from_file(&fixture("rsa2048-public.pem")).unwrap();
    assert_eq!(&public, reference.public_key());
}

#[test]
fn refuses_unusable_keys_naming_the_file_and_reason() {
    let cases = [
        ("rsa2048-encrypted.pem", "encrypted"),
        ("rsa2048-pkcs1-encrypted.pem", "encrypted"),
        ("rsa1024.pem", "2048 bits"),
        ("ec-p256.pem", "EC key"),
        ("ec-p256-sec1.pem", "EC key"),
        ("ed25519.pem", "Ed25519"),
        ("rsa2048-public.pem", "not a private key"),
        ("README.md", "no PEM block"),
    ];
    for (name, reason) in cases {
        let err = SigningKey::from_file(&fixture(name)).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::Key(KeyError::Refused { .. })),
            "{name}: {err:?}"
        );
        assert!(
            text.contains(name),
            "{name}: message does not name the file: {text}"
        );
        assert!(
            text.contains(reason),
            "{name}: message lacks `{reason}`: {text}"
        );
    }
    let missing = SigningKey::from_file(&fixture("absent.pem")).unwrap_err();
    assert!(
        matches!(missing, Error::Key(KeyError::Read { .. })),
        "{missing:?}"
    );
}

#[test]
fn generated_keys_round_trip_through_pkcs8_pem() {
    let key = SigningKey::generate(2048).unwrap();
    let pem = key.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let again = SigningKey::from_bytes(pem.as_bytes(), "memory").unwrap();
    assert_eq!(again.public_key(), key.public_key());
    assert!(matches!(
        SigningKey::generate(1024),
        Err(Error::Key(KeyError::UnsupportedSize(1024)))
    ));
    assert!(!format!("{key:?}").contains("PRIVATE"));
}

#[test]
fn issued_token_has_synerise_header_and_claims() {
    let (email, uuid) = customer();
    let issued = ISSUER
        .issue(&email, &uuid, TokenTtl::default(), NOW)
        .unwrap();
    let parts: Vec<&str> = issued.token().split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT"}));
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(
        claims,
        serde_json::json!({
            "exp": NOW.as_secs() + 7 * 86_400,
            "iat": NOW.as_secs(),
            "uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee",
            "email": "customer@synerise.com",
        })
    );
}

#[test]
fn kid_appears_only_when_configured() {
    let key = SigningKey::from_file(&fixture("rsa2048-pkcs8.pem")).unwrap();
    let kid = key.public_key().thumbprint().to_owned();
    let issuer = Issuer::new(key, Some(kid.clone()));
    let (email, uuid) = customer();
    let token = issuer
        .issue(&email, &uuid, TokenTtl::default(), NOW)
        .unwrap();
    let verified = Verifier::new(issuer.public_key())
        .verify(token.token(), NOW)
        .unwrap();
    assert_eq!(
        verified.header.get("kid").and_then(|v| v.as_str()),
        Some(kid.as_str())
    );
}

/// The signature checked by the `rsa` crate (RustCrypto), which shares no code with aws-lc-rs.
#[test]
fn an_independent_rsa_implementation_verifies_the_signature() {
    use rsa::{
        RsaPublicKey, pkcs1v15::VerifyingKey, pkcs8::DecodePublicKey, signature::Verifier as _,
    };
    let (email, uuid) = customer();
    let issued = ISSUER
        .issue(&email, &uuid, TokenTtl::default(), NOW)
        .unwrap();
    let (message, signature) = issued.token().rsplit_once('.').unwrap();
    let public = RsaPublicKey::from_public_key_der(ISSUER.public_key().spki_der()).unwrap();
    let verifying = VerifyingKey::<rsa::sha2::Sha256>::new(public);
    let signature =
        rsa::pkcs1v15::Signature::try_from(URL_SAFE_NO_PAD.decode(signature).unwrap().as_slice())
            .unwrap();
    verifying.verify(message.as_bytes(), &signature).unwrap();
    // and a single flipped byte is refused
    let mut tampered = message.as_bytes().to_vec();
    tampered[5] ^= 1;
    assert!(verifying.verify(&tampered, &signature).is_err());
}

#[test]
fn sign_then_verify_round_trips() {
    let (email, uuid) = customer();
    let issued = ISSUER
        .issue(&email, &uuid, "1h".parse().unwrap(), NOW)
        .unwrap();
    let verified = Verifier::new(ISSUER.public_key())
        .verify(issued.token(), NOW.plus_secs(60))
        .unwrap();
    assert_eq!(&verified.claims, issued.claims());
    assert_eq!(verified.claims.exp, NOW.as_secs() + 3600);
}

fn verify(token: &str) -> Result<synerise_auth_token::VerifiedToken, VerifyError> {
    Verifier::new(ISSUER.public_key()).verify(token, NOW)
}

#[test]
fn refuses_alg_none() {
    let token = format!(
        "{}.{}.",
        b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
        b64(
            &serde_json::json!({"exp": NOW.as_secs() + 60, "uuid": customer().1, "email": "a@b.co"})
        )
    );
    let err = verify(&token).unwrap_err();
    assert_eq!(
        err,
        VerifyError::WrongAlgorithm {
            found: "none".into()
        }
    );
    assert_eq!(err.code(), "wrong_algorithm");
}

#[test]
fn refuses_critical_header_extensions_even_with_a_good_signature() {
    let (_, uuid) = customer();
    let payload = serde_json::json!({"exp": NOW.as_secs() + 60, "uuid": uuid, "email": "a@b.co"});
    let good = sign_raw(ISSUER.signing_key(), &rs256(), &payload);
    assert!(
        verify(&good).is_ok(),
        "the same token without `crit` verifies"
    );
    for crit in [
        serde_json::json!(["exp"]),
        serde_json::json!(["b64"]),
        serde_json::json!([]),
    ] {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "crit": crit, "b64": true});
        let token = sign_raw(ISSUER.signing_key(), &header, &payload);
        let err = verify(&token).unwrap_err();
        assert_eq!(err.code(), "malformed_token", "{crit}");
        assert!(err.to_string().contains("crit"), "{err}");
    }
}

#[test]
fn refuses_hs256_made_with_the_public_key_as_secret() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let secret = ISSUER.public_key().to_format(PublicKeyFormat::Pem);
    let claims =
        serde_json::json!({"exp": NOW.as_secs() + 60, "uuid": customer().1, "email": "a@b.co"});
    let token = encode(
        &Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    assert_eq!(
        verify(&token).unwrap_err(),
        VerifyError::WrongAlgorithm {
            found: "HS256".into()
        }
    );
}

#[test]
fn refuses_a_token_signed_by_another_key() {
    let (email, uuid) = customer();
    let token = Issuer::new(
        SigningKey::from_file(&fixture("other-rsa2048.pem")).unwrap(),
        None,
    )
    .issue(&email, &uuid, TokenTtl::default(), NOW)
    .unwrap();
    let err = verify(token.token()).unwrap_err();
    assert_eq!(err, VerifyError::BadSignature);
    assert_eq!(err.code(), "bad_signature");
}

#[test]
fn refuses_a_tampered_payload() {
    let (email, uuid) = customer();
    let token = ISSUER
        .issue(&email, &uuid, TokenTtl::default(), NOW)
        .unwrap();
    let mut parts: Vec<String> = token.token().split('.').map(str::to_owned).collect();
    parts[1] = b64(
        &serde_json::json!({"exp": NOW.as_secs() + 60, "uuid": uuid, "email": "attacker@evil.test"}),
    );
    assert_eq!(
        verify(&parts.join(".")).unwrap_err(),
        VerifyError::BadSignature
    );
}

#[test]
fn expiry_respects_the_leeway() {
    let (email, uuid) = customer();
    let token = ISSUER
        .issue(&email, &uuid, "1m".parse().unwrap(), NOW)
        .unwrap();
    let verifier = Verifier::new(ISSUER.public_key()).with_leeway(10);
    assert!(verifier.verify(token.token(), NOW.plus_secs(69)).is_ok());
    let err = verifier
        .verify(token.token(), NOW.plus_secs(70))
        .unwrap_err();
    assert_eq!(
        err,
        VerifyError::Expired {
            exp: NOW.as_secs() + 60,
            now: NOW.as_secs() + 70
        }
    );
    assert_eq!(err.code(), "expired");
}

#[test]
fn refuses_tokens_not_yet_valid() {
    let uuid = customer().1;
    for claim in ["nbf", "iat"] {
        let mut payload =
            serde_json::json!({"exp": NOW.as_secs() + 600, "uuid": uuid, "email": "a@b.co"});
        payload[claim] = serde_json::json!(NOW.as_secs() + 120);
        let err = verify(&sign_raw(ISSUER.signing_key(), &rs256(), &payload)).unwrap_err();
        assert_eq!(err.code(), "not_yet_valid", "{claim}");
    }
}

#[test]
fn refuses_missing_and_ill_typed_claims() {
    let uuid = customer().1.to_string();
    let exp = NOW.as_secs() + 600;
    let cases = [
        (
            serde_json::json!({"uuid": uuid, "email": "a@b.co"}),
            VerifyError::MissingClaim("exp"),
        ),
        (
            serde_json::json!({"exp": exp, "email": "a@b.co"}),
            VerifyError::MissingClaim("uuid"),
        ),
        (
            serde_json::json!({"exp": exp, "uuid": uuid}),
            VerifyError::MissingClaim("email"),
        ),
        (
            serde_json::json!({"exp": "tomorrow", "uuid": uuid, "email": "a@b.co"}),
            VerifyError::InvalidClaim {
                claim: "exp",
                reason: "must be a number of seconds",
            },
        ),
        (
            serde_json::json!({"exp": exp, "uuid": "not-a-uuid", "email": "a@b.co"}),
            VerifyError::InvalidClaim {
                claim: "uuid",
                reason: "is not a UUID",
            },
        ),
        (
            serde_json::json!({"exp": exp, "uuid": 7, "email": "a@b.co"}),
            VerifyError::InvalidClaim {
                claim: "uuid",
                reason: "must be a string",
            },
        ),
        (
            serde_json::json!({"exp": exp, "uuid": uuid, "email": ["a@b.co"]}),
            VerifyError::InvalidClaim {
                claim: "email",
                reason: "must be a string",
            },
        ),
    ];
    for (payload, expected) in cases {
        let token = sign_raw(ISSUER.signing_key(), &rs256(), &payload);
        assert_eq!(verify(&token).unwrap_err(), expected, "{payload}");
    }
    let missing = VerifyError::MissingClaim("exp");
    assert_eq!(missing.code(), "missing_claim");
}

#[test]
fn refuses_garbage_as_malformed() {
    let valid = ISSUER
        .issue(&customer().0, &customer().1, TokenTtl::default(), NOW)
        .unwrap();
    let (head, _) = valid.token().split_once('.').unwrap();
    for garbage in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        &format!("{head}.%%%.abc"),
        &format!("{}.e30.", URL_SAFE_NO_PAD.encode("[1,2]")),
        &sign_raw(
            ISSUER.signing_key(),
            &rs256(),
            &serde_json::json!([1, 2, 3]),
        ),
    ] {
        let err = verify(garbage).unwrap_err();
        assert_eq!(err.code(), "malformed_token", "{garbage:?}: {err:?}");
    }
}

#[test]
fn public_key_forms_all_parse_back() {
    let public = ISSUER.public_key();
    let pem = public.to_format(PublicKeyFormat::Pem);
    let one_line = public.to_format(PublicKeyFormat::SingleLine);
    let bare = public.to_format(PublicKeyFormat::Base64);
    assert!(!one_line.contains('\n'));
    assert!(one_line.starts_with("-----BEGIN PUBLIC KEY-----MII"));
    assert!(one_line.ends_with("-----END PUBLIC KEY-----"));
    let pkcs1 = std::process::Command::new("openssl")
        .args(["rsa", "-pubin", "-RSAPublicKey_out", "-in"])
        .arg(fixture("rsa2048-public.pem"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap());
    let without_breaks_or_markers = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    let mut forms = vec![
        pem.clone(),
        one_line,
        bare,
        without_breaks_or_markers,
        pem.replace('\n', "\r\n"),
    ];
    forms.extend(pkcs1);
    for form in forms {
        assert_eq!(
            &PublicKey::parse_text(&form, "pasted").unwrap(),
            public,
            "{form}"
        );
    }
    for bad in [
        "",
        "hello",
        "-----BEGIN PRIVATE KEY-----abc-----END PRIVATE KEY-----",
    ] {
        assert!(PublicKey::parse_text(bad, "pasted").is_err(), "{bad}");
    }
    assert_eq!(
        &PublicKey::from_file(&fixture("rsa2048-public.pem")).unwrap(),
        public
    );
    assert_ne!(OTHER.public_key(), public);
}

/// RFC 7638 section 3.1's example key and thumbprint.
#[test]
fn jwk_thumbprint_matches_rfc_7638() {
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let key =
        PublicKey::from_rsa_components(&URL_SAFE_NO_PAD.decode(n).unwrap(), &[1, 0, 1], "rfc 7638")
            .unwrap();
    assert_eq!(
        key.thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    let jwk = key.to_jwk();
    assert_eq!(jwk["n"], n);
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(jwk["kid"], "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert_eq!(jwk["alg"], "RS256");
}
