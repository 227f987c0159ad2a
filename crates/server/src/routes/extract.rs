//! Extractors that refuse with [`ApiError`] instead of axum's plain-text rejections.

use axum::{
    Json,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// `Json<T>` whose rejections are JSON `{"error","code"}` with 400, 413 or 415.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// Who is asking for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// The site's own back end, with one of the configured API keys.
    ApiKey,
}

impl Caller {
    /// A label for logs and metrics.
    pub(crate) fn method(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "missing_credentials",
                "send the site's API key as `Authorization: Bearer <key>`",
            ));
        };
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "invalid_authorization",
                    "the Authorization header must be `Bearer <key>`",
                )
            })?;
        if state.inner.api_keys.accepts(presented) {
            Ok(Self::ApiKey)
        } else {
            Err(ApiError::unauthorized(
                "invalid_credentials",
                "the API key is not valid",
            ))
        }
    }
}
