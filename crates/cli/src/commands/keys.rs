//! `keygen` and `public-key`.

use std::{path::Path, process::ExitCode};

use anyhow::Context as _;
use synerise_auth_token::{PublicKeyFormat, SigningKey};

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
    let key = SigningKey::from_file(key)?;
    let text = key.public_key().to_format(format);
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
