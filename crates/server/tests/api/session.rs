//! Built-in accounts, sessions, and tokens for signed-in customers.

use serde_json::json;
use synerise_auth_token::{CustomerUuid, UuidSalt};

use crate::helpers::{SALT, TestApp, assert_error, decode_part};

const PASSWORD: &str = "correct horse battery";

async fn sign_up(app: &TestApp, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/accounts"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn token_for_session(app: &TestApp, body: serde_json::Value) -> reqwest::Response {
    app.client
        .post(app.url("/generate-jwt"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("synerise_auth_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn sign_up_signs_in_and_the_token_is_for_that_account() {
    let app = TestApp::spawn().await;
    let response = sign_up(&app, "Ann@Example.com").await;
    assert_eq!(response.status(), 201);
    let cookie = session_cookie(&response);
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "dev mode serves plain http on loopback"
    );

    let me: serde_json::Value = app.get_json("/api/session").await;
    assert_eq!(me["email"], "Ann@example.com");

    let response = token_for_session(&app, json!({})).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let expected_uuid =
        CustomerUuid::derive(&UuidSalt::new(SALT).unwrap(), "Ann@example.com").to_string();
    assert_eq!(body["uuid"], expected_uuid);
    let claims = decode_part(body["jwt"].as_str().unwrap(), 1);
    assert_eq!(claims["email"], "Ann@example.com");
    assert_eq!(claims["uuid"], expected_uuid);

    // no body at all works too, and the guide's {email, uuid} body with the same email
    let bare = app
        .client
        .post(app.url("/generate-jwt"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 200);
    let guide = token_for_session(
        &app,
        json!({"email": "ann@example.com", "uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee"}),
    )
    .await;
    assert_eq!(guide.status(), 200);
    let guide: serde_json::Value = guide.json().await.unwrap();
    assert_eq!(
        guide["uuid"], expected_uuid,
        "a client uuid is ignored unless allowed"
    );
}

#[tokio::test]
async fn a_foreign_email_is_refused() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann@example.com").await;
    assert_error(
        token_for_session(&app, json!({"email": "bob@example.com"})).await,
        403,
        "email_mismatch",
    )
    .await;
    assert_error(
        token_for_session(&app, json!({"email": "nope"})).await,
        400,
        "invalid_email",
    )
    .await;
}

#[tokio::test]
async fn client_uuid_is_used_only_when_allowed() {
    let app = TestApp::spawn_with(|mut s| {
        s.allow_client_uuid = true;
        s
    })
    .await;
    sign_up(&app, "ann@example.com").await;
    let anonymous = "9b2f3c1e-8d4a-4f6b-9c7d-2e1f0a3b4c5d";
    let body: serde_json::Value = token_for_session(&app, json!({"uuid": anonymous}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["uuid"], anonymous);
    let body: serde_json::Value = token_for_session(&app, json!({"uuid": "not-a-uuid"}))
        .await
        .json()
        .await
        .unwrap();
    let derived =
        CustomerUuid::derive(&UuidSalt::new(SALT).unwrap(), "ann@example.com").to_string();
    assert_eq!(body["uuid"], derived, "an invalid client uuid is ignored");
}

#[tokio::test]
async fn no_session_no_token() {
    let app = TestApp::spawn().await;
    assert_error(
        token_for_session(&app, json!({"email": "ann@example.com"})).await,
        401,
        "missing_credentials",
    )
    .await;
    assert_error(
        app.client
            .get(app.url("/api/session"))
            .send()
            .await
            .unwrap(),
        401,
        "not_signed_in",
    )
    .await;
    let forged = app
        .client
        .post(app.url("/generate-jwt"))
        .header(
            "cookie",
            "synerise_auth_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .unwrap();
    assert_error(forged, 401, "not_signed_in").await;
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann@example.com").await;
    app.client
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    let wrong_password = sign_in(&app, "ann@example.com", "not the password").await;
    assert!(wrong_password.headers().get("set-cookie").is_none());
    let wrong_password = wrong_password.text().await.unwrap();
    let unknown = sign_in(&app, "nobody@example.com", PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(wrong_password, unknown);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&unknown).unwrap()["code"],
        "invalid_credentials"
    );
    assert_error(
        sign_in(&app, "ann@example.com", "x").await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.client
            .post(app.url("/api/session"))
            .json(&json!({"email": "ann@example.com"}))
            .send()
            .await
            .unwrap(),
        400,
        "missing_password",
    )
    .await;
    assert_eq!(
        sign_in(&app, "ANN@example.com", PASSWORD).await.status(),
        200,
        "emails are case-insensitive"
    );
}

#[tokio::test]
async fn sign_out_destroys_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let cookie = session_cookie(&sign_up(&app, "ann@example.com").await);
    let cookie_pair = cookie.split(';').next().unwrap().to_owned();
    let response = app
        .client
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(
        session_cookie(&response).contains("Max-Age=0"),
        "the browser is told to forget it"
    );
    assert_error(
        app.client
            .get(app.url("/api/session"))
            .send()
            .await
            .unwrap(),
        401,
        "not_signed_in",
    )
    .await;
    // replaying the old cookie does not bring the session back
    let replay = reqwest::Client::new()
        .post(app.url("/generate-jwt"))
        .header("cookie", cookie_pair)
        .send()
        .await
        .unwrap();
    assert_error(replay, 401, "not_signed_in").await;
}

#[tokio::test]
async fn sign_up_can_be_turned_off_and_refuses_duplicates_and_weak_passwords() {
    let app = TestApp::spawn().await;
    assert_eq!(sign_up(&app, "ann@example.com").await.status(), 201);
    assert_error(
        sign_up(&app, "ANN@example.com").await,
        409,
        "account_exists",
    )
    .await;
    let short = app
        .client
        .post(app.url("/api/accounts"))
        .json(&json!({"email": "bob@example.com", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_error(short, 400, "password_too_short").await;

    let closed = TestApp::spawn_with(|mut s| {
        s.signup = false;
        s
    })
    .await;
    assert_error(
        sign_up(&closed, "ann@example.com").await,
        403,
        "signup_disabled",
    )
    .await;
}

#[tokio::test]
async fn the_demo_account_exists_in_dev_mode() {
    let app = TestApp::spawn().await;
    assert_eq!(
        sign_in(&app, "demo@example.com", "synerise-demo")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn cross_site_cookie_posts_are_refused() {
    let app = TestApp::spawn_with(|mut s| {
        s.allowed_origins = vec!["https://shop.example".into()];
        s
    })
    .await;
    sign_up(&app, "ann@example.com").await;
    let post = |site: &'static str, origin: Option<&'static str>| {
        let mut request = app
            .client
            .post(app.url("/generate-jwt"))
            .header("sec-fetch-site", site);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_error(
        post("cross-site", Some("https://evil.example"))
            .await
            .unwrap(),
        403,
        "cross_site_request",
    )
    .await;
    assert_error(
        post("same-site", None).await.unwrap(),
        403,
        "cross_site_request",
    )
    .await;
    assert_eq!(
        post("cross-site", Some("https://shop.example"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(post("same-origin", None).await.unwrap().status(), 200);
    let no_fetch_metadata = app
        .client
        .post(app.url("/generate-jwt"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_error(no_fetch_metadata, 403, "cross_site_request").await;
    let sign_out = app
        .client
        .delete(app.url("/api/session"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_error(sign_out, 403, "cross_site_request").await;
    let login = app
        .client
        .post(app.url("/api/session"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"email": "ann@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_error(login, 403, "cross_site_request").await;
}

#[tokio::test]
async fn the_tenth_failed_sign_in_in_a_row_is_refused_with_429() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann@example.com").await;
    for attempt in 1..10 {
        let response = sign_in(&app, "ann@example.com", "wrong password!").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let tenth = sign_in(&app, "ann@example.com", "wrong password!").await;
    assert!(tenth.headers().get("retry-after").is_some());
    assert_error(tenth, 429, "rate_limited").await;
    assert_error(
        sign_in(&app, "ann@example.com", PASSWORD).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn sign_ins_per_ip_and_tokens_per_session_are_limited() {
    let app = TestApp::spawn_with(|mut s| {
        s.limits.sign_in_per_ip_per_minute = 3;
        s.limits.tokens_per_session_per_minute = 2;
        s
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            sign_in(&app, "demo@example.com", "synerise-demo")
                .await
                .status(),
            200
        );
    }
    assert_error(
        sign_in(&app, "demo@example.com", "synerise-demo").await,
        429,
        "rate_limited",
    )
    .await;
    assert_eq!(token_for_session(&app, json!({})).await.status(), 200);
    assert_eq!(token_for_session(&app, json!({})).await.status(), 200);
    assert_error(
        token_for_session(&app, json!({})).await,
        429,
        "rate_limited",
    )
    .await;
    // the site's back end is not limited by default
    for _ in 0..5 {
        assert_eq!(
            app.generate_jwt(&json!({"email": "x@example.com"}))
                .await
                .status(),
            200
        );
    }
}

#[tokio::test]
async fn cors_answers_only_the_allowed_origins() {
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/generate-jwt"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let app = TestApp::spawn_with(|mut s| {
        s.allowed_origins = vec!["https://shop.example".into()];
        s
    })
    .await;

    let allowed = preflight(&app, "https://shop.example").await.unwrap();
    assert_eq!(allowed.status(), 200);
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://shop.example"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );

    let other = preflight(&app, "https://evil.example").await.unwrap();
    assert!(
        other.headers().get("access-control-allow-origin").is_none(),
        "{:?}",
        other.headers()
    );

    // a plain answer to an allowed origin names it, so its page can read the reply
    let whoami = app
        .client
        .get(app.url("/api/session"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        whoami.headers()["access-control-allow-origin"],
        "https://shop.example"
    );

    // without allowed_origins, no origin gets CORS headers
    let same_origin_only = TestApp::spawn().await;
    let refused = preflight(&same_origin_only, "https://shop.example")
        .await
        .unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

async fn sign_in_forwarded_for(app: &TestApp, forwarded_for: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/session"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"email": "demo@example.com", "password": "synerise-demo"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit() {
    let app = TestApp::spawn_with(|mut s| {
        s.limits.sign_in_per_ip_per_minute = 2;
        s.trusted_proxies = synerise_auth_server::TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        s
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            sign_in_forwarded_for(&app, "198.51.100.1").await.status(),
            200
        );
    }
    assert_error(
        sign_in_forwarded_for(&app, "198.51.100.1").await,
        429,
        "rate_limited",
    )
    .await;
    // Another customer behind the same proxy is not held back by the first one's attempts.
    assert_eq!(
        sign_in_forwarded_for(&app, "198.51.100.2").await.status(),
        200
    );
    // A made-up first hop changes nothing: the proxy appended the address it saw.
    assert_error(
        sign_in_forwarded_for(&app, "192.0.2.77, 198.51.100.1").await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_buys_no_new_sign_in_attempts() {
    let app = TestApp::spawn_with(|mut s| {
        s.limits.sign_in_per_ip_per_minute = 2;
        s
    })
    .await;
    for hop in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(sign_in_forwarded_for(&app, hop).await.status(), 200);
    }
    assert_error(
        sign_in_forwarded_for(&app, "198.51.100.3").await,
        429,
        "rate_limited",
    )
    .await;
}
