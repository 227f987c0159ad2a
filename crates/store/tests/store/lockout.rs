//! Failed sign-ins in a row: the limit-th locks, the lock ends, a success clears the run, two
//! stores on one database (two instances) count one run, and the table stays bounded.

use std::sync::Arc;

use synerise_auth_store::{LockoutPolicy, SignInKey, SignInLockout, Store};

use crate::helpers::{T0, TestStore, contains, email, on_both_backends};

on_both_backends!(
    the_limit_th_failure_locks_until_the_lock_ends,
    a_success_clears_the_run,
    two_stores_on_one_database_count_one_run,
    concurrent_failures_each_count,
    purge_forgets_ended_locks_and_the_oldest_runs,
    the_address_is_not_stored,
);

const POLICY: LockoutPolicy = LockoutPolicy {
    limit: 3,
    lock_secs: 900,
};

fn key(address: &str) -> SignInKey {
    SignInKey::of(&email(address))
}

async fn the_limit_th_failure_locks_until_the_lock_ends(t: TestStore) {
    let lockout: &dyn SignInLockout = t.store.as_ref();
    let ann = key("ann@example.com");
    assert_eq!(lockout.locked_until(&ann, T0).await.unwrap(), None);
    assert_eq!(
        lockout.record_failure(&ann, T0, POLICY).await.unwrap(),
        None
    );
    let t1 = T0.plus_secs(1);
    assert_eq!(
        lockout.record_failure(&ann, t1, POLICY).await.unwrap(),
        None
    );
    assert_eq!(lockout.locked_until(&ann, t1).await.unwrap(), None);
    let t2 = T0.plus_secs(2);
    let until = t2.plus_secs(900);
    assert_eq!(
        lockout.record_failure(&ann, t2, POLICY).await.unwrap(),
        Some(until)
    );
    assert_eq!(lockout.locked_until(&ann, t2).await.unwrap(), Some(until));
    assert_eq!(
        lockout
            .locked_until(&ann, until.plus_secs(-1))
            .await
            .unwrap(),
        Some(until)
    );
    // Whose case differs is the same account; another account is not affected.
    assert_eq!(
        lockout
            .locked_until(&key("ANN@example.com"), t2)
            .await
            .unwrap(),
        Some(until)
    );
    assert_eq!(
        lockout
            .locked_until(&key("bob@example.com"), t2)
            .await
            .unwrap(),
        None
    );
    // The lock ends; the count starts again.
    assert_eq!(lockout.locked_until(&ann, until).await.unwrap(), None);
    assert_eq!(
        lockout.record_failure(&ann, until, POLICY).await.unwrap(),
        None
    );
    assert_eq!(
        lockout
            .record_failure(&ann, until.plus_secs(1), POLICY)
            .await
            .unwrap(),
        None
    );
    assert!(
        lockout
            .record_failure(&ann, until.plus_secs(2), POLICY)
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_success_clears_the_run(t: TestStore) {
    let lockout: &dyn SignInLockout = t.store.as_ref();
    let ann = key("ann@example.com");
    lockout.record_failure(&ann, T0, POLICY).await.unwrap();
    lockout.record_failure(&ann, T0, POLICY).await.unwrap();
    lockout.clear_failures(&ann).await.unwrap();
    assert_eq!(
        lockout.record_failure(&ann, T0, POLICY).await.unwrap(),
        None
    );
    assert_eq!(
        lockout.record_failure(&ann, T0, POLICY).await.unwrap(),
        None
    );
    assert!(
        lockout
            .record_failure(&ann, T0, POLICY)
            .await
            .unwrap()
            .is_some()
    );
    // Clearing what is not there is no error.
    lockout
        .clear_failures(&key("nobody@example.com"))
        .await
        .unwrap();
}

async fn two_stores_on_one_database_count_one_run(t: TestStore) {
    let other = t.another(None).await;
    let ann = key("ann@example.com");
    assert_eq!(
        t.store.record_failure(&ann, T0, POLICY).await.unwrap(),
        None
    );
    assert_eq!(other.record_failure(&ann, T0, POLICY).await.unwrap(), None);
    assert!(
        t.store
            .record_failure(&ann, T0, POLICY)
            .await
            .unwrap()
            .is_some()
    );
    assert!(other.locked_until(&ann, T0).await.unwrap().is_some());
    other.clear_failures(&ann).await.unwrap();
    assert_eq!(t.store.locked_until(&ann, T0).await.unwrap(), None);
}

/// However many sign-ins fail at once, each is counted: exactly the limit-th locks.
async fn concurrent_failures_each_count(t: TestStore) {
    let other = t.another(None).await;
    let policy = LockoutPolicy {
        limit: 12,
        lock_secs: 900,
    };
    let ann = key("ann@example.com");
    let failures: Vec<_> = (0..12)
        .map(|n| {
            let store: Arc<dyn Store> = if n % 2 == 0 {
                Arc::clone(&t.store)
            } else {
                Arc::clone(&other)
            };
            tokio::spawn(async move { store.record_failure(&ann, T0, policy).await })
        })
        .collect();
    let mut locked = 0;
    for failure in failures {
        if failure.await.unwrap().unwrap().is_some() {
            locked += 1;
        }
    }
    assert_eq!(locked, 1, "exactly the 12th failure locks");
    assert_eq!(t.count("SELECT failures FROM failed_sign_ins").await, 12);
}

async fn purge_forgets_ended_locks_and_the_oldest_runs(t: TestStore) {
    let lockout: &dyn SignInLockout = t.store.as_ref();
    let locked = key("locked@example.com");
    for _ in 0..3 {
        lockout.record_failure(&locked, T0, POLICY).await.unwrap();
    }
    for (n, address) in ["a@example.com", "b@example.com", "c@example.com"]
        .into_iter()
        .enumerate()
    {
        let at = T0.plus_secs(i64::try_from(n).unwrap());
        lockout
            .record_failure(&key(address), at, POLICY)
            .await
            .unwrap();
    }
    // Keeping two unlocked runs: the oldest (a) goes; the lock in force stays.
    assert_eq!(
        lockout
            .purge_failed_sign_ins(T0.plus_secs(10), 2)
            .await
            .unwrap(),
        1
    );
    assert_eq!(t.count("SELECT count(*) FROM failed_sign_ins").await, 3);
    assert!(
        lockout
            .locked_until(&locked, T0.plus_secs(10))
            .await
            .unwrap()
            .is_some()
    );
    // Once the lock has ended, it goes too.
    assert_eq!(
        lockout
            .purge_failed_sign_ins(T0.plus_secs(900), 2)
            .await
            .unwrap(),
        1
    );
    assert_eq!(t.count("SELECT count(*) FROM failed_sign_ins").await, 2);
    // b's run was kept: two more failures lock it.
    lockout
        .record_failure(&key("b@example.com"), T0, POLICY)
        .await
        .unwrap();
    assert!(
        lockout
            .record_failure(&key("b@example.com"), T0, POLICY)
            .await
            .unwrap()
            .is_some()
    );
}

async fn the_address_is_not_stored(t: TestStore) {
    let lockout: &dyn SignInLockout = t.store.as_ref();
    lockout
        .record_failure(&key("secret.person@example.com"), T0, POLICY)
        .await
        .unwrap();
    assert_eq!(t.count("SELECT count(*) FROM failed_sign_ins").await, 1);
    assert!(!contains(&t.all_bytes().await, b"secret.person"));
}
