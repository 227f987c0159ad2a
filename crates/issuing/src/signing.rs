//! What signs right now: the key set's active key in an [`Issuer`], the token lifetime, the token
//! reuse cache of that key, and what is published (`/public-key`, the JWKS). Built whole from the
//! settings at start and at each reload, then swapped in at once (see [`crate::Tokens`]).

use std::sync::Arc;

use synerise_auth_token::{
    Claims, Issuer, KeySet, OtherKeys, PublicKey, PublicKeyFormat, TokenTtl, UnixTime, Verifier,
};

use crate::{KidSetting, SigningSettings, token_cache::TokenCache};

/// A token as the cache keeps it: the compact JWT and its claims.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) jwt: Arc<str>,
    pub(crate) claims: Arc<Claims>,
}

/// The signing state, immutable once built.
#[derive(Debug)]
pub(crate) struct Signing {
    pub(crate) settings: SigningSettings,
    pub(crate) issuer: Issuer,
    /// The signing key's RFC 7638 thumbprint: part of every cache key, so that a token signed
    /// with one key is never handed out once another key signs.
    pub(crate) key_id: Arc<str>,
    pub(crate) others: OtherKeys,
    /// Token reuse for this key, this `kid` header and these settings (a reload that changes
    /// none of them keeps it: a set that grows from one key to two names its key from then on,
    /// so the cached tokens without a `kid` are not handed out any more).
    pub(crate) cache: Option<Arc<TokenCache<CachedToken>>>,
    /// `/public-key`'s body: the active key as SPKI PEM.
    pub(crate) public_key_pem: String,
}

impl Signing {
    /// Loads the key set `settings` name and builds the state; `previous` lends its token cache
    /// when the key, the `kid` header and the cache settings are the same.
    ///
    /// # Errors
    /// The key set's error, naming the file and the reason.
    pub(crate) fn load(
        settings: SigningSettings,
        previous: Option<&Self>,
    ) -> Result<Self, crate::IssuingError> {
        let set = KeySet::load(&settings.key).map_err(crate::IssuingError::KeySet)?;
        Ok(Self::new(set, settings, previous))
    }

    /// The state for `set`.
    pub(crate) fn new(set: KeySet, settings: SigningSettings, previous: Option<&Self>) -> Self {
        let several = set.len() > 1;
        let (active, others) = set.into_parts();
        let thumbprint = active.public_key().thumbprint().to_owned();
        // With more than one key published, a verifier needs the `kid` to pick the key.
        let kid = match (&settings.kid, several) {
            (KidSetting::Fixed(kid), false) => Some(kid.clone()),
            (KidSetting::None, false) => None,
            _ => Some(thumbprint.clone()),
        };
        let public_key_pem = active.public_key().to_format(PublicKeyFormat::Pem);
        let cache = match previous {
            Some(previous)
                if *previous.key_id == *thumbprint
                    && previous.issuer.kid() == kid.as_deref()
                    && previous.settings.ttl == settings.ttl
                    && previous.settings.cache == settings.cache =>
            {
                previous.cache.clone()
            }
            _ => settings.cache.enabled.then(|| {
                Arc::new(TokenCache::new(
                    settings.cache.capacity,
                    settings.cache.max_age,
                ))
            }),
        };
        Self {
            issuer: Issuer::new(active, kid),
            key_id: Arc::from(thumbprint),
            others,
            cache,
            public_key_pem,
            settings,
        }
    }

    /// The active key.
    pub(crate) fn public_key(&self) -> &PublicKey {
        self.issuer.public_key()
    }

    /// The token lifetime.
    pub(crate) fn ttl(&self) -> TokenTtl {
        self.settings.ttl
    }

    /// The JWK Set at `now`: the active key, the next key, and the retired keys whose tokens may
    /// still be valid (retired less than the token lifetime ago).
    pub(crate) fn jwks(&self, now: UnixTime) -> String {
        let keys: Vec<serde_json::Value> = std::iter::once(self.public_key())
            .chain(self.others.published(now, self.settings.ttl))
            .map(PublicKey::to_jwk)
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }

    /// A verifier of the keys published at `now`: the active key for tokens without `kid`, the
    /// others selected by `kid`.
    pub(crate) fn verifier(&self, now: UnixTime) -> Verifier {
        Verifier::for_set(
            self.public_key(),
            self.others.published(now, self.settings.ttl),
        )
    }
}
