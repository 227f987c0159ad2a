//! The one middleware stack, applied by [`Stack::apply`] to every router the service serves: the
//! API with the gate mounted beside it, and the gate run alone. Its parts: the metrics, the
//! response log, the request timeout (answered in the API's own JSON), the security headers.

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse as _, Response},
};
use tower::ServiceBuilder;
use tower_http::{catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer};

use crate::{ApiError, error::UnexpectedCause, metrics::Metrics};

/// The most header fields a request may carry; more is a JSON 431 `headers_too_large`. (The HTTP
/// parser's own limit, past which it answers 431 with an empty body, is higher: see `serve.rs`.)
pub(crate) const MAX_HEADER_FIELDS: usize = 100;
/// The most bytes of header names and values a request may carry; more is a JSON 431.
pub(crate) const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The longest request URI; longer is a JSON 414 `uri_too_long`.
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;

/// `Strict-Transport-Security` in production: browsers use HTTPS only for a year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

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
    /// 1. the metrics, which time every reply and count refusals by code (so they see all the
    ///    others' answers, a caught panic's included);
    /// 2. a caught panic becomes a JSON 500;
    /// 3. the response log, which sees every response, those included;
    /// 4. the security headers: `X-Frame-Options`, `Referrer-Policy`, `X-Content-Type-Options`,
    ///    `Cache-Control: no-store` for every reply that does not set its own (tokens, sessions
    ///    and errors must not be cached), and HSTS in production;
    /// 5. the request timeout, a JSON 408 that drops the work it stops;
    /// 6. the default body limit, read by each body extractor (a route may set its own).
    ///
    /// CORS is not here: each router brings its own (the API's allowed origins, the gate's any
    /// origin), inside this stack, so that its answers carry these headers too.
    ///
    /// One `Router::layer` call with the whole stack: each call boxes every route once more, and
    /// every request clones its route's boxes; eight calls cost about sixty allocations a request
    /// more than one.
    pub(crate) fn apply(self, router: Router) -> Router {
        let hsts = self.hsts.then(|| {
            SetResponseHeaderLayer::overriding(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            )
        });
        router.layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(self.metrics, track))
                .layer(CatchPanicLayer::custom(|_| {
                    ApiError::Unexpected(anyhow::anyhow!("a handler panicked")).into_response()
                }))
                .layer(middleware::from_fn(log_responses))
                .layer(middleware::from_fn(head_limits))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                .option_layer(hsts)
                .layer(middleware::from_fn_with_state(
                    self.request_timeout,
                    request_timeout,
                ))
                .layer(DefaultBodyLimit::max(self.body_limit)),
        )
    }
}

/// Refuses, as JSON, a request whose URI or header fields are over the limits, before any route
/// reads them.
async fn head_limits(request: Request, next: Next) -> Response {
    let uri_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return ApiError::UriTooLong {
            max_bytes: MAX_URI_BYTES,
        }
        .into_response();
    }
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADER_FIELDS || header_bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge {
            max_fields: MAX_HEADER_FIELDS,
            max_bytes: MAX_HEADER_BYTES,
        }
        .into_response();
    }
    next.run(request).await
}

/// Times the request and counts a refusal, when there are metrics.
async fn track(
    State(metrics): State<Option<Arc<Metrics>>>,
    request: Request,
    next: Next,
) -> Response {
    match metrics {
        Some(metrics) => crate::metrics::track(State(metrics), request, next).await,
        None => next.run(request).await,
    }
}

/// Answers 408 `request_timeout` (JSON, like every refusal) when the inner service takes longer
/// than `limit` to start its answer, and drops the inner future, so that its work stops (a
/// password hash waiting for a place leaves the queue). A streamed body, once started, is not
/// limited.
pub(crate) async fn request_timeout(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout.into_response(),
    }
}

/// Logs refusals at info, our own failures at error with their cause chain, successes at debug.
/// Only method, route template and status: never the path as sent (a client can write an email
/// address into it), headers, query strings or bodies, which carry secrets.
pub(crate) async fn log_responses(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(UnexpectedCause(cause)) = response.extensions().get::<UnexpectedCause>() {
        tracing::error!(%method, %path, status, ms, error = format!("{cause:#}"), "request failed");
    } else if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request failed");
    } else if status >= 400 {
        tracing::info!(%method, %path, status, ms, "request refused");
    } else {
        tracing::debug!(%method, %path, status, ms, "request served");
    }
    response
}
