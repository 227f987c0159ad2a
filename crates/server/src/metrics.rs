//! Prometheus metrics, served at `GET /metrics` in the text exposition format.
//!
//! | metric | type | labels |
//! | --- | --- | --- |
//! | `synerise_auth_tokens_issued_total` | counter | `method`: `api_key`, `session`, `id_token` |
//! | `synerise_auth_token_cache_hits_total` | counter | `method` (tokens reused rather than signed) |
//! | `synerise_auth_refusals_total` | counter | `code`: the stable error code of the reply |
//! | `synerise_auth_http_request_duration_seconds` | histogram | `route` (template), `method`, `status` |
//! | `synerise_auth_token_signing_duration_seconds` | histogram | none |
//! | `synerise_auth_password_hashes_running` | gauge | none (argon2id hashes running now) |
//! | `synerise_auth_password_hashes_queued` | gauge | none (hashes waiting for a place) |
//! | `synerise_auth_password_hashes_running_peak` | gauge | none (the most that ever ran at once) |
//! | `synerise_auth_password_hashes_limit` | gauge | none (the bound on hashes running at once) |
//! | `synerise_auth_password_hashes_refused_total` | counter | none (refused: queue full, 503 `busy`) |
//! | `synerise_auth_signing_key_info` | gauge | `kid`: 1 for the key that signs, 0 for keys that signed earlier in this process |
//! | `synerise_auth_key_reloads_total` | counter | `outcome`: `ok`, `refused` (a reload that kept the previous keys) |
//! | `synerise_auth_draining` | gauge | none (1 once the instance is stopping and `/healthz` answers 503) |
//!
//! Labels are never taken from what a client sends: routes are the router's templates
//! (`fallback` for anything else), methods a fixed list, codes the API's own. So no email,
//! token, key or path a client typed can reach a label, and the number of series is bounded.
//!
//! Each app has its own recorder (nothing global), so tests can run apps side by side. On the hot
//! path a metric is an atomic add (counters) or a lock-free push (histograms) on a handle looked
//! up under a read lock; samples are folded into buckets at scrape time and every few seconds.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock, Weak},
    time::Duration,
};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder as _};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

use synerise_auth_app::IssuingMetrics;
use synerise_auth_store::PasswordHashing;

use self::names::{
    CACHE_HITS, DRAINING, HASHES_LIMIT, HASHES_PEAK, HASHES_QUEUED, HASHES_REFUSED, HASHES_RUNNING,
    KEY_RELOADS, KNOWN_METHODS, REFUSALS, REQUEST_BUCKETS, REQUEST_SECONDS, SIGNING_BUCKETS,
    SIGNING_KEY, SIGNING_SECONDS, TOKENS_ISSUED, UPKEEP_EVERY,
};
use crate::config::MetricsAccess;

mod names;
mod requests;

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The service's metrics and who may read them.
pub(crate) struct Metrics {
    access: MetricsAccess,
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    signing: Histogram,
    methods: Vec<MethodCounters>,
    requests: RwLock<RequestHistograms>,
    refusals: RwLock<HashMap<&'static str, Counter>>,
    /// The password-hashing bound, sampled at each scrape.
    hashing: std::sync::OnceLock<(PasswordHashing, HashingGauges)>,
    /// Reloads of the key set that applied and that were refused.
    reloads: [Counter; 2],
}

/// The password-hashing bound's figures, set from its stats at each scrape.
struct HashingGauges {
    running: Gauge,
    queued: Gauge,
    peak: Gauge,
    limit: Gauge,
    refused: Counter,
}

/// By route template, then a short list of (method, status, histogram).
type RequestHistograms = HashMap<Box<str>, Vec<(&'static str, u16, Histogram)>>;

struct MethodCounters {
    method: &'static str,
    issued: Counter,
    hits: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// A fresh registry; `access` says who may read `GET /metrics`.
    pub(crate) fn new(access: MetricsAccess) -> anyhow::Result<Self> {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), REQUEST_BUCKETS)?
            .set_buckets_for_metric(Matcher::Full(SIGNING_SECONDS.into()), SIGNING_BUCKETS)?
            .build_recorder();
        let describe = |name: &'static str, help: &'static str, histogram: bool| {
            let name = KeyName::from_const_str(name);
            if histogram {
                recorder.describe_histogram(name, Some(metrics::Unit::Seconds), help.into());
            } else {
                recorder.describe_counter(name, None, help.into());
            }
        };
        describe(
            TOKENS_ISSUED,
            "Tokens handed out, signed or reused, by how the caller authenticated.",
            false,
        );
        describe(
            CACHE_HITS,
            "Tokens reused from the token cache instead of signed, by how the caller authenticated.",
            false,
        );
        describe(
            REFUSALS,
            "Error replies, by their stable error code.",
            false,
        );
        describe(
            REQUEST_SECONDS,
            "Time to answer a request, by route template, method and status.",
            true,
        );
        describe(
            SIGNING_SECONDS,
            "Time to sign one token (on a signing thread).",
            true,
        );

        let methods = KNOWN_METHODS
            .iter()
            .map(|&method| MethodCounters {
                method,
                issued: register_counter(&recorder, TOKENS_ISSUED, "method", method),
                hits: register_counter(&recorder, CACHE_HITS, "method", method),
            })
            .collect();
        let signing =
            recorder.register_histogram(&Key::from_static_name(SIGNING_SECONDS), &METADATA);
        recorder.describe_gauge(
            KeyName::from_const_str(SIGNING_KEY),
            None,
            "1 for the kid of the key that signs (its RFC 7638 thumbprint); 0 for keys that signed earlier.".into(),
        );
        describe(
            KEY_RELOADS,
            "Reloads of the key set (SIGHUP), by outcome: ok, or refused (the previous keys kept signing).",
            false,
        );
        let reloads = [
            register_counter(&recorder, KEY_RELOADS, "outcome", "ok"),
            register_counter(&recorder, KEY_RELOADS, "outcome", "refused"),
        ];
        let handle = recorder.handle();
        Ok(Self {
            access,
            recorder,
            handle,
            signing,
            methods,
            requests: RwLock::new(HashMap::new()),
            refusals: RwLock::new(HashMap::new()),
            hashing: std::sync::OnceLock::new(),
            reloads,
        })
    }

    /// Says which key signs: `kid` reads 1, and `previous` (the key it replaced), 0.
    pub(crate) fn signing_key(&self, kid: &str, previous: Option<&str>) {
        let gauge = |kid: &str| {
            let key = Key::from_parts(SIGNING_KEY, vec![Label::new("kid", kid.to_owned())]);
            self.recorder.register_gauge(&key, &METADATA)
        };
        if let Some(previous) = previous.filter(|p| *p != kid) {
            gauge(previous).set(0.0);
        }
        gauge(kid).set(1.0);
    }

    /// The gauge that reads 1 once the instance drains (see [`crate::shutdown`]).
    pub(crate) fn draining_gauge(&self) -> Gauge {
        self.recorder.describe_gauge(
            KeyName::from_const_str(DRAINING),
            None,
            "1 once the instance is stopping (SIGTERM): /healthz answers 503 draining.".into(),
        );
        self.recorder
            .register_gauge(&Key::from_static_name(DRAINING), &METADATA)
    }

    /// Counts a reload of the key set.
    pub(crate) fn key_reload(&self, ok: bool) {
        self.reloads[usize::from(!ok)].increment(1);
    }

    /// Reports `hashing`'s figures at every scrape from now on (the first call wins).
    pub(crate) fn watch_hashing(&self, hashing: PasswordHashing) {
        let recorder = &self.recorder;
        let gauge = |name: &'static str, help: &'static str| {
            recorder.describe_gauge(KeyName::from_const_str(name), None, help.into());
            recorder.register_gauge(&Key::from_static_name(name), &METADATA)
        };
        let gauges = HashingGauges {
            running: gauge(HASHES_RUNNING, "Password hashes (argon2id) running now."),
            queued: gauge(HASHES_QUEUED, "Password hashes waiting for a place."),
            peak: gauge(
                HASHES_PEAK,
                "The most password hashes that ran at once since start.",
            ),
            limit: gauge(
                HASHES_LIMIT,
                "The bound on password hashes running at once.",
            ),
            refused: {
                recorder.describe_counter(
                    KeyName::from_const_str(HASHES_REFUSED),
                    None,
                    "Password hashes refused because the queue was full (503 busy).".into(),
                );
                recorder.register_counter(&Key::from_static_name(HASHES_REFUSED), &METADATA)
            },
        };
        let _first_wins = self.hashing.set((hashing, gauges));
    }

    /// Who may read `GET /metrics`.
    pub(crate) fn access(&self) -> MetricsAccess {
        self.access
    }

    /// The text exposition.
    pub(crate) fn render(&self) -> String {
        if let Some((hashing, gauges)) = self.hashing.get() {
            let stats = hashing.stats();
            #[expect(clippy::cast_precision_loss, reason = "small counts")]
            {
                gauges.running.set(stats.running as f64);
                gauges.queued.set(stats.queued as f64);
                gauges.peak.set(stats.running_peak as f64);
                gauges.limit.set(stats.running_limit as f64);
            }
            gauges.refused.absolute(stats.refused);
        }
        self.handle.render()
    }

    /// Folds histogram samples into buckets every few seconds, for as long as `metrics` lives.
    pub(crate) fn spawn_upkeep(metrics: &Arc<Self>) {
        let weak: Weak<Self> = Arc::downgrade(metrics);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(UPKEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(metrics) => metrics.handle.run_upkeep(),
                    None => return,
                }
            }
        });
    }
}

fn register_counter(
    recorder: &PrometheusRecorder,
    name: &'static str,
    label: &'static str,
    value: &'static str,
) -> Counter {
    let key = Key::from_parts(name, vec![Label::from_static_parts(label, value)]);
    recorder.register_counter(&key, &METADATA)
}

impl IssuingMetrics for Metrics {
    /// Counts a token handed to a caller who authenticated with `method`.
    fn token_issued(&self, method: &'static str, cache_hit: bool) {
        if let Some(known) = self.methods.iter().find(|m| m.method == method) {
            known.issued.increment(1);
            if cache_hit {
                known.hits.increment(1);
            }
        } else {
            // A method added without being listed above: still counted, registered on the fly.
            register_counter(&self.recorder, TOKENS_ISSUED, "method", method).increment(1);
            if cache_hit {
                register_counter(&self.recorder, CACHE_HITS, "method", method).increment(1);
            }
        }
    }

    /// Records how long one signature took.
    fn signed(&self, took: Duration) {
        self.signing.record(took.as_secs_f64());
    }
}

#[cfg(test)]
mod tests;
