//! `POST /api/accounts`: self sign-up, when enabled.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use synerise_auth_token::Email;

use crate::{
    ApiError, AppState,
    cross_site::request_site,
    routes::client_ip::ClientIp,
    routes::{
        extract::{ApiJson, RequestBody},
        session::{Password, SessionInfo, credential_code, signed_in_reply},
    },
};

/// `POST /api/accounts`'s body. Other fields are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct NewAccount {
    /// The new account's email; one account per address, whatever the case of its domain.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254, example = "ann@example.com")]
    email: Email,
    /// The password: at least 12 characters and at most 1024 bytes of UTF-8 (256 characters
    /// always fit).
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 256)]
    password: Password,
}

impl RequestBody for NewAccount {
    fn field_code(field: &str, missing: bool) -> Option<&'static str> {
        credential_code(field, missing)
    }
    const SECRET_FIELDS: &'static [&'static str] = &["password"];
}

/// `POST /api/accounts {"email", "password"}`: 201 `{"email", "expiresAt"}`, signed in.
#[utoipa::path(
    post,
    path = "/api/accounts",
    tag = "sessions",
    request_body = NewAccount,
    responses(
        (status = 201, description = "Account created and signed in", body = SessionInfo),
        (status = 400, description = "missing_email, invalid_email, missing_password, password_too_short, password_too_long; malformed_json: the body is not JSON; invalid_body: it is not an object", body = crate::openapi::ErrorBody),
        (status = 403, description = "signup_disabled, cross_site_request", body = crate::openapi::ErrorBody),
        (status = 409, description = "account_exists", body = crate::openapi::ErrorBody),
        (status = 429, description = "rate_limited", body = crate::openapi::ErrorBody),
        (status = 413, description = "payload_too_large", body = crate::openapi::ErrorBody),
        (status = 415, description = "unsupported_media_type: the body is not sent as application/json", body = crate::openapi::ErrorBody),
        (status = 503, description = "busy: too many sign-ins at once; storage_unavailable: retry after `Retry-After` seconds. If the account was kept but its session could not be, the retry answers 409 account_exists: sign in", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn sign_up(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(NewAccount { email, password }): ApiJson<NewAccount>,
) -> Result<Response, ApiError> {
    let signed_in = state
        .app
        .sign_up(client, request_site(&headers), email, password.secret())
        .await?;
    signed_in_reply(&state, jar, signed_in, StatusCode::CREATED)
}
