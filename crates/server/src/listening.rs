//! A bound port ready to serve, and the signals that stop it.

use std::{io, net::SocketAddr};

use axum::Router;
use tokio::net::TcpListener;

use crate::serve::{ConnectionLimits, serve};

/// A bound listener with its limits, and SIGTERM and Ctrl-C listened for since it was bound (so
/// that a signal sent as soon as the ready line appears is a graceful stop): what both
/// applications, `serve` and the gate alone, run on.
#[derive(Debug)]
pub(crate) struct Listening {
    listener: TcpListener,
    limits: ConnectionLimits,
    signal: ShutdownSignal,
}

impl Listening {
    /// Binds `address`.
    ///
    /// # Errors
    /// A message naming the address (in use, not allowed).
    pub(crate) async fn bind(
        address: SocketAddr,
        limits: ConnectionLimits,
    ) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        Ok(Self {
            listener,
            limits,
            signal: ShutdownSignal::listen(),
        })
    }

    /// The bound address (its port is the real one when 0 was asked for).
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `router` until SIGTERM or Ctrl-C (or `signal`, when given), then ends the gate's
    /// live feeds and finishes the requests in flight.
    pub(crate) async fn run(
        self,
        router: Router,
        gate: Option<crate::gate::GateService>,
        signal: Option<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>>,
    ) -> io::Result<()> {
        let stop: std::pin::Pin<Box<dyn Future<Output = ()> + Send>> = match signal {
            Some(signal) => signal,
            None => Box::pin(self.signal.received()),
        };
        serve_until(self.listener, router, self.limits, gate, stop).await
    }
}

/// Serves `router` on `listener` until `signal` completes, then ends the gate's live feeds (when
/// there is a gate) and finishes the requests in flight.
async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    gate: Option<crate::gate::GateService>,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve(listener, router, limits, async move {
        signal.await;
        if let Some(gate) = gate {
            gate.close();
        }
    })
    .await
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

    /// Completes on the first of the signals.
    pub(crate) async fn received(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.terminate) => {},
                () = next(self.interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
