//! `synerise-auth serve` in dev mode, run as a user would: the banner, a token over HTTP for the
//! dev API key that `verify` accepts, the gate described in `/openapi.json`, and a clean stop.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::{
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::TcpStream,
    path::Path,
    process::{Child, Command as StdCommand, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use assert_cmd::{Command, cargo::cargo_bin};
use serde_json::Value;

/// Variables that would change what `serve` reads.
const ENV: [&str; 11] = [
    "SYNERISE_AUTH_KEY",
    "SYNERISE_AUTH_UUID_SALT",
    "SYNERISE_AUTH_DATA_DIR",
    "SYNERISE_AUTH_CONFIG",
    "SYNERISE_AUTH_LISTEN",
    "SYNERISE_AUTH_API_KEYS",
    "SYNERISE_AUTH_PRODUCTION",
    "SYNERISE_AUTH_GATE_ENABLED",
    "SYNERISE_AUTH_TOKEN_TTL",
    "SYNERISE_AUTH_DEMO_ACCOUNT",
    "SYNERISE_AUTH_OIDC_ISSUER",
];

/// A running `synerise-auth serve`.
struct Serve {
    child: Child,
    address: String,
    banner: String,
}

impl Serve {
    fn start(data_dir: &Path) -> Self {
        let mut command = StdCommand::new(cargo_bin("synerise-auth"));
        for name in ENV {
            command.env_remove(name);
        }
        let child = command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut serve = Self {
            child,
            address: String::new(),
            banner: String::new(),
        };
        let stdout = serve.child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        loop {
            let line = received
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("serve never said it was listening: {}", serve.banner));
            serve.banner.push_str(&line);
            serve.banner.push('\n');
            if let Some(address) = line.strip_prefix("synerise-auth listening on http://") {
                serve.address = address.to_owned();
                return serve;
            }
        }
    }

    /// The value after `prefix` on the banner line that starts with it (after the indent).
    fn banner_value(&self, prefix: &str) -> String {
        self.banner
            .lines()
            .find_map(|line| line.trim_start().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in the banner:\n{}", self.banner))
            .trim()
            .to_owned()
    }

    /// One HTTP/1.1 request; returns the status and the JSON body.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let (_, body) = response.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(body).unwrap())
    }

    /// SIGTERM, then a clean exit.
    fn stop(mut self) {
        let killed = StdCommand::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "serve exited with {status}");
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn dev_mode_serves_tokens_that_verify_and_mounts_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(dir.path());

    // the banner names what a new user needs
    let api_key = serve.banner_value("dev API key (Authorization: Bearer ...):");
    assert!(api_key.len() >= 32, "{api_key}");
    assert!(
        serve.banner.contains("demo account: demo@example.com"),
        "{}",
        serve.banner
    );
    assert!(
        serve.banner.contains("event gate: POST http://"),
        "{}",
        serve.banner
    );
    let certificate = serve
        .banner
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("-----BEGIN PUBLIC KEY-----MII"))
        .unwrap_or_else(|| panic!("no one-line public key in the banner:\n{}", serve.banner))
        .to_owned();
    let key = dir.path().join("private.pem");
    assert!(key.is_file(), "dev mode made no key at {}", key.display());

    // a token for the back end's customer, verified by the CLI against the key serve made
    let bearer = format!("Bearer {api_key}");
    let (status, reply) = serve.request(
        "POST",
        "/generate-jwt",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        r#"{"email": "ann@example.com"}"#,
    );
    assert_eq!(status, 200, "{reply}");
    let jwt = reply["jwt"].as_str().unwrap();
    let out = Command::cargo_bin("synerise-auth")
        .unwrap()
        .args(["verify", "--key"])
        .arg(&key)
        .arg(jwt)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verified: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verified["claims"]["email"], "ann@example.com");
    assert_eq!(verified["claims"]["uuid"], reply["uuid"]);

    // the printed certificate is the key serve signs with
    let public = Command::cargo_bin("synerise-auth")
        .unwrap()
        .args(["public-key", "--format", "single-line", "--key"])
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(public.stdout).unwrap().trim(),
        certificate
    );

    // no API key, no token
    let (status, reply) = serve.request(
        "POST",
        "/generate-jwt",
        &[("Content-Type", "application/json")],
        r#"{"email": "ann@example.com"}"#,
    );
    assert_eq!(status, 401, "{reply}");
    assert_eq!(reply["code"], "missing_credentials", "{reply}");

    // the gate, mounted in dev mode, is described with the service
    let (status, spec) = serve.request("GET", "/openapi.json", &[], "");
    assert_eq!(status, 200);
    assert!(
        spec["paths"]["/gate/v1/events"]["post"].is_object(),
        "{}",
        spec["paths"]
    );
    assert!(spec["paths"]["/generate-jwt"]["post"].is_object());

    serve.stop();
}
