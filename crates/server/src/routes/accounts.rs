//! `POST /api/accounts`: self sign-up, when enabled.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use axum_extra::extract::CookieJar;
use serde_json::{Map, Value};
use synerise_auth_store::StoreError;

use crate::{
    ApiError, AppState, cross_site,
    routes::{
        extract::ApiJson,
        session::{credentials, start_session},
    },
};

/// `POST /api/accounts {"email", "password"}`: 201 `{"email", "expiresAt"}`, signed in.
#[utoipa::path(
    post,
    path = "/api/accounts",
    tag = "sessions",
    request_body = crate::openapi::Credentials,
    responses(
        (status = 201, description = "Account created and signed in", body = crate::openapi::SessionInfo),
        (status = 400, description = "invalid_email, missing_password, password_too_short, password_too_long", body = crate::openapi::ErrorBody),
        (status = 403, description = "signup_disabled, cross_site_request", body = crate::openapi::ErrorBody),
        (status = 409, description = "account_exists", body = crate::openapi::ErrorBody),
        (status = 429, description = "rate_limited", body = crate::openapi::ErrorBody),
        (status = 503, description = "busy: too many sign-ins at once; storage_unavailable: retry after `Retry-After` seconds. If the account was kept but its session could not be, the retry answers 409 account_exists: sign in", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    if !state.inner.signup {
        return Err(ApiError::forbidden(
            "signup_disabled",
            "self sign-up is turned off on this service",
        ));
    }
    cross_site::check(&headers, &state.inner.allowed_origins)?;
    state.inner.limits.sign_in_per_ip.check(&peer.ip())?;
    let (email, password) = credentials(body)?;
    let now = state.inner.tokens.clock().now();
    let id = state
        .inner
        .accounts
        .create(&email, &password, now)
        .await
        .map_err(|e| match e {
            StoreError::AccountExists => ApiError::Conflict {
                code: "account_exists",
                message: "an account with this email exists; sign in instead".into(),
            },
            StoreError::PasswordTooShort { .. } | StoreError::PasswordTooLong { .. } => {
                ApiError::bad_request(e.code(), e.to_string())
            }
            other => other.into(),
        })?;
    // Only now: `create` answers once the row is committed.
    tracing::info!(customer = %state.inner.log_tags.tag(&email), "account created");
    start_session(&state, jar, id, &email, StatusCode::CREATED).await
}
