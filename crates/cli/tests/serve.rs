//! `synerise-auth serve` in dev mode, run as a user would: the banner, a token over HTTP for the
//! dev API key that `verify` accepts, the gate described in `/openapi.json`, and a clean stop.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::{ffi::OsStr, path::Path};

use common::{Running, cli};
use serde_json::Value;

/// `synerise-auth serve` in dev mode on port 0, with its data in `data_dir`.
fn start_serve(data_dir: &Path) -> Running {
    let args = [
        OsStr::new("serve"),
        OsStr::new("--listen"),
        OsStr::new("127.0.0.1:0"),
        OsStr::new("--data-dir"),
        data_dir.as_os_str(),
    ];
    Running::start(&args, "synerise-auth listening on http://")
}

#[test]
fn dev_mode_serves_tokens_that_verify_and_mounts_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let serve = start_serve(dir.path());

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
    let out = cli()
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
    let public = cli()
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

/// SIGTERM starts the drain period: `/healthz` answers 503 `draining` while tokens are still
/// signed; a second SIGTERM cuts the drain short, and the process exits cleanly at once rather
/// than at the end of the period.
#[test]
fn sigterm_drains_and_a_second_sigterm_stops_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::binary();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        // Far longer than the test waits: only the second signal can end it in time.
        .env("SYNERISE_AUTH_SHUTDOWN__DRAIN", "5m")
        .stderr(std::process::Stdio::null());
    let mut serve = Running::start_command(command, "synerise-auth listening on http://");
    let api_key = serve.banner_value("dev API key (Authorization: Bearer ...):");
    let bearer = format!("Bearer {api_key}");
    let token = |serve: &Running| {
        serve.request(
            "POST",
            "/generate-jwt",
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            r#"{"email":"ann@example.com"}"#,
        )
    };
    assert_eq!(serve.request("GET", "/healthz", &[], "").0, 200);

    serve.signal("TERM");
    let started = std::time::Instant::now();
    let (status, health) = loop {
        let (status, health) = serve.request("GET", "/healthz", &[], "");
        if status != 200 {
            break (status, health);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "/healthz still 200 a minute after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["code"], "draining", "{health}");
    let (status, reply) = token(&serve);
    assert_eq!(status, 200, "{reply}");
    assert!(reply["jwt"].is_string(), "{reply}");
    assert!(
        serve
            .exit_within(std::time::Duration::from_secs(1))
            .is_none(),
        "exited during the drain period"
    );

    serve.signal("TERM");
    let exited = serve
        .exit_within(std::time::Duration::from_secs(60))
        .expect("still running a minute after the second SIGTERM, in a drain of five");
    assert!(exited.success(), "{exited}");
}
