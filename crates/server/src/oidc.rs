//! The service's side of the identity-provider door; the verification itself is the
//! `synerise-auth-oidc` crate. Here: the settings built from the configuration's `[oidc]`
//! `issuer`, `audience` and `jwks_url`. (The verifier's refusals are the application's errors:
//! `synerise_auth_app::AppError`.)

use synerise_auth_oidc::OidcSettingsError;

pub(crate) use synerise_auth_oidc::{IdTokenVerifier, OidcSettings};

/// Builds the settings from the configuration's three values and the service's leeway, each
/// value trimmed and empty ones ignored. `Ok(None)` when none is set: the identity-provider door
/// is closed.
///
/// # Errors
/// A sentence naming the setting to fix: an audience or key URL without an issuer (or the
/// reverse), or a URL that is not `https://` (plain `http://` is allowed only to a loopback
/// address, for tests and local providers).
pub(crate) fn settings_from_config(
    issuer: Option<String>,
    audiences: Option<Vec<String>>,
    jwks_url: Option<String>,
    leeway_secs: u32,
) -> Result<Option<OidcSettings>, String> {
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
        return Err("oidc.audience and oidc.jwks_url need oidc.issuer \
             (SYNERISE_AUTH_OIDC__ISSUER: the identity provider's issuer URL)"
            .into());
    };
    OidcSettings::new(issuer, audiences, jwks_url, leeway_secs)
        .map(Some)
        .map_err(|e| match e {
            OidcSettingsError::Issuer(reason) => format!("oidc.issuer: {reason}"),
            OidcSettingsError::NoAudience => "oidc.issuer needs oidc.audience \
                 (SYNERISE_AUTH_OIDC__AUDIENCE: the site's OAuth client id, as the ID tokens' \
                 `aud` carries it; comma separated for several)"
                .into(),
            OidcSettingsError::JwksUrl(reason) => format!("oidc.jwks_url: {reason}"),
            other => format!("oidc.audience: {other}"),
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn nothing_configured_means_no_identity_provider() {
        assert_eq!(settings_from_config(None, None, None, 30), Ok(None));
        assert_eq!(
            settings_from_config(
                Some(" ".into()),
                Some(vec![" ".into()]),
                Some(String::new()),
                30
            ),
            Ok(None)
        );
    }

    #[test]
    fn values_are_trimmed_and_empty_ones_ignored() {
        let settings = settings_from_config(
            Some(" https://tenant.eu.auth0.com/ ".into()),
            Some(vec![
                "web-client".into(),
                " app-client ".into(),
                String::new(),
            ]),
            Some(" ".into()),
            12,
        )
        .unwrap()
        .unwrap();
        assert_eq!(settings.issuer(), "https://tenant.eu.auth0.com/");
        assert_eq!(settings.audiences(), ["web-client", "app-client"]);
        assert_eq!(settings.jwks_url(), None);
        assert_eq!(settings.leeway_secs(), 12);
        assert_eq!(settings.refetch_min_interval(), Duration::from_secs(60));
        assert_eq!(
            settings.discovery_url(),
            "https://tenant.eu.auth0.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn half_configurations_are_refused_with_what_to_set() {
        let err =
            settings_from_config(Some("https://idp.example".into()), None, None, 30).unwrap_err();
        assert!(err.contains("SYNERISE_AUTH_OIDC__AUDIENCE"), "{err}");
        let err = settings_from_config(None, Some(vec!["client".into()]), None, 30).unwrap_err();
        assert!(err.contains("SYNERISE_AUTH_OIDC__ISSUER"), "{err}");
        let err = settings_from_config(None, None, Some("https://idp.example/keys".into()), 30)
            .unwrap_err();
        assert!(err.contains("SYNERISE_AUTH_OIDC__ISSUER"), "{err}");
    }

    #[test]
    fn a_refused_url_names_its_setting() {
        let err = settings_from_config(
            Some("http://idp.example".into()),
            Some(vec!["client".into()]),
            None,
            30,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "oidc.issuer: `http://idp.example` must be an https:// URL \
             (http:// only to a loopback address)"
        );
        let err = settings_from_config(
            Some("https://idp.example".into()),
            Some(vec!["client".into()]),
            Some("http://idp.example/keys".into()),
            30,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "oidc.jwks_url: `http://idp.example/keys` must be an https:// URL \
             (http:// only to a loopback address)"
        );
    }

    #[test]
    fn settings_come_from_the_environment_and_the_file() {
        let env = crate::SettingsLayer::from_env(|name| match name {
            "SYNERISE_AUTH_OIDC__ISSUER" => Some("https://idp.example/realms/shop".into()),
            "SYNERISE_AUTH_OIDC__AUDIENCE" => Some("web-client, ios-client".into()),
            "SYNERISE_AUTH_LEEWAY_SECS" => Some("10".into()),
            _ => None,
        })
        .unwrap();
        let settings = crate::Settings::resolve(env).unwrap();
        let oidc = settings.oidc.unwrap();
        assert_eq!(oidc.issuer(), "https://idp.example/realms/shop");
        assert_eq!(oidc.audiences(), ["web-client", "ios-client"]);
        assert_eq!(oidc.jwks_url(), None);
        assert_eq!(oidc.leeway_secs(), 10);

        let file: crate::SettingsLayer = toml::from_str(
            "[oidc]\n\
             issuer = \"https://tenant.auth0.com/\"\n\
             audience = [\"client\"]\n\
             jwks_url = \"https://tenant.auth0.com/.well-known/jwks.json\"",
        )
        .unwrap();
        let oidc = crate::Settings::resolve(file).unwrap().oidc.unwrap();
        assert_eq!(
            oidc.jwks_url(),
            Some("https://tenant.auth0.com/.well-known/jwks.json")
        );

        let none = crate::Settings::resolve(crate::SettingsLayer::default()).unwrap();
        assert!(none.oidc.is_none());
    }

    #[test]
    fn a_half_configured_provider_stops_start_up() {
        let layer = crate::SettingsLayer::from_env(|name| {
            (name == "SYNERISE_AUTH_OIDC__ISSUER").then(|| "https://idp.example".into())
        })
        .unwrap();
        let err = crate::Settings::resolve(layer).unwrap_err().to_string();
        assert!(err.contains("SYNERISE_AUTH_OIDC__AUDIENCE"), "{err}");

        let layer = crate::SettingsLayer {
            oidc: crate::OidcLayer {
                issuer: Some("http://idp.example".into()),
                audience: Some(vec!["client".into()]),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = crate::Settings::resolve(layer).unwrap_err().to_string();
        assert!(
            err.contains("oidc.issuer") && err.contains("https://"),
            "{err}"
        );
    }

    #[test]
    fn with_oidc_configures_the_provider_or_names_what_to_fix() {
        let settings = crate::Settings::for_test(std::path::Path::new("/nonexistent"))
            .with_oidc(
                "http://127.0.0.1:9000",
                "shop-web",
                Some("http://127.0.0.1:9000/keys"),
            )
            .unwrap();
        let oidc = settings.oidc.unwrap();
        assert_eq!(oidc.issuer(), "http://127.0.0.1:9000");
        assert_eq!(oidc.audiences(), ["shop-web"]);
        assert_eq!(oidc.jwks_url(), Some("http://127.0.0.1:9000/keys"));
        assert_eq!(oidc.leeway_secs(), 30);
        let err = crate::Settings::for_test(std::path::Path::new("/nonexistent"))
            .with_oidc("https://idp.example", " ", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SYNERISE_AUTH_OIDC__AUDIENCE"), "{err}");
    }
}
