//! Stopping without dropping a request: what the accept loop ([`crate::serve`]) does on SIGTERM
//! or Ctrl-C, in three phases, each logged once.
//!
//! 1. **Drain** (`[shutdown] drain`, default 5 s in production): `/healthz` answers 503
//!    `draining` while every route is still served and new connections are still accepted, so
//!    that a proxy or an orchestrator that checks health (or learns of the stop late, as a
//!    Kubernetes endpoint is removed some time after SIGTERM) sends its traffic elsewhere first.
//!    HTTP/1 answers carry `Connection: close` meanwhile, so kept-alive clients reconnect (and
//!    land on another instance) after their current request rather than when the socket closes
//!    under them.
//! 2. **Close**: the listener closes (new connections are refused, which a proxy retries on
//!    another instance), idle kept-alive connections are closed, HTTP/2 clients get GOAWAY.
//! 3. **Finish**: requests in flight are answered, for at most the request timeout (past which
//!    they would be answered 408 anyway), then the process exits.
//!
//! A second signal cuts the wait in progress short (the drain, then the wait for requests in
//! flight), for an operator who wants the process gone now.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use metrics::Gauge;

/// How long each waiting phase may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShutdownPlan {
    /// How long to keep serving, `/healthz` answering 503, before closing the listener.
    pub(crate) drain: Duration,
    /// How long requests in flight may take to finish once the listener is closed.
    pub(crate) in_flight: Duration,
}

impl ShutdownPlan {
    /// A drain of `drain`; requests in flight get `request_timeout` and a second to write their
    /// answer.
    pub(crate) fn new(drain: Duration, request_timeout: Duration) -> Self {
        Self {
            drain,
            in_flight: request_timeout + Duration::from_secs(1),
        }
    }
}

/// Whether this instance is draining: set once by the accept loop, read by `/healthz`, by the
/// accept loop's answers (`Connection: close`) and, as a gauge, by `/metrics`. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draining {
    inner: Arc<DrainingInner>,
}

#[derive(Debug, Default)]
struct DrainingInner {
    on: AtomicBool,
    /// How long the drain lasts, for `Retry-After`.
    period: Duration,
    /// `synerise_auth_draining`, when the application has metrics.
    gauge: Option<Gauge>,
}

impl Draining {
    /// Not draining yet; the drain will last `period`; `gauge` reads 0 now and 1 once draining.
    pub(crate) fn new(period: Duration, gauge: Option<Gauge>) -> Self {
        if let Some(gauge) = &gauge {
            gauge.set(0.0);
        }
        Self {
            inner: Arc::new(DrainingInner {
                on: AtomicBool::new(false),
                period,
                gauge,
            }),
        }
    }

    /// From now on, the instance is draining.
    pub(crate) fn start(&self) {
        self.inner.on.store(true, Ordering::Release);
        if let Some(gauge) = &self.inner.gauge {
            gauge.set(1.0);
        }
    }

    /// Whether the instance is draining.
    pub(crate) fn is_on(&self) -> bool {
        self.inner.on.load(Ordering::Acquire)
    }

    /// How long the drain lasts.
    pub(crate) fn period(&self) -> Duration {
        self.inner.period
    }
}

/// How the accept loop stops (see [`crate::shutdown`]).
pub(crate) struct Stopping {
    /// The signals (or the future) that ask it to.
    pub(crate) requests: StopRequests,
    /// How long the drain and the wait for requests in flight may last.
    pub(crate) plan: ShutdownPlan,
    /// Set when the drain starts.
    pub(crate) draining: Draining,
    /// Run as the listener closes (the gate ends its live feeds).
    pub(crate) on_close: Box<dyn FnOnce() + Send>,
}

/// What asks the process to stop: SIGTERM and Ctrl-C, each one again, or a future given by an
/// embedding program or a test, which asks once.
pub(crate) enum StopRequests {
    /// The process's signals.
    Signals(ShutdownSignal),
    /// A future that asks once when it completes (`None` once it has).
    Once(Option<Pin<Box<dyn Future<Output = ()> + Send>>>),
}

impl std::fmt::Debug for StopRequests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Signals(signals) => f.debug_tuple("Signals").field(signals).finish(),
            Self::Once(_) => f.write_str("Once"),
        }
    }
}

impl StopRequests {
    /// Completes at the next request to stop; never, when no more can come. Cancel safe: a
    /// request is not lost when the wait is dropped.
    pub(crate) async fn next(&mut self) {
        match self {
            Self::Signals(signals) => signals.next().await,
            Self::Once(once) => match once {
                Some(future) => {
                    future.await;
                    *once = None;
                }
                None => std::future::pending().await,
            },
        }
    }
}

/// SIGTERM and Ctrl-C, listened for from the moment this is made: made when the application is
/// built, before it says it is ready, so that a signal sent as soon as the ready line appears is a
/// graceful stop and never the default action (death by the signal).
#[derive(Debug)]
pub(crate) struct ShutdownSignal {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignal {
    /// Starts listening (inside a Tokio runtime).
    pub(crate) fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                terminate: signal(SignalKind::terminate()).ok(),
                interrupt: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Completes at the next of the signals. Cancel safe.
    pub(crate) async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<&mut tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.terminate.as_mut()) => {},
                () = next(self.interrupt.as_mut()) => {},
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
