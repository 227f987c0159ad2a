//! The registered certificate: one active RSA public key, and the ones it replaced.

use std::path::Path;

use synerise_auth_token::{PublicKey, UnixTime, VerifiedToken, Verifier, VerifyError};

use crate::{ConfigError, Result};

/// How many replaced certificates are remembered, newest first; older ones are forgotten, and
/// tokens signed by them are then refused as `bad_signature`.
pub const MAX_REPLACED: usize = 16;

/// The certificate registered with the gate, as in Synerise's "Certificate" field: exactly one is
/// active, and replacing it refuses tokens signed by the old key.
///
/// The previously active keys are kept (up to [`MAX_REPLACED`]) only to say why such a token is
/// refused: `certificate_replaced` instead of `bad_signature`, which is what a developer who has
/// just pasted a new certificate needs to hear. They never make a token valid.
///
/// Tokens are checked with [`synerise_auth_token::Verifier`], the same code path as
/// `synerise-auth verify`.
#[derive(Debug, Clone)]
pub struct CertificateRegistry {
    active: Verifier,
    /// Newest first.
    replaced: Vec<Verifier>,
    leeway: Option<u32>,
}

/// Why a token was refused by the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenRefusal {
    /// The verifier refused the token against the active certificate.
    #[error(transparent)]
    Invalid(VerifyError),
    /// The token's signature matches a certificate that has since been replaced.
    #[error("the token was signed with a replaced certificate (kid {replaced_kid})")]
    CertificateReplaced {
        /// The RFC 7638 thumbprint of the replaced public key that signed the token.
        replaced_kid: String,
    },
}

impl TokenRefusal {
    /// The stable snake_case code: the verifier's ([`VerifyError::code`]) or
    /// `certificate_replaced`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(error) => error.code(),
            Self::CertificateReplaced { .. } => "certificate_replaced",
        }
    }
}

impl CertificateRegistry {
    /// A registry whose active certificate is `key`, with the verifier's default leeway.
    #[must_use]
    pub fn new(key: &PublicKey) -> Self {
        Self {
            active: Verifier::new(key),
            replaced: Vec::new(),
            leeway: None,
        }
    }

    /// A registry from certificate text in any form a person might paste into Synerise's field:
    /// PEM with or without header and footer, with or without line breaks, bare base64 of the DER,
    /// or PKCS#1 (`BEGIN RSA PUBLIC KEY`). `origin` names the text in error messages.
    ///
    /// # Errors
    /// [`ConfigError::Certificate`] when the text holds no RSA public key of at least 2048 bits.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        Ok(Self::new(&parse_key(text, origin)?))
    }

    /// A registry from a certificate file in any of the forms [`parse`](Self::parse) takes, or DER.
    ///
    /// # Errors
    /// [`ConfigError::Certificate`] when the file cannot be read or holds no usable public key.
    pub fn from_file(path: &Path) -> Result<Self> {
        let key = PublicKey::from_file(path).map_err(ConfigError::Certificate)?;
        Ok(Self::new(&key))
    }

    /// Sets the clock-skew allowance, in seconds, applied to `exp`, `nbf` and `iat`.
    #[must_use]
    pub fn with_leeway(mut self, secs: u32) -> Self {
        self.leeway = Some(secs);
        self.active = self.verifier(self.active.public_key());
        self.replaced = self
            .replaced
            .iter()
            .map(|v| self.verifier(v.public_key()))
            .collect();
        self
    }

    fn verifier(&self, key: &PublicKey) -> Verifier {
        let verifier = Verifier::new(key);
        match self.leeway {
            Some(secs) => verifier.with_leeway(secs),
            None => verifier,
        }
    }

    /// The active certificate.
    #[must_use]
    pub fn active(&self) -> &PublicKey {
        self.active.public_key()
    }

    /// The replaced certificates still remembered, newest first.
    pub fn replaced(&self) -> impl ExactSizeIterator<Item = &PublicKey> {
        self.replaced.iter().map(Verifier::public_key)
    }

    /// Makes `key` the active certificate; the one it replaces is remembered. Returns `false`, and
    /// changes nothing, when `key` is already active. A key that was replaced earlier may be made
    /// active again: its tokens are then valid again.
    pub fn replace(&mut self, key: &PublicKey) -> bool {
        if key == self.active() {
            return false;
        }
        self.replaced.retain(|v| v.public_key() != key);
        let next = self.verifier(key);
        let previous = std::mem::replace(&mut self.active, next);
        self.replaced.insert(0, previous);
        self.replaced.truncate(MAX_REPLACED);
        true
    }

    /// Like [`replace`](Self::replace), from certificate text in any form [`parse`](Self::parse)
    /// takes.
    ///
    /// # Errors
    /// [`ConfigError::Certificate`] when the text holds no usable public key; the registry is then
    /// unchanged.
    pub fn replace_text(&mut self, text: &str, origin: &str) -> Result<bool> {
        let key = parse_key(text, origin)?;
        Ok(self.replace(&key))
    }

    /// Verifies `token` against the active certificate as of `now`.
    ///
    /// # Errors
    /// [`TokenRefusal::CertificateReplaced`] when the signature does not match the active
    /// certificate but matches a replaced one; otherwise [`TokenRefusal::Invalid`] with the
    /// verifier's error.
    pub fn verify(&self, token: &str, now: UnixTime) -> Result<VerifiedToken, TokenRefusal> {
        match self.active.verify(token, now) {
            Err(VerifyError::BadSignature) => {
                // The verifier checks the signature before any claim, so any answer other than
                // `BadSignature` from an old key means the old key signed the token.
                let signer = self
                    .replaced
                    .iter()
                    .find(|old| !matches!(old.verify(token, now), Err(VerifyError::BadSignature)));
                Err(match signer {
                    Some(old) => TokenRefusal::CertificateReplaced {
                        replaced_kid: old.public_key().thumbprint().to_owned(),
                    },
                    None => TokenRefusal::Invalid(VerifyError::BadSignature),
                })
            }
            other => other.map_err(TokenRefusal::Invalid),
        }
    }
}

fn parse_key(text: &str, origin: &str) -> Result<PublicKey> {
    PublicKey::parse_text(text, origin).map_err(ConfigError::Certificate)
}
