//! `GET /healthz`.

use axum::{Json, extract::State};
use serde_json::{Value, json};

use crate::{AppState, Mode};

/// 200 with the signing key's id (`kid`, the active key's RFC 7638 thumbprint, which changes when
/// a reload activates another key): the key is loaded before the port is bound, so a served
/// request means a key is ready.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses((status = 200, description = "The key is loaded and the service answers", body = crate::openapi::Health))
)]
pub(crate) async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "mode": match state.inner.mode { Mode::Dev => "dev", Mode::Production => "production" },
        "kid": &*state.inner.tokens.tokens().key_id(),
    }))
}
