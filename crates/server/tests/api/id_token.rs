//! `POST /generate-jwt` with an identity provider's ID token, against a provider served on a
//! local port (discovery document and JWKS) that the tests rotate and switch off.

use std::sync::{
    Arc, LazyLock, Mutex,
    atomic::{AtomicBool, Ordering},
};

use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use synerise_auth_token::{Clock, CustomerUuid, FixedClock, SigningKey, UnixTime, UuidSalt};

use crate::helpers::{SALT, TestApp, assert_error, decode_part};

const AUDIENCE: &str = "shop-web-client";
static KEY_A: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate(2048).unwrap());
static KEY_B: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate(2048).unwrap());

#[derive(Clone)]
struct Provider {
    issuer: String,
    keys: Arc<Mutex<Vec<Value>>>,
    down: Arc<AtomicBool>,
}

impl Provider {
    async fn start(keys: &[&SigningKey]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let provider = Self {
            issuer,
            keys: Arc::new(Mutex::new(
                keys.iter().map(|k| k.public_key().to_jwk()).collect(),
            )),
            down: Arc::new(AtomicBool::new(false)),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        provider
    }

    fn publish(&self, keys: &[&SigningKey]) {
        *self.keys.lock().unwrap() = keys.iter().map(|k| k.public_key().to_jwk()).collect();
    }

    fn id_token(&self, key: &SigningKey, now: UnixTime, overrides: Value) -> String {
        let mut claims = json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "user-123",
            "email": "Idp.User@example.com",
            "email_verified": true,
            "iat": now.as_secs(),
            "exp": now.as_secs() + 300,
        });
        for (name, value) in overrides.as_object().unwrap() {
            claims[name] = value.clone();
        }
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": key.public_key().thumbprint()});
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = key.sign(message.as_bytes()).unwrap();
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

async fn discovery(State(p): State<Provider>) -> impl IntoResponse {
    if p.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(json!({"issuer": p.issuer, "jwks_uri": format!("{}/jwks", p.issuer)})).into_response()
}

async fn jwks(State(p): State<Provider>) -> impl IntoResponse {
    if p.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(json!({"keys": *p.keys.lock().unwrap()})).into_response()
}

async fn setup(keys: &[&SigningKey]) -> (Provider, TestApp, Arc<FixedClock>) {
    let provider = Provider::start(keys).await;
    let clock = Arc::new(FixedClock::new(UnixTime::from_secs(1_900_000_000)));
    let issuer = provider.issuer.clone();
    let app = TestApp::spawn_with_clock(
        move |s| s.with_oidc(&issuer, AUDIENCE, None).unwrap(),
        clock.clone(),
    )
    .await;
    (provider, app, clock)
}

async fn exchange(app: &TestApp, id_token: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/generate-jwt"))
        .bearer_auth(id_token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_valid_id_token_gets_a_token_for_its_verified_email() {
    let (provider, app, clock) = setup(&[&KEY_A]).await;
    let id_token = provider.id_token(&KEY_A, clock.now(), json!({}));
    let response = exchange(&app, &id_token, json!({})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let claims = decode_part(body["jwt"].as_str().unwrap(), 1);
    assert_eq!(claims["email"], "Idp.User@example.com");
    let uuid = CustomerUuid::derive(&UuidSalt::new(SALT).unwrap(), "Idp.User@example.com");
    assert_eq!(claims["uuid"], uuid.to_string());
    assert_eq!(claims["exp"], clock.now().as_secs() + 7 * 86_400);
    assert_error(
        exchange(
            &app,
            &id_token,
            json!({"email": "someone.else@example.com"}),
        )
        .await,
        403,
        "email_mismatch",
    )
    .await;
}

#[tokio::test]
async fn id_tokens_that_are_not_good_enough_are_refused_with_their_code() {
    let (provider, app, clock) = setup(&[&KEY_A]).await;
    let now = clock.now();
    let cases = [
        (json!({"aud": "another-client"}), "wrong_audience"),
        (json!({"iss": "https://evil.example"}), "wrong_issuer"),
        (
            json!({"exp": now.as_secs() - 3600, "iat": now.as_secs() - 7200}),
            "id_token_expired",
        ),
        (json!({"email_verified": false}), "email_not_verified"),
        (json!({"email_verified": null}), "email_not_verified"),
        (json!({"email": null}), "missing_email"),
    ];
    for (overrides, code) in cases {
        let id_token = provider.id_token(&KEY_A, now, overrides.clone());
        assert_error(exchange(&app, &id_token, json!({})).await, 401, code).await;
    }
    // signed by a key the provider never published
    let forged = provider.id_token(&KEY_B, now, json!({}));
    assert_error(exchange(&app, &forged, json!({})).await, 401, "unknown_key").await;
    // not a JWT, not an API key
    assert_error(
        exchange(&app, "garbage-credential-value", json!({})).await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_kid_is_found_after_the_provider_rotates_its_keys() {
    let (provider, app, clock) = setup(&[&KEY_A]).await;
    let rotated = provider.id_token(&KEY_B, clock.now(), json!({}));
    assert_error(
        exchange(&app, &rotated, json!({})).await,
        401,
        "unknown_key",
    )
    .await;
    provider.publish(&[&KEY_A, &KEY_B]);
    // refetches are at most once a minute
    assert_error(
        exchange(&app, &rotated, json!({})).await,
        401,
        "unknown_key",
    )
    .await;
    clock.advance(61);
    let rotated = provider.id_token(&KEY_B, clock.now(), json!({}));
    assert_eq!(exchange(&app, &rotated, json!({})).await.status(), 200);
}

#[tokio::test]
async fn a_warm_cache_keeps_working_while_the_provider_is_down() {
    let (provider, app, clock) = setup(&[&KEY_A]).await;
    assert_eq!(
        exchange(
            &app,
            &provider.id_token(&KEY_A, clock.now(), json!({})),
            json!({})
        )
        .await
        .status(),
        200
    );
    provider.down.store(true, Ordering::SeqCst);
    clock.advance(120);
    let again = provider.id_token(
        &KEY_A,
        clock.now(),
        json!({"sub": "user-456", "email": "other@example.com"}),
    );
    assert_eq!(exchange(&app, &again, json!({})).await.status(), 200);
}

#[tokio::test]
async fn a_cold_cache_with_the_provider_down_is_a_503() {
    let (provider, app, clock) = setup(&[&KEY_A]).await;
    provider.down.store(true, Ordering::SeqCst);
    let response = exchange(
        &app,
        &provider.id_token(&KEY_A, clock.now(), json!({})),
        json!({}),
    )
    .await;
    assert!(response.headers().get("retry-after").is_some());
    assert_error(response, 503, "identity_provider_unavailable").await;
}

#[tokio::test]
async fn tokens_per_identity_are_limited() {
    let provider = Provider::start(&[&KEY_A]).await;
    let clock = Arc::new(FixedClock::new(UnixTime::from_secs(1_900_000_000)));
    let issuer = provider.issuer.clone();
    let app = TestApp::spawn_with_clock(
        move |mut s| {
            s.limits.tokens_per_identity_per_minute = 2;
            s.with_oidc(&issuer, AUDIENCE, None).unwrap()
        },
        clock.clone(),
    )
    .await;
    let id_token = provider.id_token(&KEY_A, clock.now(), json!({}));
    assert_eq!(exchange(&app, &id_token, json!({})).await.status(), 200);
    assert_eq!(exchange(&app, &id_token, json!({})).await.status(), 200);
    assert_error(
        exchange(&app, &id_token, json!({})).await,
        429,
        "rate_limited",
    )
    .await;
}
