//! What every handler shares.

use std::sync::Arc;

use synerise_auth_token::PublicKeyFormat;

use crate::{api_keys::ApiKeys, config::Mode, issuing::Issuing};

/// Shared application state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) mode: Mode,
    pub(crate) issuing: Arc<Issuing>,
    pub(crate) api_keys: ApiKeys,
    /// `/public-key`'s body, rendered once.
    pub(crate) public_key_pem: String,
    /// `/.well-known/jwks.json`'s body, rendered once.
    pub(crate) jwks: String,
}

impl AppState {
    pub(crate) fn new(mode: Mode, issuing: Issuing, api_keys: ApiKeys) -> Self {
        let public = issuing.issuer().public_key();
        let public_key_pem = public.to_format(PublicKeyFormat::Pem);
        let jwks = serde_json::json!({ "keys": [public.to_jwk()] }).to_string();
        Self {
            inner: Arc::new(Inner {
                mode,
                issuing: Arc::new(issuing),
                api_keys,
                public_key_pem,
                jwks,
            }),
        }
    }
}
