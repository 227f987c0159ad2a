//! `/public-key`, `/.well-known/jwks.json`, `/healthz`.

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn public_key_is_the_servers_key_in_pem() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/public-key")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let pem = response.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    let key = synerise_auth_token::SigningKey::from_file(&app.data_dir.path().join("private.pem"))
        .unwrap();
    assert_eq!(
        &synerise_auth_token::PublicKey::parse_text(&pem, "reply").unwrap(),
        key.public_key()
    );
}

#[tokio::test]
async fn jwks_has_one_rs256_key_with_its_thumbprint() {
    let app = TestApp::spawn().await;
    let jwks: serde_json::Value = app.get_json("/.well-known/jwks.json").await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["alg"], "RS256");
    let health: serde_json::Value = app.get_json("/healthz").await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["kid"], keys[0]["kid"]);
}

#[tokio::test]
async fn health_names_the_version_and_the_commit() {
    let app = TestApp::spawn().await;
    let health: serde_json::Value = app.get_json("/healthz").await;
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    let commit = health["commit"].as_str().unwrap();
    // Built from this repository's git checkout: 12 hex digits of HEAD (`unknown` only without git).
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    if head.status.success() {
        assert_eq!(commit, String::from_utf8(head.stdout).unwrap().trim());
    } else {
        assert_eq!(commit, "unknown");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let app = TestApp::spawn().await;
    assert_error(
        app.client
            .get(app.url("/no-such-thing"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_error(
        app.client.post(app.url("/healthz")).send().await.unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        app.client
            .get(app.url("/generate-jwt"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        app.client
            .delete(app.url("/public-key"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn dev_mode_creates_key_salt_and_api_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = synerise_auth_server::Application::build(synerise_auth_server::Settings::for_test(
        dir.path(),
    ))
    .await
    .unwrap();
    let notes = first.notes().clone();
    assert!(notes.key_created);
    let api_key = notes
        .dev_api_key
        .clone()
        .unwrap()
        .expose_secret()
        .to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for file in ["private.pem", "uuid-salt", "dev-api-key"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{file}");
        }
    }
    drop(first);
    let second = synerise_auth_server::Application::build(
        synerise_auth_server::Settings::for_test(dir.path()),
    )
    .await
    .unwrap();
    assert!(!second.notes().key_created);
    assert_eq!(
        second
            .notes()
            .dev_api_key
            .as_ref()
            .map(synerise_auth_server::Secret::expose_secret),
        Some(api_key.as_str())
    );
    assert_eq!(
        second.notes().public_key_single_line,
        notes.public_key_single_line
    );
}

#[tokio::test]
async fn the_demo_site_is_served_in_dev_mode_only() {
    let app = TestApp::spawn().await;
    for path in ["/", "/gate"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("script-src 'self'")
        );
        assert!(response.text().await.unwrap().contains("<html"));
    }
    assert_error(
        app.client
            .get(app.url("/assets/missing.js"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;

    let production = TestApp::spawn_with(|mut s| {
        s.mode = synerise_auth_server::Mode::Production;
        s
    })
    .await;
    assert_error(
        production
            .client
            .get(production.url("/"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
}
