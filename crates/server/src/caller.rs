//! Who is asking for a token, as an extractor: the request's headers read into a
//! [`Credential`], and the application's one [`authenticate`](synerise_auth_app::App::authenticate)
//! call (the three doors, their limits and refusals are there).

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use axum_extra::extract::CookieJar;
use synerise_auth_app::{Caller, Credential};

use crate::{ApiError, AppState, cookies, cross_site};

/// An authenticated caller of `POST /generate-jwt`.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated(pub(crate) Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar;
        let credential = match parts.headers.get(header::AUTHORIZATION) {
            Some(value) => value
                .to_str()
                .ok()
                .and_then(crate::bearer::bearer_credential)
                .map_or(Credential::MalformedAuthorization, Credential::Bearer),
            None => {
                jar = CookieJar::from_headers(&parts.headers);
                session_credential(&jar, &parts.headers, state)
            }
        };
        Ok(Self(state.app.authenticate(credential).await?))
    }
}

/// The session cookie's credential, or none when the browser sent no session cookie.
fn session_credential<'a>(
    jar: &'a CookieJar,
    headers: &'a HeaderMap,
    state: &AppState,
) -> Credential<'a> {
    match jar.get(cookies::name(state.http.mode)) {
        Some(cookie) => Credential::SessionCookie {
            token: cookie.value(),
            site: cross_site::request_site(headers),
        },
        None => Credential::None,
    }
}
