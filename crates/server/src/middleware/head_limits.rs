//! Limits on a request's head, refused as JSON before any route reads it.

use axum::http::Request;

use crate::ApiError;

/// The most header fields a request may carry; more is a JSON 431 `headers_too_large`. (The HTTP
/// parser's own limit, past which it answers 431 with an empty body, is higher: its default of
/// 100, see `serve.rs`.) Browsers send fewer than 30.
pub(crate) const MAX_HEADER_FIELDS: usize = 64;
/// The most bytes of header names and values a request may carry; more is a JSON 431.
pub(crate) const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The longest request URI; longer is a JSON 414 `uri_too_long`.
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;

/// The refusal for a request whose URI or header fields are over the limits, if it is.
pub(super) fn check<B>(request: &Request<B>) -> Result<(), ApiError> {
    let uri_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return Err(ApiError::UriTooLong {
            max_bytes: MAX_URI_BYTES,
        });
    }
    let headers = request.headers();
    if headers.len() > MAX_HEADER_FIELDS {
        return Err(too_large());
    }
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(too_large());
    }
    Ok(())
}

const fn too_large() -> ApiError {
    ApiError::HeadersTooLarge {
        max_fields: MAX_HEADER_FIELDS,
        max_bytes: MAX_HEADER_BYTES,
    }
}
