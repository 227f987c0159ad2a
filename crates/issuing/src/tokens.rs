//! [`Tokens`]: derives the customer's UUID, builds the claims once, and has the token crate's
//! [`Issuer`](synerise_auth_token::Issuer) sign them, or hands back the token it signed for the
//! same customer a few minutes ago.
//!
//! What signs (the key, the lifetime, the token cache of that key) is one `Signing` behind an
//! [`ArcSwap`]: a request reads it once, without a lock or an allocation, and a reload swaps in a
//! whole new one, so a request sees either the old state or the new, never half of each.
//!
//! Two simultaneous first requests for the same customer may both sign: both tokens are valid,
//! the later one stays cached, and the case is rare enough (a customer's first requests after a
//! sign-in) that making one wait on the other is not worth an in-flight map on every miss and a
//! waiter that depends on another request's fate.

use std::sync::Arc;

use arc_swap::ArcSwap;
use synerise_auth_token::{
    Claims, CustomerUuid, Email, KeySet, PublicKey, TokenTtl, UnixTime, UuidSalt, Verifier,
};

use crate::{
    IssuingError, SigningSettings,
    signing::{CachedToken, Signing},
    token_cache::{HashedKey, TokenKey},
};

/// Issues Synerise tokens for customers whose identity the caller has already established.
/// `Send + Sync`; reads are lock-free.
///
/// ```
/// use synerise_auth_issuing::{SigningSettings, Tokens};
/// use synerise_auth_token::{Email, SigningKey, UnixTime, UuidSalt};
///
/// let dir = tempfile::tempdir().unwrap();
/// let key = dir.path().join("private.pem");
/// SigningKey::generate(2048).unwrap().write_pkcs8_pem(&key, false).unwrap();
/// let tokens = Tokens::load(SigningSettings::new(&key), UuidSalt::new("a site's salt").unwrap()).unwrap();
///
/// let ann = Email::parse("ann@example.com").unwrap();
/// let now = UnixTime::from_secs(1_700_000_000);
/// let first = tokens.issue(&ann, None, now).unwrap();
/// let again = tokens.issue(&ann, None, now).unwrap();
/// assert!(!first.cache_hit() && again.cache_hit());
/// assert_eq!(first.jwt(), again.jwt());
/// assert_eq!(first.claims().uuid, tokens.derive_uuid(&ann));
/// ```
#[derive(Debug)]
pub struct Tokens {
    signing: ArcSwap<Signing>,
    salt: UuidSalt,
}

/// A token handed to a caller.
#[derive(Debug, Clone)]
pub struct Issued {
    jwt: String,
    claims: Claims,
    cache_hit: bool,
}

impl Issued {
    /// The compact JWT.
    #[must_use]
    pub fn jwt(&self) -> &str {
        &self.jwt
    }

    /// Its claims.
    #[must_use]
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Splits into the compact JWT and its claims.
    #[must_use]
    pub fn into_parts(self) -> (String, Claims) {
        (self.jwt, self.claims)
    }

    /// Whether this token was reused from the cache rather than signed for this request.
    #[must_use]
    pub fn cache_hit(&self) -> bool {
        self.cache_hit
    }
}

/// A token to sign: what [`Tokens::lookup`] found missing from the cache, with the signing state
/// it was looked up in (so a reload in between does not mix two states).
#[derive(Debug)]
pub struct Pending {
    signing: Arc<Signing>,
    claims: Claims,
    issued_at: UnixTime,
    /// The cache key's hash, computed once for the lookup and the insert.
    hash: Option<u64>,
}

impl Pending {
    /// The claims that will be signed.
    #[must_use]
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

/// What a reload did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reloaded {
    /// The active key's RFC 7638 thumbprint after the reload.
    pub key_id: String,
    /// The active key's thumbprint before it.
    pub previous_key_id: String,
    /// How many keys the set holds (active, next, retired).
    pub keys: usize,
    /// The next key's thumbprint, when one is waiting.
    pub next: Option<String>,
    /// The key that signs now.
    pub public_key: PublicKey,
}

impl Reloaded {
    /// Whether another key signs now.
    #[must_use]
    pub fn key_changed(&self) -> bool {
        self.key_id != self.previous_key_id
    }
}

impl Tokens {
    /// Loads the key set `settings` name.
    ///
    /// # Errors
    /// [`IssuingError::KeySet`], naming the file and the reason.
    pub fn load(settings: SigningSettings, salt: UuidSalt) -> Result<Self, IssuingError> {
        Ok(Self::from_signing(Signing::load(settings, None)?, salt))
    }

    /// Signs with `set` (already loaded) as `settings` say; `settings.key` is where a reload
    /// reads the set again.
    #[must_use]
    pub fn with_key_set(set: KeySet, settings: SigningSettings, salt: UuidSalt) -> Self {
        Self::from_signing(Signing::new(set, settings, None), salt)
    }

    fn from_signing(signing: Signing, salt: UuidSalt) -> Self {
        Self {
            signing: ArcSwap::from_pointee(signing),
            salt,
        }
    }

    /// A token for `email` with `uuid`, or with the uuid [derived](Self::derive_uuid) for
    /// `email` when none is given: the cached one when there is one, else signed on this thread.
    ///
    /// # Errors
    /// [`IssuingError::Signing`] when the signature fails.
    pub fn issue(
        &self,
        email: &Email,
        uuid: Option<CustomerUuid>,
        now: UnixTime,
    ) -> Result<Issued, IssuingError> {
        match self.lookup(email, uuid, now) {
            Ok(hit) => Ok(hit),
            Err(pending) => self.sign(pending),
        }
    }

    /// The token signed for exactly this customer, key and lifetime less than the reuse window
    /// before `now`, or what to [`sign`](Self::sign) instead. Cheap: a hash and one map lookup.
    ///
    /// # Errors
    /// A [`Pending`] token when the cache has none (or is off).
    pub fn lookup(
        &self,
        email: &Email,
        uuid: Option<CustomerUuid>,
        now: UnixTime,
    ) -> Result<Issued, Pending> {
        let uuid = uuid.unwrap_or_else(|| self.derive_uuid(email));
        // Read once: the key, the lifetime and the cache all come from the same state, so a
        // token of a key that no longer signs is never looked up.
        let signing = self.signing.load();
        let ttl = signing.ttl();
        let mut hash = None;
        if let Some(cache) = &signing.cache {
            let key = cache.key(TokenKey {
                key_id: &signing.key_id,
                email: email.as_str(),
                uuid: &uuid,
                ttl,
            });
            if let Some(hit) = cache.get(&key, now) {
                return Ok(Issued {
                    jwt: String::from(&*hit.jwt),
                    claims: Claims::clone(&hit.claims),
                    cache_hit: true,
                });
            }
            hash = Some(key.hash);
        }
        Err(Pending {
            // Kept across the caller's wait for a signing slot: a counted reference rather than
            // a borrowed one.
            signing: arc_swap::Guard::into_inner(signing),
            claims: Claims::new(email, uuid, ttl, now),
            issued_at: now,
            hash,
        })
    }

    /// Signs `pending` (about 0.3 ms of CPU for RSA-2048) and keeps the token for reuse.
    ///
    /// # Errors
    /// [`IssuingError::Signing`] when the signature fails.
    pub fn sign(&self, pending: Pending) -> Result<Issued, IssuingError> {
        let Pending {
            signing,
            claims,
            issued_at,
            hash,
        } = pending;
        let jwt = signing
            .issuer
            .sign(&claims)
            .map_err(IssuingError::Signing)?;
        if let (Some(cache), Some(hash)) = (&signing.cache, hash) {
            let key = HashedKey {
                key: TokenKey {
                    key_id: &signing.key_id,
                    email: &claims.email,
                    uuid: &claims.uuid,
                    ttl: signing.ttl(),
                },
                hash,
            };
            let cached = CachedToken {
                jwt: Arc::from(jwt.as_str()),
                claims: Arc::new(claims.clone()),
            };
            cache.insert(&key, issued_at, cached);
        }
        Ok(Issued {
            jwt,
            claims,
            cache_hit: false,
        })
    }

    /// Reads the key set again with the settings in use, and swaps it in; the token cache is
    /// kept when the key that signs is the same.
    ///
    /// # Errors
    /// [`IssuingError::KeySet`]; the keys in use keep signing.
    pub fn reload(&self) -> Result<Reloaded, IssuingError> {
        let settings = self.signing.load().settings.clone();
        self.reload_with(settings)
    }

    /// As [`reload`](Self::reload), with new settings (key, lifetime, `kid`, reuse); the cache
    /// is kept when the key, `kid`, lifetime and reuse settings are all the same.
    ///
    /// # Errors
    /// [`IssuingError::KeySet`]; the keys and settings in use stay.
    pub fn reload_with(&self, settings: SigningSettings) -> Result<Reloaded, IssuingError> {
        let current = self.signing.load_full();
        let loaded = Signing::load(settings, Some(&current))?;
        let reloaded = Reloaded {
            key_id: loaded.key_id.to_string(),
            previous_key_id: current.key_id.to_string(),
            keys: 1 + usize::from(loaded.others.next().is_some()) + loaded.others.retired().len(),
            next: loaded.others.next().map(|k| k.thumbprint().to_owned()),
            public_key: loaded.public_key().clone(),
        };
        self.signing.store(Arc::new(loaded));
        Ok(reloaded)
    }

    /// The customer's UUID: UUIDv5 of the salt and the email.
    #[must_use]
    pub fn derive_uuid(&self, email: &Email) -> CustomerUuid {
        CustomerUuid::derive(&self.salt, email.as_str())
    }

    /// The key that signs.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.signing.load().public_key().clone()
    }

    /// The key that signs, as SPKI PEM.
    #[must_use]
    pub fn public_key_pem(&self) -> String {
        self.signing.load().public_key_pem.clone()
    }

    /// The signing key's RFC 7638 thumbprint (whatever the `kid` header says).
    #[must_use]
    pub fn key_id(&self) -> Arc<str> {
        Arc::clone(&self.signing.load().key_id)
    }

    /// The JWK Set at `now`: the active key, the next key, and the retired keys whose tokens may
    /// still be valid.
    #[must_use]
    pub fn jwks(&self, now: UnixTime) -> String {
        self.signing.load().jwks(now)
    }

    /// A verifier of the keys published at `now` (those of [`jwks`](Self::jwks)): the signing
    /// key for tokens without `kid`, the next and the retired keys when `kid` names them.
    #[must_use]
    pub fn verifier(&self, now: UnixTime) -> Verifier {
        self.signing.load().verifier(now)
    }

    /// The `kid` header the tokens carry, if any.
    #[must_use]
    pub fn kid(&self) -> Option<String> {
        self.signing.load().issuer.kid().map(str::to_owned)
    }

    /// The token lifetime.
    #[must_use]
    pub fn ttl(&self) -> TokenTtl {
        self.signing.load().ttl()
    }

    /// The settings in use.
    #[must_use]
    pub fn settings(&self) -> SigningSettings {
        self.signing.load().settings.clone()
    }
}

#[cfg(test)]
mod tests;
