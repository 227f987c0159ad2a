//! `GET /healthz`.

use axum::{Json, extract::State};
use serde_json::{Value, json};

use crate::{ApiError, AppState, Mode};

/// 200 with the signing key's id (`kid`, the active key's RFC 7638 thumbprint, which changes when
/// a reload activates another key): the key is loaded before the port is bound, so a served
/// request means a key is ready. 503 `draining` once the instance is stopping, while its other
/// routes still answer (see `[shutdown] drain`): the signal for a proxy or an orchestrator to send
/// requests elsewhere. Also the version and commit the binary was built from.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses(
        (status = 200, description = "The key is loaded and the service answers", body = crate::openapi::Health),
        (status = 503, description = "draining: the instance is stopping (SIGTERM); every other route still answers until the drain period ends, then it stops accepting connections", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let draining = &state.http.draining;
    if draining.is_on() {
        return Err(ApiError::Unavailable {
            code: "draining",
            message: "this instance is stopping; send requests to another".into(),
            retry_after_secs: draining.period().as_secs(),
        });
    }
    Ok(Json(json!({
        "status": "ok",
        "mode": match state.http.mode { Mode::Dev => "dev", Mode::Production => "production" },
        "kid": &*state.app.key_id(),
        "version": crate::VERSION,
        "commit": crate::COMMIT,
    })))
}
