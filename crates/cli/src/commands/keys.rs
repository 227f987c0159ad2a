//! `keygen`, `public-key` and `keys` (a key set in a key directory).

use std::{path::Path, process::ExitCode};

use anyhow::Context as _;
use synerise_auth_token::{
    Clock as _, KeyDir, KeyRole, KeySet, PublicKeyFormat, SigningKey, SystemClock, UnixTime,
};

use crate::cli::KeysAction;

/// Where Synerise's certificate field is.
const CERTIFICATE_FIELD: &str = "Data Management > Events > JS SDK event settings > Certificate";

pub(crate) fn keygen(out: &Path, bits: u32, force: bool) -> anyhow::Result<ExitCode> {
    let private = out.join("private.pem");
    let public = out.join("public.pem");
    if !force {
        for path in [&private, &public] {
            anyhow::ensure!(
                !path.exists(),
                "{} already exists; pass --force to replace it (tokens signed with the old key stop verifying once Synerise has the new one)",
                path.display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let key = SigningKey::generate(bits)?;
    key.write_pkcs8_pem(&private, force)?;
    let public_pem = key.public_key().to_format(PublicKeyFormat::Pem);
    std::fs::write(&public, public_pem)
        .with_context(|| format!("cannot write {}", public.display()))?;
    eprintln!(
        "wrote {} (mode 0600) and {}",
        private.display(),
        public.display()
    );
    eprintln!(
        "paste this line into Synerise (Data Management > Events > JS SDK event settings > Certificate):"
    );
    println!(
        "{}",
        key.public_key().to_format(PublicKeyFormat::SingleLine)
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn public_key(key: &Path, format: PublicKeyFormat) -> anyhow::Result<ExitCode> {
    let set = KeySet::load(key)?;
    let text = set.active().public_key().to_format(format);
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn keys(action: KeysAction, dir: &Path) -> anyhow::Result<ExitCode> {
    let now = SystemClock.now();
    match action {
        KeysAction::Init { from, bits } => init(dir, from.as_deref(), bits, now),
        KeysAction::List => list(dir),
        KeysAction::New { bits } => new(dir, bits, now),
        KeysAction::Activate => activate(dir, now),
        KeysAction::Retire { kid } => retire(dir, &kid),
    }
}

/// Opens the key set in `dir`, saying what to do when `dir` is not one.
fn open(dir: &Path) -> anyhow::Result<KeyDir> {
    if dir.is_file() {
        anyhow::bail!(
            "{} is a key file, not a key directory: make a key set from it with `synerise-auth keys init --dir DIR --from {}`",
            dir.display(),
            dir.display()
        );
    }
    if !KeyDir::exists(dir) {
        anyhow::bail!(
            "{} holds no key set: make one with `synerise-auth keys init --dir {} --from FILE` (FILE: the key that signs today)",
            dir.display(),
            dir.display()
        );
    }
    Ok(KeyDir::open(dir)?)
}

fn init(dir: &Path, from: Option<&Path>, bits: u32, now: UnixTime) -> anyhow::Result<ExitCode> {
    let key = match from {
        Some(path) => SigningKey::from_file(path)?,
        None => SigningKey::generate(bits)?,
    };
    let keys = KeyDir::create(dir, &key, now)?;
    eprintln!(
        "made a key set in {}; active key {}",
        dir.display(),
        keys.active().kid
    );
    eprintln!("serve with it: synerise-auth serve --key {}", dir.display());
    if from.is_none() {
        eprintln!("paste this line into Synerise ({CERTIFICATE_FIELD}):");
    }
    println!(
        "{}",
        key.public_key().to_format(PublicKeyFormat::SingleLine)
    );
    Ok(ExitCode::SUCCESS)
}

fn list(dir: &Path) -> anyhow::Result<ExitCode> {
    let keys = open(dir)?;
    println!(
        "{:<8} {:<43} {:>5}  {:<20}  retired",
        "role", "kid", "bits", "created"
    );
    for entry in keys.entries() {
        let bits = keys
            .public_key(&entry.kid)
            .map_or_else(|_| "?".to_owned(), |k| k.bits().to_string());
        let retired = entry.retired_at.map_or_else(String::new, time_text);
        println!(
            "{:<8} {:<43} {bits:>5}  {:<20}  {retired}",
            entry.role.as_str(),
            entry.kid,
            time_text(entry.created_at),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn new(dir: &Path, bits: u32, now: UnixTime) -> anyhow::Result<ExitCode> {
    let mut keys = open(dir)?;
    let key = SigningKey::generate(bits)?;
    keys.add_next(&key, now)?;
    let kid = key.public_key().thumbprint();
    eprintln!(
        "made the next key {kid} in {} (published in the JWKS after a reload; it does not sign yet)",
        dir.display()
    );
    eprintln!(
        "when ready, paste this line into Synerise ({CERTIFICATE_FIELD}), and right after saving it \
         run `synerise-auth keys activate --dir {}` and reload the service (SIGHUP):",
        dir.display()
    );
    println!(
        "{}",
        key.public_key().to_format(PublicKeyFormat::SingleLine)
    );
    Ok(ExitCode::SUCCESS)
}

fn activate(dir: &Path, now: UnixTime) -> anyhow::Result<ExitCode> {
    let mut keys = open(dir)?;
    // Every key must load before the set changes: the service would refuse the set otherwise.
    keys.load()?;
    let (old, new) = keys.activate(now)?;
    println!("active: {new}");
    println!("retired: {old}");
    eprintln!(
        "reload the service now (`kill -HUP <pid>`, or `systemctl reload`): until then it signs with {old}"
    );
    Ok(ExitCode::SUCCESS)
}

fn retire(dir: &Path, kid: &str) -> anyhow::Result<ExitCode> {
    let mut keys = open(dir)?;
    match keys.retire(kid)? {
        KeyRole::Next => println!("dropped the next key {kid} (it never signed)"),
        _ => println!(
            "dropped the retired key {kid}: after a reload it is no longer published, and tokens it signed no longer verify here"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn time_text(secs: i64) -> String {
    UnixTime::from_secs(secs)
        .to_rfc3339()
        .unwrap_or_else(|_| secs.to_string())
}
