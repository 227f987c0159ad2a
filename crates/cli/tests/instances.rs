//! Two real `serve` processes on one PostgreSQL database, sharing one signing key and one UUID
//! salt, driven alternately as a load balancer would: what one instance did, the other sees.
//! And one instance whose database goes away and comes back: 503 `storage_unavailable` with
//! `Retry-After` meanwhile, then working again by itself, nothing acknowledged lost.
//!
//! Needs a PostgreSQL server the tests may create databases on, named by
//! `SYNERISE_AUTH_TEST_DATABASE_URL` (scripts/test starts a private one); without it each test
//! says it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod instance;

use std::{
    net::{Shutdown, TcpListener, TcpStream},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use common::{cli, keygen};
use instance::{LOCK_LIMIT, PASSWORD, TestDatabase, http, start_instance};
use serde_json::json;

#[test]
fn two_instances_on_one_database_share_sessions_lockouts_and_the_gate_log() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    keygen(keys.path());
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start_instance(
        &database.url,
        &keys.path().join("private.pem"),
        dir_a.path(),
    );
    let b = start_instance(
        &database.url,
        &keys.path().join("private.pem"),
        dir_b.path(),
    );

    // A session made on one works on the other.
    let ann = "ann@example.com";
    let signed_up = http(
        &a,
        "POST",
        "/api/accounts",
        None,
        &credentials(ann, PASSWORD),
    );
    assert_eq!(signed_up.status, 201, "{:?}", signed_up.body);
    let cookie = signed_up.session_cookie();
    let whoami = http(&b, "GET", "/api/session", Some(&cookie), "");
    assert_eq!(whoami.status, 200, "{:?}", whoami.body);
    assert_eq!(whoami.body["email"], ann);

    // A token from either verifies with the other's public key; both publish the same JWKS.
    let token_a = http(&a, "POST", "/generate-jwt", Some(&cookie), "");
    let token_b = http(&b, "POST", "/generate-jwt", Some(&cookie), "");
    assert_eq!(token_a.status, 200, "{:?}", token_a.body);
    assert_eq!(token_b.status, 200, "{:?}", token_b.body);
    assert_eq!(token_a.body["uuid"], token_b.body["uuid"], "one UUID salt");
    assert_eq!(
        http(&a, "GET", "/.well-known/jwks.json", None, "").text,
        http(&b, "GET", "/.well-known/jwks.json", None, "").text
    );
    let jwt_a = token_a.body["jwt"].as_str().unwrap();
    let jwt_b = token_b.body["jwt"].as_str().unwrap();
    assert_verifies(jwt_a, &http(&b, "GET", "/public-key", None, "").text);
    assert_verifies(jwt_b, &http(&a, "GET", "/public-key", None, "").text);

    // Signing out on one ends the session on the other.
    let signed_out = http(&b, "DELETE", "/api/session", Some(&cookie), "");
    assert_eq!(signed_out.status, 204);
    let gone = http(&a, "GET", "/api/session", Some(&cookie), "");
    assert_eq!(gone.status, 401, "{:?}", gone.body);
    assert_eq!(gone.body["code"], "not_signed_in");

    // The lockout counts across both: failures alternately on A and B, and the limit-th (on
    // whichever) locks the account on both, even for the right password.
    let instances = [&a, &b];
    for n in 0..LOCK_LIMIT - 1 {
        let failed = http(
            instances[n as usize % 2],
            "POST",
            "/api/session",
            None,
            &credentials(ann, "a wrong password"),
        );
        assert_eq!(failed.status, 401, "failure {n}: {:?}", failed.body);
        assert_eq!(failed.body["code"], "invalid_credentials");
    }
    let locking = http(
        instances[(LOCK_LIMIT as usize - 1) % 2],
        "POST",
        "/api/session",
        None,
        &credentials(ann, "a wrong password"),
    );
    assert_eq!(locking.status, 429, "{:?}", locking.body);
    assert_eq!(locking.body["code"], "rate_limited");
    assert!(locking.retry_after().is_some_and(|secs| secs > 0));
    for instance in instances {
        let refused = http(
            instance,
            "POST",
            "/api/session",
            None,
            &credentials(ann, PASSWORD),
        );
        assert_eq!(refused.status, 429, "{:?}", refused.body);
        assert_eq!(refused.body["code"], "rate_limited");
        assert!(refused.retry_after().is_some());
    }
    // Another account is not affected, on either.
    let bob = "bob@example.com";
    assert_eq!(
        http(
            &b,
            "POST",
            "/api/accounts",
            None,
            &credentials(bob, PASSWORD)
        )
        .status,
        201
    );
    assert_eq!(
        http(
            &a,
            "POST",
            "/api/session",
            None,
            &credentials(bob, PASSWORD)
        )
        .status,
        200
    );
    // One account per address across instances.
    let twice = http(
        &a,
        "POST",
        "/api/accounts",
        None,
        &credentials(bob, PASSWORD),
    );
    assert_eq!(twice.status, 409, "{:?}", twice.body);
    assert_eq!(twice.body["code"], "account_exists");

    // Gate decisions made by both are in one log, in the order they were made.
    for n in 0..4 {
        let event = json!({
            "action": "page.visit",
            "label": format!("visit {n}"),
            "client": {"uuid": token_a.body["uuid"]},
        })
        .to_string();
        let decided = http(instances[n % 2], "POST", "/gate/v1/events", None, &event);
        assert_eq!(decided.status, 202, "{:?}", decided.body);
    }
    for instance in instances {
        let listed = http(instance, "GET", "/gate/v1/events?limit=50", None, "");
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        let labels: Vec<&str> = listed.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["label"].as_str())
            .collect();
        assert_eq!(labels, ["visit 3", "visit 2", "visit 1", "visit 0"]);
    }

    a.stop();
    b.stop();
}

#[test]
fn a_database_that_goes_away_is_a_503_with_retry_after_and_the_service_recovers() {
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let proxy = Proxy::start(&database.url);
    let keys = tempfile::tempdir().unwrap();
    keygen(keys.path());
    let dir = tempfile::tempdir().unwrap();
    let serve = start_instance(&proxy.url, &keys.path().join("private.pem"), dir.path());
    let signed_up = http(
        &serve,
        "POST",
        "/api/accounts",
        None,
        &credentials("ann@example.com", PASSWORD),
    );
    assert_eq!(signed_up.status, 201, "{:?}", signed_up.body);
    let cookie = signed_up.session_cookie();

    proxy.cut();
    for (method, path, body) in [
        (
            "POST",
            "/api/accounts",
            credentials("bob@example.com", PASSWORD),
        ),
        ("GET", "/api/session", String::new()),
        (
            "POST",
            "/api/session",
            credentials("ann@example.com", PASSWORD),
        ),
    ] {
        let refused = http(&serve, method, path, Some(&cookie), &body);
        assert_eq!(refused.status, 503, "{method} {path}: {:?}", refused.body);
        assert_eq!(refused.body["code"], "storage_unavailable");
        assert!(
            refused.retry_after().is_some_and(|secs| secs >= 1),
            "{method} {path}: no Retry-After"
        );
    }

    proxy.restore();
    // Working again by itself, within a few tries (no restart).
    let mut recovered = None;
    for _ in 0..20 {
        let reply = http(&serve, "GET", "/api/session", Some(&cookie), "");
        if reply.status == 200 {
            recovered = Some(reply);
            break;
        }
        assert_eq!(reply.status, 503, "{:?}", reply.body);
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(recovered.is_some(), "the service did not recover");
    let again = http(
        &serve,
        "POST",
        "/api/accounts",
        None,
        &credentials("cat@example.com", PASSWORD),
    );
    assert_eq!(again.status, 201, "{:?}", again.body);
    serve.stop();

    // What was acknowledged is there; what was refused is not.
    let listed = cli()
        .args(["accounts", "list"])
        .env("SYNERISE_AUTH_DATABASE__URL", &database.url)
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("ann@example.com"), "{listed}");
    assert!(listed.contains("cat@example.com"), "{listed}");
    assert!(
        !listed.contains("bob@example.com"),
        "a refused sign-up was kept: {listed}"
    );
    drop(proxy);
}

fn credentials(email: &str, password: &str) -> String {
    json!({"email": email, "password": password}).to_string()
}

/// `synerise-auth verify --public-key` with `pem`: exits 0.
fn assert_verifies(jwt: &str, pem: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("public.pem");
    std::fs::write(&path, pem).unwrap();
    let verified = cli()
        .args(["verify", "--public-key"])
        .arg(&path)
        .arg(jwt)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

/// A TCP relay in front of the PostgreSQL server that can be cut (open connections shut, new
/// ones closed at once) and restored: the database going away, for one instance only.
struct Proxy {
    url: String,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(url: &str) -> Self {
        let host_start = url.find("://").unwrap() + 3;
        let authority_end = host_start + url[host_start..].find('/').unwrap();
        let authority = &url[host_start..authority_end];
        let upstream = authority
            .rsplit_once('@')
            .map_or(authority, |(_, hp)| hp)
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
        {
            let down = Arc::clone(&down);
            let open = Arc::clone(&open);
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    let Ok(client) = client else { continue };
                    if down.load(Ordering::SeqCst) {
                        continue; // dropped: closed at once
                    }
                    let Ok(server) = TcpStream::connect(&upstream) else {
                        continue;
                    };
                    open.lock()
                        .unwrap()
                        .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                    relay(client.try_clone().unwrap(), server.try_clone().unwrap());
                    relay(server, client);
                }
            });
        }
        let user = authority
            .rsplit_once('@')
            .map(|(user, _)| format!("{user}@"));
        let url = format!(
            "{}{}127.0.0.1:{port}{}",
            &url[..host_start],
            user.unwrap_or_default(),
            &url[authority_end..]
        );
        Self { url, down, open }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Copies `from` to `to` on a thread of its own until either ends.
fn relay(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Both);
    });
}
