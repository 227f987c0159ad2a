//! An RSA public key and the forms it is shown in: PEM, Synerise's one-line certificate form,
//! bare base64, and a JWK whose `kid` is its RFC 7638 thumbprint.

use std::{fmt, str::FromStr};

use aws_lc_rs::encoding::AsDer;
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use jsonwebtoken::DecodingKey;
use sha2::{Digest, Sha256};

use crate::{KeyError, Result};

const PEM_HEADER: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_FOOTER: &str = "-----END PUBLIC KEY-----";

/// The forms a public key can be printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyFormat {
    /// SPKI PEM with line breaks, as `openssl rsa -pubout` writes it.
    Pem,
    /// SPKI PEM on one line, header and footer included: what Synerise's certificate field takes.
    SingleLine,
    /// The base64 of the SPKI DER, without header or footer.
    Base64,
    /// A JSON Web Key (RFC 7517) with `kid` set to its RFC 7638 thumbprint.
    Jwk,
}

impl FromStr for PublicKeyFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "pem" => Ok(Self::Pem),
            "single-line" => Ok(Self::SingleLine),
            "base64" => Ok(Self::Base64),
            "jwk" => Ok(Self::Jwk),
            other => Err(format!(
                "unknown format `{other}`: choose pem, single-line, base64 or jwk"
            )),
        }
    }
}

/// An RSA public key (at least 2048 bits), ready to verify RS256 signatures.
#[derive(Clone)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
    thumbprint: String,
    decoding: DecodingKey,
}

impl PublicKey {
    pub(crate) fn from_aws(key: &aws_lc_rs::rsa::PublicKey, origin: &str) -> Result<Self> {
        let spki = key
            .as_der()
            .map_err(|_| KeyError::refused(origin, "public key could not be encoded"))?;
        Ok(Self::build(
            spki.as_ref().to_vec(),
            key.modulus().big_endian_without_leading_zero().to_vec(),
            key.exponent().big_endian_without_leading_zero().to_vec(),
        ))
    }

    fn build(spki_der: Vec<u8>, n: Vec<u8>, e: Vec<u8>) -> Self {
        let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
        // RFC 7638: the SHA-256 of the required members in lexicographic order, no white space.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(&e),
            URL_SAFE_NO_PAD.encode(&n)
        );
        let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Self {
            spki_der,
            n,
            e,
            thumbprint,
            decoding,
        }
    }

    /// Parses a public key from DER: SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    /// [`KeyError::Refused`] when the bytes are not an RSA public key of at least 2048 bits.
    pub fn from_der(der: &[u8], origin: &str) -> Result<Self> {
        let key = aws_lc_rs::rsa::PublicKey::from_der(der)
            .map_err(|_| KeyError::refused(origin, "is not an RSA public key"))?;
        let bits = key.modulus_len() * 8;
        if bits < 2048 {
            return Err(KeyError::refused(
                origin,
                format!("is a {bits}-bit RSA key; at least 2048 bits are required"),
            )
            .into());
        }
        Self::from_aws(&key, origin)
    }

    /// Builds a public key from its modulus and exponent (big-endian bytes), as found in a JWK.
    ///
    /// # Errors
    /// [`KeyError::Refused`] when they do not make an RSA key of at least 2048 bits.
    pub fn from_rsa_components(n: &[u8], e: &[u8], origin: &str) -> Result<Self> {
        let components = aws_lc_rs::rsa::PublicKeyComponents { n, e };
        let der = components
            .as_der()
            .map_err(|_| KeyError::refused(origin, "is not a valid RSA public key"))?;
        Self::from_der(der.as_ref(), origin)
    }

    /// Parses a public key in any form a person might paste into Synerise's certificate field:
    /// PEM with or without header and footer, with or without line breaks, or bare base64 of the
    /// DER. `BEGIN RSA PUBLIC KEY` (PKCS#1) is accepted too.
    ///
    /// ```
    /// use synerise_auth_token::{PublicKey, PublicKeyFormat, SigningKey};
    /// let key = SigningKey::generate(2048).unwrap();
    /// let one_line = key.public_key().to_format(PublicKeyFormat::SingleLine);
    /// let parsed = PublicKey::parse_text(&one_line, "pasted text").unwrap();
    /// assert_eq!(&parsed, key.public_key());
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Refused`] when the text holds no RSA public key, or holds a private key.
    pub fn parse_text(text: &str, origin: &str) -> Result<Self> {
        if text.contains("PRIVATE KEY") {
            return Err(KeyError::refused(
                origin,
                "holds a private key; give the public key (`synerise-auth public-key`)",
            )
            .into());
        }
        if text.contains("BEGIN CERTIFICATE") {
            return Err(KeyError::refused(
                origin,
                "holds an X.509 certificate; give the public key it certifies",
            )
            .into());
        }
        let mut body = text.trim().to_owned();
        for marker in [
            PEM_HEADER,
            PEM_FOOTER,
            "-----BEGIN RSA PUBLIC KEY-----",
            "-----END RSA PUBLIC KEY-----",
        ] {
            body = body.replace(marker, "");
        }
        let base64: String = body
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        if base64.is_empty() {
            return Err(KeyError::refused(origin, "is empty").into());
        }
        let padded = match base64.len() % 4 {
            2 => format!("{base64}=="),
            3 => format!("{base64}="),
            _ => base64,
        };
        let der = STANDARD
            .decode(padded.as_bytes())
            .map_err(|_| KeyError::refused(origin, "is not PEM or base64 of a public key"))?;
        Self::from_der(&der, origin)
    }

    /// Loads a public key file in any of the forms [`parse_text`](Self::parse_text) takes, or DER.
    ///
    /// # Errors
    /// [`KeyError::Read`] when the file cannot be read; [`KeyError::Refused`] as for `parse_text`.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let origin = path.display().to_string();
        match std::str::from_utf8(&bytes) {
            Ok(text) => Self::parse_text(text, &origin),
            Err(_) => Self::from_der(&bytes, &origin),
        }
    }

    /// The SubjectPublicKeyInfo DER.
    #[must_use]
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.n.len() * 8
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url), used as `kid`.
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// The key in the requested form. PEM forms end without a trailing newline on one line and
    /// with one in the multi-line form.
    #[must_use]
    pub fn to_format(&self, format: PublicKeyFormat) -> String {
        let b64 = STANDARD.encode(&self.spki_der);
        match format {
            PublicKeyFormat::Pem => {
                let mut out = String::with_capacity(b64.len() + 80);
                out.push_str(PEM_HEADER);
                out.push('\n');
                // Base64 is ASCII, so every byte is one character.
                for chunk in b64.as_bytes().chunks(64) {
                    out.extend(chunk.iter().copied().map(char::from));
                    out.push('\n');
                }
                out.push_str(PEM_FOOTER);
                out.push('\n');
                out
            }
            PublicKeyFormat::SingleLine => format!("{PEM_HEADER}{b64}{PEM_FOOTER}"),
            PublicKeyFormat::Base64 => b64,
            PublicKeyFormat::Jwk => self.to_jwk().to_string(),
        }
    }

    /// The key as a JWK: `{"kty":"RSA","use":"sig","alg":"RS256","kid":...,"n":...,"e":...}`.
    #[must_use]
    pub fn to_jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.thumbprint,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
        })
    }

    pub(crate) fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.e == other.e
    }
}
impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits())
            .field("kid", &self.thumbprint)
            .finish()
    }
}
