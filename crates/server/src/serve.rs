//! Serving a router on a listener, with connection hygiene: header and idle timeouts, header
//! limits, a connection cap below the file-descriptor limit, accept errors that back off, and
//! graceful shutdown with a drain period ([`crate::shutdown`]).
//!
//! Written here rather than with `axum::serve`, which sets none of hyper's timeouts (it installs
//! no timer, so `header_read_timeout` is silently off) and has no connection cap. The loop is
//! axum's own "serve with hyper" shape, plus a registry of open connections: when the cap is
//! reached, the oldest connection with no request in flight is closed to make room, the way
//! nginx closes idle keep-alive connections when it runs out of worker connections. So idle or
//! slow sockets can never lock a normal client out; they only lose their place.

use std::{
    collections::BTreeMap,
    convert::Infallible,
    io,
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request},
    http::{HeaderValue, Response, Version, header},
};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
};
use tokio::{net::TcpListener, sync::Notify};
use tower::ServiceExt as _;

use crate::shutdown::{Draining, Stopping};

/// File descriptors kept free below `RLIMIT_NOFILE` for everything but client connections: the
/// database files, the listener, the runtime's own, log output.
pub const RESERVED_FDS: u64 = 64;

/// The most bytes of a request head (request line and headers) hyper buffers: past that, its own
/// 431. The middleware's JSON limits (8 KiB of URI, 32 KiB of headers) come first.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long to wait after the first failed accept, doubling up to [`MAX_ACCEPT_BACKOFF`].
const MIN_ACCEPT_BACKOFF: Duration = Duration::from_millis(5);
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Limits on connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The most connections open at once.
    pub max_connections: usize,
    /// How long a client may take to send a request's head (line and headers), counted from
    /// when the server starts waiting for it.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in flight.
    pub idle_timeout: Duration,
}

impl ConnectionLimits {
    /// The default cap: the process's file-descriptor limit less [`RESERVED_FDS`], at least 16.
    #[must_use]
    pub fn default_max_connections() -> usize {
        let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(u64::MAX);
        let cap = soft.saturating_sub(RESERVED_FDS).max(16);
        usize::try_from(cap).unwrap_or(usize::MAX)
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: Self::default_max_connections(),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Serves `router` on `listener` within `limits` until asked to stop, then drains, closes the
/// listener and lets the requests in flight finish, as [`crate::shutdown`] describes.
///
/// # Errors
/// None today; the type leaves room for a listener that can fail for good.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stopping: Stopping,
) -> io::Result<()> {
    let Stopping {
        mut requests,
        plan,
        draining,
        on_close,
    } = stopping;
    let graceful = GracefulShutdown::new();
    let registry = Registry::default();
    {
        let accepting = accept(
            listener,
            router,
            limits,
            &registry,
            &graceful,
            draining.clone(),
        );
        tokio::pin!(accepting);
        tokio::select! {
            () = &mut accepting => {}
            () = requests.next() => {}
        }
        draining.start();
        if !plan.drain.is_zero() {
            tracing::info!(
                drain_secs = plan.drain.as_secs_f64(),
                "shutdown: draining; /healthz answers 503 `draining` while every route is still served"
            );
            tokio::select! {
                () = &mut accepting => {}
                () = tokio::time::sleep(plan.drain) => {}
                () = requests.next() => {
                    tracing::info!("shutdown: asked again; the drain period is cut short");
                }
            }
        }
        // Dropping the accept loop closes the listener.
    }
    on_close();
    tracing::info!(
        connections = registry.len(),
        requests_in_flight = registry.in_flight(),
        "shutdown: listener closed; closing idle connections and finishing requests in flight"
    );
    tokio::select! {
        () = graceful.shutdown() => {
            tracing::info!("shutdown: every request answered; stopped");
        }
        () = tokio::time::sleep(plan.in_flight) => {
            tracing::warn!(
                "shutdown: requests still in flight after {:?}; closing them",
                plan.in_flight
            );
        }
        () = requests.next() => {
            tracing::warn!("shutdown: asked again; closing the connections with requests in flight");
        }
    }
    Ok(())
}

/// Accepts connections on `listener` and serves each, forever (until dropped, which closes the
/// listener).
async fn accept(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    registry: &Registry,
    graceful: &GracefulShutdown,
    draining: Draining,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // No `max_headers`: hyper's default (100 header fields) parses into arrays on the stack,
        // where any explicit limit costs a heap allocation and a fill of that many slots for
        // every request. The middleware refuses more than 64 already, as JSON
        // (`head_limits::MAX_HEADER_FIELDS`); past 100 the parser answers 431 itself.
        .max_buf_size(MAX_HEAD_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(64)
        .keep_alive_interval(limits.idle_timeout)
        .max_header_list_size(u32::try_from(MAX_HEAD_BYTES).unwrap_or(u32::MAX));
    let builder = Arc::new(builder);
    let mut backoff = MIN_ACCEPT_BACKOFF;

    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => {
                backoff = MIN_ACCEPT_BACKOFF;
                accepted
            }
            // The client gave up before we took it: nothing to do.
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                // Out of descriptors (or memory): free one, wait, try again, never spin.
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis(), "cannot accept a connection; backing off");
                registry.evict_oldest_idle();
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_ACCEPT_BACKOFF);
                continue;
            }
        };
        if registry.len() >= limits.max_connections && !registry.evict_oldest_idle() {
            tracing::warn!(
                max_connections = limits.max_connections,
                "connection refused: every connection has a request in flight"
            );
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let connection = registry.open();
        let service = {
            let router = router.clone();
            let state = Arc::clone(&connection.state);
            let draining = draining.clone();
            hyper::service::service_fn(move |request| {
                handle(&router, peer, &state, &draining, request)
            })
        };
        let builder = Arc::clone(&builder);
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            let conn = watcher.watch(conn.into_owned());
            tokio::select! {
                _ = conn => {}
                () = connection.state.close.notified() => {}
                () = idle_for(&connection.state, limits.idle_timeout) => {}
            }
            // Dropping the connection closes the socket; the slot leaves the registry.
            drop(connection);
        });
    }
}

/// Accept errors that concern one connection only.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

/// The per-connection service: the router, with the peer address for `ConnectInfo`, counting
/// requests in flight until their response bodies end (a live stream keeps its connection busy).
/// While the instance drains, an HTTP/1 answer closes its connection after it.
fn handle(
    router: &Router,
    peer: SocketAddr,
    state: &Arc<ConnectionState>,
    draining: &Draining,
    mut request: Request<Incoming>,
) -> ResponseFuture {
    request.extensions_mut().insert(ConnectInfo(peer));
    let busy = Busy::start(Arc::clone(state));
    let router = router.clone();
    // HTTP/2 has no `Connection` header: its clients get GOAWAY when the listener closes.
    let close = draining.is_on() && request.version() <= Version::HTTP_11;
    Box::pin(async move {
        let mut response = router.oneshot(request.map(Body::new)).await?;
        if close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        Ok(response.map(|body| {
            Body::new(body.map_frame(move |frame| {
                let _still_busy = &busy;
                frame
            }))
        }))
    })
}

type ResponseFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send + 'static>>;

/// Completes once the connection has had no request in flight for `timeout`.
async fn idle_for(state: &ConnectionState, timeout: Duration) {
    loop {
        let seen = state.activity.load(Ordering::Acquire);
        tokio::time::sleep(timeout).await;
        if state.in_flight.load(Ordering::Acquire) == 0
            && state.activity.load(Ordering::Acquire) == seen
        {
            return;
        }
    }
}

/// What the accept loop knows of one open connection.
#[derive(Debug, Default)]
struct ConnectionState {
    /// Requests whose response has not ended.
    in_flight: AtomicUsize,
    /// Bumped at each request's start and end, so the idle timer can tell activity happened.
    activity: AtomicU64,
    /// Told when the loop needs this connection's place.
    close: Notify,
}

/// Marks a request in flight on its connection while it lives.
struct Busy(Arc<ConnectionState>);

impl Busy {
    fn start(state: Arc<ConnectionState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::AcqRel);
        state.activity.fetch_add(1, Ordering::AcqRel);
        Self(state)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.activity.fetch_add(1, Ordering::AcqRel);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The open connections, oldest first.
#[derive(Debug, Clone, Default)]
struct Registry {
    inner: Arc<RegistryInner>,
}

#[derive(Debug, Default)]
struct RegistryInner {
    next_id: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<ConnectionState>>>,
}

/// A connection's place in the registry, given up when dropped.
struct Slot {
    registry: Registry,
    id: u64,
    state: Arc<ConnectionState>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<ConnectionState>>> {
        self.inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Requests in flight, over every connection.
    fn in_flight(&self) -> usize {
        self.lock()
            .values()
            .map(|state| state.in_flight.load(Ordering::Acquire))
            .sum()
    }

    fn open(&self) -> Slot {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnectionState::default());
        self.lock().insert(id, Arc::clone(&state));
        Slot {
            registry: self.clone(),
            id,
            state,
        }
    }

    /// Tells the oldest connection with no request in flight to close, and forgets it at once
    /// (so the count has room now). `false` when every connection is busy.
    fn evict_oldest_idle(&self) -> bool {
        let mut open = self.lock();
        let idle = open
            .iter()
            .find(|(_, state)| state.in_flight.load(Ordering::Acquire) == 0)
            .map(|(id, _)| *id);
        let Some(id) = idle else {
            return false;
        };
        if let Some(state) = open.remove(&id) {
            state.close.notify_one();
        }
        true
    }
}
