//! The signing keys as a set: the active key that signs, an optional next key that is published
//! but does not sign yet, and retired keys published until their last token has expired.

use crate::{PublicKey, SigningKey, TokenTtl, UnixTime, Verifier};

/// A key set, loaded and checked: every key is an unencrypted RSA key of at least 2048 bits.
///
/// A single key file is a set of one. A key directory ([`KeyDir`](crate::KeyDir)) holds the
/// others; [`KeySet::load`] reads either.
///
/// ```
/// use synerise_auth_token::{KeySet, SigningKey, TokenTtl, UnixTime};
///
/// let set = KeySet::single(SigningKey::generate(2048).unwrap());
/// assert_eq!(set.len(), 1);
/// let now = UnixTime::from_secs(1_700_000_000);
/// assert_eq!(set.published(now, TokenTtl::default()).count(), 1);
/// ```
#[derive(Debug)]
pub struct KeySet {
    active: SigningKey,
    others: OtherKeys,
}

/// The keys of a set other than the active one: public halves only, for publishing and
/// verifying.
#[derive(Debug, Clone, Default)]
pub struct OtherKeys {
    next: Option<PublicKey>,
    /// Newest first.
    retired: Vec<RetiredKey>,
}

/// A key that signed once and signs no more.
#[derive(Debug, Clone)]
pub struct RetiredKey {
    /// Its public half.
    pub public: PublicKey,
    /// When it stopped signing.
    pub retired_at: UnixTime,
}

impl RetiredKey {
    /// Whether a token it signed may still be valid at `now`: it was retired less than
    /// `max_ttl` ago.
    #[must_use]
    pub fn may_have_live_tokens(&self, now: UnixTime, max_ttl: TokenTtl) -> bool {
        self.retired_at.plus_secs(i64::from(max_ttl.as_secs())) > now
    }
}

impl KeySet {
    /// A set of one key.
    #[must_use]
    pub fn single(active: SigningKey) -> Self {
        Self {
            active,
            others: OtherKeys::default(),
        }
    }

    /// A set from its parts.
    #[must_use]
    pub fn new(active: SigningKey, next: Option<PublicKey>, retired: Vec<RetiredKey>) -> Self {
        Self {
            active,
            others: OtherKeys { next, retired },
        }
    }

    /// The key that signs.
    #[must_use]
    pub fn active(&self) -> &SigningKey {
        &self.active
    }

    /// The next key, published but not signing, when one is waiting.
    #[must_use]
    pub fn next(&self) -> Option<&PublicKey> {
        self.others.next.as_ref()
    }

    /// The retired keys, newest first.
    #[must_use]
    pub fn retired(&self) -> &[RetiredKey] {
        &self.others.retired
    }

    /// How many keys the set holds (active, next and retired).
    #[must_use]
    pub fn len(&self) -> usize {
        1 + usize::from(self.others.next.is_some()) + self.others.retired.len()
    }

    /// Always `false`: a set has an active key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The keys to publish at `now` (JWKS): the active key, the next key, and the retired keys
    /// whose tokens may still be valid with lifetimes of at most `max_ttl`.
    pub fn published(&self, now: UnixTime, max_ttl: TokenTtl) -> impl Iterator<Item = &PublicKey> {
        std::iter::once(self.active.public_key()).chain(self.others.published(now, max_ttl))
    }

    /// A verifier of the published keys, the active one first (see [`Verifier::for_set`]).
    #[must_use]
    pub fn verifier(&self, now: UnixTime, max_ttl: TokenTtl) -> Verifier {
        Verifier::for_set(
            self.active.public_key(),
            self.others.published(now, max_ttl),
        )
    }

    /// Splits into the active key and the others.
    #[must_use]
    pub fn into_parts(self) -> (SigningKey, OtherKeys) {
        (self.active, self.others)
    }
}

impl OtherKeys {
    /// The next key, when one is waiting.
    #[must_use]
    pub fn next(&self) -> Option<&PublicKey> {
        self.next.as_ref()
    }

    /// The retired keys, newest first.
    #[must_use]
    pub fn retired(&self) -> &[RetiredKey] {
        &self.retired
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.next.is_none() && self.retired.is_empty()
    }

    /// The next key and the retired keys still to publish at `now`.
    pub fn published(&self, now: UnixTime, max_ttl: TokenTtl) -> impl Iterator<Item = &PublicKey> {
        self.next.iter().chain(
            self.retired
                .iter()
                .filter(move |r| r.may_have_live_tokens(now, max_ttl))
                .map(|r| &r.public),
        )
    }
}
