//! Signing Synerise tokens.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{Claims, CustomerUuid, Email, PublicKey, Result, SigningKey, TokenTtl, UnixTime};

/// Signs Synerise tokens with one RSA key. The key is parsed once, when the issuer is built, and
/// the header is encoded once, so issuing a token is one JSON payload, one signature and base64.
#[derive(Debug)]
pub struct Issuer {
    key: SigningKey,
    /// `base64url(header) + "."`, computed once.
    header_prefix: String,
    kid: Option<String>,
}

/// A freshly signed token and the claims it carries.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    token: String,
    claims: Claims,
}

impl IssuedToken {
    /// The compact JWT.
    #[must_use]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The claims inside it.
    #[must_use]
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Splits into the compact JWT and its claims.
    #[must_use]
    pub fn into_parts(self) -> (String, Claims) {
        (self.token, self.claims)
    }
}

impl Issuer {
    /// An issuer whose header is `{"alg":"RS256","typ":"JWT"}`, plus `kid` when one is given
    /// (see [`PublicKey::thumbprint`] for the usual choice).
    #[must_use]
    pub fn new(key: SigningKey, kid: Option<String>) -> Self {
        // Written out rather than serialized, so that nothing here can fail: a `kid` is escaped
        // as a JSON string by `Value`'s infallible `Display`.
        let json = match &kid {
            None => r#"{"alg":"RS256","typ":"JWT"}"#.to_owned(),
            Some(kid) => format!(
                r#"{{"alg":"RS256","typ":"JWT","kid":{}}}"#,
                serde_json::Value::String(kid.clone())
            ),
        };
        let mut header_prefix = URL_SAFE_NO_PAD.encode(json);
        header_prefix.push('.');
        Self {
            key,
            header_prefix,
            kid,
        }
    }

    /// The public key that verifies this issuer's tokens.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// The signing key.
    #[must_use]
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The `kid` put in headers, if any.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Signs `{exp: now + ttl, iat: now, uuid, email}` ([`Claims::new`]).
    ///
    /// # Errors
    /// [`crate::Error::Signing`] if the signature primitive fails.
    pub fn issue(
        &self,
        email: &Email,
        uuid: &CustomerUuid,
        ttl: TokenTtl,
        now: UnixTime,
    ) -> Result<IssuedToken> {
        let claims = Claims::new(email, *uuid, ttl, now);
        let token = self.sign(&claims)?;
        Ok(IssuedToken { token, claims })
    }

    /// Signs `claims` as they are: the compact JWT.
    ///
    /// # Errors
    /// [`crate::Error::Signing`] if the signature primitive fails.
    pub fn sign(&self, claims: &Claims) -> Result<String> {
        let payload_json = serde_json::to_vec(claims).map_err(|_| crate::Error::Signing)?;

        let sig_len = self.key.signature_len();
        let mut token = String::with_capacity(
            self.header_prefix.len()
                + payload_json.len().div_ceil(3) * 4
                + 1
                + sig_len.div_ceil(3) * 4,
        );
        token.push_str(&self.header_prefix);
        URL_SAFE_NO_PAD.encode_string(&payload_json, &mut token);

        // Signatures are at most 1024 bytes (8192-bit keys): no heap allocation for them.
        let mut signature = [0u8; 1024];
        let signature = signature.get_mut(..sig_len).ok_or(crate::Error::Signing)?;
        self.key.sign_into(token.as_bytes(), signature)?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&*signature, &mut token);
        Ok(token)
    }
}
