//! Spawning the real application on port 0 with a fresh data dir and key.

use std::{path::Path, process::Command};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use synerise_auth_server::{Application, Settings};
use synerise_auth_token::UuidSalt;

pub(crate) const API_KEY: &str = "test-api-key-0123456789abcdef";
pub(crate) const SALT: &str = "test-salt";

pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) client: reqwest::Client,
    pub(crate) data_dir: tempfile::TempDir,
}

impl TestApp {
    pub(crate) async fn spawn() -> Self {
        Self::spawn_with(|settings| settings).await
    }

    pub(crate) async fn spawn_with(configure: impl FnOnce(Settings) -> Settings) -> Self {
        Self::spawn_with_clock(
            configure,
            std::sync::Arc::new(synerise_auth_token::SystemClock),
        )
        .await
    }

    pub(crate) async fn spawn_with_clock(
        configure: impl FnOnce(Settings) -> Settings,
        clock: std::sync::Arc<dyn synerise_auth_token::Clock>,
    ) -> Self {
        if std::env::var_os("TEST_LOG").is_some() {
            synerise_auth_server::telemetry::init();
        }
        let data_dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_test(data_dir.path())
            .with_api_keys(&[API_KEY.to_owned()])
            .unwrap();
        settings.uuid_salt = Some(UuidSalt::new(SALT).unwrap());
        let app = Application::build_with_clock(configure(settings), clock)
            .await
            .unwrap();
        let address = format!("http://{}", app.local_addr().unwrap());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        Self {
            address,
            client,
            data_dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub(crate) async fn generate_jwt(&self, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/generate-jwt"))
            .bearer_auth(API_KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// Asserts an error reply: its status and its stable code, and that it is JSON with a sentence.
pub(crate) async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(
        response.status().as_u16(),
        status,
        "expected {status} {code}"
    );
    assert!(
        response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("application/json")),
        "error replies are JSON"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|s| !s.is_empty()),
        "{body}"
    );
}

/// Decodes a JWT part without verifying it.
pub(crate) fn decode_part(token: &str, index: usize) -> serde_json::Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Verifies an RS256 JWT with the openssl command line, an implementation that shares no code
/// with ours.
pub(crate) fn openssl_verifies(token: &str, public_pem: &str, dir: &Path) -> bool {
    let (message, signature) = token.rsplit_once('.').unwrap();
    let pub_path = dir.join("openssl-public.pem");
    let sig_path = dir.join("openssl-signature.bin");
    let msg_path = dir.join("openssl-message.txt");
    std::fs::write(&pub_path, public_pem).unwrap();
    std::fs::write(&sig_path, URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    std::fs::write(&msg_path, message).unwrap();
    let output = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&pub_path)
        .arg("-signature")
        .arg(&sig_path)
        .arg(&msg_path)
        .output()
        .expect("openssl must be installed (scripts/setup installs it)");
    output.status.success() && String::from_utf8_lossy(&output.stdout).contains("Verified OK")
}
