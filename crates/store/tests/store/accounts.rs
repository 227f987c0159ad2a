//! Accounts: create, duplicate, remove, list, passwords and the policy.

use std::time::{Duration, Instant};

use synerise_auth_store::StoreError;
use synerise_auth_token::UnixTime;

use crate::helpers::{PASSWORD, T0, TestStore, contains, email, on_both_backends, password};

on_both_backends!(
    create_then_list_in_email_order,
    list_is_empty_on_a_fresh_store,
    duplicate_is_refused_whatever_the_case,
    remove_deletes_once,
    remove_ignores_case,
    ids_are_not_reused_after_removal,
    right_password_gives_the_account,
    sign_in_ignores_case_and_answers_with_the_stored_address,
    wrong_password_gives_nothing,
    unknown_account_gives_nothing,
    unknown_account_takes_as_long_as_a_wrong_password,
    policy_refusals_have_codes_and_create_nothing,
    only_an_argon2id_hash_is_stored,
    an_outdated_hash_is_replaced_at_sign_in,
    created_at_is_the_time_passed_in,
);

async fn create_then_list_in_email_order(t: TestStore) {
    let later = T0.plus_secs(10);
    let b = t
        .accounts
        .create(&email("bob@example.com"), &password(PASSWORD), T0)
        .await
        .unwrap();
    let a = t
        .accounts
        .create(&email("ann@example.com"), &password(PASSWORD), later)
        .await
        .unwrap();
    assert_ne!(a, b);
    let list = t.accounts.list().await.unwrap();
    let shown: Vec<_> = list
        .iter()
        .map(|s| (s.email.as_str(), s.created_at))
        .collect();
    assert_eq!(shown, [("ann@example.com", later), ("bob@example.com", T0)]);
}

async fn list_is_empty_on_a_fresh_store(t: TestStore) {
    assert!(t.accounts.list().await.unwrap().is_empty());
}

async fn duplicate_is_refused_whatever_the_case(t: TestStore) {
    t.account("ann@example.com").await;
    for again in ["ann@example.com", "Ann@Example.com", "ANN@example.com"] {
        let err = t
            .accounts
            .create(&email(again), &password("another password"), T0)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::AccountExists), "{again}: {err:?}");
        assert_eq!(err.code(), "account_exists");
    }
    let list = t.accounts.list().await.unwrap();
    assert_eq!(list.len(), 1);
    // The original password still works: the refused sign-ups changed nothing.
    assert!(
        t.accounts
            .verify_password(&email("ann@example.com"), &password(PASSWORD))
            .await
            .unwrap()
            .is_some()
    );
}

async fn remove_deletes_once(t: TestStore) {
    t.account("ann@example.com").await;
    t.account("bob@example.com").await;
    assert!(t.accounts.remove(&email("ann@example.com")).await.unwrap());
    assert!(!t.accounts.remove(&email("ann@example.com")).await.unwrap());
    assert!(
        !t.accounts
            .remove(&email("nobody@example.com"))
            .await
            .unwrap()
    );
    let list = t.accounts.list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].email.as_str(), "bob@example.com");
    assert!(
        t.accounts
            .verify_password(&email("ann@example.com"), &password(PASSWORD))
            .await
            .unwrap()
            .is_none()
    );
}

async fn remove_ignores_case(t: TestStore) {
    t.account("ann@example.com").await;
    assert!(t.accounts.remove(&email("ANN@example.com")).await.unwrap());
    assert!(t.accounts.list().await.unwrap().is_empty());
}

async fn ids_are_not_reused_after_removal(t: TestStore) {
    let first = t.account("ann@example.com").await;
    t.accounts.remove(&email("ann@example.com")).await.unwrap();
    let second = t.account("ann@example.com").await;
    assert!(second > first, "{first} then {second}");
}

async fn right_password_gives_the_account(t: TestStore) {
    let id = t.account("ann@example.com").await;
    let account = t
        .accounts
        .verify_password(&email("ann@example.com"), &password(PASSWORD))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.id, id);
    assert_eq!(account.email.as_str(), "ann@example.com");
    assert_eq!(account.created_at, T0);
}

async fn sign_in_ignores_case_and_answers_with_the_stored_address(t: TestStore) {
    t.account("ann.lee@example.com").await;
    let account = t
        .accounts
        .verify_password(&email("Ann.Lee@EXAMPLE.com"), &password(PASSWORD))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.email.as_str(), "ann.lee@example.com");
}

async fn wrong_password_gives_nothing(t: TestStore) {
    t.account("ann@example.com").await;
    for wrong in [
        "correct horse batterY",
        "correct horse battery ",
        "",
        "x",
        &"y".repeat(5000),
    ] {
        assert!(
            t.accounts
                .verify_password(&email("ann@example.com"), &password(wrong))
                .await
                .unwrap()
                .is_none(),
            "{wrong:.20}"
        );
    }
}

async fn unknown_account_gives_nothing(t: TestStore) {
    t.account("ann@example.com").await;
    assert!(
        t.accounts
            .verify_password(&email("bob@example.com"), &password(PASSWORD))
            .await
            .unwrap()
            .is_none()
    );
}

/// The point of the dummy hash: an unknown address costs a full argon2 verification, like a
/// wrong password. Minimums over a few runs, so a busy machine cannot make it pass or fail by
/// chance (load only ever makes a run slower).
async fn unknown_account_takes_as_long_as_a_wrong_password(t: TestStore) {
    t.account("ann@example.com").await;
    let mut known = Duration::MAX;
    let mut unknown = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        t.accounts
            .verify_password(&email("ann@example.com"), &password("wrong password"))
            .await
            .unwrap();
        known = known.min(start.elapsed());
        let start = Instant::now();
        t.accounts
            .verify_password(&email("nobody@example.com"), &password("wrong password"))
            .await
            .unwrap();
        unknown = unknown.min(start.elapsed());
    }
    assert!(
        unknown * 2 >= known,
        "unknown account {unknown:?} vs wrong password {known:?}"
    );
}

async fn policy_refusals_have_codes_and_create_nothing(t: TestStore) {
    for (candidate, code) in [
        ("", "password_too_short"),
        ("hunter2", "password_too_short"),
        ("elevenchars", "password_too_short"),
        (&*"x".repeat(1025), "password_too_long"),
    ] {
        let err = t
            .accounts
            .create(&email("ann@example.com"), &password(candidate), T0)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{candidate:.20}");
    }
    assert!(t.accounts.list().await.unwrap().is_empty());
    // The boundaries themselves are accepted.
    t.accounts
        .create(&email("ann@example.com"), &password("twelve chars"), T0)
        .await
        .unwrap();
    t.accounts
        .create(&email("bob@example.com"), &password(&"x".repeat(1024)), T0)
        .await
        .unwrap();
}

async fn only_an_argon2id_hash_is_stored(t: TestStore) {
    t.account("ann@example.com").await;
    let mut raw = t.raw().await;
    let phc = raw.text("SELECT password_hash FROM accounts").await;
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    drop(raw);
    assert!(!contains(&t.all_bytes().await, PASSWORD.as_bytes()));
}

async fn an_outdated_hash_is_replaced_at_sign_in(t: TestStore) {
    t.account("ann@example.com").await;
    // A hash of PASSWORD with far weaker parameters, as an older release might have stored.
    let weak_phc = weak_hash(PASSWORD);
    assert!(
        weak_phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
        "{weak_phc}"
    );
    let mut raw = t.raw().await;
    raw.execute_with("UPDATE accounts SET password_hash = $1", &weak_phc)
        .await;
    let account = t
        .accounts
        .verify_password(&email("ann@example.com"), &password(PASSWORD))
        .await
        .unwrap();
    assert!(account.is_some(), "the old hash must still verify");
    let phc = raw.text("SELECT password_hash FROM accounts").await;
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    assert!(
        t.accounts
            .verify_password(&email("ann@example.com"), &password(PASSWORD))
            .await
            .unwrap()
            .is_some()
    );
    // A wrong password against an old hash changes nothing.
    raw.execute_with("UPDATE accounts SET password_hash = $1", &weak_phc)
        .await;
    assert!(
        t.accounts
            .verify_password(&email("ann@example.com"), &password("wrong password"))
            .await
            .unwrap()
            .is_none()
    );
    let phc = raw.text("SELECT password_hash FROM accounts").await;
    assert_eq!(phc, weak_phc);
}

fn weak_hash(text: &str) -> String {
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version, password_hash::SaltString};
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(8, 1, 1, None).unwrap(),
    );
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    weak.hash_password(text.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

async fn created_at_is_the_time_passed_in(t: TestStore) {
    let when = UnixTime::from_secs(42);
    t.accounts
        .create(&email("ann@example.com"), &password(PASSWORD), when)
        .await
        .unwrap();
    assert_eq!(t.accounts.list().await.unwrap()[0].created_at, when);
}
