//! The headers every reply carries.

use axum::http::{HeaderMap, HeaderValue, header};

/// `Strict-Transport-Security` in production: browsers use HTTPS only for a year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// `X-Frame-Options: DENY` and `Cache-Control: no-store` unless the reply sets its own (tokens,
/// sessions and errors must not be cached; the web files set theirs); `Referrer-Policy:
/// no-referrer` and `X-Content-Type-Options: nosniff` always; HSTS in production.
#[derive(Debug, Clone, Copy)]
pub(super) struct SecurityHeaders {
    hsts: bool,
}

impl SecurityHeaders {
    pub(super) const fn new(hsts: bool) -> Self {
        Self { hsts }
    }

    pub(super) fn apply(self, headers: &mut HeaderMap) {
        headers
            .entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
    }
}
