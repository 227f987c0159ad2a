//! Token reuse: a bounded in-memory cache of recently signed tokens, so that a returning customer
//! costs a hash lookup instead of an RSA signature.
//!
//! An entry is keyed by everything that goes into a token besides the time: the signing key's id,
//! the email, the uuid and the TTL. A lookup is a hit only when all four are equal (compared in
//! full, not by hash) and the token was issued less than `max_age` ago, so a cached token is never
//! served to another identity, past its reuse window, or after the signing key changed.
//!
//! Pure: no clock, no async. Time is passed in.
//!
//! # Shape
//! The entries are split over up to 16 shards, each a `Mutex` held for one map lookup or insert
//! (never while signing), so signers never wait on one another. Within a shard, eviction is by
//! insertion order (oldest first): a token's reuse window starts when it is signed and a hit does
//! not extend it, so the oldest entry is always the one closest to being useless, and plain FIFO
//! is the right "LRU" here.

use std::{
    collections::{HashMap, VecDeque},
    hash::{BuildHasher, Hasher},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use synerise_auth_token::{CustomerUuid, TokenTtl, UnixTime};

/// Everything that identifies a token apart from its issue time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenKey<'a> {
    /// The signing key's id (its RFC 7638 thumbprint).
    pub(crate) key_id: &'a Arc<str>,
    /// The customer's email, as it goes into the token.
    pub(crate) email: &'a str,
    /// The customer's uuid, as it goes into the token.
    pub(crate) uuid: &'a CustomerUuid,
    /// The token's lifetime.
    pub(crate) ttl: TokenTtl,
}

/// A [`TokenKey`] with its hash, computed once per request by [`TokenCache::key`] and used for
/// both the lookup and, on a miss, the insert.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HashedKey<'a> {
    pub(crate) key: TokenKey<'a>,
    /// Computed by this cache's hasher; only a key made by [`TokenCache::key`] (or one rebuilt
    /// from its parts for the same cache) is looked up.
    pub(crate) hash: u64,
}

/// A bounded cache of values (the signed tokens) by [`TokenKey`], each fresh for `max_age` after
/// the time it was inserted with.
#[derive(Debug)]
pub(crate) struct TokenCache<V> {
    shards: Box<[Mutex<Shard<V>>]>,
    /// `shards.len() - 1`; the count is a power of two.
    shard_mask: u64,
    max_age_secs: i64,
    /// Keyed (random per process) so that nobody can make their own entries collide with
    /// someone else's; a collision would only cost a miss anyway, since hits compare keys in full.
    hasher: std::collections::hash_map::RandomState,
}

#[derive(Debug)]
struct Shard<V> {
    /// By the key's 64-bit hash; on a collision the newer key replaces the older.
    map: HashMap<u64, Entry<V>, PassThrough>,
    /// Insertion order, oldest first, as `(hash, seq)`; a record whose `seq` no longer matches
    /// the map's entry is stale (replaced or removed) and skipped.
    order: VecDeque<(u64, u64)>,
    next_seq: u64,
    capacity: usize,
}

#[derive(Debug)]
struct Entry<V> {
    key_id: Arc<str>,
    email: Box<str>,
    uuid: CustomerUuid,
    ttl: TokenTtl,
    issued_at: UnixTime,
    seq: u64,
    value: V,
}

impl<V> Entry<V> {
    fn matches(&self, key: &TokenKey<'_>) -> bool {
        self.uuid == *key.uuid
            && self.ttl == key.ttl
            && *self.email == *key.email
            && *self.key_id == **key.key_id
    }
}

/// The most shards; more would not help on the machines this runs on, and fewer keep small
/// capacities exact.
const MAX_SHARDS: usize = 16;
/// Entries per shard at least, before the cache is split further.
const MIN_PER_SHARD: usize = 256;

impl<V: Clone> TokenCache<V> {
    /// A cache of at most `capacity` entries (at least 1), each fresh for `max_age` (whole
    /// seconds, at least 1).
    pub(crate) fn new(capacity: usize, max_age: Duration) -> Self {
        let capacity = capacity.max(1);
        let mut shards = 1;
        while shards < MAX_SHARDS && capacity / (shards * 2) >= MIN_PER_SHARD {
            shards *= 2;
        }
        let per_shard = capacity / shards;
        Self {
            shards: (0..shards)
                .map(|_| {
                    Mutex::new(Shard {
                        map: HashMap::with_hasher(PassThrough),
                        order: VecDeque::new(),
                        next_seq: 0,
                        capacity: per_shard,
                    })
                })
                .collect(),
            shard_mask: (shards - 1) as u64,
            max_age_secs: i64::try_from(max_age.as_secs().max(1)).unwrap_or(i64::MAX),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// `key` with its hash in this cache.
    pub(crate) fn key<'a>(&self, key: TokenKey<'a>) -> HashedKey<'a> {
        HashedKey {
            hash: self.hash(&key),
            key,
        }
    }

    /// The cached value for `key` if it was inserted less than `max_age` before `now`.
    pub(crate) fn get(&self, key: &HashedKey<'_>, now: UnixTime) -> Option<V> {
        let HashedKey { key, hash } = key;
        let hash = *hash;
        let mut shard = self.shard(hash);
        let entry = shard.map.get(&hash)?;
        if !entry.matches(key) {
            return None;
        }
        if self.is_fresh(entry.issued_at, now) {
            return Some(entry.value.clone());
        }
        // Past its window: it can never be served again.
        shard.map.remove(&hash);
        None
    }

    /// Keeps `value`, issued at `issued_at`, for `key`, replacing any older value and evicting
    /// the oldest entries when full.
    pub(crate) fn insert(&self, key: &HashedKey<'_>, issued_at: UnixTime, value: V) {
        let HashedKey { key, hash } = key;
        let hash = *hash;
        let max_age_secs = self.max_age_secs;
        let mut shard = self.shard(hash);
        let shard = &mut *shard;
        let seq = shard.next_seq;
        shard.next_seq += 1;
        let entry = Entry {
            key_id: Arc::clone(key.key_id),
            email: key.email.into(),
            uuid: *key.uuid,
            ttl: key.ttl,
            issued_at,
            seq,
            value,
        };
        if shard.map.insert(hash, entry).is_none() {
            while shard.map.len() > shard.capacity {
                if !shard.evict_oldest() {
                    break;
                }
            }
        }
        shard.order.push_back((hash, seq));
        // Entries past their window at the front go now rather than at the next eviction.
        while let Some(&(old_hash, old_seq)) = shard.order.front() {
            match shard.map.get(&old_hash) {
                Some(e) if e.seq == old_seq => {
                    if issued_at.as_secs().saturating_sub(e.issued_at.as_secs()) < max_age_secs {
                        break;
                    }
                    shard.map.remove(&old_hash);
                }
                _ => {}
            }
            shard.order.pop_front();
        }
        // Replacements leave stale records behind; keep the queue within a constant of the map.
        if shard.order.len() > 2 * shard.capacity + 16 {
            let map = &shard.map;
            shard
                .order
                .retain(|(h, s)| map.get(h).is_some_and(|e| e.seq == *s));
        }
    }

    /// Entries held, fresh or not.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).map.len())
            .sum()
    }

    fn is_fresh(&self, issued_at: UnixTime, now: UnixTime) -> bool {
        // A clock that went backwards is no reason to trust an entry: miss and sign afresh.
        let age = now.as_secs().saturating_sub(issued_at.as_secs());
        (0..self.max_age_secs).contains(&age)
    }

    fn hash(&self, key: &TokenKey<'_>) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(key.key_id.as_bytes());
        h.write_u8(0xff);
        h.write(key.email.as_bytes());
        h.write_u8(0xff);
        h.write(key.uuid.as_uuid().as_bytes());
        h.write_u32(key.ttl.as_secs());
        h.finish()
    }

    fn shard(&self, hash: u64) -> std::sync::MutexGuard<'_, Shard<V>> {
        // The low bits pick the shard; the map uses the whole hash.
        let index = usize::try_from(hash & self.shard_mask).unwrap_or(0);
        // A poisoned shard only means a panic elsewhere mid-update of plain data; the map is
        // still a valid map.
        self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<V> Shard<V> {
    /// Removes the oldest live entry; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((hash, seq)) = self.order.pop_front() {
            if self.map.get(&hash).is_some_and(|e| e.seq == seq) {
                self.map.remove(&hash);
                return true;
            }
        }
        false
    }
}

/// The map's keys are already keyed SipHash outputs: hashing them again would only cost time.
#[derive(Debug, Clone, Copy, Default)]
struct PassThrough;

impl BuildHasher for PassThrough {
    type Hasher = PassThroughHasher;
    fn build_hasher(&self) -> PassThroughHasher {
        PassThroughHasher(0)
    }
}

#[derive(Debug, Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `HashMap<u64, _>`; this keeps the type a correct Hasher.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests;
