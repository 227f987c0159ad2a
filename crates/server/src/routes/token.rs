//! `POST /generate-jwt`: the guide's contract, behind authentication.

use axum::{Json, extract::State};
use serde::Serialize;
use serde_json::{Map, Value};
use synerise_auth_token::{CustomerUuid, Email};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{
    ApiError, AppState,
    routes::extract::{ApiJson, Caller},
};

/// The request body: a JSON object whose `email` and `uuid` are read loosely and parsed here, so
/// that each problem gets its own code. Unknown fields are ignored: the guide's front end may send
/// more.
type TokenRequest = Map<String, Value>;

/// The reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    jwt: String,
    uuid: CustomerUuid,
    /// RFC 3339, UTC.
    expires_at: String,
}

pub(crate) async fn generate_jwt(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(mut body): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let email = match body.remove("email") {
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "missing_email",
                "the body needs an `email`",
            ));
        }
        Some(Value::String(text)) => Email::parse(&text)
            .map_err(|e| ApiError::bad_request("invalid_email", e.to_string()))?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_email",
                "`email` must be a string",
            ));
        }
    };
    let uuid = match body.remove("uuid") {
        None | Some(Value::Null) => state.inner.issuing.derive_uuid(&email),
        Some(Value::String(text)) => CustomerUuid::parse(&text)
            .map_err(|e| ApiError::bad_request("invalid_uuid", e.to_string()))?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_uuid",
                "`uuid` must be a string",
            ));
        }
    };

    let tag = email.log_tag();
    let issued = state.inner.issuing.issue(email, uuid).await?;
    tracing::debug!(customer = %tag, method = caller.method(), "token issued");
    let (jwt, claims) = issued.into_parts();
    let expires_at = OffsetDateTime::from_unix_timestamp(claims.exp)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    Ok(Json(TokenResponse {
        jwt,
        uuid: claims.uuid,
        expires_at,
    }))
}
