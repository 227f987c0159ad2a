//! Tests of [`super`].
use axum::{http::Method, response::IntoResponse as _};

use super::{requests::method_label, *};
use crate::ApiError;

fn metrics() -> Metrics {
    Metrics::new(MetricsAccess::Public).unwrap()
}

#[test]
fn counts_tokens_by_method_and_hits() {
    let m = metrics();
    m.token_issued("api_key", false);
    m.token_issued("api_key", true);
    m.token_issued("session", true);
    m.token_issued("something_new", false);
    let text = m.render();
    for line in [
        "synerise_auth_tokens_issued_total{method=\"api_key\"} 2",
        "synerise_auth_token_cache_hits_total{method=\"api_key\"} 1",
        "synerise_auth_tokens_issued_total{method=\"session\"} 1",
        "synerise_auth_token_cache_hits_total{method=\"session\"} 1",
        "synerise_auth_tokens_issued_total{method=\"id_token\"} 0",
        "synerise_auth_tokens_issued_total{method=\"something_new\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
}

#[test]
fn histograms_have_buckets() {
    let m = metrics();
    m.signed(Duration::from_micros(270));
    let response = ApiError::bad_request("invalid_email", "no").into_response();
    m.request_answered(
        "/generate-jwt",
        &axum::http::Method::POST,
        &response,
        Duration::from_micros(400),
    );
    m.request_answered(
        "/generate-jwt",
        &axum::http::Method::POST,
        &response,
        Duration::from_micros(400),
    );
    let text = m.render();
    assert!(
        text.contains("synerise_auth_token_signing_duration_seconds_bucket{le=\"0.0003\"} 1"),
        "{text}"
    );
    assert!(
        text.contains(
            "synerise_auth_http_request_duration_seconds_count{route=\"/generate-jwt\",method=\"POST\",status=\"400\"} 2"
        ),
        "{text}"
    );
    assert!(
        text.contains("synerise_auth_refusals_total{code=\"invalid_email\"} 2"),
        "{text}"
    );
}

#[test]
fn method_labels_are_a_fixed_list() {
    assert_eq!(method_label(&Method::POST), "POST");
    let odd = Method::from_bytes(b"ANN-EXAMPLE-COM").unwrap();
    assert_eq!(method_label(&odd), "other");
}
