//! The token service behind every way in: the issuing crate's [`Tokens`] (the UUID, the token
//! cache, the key that signs) with, around it, how many signatures run at once and what is
//! counted ([`IssuingMetrics`]).
//! (`Tokens` decides what is signed and whether a signature is needed; this decides when it runs.)
//!
//! # Where the signature runs
//! An RSA-2048 signature is about 0.27 ms of CPU, nine tenths of a token's cost. It runs right on
//! the async worker that handles the request, holding one of `workers - 1` permits, on a runtime
//! with one worker more than CPUs (the server's `runtime`): so at most one signature per CPU runs
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

use std::{
    fmt,
    sync::Arc,
    time::{Duration, Instant},
};

use synerise_auth_issuing::{Issued, Tokens};
use synerise_auth_token::{Clock, CustomerUuid, Email};
use tokio::sync::Semaphore;

use crate::error::{AppError, Result};

/// What the token service counts, for whoever exports metrics (the HTTP service's Prometheus
/// registry).
pub trait IssuingMetrics: Send + Sync + fmt::Debug {
    /// A token was handed out to a caller authenticated by `method` (`api_key`, `session`,
    /// `id_token`): reused from the cache when `cache_hit`, newly signed otherwise.
    fn token_issued(&self, method: &'static str, cache_hit: bool);
    /// A signature took `took`.
    fn signed(&self, took: Duration);
}

/// Hands out Synerise tokens for customers whose identity the caller has already established.
#[derive(Debug)]
pub struct TokenService {
    tokens: Tokens,
    clock: Arc<dyn Clock>,
    metrics: Option<Arc<dyn IssuingMetrics>>,
    /// Signatures that may run at once: one worker fewer than the runtime has.
    permits: Semaphore,
}

impl TokenService {
    /// A token service over `tokens`. Call it within the runtime that will serve: the number of
    /// signatures allowed at once is one less than that runtime's workers (at least one).
    #[must_use]
    pub fn new(tokens: Tokens, clock: Arc<dyn Clock>) -> Self {
        let workers = tokio::runtime::Handle::try_current()
            .map_or(1, |runtime| runtime.metrics().num_workers());
        Self {
            tokens,
            clock,
            metrics: None,
            permits: Semaphore::new(workers.saturating_sub(1).max(1)),
        }
    }

    /// Counts tokens and times signatures into `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<dyn IssuingMetrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// What signs, its cache and its reload.
    #[must_use]
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// The clock every token's `exp` is counted from.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The customer's UUID as this service derives it: UUIDv5 of the salt and the email.
    #[must_use]
    pub fn derive_uuid(&self, email: &Email) -> CustomerUuid {
        self.tokens.derive_uuid(email)
    }

    /// A token for `email` with `uuid`, or with the uuid this service derives for `email` when
    /// none is given: the cached one if there is one, otherwise a new signature, taken with a
    /// permit. `method` is how the caller authenticated (`api_key`, `session`, `id_token`), for
    /// the metrics.
    ///
    /// # Errors
    /// [`AppError::Unexpected`] when the signature fails (never expected with a key that loaded).
    pub async fn issue(
        &self,
        method: &'static str,
        email: Email,
        uuid: Option<CustomerUuid>,
    ) -> Result<Issued> {
        let pending = match self.tokens.lookup(&email, uuid, self.clock.now()) {
            Ok(hit) => {
                self.count(method, true);
                return Ok(hit);
            }
            Err(pending) => pending,
        };
        let issued = {
            // Never closed, so `acquire` cannot fail; the error is mapped all the same.
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|e| AppError::Unexpected(e.into()))?;
            let started = Instant::now();
            let issued = self.tokens.sign(pending)?;
            if let Some(metrics) = &self.metrics {
                metrics.signed(started.elapsed());
            }
            issued
        };
        self.count(method, false);
        Ok(issued)
    }

    fn count(&self, method: &'static str, cache_hit: bool) {
        if let Some(metrics) = &self.metrics {
            metrics.token_issued(method, cache_hit);
        }
    }
}
