//! `synerise-auth gate` (started, sent events, stopped, restarted with another certificate) and
//! `synerise-auth doctor`, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::{ffi::OsStr, path::Path};

use common::{Running, cli, keygen};
use predicates::prelude::*;
use serde_json::{Value, json};

const UUID: &str = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";

fn issue(key: &Path) -> String {
    let out = cli()
        .args([
            "issue",
            "--email",
            "ann@example.com",
            "--uuid",
            UUID,
            "--key",
        ])
        .arg(key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `synerise-auth gate` on port 0 with `certificate`, its data in `data_dir`.
fn start_gate(certificate: &Path, data_dir: &Path) -> Running {
    let args = [
        OsStr::new("gate"),
        OsStr::new("--listen"),
        OsStr::new("127.0.0.1:0"),
        OsStr::new("--certificate"),
        certificate.as_os_str(),
        OsStr::new("--data-dir"),
        data_dir.as_os_str(),
    ];
    Running::start(&args, "synerise-auth gate listening on http://")
}

fn post_event(gate: &Running, action: &str, token: Option<&str>) -> (u16, Value) {
    let event = json!({"action": action, "label": "from the CLI test", "client": {"uuid": UUID}});
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer));
    }
    gate.request("POST", "/gate/v1/events", &headers, &event.to_string())
}

fn assert_refusal(reply: &(u16, Value), status: u16, reason: &str) {
    assert_eq!(reply.0, status, "{}", reply.1);
    assert_eq!(reply.1["accepted"], false, "{}", reply.1);
    assert_eq!(reply.1["reason"], reason, "{}", reply.1);
    assert!(reply.1["detail"].as_str().is_some_and(|d| d.ends_with('.')));
}

#[test]
fn gate_decides_events_and_names_a_replaced_certificate_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new, data) = (
        dir.path().join("old"),
        dir.path().join("new"),
        dir.path().join("data"),
    );
    // The first certificate as pasted into Synerise: one line, header and footer included.
    let one_line = dir.path().join("certificate.txt");
    std::fs::write(&one_line, keygen(&old).trim()).unwrap();
    // The second as bare base64 with line breaks, without header or footer.
    keygen(&new);
    let pem = std::fs::read_to_string(new.join("public.pem")).unwrap();
    let bare: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(|l| format!("{l}\n"))
        .collect();
    let bare_file = dir.path().join("certificate-2.txt");
    std::fs::write(&bare_file, bare).unwrap();
    let old_token = issue(&old.join("private.pem"));
    let new_token = issue(&new.join("private.pem"));

    let gate = start_gate(&one_line, &data);
    assert!(
        gate.banner.contains("registered certificate"),
        "{}",
        gate.banner
    );
    assert!(!gate.banner.contains("replaces"), "{}", gate.banner);
    assert_eq!(
        gate.banner_value("live page: "),
        format!("http://{}/gate", gate.address),
        "{}",
        gate.banner
    );
    let visit = post_event(&gate, "page.visit", None);
    assert_eq!(visit, (202, json!({"accepted": true})));
    assert_refusal(
        &post_event(&gate, "form.submit", None),
        401,
        "token_required",
    );
    assert_eq!(
        post_event(&gate, "form.submit", Some(&old_token)),
        (202, json!({"accepted": true}))
    );
    assert_refusal(
        &post_event(&gate, "form.submit", Some(&new_token)),
        401,
        "bad_signature",
    );
    let (status, listed) = gate.request("GET", "/gate/v1/events?limit=50", &[], "");
    assert_eq!(status, 200);
    assert_eq!(listed["events"].as_array().unwrap().len(), 4);
    assert_eq!(listed["events"][0]["reason"], "bad_signature");
    let (status, bad) = gate.request("GET", "/gate/v1/events?accepted=maybe", &[], "");
    assert_eq!(
        (status, bad["code"].as_str()),
        (400, Some("invalid_accepted"))
    );
    gate.stop();
    assert!(data.join("synerise-auth.db").is_file());

    let gate = start_gate(&bare_file, &data);
    assert!(gate.banner.contains("replaces"), "{}", gate.banner);
    let refused = post_event(&gate, "form.submit", Some(&old_token));
    assert_refusal(&refused, 401, "certificate_replaced");
    assert_eq!(
        post_event(&gate, "form.submit", Some(&new_token)),
        (202, json!({"accepted": true}))
    );
    let (_, listed) = gate.request("GET", "/gate/v1/events?limit=50", &[], "");
    assert_eq!(listed["events"].as_array().unwrap().len(), 6);
    gate.stop();
}

#[test]
fn gate_refuses_what_is_not_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    cli()
        .args(["gate", "--listen", "127.0.0.1:0", "--certificate"])
        .arg(dir.path().join("private.pem"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("private key"));
    cli()
        .args(["gate", "--certificate"])
        .arg(dir.path().join("absent.pem"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("absent.pem"));
}

#[test]
fn doctor_passes_a_good_key_and_its_certificate_in_any_form() {
    let dir = tempfile::tempdir().unwrap();
    let one_line = keygen(dir.path()).trim().to_owned();
    let key = dir.path().join("private.pem");
    let passed = || {
        predicate::str::contains("all checks passed")
            .and(predicate::str::contains("✗").not())
            .and(predicate::str::contains("certificate matches the key"))
            .and(predicate::str::contains("key size: 2048 bits"))
            .and(predicate::str::contains("key permissions: 0600"))
            .and(predicate::str::contains(
                "verified it against the certificate",
            ))
    };

    // The text as pasted (it starts with dashes), a file, and standard input.
    cli()
        .args(["doctor", "--key"])
        .arg(&key)
        .args(["--certificate", &one_line])
        .assert()
        .success()
        .stdout(passed());
    cli()
        .args(["doctor", "--key"])
        .arg(&key)
        .arg("--certificate")
        .arg(dir.path().join("public.pem"))
        .assert()
        .success()
        .stdout(passed());
    let bare = one_line
        .trim_start_matches("-----BEGIN PUBLIC KEY-----")
        .trim_end_matches("-----END PUBLIC KEY-----")
        .to_owned();
    cli()
        .args(["doctor", "--certificate", "-", "--key"])
        .arg(&key)
        .write_stdin(bare)
        .assert()
        .success()
        .stdout(passed());
    // Without a certificate, the key alone is checked and the comparison is said to be skipped.
    cli()
        .args(["doctor", "--key"])
        .arg(&key)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("certificate not checked").and(predicate::str::contains(
                "verified it against the key's public half",
            )),
        );
}

#[test]
fn doctor_names_a_certificate_that_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let (mine, other) = (dir.path().join("mine"), dir.path().join("other"));
    keygen(&mine);
    let other_line = keygen(&other).trim().to_owned();
    cli()
        .args(["doctor", "--key"])
        .arg(mine.join("private.pem"))
        .args(["--certificate", &other_line])
        .assert()
        .failure()
        .stdout(
            predicate::str::contains("✗ certificate does not match the key")
                .and(predicate::str::contains("bad_signature"))
                .and(predicate::str::contains("2 problems found")),
        );
    cli()
        .args(["doctor", "--key"])
        .arg(mine.join("private.pem"))
        .args(["--certificate", "not a certificate"])
        .assert()
        .failure()
        .stdout(predicate::str::contains("✗ certificate:"));
}

#[cfg(unix)]
#[test]
fn doctor_reports_a_key_readable_by_others() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let one_line = keygen(dir.path()).trim().to_owned();
    let key = dir.path().join("private.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    cli()
        .args(["doctor", "--key"])
        .arg(&key)
        .args(["--certificate", &one_line])
        .assert()
        .failure()
        .stdout(
            predicate::str::contains("✗ key permissions: 0644, readable by group or others")
                .and(predicate::str::contains("chmod 600"))
                .and(predicate::str::contains("certificate matches the key"))
                .and(predicate::str::contains("1 problem found")),
        );
}

#[test]
fn doctor_names_an_unusable_key() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    cli()
        .args(["doctor", "--key"])
        .arg(dir.path().join("public.pem"))
        .assert()
        .failure()
        .stdout(
            predicate::str::contains("✗ key:")
                .and(predicate::str::contains("public key"))
                .and(predicate::str::contains("token not minted")),
        );
}
