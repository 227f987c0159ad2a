//! Sessions: create, lookup, sliding, idle and absolute expiry, delete, purge.

use std::time::Duration;

use synerise_auth_store::{AccountId, SessionToken, StoreError};

use crate::helpers::{ABSOLUTE, IDLE, T0, TestStore, contains, email, on_both_backends};

on_both_backends!(
    create_then_lookup,
    unknown_token_finds_nothing,
    each_sign_in_is_its_own_session,
    only_the_token_hash_is_stored,
    idle_session_expires_and_is_deleted,
    use_slides_the_idle_expiry,
    last_seen_is_written_at_most_once_a_minute,
    short_idle_lifetimes_slide_more_often,
    absolute_expiry_ends_even_a_busy_session,
    delete_ends_one_session,
    delete_for_account_ends_only_that_accounts_sessions,
    removing_an_account_removes_its_sessions,
    purge_deletes_only_expired_sessions,
    no_session_for_a_missing_account,
    lifetimes_are_checked,
);

async fn create_then_lookup(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, session) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    assert_eq!(session.account_id, id);
    assert_eq!(session.email.as_str(), "ann@example.com");
    assert_eq!(session.created_at, T0);
    assert_eq!(session.last_seen, T0);
    assert_eq!(session.idle_expires_at, T0.plus_secs(1800));
    assert_eq!(session.expires_at, T0.plus_secs(86_400));

    // As the server will: the cookie's text, parsed back.
    let from_cookie = SessionToken::parse(token.expose_secret()).unwrap();
    let found = t
        .sessions
        .lookup(&from_cookie, T0.plus_secs(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found, session,
        "a lookup within a few seconds writes nothing"
    );
}

async fn unknown_token_finds_nothing(t: TestStore) {
    let id = t.account("ann@example.com").await;
    t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    assert!(
        t.sessions
            .lookup(&SessionToken::generate(), T0)
            .await
            .unwrap()
            .is_none()
    );
}

async fn each_sign_in_is_its_own_session(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (a, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    let (b, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    assert_ne!(a, b);
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 2);
}

async fn only_the_token_hash_is_stored(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    let mut raw = t.raw().await;
    let stored = raw.bytes("SELECT token_hash FROM sessions").await;
    assert_eq!(stored.as_slice(), token.hash().as_bytes());
    drop(raw);
    assert!(!contains(
        &t.all_bytes().await,
        token.expose_secret().as_bytes()
    ));
}

async fn idle_session_expires_and_is_deleted(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    // One second before the idle limit: still alive (but this lookup slides it, so use a
    // second session for the expiry itself).
    assert!(
        t.sessions
            .lookup(&token, T0.plus_secs(1799))
            .await
            .unwrap()
            .is_some()
    );
    let (idle, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    assert!(
        t.sessions
            .lookup(&idle, T0.plus_secs(1800))
            .await
            .unwrap()
            .is_none()
    );
    // Deleted, not merely refused: even a lookup "in the past" finds nothing now.
    assert!(t.sessions.lookup(&idle, T0).await.unwrap().is_none());
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 1);
}

async fn use_slides_the_idle_expiry(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    let mut now = T0;
    // Used every 20 minutes for 3 hours: never 30 minutes idle.
    for _ in 0..9 {
        now = now.plus_secs(1200);
        let session = t.sessions.lookup(&token, now).await.unwrap();
        let session = session.unwrap_or_else(|| panic!("expired at {now:?}"));
        assert_eq!(session.last_seen, now);
        assert_eq!(session.idle_expires_at, now.plus_secs(1800));
    }
    // Then left alone for 30 minutes.
    assert!(
        t.sessions
            .lookup(&token, now.plus_secs(1800))
            .await
            .unwrap()
            .is_none()
    );
}

async fn last_seen_is_written_at_most_once_a_minute(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    let stored = || t.count("SELECT last_seen FROM sessions");
    let s = t
        .sessions
        .lookup(&token, T0.plus_secs(59))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.last_seen, T0);
    assert_eq!(stored().await, T0.as_secs());
    let s = t
        .sessions
        .lookup(&token, T0.plus_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.last_seen, T0.plus_secs(60));
    assert_eq!(stored().await, T0.plus_secs(60).as_secs());
    // A lookup with an older "now" (another server's clock) never moves it back.
    let s = t
        .sessions
        .lookup(&token, T0.plus_secs(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.last_seen, T0.plus_secs(60));
    assert_eq!(stored().await, T0.plus_secs(60).as_secs());
}

async fn short_idle_lifetimes_slide_more_often(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let idle = Duration::from_secs(30);
    let (token, _) = t.sessions.create(id, T0, idle, ABSOLUTE).await.unwrap();
    // Used every 20 s: with a fixed one-minute write interval it would expire at T0+30.
    for step in 1..=5 {
        let now = T0.plus_secs(20 * step);
        assert!(
            t.sessions.lookup(&token, now).await.unwrap().is_some(),
            "expired at +{}",
            20 * step
        );
    }
}

async fn absolute_expiry_ends_even_a_busy_session(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (token, session) = t
        .sessions
        .create(id, T0, IDLE, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(session.expires_at, T0.plus_secs(3600));
    for minutes in [10, 20, 30, 40, 50, 59] {
        let now = T0.plus_secs(minutes * 60);
        let found = t.sessions.lookup(&token, now).await.unwrap().unwrap();
        assert_eq!(found.expires_at, T0.plus_secs(3600), "never slides");
    }
    assert!(
        t.sessions
            .lookup(&token, T0.plus_secs(3600))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 0);
}

async fn delete_ends_one_session(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let (a, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    let (b, _) = t.sessions.create(id, T0, IDLE, ABSOLUTE).await.unwrap();
    assert!(t.sessions.delete(&a).await.unwrap());
    assert!(!t.sessions.delete(&a).await.unwrap());
    assert!(t.sessions.lookup(&a, T0).await.unwrap().is_none());
    assert!(t.sessions.lookup(&b, T0).await.unwrap().is_some());
}

async fn delete_for_account_ends_only_that_accounts_sessions(t: TestStore) {
    let ann = t.account("ann@example.com").await;
    let bob = t.account("bob@example.com").await;
    let (a1, _) = t.sessions.create(ann, T0, IDLE, ABSOLUTE).await.unwrap();
    let (a2, _) = t.sessions.create(ann, T0, IDLE, ABSOLUTE).await.unwrap();
    let (b1, _) = t.sessions.create(bob, T0, IDLE, ABSOLUTE).await.unwrap();
    assert_eq!(
        t.sessions
            .delete_for_account(&email("Ann@example.com"))
            .await
            .unwrap(),
        2
    );
    assert!(t.sessions.lookup(&a1, T0).await.unwrap().is_none());
    assert!(t.sessions.lookup(&a2, T0).await.unwrap().is_none());
    assert!(t.sessions.lookup(&b1, T0).await.unwrap().is_some());
    assert_eq!(
        t.sessions
            .delete_for_account(&email("nobody@example.com"))
            .await
            .unwrap(),
        0
    );
}

async fn removing_an_account_removes_its_sessions(t: TestStore) {
    let ann = t.account("ann@example.com").await;
    let bob = t.account("bob@example.com").await;
    let (a, _) = t.sessions.create(ann, T0, IDLE, ABSOLUTE).await.unwrap();
    let (b, _) = t.sessions.create(bob, T0, IDLE, ABSOLUTE).await.unwrap();
    assert!(t.accounts.remove(&email("ann@example.com")).await.unwrap());
    assert!(t.sessions.lookup(&a, T0).await.unwrap().is_none());
    assert!(t.sessions.lookup(&b, T0).await.unwrap().is_some());
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 1);
    // An account re-created with the same address does not inherit the old session.
    t.account("ann@example.com").await;
    assert!(t.sessions.lookup(&a, T0).await.unwrap().is_none());
}

async fn purge_deletes_only_expired_sessions(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let s = Duration::from_secs;
    let (live, _) = t.sessions.create(id, T0, s(1800), s(86_400)).await.unwrap();
    let (_idle, _) = t.sessions.create(id, T0, s(60), s(86_400)).await.unwrap();
    let (_absolute, _) = t.sessions.create(id, T0, s(1800), s(100)).await.unwrap();
    let (_edge, _) = t.sessions.create(id, T0, s(1800), s(1000)).await.unwrap();
    assert_eq!(t.sessions.purge_expired(T0).await.unwrap(), 0);
    assert_eq!(
        t.sessions.purge_expired(T0.plus_secs(1000)).await.unwrap(),
        3
    );
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 1);
    assert!(
        t.sessions
            .lookup(&live, T0.plus_secs(1000))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        t.sessions.purge_expired(T0.plus_secs(1000)).await.unwrap(),
        0
    );
}

async fn no_session_for_a_missing_account(t: TestStore) {
    let err = t
        .sessions
        .create(AccountId::new(12_345), T0, IDLE, ABSOLUTE)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AccountNotFound), "{err:?}");
    assert_eq!(err.code(), "account_not_found");
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 0);
}

async fn lifetimes_are_checked(t: TestStore) {
    let id = t.account("ann@example.com").await;
    for (idle, absolute) in [
        (Duration::ZERO, ABSOLUTE),
        (IDLE, Duration::ZERO),
        (IDLE, Duration::MAX),
    ] {
        let err = t.sessions.create(id, T0, idle, absolute).await.unwrap_err();
        assert_eq!(err.code(), "invalid_session_ttl", "{idle:?} {absolute:?}");
    }
    assert_eq!(t.count("SELECT count(*) FROM sessions").await, 0);
}
