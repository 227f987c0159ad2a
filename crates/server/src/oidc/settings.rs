//! What the verifier needs to know about the identity provider, and how it is built from the
//! service's configuration (`oidc_issuer`, `oidc_audience`, `oidc_jwks_url`).

use std::{net::IpAddr, time::Duration};

use reqwest::Url;

/// The least time between two fetches of the provider's keys (an unknown `kid` triggers one).
pub(crate) const DEFAULT_REFETCH_MIN_INTERVAL: Duration = Duration::from_secs(60);
/// How long one fetch (discovery document or key set) may take, body included.
pub(crate) const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// Cached keys older than this are refreshed on the next use (when the provider answers), so a
/// key the provider has withdrawn stops being trusted within about this long.
pub(crate) const DEFAULT_KEY_MAX_AGE: Duration = Duration::from_secs(3600);
/// The largest discovery document or key set accepted. Real ones are a few KiB.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// One OpenID Connect issuer whose ID tokens the service accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OidcSettings {
    /// The issuer, compared byte for byte with the token's `iss` (a trailing `/` matters: Auth0's
    /// issuers have one, most others do not).
    pub(crate) issuer: String,
    /// The accepted audiences (the site's OAuth client ids): the token's `aud` must contain one.
    pub(crate) audiences: Vec<String>,
    /// Where the provider publishes its keys; `None` reads `jwks_uri` from the issuer's discovery
    /// document, `<issuer>/.well-known/openid-configuration`.
    pub(crate) jwks_url: Option<String>,
    /// Clock-skew allowance for `exp`, `nbf` and `iat`, in seconds.
    pub(crate) leeway_secs: u32,
    /// The least time between two fetches of the keys.
    pub(crate) refetch_min_interval: Duration,
    /// Time limit for one HTTP fetch, body included.
    pub(crate) http_timeout: Duration,
    /// Keys older than this are refreshed on their next use, when the provider answers.
    pub(crate) key_max_age: Duration,
    /// Size limit for a fetched document.
    pub(crate) max_response_bytes: usize,
}

impl OidcSettings {
    /// Settings for `issuer` and one `audience`, keys found by discovery, and the defaults above
    /// (30 seconds of leeway).
    pub(crate) fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audiences: vec![audience.into()],
            jwks_url: None,
            leeway_secs: 30,
            refetch_min_interval: DEFAULT_REFETCH_MIN_INTERVAL,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            key_max_age: DEFAULT_KEY_MAX_AGE,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Builds the settings from the configuration's three values and the service's leeway.
    /// `Ok(None)` when none is set: the identity-provider door is closed.
    ///
    /// # Errors
    /// A sentence naming what to fix: an audience or key URL without an issuer (or the reverse),
    /// an empty audience, or a URL that is not `https://` (plain `http://` is allowed only to a
    /// loopback address, for tests and local providers).
    pub(crate) fn from_config(
        issuer: Option<String>,
        audiences: Option<Vec<String>>,
        jwks_url: Option<String>,
        leeway_secs: u32,
    ) -> Result<Option<Self>, String> {
        let issuer = issuer
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty());
        let audiences: Vec<String> = audiences
            .unwrap_or_default()
            .into_iter()
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
            .collect();
        let jwks_url = jwks_url
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty());
        let Some(issuer) = issuer else {
            if audiences.is_empty() && jwks_url.is_none() {
                return Ok(None);
            }
            return Err("oidc_audience and oidc_jwks_url need oidc_issuer \
                 (SYNERISE_AUTH_OIDC_ISSUER: the identity provider's issuer URL)"
                .into());
        };
        check_endpoint(&issuer).map_err(|e| format!("oidc_issuer: {e}"))?;
        if audiences.is_empty() {
            return Err(
                "oidc_issuer needs oidc_audience (SYNERISE_AUTH_OIDC_AUDIENCE: the \
                 site's OAuth client id, as the ID tokens' `aud` carries it; comma separated \
                 for several)"
                    .into(),
            );
        }
        if let Some(url) = &jwks_url {
            check_endpoint(url).map_err(|e| format!("oidc_jwks_url: {e}"))?;
        }
        Ok(Some(Self {
            audiences,
            jwks_url,
            leeway_secs,
            ..Self::new(issuer, String::new())
        }))
    }

    /// The discovery document's address: the issuer less any trailing `/`, then
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0, section 4).
    pub(crate) fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }
}

/// Parses a URL the service will fetch keys through, or names the issuer: `https://`, or
/// `http://` to a loopback address only, since keys fetched in the clear could be replaced on the
/// way by anyone on the network path.
pub(super) fn check_endpoint(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    let host = url.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" if !host.is_empty() => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!(
            "`{text}` must be an https:// URL (http:// only to a loopback address)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_configured_means_no_identity_provider() {
        assert_eq!(OidcSettings::from_config(None, None, None, 30), Ok(None));
        assert_eq!(
            OidcSettings::from_config(Some(" ".into()), Some(vec![]), None, 30),
            Ok(None)
        );
    }

    #[test]
    fn issuer_and_audience_are_kept_verbatim() {
        let settings = OidcSettings::from_config(
            Some("https://tenant.eu.auth0.com/".into()),
            Some(vec!["web-client".into(), " app-client ".into()]),
            None,
            12,
        )
        .unwrap()
        .unwrap();
        assert_eq!(settings.issuer, "https://tenant.eu.auth0.com/");
        assert_eq!(settings.audiences, ["web-client", "app-client"]);
        assert_eq!(settings.leeway_secs, 12);
        assert_eq!(settings.refetch_min_interval, Duration::from_secs(60));
        assert_eq!(
            settings.discovery_url(),
            "https://tenant.eu.auth0.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn half_configurations_are_refused_with_what_to_set() {
        let err = OidcSettings::from_config(Some("https://idp.example".into()), None, None, 30)
            .unwrap_err();
        assert!(err.contains("SYNERISE_AUTH_OIDC_AUDIENCE"), "{err}");
        let err =
            OidcSettings::from_config(None, Some(vec!["client".into()]), None, 30).unwrap_err();
        assert!(err.contains("SYNERISE_AUTH_OIDC_ISSUER"), "{err}");
    }

    #[test]
    fn keys_are_fetched_over_https_or_from_loopback_only() {
        for good in [
            "https://idp.example",
            "https://idp.example/realms/shop",
            "http://127.0.0.1:8081",
            "http://localhost:9000/keys",
            "http://[::1]:9000/keys",
        ] {
            assert!(check_endpoint(good).is_ok(), "{good}");
        }
        for bad in [
            "http://idp.example",
            "http://10.0.0.1/keys",
            "ftp://idp.example",
            "idp.example",
            "file:///etc/keys.json",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
        let err = OidcSettings::from_config(
            Some("https://idp.example".into()),
            Some(vec!["client".into()]),
            Some("http://idp.example/keys".into()),
            30,
        )
        .unwrap_err();
        assert!(err.starts_with("oidc_jwks_url:"), "{err}");
    }
}
