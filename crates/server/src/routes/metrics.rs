//! `GET /metrics`: Prometheus text exposition (see [`crate::metrics`] for what it holds).

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::{ApiError, AppState, config::MetricsAccess};

/// The metrics. Who may read them is the `metrics` setting: `public`, `api_key` (the same
/// `Authorization: Bearer <API key>` as the site's back end; Prometheus's `authorization` scrape
/// setting sends it), or `off` (404).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, description = "missing_credentials, invalid_credentials (with `[metrics] access = \"api_key\"`)", body = crate::openapi::ErrorBody),
        (status = 404, description = "not_found (with `[metrics] access = \"off\"`)", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let metrics = &state.http.metrics;
    match metrics.access() {
        MetricsAccess::Off => return ApiError::NotFound.into_response(),
        MetricsAccess::Public => {}
        MetricsAccess::ApiKey => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(crate::bearer::bearer_credential);
            match presented {
                None => {
                    return ApiError::unauthorized(
                        "missing_credentials",
                        "send one of the API keys as `Authorization: Bearer <key>` to read metrics",
                    )
                    .into_response();
                }
                Some(key) if !state.app.is_api_key(key) => {
                    return ApiError::unauthorized(
                        "invalid_credentials",
                        "the bearer credential is not valid",
                    )
                    .into_response();
                }
                Some(_) => {}
            }
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        metrics.render(),
    )
        .into_response()
}
