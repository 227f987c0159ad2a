//! The typed request bodies of sign-in and sign-up: each way a body can be wrong gets its status
//! and stable code, and no refusal quotes a password.

use crate::helpers::{TestApp, assert_error};

const PASSWORD: &str = "correct horse battery";

async fn post(
    app: &TestApp,
    path: &str,
    body: impl Into<reqwest::Body>,
    content_type: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn sign_in_and_sign_up_refuse_bad_bodies_with_their_codes() {
    let app = TestApp::spawn().await;
    let too_short = serde_json::json!({"email": "b@example.com", "password": "short"}).to_string();
    for path in ["/api/session", "/api/accounts"] {
        for (body, code) in [
            (r#"{"password": "correct horse battery"}"#, "missing_email"),
            (
                r#"{"email": null, "password": "correct horse battery"}"#,
                "missing_email",
            ),
            (
                r#"{"email": "nope", "password": "correct horse battery"}"#,
                "invalid_email",
            ),
            (
                r#"{"email": 42, "password": "correct horse battery"}"#,
                "invalid_email",
            ),
            (r#"{"email": "ann@example.com"}"#, "missing_password"),
            (
                r#"{"email": "ann@example.com", "password": null}"#,
                "missing_password",
            ),
            (
                r#"{"email": "ann@example.com", "password": ""}"#,
                "missing_password",
            ),
            (
                r#"{"email": "ann@example.com", "password": 123456789012}"#,
                "missing_password",
            ),
            ("[1, 2]", "invalid_body"),
            ("null", "invalid_body"),
            (r#""ann@example.com""#, "invalid_body"),
            (r#"{"email": "#, "malformed_json"),
            ("", "malformed_json"),
            (
                r#"{"email": "ann@example.com", "password": "x"} []"#,
                "malformed_json",
            ),
        ] {
            assert_error(
                post(&app, path, body, Some("application/json")).await,
                400,
                code,
            )
            .await;
        }
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            assert_error(
                post(
                    &app,
                    path,
                    format!(r#"{{"email": "ann@example.com", "password": "{PASSWORD}"}}"#),
                    content_type,
                )
                .await,
                415,
                "unsupported_media_type",
            )
            .await;
        }
        let big = format!(
            r#"{{"email": "ann@example.com", "password": "{}"}}"#,
            "x".repeat(64 * 1024)
        );
        assert_error(
            post(&app, path, big, Some("application/json")).await,
            413,
            "payload_too_large",
        )
        .await;
    }
    assert_error(
        post(&app, "/api/accounts", too_short, Some("application/json")).await,
        400,
        "password_too_short",
    )
    .await;
}

#[tokio::test]
async fn a_refusal_never_quotes_the_password() {
    let app = TestApp::spawn().await;
    for body in [
        r#"{"email": "ann@example.com", "password": ["hunter2-hunter2"]}"#,
        r#"{"email": "ann@example.com", "password": {"hunter2-hunter2": 1}}"#,
    ] {
        for path in ["/api/session", "/api/accounts"] {
            let response = post(&app, path, body, Some("application/json")).await;
            assert_eq!(response.status(), 400, "{path} {body}");
            let text = response.text().await.unwrap();
            assert!(!text.contains("hunter2"), "{path}: {text}");
            assert!(text.contains("missing_password"), "{path}: {text}");
        }
    }
}

#[tokio::test]
async fn a_valid_body_with_extra_fields_is_accepted() {
    let app = TestApp::spawn().await;
    let response = post(
        &app,
        "/api/accounts",
        format!(
            r#"{{"email": "Extra@Example.com", "password": "{PASSWORD}", "name": "Ann", "tags": [1]}}"#
        ),
        Some("application/json; charset=utf-8"),
    )
    .await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["email"], "Extra@example.com");
    assert!(body["expiresAt"].as_str().unwrap().ends_with('Z'), "{body}");
    let response = post(
        &app,
        "/api/session",
        format!(r#"{{"email": "Extra@example.com", "password": "{PASSWORD}", "remember": true}}"#),
        Some("application/json"),
    )
    .await;
    assert_eq!(response.status(), 200);
}
