//! `[token_cache]`: handing a returning customer the token signed for them moments ago.

use std::time::Duration;

use synerise_auth_issuing::TokenCacheSettings;
use synerise_auth_token::TokenTtl;

use super::{
    SettingsError,
    declare::declare_layer,
    values::{HumanDuration, count},
};

declare_layer! {
    /// `[token_cache]`: token reuse (see the `synerise-auth-issuing` crate).
    pub struct TokenCacheLayer in "token_cache" {
        #[serde(deserialize_with = "super::values::on_off")]
        enabled: bool, default "`on`",
            "token reuse (see below): `on` or `off` (`true`/`false` also read)";
        max_age: HumanDuration, default "`10m` (at most half of `[token] ttl`)",
            "how long after signing a token is handed out again; between `1s` and half of `[token] ttl`, or start-up is refused";
        capacity: u32, default "`100000`",
            "tokens kept for reuse at most (about 1 KB of memory each, measured by `bench/run --scale`); the oldest go first";
    }
}

impl TokenCacheLayer {
    /// Defaults and checks the token cache: a token may only be reused during the first half of
    /// its lifetime, so that every token handed out still has at least half its TTL to live.
    pub(crate) fn resolve(&self, ttl: TokenTtl) -> Result<TokenCacheSettings, SettingsError> {
        let defaults = TokenCacheSettings::default();
        let enabled = self.enabled.unwrap_or(defaults.enabled);
        let half_ttl = Duration::from_secs(u64::from(ttl.as_secs() / 2));
        let max_age = match self.max_age {
            None => defaults.max_age.min(half_ttl),
            Some(HumanDuration(age)) => {
                let age = Duration::from_secs(age.as_secs());
                if enabled && (age.is_zero() || age > half_ttl) {
                    return Err(SettingsError::setting(
                        "token_cache.max_age",
                        format!(
                            "must be between 1s and half the token TTL ({}), so that a reused \
                             token still has at least half its lifetime; to stop reusing tokens \
                             set `[token_cache] enabled = false`",
                            humantime::format_duration(half_ttl)
                        ),
                    ));
                }
                age
            }
        };
        let capacity = match self.capacity {
            None => defaults.capacity,
            Some(0) if enabled => {
                return Err(SettingsError::setting(
                    "token_cache.capacity",
                    "must be at least 1; to stop reusing tokens set `[token_cache] enabled = false`",
                ));
            }
            Some(n) => count(n),
        };
        Ok(TokenCacheSettings {
            enabled,
            max_age,
            capacity,
        })
    }
}
