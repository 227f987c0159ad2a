//! Key rotation against the real server: a key directory, reloads (what SIGHUP calls), the
//! published keys, the token cache, and the mounted gate, which holds one certificate as
//! Synerise does and follows the active key.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use serde_json::{Value, json};
use synerise_auth_server::{Application, Reloader, Settings};
use synerise_auth_token::{
    KeyDir, PublicKey, SigningKey, SystemClock, TokenTtl, UnixTime, UuidSalt, Verifier,
};
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::helpers::{API_KEY, CapturedLogs, SALT, decode_part};

const EMAIL: &str = "ann@example.com";

struct Rotating {
    address: String,
    reloader: Reloader,
    client: reqwest::Client,
    _data: tempfile::TempDir,
}

fn test_settings(data_dir: &Path, key: PathBuf, ttl_secs: u64) -> Settings {
    let mut settings = Settings::for_test(data_dir)
        .with_api_keys(&[API_KEY.to_owned()])
        .unwrap();
    settings.uuid_salt = Some(UuidSalt::new(SALT).unwrap());
    settings.key = Some(key);
    settings.token_ttl = TokenTtl::from_secs(ttl_secs).unwrap();
    settings
}

/// `serve` with the gate mounted, signing with the key set at `key`; `source`, when given, is
/// where a reload reads the settings from.
async fn start(key: PathBuf, ttl_secs: u64, source: Option<Arc<Mutex<Settings>>>) -> Rotating {
    let data = tempfile::tempdir().unwrap();
    let settings = test_settings(data.path(), key, ttl_secs);
    if let Some(source) = &source {
        *source.lock().unwrap() = settings.clone();
    }
    let mut app = Application::build(settings).await.unwrap();
    if let Some(source) = source {
        app = app.with_settings_source(move || Ok(source.lock().unwrap().clone()));
    }
    assert!(app.gate_mounted());
    let address = format!("http://{}", app.local_addr().unwrap());
    let reloader = app.reloader();
    tokio::spawn(app.run_until_stopped());
    Rotating {
        address,
        reloader,
        client: reqwest::Client::new(),
        _data: data,
    }
}

impl Rotating {
    async fn token(&self) -> (String, String) {
        let reply: Value = self
            .client
            .post(format!("{}/generate-jwt", self.address))
            .bearer_auth(API_KEY)
            .json(&json!({"email": EMAIL}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            reply["jwt"].as_str().unwrap().to_owned(),
            reply["uuid"].as_str().unwrap().to_owned(),
        )
    }

    /// A protected event with `token`: the gate's status and reason (`None` when accepted).
    async fn gate(&self, token: &str, uuid: &str) -> (u16, Option<String>) {
        let response = self
            .client
            .post(format!("{}/gate/v1/events", self.address))
            .bearer_auth(token)
            .json(&json!({"action": "form.submit", "client": {"uuid": uuid}}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        (status, body["reason"].as_str().map(str::to_owned))
    }

    async fn get(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn kid(&self) -> String {
        let health: Value = serde_json::from_str(&self.get("/healthz").await).unwrap();
        health["kid"].as_str().unwrap().to_owned()
    }

    async fn jwks_kids(&self) -> Vec<String> {
        let jwks: Value = serde_json::from_str(&self.get("/.well-known/jwks.json").await).unwrap();
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn now() -> UnixTime {
    use synerise_auth_token::Clock as _;
    SystemClock.now()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../token/tests/fixtures")
        .join(name)
}

fn verifies(token: &str, key: &PublicKey) -> bool {
    Verifier::new(key).verify(token, now()).is_ok()
}

/// The rehearsal of the procedure in docs/keys.md: shortened lifetime, `keys new`, reload, `keys
/// activate` and reload back to back, the old token refused by the gate as
/// `certificate_replaced`, a renewed one accepted, and the old key retired.
#[tokio::test]
async fn rotation_rehearsal_with_the_mounted_gate() {
    let keys_dir = tempfile::tempdir().unwrap();
    let dir = keys_dir.path().join("keys");
    let old = SigningKey::generate(2048).unwrap();
    let old_kid = old.public_key().thumbprint().to_owned();
    let mut keys = KeyDir::create(&dir, &old, now()).unwrap();
    // Step 1: the token lifetime shortened ahead of the switch (here, at start: one hour).
    let app = start(dir.clone(), 3600, None).await;
    assert_eq!(app.kid().await, old_kid);
    let (before, uuid) = app.token().await;
    assert!(
        decode_part(&before, 0).get("kid").is_none(),
        "a set of one: no kid"
    );
    assert_eq!(
        decode_part(&before, 1)["exp"].as_i64().unwrap() - now().as_secs(),
        3600
    );
    assert_eq!(app.gate(&before, &uuid).await, (202, None));

    // Step 2: `keys new`, then a reload: the next key is published, and does not sign.
    let new = SigningKey::generate(2048).unwrap();
    let new_kid = new.public_key().thumbprint().to_owned();
    keys.add_next(&new, now()).unwrap();
    let report = app.reloader.reload().await.unwrap();
    assert!(!report.key_changed());
    assert_eq!(report.next.as_deref(), Some(new_kid.as_str()));
    assert_eq!(app.jwks_kids().await, [old_kid.clone(), new_kid.clone()]);
    assert_eq!(app.kid().await, old_kid);
    assert_eq!(app.gate(&before, &uuid).await, (202, None));
    // With two keys published, tokens name theirs: the cached one without a kid is not reused.
    let (named, _) = app.token().await;
    assert_ne!(named, before);
    assert_eq!(decode_part(&named, 0)["kid"], old_kid.as_str());
    assert!(verifies(&named, old.public_key()));

    // Step 3: the certificate pasted into Synerise and `keys activate` back to back, reload.
    keys.activate(now()).unwrap();
    let report = app.reloader.reload().await.unwrap();
    assert!(report.key_changed());
    assert_eq!((report.kid.as_str(), report.keys), (new_kid.as_str(), 2));
    assert_eq!(app.kid().await, new_kid);
    let metrics = app.get("/metrics").await;
    for line in [
        format!("synerise_auth_signing_key_info{{kid=\"{new_kid}\"}} 1"),
        format!("synerise_auth_signing_key_info{{kid=\"{old_kid}\"}} 0"),
        "synerise_auth_key_reloads_total{outcome=\"ok\"} 2".to_owned(),
        "synerise_auth_key_reloads_total{outcome=\"refused\"} 0".to_owned(),
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in\n{metrics}"
        );
    }

    // The gate, like Synerise, holds one certificate: the old token is refused...
    assert_eq!(
        app.gate(&before, &uuid).await,
        (401, Some("certificate_replaced".to_owned()))
    );
    // ...and the renewal the browser makes on that refusal is a new token of the new key (the
    // cache never hands back the old one), which the gate accepts.
    let (after, same_uuid) = app.token().await;
    assert_eq!(same_uuid, uuid);
    assert_ne!(after, before);
    assert_eq!(decode_part(&after, 0)["kid"], new_kid.as_str());
    assert!(verifies(&after, new.public_key()) && !verifies(&after, old.public_key()));
    assert_eq!(app.gate(&after, &uuid).await, (202, None));
    // /public-key is the new key; the old one stays in the JWKS while its tokens may live.
    let pem = app.get("/public-key").await;
    assert_eq!(
        &PublicKey::parse_text(&pem, "reply").unwrap(),
        new.public_key()
    );
    assert_eq!(app.jwks_kids().await, [new_kid.clone(), old_kid.clone()]);

    // Step 4: once the old tokens have expired, `keys retire`, reload: no longer published.
    keys.retire(&old_kid).unwrap();
    app.reloader.reload().await.unwrap();
    assert_eq!(app.jwks_kids().await, [new_kid]);
    assert_eq!(app.gate(&after, &uuid).await, (202, None));
}

#[tokio::test]
async fn a_bad_key_is_refused_in_one_log_line_and_the_old_keys_keep_signing() {
    let captured = CapturedLogs::default();
    captured.subscriber().init();
    let keys_dir = tempfile::tempdir().unwrap();
    let dir = keys_dir.path().join("keys");
    let active = SigningKey::generate(2048).unwrap();
    let kid = active.public_key().thumbprint().to_owned();
    let mut keys = KeyDir::create(&dir, &active, now()).unwrap();
    let next = SigningKey::generate(2048).unwrap();
    keys.add_next(&next, now()).unwrap();
    let next_file = keys.key_path(next.public_key().thumbprint());
    let app = start(dir.clone(), 3600, None).await;
    let (token, _) = app.token().await;

    let cases = [
        ("rsa1024.pem", "at least 2048 bits"),
        ("ec-p256.pem", "an RSA key"),
        ("rsa2048-encrypted.pem", "encrypted"),
        ("rsa2048-public.pem", "not a private key"),
    ];
    for (bad, reason) in cases {
        std::fs::copy(fixture(bad), &next_file).unwrap();
        let error = format!("{:#}", app.reloader.reload().await.unwrap_err());
        assert!(error.contains(&next_file.display().to_string()), "{error}");
        assert!(error.contains(reason), "{bad}: {error}");
    }
    std::fs::remove_file(&next_file).unwrap();
    let error = format!("{:#}", app.reloader.reload().await.unwrap_err());
    assert!(
        error.contains(&next_file.display().to_string()) && error.contains("No such file"),
        "{error}"
    );

    // The old set keeps serving: same key, same published keys, same (cached) token.
    assert_eq!(app.kid().await, kid);
    assert_eq!(app.token().await.0, token);
    assert_eq!(app.jwks_kids().await.len(), 2);
    let metrics = app.get("/metrics").await;
    assert!(
        metrics
            .lines()
            .any(|l| l == "synerise_auth_key_reloads_total{outcome=\"refused\"} 5"),
        "{metrics}"
    );
    // One log line per refusal, naming the file and the reason.
    let logs = captured.text();
    let refusals: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("reload refused"))
        .collect();
    assert_eq!(refusals.len(), cases.len() + 1, "{logs}");
    assert!(
        refusals
            .iter()
            .all(|l| l.contains(&next_file.display().to_string())),
        "{logs}"
    );
    assert!(refusals[0].contains("at least 2048 bits"), "{logs}");
}

#[tokio::test]
async fn a_replaced_single_key_file_reloads_and_the_cache_forgets_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("private.pem");
    let first = SigningKey::generate(2048).unwrap();
    first.write_pkcs8_pem(&file, false).unwrap();
    let app = start(file.clone(), 3600, None).await;
    let (before, uuid) = app.token().await;
    assert_eq!(app.token().await.0, before, "reused from the cache");

    // Reloading an unchanged key keeps the cache.
    assert!(!app.reloader.reload().await.unwrap().key_changed());
    assert_eq!(app.token().await.0, before);

    let second = SigningKey::generate(2048).unwrap();
    second.write_pkcs8_pem(&file, true).unwrap();
    assert!(app.reloader.reload().await.unwrap().key_changed());
    let (after, _) = app.token().await;
    assert_ne!(after, before);
    assert!(verifies(&after, second.public_key()));
    assert_eq!(
        app.gate(&before, &uuid).await,
        (401, Some("certificate_replaced".to_owned()))
    );
    assert_eq!(app.gate(&after, &uuid).await, (202, None));
    // A set of one: still no kid in the header.
    assert!(decode_part(&after, 0).get("kid").is_none());
}

#[tokio::test]
async fn a_reload_applies_the_token_lifetime_and_says_what_needs_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("private.pem");
    SigningKey::generate(2048)
        .unwrap()
        .write_pkcs8_pem(&file, false)
        .unwrap();
    let source = Arc::new(Mutex::new(test_settings(dir.path(), file.clone(), 3600)));
    let app = start(file, 7 * 24 * 3600, Some(Arc::clone(&source))).await;
    let (long, _) = app.token().await;
    assert_eq!(
        decode_part(&long, 1)["exp"].as_i64().unwrap() - now().as_secs(),
        7 * 24 * 3600
    );

    // The lifetime shortened in the settings, and a setting that applies only at start.
    {
        let mut settings = source.lock().unwrap();
        settings.token_ttl = TokenTtl::from_secs(3600).unwrap();
        settings.signup = false;
    }
    let report = app.reloader.reload().await.unwrap();
    assert_eq!(report.restart_needed, ["signup"]);
    let (short, _) = app.token().await;
    assert_ne!(short, long, "a token of the old lifetime is not reused");
    assert_eq!(
        decode_part(&short, 1)["exp"].as_i64().unwrap() - now().as_secs(),
        3600
    );

    // An API key replaced by another (as many keys as before) needs a restart, and says so.
    {
        let mut settings = source.lock().unwrap();
        *settings = settings
            .clone()
            .with_api_keys(&["a new API key, long enough to pass".to_owned()])
            .unwrap();
    }
    let report = app.reloader.reload().await.unwrap();
    assert!(
        report.restart_needed.contains(&"api_keys"),
        "{:?}",
        report.restart_needed
    );

    // Settings that do not resolve refuse the whole reload.
    source.lock().unwrap().key = Some(dir.path().join("no-such-key.pem"));
    let error = format!("{:#}", app.reloader.reload().await.unwrap_err());
    assert!(error.contains("no-such-key.pem"), "{error}");
    assert_eq!(app.token().await.0, short);
}

#[cfg(unix)]
#[tokio::test]
async fn in_production_a_key_of_the_set_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let keys_dir = tempfile::tempdir().unwrap();
    let dir = keys_dir.path().join("keys");
    let mut keys = KeyDir::create(&dir, &SigningKey::generate(2048).unwrap(), now()).unwrap();
    let next = SigningKey::generate(2048).unwrap();
    keys.add_next(&next, now()).unwrap();
    let file = keys.key_path(next.public_key().thumbprint());
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path(), dir, 3600);
    settings.mode = synerise_auth_server::Mode::Production;
    let error = format!("{:#}", Application::build(settings).await.unwrap_err());
    assert!(
        error.contains(&file.display().to_string()) && error.contains("chmod 600"),
        "{error}"
    );
}
