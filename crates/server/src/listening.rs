//! A bound port ready to serve, and the signals that stop it.

use std::{io, net::SocketAddr};

use axum::Router;
use tokio::net::TcpListener;

use crate::{
    serve::{ConnectionLimits, serve},
    shutdown::{Draining, ShutdownPlan, ShutdownSignal, StopRequests, Stopping},
};

/// A bound listener with its limits and how it stops, and SIGTERM and Ctrl-C listened for since
/// it was bound (so that a signal sent as soon as the ready line appears is a graceful stop): what
/// both applications, `serve` and the gate alone, run on.
#[derive(Debug)]
pub(crate) struct Listening {
    listener: TcpListener,
    limits: ConnectionLimits,
    signal: ShutdownSignal,
    plan: ShutdownPlan,
    draining: Draining,
}

impl Listening {
    /// Binds `address`; it stops without a drain period until [`with_shutdown`](Self::with_shutdown)
    /// says otherwise.
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
            plan: ShutdownPlan::new(
                std::time::Duration::ZERO,
                crate::config::connections::DEFAULT_REQUEST_TIMEOUT,
            ),
            draining: Draining::default(),
        })
    }

    /// Stops as `plan` says, telling `draining` when the drain starts.
    pub(crate) fn with_shutdown(self, plan: ShutdownPlan, draining: Draining) -> Self {
        Self {
            plan,
            draining,
            ..self
        }
    }

    /// The bound address (its port is the real one when 0 was asked for).
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `router` until SIGTERM or Ctrl-C (or `signal`, when given), drains, then ends the
    /// gate's live feeds as the listener closes and finishes the requests in flight.
    pub(crate) async fn run(
        self,
        router: Router,
        gate: Option<synerise_auth_app::GateService>,
        signal: Option<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>>,
    ) -> io::Result<()> {
        let stops = match signal {
            Some(signal) => StopRequests::Once(Some(signal)),
            None => StopRequests::Signals(self.signal),
        };
        let stopping = Stopping {
            requests: stops,
            plan: self.plan,
            draining: self.draining,
            on_close: Box::new(move || {
                if let Some(gate) = gate {
                    gate.close();
                }
            }),
        };
        serve(self.listener, router, self.limits, stopping).await
    }
}
