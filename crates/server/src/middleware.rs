//! Middleware shared by every router: the request timeout, answered in the API's own JSON.

use std::time::Duration;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse as _, Response},
};

use crate::ApiError;

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
