//! The arguments of `serve`, `check-endpoint` and `gate`.

use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use synerise_auth_server::Secret;
use synerise_auth_token::{Email, TokenTtl};

use super::parse::{parse_email, parse_header, parse_secret, parse_url};

/// `serve`'s flags. Each is also read from its setting's variable (`SYNERISE_AUTH_LISTEN`,
/// `SYNERISE_AUTH_TOKEN__TTL`); precedence: flag, environment, the TOML file, defaults.
#[derive(Debug, Args)]
#[command(
    after_help = "Every flag can also be set as an environment variable (SYNERISE_AUTH_LISTEN, \
SYNERISE_AUTH_KEY, SYNERISE_AUTH_DATA_DIR, SYNERISE_AUTH_UUID_SALT, SYNERISE_AUTH_TOKEN__TTL, SYNERISE_AUTH_PRODUCTION) \
or in the TOML file. API keys: SYNERISE_AUTH_API_KEYS (comma separated; an entry may be sha256:<hex>). Every other \
setting (see the settings table in docs/configure.md) is read from the file, in its [section], and from \
SYNERISE_AUTH_<SECTION>__<KEY>. Precedence: flags, then environment, then the file, then defaults."
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

/// `check-endpoint`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct CheckEndpointArgs {
    /// The token endpoint's URL, e.g. https://shop.example/api/synerise-token.
    #[arg(value_parser = parse_url)]
    pub(crate) url: reqwest::Url,
    /// The public key the endpoint's tokens must verify with (any PEM or base64 form): the
    /// certificate pasted into Synerise.
    #[arg(long)]
    pub(crate) public_key: PathBuf,
    /// A header of the signed-in request, `NAME: VALUE` (repeatable): the customer's session
    /// cookie (`Cookie: session=...`), an API key (`Authorization: Bearer ...`), a CSRF header.
    /// The anonymous request is sent without them.
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// The signed-in customer's email: sent in the body (`{"email": ...}`, as the browser core
    /// does) and expected in the token's `email` claim.
    #[arg(long, value_parser = parse_email)]
    pub(crate) expect_email: Option<Email>,
    /// A file holding the site's UUID salt: the token's `uuid` must then be UUIDv5 of the salt
    /// and the email.
    #[arg(long)]
    pub(crate) salt_file: Option<PathBuf>,
    /// Send no cross-site request: for an endpoint that takes no cookie (a back end's API key),
    /// which no other site's page can make a browser send.
    #[arg(long)]
    pub(crate) no_cross_site: bool,
    /// Seconds to wait for each reply.
    #[arg(long, default_value_t = 10)]
    pub(crate) timeout: u64,
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
