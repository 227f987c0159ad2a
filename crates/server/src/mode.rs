//! The run mode: dev or production.

/// Dev mode fills in what is missing; production mode refuses to start without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Local development: generated key, salt and API key in the data dir, demo site, loopback.
    Dev,
    /// Production: every secret must be configured.
    Production,
}
