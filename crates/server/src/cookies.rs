//! The session cookie, and the tracker's identity cookie.

use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use synerise_auth_token::{CustomerUuid, Email, IdentityHash};

use crate::mode::Mode;

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

/// The cookie Synerise's tracker reads on start-up to take a uuid and identity hash from the
/// server, and deletes (the name and the `uuid:identityHash` value are those Synerise's Magento
/// integration sets at sign-in).
pub(crate) const TRACKER_IDENTITY: &str = "_snrs_reset_uuid_and_identity_hash";
/// The tracker's own uuid cookie: when it already holds the customer's uuid, nothing is handed.
const TRACKER_UUID: &str = "_snrs_uuid";

/// Setting `identity_cookie`: hand the signed-in customer's uuid and identity hash to the tracker
/// in [`TRACKER_IDENTITY`] at sign-in. Written `on`, or `on; domain=.shop.example; path=/`
/// (`off`, the default, is no setting at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCookie {
    /// `Domain`: unset is this host only; `.shop.example` reaches every sub-domain's tracker.
    pub domain: Option<String>,
    /// `Path`, `/` unless set.
    pub path: String,
}

impl IdentityCookie {
    /// Reads `off`, `on`, or `on` followed by `; domain=...` and `; path=...` (`None` is off).
    ///
    /// # Errors
    /// A sentence naming what is wrong.
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let mut parts = text.split(';').map(str::trim);
        match parts.next().map(str::to_ascii_lowercase).as_deref() {
            Some("off" | "false" | "") => return Ok(None),
            Some("on" | "true") => {}
            _ => {
                return Err(format!(
                    "`{text}`: expected off, on, or on; domain=...; path=..."
                ));
            }
        }
        let mut cookie = Self {
            domain: None,
            path: "/".to_owned(),
        };
        for part in parts.filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected domain=... or path=..."))?;
            let value = value.trim();
            let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~/%".contains(c);
            if value.is_empty() || !value.chars().all(allowed) {
                return Err(format!("`{part}`: not a cookie domain or path"));
            }
            match key.trim().to_ascii_lowercase().as_str() {
                "domain" if !value.contains('/') => cookie.domain = Some(value.to_owned()),
                "path" if value.starts_with('/') => cookie.path = value.to_owned(),
                _ => return Err(format!("`{part}`: expected domain=<host> or path=/<path>")),
            }
        }
        Ok(Some(cookie))
    }

    /// The cookie for a customer who just signed in, or `None` when the tracker's own uuid
    /// cookie (among `jar`'s) already holds `uuid`, as the Magento integration checks. Not
    /// HttpOnly: the tracker's script reads it. Kept a year, as the integration does; the tracker
    /// deletes it once read.
    pub(crate) fn for_customer(
        &self,
        mode: Mode,
        jar: &CookieJar,
        uuid: &CustomerUuid,
        email: &Email,
    ) -> Option<Cookie<'static>> {
        let uuid = uuid.to_string();
        if jar.get(TRACKER_UUID).is_some_and(|c| c.value() == uuid) {
            return None;
        }
        let value = format!("{uuid}:{}", IdentityHash::of(email.as_str()));
        let mut cookie = Cookie::build((TRACKER_IDENTITY, value))
            .http_only(false)
            .same_site(SameSite::Lax)
            .secure(mode == Mode::Production)
            .path(self.path.clone())
            .max_age(time::Duration::days(365))
            .build();
        if let Some(domain) = &self.domain {
            cookie.set_domain(domain.clone());
        }
        Some(cookie)
    }
}

#[cfg(test)]
mod tests {
    use super::IdentityCookie;

    #[test]
    fn reads_the_setting() {
        assert_eq!(IdentityCookie::parse("off"), Ok(None));
        assert_eq!(
            IdentityCookie::parse("on"),
            Ok(Some(IdentityCookie {
                domain: None,
                path: "/".into()
            }))
        );
        assert_eq!(
            IdentityCookie::parse("on; domain=.shop.example; path=/store"),
            Ok(Some(IdentityCookie {
                domain: Some(".shop.example".into()),
                path: "/store".into()
            }))
        );
        for bad in [
            "maybe",
            "on; domain",
            "on; path=store",
            "on; domain=a b",
            "on; colour=red",
            "on; path=/a;b",
        ] {
            assert!(IdentityCookie::parse(bad).is_err(), "{bad}");
        }
    }
}
