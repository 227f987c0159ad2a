//! `uuid`, `identity-hash`, `issue` and `verify`.

use std::{io::Read as _, path::Path, process::ExitCode};

use anyhow::Context as _;
use synerise_auth_token::{
    Clock as _, CustomerUuid, Email, IdentityHash, Issuer, KeySet, PublicKey, SystemClock,
    TokenTtl, UuidSalt, Verifier,
};

pub(crate) fn uuid(salt: String, identifier: &str) -> anyhow::Result<ExitCode> {
    println!(
        "{}",
        CustomerUuid::derive(&UuidSalt::new(salt)?, identifier)
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn identity_hash(email: &str) -> anyhow::Result<ExitCode> {
    println!("{}", IdentityHash::of(Email::parse(email)?.as_str()));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn issue(
    key: &Path,
    email: &str,
    uuid: Option<&str>,
    salt: Option<String>,
    ttl: TokenTtl,
) -> anyhow::Result<ExitCode> {
    let email = Email::parse(email)?;
    let uuid = match (uuid, salt) {
        (Some(uuid), _) => CustomerUuid::parse(uuid)?,
        (None, Some(salt)) => CustomerUuid::derive(&UuidSalt::new(salt)?, email.as_str()),
        (None, None) => {
            anyhow::bail!("give --uuid, or --salt (or SYNERISE_AUTH_UUID_SALT) to derive it")
        }
    };
    // A set of more than one key puts the signing key's kid in the header, as `serve` does.
    let set = KeySet::load(key)?;
    let kid = (set.len() > 1).then(|| set.active().public_key().thumbprint().to_owned());
    let (active, _) = set.into_parts();
    let issuer = Issuer::new(active, kid);
    let issued = issuer.issue(&email, &uuid, ttl, SystemClock.now())?;
    println!("{}", issued.token());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(
    public_key: Option<&Path>,
    key: Option<&Path>,
    leeway: u32,
    token: &str,
) -> anyhow::Result<ExitCode> {
    let now = SystemClock.now();
    // A key directory's published keys, selected by `kid`; retired keys count as published for
    // as long as the longest token lifetime.
    let verifier = match (public_key, key) {
        (Some(path), _) => Verifier::new(&PublicKey::from_file(path)?),
        (None, Some(path)) => KeySet::load(path)?.verifier(now, TokenTtl::MAX),
        (None, None) => KeySet::load(Path::new("data/private.pem"))
            .context("give --public-key FILE or --key FILE_OR_DIR")?
            .verifier(now, TokenTtl::MAX),
    };
    let token = if token == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the token from stdin")?;
        text.trim().to_owned()
    } else {
        token.trim().to_owned()
    };
    match verifier.with_leeway(leeway).verify(&token, now) {
        Ok(verified) => {
            let out = serde_json::json!({ "header": verified.header, "claims": verified.claims });
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("invalid token ({}): {error}", error.code());
            Ok(ExitCode::FAILURE)
        }
    }
}
