//! The HTTP side of refusing cookie-authenticated requests made by other sites: the headers a
//! browser says where a request comes from, read for the application's check
//! ([`RequestSite`]), and CORS for the configured `allowed_origins`.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use synerise_auth_app::RequestSite;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long browsers may cache a CORS preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// CORS for the configured `allowed_origins` only, with credentials, so that the site's pages on
/// those origins may sign in and ask for tokens with the session cookie. No layer at all when none
/// is configured: then only same-origin pages can read the answers.
pub(crate) fn cors(allowed_origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// Where the request says it comes from: `Sec-Fetch-Site`, `Origin` and `Host` (a header that
/// is not text reads as absent).
pub(crate) fn request_site(headers: &HeaderMap) -> RequestSite<'_> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    RequestSite {
        fetch_site: text(header::HeaderName::from_static("sec-fetch-site")),
        origin: text(header::ORIGIN),
        host: text(header::HOST),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_headers_and_skips_what_is_not_text() {
        let mut headers = HeaderMap::new();
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        headers.insert(header::ORIGIN, HeaderValue::from_bytes(b"\xff").unwrap());
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(
            request_site(&headers),
            RequestSite {
                fetch_site: Some("cross-site"),
                origin: None,
                host: Some("127.0.0.1:8080"),
            }
        );
        assert_eq!(request_site(&HeaderMap::new()), RequestSite::default());
    }
}
