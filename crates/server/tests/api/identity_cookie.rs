//! Setting `identity_cookie`: the tracker's `_snrs_reset_uuid_and_identity_hash` at sign-in.

use serde_json::json;
use synerise_auth_server::IdentityCookie;

use crate::helpers::TestApp;

const PASSWORD: &str = "correct horse battery";
const EMAIL: &str = "Ann@Example.com";

/// Synerise's identity hash computed independently of the token crate, as the Magento
/// integration's PHP does it: 64-bit arithmetic brought back into 32 bits at every step.
fn php_hash_string(s: &str) -> i64 {
    s.bytes().fold(0_i64, |h, byte| {
        let v = (31 * h + i64::from(byte)) % 4_294_967_296;
        if v > 2_147_483_647 {
            v - 4_294_967_296
        } else if v < -2_147_483_648 {
            v + 4_294_967_296
        } else {
            v
        }
    })
}

async fn spawn(cookie: Option<&str>) -> TestApp {
    let setting = cookie.map(|text| IdentityCookie::parse(text).unwrap().unwrap());
    TestApp::spawn_with(move |mut s| {
        s.identity_cookie = setting;
        s
    })
    .await
}

fn tracker_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("_snrs_reset_uuid_and_identity_hash="))
}

async fn sign_up(app: &TestApp) -> reqwest::Response {
    app.client
        .post(app.url("/api/accounts"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
}

async fn sign_in(app: &TestApp, extra_cookie: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/session"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}));
    if let Some(cookie) = extra_cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn sign_in_hands_the_uuid_and_identity_hash_to_the_tracker() {
    let app = spawn(Some("on; domain=localhost; path=/shop")).await;
    let signed_up = sign_up(&app).await;
    assert_eq!(signed_up.status(), 201);
    assert!(tracker_cookie(&signed_up).is_some(), "sign-up signs in too");

    let response = sign_in(&app, None).await;
    assert_eq!(response.status(), 200);
    let cookie = tracker_cookie(&response).expect("the tracker's cookie");
    let token: serde_json::Value = app
        .client
        .post(app.url("/generate-jwt"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // `uuid:hash`, percent-encoded as PHP's setcookie() sends it from the Magento integration;
    // the email hashed as the service normalises it: the domain lower-cased.
    let expected = format!(
        "_snrs_reset_uuid_and_identity_hash={}%3A{};",
        token["uuid"].as_str().unwrap(),
        php_hash_string("Ann@example.com")
    );
    assert!(cookie.starts_with(&expected), "{cookie} / {expected}");
    assert!(
        !cookie.contains("HttpOnly"),
        "the tracker's script reads it"
    );
    assert!(cookie.contains("Path=/shop"), "{cookie}");
    assert!(cookie.contains("Domain=localhost"), "{cookie}");
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
}

#[tokio::test]
async fn nothing_is_handed_when_the_tracker_already_has_the_uuid() {
    let app = spawn(Some("on")).await;
    sign_up(&app).await;
    let uuid: serde_json::Value = app
        .client
        .post(app.url("/generate-jwt"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uuid = uuid["uuid"].as_str().unwrap().to_owned();

    let response = sign_in(&app, Some(&format!("_snrs_uuid={uuid}"))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(tracker_cookie(&response), None);

    let response = sign_in(
        &app,
        Some("_snrs_uuid=0b8f3c1e-8d4a-4f6b-9c7d-2e1f0a3b4c5d"),
    )
    .await;
    assert!(tracker_cookie(&response).is_some(), "another uuid: handed");
}

#[tokio::test]
async fn the_cookie_is_off_by_default() {
    let app = spawn(None).await;
    sign_up(&app).await;
    let response = sign_in(&app, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(tracker_cookie(&response), None);
}
