//! Logs never carry a password, a session id, a token, an API key or a raw email.

use serde_json::json;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::helpers::{API_KEY, CapturedLogs, TestApp};

#[tokio::test]
async fn nothing_secret_reaches_the_logs_at_any_level() {
    let captured = CapturedLogs::default();
    captured.subscriber().init();

    let app = TestApp::spawn().await;
    let email = "secret.person@example.com";
    let password = "hunter2-hunter2-hunter2";
    let signed_up = app
        .client
        .post(app.url("/api/accounts"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let session_id = signed_up
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let token: serde_json::Value = app
        .client
        .post(app.url("/generate-jwt"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = token["jwt"].as_str().unwrap().to_owned();
    let api: serde_json::Value = app
        .generate_jwt(&json!({"email": "other.secret@example.com"}))
        .await
        .json()
        .await
        .unwrap();
    app.client
        .post(app.url("/api/session"))
        .json(&json!({"email": email, "password": "wrong-wrong-wrong"}))
        .send()
        .await
        .unwrap();
    app.client
        .post(app.url("/generate-jwt"))
        .bearer_auth("wrong-api-key-0123456789")
        .json(&json!({"email": email}))
        .send()
        .await
        .unwrap();
    app.client
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    // A path a client wrote an address into: logged as its route, never as sent.
    let unknown = app
        .client
        .get(app.url("/written.into.path@example.com/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let logs = captured.text();
    assert!(
        logs.contains("signed in") && logs.contains("sign-in refused"),
        "the capture works:\n{logs}"
    );
    let salt = std::fs::read_to_string(app.data_dir.path().join("uuid-salt")).ok();
    let mut secrets = vec![
        email.to_owned(),
        "secret.person".to_owned(),
        "other.secret".to_owned(),
        "written.into.path".to_owned(),
        password.to_owned(),
        session_id,
        jwt.clone(),
        jwt.split('.').nth(2).unwrap().to_owned(),
        api["jwt"].as_str().unwrap().to_owned(),
        API_KEY.to_owned(),
        "wrong-api-key-0123456789".to_owned(),
    ];
    secrets.extend(salt);
    for secret in secrets {
        assert!(
            !logs.contains(&secret),
            "the logs carry `{secret}`:\n{logs}"
        );
    }
}
