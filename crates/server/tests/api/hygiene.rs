//! Connection hygiene and the small protections: header and idle timeouts, the connection cap,
//! the JSON request timeout, caching and transport headers, the bearer scheme's case.

use std::time::{Duration, Instant};

use serde_json::json;
use synerise_auth_server::Mode;
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
};

use crate::helpers::{API_KEY, TestApp, assert_error};

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or `limit` passes); returns what was read and
/// whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

#[tokio::test]
async fn an_unfinished_header_block_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with(|mut s| {
        s.connections.header_read_timeout = Duration::from_secs(1);
        s
    })
    .await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(8)).await;
    assert!(closed, "still open after 8 s");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed before the timeout: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_too() {
    let app = TestApp::spawn_with(|mut s| {
        s.connections.header_read_timeout = Duration::from_secs(1);
        s.connections.idle_timeout = Duration::from_secs(2);
        s
    })
    .await;
    let mut silent = TcpStream::connect(host(&app)).await.unwrap();
    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(8)).await;
    assert!(closed, "an idle connection stayed open");

    // And a keep-alive connection, after its request was answered.
    let mut kept = TcpStream::connect(host(&app)).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut kept, Duration::from_secs(8)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "a kept-alive idle connection stayed open");
}

#[tokio::test]
async fn idle_sockets_beyond_the_cap_do_not_lock_a_normal_client_out() {
    let app = TestApp::spawn_with(|mut s| {
        s.connections.max_connections = 8;
        s
    })
    .await;
    // Three times the cap of sockets that never send a byte (the timeouts are long).
    let mut idle = Vec::new();
    for _ in 0..24 {
        idle.push(TcpStream::connect(host(&app)).await.unwrap());
    }
    let started = Instant::now();
    let response = app
        .client
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The oldest idle ones lost their place: at most the cap are still open.
    let mut open = 0;
    for socket in &mut idle {
        let mut byte = [0_u8; 1];
        if let Err(_) | Ok(Ok(1..)) =
            tokio::time::timeout(Duration::from_millis(50), socket.read(&mut byte)).await
        {
            open += 1;
        }
    }
    assert!(open <= 8, "{open} idle sockets still open");
}

#[tokio::test]
async fn a_request_over_the_timeout_is_a_json_408() {
    let app = TestApp::spawn_with(|mut s| {
        s.request_timeout = Duration::from_secs(1);
        s
    })
    .await;
    // Headers promise a body that never finishes: the handler waits for it past the timeout.
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /generate-jwt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"email\": "
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(8)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["code"], "request_timeout");
    assert!(body["error"].as_str().unwrap().contains("too long"));
}

#[tokio::test]
async fn token_and_session_replies_are_never_cached() {
    let app = TestApp::spawn().await;
    let token = app.generate_jwt(&json!({"email": "ann@example.com"})).await;
    assert_eq!(token.status(), 200);
    assert_eq!(token.headers()["cache-control"], "no-store");

    let signed_up = app
        .client
        .post(app.url("/api/accounts"))
        .json(&json!({"email": "bob@example.com", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), 201);
    assert_eq!(signed_up.headers()["cache-control"], "no-store");
    let whoami = app
        .client
        .get(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(whoami.status(), 200);
    assert_eq!(whoami.headers()["cache-control"], "no-store");
    // Refusals too.
    let refused = app
        .client
        .post(app.url("/generate-jwt"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["cache-control"], "no-store");
    assert!(refused.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn production_answers_carry_hsts() {
    let app = TestApp::spawn_with(|mut s| {
        s.mode = Mode::Production;
        s.gate = None;
        s
    })
    .await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn().await;
    for scheme in ["BEARER", "bearer", "Bearer", "bEaReR"] {
        let response = app
            .client
            .post(app.url("/generate-jwt"))
            .header("authorization", format!("{scheme} {API_KEY}"))
            .json(&json!({"email": "ann@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let other = app
        .client
        .post(app.url("/generate-jwt"))
        .header("authorization", format!("Basic {API_KEY}"))
        .json(&json!({"email": "ann@example.com"}))
        .send()
        .await
        .unwrap();
    assert_error(other, 401, "invalid_authorization").await;
}

#[tokio::test]
async fn an_overlong_uri_or_too_many_headers_are_json_refusals() {
    let app = TestApp::spawn().await;
    let long = format!("/healthz?{}", "a".repeat(9 * 1024));
    let response = app.client.get(app.url(&long)).send().await.unwrap();
    assert_error(response, 414, "uri_too_long").await;

    let mut request = app.client.get(app.url("/healthz"));
    for i in 0..65 {
        request = request.header(format!("x-field-{i}"), "v");
    }
    assert_error(request.send().await.unwrap(), 431, "headers_too_large").await;

    let big = "v".repeat(33 * 1024);
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-big", big)
        .send()
        .await
        .unwrap();
    assert_error(response, 431, "headers_too_large").await;

    // Past the HTTP parser's own limit (100 fields) the refusal is its bare 431, and the
    // connection's server is unharmed.
    let mut request = app.client.get(app.url("/healthz"));
    for i in 0..120 {
        request = request.header(format!("x-field-{i}"), "v");
    }
    assert_eq!(request.send().await.unwrap().status(), 431);

    // Within the limits, the same request is answered.
    let mut fine = app.client.get(app.url("/healthz"));
    for i in 0..55 {
        fine = fine.header(format!("x-field-{i}"), "v");
    }
    assert_eq!(fine.send().await.unwrap().status(), 200);
}
