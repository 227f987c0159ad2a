//! One function per command, each a thin call into the library crates.

mod accounts;
mod check_endpoint;
mod doctor;
mod gate;
mod healthcheck;
mod keys;
mod serve;
mod tokens;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Keygen { out, bits, force } => keys::keygen(&out, bits, force),
        Command::PublicKey { key, format } => keys::public_key(&key, format),
        Command::Uuid { salt, identifier } => tokens::uuid(salt, &identifier),
        Command::IdentityHash { email } => tokens::identity_hash(&email),
        Command::Issue {
            key,
            email,
            uuid,
            salt,
            ttl,
        } => tokens::issue(&key, &email, uuid.as_deref(), salt, ttl),
        Command::Verify {
            public_key,
            key,
            leeway,
            token,
        } => tokens::verify(public_key.as_deref(), key.as_deref(), leeway, &token),
        Command::Serve(args) => serve::serve(args),
        Command::Gate(args) => gate::gate(args),
        Command::Doctor { key, certificate } => doctor::doctor(&key, certificate.as_deref()),
        Command::Keys { action, dir } => keys::keys(action, &dir),
        Command::Healthcheck { address, timeout } => healthcheck::healthcheck(address, timeout),
        Command::CheckEndpoint(args) => check_endpoint::check_endpoint(args),
        Command::Accounts {
            action,
            config,
            data_dir,
        } => accounts::run(action, config.as_deref(), data_dir),
    }
}
