//! The web files embedded in the binary: the one-script SDK at `/sdk/*` (every mode), and in dev
//! mode the demo site (`/`, `/gate`, `/plain` and their assets).

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Redirect, Response},
};
use rust_embed::RustEmbed;

use crate::{ApiError, AppState, Mode};

#[derive(RustEmbed)]
#[folder = "$SYNERISE_AUTH_WEB_DIST"]
struct Assets;

/// The pages allow only this origin's scripts and connections.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
                   form-action 'self'";

/// Any route not matched elsewhere: `GET /sdk/...` in every mode; in dev mode, `GET /` and
/// `GET /gate` get the single-page app (it routes by path), `GET /plain` the page without React,
/// and other GETs the site's files; everything else is a JSON 404.
pub(crate) async fn fallback(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return ApiError::NotFound.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("sdk/") {
        return sdk(path, &headers);
    }
    if state.http.mode != Mode::Dev {
        return ApiError::NotFound.into_response();
    }
    match path {
        "" | "gate" => serve("index.html"),
        "plain" => serve("plain.html"),
        path => serve(path),
    }
}

/// The event gate run alone: its live page at `/gate` with the site's files, `/` sent there, and
/// a JSON 404 for the rest.
pub(crate) async fn gate_alone(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return ApiError::NotFound.into_response();
    }
    match uri.path().trim_start_matches('/') {
        "" => Redirect::to("/gate").into_response(),
        "gate" => serve("index.html"),
        // What the page loads: the bundle, the icon, and the tracker stand-in its HTML names.
        path if path.starts_with("assets/")
            || path == "favicon.svg"
            || path == "synerise-standin.js" =>
        {
            serve(path)
        }
        _ => ApiError::NotFound.into_response(),
    }
}

/// The core package as one script (`window.SyneriseAuth`), for any page on any origin:
/// `/sdk/synerise-auth-<version>.js` never changes (cached for a year), `/sdk/synerise-auth.js`
/// follows the newest version (cached for five minutes). Both carry an `ETag` and answer a
/// matching `If-None-Match` with 304, and both allow CORS, which a cross-origin `<script
/// integrity=...>` needs.
fn sdk(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Assets::get(path).filter(|_| path.ends_with(".js")) else {
        return ApiError::NotFound.into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let cache = if path == "sdk/synerise-auth.js" {
        "public, max-age=300"
    } else {
        "public, max-age=31536000, immutable"
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            file.data.into_owned(),
        )
            .into_response()
    };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    out.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    response
}

fn serve(path: &str) -> Response {
    let Some(file) = Assets::get(path) else {
        return ApiError::NotFound.into_response();
    };
    let mime = file.metadata.mimetype().to_owned();
    let cache = if path.starts_with("assets/") {
        // Vite puts a content hash in these names.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = ([(header::CACHE_CONTROL, cache)], file.data.into_owned()).into_response();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if mime.starts_with("text/html") {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    response
}
