//! The shipped alert rules (`deploy/prometheus/`) and dashboard (`deploy/grafana/`) name only
//! metrics that the real server exposes: `serve` on port 0, exercised until every kind of metric
//! has a sample, then its `/metrics` read.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::{
    collections::BTreeSet,
    ffi::OsStr,
    io::{Read as _, Write as _},
    net::TcpStream,
    path::{Path, PathBuf},
    time::Duration,
};

use common::Running;

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// Every `synerise_auth_*` name in the files of `dir` whose names end with `suffix`.
fn names_in(dir: &Path, suffix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(suffix) {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("synerise_auth_") {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(tail.len());
            names.insert(tail[..end].to_owned());
            rest = &tail[end..];
        }
    }
    assert!(files > 0, "no *{suffix} file in {}", dir.display());
    names
}

/// The series names in a text exposition (`name{labels} value` or `name value`).
fn exposed(metrics: &str) -> BTreeSet<String> {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}

/// `GET path` over HTTP/1.1; the status and the body as text.
fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    (status, body.to_owned())
}

#[test]
fn alert_rules_and_dashboard_name_only_metrics_the_server_exposes() {
    let mut named = names_in(&deploy_dir().join("prometheus"), ".rules.yml");
    let in_rules = named.len();
    named.extend(names_in(&deploy_dir().join("grafana"), ".json"));
    assert!(in_rules >= 5, "the rules name only {named:?}");

    let dir = tempfile::tempdir().unwrap();
    let serve = Running::start(
        &[
            OsStr::new("serve"),
            OsStr::new("--listen"),
            OsStr::new("127.0.0.1:0"),
            OsStr::new("--data-dir"),
            dir.path().as_os_str(),
        ],
        "synerise-auth listening on http://",
    );
    let api_key = serve.banner_value("dev API key (Authorization: Bearer ...):");
    let bearer = format!("Bearer {api_key}");
    let json = ("Content-Type", "application/json");
    // A token signed, then the same one reused: issued, cache hits, signing time, request time.
    for _ in 0..2 {
        let (status, reply) = serve.request(
            "POST",
            "/generate-jwt",
            &[("Authorization", &bearer), json],
            r#"{"email": "ann@example.com"}"#,
        );
        assert_eq!(status, 200, "{reply}");
    }
    // A refused sign-in (a password hashed): refusals by code, the hashing figures.
    let (status, reply) = serve.request(
        "POST",
        "/api/session",
        &[json, ("Origin", &format!("http://{}", serve.address))],
        r#"{"email": "demo@example.com", "password": "not the password"}"#,
    );
    assert_eq!(status, 401, "{reply}");
    assert_eq!(reply["code"], "invalid_credentials");

    let (status, metrics) = get(&serve.address, "/metrics");
    assert_eq!(status, 200, "{metrics}");
    let exposed = exposed(&metrics);
    let missing: Vec<_> = named.difference(&exposed).collect();
    assert!(
        missing.is_empty(),
        "named in deploy/ but not in /metrics: {missing:?}\n/metrics has {exposed:?}"
    );
    serve.stop();
}

#[test]
fn the_example_configuration_starts_a_production_service() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    common::keys_init(&keys, None);
    let example = deploy_dir().join("synerise-auth.example.toml");
    let api_key = "an-api-key-for-the-example-configuration";
    let mut command = common::binary();
    command
        .args(["serve", "--config"])
        .arg(&example)
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--key")
        .arg(&keys)
        .env("SYNERISE_AUTH_UUID_SALT", "the-example-salt")
        .env("SYNERISE_AUTH_API_KEYS", api_key)
        .stderr(std::process::Stdio::null());
    let serve = Running::start_command(command, "synerise-auth listening on http://");
    let (status, health) = serve.request("GET", "/healthz", &[], "");
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["mode"], "production");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    // The metrics are the API key's, as the example says.
    let (status, reply) = serve.request("GET", "/metrics", &[], "");
    assert_eq!(status, 401, "{reply}");
    assert_eq!(reply["code"], "missing_credentials");
    serve.stop();
}

#[test]
fn version_names_the_release_and_the_commit() {
    let out = common::cli().arg("--version").output().unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8(out.stdout).unwrap();
    let rest = shown
        .trim()
        .strip_prefix(concat!("synerise-auth ", env!("CARGO_PKG_VERSION"), " ("))
        .unwrap_or_else(|| panic!("{shown}"));
    let commit = rest.strip_suffix(')').unwrap_or_else(|| panic!("{shown}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{shown}"
    );
}

#[test]
fn healthcheck_answers_for_a_running_service_and_refuses_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Running::start(
        &[
            OsStr::new("serve"),
            OsStr::new("--listen"),
            OsStr::new("127.0.0.1:0"),
            OsStr::new("--data-dir"),
            dir.path().as_os_str(),
        ],
        "synerise-auth listening on http://",
    );
    let port = serve.address.rsplit(':').next().unwrap().to_owned();
    // Bound to every address, as in the image: asked on loopback.
    let out = common::cli()
        .args(["healthcheck", "--address", &format!("0.0.0.0:{port}")])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.starts_with(concat!("ok: version ", env!("CARGO_PKG_VERSION"))),
        "{said}"
    );
    assert!(said.contains("dev mode"), "{said}");
    // The address comes from SYNERISE_AUTH_LISTEN, as serve's does.
    let out = common::cli()
        .arg("healthcheck")
        .env("SYNERISE_AUTH_LISTEN", &serve.address)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serve.stop();

    // Nobody listens there any more: exit 1 and why.
    let out = common::cli()
        .args([
            "healthcheck",
            "--timeout",
            "2",
            "--address",
            &format!("127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("not healthy: GET http://127.0.0.1:"),
        "{said}"
    );
}
