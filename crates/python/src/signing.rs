//! What signs: the key set loaded from a key file or directory, the `kid` header rule, the
//! lifetime. Built whole at start and at each reload, then swapped in at once, so a token is
//! never signed with half of an old state and half of a new one.

use std::{path::PathBuf, sync::Arc};

use arc_swap::ArcSwap;
use synerise_auth_token::{
    Claims, CustomerUuid, Email, Issuer, KeySet, OtherKeys, PublicKey, TokenTtl, UnixTime,
    UuidSalt, Verifier,
};

use crate::errors::Refusal;

/// The `kid` header: none, the key's thumbprint, or a fixed string; the thumbprint whenever the
/// set holds more than one key, as `serve` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KidSetting {
    None,
    Thumbprint,
    Fixed(String),
}

impl KidSetting {
    pub(crate) fn parse(text: Option<&str>) -> Self {
        match text {
            None | Some("none") => Self::None,
            Some("thumbprint") => Self::Thumbprint,
            Some(fixed) => Self::Fixed(fixed.to_owned()),
        }
    }
}

/// The settings an issuer is made from.
#[derive(Debug, Clone)]
pub(crate) struct SigningSettings {
    pub(crate) key: PathBuf,
    pub(crate) ttl: TokenTtl,
    pub(crate) kid: KidSetting,
}

#[derive(Debug)]
struct State {
    issuer: Issuer,
    others: OtherKeys,
}

/// Signs tokens for customers, reloadable.
#[derive(Debug)]
pub(crate) struct Tokens {
    settings: SigningSettings,
    salt: UuidSalt,
    state: ArcSwap<State>,
}

/// A signed token and its claims.
#[derive(Debug)]
pub(crate) struct Signed {
    pub(crate) jwt: String,
    pub(crate) claims: Claims,
}

impl Tokens {
    pub(crate) fn load(settings: SigningSettings, salt: UuidSalt) -> Result<Self, Refusal> {
        let state = Self::build(&settings)?;
        Ok(Self {
            settings,
            salt,
            state: ArcSwap::from_pointee(state),
        })
    }

    fn build(settings: &SigningSettings) -> Result<State, Refusal> {
        let set = KeySet::load(&settings.key)?;
        let several = set.len() > 1;
        let (active, others) = set.into_parts();
        let thumbprint = active.public_key().thumbprint().to_owned();
        let kid = match (&settings.kid, several) {
            (KidSetting::Fixed(kid), false) => Some(kid.clone()),
            (KidSetting::None, false) => None,
            _ => Some(thumbprint),
        };
        Ok(State {
            issuer: Issuer::new(active, kid),
            others,
        })
    }

    /// Reads the key set again; on failure the old one keeps signing.
    pub(crate) fn reload(&self) -> Result<(), Refusal> {
        let state = Self::build(&self.settings)?;
        self.state.store(Arc::new(state));
        Ok(())
    }

    pub(crate) fn derive_uuid(&self, email: &Email) -> CustomerUuid {
        CustomerUuid::derive(&self.salt, email.as_str())
    }

    pub(crate) fn ttl(&self) -> TokenTtl {
        self.settings.ttl
    }

    pub(crate) fn issue(
        &self,
        email: &Email,
        uuid: Option<CustomerUuid>,
        now: UnixTime,
    ) -> Result<Signed, Refusal> {
        let uuid = uuid.unwrap_or_else(|| self.derive_uuid(email));
        let state = self.state.load();
        let issued = state.issuer.issue(email, &uuid, self.settings.ttl, now)?;
        let (jwt, claims) = issued.into_parts();
        Ok(Signed { jwt, claims })
    }

    pub(crate) fn public_key(&self) -> PublicKey {
        self.state.load().issuer.public_key().clone()
    }

    pub(crate) fn kid(&self) -> Option<String> {
        self.state.load().issuer.kid().map(str::to_owned)
    }

    /// The JWK Set at `now`: active, next, and retired keys whose tokens may still be valid.
    pub(crate) fn jwks(&self, now: UnixTime) -> String {
        let state = self.state.load();
        let keys: Vec<serde_json::Value> = std::iter::once(state.issuer.public_key())
            .chain(state.others.published(now, self.settings.ttl))
            .map(PublicKey::to_jwk)
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }

    pub(crate) fn verifier(&self, now: UnixTime) -> Verifier {
        let state = self.state.load();
        Verifier::for_set(
            state.issuer.public_key(),
            state.others.published(now, self.settings.ttl),
        )
    }
}
