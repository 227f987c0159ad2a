//! The one error type of the HTTP API: every refusal is a JSON `{"error", "code"}` with a stable
//! snake_case code; anything unexpected is a fixed sentence, and its cause chain is logged once.

use std::{borrow::Cow, sync::Arc};

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use synerise_auth_app::AppError;

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 400: the request is malformed or a value is invalid.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// 401: no or wrong credentials.
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// 403: authenticated, but not allowed this.
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// 404: no such route or resource.
    #[error("not found")]
    NotFound,
    /// 405: the route exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 408: the request took longer than the request timeout.
    #[error("the request took too long and was stopped; try again")]
    RequestTimeout,
    /// 409: conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
    },
    /// 413: the body is over the limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 414: the request's URI is over the limit.
    #[error("the request's URI is longer than {max_bytes} bytes")]
    UriTooLong {
        /// The limit.
        max_bytes: usize,
    },
    /// 431: the request's header fields are over the limits.
    #[error(
        "the request has more than {max_fields} header fields or more than {max_bytes} bytes of them"
    )]
    HeadersTooLarge {
        /// The most fields.
        max_fields: usize,
        /// The most bytes, names and values together.
        max_bytes: usize,
    },
    /// 415: the body is not JSON.
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// 429: over a rate limit.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 503: something we depend on (the identity provider, the store) cannot serve this now; try
    /// again soon. Nothing was written.
    #[error("{message}")]
    Unavailable {
        /// Stable code.
        code: &'static str,
        /// Sentence for a person.
        message: Cow<'static, str>,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// 500: our fault. Answered with a fixed sentence; the cause is logged, never sent.
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

/// The cause of a 500, carried in the response's extensions to the logging middleware.
#[derive(Debug, Clone)]
pub(crate) struct UnexpectedCause(pub(crate) Arc<anyhow::Error>);

/// The stable code of an error reply, carried in the response's extensions to the metrics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCode(pub(crate) &'static str);

impl ApiError {
    /// A 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// A 401 with `code`.
    pub fn unauthorized(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
        }
    }

    /// A 403 with `code`.
    pub fn forbidden(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable snake_case code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unavailable { code, .. } => code,
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RequestTimeout => "request_timeout",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::UriTooLong { .. } => "uri_too_long",
            Self::HeadersTooLarge { .. } => "headers_too_large",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Unexpected(_) => "internal_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::json!({"error": self.to_string(), "code": self.code()});
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(self.code()));
        match self {
            Self::Unauthorized { .. } => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after_secs }
            | Self::Unavailable {
                retry_after_secs, ..
            } => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(1)),
                );
            }
            Self::Unexpected(cause) => {
                response
                    .extensions_mut()
                    .insert(UnexpectedCause(Arc::new(cause)));
            }
            _ => {}
        }
        response
    }
}

/// The application's refusals, each kind answered with its status: the one place an
/// [`AppError`] becomes an HTTP reply's error.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::BadRequest { code, message } => Self::BadRequest { code, message },
            AppError::Unauthorized { code, message } => Self::Unauthorized { code, message },
            AppError::Forbidden { code, message } => Self::Forbidden { code, message },
            AppError::Conflict { code, message } => Self::Conflict { code, message },
            AppError::TooManyRequests { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            AppError::Unavailable {
                code,
                message,
                retry_after_secs,
            } => Self::Unavailable {
                code,
                message,
                retry_after_secs,
            },
            AppError::Unexpected(cause) => Self::Unexpected(cause),
            // `AppError` may grow; what is not mapped yet is a bug of ours.
            other => Self::Unexpected(other.into()),
        }
    }
}

/// A store failure, as the application classifies it (`busy`, `storage_unavailable`, or
/// unexpected): for the gate's routes, which read the log directly.
impl From<synerise_auth_store::StoreError> for ApiError {
    fn from(error: synerise_auth_store::StoreError) -> Self {
        AppError::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse as _;

    use super::*;

    /// Each kind of the application's refusals keeps its code and gets its status and headers.
    #[test]
    fn each_application_refusal_becomes_its_reply() {
        let cases = [
            (AppError::bad_request("missing_email", "x"), 400, None),
            (AppError::unauthorized("not_signed_in", "x"), 401, None),
            (AppError::forbidden("email_mismatch", "x"), 403, None),
            (
                AppError::Conflict {
                    code: "account_exists",
                    message: "x".into(),
                },
                409,
                None,
            ),
            (
                AppError::TooManyRequests {
                    retry_after_secs: 7,
                },
                429,
                Some("7"),
            ),
            (
                AppError::Unavailable {
                    code: "identity_provider_unavailable",
                    message: "x".into(),
                    retry_after_secs: 0,
                },
                503,
                Some("1"),
            ),
            (AppError::Unexpected(anyhow::anyhow!("boom")), 500, None),
        ];
        for (app, status, retry_after) in cases {
            let code = app.code();
            let api = ApiError::from(app);
            assert_eq!(api.code(), code);
            let response = api.into_response();
            assert_eq!(response.status().as_u16(), status, "{code}");
            assert_eq!(
                response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .map(|v| v.to_str().unwrap()),
                retry_after,
                "{code}"
            );
            assert_eq!(
                response.headers().contains_key(header::WWW_AUTHENTICATE),
                status == 401,
                "{code}"
            );
        }
    }
}
