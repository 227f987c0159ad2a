//! `POST /generate-jwt`: the guide's contract, behind authentication.

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::Value;
use synerise_auth_token::{CustomerUuid, Email};

use crate::{ApiError, AppState, caller::Caller, routes::extract::optional_json_object};

/// The reply.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    jwt: String,
    #[schema(value_type = String, example = "345d4c8f-5aff-591d-a19c-1ca48923d9ee")]
    uuid: CustomerUuid,
    /// RFC 3339, UTC.
    expires_at: String,
}

impl IntoResponse for TokenResponse {
    /// The body is written directly: the fields are base64url, a UUID and an RFC 3339 time, none
    /// of which JSON escapes, and serde_json's per-byte escape check over the token was a tenth
    /// of the CPU of a reply from the token cache. Anything unexpected goes through serde_json.
    fn into_response(self) -> Response {
        let uuid = self.uuid.to_string();
        // No early exit, so that the check compiles to vector instructions.
        let plain = |text: &str| {
            text.bytes()
                .fold(true, |ok, b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'))
        };
        if !(plain(&self.jwt) && plain(&uuid) && plain(&self.expires_at)) {
            return Json(self).into_response();
        }
        let mut body =
            String::with_capacity(self.jwt.len() + uuid.len() + self.expires_at.len() + 40);
        body.push_str("{\"jwt\":\"");
        body.push_str(&self.jwt);
        body.push_str("\",\"uuid\":\"");
        body.push_str(&uuid);
        body.push_str("\",\"expiresAt\":\"");
        body.push_str(&self.expires_at);
        body.push_str("\"}");
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response()
    }
}

/// Signs a token for the caller's customer.
///
/// The body is a JSON object whose `email` and `uuid` are read loosely and parsed here, so that
/// each problem gets its own code; unknown fields are ignored, as the guide's front end may send
/// more. A signed-in customer may send no body at all: their email is the session's, and a body
/// `email` that differs is refused (403), never used. Their `uuid` is the server-derived one
/// unless `allow_client_uuid` is set and a valid one is sent.
#[utoipa::path(
    post,
    path = "/generate-jwt",
    tag = "tokens",
    request_body(content = Option<crate::openapi::TokenRequest>, content_type = "application/json"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A signed token", body = TokenResponse),
        (status = 400, description = "missing_email, invalid_email, invalid_uuid, malformed_json, invalid_body", body = crate::openapi::ErrorBody),
        (status = 401, description = "missing_credentials, invalid_authorization, invalid_credentials, not_signed_in, or an ID-token code", body = crate::openapi::ErrorBody),
        (status = 403, description = "email_mismatch, cross_site_request", body = crate::openapi::ErrorBody),
        (status = 413, description = "payload_too_large", body = crate::openapi::ErrorBody),
        (status = 415, description = "unsupported_media_type", body = crate::openapi::ErrorBody),
        (status = 429, description = "rate_limited", body = crate::openapi::ErrorBody),
        (status = 503, description = "identity_provider_unavailable, storage_unavailable (a session could not be read); retry after `Retry-After` seconds", body = crate::openapi::ErrorBody),
    )
)]
pub(crate) async fn generate_jwt(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<TokenResponse, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::bad_request("unreadable_body", e.body_text()),
    })?;
    let mut body = optional_json_object(&headers, &body)?;
    let body_email = parse_email(body.remove("email"))?;
    let body_uuid = body.remove("uuid");

    // The uuid the caller may choose; `None`: the service derives it from the email.
    let (email, uuid) = match caller.customer() {
        None => {
            let email = body_email.ok_or_else(|| {
                ApiError::bad_request("missing_email", "the body needs an `email`")
            })?;
            (email, parse_uuid(body_uuid)?)
        }
        Some(customer) => {
            if let Some(claimed) = &body_email
                && !claimed.as_str().eq_ignore_ascii_case(customer.as_str())
            {
                return Err(ApiError::forbidden(
                    "email_mismatch",
                    "the email differs from the signed-in customer's; a token is only issued for your own account",
                ));
            }
            let client_uuid = if state.inner.allow_client_uuid {
                parse_uuid(body_uuid).ok().flatten()
            } else {
                None
            };
            (customer.clone(), client_uuid)
        }
    };

    // The email's log tag is an HMAC and a few small strings: made only if the line is written.
    let tag = tracing::enabled!(tracing::Level::DEBUG).then(|| state.inner.log_tags.tag(&email));
    let issued = state
        .inner
        .tokens
        .issue(caller.method(), email, uuid)
        .await?;
    if let Some(tag) = tag {
        tracing::debug!(
            customer = %tag,
            method = caller.method(),
            cache_hit = issued.cache_hit(),
            "token issued"
        );
    }
    let (jwt, claims) = issued.into_parts();
    let expires_at = synerise_auth_token::UnixTime::from_secs(claims.exp)
        .to_rfc3339()
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    Ok(TokenResponse {
        jwt,
        uuid: claims.uuid,
        expires_at,
    })
}

fn parse_email(value: Option<Value>) -> Result<Option<Email>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Email::parse(&text)
            .map(Some)
            .map_err(|e| ApiError::bad_request("invalid_email", e.to_string())),
        Some(_) => Err(ApiError::bad_request(
            "invalid_email",
            "`email` must be a string",
        )),
    }
}

fn parse_uuid(value: Option<Value>) -> Result<Option<CustomerUuid>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => CustomerUuid::parse(&text)
            .map(Some)
            .map_err(|e| ApiError::bad_request("invalid_uuid", e.to_string())),
        Some(_) => Err(ApiError::bad_request(
            "invalid_uuid",
            "`uuid` must be a string",
        )),
    }
}
