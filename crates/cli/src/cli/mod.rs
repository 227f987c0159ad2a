//! The command-line contract. Other tools depend on it: change it only compatibly.

mod args;
mod parse;
#[cfg(test)]
mod tests;

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, Subcommand};
use synerise_auth_token::{PublicKeyFormat, TokenTtl};

pub(crate) use self::args::{CheckEndpointArgs, GateArgs, ServeArgs};
use self::parse::{parse_bits, parse_format};

/// Sign, verify and serve Synerise JS SDK tokens (RS256 JWT with `exp`, `uuid`, `email`).
#[derive(Debug, Parser)]
#[command(
    name = "synerise-auth",
    version = synerise_auth_server::LONG_VERSION,
    about,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Make an RSA key pair: DIR/private.pem (PKCS#8, mode 0600) and DIR/public.pem.
    Keygen {
        /// Directory to write the keys into.
        #[arg(long, default_value = "data")]
        out: PathBuf,
        /// Modulus size.
        #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
        bits: u32,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Print the public key of a private key.
    PublicKey {
        /// The private key file (PEM or DER), or a key directory (its active key).
        #[arg(long, env = "SYNERISE_AUTH_KEY", default_value = "data/private.pem")]
        key: PathBuf,
        /// Output form: `single-line` is what Synerise's certificate field takes.
        #[arg(long, default_value = "pem", value_parser = parse_format)]
        format: PublicKeyFormat,
    },
    /// Print a customer's UUID: UUIDv5(namespace URL, SALT + IDENTIFIER).
    Uuid {
        /// The site-wide salt.
        #[arg(long, env = "SYNERISE_AUTH_UUID_SALT", hide_env_values = true)]
        salt: String,
        /// The customer's identifier (their email, by default in Synerise). It may begin with `-`.
        #[arg(allow_hyphen_values = true)]
        identifier: String,
    },
    /// Print Synerise's identity hash of an email, as the service hands it to the tracker in the
    /// `_snrs_reset_uuid_and_identity_hash` cookie (Java's `String.hashCode` over the bytes of the
    /// email as the service normalises it: trimmed, domain lower-cased).
    IdentityHash {
        /// The customer's email. It may begin with `-`.
        #[arg(allow_hyphen_values = true)]
        email: String,
    },
    /// Sign a token and print it.
    Issue {
        /// The private key file (PEM or DER), or a key directory (its active key).
        #[arg(long, env = "SYNERISE_AUTH_KEY", default_value = "data/private.pem")]
        key: PathBuf,
        /// The customer's email.
        #[arg(long)]
        email: String,
        /// The customer's UUID; derived from `--salt` and the email when absent.
        #[arg(long, conflicts_with = "salt")]
        uuid: Option<String>,
        /// The site-wide UUID salt.
        #[arg(
            long,
            env = "SYNERISE_AUTH_UUID_SALT",
            hide_env_values = true,
            required_unless_present = "uuid"
        )]
        salt: Option<String>,
        /// Lifetime, e.g. 7d, 12h, 30m.
        #[arg(long, default_value = "7d")]
        ttl: TokenTtl,
    },
    /// Verify a token (RS256 only): exit 0 and print its header and claims as JSON, or exit 1
    /// and print why it is not valid.
    Verify {
        /// The public key (any PEM or base64 form) to verify with.
        #[arg(long, conflicts_with = "key")]
        public_key: Option<PathBuf>,
        /// Or the private key, whose public half is used, or a key directory (its published
        /// keys, selected by the token's `kid`).
        #[arg(long, env = "SYNERISE_AUTH_KEY")]
        key: Option<PathBuf>,
        /// Allowed clock skew in seconds.
        #[arg(long, default_value_t = 30)]
        leeway: u32,
        /// The token; `-` reads it from standard input.
        token: String,
    },
    /// Run the HTTP service.
    Serve(ServeArgs),
    /// Run the event gate alone: Synerise's checking side, offline. Decides on each event sent to
    /// POST /gate/v1/events and keeps every decision (GET /gate/v1/events).
    Gate(GateArgs),
    /// Check a private key before (or after) pasting its public half into Synerise: type, size,
    /// file permissions, that it matches the certificate, and that a token it signs verifies.
    /// Exits non-zero on any problem.
    Doctor {
        /// The private key file (PEM or DER), or a key directory (its active key is checked).
        #[arg(long, env = "SYNERISE_AUTH_KEY", default_value = "data/private.pem")]
        key: PathBuf,
        /// The certificate as pasted into Synerise: a file, the text itself (any form: PEM with
        /// or without header and line breaks, bare base64), or `-` for standard input.
        #[arg(long, allow_hyphen_values = true)]
        certificate: Option<String>,
    },
    /// Manage a key set in a key directory: the active key (signs), a next key (published, does
    /// not sign yet) and retired keys (published until their tokens have expired). `serve --key
    /// DIR` signs with its active key and reloads it on SIGHUP.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
        /// The key directory.
        #[arg(
            long,
            env = "SYNERISE_AUTH_KEY",
            default_value = "data/keys",
            global = true
        )]
        dir: PathBuf,
    },
    /// Ask a running `serve` on this machine whether it is healthy (`GET /healthz`): exit 0 and
    /// print its version, commit and signing key's id, or exit 1 and print why not. For a
    /// container's health check, where there is no curl.
    Healthcheck {
        /// The address `serve` listens on; an unspecified one (`0.0.0.0`, `[::]`) is asked on
        /// loopback.
        #[arg(long, env = "SYNERISE_AUTH_LISTEN", default_value = "127.0.0.1:8080")]
        address: SocketAddr,
        /// How long to wait for the answer, in seconds.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
    /// Check a token endpoint (the service's POST /generate-jwt, or a shop's own route) against
    /// the token-endpoint contract (contract/token-endpoint.schema.json): one line per check;
    /// exits 0 when all hold, 1 when one fails, 2 on a usage error.
    ///
    /// It sends three POST requests, as the browser core would: a signed-in one (with the
    /// headers given, e.g. the customer's cookie or an API key), an anonymous one (without them)
    /// and a cross-site one (the signed-in one, made by another site's page).
    CheckEndpoint(CheckEndpointArgs),
    /// Manage the built-in customer accounts (the same store `serve` uses).
    Accounts {
        #[command(subcommand)]
        action: AccountsAction,
        /// TOML configuration file (its `data_dir` is used).
        #[arg(long, env = "SYNERISE_AUTH_CONFIG", global = true)]
        config: Option<PathBuf>,
        /// Data directory [default: ./data].
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysAction {
    /// Make a key set in the directory: its active key is the key in FILE (the one Synerise has
    /// now), or a new key; prints the active key's one-line certificate.
    Init {
        /// The private key that signs today (PEM or DER); copied into the set.
        #[arg(long)]
        from: Option<PathBuf>,
        /// Modulus size of a new key.
        #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
        bits: u32,
    },
    /// List the keys: role (active, next, retired), kid, size, when made and retired.
    List,
    /// Make the next key (published, not signing) and print its one-line certificate, to paste
    /// into Synerise at the moment of `keys activate`.
    New {
        /// Modulus size.
        #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
        bits: u32,
    },
    /// Make the next key the active one; the active one retires. Reload the service (SIGHUP)
    /// right after.
    Activate,
    /// Drop a key from the set: the next key, or a retired one whose tokens have expired. The
    /// active key cannot be retired.
    Retire {
        /// The key's kid, as `keys list` shows it. (A kid is base64url, so it may begin with
        /// `-`: it is taken as the kid, not as an option.)
        #[arg(allow_hyphen_values = true)]
        kid: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountsAction {
    /// Create an account; the password is asked for (not echoed), or read from stdin.
    Add {
        /// The customer's email. It may begin with `-`.
        #[arg(allow_hyphen_values = true)]
        email: String,
        /// Read the password from standard input (first line) instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete an account and end its sessions.
    Remove {
        /// The customer's email. It may begin with `-`.
        #[arg(allow_hyphen_values = true)]
        email: String,
    },
    /// List accounts (email and creation time).
    List,
}
