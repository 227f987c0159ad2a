//! `doctor`: is this key ready for Synerise? One line per check, and a non-zero exit on any
//! problem.

use std::{io::Read as _, path::Path, process::ExitCode};

use anyhow::Context as _;
use synerise_auth_gate::CertificateRegistry;
use synerise_auth_token::{
    Clock as _, CustomerUuid, Email, Issuer, KeyDir, KeySet, PublicKey, SigningKey, SystemClock,
    TokenTtl,
};

/// The customer the test token is minted for; it never leaves this process.
const TEST_EMAIL: &str = "doctor@example.com";
const TEST_UUID: &str = "0b3c3bd8-7a04-5a3b-9d7e-6f1f0c6e2a11";
/// The test token's lifetime.
const TEST_TTL_SECS: u64 = 300;

#[derive(Debug, Default)]
struct Report {
    problems: usize,
}

impl Report {
    fn ok(&self, text: &str) {
        println!("✓ {text}");
    }

    fn fail(&mut self, text: &str) {
        self.problems += 1;
        println!("✗ {text}");
    }

    fn skip(&self, text: &str) {
        println!("- {text}");
    }

    /// Worth knowing, not a problem: the exit status stays 0.
    fn warn(&self, text: &str) {
        println!("! {text}");
    }
}

/// The key `doctor` checks: a key file, or a key directory's active key (and its next key).
struct Target {
    key: Option<SigningKey>,
    /// The active key's file.
    file: std::path::PathBuf,
    next: Option<PublicKey>,
}

fn target(report: &mut Report, path: &Path) -> Target {
    let loaded = if path.is_dir() {
        KeyDir::open(path).and_then(|dir| {
            let file = dir.key_path(&dir.active().kid);
            dir.load().map(|set| (set, file))
        })
    } else {
        KeySet::load(path).map(|set| (set, path.to_owned()))
    };
    match loaded {
        Ok((set, file)) => {
            if path.is_dir() {
                report.ok(&format!(
                    "key set: {} key(s), active {}",
                    set.len(),
                    set.active().public_key().thumbprint()
                ));
            }
            let next = set.next().cloned();
            let (key, _) = set.into_parts();
            report.ok("key type: an RSA private key, unencrypted");
            report.ok(&format!(
                "key size: {} bits (at least 2048 are required)",
                key.bits()
            ));
            Target {
                key: Some(key),
                file,
                next,
            }
        }
        Err(e) => {
            report.fail(&format!("key: {:#}", anyhow::Error::from(e)));
            Target {
                key: None,
                file: path.to_owned(),
                next: None,
            }
        }
    }
}

pub(crate) fn doctor(key_path: &Path, certificate: Option<&str>) -> anyhow::Result<ExitCode> {
    println!("synerise-auth doctor: {}", key_path.display());
    let mut report = Report::default();

    let Target { key, file, next } = target(&mut report, key_path);
    check_permissions(&mut report, &file);

    let registered = match certificate {
        None => {
            report.skip(
                "certificate not checked: give --certificate with what was pasted into Synerise \
                 (a file, the text itself, or - for standard input)",
            );
            None
        }
        Some(given) => match read_certificate(given) {
            Ok(certificate) => {
                check_match(&mut report, key.as_ref(), next.as_ref(), &certificate);
                Some(certificate)
            }
            Err(e) => {
                report.fail(&format!("certificate: {e:#}"));
                None
            }
        },
    };

    match key {
        Some(key) => check_token(&mut report, key, registered.as_ref()),
        None => report.skip("token not minted: no usable key"),
    }
    if let Some(next) = &next {
        report.warn(&format!(
            "a next key is waiting (kid {}): paste its certificate (`synerise-auth keys list`, \
             `synerise-auth public-key`) into Synerise and run `synerise-auth keys activate` \
             back to back, then reload the service",
            next.thumbprint()
        ));
    }

    if report.problems == 0 {
        println!("all checks passed");
        Ok(ExitCode::SUCCESS)
    } else {
        let s = if report.problems == 1 { "" } else { "s" };
        println!("{} problem{s} found", report.problems);
        Ok(ExitCode::FAILURE)
    }
}

/// Only the owner may read the private key (mode 0600 or stricter).
fn check_permissions(report: &mut Report, path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        match std::fs::metadata(path) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 == 0 {
                    report.ok(&format!(
                        "key permissions: {mode:04o}, readable by its owner only"
                    ));
                } else {
                    report.fail(&format!(
                        "key permissions: {mode:04o}, readable by group or others; run `chmod 600 {}`",
                        path.display()
                    ));
                }
            }
            Err(_) => report.skip("key permissions not checked: the file cannot be read"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        report.skip("key permissions not checked on this system");
    }
}

/// A file path, `-` for standard input, or the certificate text itself, in any form.
fn read_certificate(given: &str) -> anyhow::Result<PublicKey> {
    if given == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the certificate from standard input")?;
        return Ok(PublicKey::parse_text(
            &text,
            "the certificate on standard input",
        )?);
    }
    let path = Path::new(given);
    if path.is_file() {
        return Ok(PublicKey::from_file(path)?);
    }
    Ok(PublicKey::parse_text(given, "the certificate text")?)
}

fn check_match(
    report: &mut Report,
    key: Option<&SigningKey>,
    next: Option<&PublicKey>,
    certificate: &PublicKey,
) {
    let Some(key) = key else {
        report.ok(&format!(
            "certificate: an RSA public key of {} bits (thumbprint {})",
            certificate.bits(),
            certificate.thumbprint()
        ));
        report.skip("certificate not compared: no usable key");
        return;
    };
    if key.public_key() == certificate {
        report.ok(&format!(
            "certificate matches the key (thumbprint {})",
            certificate.thumbprint()
        ));
    } else if next == Some(certificate) {
        report.fail(&format!(
            "certificate is the next key's ({}), not the active key's ({}): Synerise refuses \
             every token the service signs until you run `synerise-auth keys activate` and \
             reload the service",
            certificate.thumbprint(),
            key.public_key().thumbprint()
        ));
    } else {
        report.fail(&format!(
            "certificate does not match the key: the certificate's thumbprint is {}, the key's is \
             {}; paste `synerise-auth public-key --key FILE --format single-line` into Synerise, \
             or sign with the key the certificate was made from",
            certificate.thumbprint(),
            key.public_key().thumbprint()
        ));
    }
}

/// Mints a token with the key and verifies it as the gate would: against the certificate when
/// one was given, else against the key's own public half.
fn check_token(report: &mut Report, key: SigningKey, certificate: Option<&PublicKey>) {
    let (against, what) = match certificate {
        Some(certificate) => (certificate.clone(), "the certificate"),
        None => (key.public_key().clone(), "the key's public half"),
    };
    let issuer = Issuer::new(key, None);
    let result = (|| -> anyhow::Result<i64> {
        let email = Email::parse(TEST_EMAIL)?;
        let uuid = CustomerUuid::parse(TEST_UUID)?;
        let now = SystemClock.now();
        let issued = issuer.issue(&email, &uuid, TokenTtl::from_secs(TEST_TTL_SECS)?, now)?;
        let verified = CertificateRegistry::new(&against)
            .verify(issued.token(), now)
            .map_err(|refusal| anyhow::anyhow!("refused ({}): {refusal}", refusal.code()))?;
        anyhow::ensure!(
            verified.claims.uuid == uuid && verified.claims.email == TEST_EMAIL,
            "the verified claims differ from the ones signed"
        );
        Ok(verified.claims.exp - now.as_secs())
    })();
    match result {
        Ok(lifetime) => report.ok(&format!(
            "token: minted an RS256 token (exp in {lifetime} s) and verified it against {what}"
        )),
        Err(e) => report.fail(&format!(
            "token: a token minted with the key does not verify against {what}: {e:#}"
        )),
    }
}
