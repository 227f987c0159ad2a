//! Spawning the real application on port 0 with a fresh data dir and key.

use std::{
    io::Write,
    path::Path,
    process::Command,
    sync::{Arc, Mutex},
};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use synerise_auth_server::{Application, Settings};
use synerise_auth_token::UuidSalt;
use tracing_subscriber::fmt::MakeWriter;

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
        let data_dir = tempfile::tempdir().unwrap();
        let address = start_app(data_dir.path(), configure, clock).await;
        Self {
            address,
            client: client(),
            data_dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `GET path`, the body as text.
    pub(crate) async fn get_text(&self, path: &str) -> String {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        response.text().await.unwrap()
    }

    /// `GET path`, the body as JSON.
    pub(crate) async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
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

/// Builds the application on port 0 with its data in `data_dir`, the test API key and salt, and
/// serves it in the background; its address (`http://127.0.0.1:PORT`).
pub(crate) async fn start_app(
    data_dir: &Path,
    configure: impl FnOnce(Settings) -> Settings,
    clock: Arc<dyn synerise_auth_token::Clock>,
) -> String {
    if std::env::var_os("TEST_LOG").is_some() {
        synerise_auth_server::telemetry::init();
    }
    let mut settings = Settings::for_test(data_dir)
        .with_api_keys(&[API_KEY.to_owned()])
        .unwrap();
    settings.uuid_salt = Some(UuidSalt::new(SALT).unwrap());
    let app = Application::build_with_clock(configure(settings), clock)
        .await
        .unwrap_or_else(|e| panic!("the application did not start: {e:#}"));
    let address = format!("http://{}", app.local_addr().unwrap());
    tokio::spawn(app.run_until_stopped());
    address
}

/// An HTTP client that keeps cookies.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
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

/// Every line the server side logs, at every level, as text; the test's own HTTP client (which
/// logs the cookies it receives) is left out.
#[derive(Clone, Default)]
pub(crate) struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// A subscriber that writes into this capture, to install globally or for one thread.
    pub(crate) fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "trace,cookie_store=off,reqwest=off,hyper_util::client=off,rustls_platform_verifier=off",
            ))
            .with_writer(self.clone())
            .with_ansi(false)
            .finish()
    }

    /// What was logged so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = Self;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
