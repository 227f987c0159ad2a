//! `[oidc]`: the identity provider whose ID tokens `POST /generate-jwt` accepts.

use super::{SettingsError, declare::declare_layer};

declare_layer! {
    /// `[oidc]`: the identity provider whose ID tokens are exchanged for tokens.
    pub struct OidcLayer in "oidc" {
        issuer: String, default "none",
            "the identity provider's issuer URL (https, or http on loopback)";
        audience: Vec<String>, default "none",
            "the client id(s) the ID tokens' `aud` must contain";
        jwks_url: String, default "from discovery",
            "the provider's key set URL";
    }
}

impl OidcLayer {
    /// The provider, `None` when none is configured (that door is closed).
    pub(crate) fn resolve(
        &self,
        leeway_secs: u32,
    ) -> Result<Option<crate::oidc::OidcSettings>, SettingsError> {
        crate::oidc::settings_from_config(
            self.issuer.clone(),
            self.audience.clone(),
            self.jwks_url.clone(),
            leeway_secs,
        )
        .map_err(SettingsError::Invalid)
    }
}
