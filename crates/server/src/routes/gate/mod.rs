//! `/gate/v1/*`: the event gate over HTTP.
//!
//! - `POST /gate/v1/events`: one event (JSON, at most 32 KiB), with `Authorization: Bearer <jwt>`
//!   when the SDK holds a token. Answered with the decision's wire form and its status: 202
//!   `{"accepted": true}`, or 400/401/403 `{"accepted": false, "reason", "detail"}`. A body that
//!   is not sent as JSON is refused the same way with 415, and one over the limit with 413 (both
//!   `malformed_event`). Every decision, refusals included, is logged, and answered only once it
//!   is: when the log cannot be written (disk full, locked), the answer is 503
//!   `storage_unavailable` with `Retry-After`, never a verdict.
//! - `GET /gate/v1/events?limit=50&accepted=true|false&action=...&after=<id>`: the log, newest
//!   first. `after` returns only what arrived since that id (the live page polls with it).
//! - `GET /gate/v1/events/stream`: the same decisions as server-sent events, as they happen
//!   (`event: decision`, `id: <id>`, `data: <the list's JSON>`); replays what came after
//!   `Last-Event-ID` (or `?after=`) first.
//!
//! Pages on any origin may call these (CORS `*`, no credentials): a site's own pages post their
//! events here, as they would to Synerise. Nothing here is behind a cookie, and the log holds no
//! token and no email address.

mod events;
mod feed;
mod list;
#[cfg(test)]
mod tests;

use std::time::Duration;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{Method, header},
};
use synerise_auth_app::GateService;
use synerise_auth_gate::MAX_EVENT_BYTES;
use tower_http::cors::{Any, CorsLayer};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::ApiError;

/// How long browsers may cache a CORS preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The gate's routes with their own CORS (any origin) and body limit (32 KiB), and no fallback:
/// ready to be merged into another router, inside the service's one stack
/// ([`Stack`](crate::middleware::Stack)).
pub fn gate_router(service: GateService) -> Router {
    build(service, false)
}

/// [`gate_router`] with the live page at `/gate`, a JSON 404 for every other path and the stack
/// around it: the gate served alone.
pub(crate) fn standalone_router(service: GateService) -> Router {
    crate::middleware::Stack {
        metrics: None,
        hsts: false,
        request_timeout: crate::config::connections::DEFAULT_REQUEST_TIMEOUT,
        body_limit: MAX_EVENT_BYTES,
    }
    .apply(build(service, true))
}

/// CORS answers preflights and marks every answer (refusals included, so a page on another
/// origin can read why); the body limit applies to the body extractor.
fn build(service: GateService, standalone: bool) -> Router {
    let (routes, _) = api().split_for_parts();
    let routes = if standalone {
        routes.fallback(crate::routes::web::gate_alone)
    } else {
        routes
    };
    routes
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(service)
        .layer(
            tower::ServiceBuilder::new()
                .layer(cors())
                .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)),
        )
}

/// The routes, built from the handlers' OpenAPI annotations so that none exists undescribed.
fn api() -> OpenApiRouter<GateService> {
    OpenApiRouter::new()
        .routes(routes!(events::post_event, list::list_events))
        .routes(routes!(feed::stream_events))
}

/// The OpenAPI description of the gate's routes, to merge into a service's document where the
/// gate is mounted.
#[must_use]
pub fn gate_openapi() -> utoipa::openapi::OpenApi {
    api().split_for_parts().1
}

/// Any origin, no credentials (so `Access-Control-Allow-Origin: *`): the gate stands in for
/// Synerise, which pages on every site call. It reads no cookie, so another origin gains nothing
/// it could not get by calling it directly.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("last-event-id"),
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}
