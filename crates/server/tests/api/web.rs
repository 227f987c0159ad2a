//! The embedded web files: the one-script SDK (every mode), the `/plain` page (dev mode), and the
//! live page of the event gate run alone.

use std::time::Duration;

use synerise_auth_gate::EventSettings;
use synerise_auth_server::{GateApplication, GateSettings, Mode, SettingsLayer};
use synerise_auth_token::SigningKey;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn the_sdk_script_is_served_in_every_mode_with_an_etag_and_cors() {
    for mode in [Mode::Dev, Mode::Production] {
        let app = TestApp::spawn_with(|mut s| {
            s.mode = mode;
            s
        })
        .await;
        let response = app
            .client
            .get(app.url("/sdk/synerise-auth.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{mode:?}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["cross-origin-resource-policy"], "cross-origin");
        let etag = headers["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
        assert!(!response.text().await.unwrap().is_empty());

        let again = app
            .client
            .get(app.url("/sdk/synerise-auth.js"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.text().await.unwrap().is_empty());

        let other = app
            .client
            .get(app.url("/sdk/synerise-auth.js"))
            .header("If-None-Match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);

        assert_error(
            app.client
                .get(app.url("/sdk/nothing.js"))
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        assert_error(
            app.client
                .post(app.url("/sdk/synerise-auth.js"))
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
    }
}

#[tokio::test]
async fn the_plain_page_is_a_dev_mode_page() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/plain")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );

    let production = TestApp::spawn_with(|mut s| {
        s.mode = Mode::Production;
        s
    })
    .await;
    assert_error(
        production
            .client
            .get(production.url("/plain"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_gate_run_alone_serves_its_live_page() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = SigningKey::generate(2048).unwrap().public_key().clone();
    let mut settings = GateSettings::from_layer(
        SettingsLayer {
            data_dir: Some(dir.path().to_owned()),
            ..SettingsLayer::default()
        },
        Some("127.0.0.1:0".parse().unwrap()),
        certificate,
    )
    .unwrap();
    settings.events = EventSettings::default();
    let app = GateApplication::build(settings).await.unwrap();
    let address = format!("http://{}", app.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(app.run_with_shutdown(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let page = client.get(format!("{address}/gate")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("<html"));

    let root = client.get(format!("{address}/")).send().await.unwrap();
    assert_eq!(root.status(), 303);
    assert_eq!(root.headers()["location"], "/gate");

    let icon = client
        .get(format!("{address}/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    for elsewhere in [
        "/plain",
        "/plain.html",
        "/index.html",
        "/sdk/synerise-auth.js",
    ] {
        assert_error(
            client
                .get(format!("{address}{elsewhere}"))
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
    }
    assert_error(
        client
            .get(format!("{address}/api/session"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_error(
        client.post(format!("{address}/gate")).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    // The gate's own routes still answer as before.
    let log = client
        .get(format!("{address}/gate/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(log.status(), 200);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), done)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
