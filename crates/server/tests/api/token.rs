//! `POST /generate-jwt` with an API key: the tokens it signs and every refusal.

use serde_json::json;
use synerise_auth_token::{CustomerUuid, UuidSalt};

use crate::helpers::{API_KEY, SALT, TestApp, assert_error, decode_part, openssl_verifies};

#[tokio::test]
async fn signs_a_synerise_token_that_openssl_verifies() {
    let app = TestApp::spawn().await;
    let uuid = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";
    let response = app
        .generate_jwt(&json!({"email": "customer@synerise.com", "uuid": uuid}))
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let jwt = body["jwt"].as_str().unwrap();

    assert_eq!(decode_part(jwt, 0), json!({"alg": "RS256", "typ": "JWT"}));
    let claims = decode_part(jwt, 1);
    assert_eq!(claims["uuid"], uuid);
    assert_eq!(claims["email"], "customer@synerise.com");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let exp = claims["exp"].as_i64().unwrap();
    assert!(
        (exp - (now + 7 * 86_400)).abs() < 60,
        "exp {exp} is not 7 days from {now}"
    );
    assert_eq!(body["uuid"], uuid);
    let expires_at = time::OffsetDateTime::parse(
        body["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires_at.unix_timestamp(), exp);

    let public_pem = app.get_text("/public-key").await;
    assert!(openssl_verifies(jwt, &public_pem, app.data_dir.path()));
    let mut tampered = jwt.to_owned();
    tampered.insert(40, 'x');
    assert!(!openssl_verifies(
        &tampered.replacen('x', "", 1).replacen("eyJ", "eyK", 1),
        &public_pem,
        app.data_dir.path()
    ));
}

#[tokio::test]
async fn derives_the_uuid_on_the_server_when_none_is_given() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = app
        .generate_jwt(&json!({"email": " Ann@Example.com "}))
        .await
        .json()
        .await
        .unwrap();
    let expected = CustomerUuid::derive(&UuidSalt::new(SALT).unwrap(), "Ann@example.com");
    assert_eq!(body["uuid"], expected.to_string());
    assert_eq!(
        decode_part(body["jwt"].as_str().unwrap(), 1)["uuid"],
        expected.to_string()
    );
    assert_eq!(
        decode_part(body["jwt"].as_str().unwrap(), 1)["email"],
        "Ann@example.com"
    );
    assert!(
        !body.to_string().contains(SALT),
        "the salt never leaves the server"
    );
}

#[tokio::test]
async fn sha256_api_key_entries_are_accepted() {
    use sha2::{Digest, Sha256};
    let entry = format!(
        "sha256:{}",
        hex::encode(Sha256::digest(b"another-key-0123456789abcdef"))
    );
    let app = TestApp::spawn_with(|s| s.with_api_keys(&[entry]).unwrap()).await;
    let response = app
        .client
        .post(app.url("/generate-jwt"))
        .bearer_auth("another-key-0123456789abcdef")
        .json(&json!({"email": "a@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_error(
        app.generate_jwt(&json!({"email": "a@example.com"})).await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn refuses_missing_and_wrong_credentials() {
    let app = TestApp::spawn().await;
    let post = || {
        app.client
            .post(app.url("/generate-jwt"))
            .json(&json!({"email": "a@example.com"}))
    };
    assert_error(post().send().await.unwrap(), 401, "missing_credentials").await;
    assert_error(
        post()
            .bearer_auth("wrong-key-0123456789abcdef")
            .send()
            .await
            .unwrap(),
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        post().bearer_auth("").send().await.unwrap(),
        401,
        "invalid_authorization",
    )
    .await;
    assert_error(
        post()
            .basic_auth("user", Some(API_KEY))
            .send()
            .await
            .unwrap(),
        401,
        "invalid_authorization",
    )
    .await;
    let response = post().send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn refuses_bad_bodies_with_their_codes() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({}), "missing_email"),
        (
            json!({"uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee"}),
            "missing_email",
        ),
        (json!({"email": null}), "missing_email"),
        (json!({"email": "not-an-email"}), "invalid_email"),
        (json!({"email": ""}), "invalid_email"),
        (json!({"email": 42}), "invalid_email"),
        (
            json!({"email": format!("{}@example.com", "a".repeat(300))}),
            "invalid_email",
        ),
        (
            json!({"email": "a@example.com", "uuid": "nope"}),
            "invalid_uuid",
        ),
        (json!({"email": "a@example.com", "uuid": 7}), "invalid_uuid"),
        (
            json!({"email": "a@example.com", "uuid": "00000000-0000-0000-0000-000000000000"}),
            "invalid_uuid",
        ),
        (json!([1, 2]), "invalid_body"),
        (json!("a@example.com"), "invalid_body"),
    ];
    for (body, code) in cases {
        assert_error(app.generate_jwt(&body).await, 400, code).await;
    }
}

#[tokio::test]
async fn refuses_malformed_json_wrong_type_and_oversized_bodies() {
    let app = TestApp::spawn().await;
    let raw = |body: Vec<u8>, content_type: Option<&str>| {
        let mut request = app
            .client
            .post(app.url("/generate-jwt"))
            .bearer_auth(API_KEY)
            .body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        request.send()
    };
    assert_error(
        raw(b"{\"email\":".to_vec(), Some("application/json"))
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
    assert_error(
        raw(b"\xff\xfe".to_vec(), Some("application/json"))
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
    assert_error(
        raw(b"{}".to_vec(), None).await.unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    assert_error(
        raw(
            b"email=a@example.com".to_vec(),
            Some("application/x-www-form-urlencoded"),
        )
        .await
        .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    let big = format!(
        "{{\"email\":\"a@example.com\",\"pad\":\"{}\"}}",
        "x".repeat(17 * 1024)
    );
    assert_error(
        raw(big.into_bytes(), Some("application/json"))
            .await
            .unwrap(),
        413,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn no_client_input_produces_a_server_error() {
    let app = TestApp::spawn().await;
    let bodies: [&[u8]; 8] = [
        b"",
        b"null",
        b"[]",
        b"{\"email\":{}}",
        b"{\"email\":\"\\u0000@x.io\"}",
        b"\x00\x01",
        b"{\"email\":\"a@example.com\",\"uuid\":[\"x\"]}",
        b"99999999999999999999999",
    ];
    for body in bodies {
        let status = app
            .client
            .post(app.url("/generate-jwt"))
            .bearer_auth(API_KEY)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            status.is_client_error(),
            "{:?} gave {status}",
            String::from_utf8_lossy(body)
        );
    }
}
