//! Refusing cookie-authenticated requests made by other sites (CSRF).
//!
//! A browser sends cookies with a cross-site form or fetch; it also says where the request comes
//! from, in `Sec-Fetch-Site` (all current browsers) and `Origin` (every cross-origin POST). A
//! request is accepted when it is same-origin, or comes from an origin the operator allowed.
//! A request with neither header was not made by a browser page, so no cookie of a customer's
//! rides along with it unasked.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::ApiError;

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

pub(crate) fn check(headers: &HeaderMap, allowed_origins: &[String]) -> Result<(), ApiError> {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let origin_allowed = origin.is_some_and(|o| {
        let o = o.to_ascii_lowercase();
        allowed_origins.contains(&o)
    });
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin" | "none") => return Ok(()),
        Some(_) if origin_allowed => return Ok(()),
        Some(_) => return Err(refused()),
        None => {}
    }
    match origin {
        None => Ok(()),
        Some(_) if origin_allowed => Ok(()),
        Some(origin) if is_same_origin(origin, headers) => Ok(()),
        Some(_) => Err(refused()),
    }
}

/// Whether `Origin` names this service, as addressed by the request's `Host`.
fn is_same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(origin_host) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        // `null`, or another scheme: never this service.
        return false;
    };
    origin_host.eq_ignore_ascii_case(host)
}

fn refused() -> ApiError {
    ApiError::forbidden(
        "cross_site_request",
        "this request came from another site; only this site and the configured allowed_origins may use the session cookie",
    )
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn decides_by_fetch_metadata_then_origin() {
        let allowed = vec!["https://shop.example".to_owned()];
        let ok = [
            headers(&[("sec-fetch-site", "same-origin")]),
            headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://shop.example"),
            ]),
            headers(&[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080"),
            ]),
            headers(&[("host", "127.0.0.1:8080")]),
        ];
        for h in ok {
            assert!(check(&h, &allowed).is_ok(), "{h:?}");
        }
        let refused = [
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[
                ("sec-fetch-site", "same-site"),
                ("origin", "https://evil.example"),
            ]),
            headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:8080"),
            ]),
            headers(&[("origin", "null"), ("host", "127.0.0.1:8080")]),
        ];
        for h in refused {
            assert_eq!(
                check(&h, &allowed).unwrap_err().code(),
                "cross_site_request",
                "{h:?}"
            );
        }
    }
}
