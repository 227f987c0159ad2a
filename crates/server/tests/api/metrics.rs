//! `GET /metrics`: the counters and histograms move with the traffic, and never carry an email,
//! a token or a key.

use serde_json::json;
use synerise_auth_server::MetricsAccess;

use crate::helpers::{API_KEY, TestApp, assert_error};

/// The value of one series, e.g. `synerise_auth_tokens_issued_total{method="api_key"}`.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn scrape(app: &TestApp) -> String {
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_fresh_server_counts_tokens_cache_hits_and_refusals() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    assert_eq!(
        value(
            &before,
            r#"synerise_auth_tokens_issued_total{method="api_key"}"#
        ),
        Some(0.0),
        "{before}"
    );

    let first = app.generate_jwt(&json!({"email": "ann@example.com"})).await;
    assert_eq!(first.status(), 200);
    let jwt: String = first.json::<serde_json::Value>().await.unwrap()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    // The same customer again: served from the token cache.
    assert_eq!(
        app.generate_jwt(&json!({"email": "ann@example.com"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.generate_jwt(&json!({"email": "bob@example.com"}))
            .await
            .status(),
        200
    );
    assert_error(
        app.generate_jwt(&json!({"email": "not an email"})).await,
        400,
        "invalid_email",
    )
    .await;
    let anonymous = app
        .client
        .post(app.url("/generate-jwt"))
        .json(&json!({"email": "ann@example.com"}))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401, "missing_credentials").await;

    let text = scrape(&app).await;
    for (series, expected) in [
        (
            r#"synerise_auth_tokens_issued_total{method="api_key"}"#,
            3.0,
        ),
        (
            r#"synerise_auth_token_cache_hits_total{method="api_key"}"#,
            1.0,
        ),
        (
            r#"synerise_auth_tokens_issued_total{method="session"}"#,
            0.0,
        ),
        (r#"synerise_auth_refusals_total{code="invalid_email"}"#, 1.0),
        (
            r#"synerise_auth_refusals_total{code="missing_credentials"}"#,
            1.0,
        ),
        ("synerise_auth_token_signing_duration_seconds_count", 2.0),
        (
            r#"synerise_auth_http_request_duration_seconds_count{route="/generate-jwt",method="POST",status="200"}"#,
            3.0,
        ),
        (
            r#"synerise_auth_http_request_duration_seconds_count{route="/generate-jwt",method="POST",status="400"}"#,
            1.0,
        ),
        (
            r#"synerise_auth_http_request_duration_seconds_count{route="/metrics",method="GET",status="200"}"#,
            1.0,
        ),
    ] {
        assert_eq!(value(&text, series), Some(expected), "{series} in\n{text}");
    }
    assert!(text.contains("# TYPE synerise_auth_http_request_duration_seconds histogram"));
    for secret in ["ann@", "bob@", "example.com", API_KEY, jwt.as_str()] {
        assert!(!text.contains(secret), "{secret} leaked into\n{text}");
    }
}

#[tokio::test]
async fn unknown_paths_are_one_route_label() {
    let app = TestApp::spawn().await;
    for path in ["/no/such/ann@example.com", "/another-missing-page"] {
        app.client
            .get(app.url(&format!("/api{path}")))
            .send()
            .await
            .unwrap();
    }
    let text = scrape(&app).await;
    assert!(!text.contains("ann@example.com"), "{text}");
    assert!(!text.contains("another-missing-page"), "{text}");
    assert!(text.contains(r#"route="fallback""#), "{text}");
}

#[tokio::test]
async fn with_api_key_access_metrics_need_an_api_key() {
    let app = TestApp::spawn_with(|mut settings| {
        settings.metrics = MetricsAccess::ApiKey;
        settings
    })
    .await;
    assert_error(
        app.client.get(app.url("/metrics")).send().await.unwrap(),
        401,
        "missing_credentials",
    )
    .await;
    assert_error(
        app.client
            .get(app.url("/metrics"))
            .bearer_auth("not-the-api-key-0123456789")
            .send()
            .await
            .unwrap(),
        401,
        "invalid_credentials",
    )
    .await;
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert_eq!(
        value(
            &text,
            r#"synerise_auth_refusals_total{code="invalid_credentials"}"#
        ),
        Some(1.0),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_can_be_switched_off() {
    let app = TestApp::spawn_with(|mut settings| {
        settings.metrics = MetricsAccess::Off;
        settings
    })
    .await;
    assert_error(
        app.client.get(app.url("/metrics")).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_mounted_gate_is_timed_and_counted_with_the_rest() {
    let app = TestApp::spawn().await;
    let accepted = app
        .client
        .post(app.url("/gate/v1/events"))
        .json(&json!({"action": "page.visit", "client": {"uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    // The stack's headers reach the gate's answers too.
    assert_eq!(accepted.headers()["x-content-type-options"], "nosniff");
    assert_eq!(accepted.headers()["cache-control"], "no-store");
    let refused = app
        .client
        .post(app.url("/gate/v1/events"))
        .json(&json!({"action": "form.submit", "client": {"uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let listed = app
        .client
        .get(app.url("/gate/v1/events?limit=5"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);

    let text = scrape(&app).await;
    for series in [
        r#"synerise_auth_http_request_duration_seconds_count{route="/gate/v1/events",method="POST",status="202"}"#,
        r#"synerise_auth_http_request_duration_seconds_count{route="/gate/v1/events",method="POST",status="401"}"#,
        r#"synerise_auth_http_request_duration_seconds_count{route="/gate/v1/events",method="GET",status="200"}"#,
    ] {
        assert_eq!(value(&text, series), Some(1.0), "{series} in:\n{text}");
    }
}
