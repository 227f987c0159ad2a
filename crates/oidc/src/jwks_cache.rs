//! The provider's keys, fetched on demand and cached.
//!
//! # Policy
//! - Nothing is fetched until the first token needs a key.
//! - A key is looked up by the token's `kid`. If it is not cached, or the cached set is older than
//!   `key_max_age`, the set is fetched again, but no sooner than `refetch_min_interval` after the
//!   previous attempt (successful or not), so tokens with made-up `kid`s cannot make the service
//!   hammer the provider. While the cache is still empty after a failed attempt the wait is
//!   shorter (at most [`COLD_RETRY_INTERVAL`]), since nothing can be verified until a fetch works.
//! - One fetch at a time: callers that need a fetch while one is running wait for it and then use
//!   its result (they find the new keys, or find the attempt too recent to repeat).
//! - A successful fetch replaces the whole set, so a key the provider withdraws stops verifying
//!   within about `key_max_age`. A failed fetch keeps the old set, so a provider that is briefly
//!   unreachable does not stop sign-ins: cached keys keep verifying, stale or not.
//!
//! Time comes from the `now` the caller passes in (the token's own clock), never from the system
//! clock, so the tests drive the intervals to the second. A clock that steps back allows a fetch.

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use reqwest::{Client, Url};
use synerise_auth_token::UnixTime;

use crate::{
    discovery,
    endpoint::check_endpoint,
    error::{OidcError, OidcSettingsError},
    fetch::{FetchLimits, get_json},
    key_set::{KeySet, SigningAlg, VerificationKey},
    settings::OidcSettings,
};

/// The longest wait between attempts while no key has ever been fetched.
pub(super) const COLD_RETRY_INTERVAL: Duration = Duration::from_secs(5);

/// Where the key set is published.
#[derive(Debug)]
enum Source {
    /// Configured: [`OidcSettings::jwks_url`].
    Fixed(Url),
    /// Read from the issuer's discovery document.
    Discovery {
        /// `<issuer>/.well-known/openid-configuration`.
        url: Url,
        /// The issuer the document must name.
        issuer: String,
    },
    /// The configured URL is unusable: every fetch fails with this reason. [`OidcSettings::new`]
    /// refuses such URLs, so this is only reachable through settings built field by field.
    Invalid(String),
}

/// The provider's keys, fetched on demand and cached (see the module documentation).
#[derive(Debug)]
pub(super) struct JwksCache {
    source: Source,
    http: Client,
    limits: FetchLimits,
    refetch_min_secs: i64,
    cold_retry_secs: i64,
    max_age_secs: i64,
    /// Held only to read or replace the state, never across an await.
    state: Mutex<State>,
    /// Held for the whole of a fetch: one at a time.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    keys: Arc<KeySet>,
    /// When the current keys were fetched; `None` until a fetch succeeds.
    fetched_at: Option<UnixTime>,
    /// When the last fetch, successful or not, completed.
    attempted_at: Option<UnixTime>,
    /// Why the last fetch failed; `None` if it succeeded.
    last_error: Option<Arc<str>>,
    /// `jwks_uri` from the discovery document, once read. Forgotten when a fetch fails, in case
    /// the provider moved it.
    discovered: Option<Url>,
}

impl JwksCache {
    /// An empty cache for the provider `settings` name; nothing is fetched yet.
    pub(super) fn new(settings: &OidcSettings, http: Client) -> Self {
        let source = match &settings.jwks_url {
            Some(url) => check_endpoint(url).map_or_else(
                |e| Source::Invalid(OidcSettingsError::JwksUrl(e).to_string()),
                Source::Fixed,
            ),
            None => match check_endpoint(&settings.discovery_url()) {
                Ok(url) => Source::Discovery {
                    url,
                    issuer: settings.issuer.clone(),
                },
                Err(e) => Source::Invalid(OidcSettingsError::Issuer(e).to_string()),
            },
        };
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        Self {
            source,
            http,
            limits: FetchLimits {
                timeout: settings.http_timeout,
                max_bytes: settings.max_response_bytes,
            },
            refetch_min_secs: secs(settings.refetch_min_interval),
            cold_retry_secs: secs(settings.refetch_min_interval.min(COLD_RETRY_INTERVAL)),
            max_age_secs: secs(settings.key_max_age),
            state: Mutex::new(State::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The key for a token whose header names `kid` and `alg`, fetching the key set if needed and
    /// allowed.
    ///
    /// # Errors
    /// [`OidcError::UnknownKey`] when no key fits (after a fetch, or when a fetch is not due yet
    /// and the last one worked); [`OidcError::ProviderUnavailable`] when no cached key fits and
    /// the last fetch failed.
    pub(super) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: SigningAlg,
        now: UnixTime,
    ) -> Result<Arc<VerificationKey>, OidcError> {
        if let Some(key) = self.fresh_key(kid, alg, now) {
            return Ok(key);
        }
        let _one_fetch_at_a_time = self.fetching.lock().await;
        // Whoever held the lock before may just have fetched what this caller needs.
        if let Some(key) = self.fresh_key(kid, alg, now) {
            return Ok(key);
        }
        if self.fetch_due(now) {
            self.refresh(now).await;
        }
        let state = self.state();
        match (state.keys.find(kid, alg), &state.last_error) {
            // Fresh, or stale because the provider could not be asked or did not answer.
            (Some(key), _) => Ok(key),
            (None, None) => Err(OidcError::UnknownKey),
            (None, Some(cause)) => Err(OidcError::ProviderUnavailable {
                cause: Arc::clone(cause),
            }),
        }
    }

    /// The cached key, if the set is younger than `key_max_age` and has one that fits.
    fn fresh_key(
        &self,
        kid: Option<&str>,
        alg: SigningAlg,
        now: UnixTime,
    ) -> Option<Arc<VerificationKey>> {
        let state = self.state();
        let fetched_at = state.fetched_at?;
        if elapsed(fetched_at, now).is_some_and(|age| age >= self.max_age_secs) {
            return None;
        }
        state.keys.find(kid, alg)
    }

    /// Whether enough time has passed since the last attempt to try again.
    fn fetch_due(&self, now: UnixTime) -> bool {
        let state = self.state();
        let Some(attempted_at) = state.attempted_at else {
            return true;
        };
        let wait = if state.fetched_at.is_some() {
            self.refetch_min_secs
        } else {
            self.cold_retry_secs
        };
        elapsed(attempted_at, now).is_none_or(|secs| secs >= wait)
    }

    /// Fetches the key set and records the outcome. Only called with `fetching` held.
    async fn refresh(&self, now: UnixTime) {
        let result = self.fetch().await;
        let mut state = self.state();
        state.attempted_at = Some(now);
        match result {
            Ok((keys, discovered)) => {
                tracing::info!(keys = keys.len(), "fetched the identity provider's keys");
                state.keys = Arc::new(keys);
                state.fetched_at = Some(now);
                state.last_error = None;
                state.discovered = discovered;
            }
            Err(cause) => {
                tracing::warn!(
                    error = %cause,
                    cached = state.fetched_at.is_some(),
                    "could not fetch the identity provider's keys; keeping the cached ones"
                );
                state.last_error = Some(cause.into());
                state.discovered = None;
            }
        }
    }

    /// One fetch of the key set, through the discovery document if needed.
    async fn fetch(&self) -> Result<(KeySet, Option<Url>), String> {
        let (jwks_url, discovered) = match &self.source {
            Source::Fixed(url) => (url.clone(), None),
            Source::Discovery { url, issuer } => {
                let known = self.state().discovered.clone();
                let jwks_url = match known {
                    Some(jwks_url) => jwks_url,
                    None => discovery::jwks_uri(&self.http, url, issuer, self.limits).await?,
                };
                (jwks_url.clone(), Some(jwks_url))
            }
            Source::Invalid(reason) => return Err(reason.clone()),
        };
        let document = get_json(&self.http, &jwks_url, self.limits).await?;
        let keys = KeySet::from_jwks(&document).map_err(|e| format!("GET {jwks_url}: {e}"))?;
        Ok((keys, discovered))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is replaced whole under the lock, so a panic elsewhere cannot leave it torn.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Seconds from `then` to `now`; `None` if the clock stepped back.
fn elapsed(then: UnixTime, now: UnixTime) -> Option<i64> {
    let secs = now.as_secs().saturating_sub(then.as_secs());
    (secs >= 0).then_some(secs)
}
