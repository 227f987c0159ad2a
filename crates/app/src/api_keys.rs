//! API keys for the site's own back end, compared in constant time.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The accepted API keys, held only as SHA-256 digests.
///
/// An entry of the configured list is either the key itself or `sha256:<64 hex digits>` of it,
/// so that the plain key need not be stored in configuration. The digests are kept sorted and
/// once each, so two lists that accept the same keys hold the same digests.
///
/// Two lists are equal when they accept exactly the same keys, whatever their order (for
/// comparing configurations only: a key a client presents goes through
/// [`accepted_digest`](Self::accepted_digest), in constant time). Its `Debug` shows only how
/// many there are.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiKeys(Vec<[u8; 32]>);

/// Shortest plain API key accepted: 128 bits of entropy as hex or base64 is 22+ characters.
const MIN_KEY_LEN: usize = 20;

impl ApiKeys {
    /// Reads the configured entries: plain keys of at least 20 characters, or `sha256:<hex>`.
    ///
    /// # Errors
    /// A sentence naming the entry that is too short or not a digest.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut digests = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().map(|e| e.as_ref().trim()).enumerate() {
            if entry.is_empty() {
                continue;
            }
            let digest = if let Some(hex_digest) = entry.strip_prefix("sha256:") {
                hex::decode(hex_digest)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| {
                        format!(
                            "API key #{}: `sha256:` must be followed by 64 hex digits",
                            index + 1
                        )
                    })?
            } else {
                if entry.len() < MIN_KEY_LEN {
                    return Err(format!(
                        "API key #{} is {} characters long; use at least {MIN_KEY_LEN} random characters",
                        index + 1,
                        entry.len()
                    ));
                }
                Sha256::digest(entry.as_bytes()).into()
            };
            digests.push(digest);
        }
        digests.sort_unstable();
        digests.dedup();
        Ok(Self(digests))
    }

    /// Whether no key is configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The digest of `presented` when it is one of the keys (to key per-key limits by). Every
    /// configured key is compared, in constant time, whatever matches, so timing reveals neither
    /// which key matched nor how much of it.
    #[must_use]
    pub fn accepted_digest(&self, presented: &str) -> Option<[u8; 32]> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let found: bool = self
            .0
            .iter()
            .fold(subtle::Choice::from(0), |found, key| {
                found | key.ct_eq(&digest)
            })
            .into();
        found.then_some(digest)
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({} configured)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_keys_in_another_order_are_the_same_and_a_replaced_key_is_not() {
        let a = "first key, long enough to pass";
        let b = "second key, long enough to pass";
        let c = "a third key, long enough to pass";
        let ab = ApiKeys::parse(&[a, b]).unwrap();
        assert!(ab == ApiKeys::parse(&[b, a]).unwrap());
        let digest = hex::encode(Sha256::digest(b.as_bytes()));
        assert!(ab == ApiKeys::parse(&[a.to_owned(), format!("sha256:{digest}")]).unwrap());
        assert!(ab != ApiKeys::parse(&[a, c]).unwrap());
        assert!(ab != ApiKeys::parse(&[a]).unwrap());
    }

    #[test]
    fn plain_and_hashed_entries_are_accepted() {
        let plain = "k-0123456789abcdefghij";
        let other = "z-0123456789abcdefghij";
        let hashed = format!("sha256:{}", hex::encode(Sha256::digest(other.as_bytes())));
        let keys = ApiKeys::parse(&[plain.to_owned(), hashed]).unwrap();
        assert!(keys.accepted_digest(plain).is_some());
        assert!(keys.accepted_digest(other).is_some());
        assert!(keys.accepted_digest("k-0123456789abcdefghiJ").is_none());
        assert!(keys.accepted_digest("").is_none());
    }

    #[test]
    fn refuses_short_keys_and_bad_digests() {
        assert!(ApiKeys::parse(&["short".to_owned()]).is_err());
        assert!(ApiKeys::parse(&["sha256:abcd".to_owned()]).is_err());
        assert!(ApiKeys::parse(&[" ".to_owned()]).unwrap().is_empty());
        assert_eq!(
            format!(
                "{:?}",
                ApiKeys::parse(&["k-0123456789abcdefghij".to_owned()]).unwrap()
            ),
            "ApiKeys(1 configured)"
        );
    }
}
