//! Tests of [`super`].
use super::*;

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);
const TEN_MINUTES: Duration = Duration::from_secs(600);

struct Ids {
    key: Arc<str>,
    other_key: Arc<str>,
    uuid: CustomerUuid,
    other_uuid: CustomerUuid,
    ttl: TokenTtl,
}

fn ids() -> Ids {
    Ids {
        key: Arc::from("key-thumbprint-a"),
        other_key: Arc::from("key-thumbprint-b"),
        uuid: CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap(),
        other_uuid: CustomerUuid::parse("0b8a7c3e-2f1d-5e4c-9b6a-1d2e3f4a5b6c").unwrap(),
        ttl: TokenTtl::default(),
    }
}

fn key<'a>(ids: &'a Ids, email: &'a str) -> TokenKey<'a> {
    TokenKey {
        key_id: &ids.key,
        email,
        uuid: &ids.uuid,
        ttl: ids.ttl,
    }
}

fn cache() -> TokenCache<&'static str> {
    TokenCache::new(100, TEN_MINUTES)
}

#[test]
fn hit_for_the_same_identity_within_the_window() {
    let ids = ids();
    let cache = cache();
    let k = key(&ids, "ann@example.com");
    assert_eq!(cache.get(&cache.key(k), T0), None);
    cache.insert(&cache.key(k), T0, "token");
    assert_eq!(cache.get(&cache.key(k), T0), Some("token"));
    assert_eq!(cache.get(&cache.key(k), T0.plus_secs(599)), Some("token"));
    // An equal key built from other allocations hits too.
    let ids2 = Ids {
        key: Arc::from("key-thumbprint-a"),
        ..super::tests::ids()
    };
    let email = String::from("ann@example.com");
    assert_eq!(
        cache.get(&cache.key(key(&ids2, &email)), T0.plus_secs(1)),
        Some("token")
    );
}

#[test]
fn miss_for_another_email() {
    let ids = ids();
    let cache = cache();
    cache.insert(&cache.key(key(&ids, "ann@example.com")), T0, "ann's");
    assert_eq!(
        cache.get(&cache.key(key(&ids, "bob@example.com")), T0),
        None
    );
    // Emails are compared exactly: the local part is case-sensitive and feeds the uuid.
    assert_eq!(
        cache.get(&cache.key(key(&ids, "Ann@example.com")), T0),
        None
    );
    assert_eq!(cache.get(&cache.key(key(&ids, "ann@example.co")), T0), None);
}

#[test]
fn miss_for_another_uuid() {
    let ids = ids();
    let cache = cache();
    cache.insert(&cache.key(key(&ids, "ann@example.com")), T0, "ann's");
    let other = TokenKey {
        uuid: &ids.other_uuid,
        ..key(&ids, "ann@example.com")
    };
    assert_eq!(cache.get(&cache.key(other), T0), None);
}

#[test]
fn miss_for_another_ttl() {
    let ids = ids();
    let cache = cache();
    cache.insert(&cache.key(key(&ids, "ann@example.com")), T0, "7d");
    let other = TokenKey {
        ttl: "1h".parse().unwrap(),
        ..key(&ids, "ann@example.com")
    };
    assert_eq!(cache.get(&cache.key(other), T0), None);
}

#[test]
fn miss_after_a_key_change() {
    let ids = ids();
    let cache = cache();
    cache.insert(&cache.key(key(&ids, "ann@example.com")), T0, "old key's");
    let rotated = TokenKey {
        key_id: &ids.other_key,
        ..key(&ids, "ann@example.com")
    };
    assert_eq!(cache.get(&cache.key(rotated), T0), None);
    cache.insert(&cache.key(rotated), T0, "new key's");
    assert_eq!(cache.get(&cache.key(rotated), T0), Some("new key's"));
    assert_eq!(
        cache.get(&cache.key(key(&ids, "ann@example.com")), T0),
        Some("old key's")
    );
}

#[test]
fn miss_at_and_after_the_end_of_the_window() {
    let ids = ids();
    let cache = cache();
    let k = key(&ids, "ann@example.com");
    cache.insert(&cache.key(k), T0, "token");
    assert_eq!(cache.get(&cache.key(k), T0.plus_secs(600)), None);
    // Gone for good, even if the clock is then read earlier.
    assert_eq!(cache.get(&cache.key(k), T0.plus_secs(10)), None);
    assert_eq!(cache.len(), 0);

    cache.insert(&cache.key(k), T0, "token");
    assert_eq!(cache.get(&cache.key(k), T0.plus_secs(3600)), None);
}

#[test]
fn miss_when_the_clock_went_backwards() {
    let ids = ids();
    let cache = cache();
    let k = key(&ids, "ann@example.com");
    cache.insert(&cache.key(k), T0, "token");
    assert_eq!(cache.get(&cache.key(k), T0.plus_secs(-1)), None);
}

#[test]
fn a_newer_token_replaces_the_older() {
    let ids = ids();
    let cache = cache();
    let k = key(&ids, "ann@example.com");
    cache.insert(&cache.key(k), T0, "first");
    cache.insert(&cache.key(k), T0.plus_secs(300), "second");
    assert_eq!(cache.get(&cache.key(k), T0.plus_secs(700)), Some("second"));
    assert_eq!(cache.len(), 1);
}

#[test]
fn size_is_bounded_and_the_oldest_go_first() {
    let ids = ids();
    let cache: TokenCache<usize> = TokenCache::new(10, TEN_MINUTES);
    let emails: Vec<String> = (0..50).map(|i| format!("c{i}@example.com")).collect();
    for (i, email) in emails.iter().enumerate() {
        cache.insert(&cache.key(key(&ids, email)), T0, i);
        assert!(cache.len() <= 10);
    }
    assert_eq!(cache.len(), 10);
    for (i, email) in emails.iter().enumerate() {
        let expected = (i >= 40).then_some(i);
        assert_eq!(
            cache.get(&cache.key(key(&ids, email)), T0),
            expected,
            "{email}"
        );
    }
}

#[test]
fn large_caches_are_sharded_and_still_bounded() {
    let ids = ids();
    let cache: TokenCache<usize> = TokenCache::new(5_000, TEN_MINUTES);
    assert!(cache.shards.len() > 1);
    for i in 0..20_000 {
        cache.insert(&cache.key(key(&ids, &format!("c{i}@example.com"))), T0, i);
    }
    assert!(cache.len() <= 5_000, "{}", cache.len());
    assert!(cache.len() > 4_000, "{}", cache.len());
    // Every shard's queue stays within its bound despite replacements.
    for i in 0..20_000 {
        cache.insert(&cache.key(key(&ids, "same@example.com")), T0, i);
    }
    for shard in cache.shards.iter() {
        let shard = shard.lock().unwrap();
        assert!(shard.order.len() <= 2 * shard.capacity + 16);
    }
}

#[test]
fn expired_entries_are_dropped_as_new_ones_arrive() {
    let ids = ids();
    let cache: TokenCache<usize> = TokenCache::new(100, TEN_MINUTES);
    for i in 0..50 {
        cache.insert(&cache.key(key(&ids, &format!("c{i}@example.com"))), T0, i);
    }
    cache.insert(
        &cache.key(key(&ids, "late@example.com")),
        T0.plus_secs(601),
        0,
    );
    assert_eq!(cache.len(), 1);
}
