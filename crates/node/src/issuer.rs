//! `Issuer`: the key set, the salt and the token lifetime, loaded once; tokens issued, verified
//! and published from them; the key set reloaded on request.

use std::{path::PathBuf, sync::Arc};

use arc_swap::ArcSwap;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use synerise_auth_token::{
    CustomerUuid, Email, PublicKey, PublicKeyFormat, TokenTtl, UnixTime, UuidSalt, Verifier,
};

use crate::{
    error::{Result, coded, token_error, verify_error},
    issue_task::IssueTask,
    signing::{Kid, Signing, load},
    values::{IssuerOptions, VerifiedToken},
};

/// Issues, verifies and publishes Synerise tokens. Holds the key set, the salt and the lifetime;
/// none of them is ever printed.
#[napi]
#[derive(Debug)]
pub struct Issuer {
    key: PathBuf,
    kid: Kid,
    salt: UuidSalt,
    ttl: TokenTtl,
    signing: ArcSwap<Signing>,
}

#[napi]
impl Issuer {
    /// Loads the key set and checks the salt and lifetime. Throws `key_set_invalid` (naming the file
    /// and the reason), `invalid_salt` or `invalid_ttl`.
    #[napi(constructor)]
    pub fn new(options: IssuerOptions) -> Result<Self> {
        let salt = UuidSalt::new(options.salt).map_err(|e| token_error(&e))?;
        let ttl = match options.ttl.as_deref() {
            None => TokenTtl::default(),
            Some(text) => text.parse().map_err(|e| token_error(&e))?,
        };
        let kid = match options.kid.as_deref() {
            None | Some("" | "none") => Kid::None,
            Some("thumbprint") => Kid::Thumbprint,
            Some(fixed) => Kid::Fixed(fixed.to_owned()),
        };
        let key = PathBuf::from(options.key);
        let signing = load(&key, &kid)?;
        Ok(Self {
            key,
            kid,
            salt,
            ttl,
            signing: ArcSwap::from_pointee(signing),
        })
    }

    /// Signs `{exp, iat, uuid, email}` for `email` at `now` (seconds since the epoch) on libuv's
    /// thread pool. `uuid` defaults to the one derived from the salt and the email. Throws
    /// `invalid_email` or `invalid_uuid` before anything is signed.
    #[napi(ts_return_type = "Promise<IssuedToken>")]
    pub fn issue(
        &self,
        email: String,
        uuid: Option<String>,
        now: i64,
    ) -> Result<AsyncTask<IssueTask>> {
        let email = Email::parse(&email).map_err(|e| token_error(&e))?;
        let uuid = match uuid {
            Some(text) => CustomerUuid::parse(&text).map_err(|e| token_error(&e))?,
            None => CustomerUuid::derive(&self.salt, email.as_str()),
        };
        Ok(AsyncTask::new(IssueTask::new(
            self.signing.load_full(),
            email,
            uuid,
            self.ttl,
            UnixTime::from_secs(now),
        )))
    }

    /// The customer's UUID for `email` under this issuer's salt (the email normalised as
    /// `issue` does). Throws `invalid_email`.
    #[napi(js_name = "customerUuid")]
    pub fn customer_uuid(&self, email: String) -> Result<String> {
        let email = Email::parse(&email).map_err(|e| token_error(&e))?;
        Ok(CustomerUuid::derive(&self.salt, email.as_str()).to_string())
    }

    /// Verifies `token` at `now` against every published key (active, next, and retired keys
    /// whose tokens may still live): RS256 only, signature, `exp` with 30 s of leeway, the
    /// claims. Throws the verifier's code: `malformed_token`, `wrong_algorithm`, `unknown_key`,
    /// `bad_signature`, `expired`, `not_yet_valid`, `missing_claim`, `invalid_claim`.
    #[napi]
    pub fn verify(&self, token: String, now: i64) -> Result<VerifiedToken> {
        let now = UnixTime::from_secs(now);
        let signing = self.signing.load();
        let verifier = Verifier::for_set(
            signing.issuer.public_key(),
            signing.others.published(now, self.ttl),
        );
        let verified = verifier.verify(&token, now).map_err(|e| verify_error(&e))?;
        let kid = verified
            .header
            .get("kid")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        Ok(VerifiedToken {
            email: verified.claims.email,
            uuid: verified.claims.uuid.to_string(),
            exp: verified.claims.exp,
            iat: verified.claims.iat,
            kid,
        })
    }

    /// The active public key: `single-line` (Synerise's certificate field, the default), `pem`,
    /// `base64` or `jwk`. Throws `invalid_format`.
    #[napi(js_name = "publicKey")]
    pub fn public_key(&self, format: Option<String>) -> Result<String> {
        let format = match format.as_deref() {
            None => PublicKeyFormat::SingleLine,
            Some(text) => text
                .parse::<PublicKeyFormat>()
                .map_err(|e| coded("invalid_format", e))?,
        };
        Ok(self.signing.load().issuer.public_key().to_format(format))
    }

    /// The JWK Set at `now`, as JSON text: the active key, the next key, and the retired keys
    /// whose tokens may still be valid.
    #[napi]
    pub fn jwks(&self, now: i64) -> String {
        let signing = self.signing.load();
        let keys: Vec<serde_json::Value> = std::iter::once(signing.issuer.public_key())
            .chain(signing.others.published(UnixTime::from_secs(now), self.ttl))
            .map(PublicKey::to_jwk)
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }

    /// The `kid` this issuer's tokens carry, if any.
    #[napi(getter)]
    pub fn kid(&self) -> Option<String> {
        self.signing.load().issuer.kid().map(str::to_owned)
    }

    /// The token lifetime in seconds.
    #[napi(getter, js_name = "ttlSeconds")]
    pub fn ttl_seconds(&self) -> u32 {
        self.ttl.as_secs()
    }

    /// Reads the key set again (after `synerise-auth keys activate`, say): tokens from the next
    /// call on are signed with its active key. On an error the keys in use stay, and it throws
    /// `key_set_invalid`.
    #[napi]
    pub fn reload(&self) -> Result<()> {
        let signing = load(&self.key, &self.kid)?;
        self.signing.store(Arc::new(signing));
        Ok(())
    }
}
