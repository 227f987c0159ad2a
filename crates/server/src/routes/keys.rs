//! `GET /public-key` and `GET /.well-known/jwks.json`: the key Synerise (or anyone) verifies with.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};

use crate::AppState;

const CACHE: &str = "public, max-age=300";

/// The public key as SPKI PEM.
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
        state.inner.public_key_pem.clone(),
    )
        .into_response()
}

/// The public key as a JWK Set.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "keys",
    responses((status = 200, description = "A JWK Set with the one signing key", body = Object))
)]
pub(crate) async fn jwks(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, CACHE),
        ],
        state.inner.jwks.clone(),
    )
        .into_response()
}
