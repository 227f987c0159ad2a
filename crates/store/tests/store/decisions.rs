//! The event gate's log: decisions kept newest first with filters and a cap, and the history of
//! certificates.

use synerise_auth_store::{
    CERTIFICATES_KEPT, CertificateHistory, DecisionId, DecisionLog, DecisionQuery, DecisionRecord,
    MAX_DECISIONS_LISTED, PRUNED_PER_DECISION,
};
use synerise_auth_token::UnixTime;

use crate::helpers::{T0, TestStore, on_both_backends};

on_both_backends!(
    the_schema_has_the_gate_tables,
    decisions_come_back_newest_first_with_every_field,
    filters_limit_and_after,
    only_the_newest_decisions_are_kept,
    a_log_far_past_its_cap_shrinks_a_bounded_batch_a_decision,
    decisions_survive_reopening,
    certificates_are_remembered_newest_first,
);

fn decision(n: i64, action: &str, accepted: bool) -> DecisionRecord {
    DecisionRecord {
        at: T0.plus_secs(n),
        action: Some(action.to_owned()),
        label: Some(format!("label {n}")),
        uuid: Some("345d4c8f-5aff-591d-a19c-1ca48923d9ee".to_owned()),
        accepted,
        status: if accepted { 202 } else { 401 },
        reason: (!accepted).then(|| "token_required".to_owned()),
        detail: format!("detail {n}."),
        rule: Some("require_token".to_owned()),
        token_sent: !accepted,
        token_email_tag: accepted.then(|| "0123456789ab".to_owned()),
        warning: None,
    }
}

fn query(limit: u32) -> DecisionQuery {
    DecisionQuery {
        limit,
        ..DecisionQuery::default()
    }
}

async fn the_schema_has_the_gate_tables(t: TestStore) {
    assert_eq!(
        t.count("SELECT count(*) FROM _sqlx_migrations WHERE version = 2 AND success")
            .await,
        1
    );
    let tables = t.tables().await;
    for table in ["gate_decisions", "gate_certificates"] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
}

async fn decisions_come_back_newest_first_with_every_field(t: TestStore) {
    let log: &dyn DecisionLog = t.store.as_ref();
    let first = log.record(&decision(1, "page.visit", true)).await.unwrap();
    let malformed = DecisionRecord {
        at: T0.plus_secs(2),
        action: None,
        label: None,
        uuid: None,
        accepted: false,
        status: 415,
        reason: Some("malformed_event".to_owned()),
        detail: "The event must be JSON.".to_owned(),
        rule: None,
        token_sent: false,
        token_email_tag: None,
        warning: Some("careful".to_owned()),
    };
    let second = log.record(&malformed).await.unwrap();
    assert!(second > first);

    let listed = log.list(&DecisionQuery::default()).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, second);
    assert_eq!(listed[0].record, malformed);
    assert_eq!(listed[1].id, first);
    assert_eq!(listed[1].record, decision(1, "page.visit", true));
}

async fn filters_limit_and_after(t: TestStore) {
    let log: &dyn DecisionLog = t.store.as_ref();
    let mut ids = Vec::new();
    for (n, (action, accepted)) in [
        ("page.visit", true),
        ("form.submit", false),
        ("form.submit", true),
        ("page.visit", true),
        ("form.submit", false),
    ]
    .into_iter()
    .enumerate()
    {
        let n = i64::try_from(n).unwrap();
        ids.push(log.record(&decision(n, action, accepted)).await.unwrap());
    }
    let listed = |q: DecisionQuery| async move {
        log.list(&q)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };

    assert_eq!(listed(query(2)).await, vec![ids[4], ids[3]]);
    let refused = DecisionQuery {
        accepted: Some(false),
        ..query(50)
    };
    assert_eq!(listed(refused).await, vec![ids[4], ids[1]]);
    let accepted_submits = DecisionQuery {
        accepted: Some(true),
        action: Some("form.submit".to_owned()),
        ..query(50)
    };
    assert_eq!(listed(accepted_submits).await, vec![ids[2]]);
    let since = DecisionQuery {
        after: Some(ids[2]),
        ..query(50)
    };
    assert_eq!(listed(since).await, vec![ids[4], ids[3]]);
    let nothing_new = DecisionQuery {
        after: Some(ids[4]),
        ..query(50)
    };
    assert!(listed(nothing_new).await.is_empty());
    let unknown_action = DecisionQuery {
        action: Some("transaction.charge".to_owned()),
        ..query(50)
    };
    assert!(listed(unknown_action).await.is_empty());
    // Out-of-range limits are brought into range rather than refused.
    assert_eq!(listed(query(0)).await, vec![ids[4]]);
    assert_eq!(listed(query(u32::MAX)).await.len(), 5);
    assert_eq!(listed(query(MAX_DECISIONS_LISTED + 1)).await.len(), 5);
}

async fn only_the_newest_decisions_are_kept(t: TestStore) {
    let log = t.another(Some(3)).await;
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(log.record(&decision(n, "page.visit", true)).await.unwrap());
    }
    let listed: Vec<DecisionId> = DecisionLog::list(log.as_ref(), &query(50))
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(listed, vec![ids[6], ids[5], ids[4]]);
    assert_eq!(t.count("SELECT count(*) FROM gate_decisions").await, 3);
    // Ids are never reused after pruning.
    let next = log.record(&decision(8, "page.visit", true)).await.unwrap();
    assert!(next > ids[6]);
}

async fn a_log_far_past_its_cap_shrinks_a_bounded_batch_a_decision(t: TestStore) {
    let batch = usize::try_from(PRUNED_PER_DECISION).unwrap();
    let roomy = t.another(Some(1_000)).await;
    let backlog = 2 * batch + 10;
    for n in 0..backlog {
        roomy
            .record(&decision(i64::try_from(n).unwrap(), "page.visit", true))
            .await
            .unwrap();
    }
    // The cap lowered to 3: each decision deletes at most a batch of the oldest rows.
    let tight = t.another(Some(3)).await;
    let mut counts = Vec::new();
    for n in 0..4 {
        tight
            .record(&decision(1_000 + n, "page.visit", true))
            .await
            .unwrap();
        counts.push(t.count("SELECT count(*) FROM gate_decisions").await);
    }
    let rows = |n: usize| i64::try_from(n).unwrap();
    assert_eq!(
        counts,
        vec![
            rows(backlog + 1 - batch),
            rows(backlog + 2 - 2 * batch),
            3,
            3
        ]
    );
}

async fn decisions_survive_reopening(t: TestStore) {
    let id = DecisionLog::record(t.store.as_ref(), &decision(1, "page.visit", true))
        .await
        .unwrap();
    t.store.close().await;
    let again = t.another(None).await;
    let listed = DecisionLog::list(again.as_ref(), &query(10)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
}

async fn certificates_are_remembered_newest_first(t: TestStore) {
    let history: &dyn CertificateHistory = t.store.as_ref();
    let at = |n: i64| UnixTime::from_secs(T0.as_secs() + n);
    assert!(history.certificates().await.unwrap().is_empty());
    assert!(
        history
            .register_certificate("a", b"der-a", at(1))
            .await
            .unwrap()
    );
    assert!(
        !history
            .register_certificate("a", b"der-a", at(2))
            .await
            .unwrap()
    );
    assert!(
        history
            .register_certificate("b", b"der-b", at(3))
            .await
            .unwrap()
    );
    let names = || async {
        history
            .certificates()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.thumbprint)
            .collect::<Vec<_>>()
    };
    assert_eq!(names().await, ["b", "a"]);
    let newest = &history.certificates().await.unwrap()[0];
    assert_eq!(newest.spki_der, b"der-b");
    assert_eq!(newest.registered_at, at(3));

    // Going back to an older certificate makes it the active one again.
    assert!(
        history
            .register_certificate("a", b"der-a", at(4))
            .await
            .unwrap()
    );
    assert_eq!(names().await, ["a", "b"]);

    for n in 0..CERTIFICATES_KEPT + 5 {
        let name = format!("k{n}");
        history
            .register_certificate(&name, name.as_bytes(), at(10 + i64::from(n)))
            .await
            .unwrap();
    }
    let kept = names().await;
    assert_eq!(kept.len(), usize::try_from(CERTIFICATES_KEPT).unwrap());
    assert_eq!(kept[0], format!("k{}", CERTIFICATES_KEPT + 4));
}
