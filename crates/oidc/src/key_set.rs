//! The provider's published keys, reduced to the ones that can verify RS256 or ES256 signatures.

use std::{collections::HashMap, fmt, sync::Arc};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    Algorithm, DecodingKey,
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, KeyOperations, PublicKeyUse},
};
use serde_json::Value;

/// The most keys kept from one key set; real ones hold two to five.
const MAX_KEYS: usize = 64;

/// The two signature algorithms accepted on ID tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, RSA keys of 2048 to 8192 bits.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
}

impl SigningAlg {
    /// The algorithm a JWS header's `alg` names, if it is one of the two.
    pub(super) fn from_header(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    /// As jsonwebtoken names it.
    pub(super) fn jwt(self) -> Algorithm {
        match self {
            Self::Rs256 => Algorithm::RS256,
            Self::Es256 => Algorithm::ES256,
        }
    }

    fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            Self::Rs256 => KeyAlgorithm::RS256,
            Self::Es256 => KeyAlgorithm::ES256,
        }
    }
}

/// One verification key, bound to the one algorithm it may verify.
pub(super) struct VerificationKey {
    /// The algorithm this key verifies, from its type (and its `alg`, when published).
    pub(super) alg: SigningAlg,
    /// The key.
    pub(super) key: DecodingKey,
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The usable keys of one fetched JWKS, by `kid`.
#[derive(Debug, Default)]
pub(super) struct KeySet {
    by_kid: HashMap<String, Vec<Arc<VerificationKey>>>,
    /// Every usable key, `kid` or not, for tokens without a `kid`.
    all: Vec<Arc<VerificationKey>>,
}

impl KeySet {
    /// Reads a JWKS document (`{"keys": [...]}`), keeping signature keys for RS256 (RSA, 2048 to
    /// 8192 bits) and ES256 (EC on P-256) and skipping the rest: encryption keys, other curves and
    /// types, and keys whose published `alg`, `use` or `key_ops` rule out verifying.
    ///
    /// # Errors
    /// When the document has no `keys` array or not one usable key: a provider always has one,
    /// so this is a broken answer, and the keys cached before are worth more than it.
    pub(super) fn from_jwks(document: &Value) -> Result<Self, String> {
        let Some(Value::Array(entries)) = document.get("keys") else {
            return Err("the key set has no `keys` array".into());
        };
        let mut set = Self::default();
        for entry in entries {
            if set.all.len() == MAX_KEYS {
                tracing::warn!(
                    max = MAX_KEYS,
                    "the identity provider's key set is unusually large; ignoring the rest"
                );
                break;
            }
            let Ok(jwk) = serde_json::from_value::<Jwk>(entry.clone()) else {
                continue;
            };
            let Some(key) = usable(&jwk) else {
                continue;
            };
            let key = Arc::new(key);
            if let Some(kid) = jwk.common.key_id {
                set.by_kid.entry(kid).or_default().push(Arc::clone(&key));
            }
            set.all.push(key);
        }
        if set.all.is_empty() {
            return Err("the key set has no RS256 or ES256 signature key".into());
        }
        Ok(set)
    }

    /// The key a token's header names: by `kid`, the key with that id fit for `alg`; without a
    /// `kid`, the set's only key, if it is fit (OpenID Connect Core 10.1: a `kid` is required
    /// when the set has several keys).
    pub(super) fn find(&self, kid: Option<&str>, alg: SigningAlg) -> Option<Arc<VerificationKey>> {
        let candidates = match kid {
            Some(kid) => self.by_kid.get(kid)?.as_slice(),
            None if self.all.len() == 1 => self.all.as_slice(),
            None => return None,
        };
        candidates.iter().find(|key| key.alg == alg).cloned()
    }

    /// How many usable keys the set holds.
    pub(super) fn len(&self) -> usize {
        self.all.len()
    }
}

/// The verification key `jwk` makes, if it is a signature key for RS256 or ES256.
fn usable(jwk: &Jwk) -> Option<VerificationKey> {
    let common = &jwk.common;
    if common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    if common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
    {
        return None;
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa)
            if rsa_bits(&rsa.n).is_some_and(|b| (2048..=8192).contains(&b)) =>
        {
            SigningAlg::Rs256
        }
        AlgorithmParameters::EllipticCurve(ec)
            if ec.curve == EllipticCurve::P256
                && coordinate_len(&ec.x) == Some(32)
                && coordinate_len(&ec.y) == Some(32) =>
        {
            SigningAlg::Es256
        }
        _ => return None,
    };
    // A key published for another algorithm (e.g. an RSA key marked PS256) is not used for this
    // one: RFC 7517 section 4.4.
    if common
        .key_algorithm
        .is_some_and(|published| published != alg.key_algorithm())
    {
        return None;
    }
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(VerificationKey { alg, key })
}

/// The bit length of a base64url big-endian modulus.
fn rsa_bits(n: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(n).ok()?;
    let first = bytes.iter().position(|&b| b != 0)?;
    let top = bytes[first];
    Some((bytes.len() - first) * 8 - top.leading_zeros() as usize)
}

/// The byte length of a base64url EC coordinate.
fn coordinate_len(coordinate: &str) -> Option<usize> {
    URL_SAFE_NO_PAD.decode(coordinate).ok().map(|b| b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A syntactically valid 2048-bit modulus (not a real key: only parsing is tested here).
    fn modulus(bits: usize) -> String {
        let mut bytes = vec![0xff_u8; bits / 8];
        bytes[0] = 0x80;
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn point() -> String {
        URL_SAFE_NO_PAD.encode([7_u8; 32])
    }

    #[test]
    fn keeps_signature_keys_for_the_two_algorithms_only() {
        let set = KeySet::from_jwks(&json!({"keys": [
            {"kty": "RSA", "kid": "rsa", "use": "sig", "alg": "RS256", "n": modulus(2048), "e": "AQAB"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": point(), "y": point()},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": modulus(2048), "e": "AQAB"},
            {"kty": "RSA", "kid": "ops", "key_ops": ["encrypt"], "n": modulus(2048), "e": "AQAB"},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": modulus(2048), "e": "AQAB"},
            {"kty": "RSA", "kid": "small", "n": modulus(1024), "e": "AQAB"},
            {"kty": "EC", "kid": "p384", "crv": "P-384", "x": point(), "y": point()},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": point()},
            {"kid": "junk"},
            "not even an object"
        ]}))
        .unwrap();
        assert_eq!(set.len(), 2);
        assert!(set.find(Some("rsa"), SigningAlg::Rs256).is_some());
        assert!(set.find(Some("ec"), SigningAlg::Es256).is_some());
        // A kid's key is only used for its own algorithm.
        assert!(set.find(Some("rsa"), SigningAlg::Es256).is_none());
        assert!(set.find(Some("ec"), SigningAlg::Rs256).is_none());
        for skipped in ["enc", "ops", "ps", "small", "p384", "hmac", "ed", "junk"] {
            assert!(
                set.find(Some(skipped), SigningAlg::Rs256).is_none(),
                "{skipped}"
            );
        }
        // Two keys: a token must name one.
        assert!(set.find(None, SigningAlg::Rs256).is_none());
    }

    #[test]
    fn a_lone_key_serves_tokens_without_a_kid() {
        let set = KeySet::from_jwks(&json!({"keys": [
            {"kty": "RSA", "n": modulus(3072), "e": "AQAB"}
        ]}))
        .unwrap();
        assert!(set.find(None, SigningAlg::Rs256).is_some());
        assert!(set.find(None, SigningAlg::Es256).is_none());
        assert!(set.find(Some("other"), SigningAlg::Rs256).is_none());
    }

    #[test]
    fn a_set_without_usable_keys_is_an_error() {
        for document in [
            json!({}),
            json!({"keys": "x"}),
            json!({"keys": []}),
            json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}),
        ] {
            assert!(KeySet::from_jwks(&document).is_err(), "{document}");
        }
    }

    #[test]
    fn modulus_bits_ignore_leading_zero_bytes() {
        let mut bytes = vec![0_u8, 0x01];
        bytes.extend([0_u8; 255]);
        assert_eq!(rsa_bits(&URL_SAFE_NO_PAD.encode(&bytes)), Some(2041));
        assert_eq!(rsa_bits(&modulus(2048)), Some(2048));
        assert_eq!(rsa_bits("AAAA"), None);
        assert_eq!(rsa_bits("!"), None);
    }
}
