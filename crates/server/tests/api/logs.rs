//! Logs never carry a password, a session id, a token, an API key or a raw email.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::helpers::{API_KEY, TestApp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn nothing_secret_reaches_the_logs_at_any_level() {
    let captured = Captured::default();
    // Everything the server side logs, at every level; the test's own HTTP client (which logs
    // the cookies it receives) is left out.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,cookie_store=off,reqwest=off,hyper_util::client=off,rustls_platform_verifier=off",
        ))
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();

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

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signed in") && logs.contains("sign-in refused"),
        "the capture works:\n{logs}"
    );
    let salt = std::fs::read_to_string(app.data_dir.path().join("uuid-salt")).ok();
    let mut secrets = vec![
        email.to_owned(),
        "secret.person".to_owned(),
        "other.secret".to_owned(),
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
