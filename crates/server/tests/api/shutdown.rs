//! Stopping: the drain period (`/healthz` 503 `draining`, every other route still answered,
//! kept-alive connections closed after their answer, the gauge at 1), then the listener closed
//! and the application finished.

use std::{
    io::{Read as _, Write as _},
    net::TcpStream,
    time::Duration,
};

use synerise_auth_server::{Application, Settings};
use synerise_auth_token::UuidSalt;

use crate::helpers::{API_KEY, SALT, assert_error};

/// The application on port 0 with a drain period of `drain`, served until the returned sender
/// asks it to stop; its address and the task serving it.
async fn serve_with_drain(
    dir: &std::path::Path,
    drain: Duration,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let mut settings = Settings::for_test(dir)
        .with_api_keys(&[API_KEY.to_owned()])
        .unwrap();
    settings.uuid_salt = Some(UuidSalt::new(SALT).unwrap());
    settings.drain = drain;
    let app = Application::build(settings).await.unwrap();
    let address = app.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(app.run_with_shutdown(async {
        let _ = stopped.await;
    }));
    (address, stop, done)
}

/// One HTTP/1.1 request on a kept-alive connection: the reply's head and body, as text.
fn exchange(stream: &mut TcpStream, method: &str, path: &str, body: &str) -> (String, String) {
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {API_KEY}\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut received = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before a whole reply: {received:?}");
        received.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if rest.len() >= length {
                return (head.to_owned(), rest.to_owned());
            }
        }
    }
}

fn connect(address: &str) -> TcpStream {
    let stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Whether the server closed `stream` (the next read ends at once, with no bytes).
fn closed_by_the_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0_u8; 1];
    matches!(stream.read(&mut byte), Ok(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_draining_healthz_says_so_and_every_other_route_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    // Longer than this test could ever take: the drain is still on at each assertion below.
    let (address, stop, _serving) = serve_with_drain(dir.path(), Duration::from_secs(600)).await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("http://{address}{path}");

    // Before: healthy, and a kept-alive connection stays open.
    let mut kept = connect(&address);
    let (head, _) = exchange(&mut kept, "GET", "/healthz", "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    let metrics = client.get(url("/metrics")).send().await.unwrap();
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("synerise_auth_draining 0"),
        "the gauge reads 0 before"
    );

    stop.send(()).unwrap();
    // The drain starts as soon as the stop is seen.
    let health = loop {
        let health = client.get(url("/healthz")).send().await.unwrap();
        if health.status() != 200 {
            break health;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let retry_after = health.headers().get("retry-after").cloned();
    assert_error(health, 503, "draining").await;
    assert_eq!(retry_after.unwrap(), "600");

    // Every other route still answers, from new connections too.
    let token = client
        .post(url("/generate-jwt"))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({"email": "ann@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let metrics = client.get(url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("synerise_auth_draining 1"),
        "the gauge reads 1 while draining"
    );

    // The kept-alive connection gets its answer, which says the connection closes, and closes.
    let (head, body) = tokio::task::spawn_blocking(move || {
        let reply = exchange(
            &mut kept,
            "POST",
            "/generate-jwt",
            r#"{"email":"ann@example.com"}"#,
        );
        assert!(
            closed_by_the_server(&mut kept),
            "the connection stayed open"
        );
        reply
    })
    .await
    .unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    assert!(body.contains("\"jwt\""), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_drain_the_listener_closes_and_the_application_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, serving) = serve_with_drain(dir.path(), Duration::from_secs(1)).await;
    let mut idle = connect(&address);
    let (head, _) = exchange(&mut idle, "GET", "/healthz", "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(60), serving)
        .await
        .expect("the application ends after the drain")
        .unwrap()
        .unwrap();
    // The idle kept-alive connection was closed, and nothing listens any more.
    assert!(
        tokio::task::spawn_blocking(move || closed_by_the_server(&mut idle))
            .await
            .unwrap(),
        "the idle connection stayed open"
    );
    assert!(TcpStream::connect(&address).is_err(), "still listening");
}
