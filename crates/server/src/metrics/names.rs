//! The metrics' names, as Prometheus shows them, and their histograms' buckets.

use std::time::Duration;

pub(super) const TOKENS_ISSUED: &str = "synerise_auth_tokens_issued_total";
pub(super) const CACHE_HITS: &str = "synerise_auth_token_cache_hits_total";
pub(super) const REFUSALS: &str = "synerise_auth_refusals_total";
pub(super) const REQUEST_SECONDS: &str = "synerise_auth_http_request_duration_seconds";
pub(super) const SIGNING_SECONDS: &str = "synerise_auth_token_signing_duration_seconds";
pub(super) const HASHES_RUNNING: &str = "synerise_auth_password_hashes_running";
pub(super) const HASHES_QUEUED: &str = "synerise_auth_password_hashes_queued";
pub(super) const HASHES_PEAK: &str = "synerise_auth_password_hashes_running_peak";
pub(super) const HASHES_LIMIT: &str = "synerise_auth_password_hashes_limit";
pub(super) const HASHES_REFUSED: &str = "synerise_auth_password_hashes_refused_total";
pub(super) const SIGNING_KEY: &str = "synerise_auth_signing_key_info";
pub(super) const KEY_RELOADS: &str = "synerise_auth_key_reloads_total";
pub(super) const DRAINING: &str = "synerise_auth_draining";

/// The ways a caller proves who it is, registered up front so that they read 0 before the first
/// token (Prometheus's `rate()` needs the series to exist).
pub(super) const KNOWN_METHODS: [&str; 3] = ["api_key", "session", "id_token"];

pub(super) const REQUEST_BUCKETS: &[f64] = &[
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];
pub(super) const SIGNING_BUCKETS: &[f64] = &[
    0.000_1, 0.000_2, 0.000_3, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.05,
];

/// How often histogram samples are folded into buckets when nobody scrapes, so their memory
/// stays bounded.
pub(super) const UPKEEP_EVERY: Duration = Duration::from_secs(5);
