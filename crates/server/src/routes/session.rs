//! `/api/session`: sign in, who am I, sign out.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use synerise_auth_store::Session;
use synerise_auth_token::Email;

use synerise_auth_app::SignedIn;

use crate::{
    ApiError, AppState, cookies,
    cross_site::request_site,
    routes::client_ip::ClientIp,
    routes::extract::{ApiJson, RequestBody},
};

/// `POST /api/session`'s body. Other fields are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct SignIn {
    /// The account's email.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254, example = "ann@example.com")]
    pub(crate) email: Email,
    /// The account's password.
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 256)]
    pub(crate) password: Password,
}

impl RequestBody for SignIn {
    fn field_code(field: &str, missing: bool) -> Option<&'static str> {
        credential_code(field, missing)
    }
    const SECRET_FIELDS: &'static [&'static str] = &["password"];
}

/// The codes of an `{email, password}` body: `missing_email`, `invalid_email`,
/// `missing_password` (absent, empty or not a string).
pub(crate) fn credential_code(field: &str, missing: bool) -> Option<&'static str> {
    match (field, missing) {
        ("email", true) => Some("missing_email"),
        ("email", false) => Some("invalid_email"),
        ("password", _) => Some("missing_password"),
        _ => None,
    }
}

/// A password from a request body: a non-empty string, never printed.
#[derive(Debug)]
pub(crate) struct Password(SecretString);

impl Password {
    /// The secret.
    pub(crate) fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.is_empty() {
            return Err(serde::de::Error::custom("the password is empty"));
        }
        Ok(Self(SecretString::from(text)))
    }
}

/// The signed-in customer: the reply of sign-in, sign-up and `GET /api/session`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionInfo {
    /// The account's email.
    #[schema(value_type = String, format = Email)]
    email: Email,
    /// When the session ends at the latest: RFC 3339, UTC.
    #[schema(format = DateTime)]
    expires_at: String,
}

impl SessionInfo {
    fn new(email: Email, session: &Session) -> Result<Self, ApiError> {
        let expires_at = session
            .expires_at
            .to_rfc3339()
            .map_err(|e| ApiError::Unexpected(e.into()))?;
        Ok(Self { email, expires_at })
    }
}

/// `POST /api/session {"email", "password"}`: 200 `{"email", "expiresAt"}` and the session cookie.
/// A wrong email and a wrong password get the same 401 in the same time.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "sessions",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionInfo),
        (status = 400, description = "missing_email, invalid_email, missing_password; malformed_json: the body is not JSON; invalid_body: it is not an object", body = crate::openapi::ErrorBody),
        (status = 401, description = "invalid_credentials", body = crate::openapi::ErrorBody),
        (status = 403, description = "cross_site_request", body = crate::openapi::ErrorBody),
        (status = 429, description = "rate_limited", body = crate::openapi::ErrorBody),
        (status = 413, description = "payload_too_large", body = crate::openapi::ErrorBody),
        (status = 415, description = "unsupported_media_type: the body is not sent as application/json", body = crate::openapi::ErrorBody),
        (status = 503, description = "busy: too many sign-ins at once; storage_unavailable: nothing was saved. Retry after `Retry-After` seconds", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(SignIn { email, password }): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let signed_in = state
        .app
        .sign_in(
            client,
            request_site(&headers),
            &email,
            password.secret(),
            session_cookie(&state, &jar),
        )
        .await?;
    signed_in_reply(&state, jar, signed_in, StatusCode::OK)
}

/// The session cookie's value, if the browser sent one.
pub(crate) fn session_cookie<'j>(state: &AppState, jar: &'j CookieJar) -> Option<&'j str> {
    jar.get(cookies::name(state.http.mode))
        .map(axum_extra::extract::cookie::Cookie::value)
}

/// The answer to a sign-in or sign-up: `status`, the session cookie (and the tracker's identity
/// cookie when configured), and `{"email", "expiresAt"}`.
pub(crate) fn signed_in_reply(
    state: &AppState,
    jar: CookieJar,
    signed_in: SignedIn,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let SignedIn {
        token,
        session,
        email,
        uuid,
        lifetime,
    } = signed_in;
    let mode = state.http.mode;
    let handover = (state.http.identity_cookie.as_ref())
        .and_then(|cookie| cookie.for_customer(mode, &jar, &uuid, &email));
    let mut jar = jar.add(cookies::session(
        mode,
        token.expose_secret().to_owned(),
        lifetime,
    ));
    if let Some(cookie) = handover {
        jar = jar.add(cookie);
    }
    let body = SessionInfo::new(email, &session)?;
    Ok((status, jar, Json(body)).into_response())
}

/// `GET /api/session`: 200 `{"email", "expiresAt"}`, or 401 `not_signed_in`.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "sessions",
    security(("session" = [])),
    responses(
        (status = 200, description = "Who is signed in", body = SessionInfo),
        (status = 401, description = "not_signed_in", body = crate::openapi::ErrorBody),
        (status = 503, description = "storage_unavailable", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn whoami(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Json<SessionInfo>, ApiError> {
    let session = state
        .app
        .current_session(session_cookie(&state, &jar))
        .await?;
    Ok(Json(SessionInfo::new(session.email.clone(), &session)?))
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
    state
        .app
        .sign_out(request_site(&headers), session_cookie(&state, &jar))
        .await?;
    let jar = jar.add(cookies::removal(state.http.mode));
    Ok((StatusCode::NO_CONTENT, jar).into_response())
}
