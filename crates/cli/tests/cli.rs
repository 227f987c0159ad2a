//! The command-line contract, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::process::Command as StdCommand;

use common::{cli, keygen};
use predicates::prelude::*;

#[test]
fn keygen_writes_a_private_key_0600_and_prints_the_one_line_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let line = keygen(dir.path());
    let line = line.trim();
    assert!(
        line.starts_with("-----BEGIN PUBLIC KEY-----MII")
            && line.ends_with("-----END PUBLIC KEY-----")
    );
    assert!(!line.contains('\n'));
    let private = std::fs::read_to_string(dir.path().join("private.pem")).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("private.pem"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    // openssl reads both files and agrees they are one pair
    let from_private = StdCommand::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(dir.path().join("private.pem"))
        .output()
        .unwrap();
    assert!(from_private.status.success());
    assert_eq!(
        String::from_utf8(from_private.stdout).unwrap(),
        std::fs::read_to_string(dir.path().join("public.pem")).unwrap()
    );
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let first = keygen(dir.path());
    cli()
        .args(["keygen", "--out"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    let second = cli()
        .args(["keygen", "--force", "--bits", "3072", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(second.status.success());
    assert_ne!(String::from_utf8(second.stdout).unwrap(), first);
    cli()
        .args(["keygen", "--bits", "1024", "--out"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("2048"));
}

#[test]
fn public_key_prints_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let one_line = keygen(dir.path());
    let key = dir.path().join("private.pem");
    let run = |format: &str| {
        let out = cli()
            .args(["public-key", "--format", format, "--key"])
            .arg(&key)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        run("pem"),
        std::fs::read_to_string(dir.path().join("public.pem")).unwrap()
    );
    assert_eq!(run("single-line"), one_line);
    assert!(one_line.contains(run("base64").trim()));
    let jwk: serde_json::Value = serde_json::from_str(&run("jwk")).unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["kid"].as_str().unwrap().len(), 43);
    cli()
        .args(["public-key", "--format", "xml", "--key"])
        .arg(&key)
        .assert()
        .failure();
    cli()
        .args(["public-key", "--key"])
        .arg(dir.path().join("absent.pem"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("absent.pem"));
}

#[test]
fn uuid_matches_synerise_vector() {
    cli()
        .args(["uuid", "--salt", "someString", "customer@synerise.com"])
        .assert()
        .success()
        .stdout("345d4c8f-5aff-591d-a19c-1ca48923d9ee\n");
    cli()
        .env("SYNERISE_AUTH_UUID_SALT", "yourdomain.com")
        .args(["uuid", "customer@synerise.com"])
        .assert()
        .success()
        .stdout("7023e164-2318-542c-9992-0b70cf4c5625\n");
}

/// Synerise's identity hash, computed here by an independent implementation: Python's integers,
/// reduced to a signed 32-bit value the way the Magento integration's `overflow32` does.
fn python_identity_hash(email: &str) -> String {
    let program = "import sys\n\
                   h = 0\n\
                   for b in sys.argv[1].encode('utf-8'):\n    h = (31 * h + b) % 4294967296\n\
                   print(h - 4294967296 if h > 2147483647 else h)";
    let out = StdCommand::new("python3")
        .args(["-c", program, email])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn identity_hash_matches_an_independent_computation() {
    for email in [
        "customer@synerise.com",
        "ann@example.com",
        "zażółć.gęślą@example.pl",
        "a.very.long.address.that.wraps.around.many.times@subdomain.example.co.uk",
    ] {
        cli()
            .args(["identity-hash", email])
            .assert()
            .success()
            .stdout(python_identity_hash(email));
    }
    // The email as the service normalises it: trimmed, domain lower-cased, local part kept.
    cli()
        .args(["identity-hash", "  Ann@EXAMPLE.com "])
        .assert()
        .success()
        .stdout(python_identity_hash("Ann@example.com"));
    cli()
        .args(["identity-hash", "not an email"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("email"));
}

#[test]
fn issue_then_verify_and_openssl_agrees() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("private.pem");
    let out = cli()
        .args([
            "issue",
            "--email",
            "customer@synerise.com",
            "--salt",
            "someString",
            "--key",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let verified = cli()
        .args(["verify", "--public-key"])
        .arg(dir.path().join("public.pem"))
        .arg(&token)
        .output()
        .unwrap();
    assert!(verified.status.success());
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(
        json["header"],
        serde_json::json!({"alg": "RS256", "typ": "JWT"})
    );
    assert_eq!(
        json["claims"]["uuid"],
        "345d4c8f-5aff-591d-a19c-1ca48923d9ee"
    );
    assert_eq!(json["claims"]["email"], "customer@synerise.com");
    let exp = json["claims"]["exp"].as_i64().unwrap();
    let iat = json["claims"]["iat"].as_i64().unwrap();
    assert_eq!(exp - iat, 7 * 86_400);

    // an implementation that is not ours
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let (message, signature) = token.rsplit_once('.').unwrap();
    std::fs::write(dir.path().join("msg"), message).unwrap();
    std::fs::write(
        dir.path().join("sig"),
        URL_SAFE_NO_PAD.decode(signature).unwrap(),
    )
    .unwrap();
    let openssl = StdCommand::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(dir.path().join("public.pem"))
        .arg("-signature")
        .arg(dir.path().join("sig"))
        .arg(dir.path().join("msg"))
        .output()
        .unwrap();
    assert!(
        openssl.status.success(),
        "{}",
        String::from_utf8_lossy(&openssl.stdout)
    );

    // stdin, and the private key as the source of the public key
    cli()
        .args(["verify", "--key"])
        .arg(&key)
        .arg("-")
        .write_stdin(token.clone())
        .assert()
        .success();
}

#[test]
fn verify_exits_1_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let other = tempfile::tempdir().unwrap();
    keygen(other.path());
    let token = String::from_utf8(
        cli()
            .args([
                "issue",
                "--email",
                "a@example.com",
                "--uuid",
                "345d4c8f-5aff-591d-a19c-1ca48923d9ee",
                "--ttl",
                "1h",
                "--key",
            ])
            .arg(other.path().join("private.pem"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    cli()
        .args(["verify", "--public-key"])
        .arg(dir.path().join("public.pem"))
        .arg(token.trim())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("bad_signature"));
    cli()
        .args(["verify", "--public-key"])
        .arg(dir.path().join("public.pem"))
        .arg("not.a.jwt")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("malformed_token"));
}

#[test]
fn issue_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("private.pem");
    cli()
        .args(["issue", "--email", "nope", "--salt", "s", "--key"])
        .arg(&key)
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid email"));
    cli()
        .args(["issue", "--email", "a@example.com", "--uuid", "x", "--key"])
        .arg(&key)
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid uuid"));
    cli()
        .args(["issue", "--email", "a@example.com", "--key"])
        .arg(&key)
        .assert()
        .failure();
    cli()
        .args([
            "issue",
            "--email",
            "a@example.com",
            "--salt",
            "s",
            "--ttl",
            "90d",
            "--key",
        ])
        .arg(&key)
        .assert()
        .failure()
        .stderr(predicate::str::contains("30 days"));
}

#[test]
fn a_missing_key_file_is_named_once_with_the_os_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-key.pem");
    let out = cli()
        .args(["issue", "--email", "a@example.com", "--salt", "s", "--key"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("no-such-key.pem").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
    assert!(stderr.contains("cannot read key file"), "{stderr}");
}

#[test]
fn serve_in_production_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    cli()
        .env_remove("SYNERISE_AUTH_API_KEYS")
        .args(["serve", "--production", "--data-dir"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("SYNERISE_AUTH_KEY")
                .and(predicate::str::contains("SYNERISE_AUTH_UUID_SALT"))
                .and(predicate::str::contains("SYNERISE_AUTH_API_KEYS")),
        );
    cli()
        .args(["serve", "--production", "--key"])
        .arg(dir.path().join("absent.pem"))
        .args(["--uuid-salt", "s"])
        .env("SYNERISE_AUTH_API_KEYS", "k-0123456789abcdefghijkl")
        .assert()
        .failure()
        .stderr(predicate::str::contains("absent.pem"));
}

#[test]
fn serve_refuses_a_bad_setting_naming_the_variable_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let serve = || {
        let mut cmd = cli();
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path());
        cmd
    };
    for (name, value, says) in [
        (
            "SYNERISE_AUTH_TOKEN__TTL",
            "forever",
            "variable SYNERISE_AUTH_TOKEN__TTL: invalid token lifetime",
        ),
        (
            "SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP",
            "5",
            "SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP: names no setting",
        ),
        (
            "SYNERISE_AUTH_PASSWORD_HASHING__MAX_RUNNING",
            "0",
            "password_hashing.max_running must be at least 1",
        ),
    ] {
        serve()
            .env(name, value)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    }
    let config = dir.path().join("settings.toml");
    for (text, says) in [
        ("token_ttl = \"1h\"\n", "unknown field: found `token_ttl`"),
        ("[token]\nttl = \"forever\"\n", "token.ttl"),
        ("[limits]\nsign_in_per_ip = 5\n", "sign_in_per_ip"),
    ] {
        std::fs::write(&config, text).unwrap();
        serve()
            .arg("--config")
            .arg(&config)
            .assert()
            .failure()
            .stderr(
                predicate::str::contains(says)
                    .and(predicate::str::contains(config.display().to_string())),
            );
    }
}

#[test]
fn accounts_add_list_remove_on_the_data_dir_store() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = |args: &[&str]| {
        let mut cmd = cli();
        cmd.env_remove("SYNERISE_AUTH_DATA_DIR")
            .arg("accounts")
            .args(args)
            .arg("--data-dir")
            .arg(dir.path());
        cmd
    };
    accounts(&["add", "Ann@Example.com", "--password-stdin"])
        .write_stdin("a long enough password\n")
        .assert()
        .success();
    assert!(
        dir.path().join("synerise-auth.db").is_file(),
        "the same file serve opens"
    );
    accounts(&["add", "ann@example.com", "--password-stdin"])
        .write_stdin("another long password\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    accounts(&["add", "bob@example.com", "--password-stdin"])
        .write_stdin("short\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("12"));
    accounts(&["add", "not-an-email", "--password-stdin"])
        .write_stdin("a long enough password\n")
        .assert()
        .failure();
    let listed = accounts(&["list"]).output().unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.starts_with("Ann@example.com\t20"), "{listed}");
    assert_eq!(listed.lines().count(), 1);
    accounts(&["remove", "ann@example.com"]).assert().success();
    accounts(&["remove", "ann@example.com"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no account"));
    accounts(&["list"]).assert().success().stdout("");
}
