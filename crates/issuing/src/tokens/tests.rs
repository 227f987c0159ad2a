//! Tests of [`super`].
use std::{path::Path, time::Duration};

use synerise_auth_token::{SigningKey, Verifier};

use super::*;
use crate::{KidSetting, TokenCacheSettings};

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn write_key(path: &Path) -> SigningKey {
    let key = SigningKey::generate(2048).unwrap();
    key.write_pkcs8_pem(path, true).unwrap();
    key
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn tokens(dir: &Path, cache: TokenCacheSettings) -> Tokens {
    let key = dir.join("private.pem");
    write_key(&key);
    let settings = SigningSettings {
        cache,
        ..SigningSettings::new(key)
    };
    Tokens::load(settings, UuidSalt::new("a salt for tests").unwrap()).unwrap()
}

#[test]
fn signs_once_then_hands_back_the_same_token_until_the_window_ends() {
    let dir = tempfile::tempdir().unwrap();
    let cache = TokenCacheSettings {
        max_age: Duration::from_secs(60),
        ..TokenCacheSettings::default()
    };
    let tokens = tokens(dir.path(), cache);
    let ann = email("ann@example.com");

    let first = tokens.issue(&ann, None, T0).unwrap();
    assert!(!first.cache_hit());
    assert_eq!(first.claims().iat, Some(T0.as_secs()));
    assert_eq!(
        first.claims().exp,
        T0.as_secs() + i64::from(tokens.ttl().as_secs())
    );
    assert_eq!(first.claims().uuid, tokens.derive_uuid(&ann));
    let verified = Verifier::new(&tokens.public_key())
        .verify(first.jwt(), T0)
        .unwrap();
    assert_eq!(verified.claims, *first.claims());

    let hit = tokens.issue(&ann, None, T0.plus_secs(59)).unwrap();
    assert!(hit.cache_hit());
    assert_eq!(hit.jwt(), first.jwt());

    let after = tokens.issue(&ann, None, T0.plus_secs(60)).unwrap();
    assert!(
        !after.cache_hit(),
        "past the reuse window a new token is signed"
    );
    assert_eq!(after.claims().iat, Some(T0.as_secs() + 60));
}

#[test]
fn another_identity_is_never_handed_a_cached_token() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), TokenCacheSettings::default());
    let ann = email("ann@example.com");
    let derived = tokens.issue(&ann, None, T0).unwrap();

    let chosen = CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap();
    let with_uuid = tokens.issue(&ann, Some(chosen), T0).unwrap();
    assert!(!with_uuid.cache_hit());
    assert_eq!(with_uuid.claims().uuid, chosen);

    let bob = tokens.issue(&email("bob@example.com"), None, T0).unwrap();
    assert!(!bob.cache_hit());
    assert_ne!(bob.jwt(), derived.jwt());
}

#[test]
fn with_the_cache_off_every_token_is_signed() {
    let dir = tempfile::tempdir().unwrap();
    let off = TokenCacheSettings {
        enabled: false,
        ..TokenCacheSettings::default()
    };
    let tokens = tokens(dir.path(), off);
    let ann = email("ann@example.com");
    assert!(!tokens.issue(&ann, None, T0).unwrap().cache_hit());
    assert!(!tokens.issue(&ann, None, T0).unwrap().cache_hit());
}

#[test]
fn lookup_then_sign_fills_the_cache_of_the_state_it_was_looked_up_in() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), TokenCacheSettings::default());
    let ann = email("ann@example.com");
    let pending = tokens.lookup(&ann, None, T0).unwrap_err();
    assert_eq!(pending.claims().email, "ann@example.com");
    let signed = tokens.sign(pending).unwrap();
    let hit = tokens.lookup(&ann, None, T0).unwrap();
    assert!(hit.cache_hit());
    assert_eq!(hit.into_parts().0, signed.into_parts().0);
}

#[test]
fn a_reload_with_the_same_key_keeps_the_cache_and_a_new_key_drops_it() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), TokenCacheSettings::default());
    let ann = email("ann@example.com");
    tokens.issue(&ann, None, T0).unwrap();

    let same = tokens.reload().unwrap();
    assert!(!same.key_changed());
    assert_eq!(same.keys, 1);
    assert!(tokens.issue(&ann, None, T0).unwrap().cache_hit());

    let new_key = write_key(&dir.path().join("private.pem"));
    let changed = tokens.reload().unwrap();
    assert!(changed.key_changed());
    assert_eq!(changed.previous_key_id, same.key_id);
    assert_eq!(changed.key_id, new_key.public_key().thumbprint());
    assert_eq!(&*tokens.key_id(), new_key.public_key().thumbprint());
    let second = tokens.issue(&ann, None, T0).unwrap();
    assert!(
        !second.cache_hit(),
        "a token of the old key is not handed out"
    );
    Verifier::new(new_key.public_key())
        .verify(second.jwt(), T0)
        .unwrap();
}

#[test]
fn a_reload_that_changes_the_kid_drops_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), TokenCacheSettings::default());
    let ann = email("ann@example.com");
    tokens.issue(&ann, None, T0).unwrap();
    assert_eq!(tokens.kid(), None);
    let settings = SigningSettings {
        kid: KidSetting::Fixed("k1".to_owned()),
        ..tokens.settings()
    };
    tokens.reload_with(settings).unwrap();
    assert_eq!(tokens.kid().as_deref(), Some("k1"));
    let issued = tokens.issue(&ann, None, T0).unwrap();
    assert!(!issued.cache_hit());
    let verified = Verifier::new(&tokens.public_key())
        .verify(issued.jwt(), T0)
        .unwrap();
    assert_eq!(
        verified.header.get("kid").and_then(|v| v.as_str()),
        Some("k1")
    );
}

#[test]
fn a_key_that_does_not_load_is_refused_and_the_old_key_keeps_signing() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), TokenCacheSettings::default());
    let before = tokens.key_id();
    std::fs::write(dir.path().join("private.pem"), "not a key").unwrap();
    let err = tokens.reload().unwrap_err();
    assert_eq!(err.code(), "key_set_invalid");
    assert!(err.to_string().contains("private.pem"), "{err}");
    assert_eq!(tokens.key_id(), before);
    assert!(tokens.issue(&email("ann@example.com"), None, T0).is_ok());

    let missing = Tokens::load(
        SigningSettings::new(dir.path().join("absent.pem")),
        UuidSalt::new("a salt for tests").unwrap(),
    )
    .unwrap_err();
    assert_eq!(missing.code(), "key_set_invalid");
}

#[test]
fn publishes_the_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), TokenCacheSettings::default());
    assert!(
        tokens
            .public_key_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    let jwks: serde_json::Value = serde_json::from_str(&tokens.jwks(T0)).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], *tokens.key_id());
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
}

#[test]
fn tokens_are_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Tokens>();
    send_sync::<Pending>();
}

#[test]
fn the_verifier_checks_every_published_key_and_refuses_others() {
    let salt = || UuidSalt::new("a salt for tests").unwrap();
    let (a, b) = (
        SigningKey::generate(2048).unwrap(),
        SigningKey::generate(2048).unwrap(),
    );
    let (a_public, b_public) = (a.public_key().clone(), b.public_key().clone());
    // A signs and B is next; the other way round for the second set: each names its key.
    let signs_a = Tokens::with_key_set(
        KeySet::new(a, Some(b_public), Vec::new()),
        SigningSettings::new("unused.pem"),
        salt(),
    );
    let signs_b = Tokens::with_key_set(
        KeySet::new(b, Some(a_public), Vec::new()),
        SigningSettings::new("unused.pem"),
        salt(),
    );
    let stranger = Tokens::with_key_set(
        KeySet::single(SigningKey::generate(2048).unwrap()),
        SigningSettings {
            kid: KidSetting::Thumbprint,
            ..SigningSettings::new("unused.pem")
        },
        salt(),
    );
    let ann = email("ann@example.com");
    let verifier = signs_a.verifier(T0);
    for tokens in [&signs_a, &signs_b] {
        let issued = tokens.issue(&ann, None, T0).unwrap();
        let verified = verifier.verify(issued.jwt(), T0).unwrap();
        assert_eq!(verified.claims, *issued.claims());
    }
    let unknown = stranger.issue(&ann, None, T0).unwrap();
    let err = verifier.verify(unknown.jwt(), T0).unwrap_err();
    assert_eq!(err.code(), "unknown_key");
}
