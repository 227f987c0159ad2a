//! Strict RS256 verification of Synerise tokens.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, Validation, errors::ErrorKind};
use serde_json::{Map, Value};

use crate::{Claims, CustomerUuid, Header, PublicKey, UnixTime, VerifyError};

/// The default clock-skew allowance, in seconds.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;

/// Verifies tokens against one RSA public key, or a key set, accepting RS256 and nothing else.
///
/// A verifier of a set ([`Verifier::for_set`]) picks the key by the header's `kid` (the key's
/// RFC 7638 thumbprint): an unknown `kid` is refused as [`VerifyError::UnknownKey`], and a token
/// without `kid` is checked against the set's first key (the one that signs). A verifier of one
/// key ignores `kid`, as Synerise, which holds one certificate, does.
///
/// Every check lives in this one type, which `synerise-auth verify`, the event gate and the tests
/// all use: the algorithm is pinned to RS256 (so `none` and HS256 signed with the public key as a
/// secret are refused before any signature check), `exp`, `uuid` and `email` are required and
/// typed, and time is checked against the `now` passed in, with an explicit leeway.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: PublicKey,
    /// The other keys of a set, selected by `kid`; empty for a verifier of one key.
    others: Vec<PublicKey>,
    validation: Validation,
    leeway: i64,
}

/// A token that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The header as sent.
    pub header: Header,
    /// The claims.
    pub claims: Claims,
}

impl Verifier {
    /// A verifier for `key` with the default leeway of 30 seconds.
    #[must_use]
    pub fn new(key: &PublicKey) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        // Time and required claims are checked below against the `now` passed in, so that the
        // system clock is never read here and every failure gets its own typed error.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        Self {
            key: key.clone(),
            others: Vec::new(),
            validation,
            leeway: DEFAULT_LEEWAY_SECS.cast_signed(),
        }
    }

    /// A verifier of a key set: `primary` (the key that signs, used for tokens without `kid`) and
    /// `others` (selected by `kid`), with the default leeway. Keys equal to `primary` or repeated
    /// are ignored.
    #[must_use]
    pub fn for_set<'a>(
        primary: &PublicKey,
        others: impl IntoIterator<Item = &'a PublicKey>,
    ) -> Self {
        let mut verifier = Self::new(primary);
        for key in others {
            if key != primary && !verifier.others.contains(key) {
                verifier.others.push(key.clone());
            }
        }
        verifier
    }

    /// Sets the clock-skew allowance applied to `exp`, `nbf` and `iat`.
    #[must_use]
    pub fn with_leeway(mut self, secs: u32) -> Self {
        self.leeway = i64::from(secs);
        self
    }

    /// The key this verifier checks against (a set's first key).
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The key `header` selects: the first key, unless this is a set and `kid` names another.
    fn select(&self, header: &Header) -> Result<&PublicKey, VerifyError> {
        if self.others.is_empty() {
            return Ok(&self.key);
        }
        match header.get("kid") {
            None => Ok(&self.key),
            Some(Value::String(kid)) if kid == self.key.thumbprint() => Ok(&self.key),
            Some(Value::String(kid)) => self
                .others
                .iter()
                .find(|key| key.thumbprint() == kid)
                .ok_or_else(|| VerifyError::UnknownKey { kid: kid.clone() }),
            Some(_) => Err(VerifyError::Malformed(
                "header `kid` is not a string".into(),
            )),
        }
    }

    /// Verifies `token` as of `now`.
    ///
    /// # Errors
    /// A [`VerifyError`] naming the first check that failed.
    pub fn verify(&self, token: &str, now: UnixTime) -> Result<VerifiedToken, VerifyError> {
        let (header, payload, signature) = split(token)?;
        match header.get("alg") {
            Some(Value::String(alg)) if alg == "RS256" => {}
            Some(Value::String(alg)) => {
                return Err(VerifyError::WrongAlgorithm { found: alg.clone() });
            }
            Some(_) => {
                return Err(VerifyError::Malformed(
                    "header `alg` is not a string".into(),
                ));
            }
            None => return Err(VerifyError::Malformed("header has no `alg`".into())),
        }
        // RFC 7515 4.1.11: extensions listed as critical must be understood, or the token is
        // invalid. This verifier understands none.
        if header.contains_key("crit") {
            return Err(VerifyError::Malformed(
                "the header lists `crit` extensions, which this verifier does not understand"
                    .into(),
            ));
        }
        // Shape before signature, so that garbage is reported as garbage, not as a bad signature.
        let is_base64url = |part: &str| {
            part.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !is_base64url(payload) || !is_base64url(signature) || signature.is_empty() {
            return Err(VerifyError::Malformed(
                "payload or signature is not base64url".into(),
            ));
        }
        let key = self.select(&header)?;
        let data =
            jsonwebtoken::decode::<Map<String, Value>>(token, key.decoding_key(), &self.validation)
                .map_err(|e| match e.kind() {
                    ErrorKind::InvalidSignature => VerifyError::BadSignature,
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        VerifyError::WrongAlgorithm {
                            found: "unknown".into(),
                        }
                    }
                    ErrorKind::Json(e) => {
                        VerifyError::Malformed(format!("header or payload does not decode: {e}"))
                    }
                    ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
                        VerifyError::Malformed("a part is not valid base64url".into())
                    }
                    _ => VerifyError::Malformed(e.to_string()),
                })?;
        let claims = self.check_claims(&data.claims, now)?;
        Ok(VerifiedToken { header, claims })
    }

    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        now: UnixTime,
    ) -> Result<Claims, VerifyError> {
        let exp = numeric_date(claims, "exp")?.ok_or(VerifyError::MissingClaim("exp"))?;
        let uuid = match claims.get("uuid") {
            None | Some(Value::Null) => return Err(VerifyError::MissingClaim("uuid")),
            Some(Value::String(text)) => {
                CustomerUuid::parse(text).map_err(|_| VerifyError::InvalidClaim {
                    claim: "uuid",
                    reason: "is not a UUID",
                })?
            }
            Some(_) => {
                return Err(VerifyError::InvalidClaim {
                    claim: "uuid",
                    reason: "must be a string",
                });
            }
        };
        let email = match claims.get("email") {
            None | Some(Value::Null) => return Err(VerifyError::MissingClaim("email")),
            Some(Value::String(text)) if text.trim().is_empty() => {
                return Err(VerifyError::InvalidClaim {
                    claim: "email",
                    reason: "is empty",
                });
            }
            Some(Value::String(text)) => text.clone(),
            Some(_) => {
                return Err(VerifyError::InvalidClaim {
                    claim: "email",
                    reason: "must be a string",
                });
            }
        };
        let iat = numeric_date(claims, "iat")?;
        let nbf = numeric_date(claims, "nbf")?;

        let now_secs = now.as_secs();
        if exp.saturating_add(self.leeway) <= now_secs {
            return Err(VerifyError::Expired { exp, now: now_secs });
        }
        for not_before in [nbf, iat].into_iter().flatten() {
            if not_before.saturating_sub(self.leeway) > now_secs {
                return Err(VerifyError::NotYetValid {
                    nbf: not_before,
                    now: now_secs,
                });
            }
        }
        Ok(Claims {
            exp,
            iat,
            uuid,
            email,
        })
    }
}

/// Splits a compact JWT and decodes its header.
fn split(token: &str) -> Result<(Header, &str, &str), VerifyError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| VerifyError::Malformed("header is not base64url".into()))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok((map, payload, signature)),
        _ => Err(VerifyError::Malformed("header is not a JSON object".into())),
    }
}

/// Reads a NumericDate claim: an integer, or a number with a fractional part (truncated).
fn numeric_date(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, VerifyError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or(VerifyError::InvalidClaim {
                claim: name,
                reason: "is not a valid NumericDate",
            }),
        Some(_) => Err(VerifyError::InvalidClaim {
            claim: name,
            reason: "must be a number of seconds",
        }),
    }
}
