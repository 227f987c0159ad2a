//! Key sets: the key directory's changes and refusals, and verification by `kid`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
use std::path::PathBuf;

use synerise_auth_token::{
    CustomerUuid, Email, Error, Issuer, KEY_STATE_FILE, KeyDir, KeyError, KeyRole, KeySet,
    KeySetError, SigningKey, TokenTtl, UnixTime, Verifier, VerifyError,
};

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn key(name: &str) -> SigningKey {
    SigningKey::from_file(&fixture(name)).unwrap()
}

fn token(issuer: &Issuer) -> String {
    let email = Email::parse("customer@synerise.com").unwrap();
    let uuid = CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap();
    issuer
        .issue(&email, &uuid, TokenTtl::from_secs(3600).unwrap(), NOW)
        .unwrap()
        .token()
        .to_owned()
}

fn hour() -> TokenTtl {
    TokenTtl::from_secs(3600).unwrap()
}

#[test]
fn a_key_file_is_a_set_of_one() {
    let set = KeySet::load(&fixture("rsa2048-pkcs8.pem")).unwrap();
    assert_eq!(set.len(), 1);
    assert!(set.next().is_none() && set.retired().is_empty());
    assert_eq!(set.published(NOW, hour()).count(), 1);
}

#[test]
fn new_activate_retire_walk_a_key_through_its_roles() {
    let dir = tempfile::tempdir().unwrap();
    let first = key("rsa2048-pkcs8.pem");
    let second = key("other-rsa2048.pem");
    let first_kid = first.public_key().thumbprint().to_owned();
    let second_kid = second.public_key().thumbprint().to_owned();

    let mut keys = KeyDir::create(dir.path(), &first, NOW).unwrap();
    assert!(KeyDir::exists(dir.path()));
    assert_eq!(keys.active().kid, first_kid);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(keys.key_path(&first_kid))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    keys.add_next(&second, NOW.plus_secs(10)).unwrap();
    let set = KeyDir::open(dir.path()).unwrap().load().unwrap();
    assert_eq!(set.active().public_key(), first.public_key());
    assert_eq!(set.next(), Some(second.public_key()));
    assert_eq!(set.published(NOW, hour()).count(), 2);

    let (old, new) = keys.activate(NOW.plus_secs(20)).unwrap();
    assert_eq!(
        (old.as_str(), new.as_str()),
        (first_kid.as_str(), second_kid.as_str())
    );
    let reopened = KeyDir::open(dir.path()).unwrap();
    let roles: Vec<_> = reopened
        .entries()
        .iter()
        .map(|e| (e.kid.as_str(), e.role, e.retired_at))
        .collect();
    assert_eq!(
        roles,
        [
            (second_kid.as_str(), KeyRole::Active, None),
            (
                first_kid.as_str(),
                KeyRole::Retired,
                Some(NOW.plus_secs(20).as_secs())
            ),
        ]
    );
    let set = reopened.load().unwrap();
    assert_eq!(set.active().public_key(), second.public_key());
    // Published until its last token (retired_at + max ttl) has expired, then dropped.
    assert_eq!(set.published(NOW.plus_secs(20 + 3599), hour()).count(), 2);
    assert_eq!(set.published(NOW.plus_secs(20 + 3600), hour()).count(), 1);

    let mut keys = reopened;
    assert_eq!(keys.retire(&first_kid).unwrap(), KeyRole::Retired);
    assert!(!keys.key_path(&first_kid).exists());
    let set = KeyDir::open(dir.path()).unwrap().load().unwrap();
    assert_eq!(set.len(), 1);
}

#[test]
fn changes_that_make_no_sense_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = key("rsa2048-pkcs8.pem");
    let mut keys = KeyDir::create(dir.path(), &first, NOW).unwrap();
    let kid = first.public_key().thumbprint().to_owned();

    assert!(matches!(
        KeyDir::create(dir.path(), &first, NOW),
        Err(Error::KeySet(KeySetError::Exists(_)))
    ));
    assert!(matches!(
        keys.activate(NOW),
        Err(Error::KeySet(KeySetError::NoNextKey))
    ));
    assert!(matches!(
        keys.retire(&kid),
        Err(Error::KeySet(KeySetError::RetireActive(k))) if k == kid
    ));
    assert!(matches!(
        keys.retire("no-such-kid"),
        Err(Error::KeySet(KeySetError::UnknownKid(k))) if k == "no-such-kid"
    ));
    let next = key("other-rsa2048.pem");
    keys.add_next(&next, NOW).unwrap();
    let waiting = next.public_key().thumbprint().to_owned();
    assert!(matches!(
        keys.add_next(&SigningKey::generate(2048).unwrap(), NOW),
        Err(Error::KeySet(KeySetError::NextKeyWaiting(k))) if k == waiting
    ));
    // A next key that never signed can be dropped.
    assert_eq!(keys.retire(&waiting).unwrap(), KeyRole::Next);
    assert!(keys.next().is_none());
    // Nothing refused changed the state on disk.
    let set = KeyDir::open(dir.path()).unwrap().load().unwrap();
    assert_eq!(
        (set.len(), set.active().public_key()),
        (1, first.public_key())
    );
}

#[test]
fn a_bad_key_file_is_refused_naming_the_file_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut keys = KeyDir::create(dir.path(), &key("rsa2048-pkcs8.pem"), NOW).unwrap();
    let next = key("other-rsa2048.pem");
    keys.add_next(&next, NOW).unwrap();
    let path = keys.key_path(next.public_key().thumbprint());

    for (fixture_name, reason) in [
        ("rsa1024.pem", "at least 2048 bits"),
        ("ec-p256.pem", "RSA"),
        ("rsa2048-encrypted.pem", "encrypted"),
    ] {
        std::fs::copy(fixture(fixture_name), &path).unwrap();
        let error = KeyDir::open(dir.path()).unwrap().load().unwrap_err();
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains(reason), "{fixture_name}: {text}");
    }
    // Another valid key under this name: refused, it is not the key the state lists.
    std::fs::copy(fixture("rsa2048-pkcs8.pem"), &path).unwrap();
    let text = KeyDir::open(dir.path())
        .unwrap()
        .load()
        .unwrap_err()
        .to_string();
    assert!(text.contains("not the key"), "{text}");

    std::fs::remove_file(&path).unwrap();
    let error = KeyDir::open(dir.path()).unwrap().load().unwrap_err();
    assert!(
        matches!(&error, Error::Key(KeyError::Read { path: p, .. }) if *p == path),
        "{error:?}"
    );
}

#[test]
fn a_damaged_state_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    KeyDir::create(dir.path(), &key("rsa2048-pkcs8.pem"), NOW).unwrap();
    let state = dir.path().join(KEY_STATE_FILE);
    for text in [
        "not json",
        r#"{"version": 1, "keys": []}"#,
        r#"{"version": 2, "keys": []}"#,
        r#"{"version": 1, "keys": [{"kid": "../../etc/passwd", "role": "active", "created_at": 0}]}"#,
    ] {
        std::fs::write(&state, text).unwrap();
        let error = KeyDir::open(dir.path()).unwrap_err();
        assert!(
            matches!(&error, Error::KeySet(KeySetError::State { path, .. }) if *path == state),
            "{text}: {error:?}"
        );
    }
}

#[test]
fn a_set_verifier_selects_the_key_by_kid() {
    let active = Issuer::new(key("rsa2048-pkcs8.pem"), None);
    let old_key = key("other-rsa2048.pem");
    let old_kid = old_key.public_key().thumbprint().to_owned();
    let old = Issuer::new(old_key, Some(old_kid.clone()));
    let verifier = Verifier::for_set(active.public_key(), [old.public_key()]);

    // No kid: the first key.
    assert!(verifier.verify(&token(&active), NOW).is_ok());
    // The old key's token, selected by its kid.
    assert!(verifier.verify(&token(&old), NOW).is_ok());
    // The old key's token without a kid is checked against the active key only.
    let old_without_kid = Issuer::new(key("other-rsa2048.pem"), None);
    assert_eq!(
        verifier.verify(&token(&old_without_kid), NOW).unwrap_err(),
        VerifyError::BadSignature
    );
    // A kid the set does not hold.
    let stranger = Issuer::new(key("other-rsa2048.pem"), Some("someone-else".into()));
    let error = verifier.verify(&token(&stranger), NOW).unwrap_err();
    assert_eq!(error.code(), "unknown_key");
    // A kid naming one key over another key's signature.
    let lying = Issuer::new(key("rsa2048-pkcs8.pem"), Some(old_kid));
    assert_eq!(
        verifier.verify(&token(&lying), NOW).unwrap_err(),
        VerifyError::BadSignature
    );
    // A verifier of one key ignores kid, as before.
    let single = Verifier::new(active.public_key());
    let fixed_kid = Issuer::new(key("rsa2048-pkcs8.pem"), Some("fixed".into()));
    assert!(single.verify(&token(&fixed_kid), NOW).is_ok());
}

#[test]
fn a_set_verifier_is_still_rs256_only() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let active = Issuer::new(key("rsa2048-pkcs8.pem"), None);
    let other = key("other-rsa2048.pem");
    let verifier = Verifier::for_set(active.public_key(), [other.public_key()]);
    let header = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"alg":"none","kid":"{}"}}"#,
        other.public_key().thumbprint()
    ));
    let payload = URL_SAFE_NO_PAD.encode(
        r#"{"exp":1900000000,"uuid":"345d4c8f-5aff-591d-a19c-1ca48923d9ee","email":"a@b.c"}"#,
    );
    let error = verifier
        .verify(&format!("{header}.{payload}."), NOW)
        .unwrap_err();
    assert_eq!(error.code(), "wrong_algorithm");
}
