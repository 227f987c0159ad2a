//! What the verifier needs to know about the identity provider: who it is, which audiences are
//! accepted, where its keys are, and the limits on fetching them.

use std::time::Duration;

use crate::{endpoint::check_endpoint, error::OidcSettingsError};

/// The least time between two fetches of the provider's keys (an unknown `kid` triggers one).
pub const DEFAULT_REFETCH_MIN_INTERVAL: Duration = Duration::from_secs(60);
/// How long one fetch (discovery document or key set) may take, body included.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// Cached keys older than this are refreshed on the next use (when the provider answers), so a
/// key the provider has withdrawn stops being trusted within about this long.
pub const DEFAULT_KEY_MAX_AGE: Duration = Duration::from_secs(3600);
/// The largest discovery document or key set accepted. Real ones are a few KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// One OpenID Connect issuer whose ID tokens are accepted.
///
/// Built by [`OidcSettings::new`], which checks the issuer and key URL; the fetch limits start
/// at the `DEFAULT_*` constants and can be changed with the `with_*` methods.
///
/// ```
/// use std::time::Duration;
/// use synerise_auth_oidc::OidcSettings;
///
/// let issuer = "https://login.shop.example/realms/shop";
/// let settings = OidcSettings::new(issuer, ["shop-web"], None, 30)
///     .unwrap()
///     .with_http_timeout(Duration::from_secs(2));
/// assert_eq!(
///     settings.discovery_url(),
///     "https://login.shop.example/realms/shop/.well-known/openid-configuration"
/// );
///
/// // Keys fetched in the clear from another machine could be replaced on the way.
/// let in_the_clear = Some("http://keys.example/jwks".to_owned());
/// let refused = OidcSettings::new(issuer, ["shop-web"], in_the_clear, 30).unwrap_err();
/// assert!(refused.to_string().starts_with("key set URL:"), "{refused}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSettings {
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
    /// Settings for `issuer` and `audiences`, keys at `jwks_url` (or, when `None`, found through
    /// the issuer's discovery document), `leeway_secs` of clock skew allowed, and the default
    /// fetch limits.
    ///
    /// The values are taken as they are: the issuer is compared byte for byte with `iss`, each
    /// audience with the entries of `aud`.
    ///
    /// # Errors
    /// In this order: the issuer is not an acceptable URL
    /// ([`Issuer`](OidcSettingsError::Issuer)): not `https://` (plain `http://` is allowed only
    /// to a loopback address, for tests and local providers), or with spaces around it; there is
    /// no audience ([`NoAudience`](OidcSettingsError::NoAudience)) or an empty one
    /// ([`EmptyAudience`](OidcSettingsError::EmptyAudience)); the key URL is not acceptable
    /// ([`JwksUrl`](OidcSettingsError::JwksUrl)).
    pub fn new(
        issuer: impl Into<String>,
        audiences: impl IntoIterator<Item = impl Into<String>>,
        jwks_url: Option<String>,
        leeway_secs: u32,
    ) -> Result<Self, OidcSettingsError> {
        let issuer = issuer.into();
        if issuer.trim() != issuer {
            return Err(OidcSettingsError::Issuer(format!(
                "`{issuer}` has spaces around it"
            )));
        }
        check_endpoint(&issuer).map_err(OidcSettingsError::Issuer)?;
        let audiences: Vec<String> = audiences.into_iter().map(Into::into).collect();
        if audiences.is_empty() {
            return Err(OidcSettingsError::NoAudience);
        }
        if audiences.iter().any(|audience| audience.trim().is_empty()) {
            return Err(OidcSettingsError::EmptyAudience);
        }
        if let Some(url) = &jwks_url {
            check_endpoint(url).map_err(OidcSettingsError::JwksUrl)?;
        }
        Ok(Self {
            issuer,
            audiences,
            jwks_url,
            leeway_secs,
            refetch_min_interval: DEFAULT_REFETCH_MIN_INTERVAL,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            key_max_age: DEFAULT_KEY_MAX_AGE,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        })
    }

    /// The least time between two fetches of the keys (default
    /// [`DEFAULT_REFETCH_MIN_INTERVAL`]).
    #[must_use]
    pub fn with_refetch_min_interval(self, interval: Duration) -> Self {
        Self {
            refetch_min_interval: interval,
            ..self
        }
    }

    /// The time limit for one fetch, body included (default [`DEFAULT_HTTP_TIMEOUT`]).
    #[must_use]
    pub fn with_http_timeout(self, timeout: Duration) -> Self {
        Self {
            http_timeout: timeout,
            ..self
        }
    }

    /// How old cached keys may grow before their next use refreshes them (default
    /// [`DEFAULT_KEY_MAX_AGE`]).
    #[must_use]
    pub fn with_key_max_age(self, max_age: Duration) -> Self {
        Self {
            key_max_age: max_age,
            ..self
        }
    }

    /// The size limit for a fetched document (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    #[must_use]
    pub fn with_max_response_bytes(self, max_bytes: usize) -> Self {
        Self {
            max_response_bytes: max_bytes,
            ..self
        }
    }

    /// The issuer tokens must name.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The accepted audiences.
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// The configured key URL; `None` when it is read from the discovery document.
    #[must_use]
    pub fn jwks_url(&self) -> Option<&str> {
        self.jwks_url.as_deref()
    }

    /// The clock-skew allowance for `exp`, `nbf` and `iat`, in seconds.
    #[must_use]
    pub fn leeway_secs(&self) -> u32 {
        self.leeway_secs
    }

    /// The least time between two fetches of the keys.
    #[must_use]
    pub fn refetch_min_interval(&self) -> Duration {
        self.refetch_min_interval
    }

    /// The time limit for one fetch.
    #[must_use]
    pub fn http_timeout(&self) -> Duration {
        self.http_timeout
    }

    /// How old cached keys may grow before their next use refreshes them.
    #[must_use]
    pub fn key_max_age(&self) -> Duration {
        self.key_max_age
    }

    /// The size limit for a fetched document.
    #[must_use]
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// The discovery document's address: the issuer less any trailing `/`, then
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0, section 4).
    #[must_use]
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_and_audiences_are_kept_verbatim() {
        let settings = OidcSettings::new(
            "https://tenant.eu.auth0.com/",
            ["web-client", "app-client"],
            None,
            12,
        )
        .unwrap();
        assert_eq!(settings.issuer(), "https://tenant.eu.auth0.com/");
        assert_eq!(settings.audiences(), ["web-client", "app-client"]);
        assert_eq!(settings.jwks_url(), None);
        assert_eq!(settings.leeway_secs(), 12);
        assert_eq!(settings.refetch_min_interval(), Duration::from_secs(60));
        assert_eq!(settings.http_timeout(), Duration::from_secs(5));
        assert_eq!(settings.key_max_age(), Duration::from_secs(3600));
        assert_eq!(settings.max_response_bytes(), 256 * 1024);
        assert_eq!(
            settings.discovery_url(),
            "https://tenant.eu.auth0.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn the_limits_can_be_changed() {
        let settings = OidcSettings::new("https://idp.example", ["client"], None, 30)
            .unwrap()
            .with_refetch_min_interval(Duration::from_secs(5))
            .with_http_timeout(Duration::from_millis(300))
            .with_key_max_age(Duration::from_secs(600))
            .with_max_response_bytes(4096);
        assert_eq!(settings.refetch_min_interval(), Duration::from_secs(5));
        assert_eq!(settings.http_timeout(), Duration::from_millis(300));
        assert_eq!(settings.key_max_age(), Duration::from_secs(600));
        assert_eq!(settings.max_response_bytes(), 4096);
        assert_eq!(settings.issuer(), "https://idp.example");
    }

    #[test]
    fn a_bad_issuer_is_refused_first() {
        for issuer in [
            "http://idp.example",
            "idp.example",
            "",
            " https://idp.example",
            "https://idp.example\n",
        ] {
            let err = OidcSettings::new(issuer, Vec::<String>::new(), None, 30).unwrap_err();
            assert!(
                matches!(err, OidcSettingsError::Issuer(_)),
                "{issuer:?}: {err}"
            );
        }
        let err = OidcSettings::new("http://idp.example", ["client"], None, 30).unwrap_err();
        assert_eq!(
            err.to_string(),
            "issuer: `http://idp.example` must be an https:// URL \
             (http:// only to a loopback address)"
        );
    }

    #[test]
    fn an_audience_is_required() {
        let err =
            OidcSettings::new("https://idp.example", Vec::<String>::new(), None, 30).unwrap_err();
        assert_eq!(err, OidcSettingsError::NoAudience);
        for audiences in [vec![""], vec!["client", " "]] {
            let err = OidcSettings::new("https://idp.example", audiences, None, 30).unwrap_err();
            assert_eq!(err, OidcSettingsError::EmptyAudience);
        }
    }

    #[test]
    fn the_key_url_must_be_https_or_loopback() {
        let err = OidcSettings::new(
            "https://idp.example",
            ["client"],
            Some("http://idp.example/keys".into()),
            30,
        )
        .unwrap_err();
        assert!(
            matches!(&err, OidcSettingsError::JwksUrl(reason) if reason.contains("https://")),
            "{err}"
        );
        let settings = OidcSettings::new(
            "http://127.0.0.1:8081",
            ["client"],
            Some("http://127.0.0.1:8081/keys".into()),
            30,
        )
        .unwrap();
        assert_eq!(settings.jwks_url(), Some("http://127.0.0.1:8081/keys"));
    }
}
