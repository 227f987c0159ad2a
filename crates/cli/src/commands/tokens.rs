//! `uuid`, `identity-hash`, `issue` and `verify`.

use std::{io::Read as _, path::Path, process::ExitCode};

use anyhow::Context as _;
use synerise_auth_token::{
    Clock as _, CustomerUuid, Email, IdentityHash, Issuer, PublicKey, SigningKey, SystemClock,
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
    let issuer = Issuer::new(SigningKey::from_file(key)?, None);
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
    let public = match (public_key, key) {
        (Some(path), _) => PublicKey::from_file(path)?,
        (None, Some(path)) => SigningKey::from_file(path)?.public_key().clone(),
        (None, None) => SigningKey::from_file(Path::new("data/private.pem"))
            .context("give --public-key FILE or --key FILE")?
            .public_key()
            .clone(),
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
    match Verifier::new(&public)
        .with_leeway(leeway)
        .verify(&token, SystemClock.now())
    {
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
