//! `synerise-auth check-endpoint` against the real `serve` on port 0: through the API-key door
//! and the session door every check holds; with the wrong key or salt the right check fails
//! (exit 1); a usage error exits 2.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;
#[allow(unused_imports)] // only `http` is used here
mod instance;

use std::{ffi::OsStr, path::Path, process::Output};

use common::{Running, cli, keygen};
use instance::http;

/// `serve` in dev mode on port 0: it makes its key, salt, API key and demo account in `dir`.
fn start_serve(dir: &Path) -> Running {
    let args = [
        OsStr::new("serve"),
        OsStr::new("--listen"),
        OsStr::new("127.0.0.1:0"),
        OsStr::new("--data-dir"),
        dir.as_os_str(),
    ];
    Running::start(&args, "synerise-auth listening on http://")
}

/// The public half of the key in `dir`, written to `dir/public-key.pem`.
fn public_key(dir: &Path) -> std::path::PathBuf {
    let out = cli()
        .args(["public-key", "--key"])
        .arg(dir.join("private.pem"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = dir.join("public-key.pem");
    std::fs::write(&path, out.stdout).unwrap();
    path
}

fn check(url: &str, args: &[&OsStr]) -> Output {
    cli()
        .arg("check-endpoint")
        .arg(url)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every printed check held, and there were `count` of them.
#[track_caller]
fn all_held(out: &Output, count: usize) {
    let text = stdout(out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), count + 1, "{text}");
    assert!(
        lines[..count].iter().all(|l| l.starts_with("ok    ")),
        "{text}"
    );
    assert!(
        lines[count].starts_with(&format!("{count} of {count} checks held")),
        "{text}"
    );
}

#[test]
fn serve_keeps_the_contract_through_the_api_key_and_session_doors() {
    let dir = tempfile::tempdir().unwrap();
    let serve = start_serve(dir.path());
    let url = format!("http://{}/generate-jwt", serve.address);
    let key = public_key(dir.path());
    let salt = dir.path().join("uuid-salt");
    let api_key = serve.banner_value("dev API key (Authorization: Bearer ...):");
    let bearer = format!("Authorization: Bearer {api_key}");

    // The back end's door: no cookie, so no cross-site request to refuse.
    let out = check(
        &url,
        &[
            OsStr::new("--public-key"),
            key.as_os_str(),
            OsStr::new("--header"),
            OsStr::new(&bearer),
            OsStr::new("--expect-email"),
            OsStr::new("ann@example.com"),
            OsStr::new("--salt-file"),
            salt.as_os_str(),
            OsStr::new("--no-cross-site"),
        ],
    );
    all_held(&out, 15);
    let text = stdout(&out);
    assert!(
        text.contains("ok    anonymous: the code is not_signed_in or missing_credentials"),
        "{text}"
    );

    // The customer's door: the session cookie, and a cross-site request refused.
    let signed_in = http(
        &serve,
        "POST",
        "/api/session",
        None,
        r#"{"email": "demo@example.com", "password": "synerise-demo"}"#,
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let cookie = format!("Cookie: {}", signed_in.session_cookie());
    let session_args = |key: &Path, salt: &Path| {
        vec![
            OsStr::new("--public-key").to_owned(),
            key.as_os_str().to_owned(),
            OsStr::new("--header").to_owned(),
            OsStr::new(&cookie).to_owned(),
            OsStr::new("--expect-email").to_owned(),
            OsStr::new("demo@example.com").to_owned(),
            OsStr::new("--salt-file").to_owned(),
            salt.as_os_str().to_owned(),
        ]
    };
    let args = session_args(&key, &salt);
    let out = check(
        &url,
        &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(),
    );
    all_held(&out, 19);
    let text = stdout(&out);
    assert!(text.contains("ok    cross-site: status 403"), "{text}");
    assert!(
        text.contains("ok    cross-site: the code is cross_site_request"),
        "{text}"
    );

    // The wrong certificate: the token does not verify, and the exit code says so.
    let other = tempfile::tempdir().unwrap();
    keygen(other.path());
    let other_key = public_key(other.path());
    let args = session_args(&other_key, &salt);
    let out = check(
        &url,
        &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "FAIL  signed-in: the token verifies (RS256, with the key given): bad_signature"
        ),
        "{}",
        stdout(&out)
    );

    // Another salt: the uuid is not the one the site's salt gives.
    let other_salt = other.path().join("uuid-salt");
    std::fs::write(&other_salt, "another salt\n").unwrap();
    let args = session_args(&key, &other_salt);
    let out = check(
        &url,
        &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("FAIL  signed-in: the token's uuid is UUIDv5 of the salt and the email"),
        "{}",
        stdout(&out)
    );

    // A route that is not a token endpoint.
    let out = check(
        &format!("http://{}/healthz", serve.address),
        &[OsStr::new("--public-key"), key.as_os_str()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("FAIL  signed-in: status 200: got 405 method_not_allowed"),
        "{}",
        stdout(&out)
    );

    serve.stop();
}

#[test]
fn usage_errors_exit_2_and_an_endpoint_not_answering_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-key.pem");
    let out = check(
        "http://127.0.0.1:9/generate-jwt",
        &[OsStr::new("--public-key"), missing.as_os_str()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--public-key"));

    let out = check(
        "http://127.0.0.1:9/generate-jwt",
        &[
            OsStr::new("--public-key"),
            missing.as_os_str(),
            OsStr::new("--header"),
            OsStr::new("no colon here"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = check(
        "ftp://127.0.0.1/generate-jwt",
        &[OsStr::new("--public-key"), missing.as_os_str()],
    );
    assert_eq!(out.status.code(), Some(2));

    // A real key, but nothing listening: each request is a failed check, not a crash.
    keygen(dir.path());
    let key = public_key(dir.path());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let out = check(
        &format!("http://{address}/generate-jwt"),
        &[OsStr::new("--public-key"), key.as_os_str()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("FAIL  signed-in: an answer"), "{text}");
    assert!(text.contains("FAIL  anonymous: an answer"), "{text}");
    assert!(text.contains("FAIL  cross-site: an answer"), "{text}");
}
