//! Refusing cookie-authenticated requests made by other sites (CSRF).
//!
//! A browser sends cookies with a cross-site form or fetch; it also says where the request comes
//! from, in `Sec-Fetch-Site` (all current browsers) and `Origin` (every cross-origin POST). A
//! request is accepted when it is same-origin, or comes from an origin the operator allowed.
//! A request with neither header was not made by a browser page, so no cookie of a customer's
//! rides along with it unasked.

use crate::error::{AppError, Result};

/// Where a request says it comes from, as the HTTP service read it: the values of its
/// `Sec-Fetch-Site`, `Origin` and `Host` headers (`None`: absent or not text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestSite<'a> {
    /// `Sec-Fetch-Site`: `same-origin`, `same-site`, `cross-site` or `none`.
    pub fetch_site: Option<&'a str>,
    /// `Origin`: the page's scheme, host and port, or `null`.
    pub origin: Option<&'a str>,
    /// `Host`: how the request addressed this service.
    pub host: Option<&'a str>,
}

impl RequestSite<'_> {
    /// Accepts a request from this site or from one of `allowed_origins` (lower-case origins);
    /// refuses one from any other site with `cross_site_request`.
    pub(crate) fn check(&self, allowed_origins: &[String]) -> Result<()> {
        let origin_allowed = self.origin.is_some_and(|o| {
            let o = o.to_ascii_lowercase();
            allowed_origins.contains(&o)
        });
        match self.fetch_site {
            Some("same-origin" | "none") => return Ok(()),
            Some(_) if origin_allowed => return Ok(()),
            Some(_) => return Err(refused()),
            None => {}
        }
        match self.origin {
            None => Ok(()),
            Some(_) if origin_allowed => Ok(()),
            Some(origin) if self.is_same_origin(origin) => Ok(()),
            Some(_) => Err(refused()),
        }
    }

    /// Whether `origin` names this service, as addressed by the request's `Host`.
    fn is_same_origin(&self, origin: &str) -> bool {
        let Some(host) = self.host else {
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
}

fn refused() -> AppError {
    AppError::forbidden(
        "cross_site_request",
        "this request came from another site; only this site and the configured allowed_origins may use the session cookie",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(
        fetch_site: Option<&'static str>,
        origin: Option<&'static str>,
        host: Option<&'static str>,
    ) -> RequestSite<'static> {
        RequestSite {
            fetch_site,
            origin,
            host,
        }
    }

    #[test]
    fn decides_by_fetch_metadata_then_origin() {
        let allowed = vec!["https://shop.example".to_owned()];
        let ok = [
            site(Some("same-origin"), None, None),
            site(Some("none"), Some("https://evil.example"), None),
            site(Some("cross-site"), Some("https://shop.example"), None),
            site(Some("cross-site"), Some("https://Shop.Example"), None),
            site(None, Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")),
            site(None, None, Some("127.0.0.1:8080")),
        ];
        for s in ok {
            assert!(s.check(&allowed).is_ok(), "{s:?}");
        }
        let refused = [
            site(Some("cross-site"), None, None),
            site(Some("same-site"), Some("https://evil.example"), None),
            site(None, Some("https://evil.example"), Some("127.0.0.1:8080")),
            site(None, Some("null"), Some("127.0.0.1:8080")),
            site(None, Some("http://127.0.0.1:8080"), None),
        ];
        for s in refused {
            let err = s.check(&allowed).unwrap_err();
            assert!(matches!(err, AppError::Forbidden { .. }), "{s:?}");
            assert_eq!(err.code(), "cross_site_request", "{s:?}");
        }
    }
}
