//! The one middleware stack, applied by [`Stack::apply`] to every router the service serves: the
//! API with the gate mounted beside it, and the gate run alone. Its parts: the metrics, the
//! response log, the limits on a request's head, the request timeout (answered in the API's own
//! JSON), the security headers, a caught panic, the default body limit.

mod edge;
pub(crate) mod head_limits;
mod security_headers;

use std::{sync::Arc, time::Duration};

use axum::{Router, extract::DefaultBodyLimit, response::IntoResponse as _};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;

use crate::{ApiError, metrics::Metrics};
use edge::EdgeLayer;
use security_headers::SecurityHeaders;

/// What the stack needs to know.
#[derive(Debug)]
pub(crate) struct Stack {
    /// Where requests are timed and refusals counted (none for the gate run alone).
    pub(crate) metrics: Option<Arc<Metrics>>,
    /// Send `Strict-Transport-Security` (production).
    pub(crate) hsts: bool,
    /// How long a request may take to be answered.
    pub(crate) request_timeout: Duration,
    /// The largest request body a route accepts unless it sets its own.
    pub(crate) body_limit: usize,
}

impl Stack {
    /// `router` inside the stack. Outermost first:
    ///
    /// 1. the edge ([`edge`]), one layer that sees every reply, those of the layers inside it
    ///    and its own included: it refuses an oversized request head as JSON (414, 431), answers
    ///    408 `request_timeout` as JSON when the rest takes too long (dropping that work), adds
    ///    the security headers ([`SecurityHeaders`]: `X-Frame-Options`, `Referrer-Policy`,
    ///    `X-Content-Type-Options`, `Cache-Control: no-store` unless a reply sets its own, HSTS
    ///    in production), logs the reply and times it in the metrics;
    /// 2. a caught panic becomes a JSON 500;
    /// 3. the default body limit, read by each body extractor (a route may set its own).
    ///
    /// CORS is not here: each router brings its own (the API's allowed origins, the gate's any
    /// origin), inside this stack, so that its answers carry these headers too.
    ///
    /// Why one hand-written layer rather than `middleware::from_fn` and tower-http's header
    /// layers: every request clones its route's whole stack, and each `from_fn` layer boxes and
    /// clones everything inside it once more. Four of them and five header layers cost about
    /// twice the instructions of the rest of a cached token request. One `Router::layer` call, for
    /// the same reason: each call boxes every route once more.
    pub(crate) fn apply(self, router: Router) -> Router {
        router.layer(
            ServiceBuilder::new()
                .layer(EdgeLayer::new(
                    self.metrics,
                    self.request_timeout,
                    SecurityHeaders::new(self.hsts),
                ))
                .layer(CatchPanicLayer::custom(|_| {
                    ApiError::Unexpected(anyhow::anyhow!("a handler panicked")).into_response()
                }))
                .layer(DefaultBodyLimit::max(self.body_limit)),
        )
    }
}
