//! The command-line contract. Other tools depend on it: change it only compatibly.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};
use synerise_auth_server::Secret;
use synerise_auth_token::{PublicKeyFormat, TokenTtl};

/// Sign, verify and serve Synerise JS SDK tokens (RS256 JWT with `exp`, `uuid`, `email`).
#[derive(Debug, Parser)]
#[command(name = "synerise-auth", version, about, max_term_width = 100)]
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

/// `serve`'s flags. Each also reads `SYNERISE_AUTH_<FLAG>`; precedence: flag, environment,
/// the TOML file, defaults.
#[derive(Debug, Args)]
#[command(
    after_help = "Every flag can also be set as an environment variable SYNERISE_AUTH_<FLAG> \
(SYNERISE_AUTH_LISTEN, SYNERISE_AUTH_KEY, SYNERISE_AUTH_DATA_DIR, SYNERISE_AUTH_UUID_SALT, SYNERISE_AUTH_TOKEN_TTL, \
SYNERISE_AUTH_PRODUCTION) or in the TOML file. API keys: SYNERISE_AUTH_API_KEYS (comma separated; an entry may be \
sha256:<hex>). Every other setting (see the settings table in docs/configure.md) is read from the file, in its [section] or \
under its flat name, and from SYNERISE_AUTH_<FLAT_NAME> or SYNERISE_AUTH_<SECTION>__<KEY>. Precedence: flags, then \
environment, then the file, then defaults."
)]
pub(crate) struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "SYNERISE_AUTH_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub(crate) listen: Option<SocketAddr>,
    /// RSA private key file or key directory, reloaded on SIGHUP [dev mode default:
    /// DATA_DIR/private.pem, created if absent].
    #[arg(long)]
    pub(crate) key: Option<PathBuf>,
    /// Data directory [default: ./data].
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// The site-wide UUID salt [dev mode default: generated into DATA_DIR/uuid-salt].
    #[arg(long, value_parser = parse_secret)]
    pub(crate) uuid_salt: Option<Secret>,
    /// Token lifetime [default: 7d].
    #[arg(long)]
    pub(crate) token_ttl: Option<TokenTtl>,
    /// Production mode: nothing is generated; missing settings are start-up errors.
    #[arg(long)]
    pub(crate) production: bool,
}

/// `gate`'s flags. The TOML file's `data_dir`, `leeway_secs` and `[gate]` table are used (not its
/// `listen`, which is `serve`'s).
#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    /// The registered certificate: a file holding the public key in any form a person might paste
    /// into Synerise (PEM with or without header, footer or line breaks, bare base64, or DER).
    /// Start again with another file to replace it: tokens signed by the previous one are then
    /// refused as `certificate_replaced`.
    #[arg(long, env = "SYNERISE_AUTH_GATE_CERTIFICATE")]
    pub(crate) certificate: PathBuf,
    /// Address to listen on [default: 127.0.0.1:8081].
    #[arg(long, env = "SYNERISE_AUTH_GATE_LISTEN")]
    pub(crate) listen: Option<SocketAddr>,
    /// Data directory: the decision log and the certificate history [default: ./data].
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long, env = "SYNERISE_AUTH_CONFIG")]
    pub(crate) config: Option<PathBuf>,
}

fn parse_bits(text: &str) -> Result<u32, String> {
    match text {
        "2048" | "3072" | "4096" => text.parse().map_err(|_| String::new()),
        _ => Err("choose 2048, 3072 or 4096".to_owned()),
    }
}

/// Held as a [`Secret`] from the start, so that no `Debug` of the arguments prints it.
fn parse_secret(text: &str) -> Result<Secret, String> {
    Ok(Secret::new(text))
}

fn parse_format(text: &str) -> Result<PublicKeyFormat, String> {
    text.parse()
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::{Cli, Command, KeysAction};

    #[test]
    fn an_email_that_begins_with_a_dash_is_an_email() {
        let cli = Cli::try_parse_from([
            "synerise-auth",
            "uuid",
            "--salt",
            "a-salt",
            "-ann@example.com",
        ])
        .unwrap();
        let Command::Uuid { identifier, .. } = cli.command else {
            panic!("not uuid: {cli:?}");
        };
        assert_eq!(identifier, "-ann@example.com");
        let cli =
            Cli::try_parse_from(["synerise-auth", "identity-hash", "-ann@example.com"]).unwrap();
        let Command::IdentityHash { email } = cli.command else {
            panic!("not identity-hash: {cli:?}");
        };
        assert_eq!(email, "-ann@example.com");
    }

    #[test]
    fn a_kid_that_begins_with_a_dash_is_a_kid() {
        let kid = "-Zq3x8b0Jk2mQ9sT4vW7yA1cE5gH6iK0lN2oP3rS4uV";
        let cli =
            Cli::try_parse_from(["synerise-auth", "keys", "retire", kid, "--dir", "keys"]).unwrap();
        let Command::Keys { action, dir, .. } = cli.command else {
            panic!("not keys: {cli:?}");
        };
        assert_eq!(dir, std::path::PathBuf::from("keys"));
        let KeysAction::Retire { kid: parsed } = action else {
            panic!("not retire: {action:?}");
        };
        assert_eq!(parsed, kid);
    }

    #[test]
    fn the_arguments_never_print_the_uuid_salt() {
        let cli = Cli::try_parse_from([
            "synerise-auth",
            "serve",
            "--uuid-salt",
            "a-salt-never-printed",
        ])
        .unwrap();
        assert!(!format!("{cli:?}").contains("a-salt-never-printed"));
        let Command::Serve(args) = cli.command else {
            panic!("not serve: {cli:?}");
        };
        assert_eq!(
            args.uuid_salt.unwrap().expose_secret(),
            "a-salt-never-printed"
        );
    }
}
