//! `POST /generate-jwt`: the guide's contract, behind authentication.

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use synerise_auth_app::ClientUuid;
use synerise_auth_token::{CustomerUuid, Email};

use crate::{
    ApiError, AppState,
    caller::Authenticated,
    routes::extract::{OptionalJson, RequestBody},
};

/// The reply.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    /// The RS256 token, for `SR.client.setAccessToken`.
    jwt: String,
    /// The customer's UUID, as in the token's `uuid` claim.
    #[schema(value_type = String, format = "uuid", example = "345d4c8f-5aff-591d-a19c-1ca48923d9ee")]
    uuid: CustomerUuid,
    /// When the token expires (its `exp`): RFC 3339, UTC.
    #[schema(format = DateTime)]
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

/// `POST /generate-jwt`'s body. With an API key, `email` is required (which is what the document
/// says, being the stricter rule); with a session or an ID token it may be left out, and must be
/// the customer's own when given. Other fields are ignored, as the guide's front end may send
/// more.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub(crate) struct TokenRequest {
    /// The customer's email.
    #[schema(value_type = String, format = Email, min_length = 3, max_length = 254, example = "ann@example.com")]
    email: Option<Email>,
    /// The customer's UUID. Used with an API key (derived from the email when absent); with a
    /// session or an ID token it is used only when `allow_client_uuid` is set (an invalid one is
    /// then ignored), and derived otherwise.
    #[schema(value_type = String, format = "uuid", required = false, example = "345d4c8f-5aff-591d-a19c-1ca48923d9ee")]
    uuid: Option<ClientUuid>,
}

impl RequestBody for TokenRequest {
    fn field_code(field: &str, _missing: bool) -> Option<&'static str> {
        match field {
            "email" => Some("invalid_email"),
            "uuid" => Some("invalid_uuid"),
            _ => None,
        }
    }
}

/// Signs a token for the caller's customer.
///
/// A signed-in customer may send no body at all: their email is the session's, and a body
/// `email` that differs is refused (403), never used. Their `uuid` is the server-derived one
/// unless `allow_client_uuid` is set and a valid one is sent.
#[utoipa::path(
    post,
    path = "/generate-jwt",
    tag = "tokens",
    request_body(content = TokenRequest, content_type = "application/json", description = "Required with an API key. A signed-in customer (session or ID token) may send no body at all (an empty body reads as `{}`) or leave `email` out"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "A signed token", body = TokenResponse, headers(
            ("Cache-Control" = String, description = "`no-store`: a token is never kept by a cache"),
            ("Date" = String, description = "The server's time (an HTTP date): the browser core measures its clock's skew by it before it schedules the renewal"),
        )),
        (status = 400, description = "missing_email, invalid_email, invalid_uuid; malformed_json: the body is not JSON; invalid_body: it is not an object", body = crate::openapi::ErrorBody),
        (status = 401, description = "missing_credentials, invalid_authorization, invalid_credentials, not_signed_in, or an ID-token code", body = crate::openapi::ErrorBody),
        (status = 403, description = "email_mismatch, cross_site_request", body = crate::openapi::ErrorBody),
        (status = 413, description = "payload_too_large", body = crate::openapi::ErrorBody),
        (status = 415, description = "unsupported_media_type: a non-empty body not sent as application/json", body = crate::openapi::ErrorBody),
        (status = 429, description = "rate_limited; retry after `Retry-After` seconds", body = crate::openapi::ErrorBody, headers(
            ("Retry-After" = u64, description = "Seconds until a retry may succeed"),
        )),
        (status = 503, description = "identity_provider_unavailable: no key of the identity provider could be had; storage_unavailable: a session could not be read. Retry after `Retry-After` seconds", body = crate::openapi::ErrorBody, headers(
            ("Retry-After" = u64, description = "Seconds until a retry may succeed"),
        )),
    )
)]
pub(crate) async fn generate_jwt(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    OptionalJson(body): OptionalJson<TokenRequest>,
) -> Result<TokenResponse, ApiError> {
    let request = synerise_auth_app::TokenRequest {
        email: body.email,
        uuid: body.uuid,
    };
    let (jwt, claims) = state.app.issue_token(&caller, request).await?.into_parts();
    let expires_at = synerise_auth_token::UnixTime::from_secs(claims.exp)
        .to_rfc3339()
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    Ok(TokenResponse {
        jwt,
        uuid: claims.uuid,
        expires_at,
    })
}
