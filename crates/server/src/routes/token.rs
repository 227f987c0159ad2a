//! `POST /generate-jwt`: the guide's contract, behind authentication.

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode},
};
use serde::Serialize;
use serde_json::Value;
use synerise_auth_token::{CustomerUuid, Email};

use crate::{
    ApiError, AppState,
    caller::Caller,
    routes::{extract::optional_json_object, session::rfc3339},
};

/// The reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    jwt: String,
    uuid: CustomerUuid,
    /// RFC 3339, UTC.
    expires_at: String,
}

/// Signs a token for the caller's customer.
///
/// The body is a JSON object whose `email` and `uuid` are read loosely and parsed here, so that
/// each problem gets its own code; unknown fields are ignored, as the guide's front end may send
/// more. A signed-in customer may send no body at all: their email is the session's, and a body
/// `email` that differs is refused (403), never used. Their `uuid` is the server-derived one
/// unless `allow_client_uuid` is set and a valid one is sent.
pub(crate) async fn generate_jwt(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TokenResponse>, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::bad_request("unreadable_body", e.body_text()),
    })?;
    let mut body = optional_json_object(&headers, &body)?;
    let body_email = parse_email(body.remove("email"))?;
    let body_uuid = body.remove("uuid");

    let (email, uuid) = match caller.customer() {
        None => {
            let email = body_email.ok_or_else(|| {
                ApiError::bad_request("missing_email", "the body needs an `email`")
            })?;
            let uuid = match parse_uuid(body_uuid)? {
                Some(uuid) => uuid,
                None => state.inner.issuing.derive_uuid(&email),
            };
            (email, uuid)
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
            let uuid = client_uuid.unwrap_or_else(|| state.inner.issuing.derive_uuid(customer));
            (customer.clone(), uuid)
        }
    };

    let tag = email.log_tag();
    let issued = state.inner.issuing.issue(email, uuid).await?;
    tracing::debug!(customer = %tag, method = caller.method(), "token issued");
    let (jwt, claims) = issued.into_parts();
    let expires_at = rfc3339(synerise_auth_token::UnixTime::from_secs(claims.exp));
    Ok(Json(TokenResponse {
        jwt,
        uuid: claims.uuid,
        expires_at,
    }))
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
