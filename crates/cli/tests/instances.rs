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

use std::{
    io::{Read as _, Write as _},
    net::{Shutdown, TcpListener, TcpStream},
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use common::{Running, binary, cli, keygen};
use serde_json::{Value, json};
use sqlx::Connection as _;

const DATABASE_URL_VAR: &str = "SYNERISE_AUTH_TEST_DATABASE_URL";
const PASSWORD: &str = "correct horse battery";
const UUID_SALT: &str = "one salt for every instance of the site";
const API_KEY: &str = "an-api-key-for-the-sites-back-end";

/// The failed sign-in in a row that locks an account, in both instances.
const LOCK_LIMIT: u32 = 4;

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
        .env("SYNERISE_AUTH_DATABASE_URL", &database.url)
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

/// `serve` on port 0, in dev mode, on the PostgreSQL database `url` names, signing with `key`.
fn start_instance(url: &str, key: &Path, data_dir: &Path) -> Running {
    let mut command = binary();
    command
        .arg("serve")
        .env("SYNERISE_AUTH_DATABASE_URL", url)
        .env("SYNERISE_AUTH_KEY", key)
        .env("SYNERISE_AUTH_DATA_DIR", data_dir)
        .env("SYNERISE_AUTH_LISTEN", "127.0.0.1:0")
        .env("SYNERISE_AUTH_UUID_SALT", UUID_SALT)
        .env("SYNERISE_AUTH_API_KEYS", API_KEY)
        .env(
            "SYNERISE_AUTH_FAILED_SIGN_INS_PER_ACCOUNT",
            LOCK_LIMIT.to_string(),
        )
        .stderr(std::process::Stdio::null());
    Running::start_command(command, "synerise-auth listening on http://")
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

/// One HTTP/1.1 answer: its status, headers (names lower-cased) and body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    text: String,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn retry_after(&self) -> Option<u64> {
        self.header("retry-after")?.parse().ok()
    }

    /// `synerise_auth_session=...` from the `Set-Cookie` that sets it.
    fn session_cookie(&self) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| {
                let pair = v.split(';').next()?;
                pair.starts_with("synerise_auth_session=")
                    .then(|| pair.to_owned())
            })
            .unwrap_or_else(|| panic!("no session cookie in {:?}", self.headers))
    }
}

/// One request (a JSON body when there is one), with the session cookie when given.
fn http(serve: &Running, method: &str, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut stream = TcpStream::connect(&serve.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        serve.address,
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, text) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = serde_json::from_str(text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text: text.to_owned(),
        body,
    }
}

/// A database of the test's own on the server [`DATABASE_URL_VAR`] names; dropped after.
struct TestDatabase {
    server: String,
    name: String,
    url: String,
}

impl TestDatabase {
    fn create() -> Option<Self> {
        let Some(server) = std::env::var(DATABASE_URL_VAR)
            .ok()
            .filter(|v| !v.is_empty())
        else {
            eprintln!("SKIPPED: {DATABASE_URL_VAR} is not set (scripts/test sets it)");
            return None;
        };
        let name = format!("synerise_test_{:016x}", rand_u64());
        admin(&server, format!("CREATE DATABASE {name}"));
        let url = with_database(&server, &name);
        Some(Self { server, name, url })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        admin(
            &self.server,
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Runs one statement on the server's own database.
fn admin(server: &str, sql: String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(server).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

/// A number no other test (in this process or another) picks: std's randomly keyed hasher.
fn rand_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// `url` with its database (its path) replaced by `name`, its query kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = base[host_start..]
        .find('/')
        .map_or(base, |i| &base[..host_start + i]);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
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
