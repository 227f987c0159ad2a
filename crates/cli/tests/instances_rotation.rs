//! Key rotation across two real `serve` processes on one PostgreSQL database, sharing one key
//! directory: each instance reloads its key set on its own SIGHUP, and once both have, the new
//! key signs on both, both publish the old one beside it, and both mounted gates refuse the old
//! key's tokens as `certificate_replaced`.
//!
//! Needs a PostgreSQL server the tests may create databases on, named by
//! `SYNERISE_AUTH_TEST_DATABASE_URL` (scripts/test starts a private one); without it the test
//! says it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod instance;

use std::time::{Duration, Instant};

use common::{Running, cli, keygen, keys_init};
use instance::{API_KEY, TestDatabase, http, start_instance};
use serde_json::Value;
use synerise_auth_token::{Clock as _, PublicKey, SystemClock, Verifier};

#[test]
fn a_key_activated_and_signalled_on_each_instance_signs_everywhere() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The key that signs today, made a set as the first step of docs/keys.md says.
    let today = keygen(&tmp.path().join("today"));
    let dir = tmp.path().join("keys");
    keys_init(&dir, Some(&tmp.path().join("today/private.pem")));
    let old = PublicKey::parse_text(&today, "keygen")
        .unwrap()
        .thumbprint()
        .to_owned();
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start_instance(&database.url, &dir, data_a.path());
    let b = start_instance(&database.url, &dir, data_b.path());
    let instances = [&a, &b];

    // A set of one: tokens name no key, and verify with the one key both publish.
    let mut old_tokens = Vec::new();
    for signer in instances {
        assert_eq!(kid(signer), old);
        let (jwt, uuid) = token(signer);
        assert_eq!(header(&jwt).get("kid"), None, "a set of one: no kid");
        for publisher in instances {
            let published = jwks(publisher);
            assert_eq!(kids(&published), [old.as_str()]);
            assert!(verifies(&jwt, &published, &old));
        }
        for gate in instances {
            assert_eq!(decide(gate, &jwt, &uuid), (202, None));
        }
        old_tokens.push((jwt, uuid));
    }

    // `keys new`, SIGHUP: each instance publishes the next key once it has reloaded, still signs
    // with the old one, and names it now that the set holds two.
    let new_key = keys(&dir, &["new"]);
    let new = PublicKey::parse_text(&new_key, "keys new")
        .unwrap()
        .thumbprint()
        .to_owned();
    for instance in instances {
        hangup(instance);
        wait_until("the next key is published", || {
            kids(&jwks(instance)) == [old.as_str(), new.as_str()]
        });
    }
    for signer in instances {
        assert_eq!(kid(signer), old);
        let (jwt, uuid) = token(signer);
        assert_eq!(header(&jwt)["kid"], old.as_str(), "{:?}", header(&jwt));
        for publisher in instances {
            assert!(verifies(&jwt, &jwks(publisher), &old));
        }
        old_tokens.push((jwt, uuid));
    }

    // `keys activate`, then SIGHUP one instance at a time: each switches on its own signal only.
    keys(&dir, &["activate"]);
    hangup(&a);
    wait_until("A signs with the new key", || kid(&a) == new);
    assert_eq!(kid(&b), old, "B has not been signalled");
    hangup(&b);
    wait_until("B signs with the new key", || kid(&b) == new);

    // Both sign with the new key; both publish it and, retired, the old one.
    for signer in instances {
        assert_eq!(kid(signer), new);
        let (jwt, uuid) = token(signer);
        assert_eq!(header(&jwt)["kid"], new.as_str(), "{:?}", header(&jwt));
        for publisher in instances {
            let published = jwks(publisher);
            assert_eq!(kids(&published), [new.as_str(), old.as_str()]);
            assert!(verifies(&jwt, &published, &new));
            assert!(!verifies(&jwt, &published, &old));
        }
        // Each gate, holding the new certificate, accepts it and refuses every old-key token,
        // whichever instance signed it.
        for gate in instances {
            assert_eq!(decide(gate, &jwt, &uuid), (202, None));
            for (old_jwt, old_uuid) in &old_tokens {
                assert_eq!(
                    decide(gate, old_jwt, old_uuid),
                    (401, Some("certificate_replaced".to_owned()))
                );
            }
        }
    }
    // The old tokens still verify with the old key both publish (retired, within the lifetime).
    for (old_jwt, _) in &old_tokens {
        for publisher in instances {
            assert!(verifies(old_jwt, &jwks(publisher), &old));
        }
    }

    a.stop();
    b.stop();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `synerise-auth keys ARGS --dir DIR`, which must succeed; its stdout.
fn keys(dir: &std::path::Path, args: &[&str]) -> String {
    let out = cli()
        .arg("keys")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// A token for one customer from the site's back end (the API key): the JWT and its uuid.
fn token(serve: &Running) -> (String, String) {
    let (status, reply) = serve.request(
        "POST",
        "/generate-jwt",
        &[
            ("Authorization", &format!("Bearer {API_KEY}")),
            ("Content-Type", "application/json"),
        ],
        r#"{"email": "ann@example.com"}"#,
    );
    assert_eq!(status, 200, "{reply}");
    (
        reply["jwt"].as_str().unwrap().to_owned(),
        reply["uuid"].as_str().unwrap().to_owned(),
    )
}

/// A protected event with `jwt` at the mounted gate: its status and refusal reason.
fn decide(serve: &Running, jwt: &str, uuid: &str) -> (u16, Option<String>) {
    let (status, reply) = serve.request(
        "POST",
        "/gate/v1/events",
        &[
            ("Authorization", &format!("Bearer {jwt}")),
            ("Content-Type", "application/json"),
        ],
        &format!(r#"{{"action": "form.submit", "client": {{"uuid": "{uuid}"}}}}"#),
    );
    (status, reply["reason"].as_str().map(str::to_owned))
}

/// `/healthz`'s `kid`: the active key.
fn kid(serve: &Running) -> String {
    let health = http(serve, "GET", "/healthz", None, "");
    assert_eq!(health.status, 200, "{}", health.text);
    health.body["kid"].as_str().unwrap().to_owned()
}

/// The keys `/.well-known/jwks.json` publishes, each by its `kid`, which is checked to be its
/// thumbprint.
fn jwks(serve: &Running) -> Vec<(String, PublicKey)> {
    use base64::Engine as _;
    let decode = |value: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(value.as_str().unwrap())
            .unwrap()
    };
    let reply = http(serve, "GET", "/.well-known/jwks.json", None, "");
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|jwk| {
            let key =
                PublicKey::from_rsa_components(&decode(&jwk["n"]), &decode(&jwk["e"]), "a JWK")
                    .unwrap();
            let kid = jwk["kid"].as_str().unwrap().to_owned();
            assert_eq!(key.thumbprint(), kid);
            (kid, key)
        })
        .collect()
}

fn kids(published: &[(String, PublicKey)]) -> Vec<&str> {
    published.iter().map(|(kid, _)| kid.as_str()).collect()
}

/// Whether `jwt` verifies (RS256, signature and times) with the published key `kid`.
fn verifies(jwt: &str, published: &[(String, PublicKey)], kid: &str) -> bool {
    let (_, key) = published
        .iter()
        .find(|(k, _)| k == kid)
        .unwrap_or_else(|| panic!("{kid} is not published"));
    Verifier::new(key).verify(jwt, SystemClock.now()).is_ok()
}

fn header(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

fn hangup(serve: &Running) {
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(serve.pid()).unwrap()).unwrap(),
        rustix::process::Signal::HUP,
    )
    .unwrap();
}

/// Polls `done` every 50 ms for at most 20 s (a reload is a key read and a swap).
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not within 20 s: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
