//! Verification of one ID token: header, key, signature, then claims.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Validation, errors::ErrorKind};
use serde_json::{Map, Value};
use synerise_auth_token::{Email, UnixTime};

use crate::{error::OidcError, jwks_cache::JwksCache, key_set::SigningAlg, settings::OidcSettings};

/// The longest ID token considered. Real ones are 1 to 2 KiB; this bounds the work a request can
/// cause before its signature is checked.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Who an ID token says the customer is, once every check has passed.
///
/// Only [`IdTokenVerifier::verify`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedIdentity {
    /// The verified email address: the one the Synerise token will carry.
    pub email: Email,
    /// The provider's stable id for the customer (`sub`); with `issuer`, the key for per-identity
    /// rate limits.
    pub subject: String,
    /// The issuer (`iss`), as configured.
    pub issuer: String,
}

/// Verifies the ID tokens of one OpenID Connect issuer.
///
/// Cheap to clone (the key cache is shared), `Send` and `Sync`. The checks, in order:
/// 1. the token is a compact JWS of at most 16 KiB whose header's `alg` is RS256 or ES256 (`none`,
///    HS256 and everything else are refused before any key is looked up), with no `crit`, and not
///    typed as an access token (`typ: at+jwt`);
/// 2. the key its `kid` names is in the provider's key set, of the type `alg` needs (see
///    `jwks_cache.rs` for fetching and caching);
/// 3. the signature verifies (jsonwebtoken, with exactly `alg` allowed);
/// 4. `iss` is exactly the configured issuer; `aud` (a string or an array) contains a configured
///    audience;
/// 5. `exp` is present and, with the leeway, not passed; `nbf` and `iat`, if present, less the
///    leeway, not to come (against the `now` passed in, never the system clock);
/// 6. `sub` is a non-empty string; `email` is an address; `email_verified` is `true`.
///
/// `email_verified` as the string `"true"` is accepted too: some providers (Amazon Cognito among
/// them) send it so. The claim is signed by the provider and the text is unambiguous, so reading
/// it as `true` grants nothing the provider did not assert; every other value (`false`,
/// `"false"`, `"True"`, `1`, absent) is refused.
///
/// `azp` is not checked: OpenID Connect only says a client SHOULD, and providers use it for the
/// presenting client, which is legitimately another of the site's clients (e.g. a mobile app).
#[derive(Debug, Clone)]
pub struct IdTokenVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    issuer: String,
    audiences: Vec<String>,
    leeway: i64,
    keys: JwksCache,
}

impl IdTokenVerifier {
    /// A verifier for the issuer `settings` names, fetching through `http` (whose redirect and
    /// TLS policy it keeps). Nothing is fetched until the first token needs a key.
    #[must_use]
    pub fn new(settings: OidcSettings, http: reqwest::Client) -> Self {
        let keys = JwksCache::new(&settings, http);
        Self {
            inner: Arc::new(Inner {
                issuer: settings.issuer,
                audiences: settings.audiences,
                leeway: i64::from(settings.leeway_secs),
                keys,
            }),
        }
    }

    /// The issuer tokens must name, as configured.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// Verifies `id_token` as of `now`.
    ///
    /// # Errors
    /// An [`OidcError`] naming the first check that failed.
    pub async fn verify(
        &self,
        id_token: &str,
        now: UnixTime,
    ) -> Result<VerifiedIdentity, OidcError> {
        let inner = &*self.inner;
        if id_token.len() > MAX_TOKEN_BYTES {
            return Err(malformed("it is longer than 16 KiB"));
        }
        let header = Header::parse(id_token)?;
        let key = inner
            .keys
            .key_for(header.kid.as_deref(), header.alg, now)
            .await?;

        let mut validation = Validation::new(header.alg.jwt());
        // Claims are checked below, against the `now` passed in and with typed errors.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Map<String, Value>>(id_token, &key.key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => OidcError::BadSignature,
                ErrorKind::Json(_) => malformed("the payload is not a JSON object"),
                ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
                    malformed("a part is not valid base64url")
                }
                _ => malformed("it does not decode"),
            })?
            .claims;
        inner.check_claims(&claims, now)
    }
}

impl Inner {
    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        now: UnixTime,
    ) -> Result<VerifiedIdentity, OidcError> {
        match claims.get("iss") {
            Some(Value::String(iss)) if *iss == self.issuer => {}
            _ => return Err(OidcError::WrongIssuer),
        }
        let for_us = |aud: &Value| matches!(aud, Value::String(a) if self.audiences.contains(a));
        let audience_ok = match claims.get("aud") {
            Some(aud @ Value::String(_)) => for_us(aud),
            Some(Value::Array(auds)) => auds.iter().any(for_us),
            _ => false,
        };
        if !audience_ok {
            return Err(OidcError::WrongAudience);
        }

        let exp = numeric_date(claims, "exp")?.ok_or_else(|| malformed("it has no `exp`"))?;
        let now_secs = now.as_secs();
        if exp.saturating_add(self.leeway) <= now_secs {
            return Err(OidcError::Expired { exp, now: now_secs });
        }
        for not_before in [numeric_date(claims, "nbf")?, numeric_date(claims, "iat")?]
            .into_iter()
            .flatten()
        {
            if not_before.saturating_sub(self.leeway) > now_secs {
                return Err(OidcError::NotYetValid {
                    not_before,
                    now: now_secs,
                });
            }
        }

        let subject = match claims.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
            _ => return Err(malformed("it has no `sub`")),
        };
        let email = match claims.get("email") {
            None | Some(Value::Null) => return Err(OidcError::MissingEmail),
            Some(Value::String(text)) if text.trim().is_empty() => {
                return Err(OidcError::MissingEmail);
            }
            Some(Value::String(text)) => {
                Email::parse(text).map_err(|_| malformed("its `email` is not an email address"))?
            }
            Some(_) => return Err(malformed("its `email` is not a string")),
        };
        match claims.get("email_verified") {
            Some(Value::Bool(true)) => {}
            Some(Value::String(text)) if text == "true" => {}
            _ => return Err(OidcError::EmailNotVerified),
        }
        Ok(VerifiedIdentity {
            email,
            subject,
            issuer: self.issuer.clone(),
        })
    }
}

/// What the header says, checked before anything else is done with the token.
#[derive(Debug)]
struct Header {
    alg: SigningAlg,
    kid: Option<String>,
}

impl Header {
    fn parse(token: &str) -> Result<Self, OidcError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("expected three dot-separated parts"));
        };
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
            .ok_or_else(|| malformed("the header is not a base64url JSON object"))?;
        let alg = match header.get("alg") {
            Some(Value::String(alg)) => {
                SigningAlg::from_header(alg).ok_or_else(|| OidcError::unsupported_algorithm(alg))?
            }
            _ => return Err(malformed("the header has no `alg`")),
        };
        // RFC 7515 4.1.11: extensions marked critical must be understood; none are.
        if header.contains_key("crit") {
            return Err(malformed("the header has `crit` extensions"));
        }
        // RFC 9068: an OAuth access token is not an ID token, even from the same issuer.
        if let Some(Value::String(typ)) = header.get("typ") {
            let typ = typ.to_ascii_lowercase();
            if typ == "at+jwt" || typ == "application/at+jwt" {
                return Err(malformed("it is an access token, not an ID token"));
            }
        }
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(malformed("the header's `kid` is not a string")),
        };
        // Shape before key lookup, so that garbage neither triggers a fetch nor reads as a bad
        // signature.
        let is_base64url = |part: &str| {
            part.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if payload.is_empty()
            || signature.is_empty()
            || !is_base64url(payload)
            || !is_base64url(signature)
        {
            return Err(malformed("the payload or signature is not base64url"));
        }
        Ok(Self { alg, kid })
    }
}

fn malformed(reason: &'static str) -> OidcError {
    OidcError::Malformed(reason.into())
}

/// Reads a NumericDate claim: an integer, or a number with a fraction (truncated).
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, OidcError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| malformed("a time claim is not a NumericDate")),
        Some(_) => Err(malformed("a time claim is not a number of seconds")),
    }
}
