//! `synerise-auth keys` (init, list, new, activate, retire) and their refusals, the commands that
//! take a key directory for `--key` (`public-key`, `issue`, `verify`, `doctor`), and `serve`
//! reloading its key set on SIGHUP, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::{
    fs::File,
    path::Path,
    process::{Output, Stdio},
    time::{Duration, Instant},
};

use common::{Running, binary, cli, keygen};
use serde_json::Value;

fn keys(dir: &Path, args: &[&str]) -> Output {
    cli()
        .arg("keys")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a refusal: exit 1 and `error: ` followed by a message containing `expected`.
fn assert_refused(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains(expected),
        "expected `{expected}` in: {stderr}"
    );
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The kids `keys list` shows, by role.
fn listed(dir: &Path) -> Vec<(String, String)> {
    ok(keys(dir, &["list"]))
        .lines()
        .skip(1)
        .map(|line| {
            let mut words = line.split_whitespace();
            (
                words.next().unwrap().to_owned(),
                words.next().unwrap().to_owned(),
            )
        })
        .collect()
}

fn kid_of(certificate: &str) -> String {
    synerise_auth_token::PublicKey::parse_text(certificate, "printed")
        .unwrap()
        .thumbprint()
        .to_owned()
}

fn issue(key: &Path) -> String {
    ok(cli()
        .args([
            "issue",
            "--email",
            "ann@example.com",
            "--salt",
            "s",
            "--ttl",
            "1h",
            "--key",
        ])
        .arg(key)
        .output()
        .unwrap())
    .trim()
    .to_owned()
}

fn verify(key: &Path, token: &str) -> Output {
    cli()
        .args(["verify", "--key"])
        .arg(key)
        .arg(token)
        .output()
        .unwrap()
}

fn header(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn a_key_walks_from_next_to_active_to_retired_and_each_misstep_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let today = keygen(&tmp.path().join("today"));
    let dir = tmp.path().join("keys");

    // init from the key that signs today: its certificate, which Synerise already has.
    let out = cli()
        .args(["keys", "init", "--from"])
        .arg(tmp.path().join("today/private.pem"))
        .arg("--dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(ok(out), today);
    let old = kid_of(&today);
    assert_eq!(listed(&dir), [("active".to_owned(), old.clone())]);
    assert_refused(
        &cli()
            .args(["keys", "init", "--dir"])
            .arg(&dir)
            .output()
            .unwrap(),
        "already holds a key set",
    );

    // Nothing to activate yet; the active key cannot be retired; unknown kids are named.
    assert_refused(&keys(&dir, &["activate"]), "no next key to activate");
    assert_refused(&keys(&dir, &["retire", &old]), "is the active key");
    assert_refused(
        &keys(&dir, &["retire", "no-such-kid"]),
        "no key with kid no-such-kid",
    );

    // new: the next key's certificate on one line, as Synerise's field takes it.
    let out = keys(&dir, &["new"]);
    let stderr = text(&out.stderr);
    let certificate = ok(out);
    assert!(
        certificate.starts_with("-----BEGIN PUBLIC KEY-----MII")
            && certificate.trim_end().ends_with("-----END PUBLIC KEY-----")
            && certificate.trim_end().lines().count() == 1,
        "{certificate}"
    );
    assert!(stderr.contains("keys activate"), "{stderr}");
    let new = kid_of(&certificate);
    assert_eq!(
        listed(&dir),
        [
            ("active".to_owned(), old.clone()),
            ("next".to_owned(), new.clone())
        ]
    );
    assert_refused(&keys(&dir, &["new"]), "a next key is already waiting");

    // With more than one key in the set, tokens name their key.
    let before = issue(&dir);
    assert_eq!(header(&before)["kid"], old.as_str());
    // public-key prints the active key, not the next one.
    let public = ok(cli()
        .args(["public-key", "--format", "single-line", "--key"])
        .arg(&dir)
        .output()
        .unwrap());
    assert_eq!(public, today);

    // doctor: the active key matches what Synerise has, and a next key is waiting.
    let out = cli()
        .args(["doctor", "--key"])
        .arg(&dir)
        .args(["--certificate", today.trim()])
        .output()
        .unwrap();
    let report = ok(out);
    assert!(report.contains("✓ certificate matches the key"), "{report}");
    assert!(
        report.contains(&format!("! a next key is waiting (kid {new})")),
        "{report}"
    );
    // The next key's certificate pasted before `keys activate`: a problem, said plainly.
    let out = cli()
        .args(["doctor", "--key"])
        .arg(&dir)
        .args(["--certificate", certificate.trim()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("is the next key's"),
        "{}",
        text(&out.stdout)
    );

    // activate: the next key signs; the old one retires and still verifies its tokens.
    let out = ok(keys(&dir, &["activate"]));
    assert!(
        out.contains(&format!("active: {new}")) && out.contains(&format!("retired: {old}")),
        "{out}"
    );
    assert_eq!(
        listed(&dir),
        [
            ("active".to_owned(), new.clone()),
            ("retired".to_owned(), old.clone())
        ]
    );
    let after = issue(&dir);
    assert_eq!(header(&after)["kid"], new.as_str());
    ok(verify(&dir, &after));
    ok(verify(&dir, &before));
    assert_refused(&keys(&dir, &["retire", &new]), "is the active key");

    // retire: the old key leaves the set; its tokens no longer verify against it.
    assert!(ok(keys(&dir, &["retire", &old])).contains("dropped the retired key"));
    assert!(!dir.join(format!("{old}.pem")).exists());
    assert_eq!(listed(&dir), [("active".to_owned(), new.clone())]);
    let out = verify(&dir, &before);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bad_signature"),
        "{}",
        text(&out.stderr)
    );

    // A next key made and dropped before it ever signed.
    let dropped = kid_of(&ok(keys(&dir, &["new"])));
    assert!(ok(keys(&dir, &["retire", &dropped])).contains("dropped the next key"));
    assert_eq!(listed(&dir), [("active".to_owned(), new)]);
}

#[test]
fn keys_commands_say_what_to_do_without_a_key_set() {
    let tmp = tempfile::tempdir().unwrap();
    assert_refused(
        &keys(&tmp.path().join("none"), &["list"]),
        "holds no key set",
    );
    keygen(tmp.path());
    assert_refused(
        &keys(&tmp.path().join("private.pem"), &["new"]),
        "is a key file, not a key directory",
    );
}

/// `serve --key DIR` in dev mode, its stderr (the log) in `log`.
fn serve(dir: &Path, data: &Path, log: &Path) -> Running {
    let mut command = binary();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--key"])
        .arg(dir)
        .arg("--data-dir")
        .arg(data)
        .args(["--token-ttl", "1h"])
        .stderr(Stdio::from(File::create(log).unwrap()));
    Running::start_command(command, "synerise-auth listening on http://")
}

fn hangup(serve: &Running) {
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(serve.pid()).unwrap()).unwrap(),
        rustix::process::Signal::HUP,
    )
    .unwrap();
}

fn wait_for_log(log: &Path, text: &str, count: usize) -> String {
    let started = Instant::now();
    loop {
        let logged = std::fs::read_to_string(log).unwrap();
        if logged.matches(text).count() >= count {
            return logged;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no `{text}` in the log:\n{logged}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_reloads_its_key_set_on_sighup_and_its_gate_follows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    let data = tmp.path().join("data");
    let log = tmp.path().join("serve.log");
    let old = kid_of(&ok(cli()
        .args(["keys", "init", "--dir"])
        .arg(&dir)
        .output()
        .unwrap()));
    let serve = serve(&dir, &data, &log);
    let bearer = format!(
        "Bearer {}",
        serve.banner_value("dev API key (Authorization: Bearer ...):")
    );
    let token = || {
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
        (
            reply["jwt"].as_str().unwrap().to_owned(),
            reply["uuid"].as_str().unwrap().to_owned(),
        )
    };
    let gate = |jwt: &str, uuid: &str| {
        serve.request(
            "POST",
            "/gate/v1/events",
            &[
                ("Authorization", &format!("Bearer {jwt}")),
                ("Content-Type", "application/json"),
            ],
            &format!(r#"{{"action": "form.submit", "client": {{"uuid": "{uuid}"}}}}"#),
        )
    };
    let kid = || {
        serve.request("GET", "/healthz", &[], "").1["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (before, uuid) = token();
    assert_eq!(gate(&before, &uuid).0, 202);
    assert_eq!(kid(), old);

    // A next key that does not load: refused in one line naming the file; the old set serves.
    let new = kid_of(&ok(keys(&dir, &["new"])));
    let next_file = dir.join(format!("{new}.pem"));
    let good = std::fs::read(&next_file).unwrap();
    std::fs::write(
        &next_file,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    hangup(&serve);
    let logged = wait_for_log(&log, "reload refused", 1);
    let refusal: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("reload refused"))
        .collect();
    assert_eq!(refusal.len(), 1, "{logged}");
    assert!(
        refusal[0].contains(&next_file.display().to_string()),
        "{logged}"
    );
    assert_eq!(kid(), old);
    assert_eq!(gate(&before, &uuid).0, 202);

    // The good key back, `keys activate`, SIGHUP: the new key signs and the gate follows it.
    std::fs::write(&next_file, good).unwrap();
    ok(keys(&dir, &["activate"]));
    hangup(&serve);
    wait_for_log(&log, "key set reloaded", 1);
    assert_eq!(kid(), new);
    let (status, refused) = gate(&before, &uuid);
    assert_eq!(
        (status, refused["reason"].as_str()),
        (401, Some("certificate_replaced")),
        "{refused}"
    );
    let (after, _) = token();
    assert_ne!(after, before);
    assert_eq!(header(&after)["kid"], new.as_str());
    assert_eq!(gate(&after, &uuid).0, 202);
    let (status, _) = serve.request("GET", "/healthz", &[], "");
    assert_eq!(status, 200);
    serve.stop();
}
