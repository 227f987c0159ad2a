//! `Issuer`: the issuing crate's [`Tokens`] (the key set, the salt, the lifetime, token reuse),
//! loaded once; tokens issued, verified and published from it; the key set reloaded on request.

use std::{path::PathBuf, sync::Arc};

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use synerise_auth_issuing::{KidSetting, SigningSettings, Tokens};
use synerise_auth_token::{CustomerUuid, Email, PublicKeyFormat, TokenTtl, UnixTime, UuidSalt};

use crate::{
    error::{Result, coded, issuing_error, token_error, verify_error},
    issue_task::IssueTask,
    values::{IssuerOptions, VerifiedToken},
};

/// Issues, verifies and publishes Synerise tokens. Holds the key set, the salt and the lifetime;
/// none of them is ever printed.
#[napi]
#[derive(Debug)]
pub struct Issuer {
    tokens: Arc<Tokens>,
}

#[napi]
impl Issuer {
    /// Loads the key set and checks the salt and lifetime. Throws `key_set_invalid` (naming the
    /// file and the reason), `invalid_salt` or `invalid_ttl`.
    #[napi(constructor)]
    pub fn new(options: IssuerOptions) -> Result<Self> {
        let salt = UuidSalt::new(options.salt).map_err(|e| token_error(&e))?;
        let mut settings = SigningSettings::new(PathBuf::from(options.key));
        if let Some(text) = options.ttl.as_deref() {
            settings.ttl = text.parse::<TokenTtl>().map_err(|e| token_error(&e))?;
        }
        settings.kid = KidSetting::parse(options.kid.as_deref().unwrap_or_default());
        settings.cache.enabled = options.reuse.unwrap_or(true);
        let tokens = Tokens::load(settings, salt).map_err(|e| issuing_error(&e))?;
        Ok(Self {
            tokens: Arc::new(tokens),
        })
    }

    /// A token for `email` at `now` (seconds since the epoch): the one signed for this customer
    /// a few minutes ago, or a new signature on libuv's thread pool. `uuid` defaults to the one
    /// derived from the salt and the email. Throws `invalid_email` or `invalid_uuid` before
    /// anything is signed.
    #[napi(ts_return_type = "Promise<IssuedToken>")]
    pub fn issue(
        &self,
        email: String,
        uuid: Option<String>,
        now: i64,
    ) -> Result<AsyncTask<IssueTask>> {
        let email = Email::parse(&email).map_err(|e| token_error(&e))?;
        let uuid = uuid
            .map(|text| CustomerUuid::parse(&text))
            .transpose()
            .map_err(|e| token_error(&e))?;
        // The cache lookup is a hash and a map read: done here, so only a signature crosses to
        // the thread pool.
        let found = self.tokens.lookup(&email, uuid, UnixTime::from_secs(now));
        Ok(AsyncTask::new(IssueTask::new(
            Arc::clone(&self.tokens),
            found,
        )))
    }

    /// The customer's UUID for `email` under this issuer's salt (the email normalised as
    /// `issue` does). Throws `invalid_email`.
    #[napi(js_name = "customerUuid")]
    pub fn customer_uuid(&self, email: String) -> Result<String> {
        let email = Email::parse(&email).map_err(|e| token_error(&e))?;
        Ok(self.tokens.derive_uuid(&email).to_string())
    }

    /// Verifies `token` at `now` against every published key (active, next, and retired keys
    /// whose tokens may still live): RS256 only, signature, `exp` with 30 s of leeway, the
    /// claims. Throws the verifier's code: `malformed_token`, `wrong_algorithm`, `unknown_key`,
    /// `bad_signature`, `expired`, `not_yet_valid`, `missing_claim`, `invalid_claim`.
    #[napi]
    pub fn verify(&self, token: String, now: i64) -> Result<VerifiedToken> {
        let now = UnixTime::from_secs(now);
        let verified = self
            .tokens
            .verifier(now)
            .verify(&token, now)
            .map_err(|e| verify_error(&e))?;
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
        Ok(self.tokens.public_key().to_format(format))
    }

    /// The JWK Set at `now`, as JSON text: the active key, the next key, and the retired keys
    /// whose tokens may still be valid.
    #[napi]
    pub fn jwks(&self, now: i64) -> String {
        self.tokens.jwks(UnixTime::from_secs(now))
    }

    /// The `kid` this issuer's tokens carry, if any.
    #[napi(getter)]
    pub fn kid(&self) -> Option<String> {
        self.tokens.kid()
    }

    /// The token lifetime in seconds.
    #[napi(getter, js_name = "ttlSeconds")]
    pub fn ttl_seconds(&self) -> u32 {
        self.tokens.ttl().as_secs()
    }

    /// Reads the key set again (after `synerise-auth keys activate`, say): tokens from the next
    /// call on are signed with its active key. On an error the keys in use stay, and it throws
    /// `key_set_invalid`.
    #[napi]
    pub fn reload(&self) -> Result<()> {
        self.tokens.reload().map_err(|e| issuing_error(&e))?;
        Ok(())
    }
}
