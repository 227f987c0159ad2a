//! What this binary was built from, as `synerise-auth --version` and `GET /healthz` say it
//! (`build.rs` reads the commit).

/// The release version (the workspace's `version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit the binary was built from (12 hex digits), or `unknown` when it was built from a
/// source tree without git and without `SYNERISE_AUTH_COMMIT`.
pub const COMMIT: &str = env!("SYNERISE_AUTH_COMMIT");

/// `VERSION (COMMIT)`, for `--version`.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SYNERISE_AUTH_COMMIT"),
    ")"
);
