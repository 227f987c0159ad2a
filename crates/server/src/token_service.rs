//! The token service behind every way in: derives the customer's UUID on the server, builds the
//! claims once, and has the token crate's [`Issuer`] sign them, or hands back the token it signed
//! for the same customer a few minutes ago. (The [`Issuer`] signs; this decides what it signs and
//! whether a signature is needed.)
//!
//! # Where the signature runs
//! An RSA-2048 signature is about 0.27 ms of CPU, nine tenths of a token's cost. It runs right on
//! the async worker that handles the request, holding one of `workers - 1` permits, on a runtime
//! with one worker more than CPUs (see [`crate::runtime`]): so at most one signature per CPU runs
//! at a time, requests waiting for a permit wait in the semaphore's queue without holding a
//! worker, and one worker is always free for I/O and for cheap requests (`/healthz`, `/metrics`,
//! cache hits), which therefore never queue behind a burst of signatures.
//!
//! Measured on 2 CPUs with 16 connections asking for tokens as fast as they can (server CPU time
//! per token, one `openssl speed` signature 0.26-0.28 ms; the load generator on the same CPUs,
//! several 10 s runs each, which vary by about 5%):
//!
//! | where the signature runs | CPU per token | `/healthz` p50 under that load |
//! | --- | --- | --- |
//! | `spawn_blocking` (tokio's blocking pool, a thread per signature in flight) | 0.30-0.31 ms | 2-3 ms |
//! | a dedicated pool of one signing thread per CPU | 0.31-0.34 ms | 0.5 ms |
//! | inline on the async workers, no limit | 0.29-0.31 ms | 3-5 ms, p99 up to 35 ms |
//! | inline, one permit per CPU, one worker more than CPUs (this) | 0.28-0.30 ms | 0.7-3 ms |
//!
//! A hop to another thread costs two wake-ups (there and back), and on a virtual machine a
//! wake-up is several microseconds; inline signing has none, and the spare worker keeps cheap
//! requests from waiting behind signatures. (Requests per second vary more with this layout,
//! 3,500-6,000 on that machine, against 5,300-6,000 with `spawn_blocking`: the load generator
//! and the server share 2 CPUs.)

use std::{sync::Arc, time::Instant};

use arc_swap::ArcSwap;
use synerise_auth_token::{Claims, Clock, CustomerUuid, Email, UuidSalt};
use tokio::sync::Semaphore;

use crate::{
    ApiError,
    metrics::Metrics,
    signing::{CachedToken, Signing},
    token_cache::TokenKey,
};

/// Hands out Synerise tokens for customers whose identity the caller has already established.
///
/// What signs (the key, the lifetime, the token cache of that key) is one [`Signing`] behind an
/// [`ArcSwap`]: a request reads it once, without a lock or an allocation, and a reload swaps in a
/// whole new one, so a request sees either the old state or the new, never half of each.
#[derive(Debug)]
pub(crate) struct TokenService {
    signing: ArcSwap<Signing>,
    salt: UuidSalt,
    clock: Arc<dyn Clock>,
    metrics: Option<Arc<Metrics>>,
    /// Signatures that may run at once: one worker fewer than the runtime has.
    permits: Semaphore,
}

/// A token handed to a caller.
#[derive(Debug)]
pub(crate) struct Issued {
    jwt: String,
    claims: Claims,
    cache_hit: bool,
}

impl Issued {
    /// Splits into the compact JWT and its claims.
    pub(crate) fn into_parts(self) -> (String, Claims) {
        (self.jwt, self.claims)
    }

    /// Whether this token was reused from the cache rather than signed for this request.
    pub(crate) fn cache_hit(&self) -> bool {
        self.cache_hit
    }
}

impl TokenService {
    /// A token service signing as `signing` says. Call it within the runtime that will serve: the
    /// number of signatures allowed at once is one less than that runtime's workers (at least one).
    pub(crate) fn new(signing: Signing, salt: UuidSalt, clock: Arc<dyn Clock>) -> Self {
        let workers = tokio::runtime::Handle::try_current()
            .map_or(1, |runtime| runtime.metrics().num_workers());
        Self {
            signing: ArcSwap::from_pointee(signing),
            salt,
            clock,
            metrics: None,
            permits: Semaphore::new(workers.saturating_sub(1).max(1)),
        }
    }

    /// Counts tokens and times signatures into `metrics`.
    #[must_use]
    pub(crate) fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// What signs now.
    pub(crate) fn signing(&self) -> Arc<Signing> {
        self.signing.load_full()
    }

    /// Makes `signing` what signs from the next request on; returns what signed until now.
    pub(crate) fn replace(&self, signing: Signing) -> Arc<Signing> {
        self.signing.swap(Arc::new(signing))
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The customer's UUID as this service derives it: UUIDv5 of the salt and the email.
    pub(crate) fn derive_uuid(&self, email: &Email) -> CustomerUuid {
        CustomerUuid::derive(&self.salt, email.as_str())
    }

    /// A token for `email` with `uuid`, or with the uuid this service derives for `email` when
    /// none is given: the one signed for exactly this customer, key and TTL less than the reuse
    /// window ago if the cache has it, otherwise a new signature. `method` is how the caller
    /// authenticated (`api_key`, `session`, `id_token`), for the metrics.
    ///
    /// Two simultaneous first requests for the same customer may both sign: both tokens are
    /// valid, the later one stays cached, and the case is rare enough (a customer's first
    /// requests after a sign-in) that making one wait on the other is not worth an in-flight map
    /// on every miss and a waiter that depends on another request's fate.
    pub(crate) async fn issue(
        &self,
        method: &'static str,
        email: Email,
        uuid: Option<CustomerUuid>,
    ) -> Result<Issued, ApiError> {
        let uuid = uuid.unwrap_or_else(|| self.derive_uuid(&email));
        let now = self.clock.now();
        // Read once: the key, the lifetime and the cache all come from the same state, so a
        // token of a key that no longer signs is never looked up, and a reload in the middle of
        // this request does not mix the two.
        let signing = self.signing.load();
        let ttl = signing.ttl();
        if let Some(cache) = &signing.cache {
            let key = cache.key(TokenKey {
                key_id: &signing.key_id,
                email: email.as_str(),
                uuid: &uuid,
                ttl,
            });
            if let Some(hit) = cache.get(&key, now) {
                self.count(method, true);
                return Ok(Issued {
                    jwt: String::from(&*hit.jwt),
                    claims: Claims::clone(&hit.claims),
                    cache_hit: true,
                });
            }
        }
        // Held across the wait for a permit: a counted reference rather than a borrowed slot.
        let signing = arc_swap::Guard::into_inner(signing);
        let claims = Claims::new(&email, uuid, ttl, now);
        let jwt = {
            // Never closed, so `acquire` cannot fail; the error is mapped all the same.
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|e| ApiError::Unexpected(e.into()))?;
            self.sign(&signing, &claims)?
        };
        if let Some(cache) = &signing.cache {
            let key = cache.key(TokenKey {
                key_id: &signing.key_id,
                email: email.as_str(),
                uuid: &uuid,
                ttl,
            });
            let cached = CachedToken {
                jwt: Arc::from(jwt.as_str()),
                claims: Arc::new(claims.clone()),
            };
            cache.insert(&key, now, cached);
        }
        self.count(method, false);
        Ok(Issued {
            jwt,
            claims,
            cache_hit: false,
        })
    }

    /// Signs, timing the signature.
    fn sign(&self, signing: &Signing, claims: &Claims) -> Result<String, ApiError> {
        let started = Instant::now();
        let jwt = signing
            .issuer
            .sign(claims)
            .map_err(|e| ApiError::Unexpected(e.into()))?;
        if let Some(metrics) = &self.metrics {
            metrics.signed(started.elapsed());
        }
        Ok(jwt)
    }

    fn count(&self, method: &'static str, cache_hit: bool) {
        if let Some(metrics) = &self.metrics {
            metrics.token_issued(method, cache_hit);
        }
    }
}
