//! `/api/session`: sign in, who am I, sign out.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use synerise_auth_store::AccountId;
use synerise_auth_token::Email;

use crate::{
    ApiError, AppState, caller::current_session, cookies, cross_site, routes::extract::ApiJson,
};

/// `POST /api/session {"email", "password"}`: 200 `{"email", "expiresAt"}` and the session cookie.
/// A wrong email and a wrong password get the same 401 in the same time.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "sessions",
    request_body = crate::openapi::Credentials,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = crate::openapi::SessionInfo),
        (status = 400, description = "invalid_email, missing_email, missing_password", body = crate::openapi::ErrorBody),
        (status = 401, description = "invalid_credentials", body = crate::openapi::ErrorBody),
        (status = 403, description = "cross_site_request", body = crate::openapi::ErrorBody),
        (status = 429, description = "rate_limited", body = crate::openapi::ErrorBody),
        (status = 503, description = "busy: too many sign-ins at once; storage_unavailable: nothing was saved. Retry after `Retry-After` seconds", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    cross_site::check(&headers, &state.inner.allowed_origins)?;
    let limits = &state.inner.limits;
    limits.sign_in_per_ip.check(&peer.ip())?;
    let (email, password) = credentials(body)?;
    let account_key = email.as_str().to_ascii_lowercase();
    limits.failed_sign_ins.check(&account_key)?;

    let account = state
        .inner
        .accounts
        .verify_password(&email, &password)
        .await?;
    let Some(account) = account else {
        tracing::info!(customer = %state.inner.log_tags.tag(&email), "sign-in refused");
        limits.failed_sign_ins.failed(&account_key)?;
        return Err(ApiError::unauthorized(
            "invalid_credentials",
            "wrong email or password",
        ));
    };
    limits.failed_sign_ins.succeeded(&account_key);

    // A new session every time: whatever session id the browser held before is dropped.
    if let Some((old, _)) = current_session(&headers, &state).await? {
        state
            .inner
            .sessions
            .delete(&old)
            .await
            .map_err(ApiError::from)?;
    }
    start_session(&state, jar, account.id, &account.email, StatusCode::OK).await
}

/// Creates a session for `account` and answers with its cookie.
pub(crate) async fn start_session(
    state: &AppState,
    jar: CookieJar,
    account: AccountId,
    email: &Email,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let now = state.inner.tokens.clock().now();
    let settings = state.inner.session_settings;
    let (token, session) = state
        .inner
        .sessions
        .create(account, now, settings.idle_ttl, settings.absolute_ttl)
        .await
        .map_err(ApiError::from)?;
    tracing::info!(customer = %state.inner.log_tags.tag(email), session = %token.hash().log_tag(), "signed in");
    let handover = state.inner.identity_cookie.as_ref().and_then(|cookie| {
        let uuid = state.inner.tokens.derive_uuid(email);
        cookie.for_customer(state.inner.mode, &jar, &uuid, email)
    });
    let mut jar = jar.add(cookies::session(
        state.inner.mode,
        token.expose_secret().to_owned(),
        settings.absolute_ttl,
    ));
    if let Some(cookie) = handover {
        jar = jar.add(cookie);
    }
    let expires_at = session
        .expires_at
        .to_rfc3339()
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    let body = json!({"email": email, "expiresAt": expires_at});
    Ok((status, jar, Json(body)).into_response())
}

/// `GET /api/session`: 200 `{"email", "expiresAt"}`, or 401 `not_signed_in`.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "sessions",
    security(("session" = [])),
    responses(
        (status = 200, description = "Who is signed in", body = crate::openapi::SessionInfo),
        (status = 401, description = "not_signed_in", body = crate::openapi::ErrorBody),
        (status = 503, description = "storage_unavailable", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn whoami(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    match current_session(&headers, &state).await? {
        Some((_, session)) => {
            let expires_at = session
                .expires_at
                .to_rfc3339()
                .map_err(|e| ApiError::Unexpected(e.into()))?;
            Ok(Json(
                json!({"email": session.email, "expiresAt": expires_at}),
            ))
        }
        None => Err(ApiError::unauthorized(
            "not_signed_in",
            "nobody is signed in",
        )),
    }
}

/// `DELETE /api/session`: ends the session on the server and clears the cookie; 204 either way.
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "sessions",
    security(("session" = [])),
    responses(
        (status = 204, description = "Signed out; the session is destroyed and the cookie cleared"),
        (status = 403, description = "cross_site_request", body = crate::openapi::ErrorBody),
        (status = 503, description = "storage_unavailable: nothing was saved; retry after `Retry-After` seconds", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    cross_site::check(&headers, &state.inner.allowed_origins)?;
    if let Some((token, _)) = current_session(&headers, &state).await? {
        state
            .inner
            .sessions
            .delete(&token)
            .await
            .map_err(ApiError::from)?;
        tracing::info!(session = %token.hash().log_tag(), "signed out");
    }
    let jar = jar.add(cookies::removal(state.inner.mode));
    Ok((StatusCode::NO_CONTENT, jar).into_response())
}

/// Reads `email` and `password` from a JSON body.
pub(crate) fn credentials(mut body: Map<String, Value>) -> Result<(Email, SecretString), ApiError> {
    let email = match body.remove("email") {
        Some(Value::String(text)) => Email::parse(&text)
            .map_err(|e| ApiError::bad_request("invalid_email", e.to_string()))?,
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "missing_email",
                "the body needs an `email`",
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_email",
                "`email` must be a string",
            ));
        }
    };
    let password = match body.remove("password") {
        Some(Value::String(text)) if !text.is_empty() => SecretString::from(text),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "missing_password",
                "the body needs a `password`",
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "missing_password",
                "`password` must be a string",
            ));
        }
    };
    Ok((email, password))
}
