//! The demo site, embedded in the binary (dev mode only): `/`, `/gate`, and their assets.

use axum::{
    extract::State,
    http::{HeaderValue, Method, Uri, header},
    response::{IntoResponse, Response},
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

/// Any route not matched elsewhere: in dev mode, `GET /` and `GET /gate` get the single-page app
/// (it routes by path) and other GETs the site's files; everything else is a JSON 404.
pub(crate) async fn fallback(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    if state.inner.mode != Mode::Dev || (method != Method::GET && method != Method::HEAD) {
        return ApiError::NotFound.into_response();
    }
    match uri.path().trim_start_matches('/') {
        "" | "gate" => serve("index.html"),
        path => serve(path),
    }
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
