//! The outermost layer: what every request goes through on its way in and its reply on the way
//! out, in one future (see [`Stack::apply`](super::Stack::apply) for why one).

use std::{
    convert::Infallible,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::{MatchedPath, Request},
    http::Method,
    response::{IntoResponse as _, Response},
};
use tower::{Layer, Service};

use super::{head_limits, security_headers::SecurityHeaders};
use crate::{ApiError, error::UnexpectedCause, metrics::Metrics};

/// Makes [`Edge`] services.
#[derive(Debug, Clone)]
pub(super) struct EdgeLayer {
    metrics: Option<Arc<Metrics>>,
    request_timeout: Duration,
    headers: SecurityHeaders,
}

impl EdgeLayer {
    pub(super) const fn new(
        metrics: Option<Arc<Metrics>>,
        request_timeout: Duration,
        headers: SecurityHeaders,
    ) -> Self {
        Self {
            metrics,
            request_timeout,
            headers,
        }
    }
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            layer: self.clone(),
        }
    }
}

/// Refuses an oversized head, limits the time to an answer, adds the security headers, logs and
/// times the reply.
#[derive(Debug, Clone)]
pub(super) struct Edge<S> {
    inner: S,
    layer: EdgeLayer,
}

type EdgeFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send + 'static>>;

impl<S, B> Service<Request> for Edge<S>
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: axum::body::HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> EdgeFuture {
        let started = Instant::now();
        let method = request.method().clone();
        let route = request.extensions().get::<MatchedPath>().cloned();
        // The inner service is called now (it was polled ready), its future awaited below.
        let answer = head_limits::check(&request).map(|()| self.inner.call(request));
        let EdgeLayer {
            metrics,
            request_timeout,
            headers,
        } = self.layer.clone();
        Box::pin(async move {
            let mut response = match answer {
                Err(refusal) => refusal.into_response(),
                // Dropping the inner future on timeout stops its work (a password hash waiting
                // for a place leaves the queue). A streamed body, once started, is not limited.
                Ok(inner) => match tokio::time::timeout(request_timeout, inner).await {
                    Ok(Ok(response)) => response.map(Body::new),
                    Ok(Err(never)) => match never {},
                    Err(_) => ApiError::RequestTimeout.into_response(),
                },
            };
            headers.apply(response.headers_mut());
            let route = route.as_ref().map_or("fallback", MatchedPath::as_str);
            log_reply(&method, route, &response, started);
            if let Some(metrics) = metrics {
                metrics.request_answered(route, &method, &response, started.elapsed());
            }
            Ok(response)
        })
    }
}

/// Logs refusals at info, our own failures at error with their cause chain, successes at debug.
/// Only method, route template and status: never the path as sent (a client can write an email
/// address into it), headers, query strings or bodies, which carry secrets.
fn log_reply(method: &Method, path: &str, response: &Response, started: Instant) {
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
}
