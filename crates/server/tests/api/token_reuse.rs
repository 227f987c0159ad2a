//! Token reuse: a returning customer gets the token signed for them moments ago, and nobody else
//! ever does.

use std::sync::Arc;

use serde_json::json;
use synerise_auth_token::{FixedClock, UnixTime};

use crate::helpers::TestApp;

const T0: i64 = 1_800_000_000;

async fn jwt(app: &TestApp, body: serde_json::Value) -> String {
    let response = app.generate_jwt(&body).await;
    assert_eq!(response.status(), 200);
    response.json::<serde_json::Value>().await.unwrap()["jwt"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn cache_hits(app: &TestApp) -> String {
    let text = app.get_text("/metrics").await;
    text.lines()
        .find_map(|l| {
            l.strip_prefix(r#"synerise_auth_token_cache_hits_total{method="api_key"} "#)
                .map(str::to_owned)
        })
        .unwrap()
}

#[tokio::test]
async fn a_returning_customer_gets_the_same_token_until_ten_minutes_have_passed() {
    let clock = Arc::new(FixedClock::new(UnixTime::from_secs(T0)));
    let app = TestApp::spawn_with_clock(|s| s, clock.clone()).await;
    let ann = json!({"email": "ann@example.com"});

    let first = jwt(&app, ann.clone()).await;
    clock.advance(599);
    assert_eq!(jwt(&app, ann.clone()).await, first);
    assert_eq!(cache_hits(&app).await, "1");

    clock.advance(1);
    let fresh = jwt(&app, ann.clone()).await;
    assert_ne!(fresh, first, "a token 600 s old is not reused");
    assert_eq!(cache_hits(&app).await, "1");
}

#[tokio::test]
async fn another_email_or_uuid_never_gets_a_cached_token() {
    let clock = Arc::new(FixedClock::new(UnixTime::from_secs(T0)));
    let app = TestApp::spawn_with_clock(|s| s, clock).await;
    let uuid = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";
    let ann = jwt(&app, json!({"email": "ann@example.com", "uuid": uuid})).await;
    let bob = jwt(&app, json!({"email": "bob@example.com", "uuid": uuid})).await;
    let ann_other_uuid = jwt(&app, json!({"email": "ann@example.com"})).await;
    assert_ne!(ann, bob);
    assert_ne!(ann, ann_other_uuid);
    assert_eq!(cache_hits(&app).await, "0");
    // and each of them is served its own token afterwards
    assert_eq!(
        jwt(&app, json!({"email": "bob@example.com", "uuid": uuid})).await,
        bob
    );
    assert_eq!(
        jwt(&app, json!({"email": "ann@example.com", "uuid": uuid})).await,
        ann
    );
    assert_eq!(cache_hits(&app).await, "2");
}

#[tokio::test]
async fn the_off_switch_signs_every_time() {
    let app = TestApp::spawn_with(|mut settings| {
        settings.token_cache.enabled = false;
        settings
    })
    .await;
    for _ in 0..3 {
        jwt(&app, json!({"email": "ann@example.com"})).await;
    }
    assert_eq!(cache_hits(&app).await, "0");
    let text = app.get_text("/metrics").await;
    assert!(
        text.lines()
            .any(|l| l == "synerise_auth_token_signing_duration_seconds_count 3"),
        "{text}"
    );
}
