//! Logging. Nothing logged may carry a token, a key, an API key, a password or a raw email:
//! customers appear as [`Email::log_tag`](synerise_auth_token::Email::log_tag).

use std::io::IsTerminal as _;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the global subscriber: human-readable lines on stderr, or JSON lines when
/// `SYNERISE_AUTH_LOG_FORMAT=json`; level from `RUST_LOG` (default `info`). Colours only when
/// stderr is a terminal, so files and log collectors get plain text.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("SYNERISE_AUTH_LOG_FORMAT").is_ok_and(|v| v == "json");
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(fmt::layer().json().with_writer(std::io::stderr))
            .try_init()
    } else {
        registry
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init()
    };
    // A second call (tests) keeps the first subscriber.
    drop(result);
}
