//! The verifier against a real HTTP identity provider on a loopback port, serving a discovery
//! document and a key set the tests rotate, break, slow down and switch off. ID tokens are signed
//! here with keys made here; nothing leaves the machine.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use aws_lc_rs::{
    hmac,
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair},
};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use synerise_auth_token::{SigningKey, UnixTime};
use tokio::{net::TcpListener, task::JoinHandle};

use super::*;

const NOW: i64 = 1_800_000_000;
const AUDIENCE: &str = "shop-web-client";

// ---------------------------------------------------------------------------------------------
// The identity provider.

#[derive(Debug, Default)]
struct Shared {
    issuer: String,
    jwks: Mutex<Value>,
    /// When set, the discovery document names this issuer instead of the real one.
    discovery_issuer: Mutex<Option<String>>,
    /// Answer 503 to everything.
    failing: AtomicBool,
    /// Wait this long before answering.
    delay_ms: AtomicU64,
    jwks_hits: AtomicUsize,
    discovery_hits: AtomicUsize,
}

#[derive(Debug)]
struct Provider {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Provider {
    async fn start(keys: &[Value]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            issuer,
            jwks: Mutex::new(json!({ "keys": keys })),
            ..Shared::default()
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/keys", get(jwks))
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { shared, task }
    }

    fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    fn jwks_url(&self) -> String {
        format!("{}/keys", self.shared.issuer)
    }

    fn publish(&self, keys: &[Value]) {
        *self.shared.jwks.lock().unwrap() = json!({ "keys": keys });
    }

    fn publish_document(&self, document: Value) {
        *self.shared.jwks.lock().unwrap() = document;
    }

    fn set_failing(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    fn set_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap();
        self.shared.delay_ms.store(ms, Ordering::SeqCst);
    }

    fn jwks_hits(&self) -> usize {
        self.shared.jwks_hits.load(Ordering::SeqCst)
    }

    fn discovery_hits(&self) -> usize {
        self.shared.discovery_hits.load(Ordering::SeqCst)
    }

    /// Switches the provider off: its port refuses connections from now on. (The verifiers in
    /// these tests keep no idle connections, see [`http`].)
    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

async fn answer(shared: &Shared, body: Value) -> Response {
    let delay = shared.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if shared.failing.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(body).into_response()
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    shared.discovery_hits.fetch_add(1, Ordering::SeqCst);
    let issuer = shared
        .discovery_issuer
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(|| shared.issuer.clone());
    let body = json!({
        "issuer": issuer,
        "jwks_uri": format!("{}/keys", shared.issuer),
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    });
    answer(&shared, body).await
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    shared.jwks_hits.fetch_add(1, Ordering::SeqCst);
    let body = shared.jwks.lock().unwrap().clone();
    answer(&shared, body).await
}

/// An address on which nothing listens.
async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/keys")
}

// ---------------------------------------------------------------------------------------------
// Keys and tokens.

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `header.payload.signature`, with the signature made over `header.payload` by `sign`.
fn compact(header: &Value, claims: &Value, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let message = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = sign(message.as_bytes());
    format!("{message}.{}", b64(&signature))
}

struct RsaSigner {
    key: SigningKey,
    kid: String,
}

impl RsaSigner {
    fn new(kid: &str) -> Self {
        Self {
            key: SigningKey::generate(2048).unwrap(),
            kid: kid.to_owned(),
        }
    }

    fn jwk(&self) -> Value {
        let mut jwk = self.key.public_key().to_jwk();
        jwk["kid"] = json!(self.kid);
        jwk
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(
            &json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}),
            claims,
        )
    }

    fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        compact(header, claims, |message| self.key.sign(message).unwrap())
    }
}

struct EcSigner {
    pair: EcdsaKeyPair,
    kid: String,
}

impl EcSigner {
    fn new(kid: &str) -> Self {
        Self {
            pair: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
            kid: kid.to_owned(),
        }
    }

    /// The public point is `04 || x || y`, 32 bytes each.
    fn jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        assert_eq!((point.len(), point[0]), (65, 4));
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": b64(&point[1..33]), "y": b64(&point[33..]),
        })
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(
            &json!({"alg": "ES256", "typ": "JWT", "kid": self.kid}),
            claims,
        )
    }

    fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        compact(header, claims, |message| {
            self.pair
                .sign(&SystemRandom::new(), message)
                .unwrap()
                .as_ref()
                .to_vec()
        })
    }
}

/// Good claims for `issuer`, issued at `at` and valid five minutes.
fn claims_at(issuer: &str, at: i64) -> Value {
    json!({
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": "idp|123",
        "email": "Customer@Example.COM",
        "email_verified": true,
        "iat": at - 5,
        "exp": at + 300,
    })
}

fn claims(issuer: &str) -> Value {
    claims_at(issuer, NOW)
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

// ---------------------------------------------------------------------------------------------
// Verifiers.

/// A client that keeps no idle connections, so that a stopped provider really is unreachable.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// Settings for `provider` with its key URL configured (no discovery).
fn settings(provider: &Provider) -> OidcSettings {
    OidcSettings {
        jwks_url: Some(provider.jwks_url()),
        http_timeout: Duration::from_secs(2),
        ..OidcSettings::new(provider.issuer(), AUDIENCE)
    }
}

fn verifier(settings: OidcSettings) -> IdTokenVerifier {
    IdTokenVerifier::new(settings, http())
}

fn at(secs: i64) -> UnixTime {
    UnixTime::from_secs(secs)
}

#[track_caller]
fn assert_code(result: Result<VerifiedIdentity, OidcError>, code: &str) {
    match result {
        Err(e) => assert_eq!(e.code(), code, "{e}"),
        Ok(identity) => panic!("expected {code}, got {identity:?}"),
    }
}

/// One verifier, one provider, one RSA key.
struct Fixture {
    provider: Provider,
    rsa: RsaSigner,
    verifier: IdTokenVerifier,
}

async fn fixture() -> Fixture {
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk()]).await;
    let verifier = verifier(settings(&provider));
    Fixture {
        provider,
        rsa,
        verifier,
    }
}

impl Fixture {
    fn issuer(&self) -> &str {
        self.provider.issuer()
    }

    async fn verify_claims(&self, claims: &Value) -> Result<VerifiedIdentity, OidcError> {
        self.verifier.verify(&self.rsa.sign(claims), at(NOW)).await
    }
}

// ---------------------------------------------------------------------------------------------
// Valid tokens.

#[tokio::test]
async fn a_valid_rs256_token_gives_the_verified_identity() {
    let f = fixture().await;
    let identity = f.verify_claims(&claims(f.issuer())).await.unwrap();
    assert_eq!(identity.email.as_str(), "Customer@example.com");
    assert_eq!(identity.subject, "idp|123");
    assert_eq!(identity.issuer, f.issuer());
    assert_eq!(f.verifier.issuer(), f.issuer());
    // Cached: a second token costs no fetch.
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 1);
    assert_eq!(f.provider.discovery_hits(), 0);
}

#[tokio::test]
async fn a_valid_es256_token_gives_the_verified_identity() {
    let ec = EcSigner::new("ec-1");
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk(), ec.jwk()]).await;
    let verifier = verifier(settings(&provider));
    let token = ec.sign(&claims(provider.issuer()));
    let identity = verifier.verify(&token, at(NOW)).await.unwrap();
    assert_eq!(identity.email.as_str(), "Customer@example.com");
    assert_eq!(identity.subject, "idp|123");
    // And the RSA key from the same set.
    let token = rsa.sign(&claims(provider.issuer()));
    verifier.verify(&token, at(NOW)).await.unwrap();
}

#[tokio::test]
async fn a_token_without_kid_uses_the_only_key() {
    let rsa = RsaSigner::new("rsa-1");
    let mut jwk = rsa.jwk();
    jwk.as_object_mut().unwrap().remove("kid");
    let provider = Provider::start(&[jwk]).await;
    let verifier = verifier(settings(&provider));
    let token = rsa.sign_with_header(&json!({"alg": "RS256"}), &claims(provider.issuer()));
    verifier.verify(&token, at(NOW)).await.unwrap();

    // With two keys, a token must say which.
    let other = RsaSigner::new("rsa-2");
    provider.publish(&[rsa.jwk(), other.jwk()]);
    let verifier = self::verifier(settings(&provider));
    assert_code(verifier.verify(&token, at(NOW)).await, "unknown_key");
}

#[tokio::test]
async fn the_verifier_is_send_sync_and_clones_share_the_cache() {
    fn send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    let f = fixture().await;
    send_sync(&f.verifier);
    let clone = f.verifier.clone();
    let token = f.rsa.sign(&claims(f.issuer()));
    tokio::spawn(async move { clone.verify(&token, at(NOW)).await })
        .await
        .unwrap()
        .unwrap();
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 1);
}

// ---------------------------------------------------------------------------------------------
// Claims.

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let f = fixture().await;
    let good = claims(f.issuer());
    for aud in [
        json!("another-client"),
        json!(["another-client", "yet-another"]),
        json!([]),
        json!([42]),
        json!(42),
        json!(AUDIENCE.to_uppercase()),
    ] {
        let result = f
            .verify_claims(&with(good.clone(), "aud", aud.clone()))
            .await;
        assert_code(result, "wrong_audience");
    }
    assert_code(
        f.verify_claims(&without(good.clone(), "aud")).await,
        "wrong_audience",
    );
    // An array that contains ours is fine.
    let aud = json!(["another-client", AUDIENCE]);
    f.verify_claims(&with(good, "aud", aud)).await.unwrap();
}

#[tokio::test]
async fn any_configured_audience_is_accepted() {
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk()]).await;
    let verifier = verifier(OidcSettings {
        audiences: vec!["web-client".into(), "ios-client".into()],
        ..settings(&provider)
    });
    let token = rsa.sign(&with(claims(provider.issuer()), "aud", json!("ios-client")));
    verifier.verify(&token, at(NOW)).await.unwrap();
    let token = rsa.sign(&claims(provider.issuer()));
    assert_code(verifier.verify(&token, at(NOW)).await, "wrong_audience");
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let f = fixture().await;
    let good = claims(f.issuer());
    let trailing_slash = format!("{}/", f.issuer());
    for iss in [
        json!("https://evil.example"),
        json!(trailing_slash),
        json!(f.issuer().to_uppercase()),
        json!([f.issuer()]),
        json!(null),
    ] {
        let result = f
            .verify_claims(&with(good.clone(), "iss", iss.clone()))
            .await;
        assert_code(result, "wrong_issuer");
    }
    assert_code(f.verify_claims(&without(good, "iss")).await, "wrong_issuer");
}

#[tokio::test]
async fn an_expired_token_is_refused_after_the_leeway() {
    let f = fixture().await;
    let good = claims(f.issuer());
    // Leeway 30 s: expired 29 s ago passes, 30 s ago does not.
    f.verify_claims(&with(good.clone(), "exp", json!(NOW - 29)))
        .await
        .unwrap();
    for exp in [NOW - 30, NOW - 3600] {
        let result = f
            .verify_claims(&with(good.clone(), "exp", json!(exp)))
            .await;
        assert_code(result, "id_token_expired");
    }
    // The time checked against is the one passed in, not the system clock.
    let token = f.rsa.sign(&good);
    f.verifier.verify(&token, at(NOW + 329)).await.unwrap();
    assert_code(
        f.verifier.verify(&token, at(NOW + 330)).await,
        "id_token_expired",
    );
    assert_code(
        f.verify_claims(&without(good.clone(), "exp")).await,
        "invalid_id_token",
    );
    assert_code(
        f.verify_claims(&with(good, "exp", json!("tomorrow"))).await,
        "invalid_id_token",
    );
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused_after_the_leeway() {
    let f = fixture().await;
    let good = claims(f.issuer());
    f.verify_claims(&with(good.clone(), "nbf", json!(NOW + 30)))
        .await
        .unwrap();
    assert_code(
        f.verify_claims(&with(good.clone(), "nbf", json!(NOW + 31)))
            .await,
        "id_token_not_yet_valid",
    );
    // An `iat` in the future is the same thing.
    assert_code(
        f.verify_claims(&with(good, "iat", json!(NOW + 120))).await,
        "id_token_not_yet_valid",
    );
}

#[tokio::test]
async fn an_unverified_email_is_refused() {
    let f = fixture().await;
    let good = claims(f.issuer());
    for verified in [
        json!(false),
        json!("false"),
        json!("True"),
        json!("yes"),
        json!(1),
        json!(null),
    ] {
        let result = f
            .verify_claims(&with(good.clone(), "email_verified", verified.clone()))
            .await;
        assert_code(result, "email_not_verified");
    }
    assert_code(
        f.verify_claims(&without(good.clone(), "email_verified"))
            .await,
        "email_not_verified",
    );
    // The provider quirk: the exact string "true" (e.g. Amazon Cognito) is accepted.
    f.verify_claims(&with(good, "email_verified", json!("true")))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_token_without_email_is_refused() {
    let f = fixture().await;
    let good = claims(f.issuer());
    assert_code(
        f.verify_claims(&without(good.clone(), "email")).await,
        "missing_email",
    );
    for email in [json!(null), json!(""), json!("  ")] {
        let result = f.verify_claims(&with(good.clone(), "email", email)).await;
        assert_code(result, "missing_email");
    }
    for email in [json!("not an address"), json!(42), json!(["a@example.com"])] {
        let result = f.verify_claims(&with(good.clone(), "email", email)).await;
        assert_code(result, "invalid_id_token");
    }
    for sub in [json!(null), json!(""), json!(7)] {
        let result = f.verify_claims(&with(good.clone(), "sub", sub)).await;
        assert_code(result, "invalid_id_token");
    }
}

// ---------------------------------------------------------------------------------------------
// Algorithms, signatures and shapes.

#[tokio::test]
async fn algorithms_but_rs256_and_es256_are_refused_before_any_key_lookup() {
    let f = fixture().await;
    let payload = claims(f.issuer());
    let unsigned = |alg: &str| {
        compact(&json!({"alg": alg, "kid": "rsa-1"}), &payload, |_| {
            Vec::new()
        })
    };
    for alg in [
        "none", "None", "NONE", "HS256", "HS512", "RS512", "PS256", "ES384", "EdDSA",
    ] {
        let result = f.verifier.verify(&unsigned(alg), at(NOW)).await;
        assert_code(result, "unsupported_algorithm");
    }
    // The classic confusion: HS256 "signed" with the RSA public key as the HMAC secret.
    let secret = hmac::Key::new(hmac::HMAC_SHA256, f.rsa.key.public_key().spki_der());
    let confused = compact(
        &json!({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}),
        &payload,
        |message| hmac::sign(&secret, message).as_ref().to_vec(),
    );
    assert_code(
        f.verifier.verify(&confused, at(NOW)).await,
        "unsupported_algorithm",
    );
    // The alg named in the message is the token's own, quoted only when plain.
    let odd = f.verifier.verify(&unsigned("<img src=x>"), at(NOW)).await;
    assert!(matches!(odd, Err(OidcError::UnsupportedAlgorithm(alg)) if alg == "?"));
    assert_eq!(f.provider.jwks_hits(), 0, "no key was looked up");
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let f = fixture().await;
    let good = claims(f.issuer());
    // Signed by a key the provider does not have, under the kid of one it has.
    let impostor = RsaSigner::new("rsa-1");
    assert_code(
        f.verifier.verify(&impostor.sign(&good), at(NOW)).await,
        "invalid_id_token",
    );
    assert!(matches!(
        f.verifier.verify(&impostor.sign(&good), at(NOW)).await,
        Err(OidcError::BadSignature)
    ));
    // A payload changed after signing.
    let token = f.rsa.sign(&good);
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged = b64(with(good, "email", json!("boss@example.com"))
        .to_string()
        .as_bytes());
    parts[1] = &forged;
    assert_code(
        f.verifier.verify(&parts.join("."), at(NOW)).await,
        "invalid_id_token",
    );
}

#[tokio::test]
async fn a_kid_naming_a_key_of_the_wrong_type_is_refused() {
    let f = fixture().await;
    // ES256 under the kid of the RSA key: that key cannot verify ES256, so it is no key at all.
    let ec = EcSigner::new("rsa-1");
    let result = f
        .verifier
        .verify(&ec.sign(&claims(f.issuer())), at(NOW))
        .await;
    assert_code(result, "unknown_key");
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let f = fixture().await;
    let good = f.rsa.sign(&claims(f.issuer()));
    let (_, rest) = good.split_once('.').unwrap();
    let header_of = |header: &Value| format!("{}.{rest}", b64(header.to_string().as_bytes()));
    let cases = [
        String::new(),
        "garbage".into(),
        "a.b".into(),
        format!("{good}.extra"),
        format!("!!!.{rest}"),
        format!("{}.{rest}", b64(b"[1,2]")),
        header_of(&json!({"kid": "rsa-1"})),
        header_of(&json!({"alg": 256, "kid": "rsa-1"})),
        header_of(&json!({"alg": "RS256", "kid": 1})),
        header_of(&json!({"alg": "RS256", "kid": "rsa-1", "crit": ["exp"]})),
        header_of(&json!({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"})),
        header_of(&json!({"alg": "RS256", "kid": "rsa-1", "typ": "application/AT+JWT"})),
        format!("{}.", &good[..good.rfind('.').unwrap()]),
        format!("{good}*"),
        format!("{good}{}", "A".repeat(16 * 1024)),
    ];
    for token in &cases {
        let result = f.verifier.verify(token, at(NOW)).await;
        assert_code(result, "invalid_id_token");
    }
    // Properly signed, and still refused for what the header says (not as a bad signature).
    for header in [
        json!({"alg": "RS256", "kid": "rsa-1", "crit": ["exp"], "exp": NOW}),
        json!({"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}),
        json!({"alg": "RS256", "kid": "rsa-1", "typ": "application/AT+JWT"}),
    ] {
        let token = f.rsa.sign_with_header(&header, &claims(f.issuer()));
        let result = f.verifier.verify(&token, at(NOW)).await;
        assert!(
            matches!(result, Err(OidcError::Malformed(_))),
            "{header}: {result:?}"
        );
    }
    // The payload must be a JSON object.
    let header = json!({"alg": "RS256", "kid": "rsa-1"});
    let not_object = compact(&header, &json!([1]), |m| f.rsa.key.sign(m).unwrap());
    assert_code(
        f.verifier.verify(&not_object, at(NOW)).await,
        "invalid_id_token",
    );
    f.verifier.verify(&good, at(NOW)).await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Fetching and caching.

#[tokio::test]
async fn an_unknown_kid_refetches_and_finds_the_rotated_key() {
    let f = fixture().await;
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 1);

    // The provider rotates: rsa-1 out, rsa-2 in.
    let next = RsaSigner::new("rsa-2");
    f.provider.publish(&[next.jwk()]);
    let later = NOW + 61;
    let token = next.sign(&claims_at(f.issuer(), later));
    let identity = f.verifier.verify(&token, at(later)).await.unwrap();
    assert_eq!(identity.subject, "idp|123");
    assert_eq!(f.provider.jwks_hits(), 2);

    // The refetched set replaced the old one: rsa-1 no longer verifies.
    let old = f.rsa.sign(&claims_at(f.issuer(), later));
    assert_code(f.verifier.verify(&old, at(later + 1)).await, "unknown_key");
    assert_eq!(f.provider.jwks_hits(), 2, "not due: no refetch");
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let f = fixture().await;
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 1);

    // The provider now has rsa-2, but the last fetch is too recent to ask again.
    let next = RsaSigner::new("rsa-2");
    f.provider.publish(&[f.rsa.jwk(), next.jwk()]);
    for later in [NOW + 1, NOW + 30, NOW + 59] {
        let token = next.sign(&claims_at(f.issuer(), later));
        assert_code(f.verifier.verify(&token, at(later)).await, "unknown_key");
        let made_up = RsaSigner::new("made-up").sign(&claims_at(f.issuer(), later));
        assert_code(f.verifier.verify(&made_up, at(later)).await, "unknown_key");
    }
    assert_eq!(f.provider.jwks_hits(), 1);

    // Sixty seconds on, one refetch finds it.
    let token = next.sign(&claims_at(f.issuer(), NOW + 60));
    f.verifier.verify(&token, at(NOW + 60)).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 2);
}

#[tokio::test]
async fn the_refetch_interval_is_configurable() {
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk()]).await;
    let verifier = verifier(OidcSettings {
        refetch_min_interval: Duration::from_secs(5),
        ..settings(&provider)
    });
    let made_up = RsaSigner::new("made-up");
    for (secs, hits) in [(0, 1), (4, 1), (5, 2), (9, 2), (10, 3)] {
        let now = NOW + secs;
        let token = made_up.sign(&claims_at(provider.issuer(), now));
        assert_code(verifier.verify(&token, at(now)).await, "unknown_key");
        assert_eq!(provider.jwks_hits(), hits, "at +{secs} s");
    }
}

#[tokio::test]
async fn a_warm_cache_keeps_verifying_while_the_provider_is_down() {
    let f = fixture().await;
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    let Fixture {
        provider,
        rsa,
        verifier,
    } = f;
    let issuer = provider.issuer().to_owned();
    provider.stop().await;

    let later = NOW + 10;
    verifier
        .verify(&rsa.sign(&claims_at(&issuer, later)), at(later))
        .await
        .unwrap();
    // Past the keys' max age the cache tries to refresh, fails, and keeps its keys.
    let much_later = NOW + 2 * 3600;
    verifier
        .verify(&rsa.sign(&claims_at(&issuer, much_later)), at(much_later))
        .await
        .unwrap();
    // A key it never had cannot be checked now: that is the provider's outage, not the client's.
    let unknown = RsaSigner::new("rsa-new").sign(&claims_at(&issuer, much_later));
    let error = verifier
        .verify(&unknown, at(much_later + 1))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "identity_provider_unavailable");
    assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        error.provider_cause().unwrap().contains("/keys"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_warm_cache_keeps_verifying_while_the_provider_fails() {
    let f = fixture().await;
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    f.provider.set_failing(true);
    let later = NOW + 2 * 3600;
    let token = f.rsa.sign(&claims_at(f.issuer(), later));
    f.verifier.verify(&token, at(later)).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 2, "a refresh was tried");
}

#[tokio::test]
async fn a_cold_cache_with_the_provider_down_is_a_503() {
    let rsa = RsaSigner::new("rsa-1");
    let verifier = verifier(OidcSettings {
        jwks_url: Some(closed_port_url().await),
        ..OidcSettings::new("http://127.0.0.1:1", AUDIENCE)
    });
    let token = rsa.sign(&claims("http://127.0.0.1:1"));
    let error = verifier.verify(&token, at(NOW)).await.unwrap_err();
    assert_eq!(error.code(), "identity_provider_unavailable");
    assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(!error.is_client_error());
}

#[tokio::test]
async fn a_cold_cache_retries_sooner_than_the_refetch_interval() {
    let f = fixture().await;
    f.provider.set_failing(true);
    assert_code(
        f.verify_claims(&claims(f.issuer())).await,
        "identity_provider_unavailable",
    );
    assert_eq!(f.provider.jwks_hits(), 1);
    f.provider.set_failing(false);
    // Within the cold retry interval: still the last answer, without asking.
    let token = f.rsa.sign(&claims_at(f.issuer(), NOW + 4));
    assert_code(
        f.verifier.verify(&token, at(NOW + 4)).await,
        "identity_provider_unavailable",
    );
    assert_eq!(f.provider.jwks_hits(), 1);
    // Five seconds on (not sixty), it asks again and the provider is back.
    let token = f.rsa.sign(&claims_at(f.issuer(), NOW + 5));
    f.verifier.verify(&token, at(NOW + 5)).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 2);
}

#[tokio::test]
async fn the_discovery_document_names_the_key_set() {
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk()]).await;
    let verifier = verifier(OidcSettings {
        jwks_url: None,
        ..settings(&provider)
    });
    verifier
        .verify(&rsa.sign(&claims(provider.issuer())), at(NOW))
        .await
        .unwrap();
    assert_eq!((provider.discovery_hits(), provider.jwks_hits()), (1, 1));

    // A refetch reuses the discovered URL.
    let next = RsaSigner::new("rsa-2");
    provider.publish(&[next.jwk()]);
    let later = NOW + 60;
    verifier
        .verify(&next.sign(&claims_at(provider.issuer(), later)), at(later))
        .await
        .unwrap();
    assert_eq!((provider.discovery_hits(), provider.jwks_hits()), (1, 2));
}

#[tokio::test]
async fn a_discovery_document_for_another_issuer_is_not_followed() {
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk()]).await;
    *provider.shared.discovery_issuer.lock().unwrap() = Some("https://evil.example".into());
    let verifier = verifier(OidcSettings {
        jwks_url: None,
        ..settings(&provider)
    });
    let result = verifier
        .verify(&rsa.sign(&claims(provider.issuer())), at(NOW))
        .await;
    assert_code(result, "identity_provider_unavailable");
    assert_eq!((provider.discovery_hits(), provider.jwks_hits()), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_share_one_fetch() {
    let rsa = RsaSigner::new("rsa-1");
    let provider = Provider::start(&[rsa.jwk()]).await;
    provider.set_delay(Duration::from_millis(300));
    // No refetch interval at all: only the one-fetch-at-a-time rule can merge these.
    let verifier = verifier(OidcSettings {
        refetch_min_interval: Duration::ZERO,
        ..settings(&provider)
    });
    let token = rsa.sign(&claims(provider.issuer()));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token, at(NOW)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(provider.jwks_hits(), 1);
}

#[tokio::test]
async fn a_slow_provider_is_given_up_on_after_the_timeout() {
    let f = fixture().await;
    f.provider.set_delay(Duration::from_secs(5));
    let verifier = verifier(OidcSettings {
        http_timeout: Duration::from_millis(300),
        ..settings(&f.provider)
    });
    let started = Instant::now();
    let token = f.rsa.sign(&claims(f.issuer()));
    let result = verifier.verify(&token, at(NOW)).await;
    assert_code(result, "identity_provider_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_oversized_key_set_is_refused() {
    let f = fixture().await;
    f.provider.publish_document(json!({
        "keys": [f.rsa.jwk()],
        "padding": "x".repeat(8 * 1024),
    }));
    let small = verifier(OidcSettings {
        max_response_bytes: 4 * 1024,
        ..settings(&f.provider)
    });
    let token = f.rsa.sign(&claims(f.issuer()));
    assert_code(
        small.verify(&token, at(NOW)).await,
        "identity_provider_unavailable",
    );
    // The same document under the default limit is fine.
    f.verifier.verify(&token, at(NOW)).await.unwrap();
}

#[tokio::test]
async fn a_broken_key_set_keeps_the_cached_keys() {
    let f = fixture().await;
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    f.provider
        .publish_document(json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}));
    let later = NOW + 2 * 3600;
    let token = f.rsa.sign(&claims_at(f.issuer(), later));
    f.verifier.verify(&token, at(later)).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 2);
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_once_the_cache_is_old() {
    let f = fixture().await;
    f.verify_claims(&claims(f.issuer())).await.unwrap();
    let next = RsaSigner::new("rsa-2");
    f.provider.publish(&[next.jwk()]);
    // Younger than the max age (an hour): still trusted from the cache.
    let token = f.rsa.sign(&claims_at(f.issuer(), NOW + 3599));
    f.verifier.verify(&token, at(NOW + 3599)).await.unwrap();
    assert_eq!(f.provider.jwks_hits(), 1);
    // Older: refreshed, and the provider no longer publishes rsa-1.
    let token = f.rsa.sign(&claims_at(f.issuer(), NOW + 3600));
    assert_code(
        f.verifier.verify(&token, at(NOW + 3600)).await,
        "unknown_key",
    );
    assert_eq!(f.provider.jwks_hits(), 2);
}

#[tokio::test]
async fn an_insecure_key_url_is_never_fetched() {
    let rsa = RsaSigner::new("rsa-1");
    let verifier = verifier(OidcSettings {
        jwks_url: Some("http://idp.example/keys".into()),
        ..OidcSettings::new("https://idp.example", AUDIENCE)
    });
    let error = verifier
        .verify(&rsa.sign(&claims("https://idp.example")), at(NOW))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "identity_provider_unavailable");
    assert!(
        error.provider_cause().unwrap().contains("https://"),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration.

#[test]
fn settings_come_from_the_environment_and_the_file() {
    let env = crate::SettingsLayer::from_env(|name| match name {
        "SYNERISE_AUTH_OIDC_ISSUER" => Some("https://idp.example/realms/shop".into()),
        "SYNERISE_AUTH_OIDC_AUDIENCE" => Some("web-client, ios-client".into()),
        "SYNERISE_AUTH_LEEWAY_SECS" => Some("10".into()),
        _ => None,
    })
    .unwrap();
    let settings = crate::Settings::resolve(env).unwrap();
    let oidc = settings.oidc.unwrap();
    assert_eq!(oidc.issuer, "https://idp.example/realms/shop");
    assert_eq!(oidc.audiences, ["web-client", "ios-client"]);
    assert_eq!(oidc.jwks_url, None);
    assert_eq!(oidc.leeway_secs, 10);

    let file: crate::SettingsLayer = toml::from_str(
        "oidc_issuer = \"https://tenant.auth0.com/\"\n\
         oidc_audience = [\"client\"]\n\
         oidc_jwks_url = \"https://tenant.auth0.com/.well-known/jwks.json\"",
    )
    .unwrap();
    let oidc = crate::Settings::resolve(file).unwrap().oidc.unwrap();
    assert_eq!(
        oidc.jwks_url.as_deref(),
        Some("https://tenant.auth0.com/.well-known/jwks.json")
    );

    let none = crate::Settings::resolve(crate::SettingsLayer::default()).unwrap();
    assert!(none.oidc.is_none());
}

#[test]
fn a_half_configured_provider_stops_start_up() {
    let layer = crate::SettingsLayer::from_env(|name| {
        (name == "SYNERISE_AUTH_OIDC_ISSUER").then(|| "https://idp.example".into())
    })
    .unwrap();
    let err = crate::Settings::resolve(layer).unwrap_err().to_string();
    assert!(err.contains("SYNERISE_AUTH_OIDC_AUDIENCE"), "{err}");

    let layer = crate::SettingsLayer {
        oidc: crate::OidcLayer {
            issuer: Some("http://idp.example".into()),
            audience: Some(vec!["client".into()]),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = crate::Settings::resolve(layer).unwrap_err().to_string();
    assert!(
        err.contains("oidc_issuer") && err.contains("https://"),
        "{err}"
    );
}
