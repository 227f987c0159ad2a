//! `GET /public-key` and `GET /.well-known/jwks.json`: the key Synerise (or anyone) verifies with,
//! and the key set (the active key, the next one, and retired ones whose tokens may still live).

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};

use crate::AppState;

const CACHE: &str = "public, max-age=300";

/// The active public key as SPKI PEM.
#[utoipa::path(
    get,
    path = "/public-key",
    tag = "keys",
    responses((status = 200, description = "SPKI PEM", content_type = "application/x-pem-file", body = String))
)]
pub(crate) async fn public_key(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/x-pem-file"),
            (header::CACHE_CONTROL, CACHE),
        ],
        state.app.public_key_pem(),
    )
        .into_response()
}

/// The key set as a JWK Set: the active key first, then the next key, then the retired keys whose
/// tokens may still be valid. Each `kid` is the key's RFC 7638 thumbprint.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "keys",
    responses((status = 200, description = "A JWK Set: the signing key first, then the next and the retired keys still published", body = Object))
)]
pub(crate) async fn jwks(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, CACHE),
        ],
        state.app.jwks(),
    )
        .into_response()
}
