//! `PerMinute`: the service's per-key limit of N requests a minute (the issuing crate's, GCRA with
//! bursts up to N), for a token route's per-customer limit.

use napi_derive::napi;
use synerise_auth_issuing::PerMinute as Limit;

/// Requests a minute per key; `0` is unlimited. Memory stays bounded by the keys of about the last
/// minute: the issuing crate's limit forgets the others as it checks.
#[napi]
#[derive(Debug)]
pub struct PerMinute {
    limit: Limit<String>,
}

#[napi]
impl PerMinute {
    /// At most `per_minute` requests a minute per key; `0` is unlimited.
    #[napi(constructor)]
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        Self {
            limit: Limit::new(per_minute),
        }
    }

    /// Counts one request for `key`: `0` when it is allowed, otherwise the whole seconds to wait
    /// before a retry may succeed (at least 1), for `Retry-After`.
    #[napi]
    pub fn check(&self, key: String) -> u32 {
        match self.limit.check(&key) {
            Ok(()) => 0,
            Err(limited) => u32::try_from(limited.retry_after_secs()).unwrap_or(u32::MAX),
        }
    }
}
