//! The session cookie.

use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::config::Mode;

/// In production the cookie carries the `__Host-` prefix, which browsers accept only with
/// `Secure`, `Path=/` and no `Domain`: no sub-domain can set or shadow it.
pub(crate) fn name(mode: Mode) -> &'static str {
    match mode {
        Mode::Production => "__Host-synerise_auth_session",
        Mode::Dev => "synerise_auth_session",
    }
}

/// The cookie that holds a session token: `HttpOnly`, `SameSite=Lax`, `Secure` in production.
pub(crate) fn session(mode: Mode, token: String, max_age: std::time::Duration) -> Cookie<'static> {
    Cookie::build((name(mode), token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(mode == Mode::Production)
        .path("/")
        .max_age(time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .build()
}

/// A cookie that makes the browser forget the session cookie.
pub(crate) fn removal(mode: Mode) -> Cookie<'static> {
    let mut cookie = session(mode, String::new(), std::time::Duration::ZERO);
    cookie.make_removal();
    cookie
}
