//! The event gate over HTTP: `POST /gate/v1/events` mounted in dev mode (the service's own key is
//! the registered certificate), the log at `GET /gate/v1/events`, its live stream, CORS, and the
//! gate run alone with a certificate replaced between two starts.

use std::time::Duration;

use serde_json::{Value, json};
use synerise_auth_gate::EventSettings;
use synerise_auth_server::{GateApplication, GateSettings, SettingsLayer};
use synerise_auth_token::{
    Clock as _, CustomerUuid, Email, Issuer, PublicKey, PublicKeyFormat, SigningKey, SystemClock,
    TokenTtl, UnixTime,
};

use crate::helpers::{CapturedLogs, TestApp, assert_error};

const UUID: &str = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";
const OTHER_UUID: &str = "7023e164-2318-542c-9992-0b70cf4c5625";
const EMAIL: &str = "gate.customer@example.com";

fn event(action: &str, uuid: &str) -> Value {
    json!({"action": action, "label": "a label", "client": {"uuid": uuid}, "params": {"k": 1}})
}

/// A token signed by `key` for `uuid`, issued at `at`, living `ttl_secs`.
fn token(key: SigningKey, uuid: &str, at: UnixTime, ttl_secs: u64) -> String {
    Issuer::new(key, None)
        .issue(
            &Email::parse(EMAIL).unwrap(),
            &CustomerUuid::parse(uuid).unwrap(),
            TokenTtl::from_secs(ttl_secs).unwrap(),
            at,
        )
        .unwrap()
        .token()
        .to_owned()
}

/// The key `serve` generated in the test's data dir: the gate's registered certificate.
fn server_key(app: &TestApp) -> SigningKey {
    SigningKey::from_file(&app.data_dir.path().join("private.pem")).unwrap()
}

fn now() -> UnixTime {
    SystemClock.now()
}

async fn post(address: &str, body: &Value, bearer: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/gate/v1/events"))
        .json(body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Asserts the decision's wire form: 202 `{"accepted": true}`.
async fn assert_accepted(response: reqwest::Response) {
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"accepted": true}));
}

/// Asserts a refusal's status, its stable reason, and its wire form; returns the detail.
async fn assert_refused(response: reqwest::Response, status: u16, reason: &str) -> String {
    assert_eq!(
        response.status().as_u16(),
        status,
        "expected {status} {reason}"
    );
    assert!(
        response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"))
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["accepted"], false, "{body}");
    assert_eq!(body["reason"], reason, "{body}");
    let detail = body["detail"].as_str().unwrap().to_owned();
    assert!(detail.len() > 20 && detail.ends_with('.'), "{detail}");
    assert!(!detail.contains('@') && !detail.contains("eyJ"), "{detail}");
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    detail
}

async fn list(app_address: &str, query: &str) -> Vec<Value> {
    let response = reqwest::get(format!("{app_address}/gate/v1/events{query}"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    body["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn anonymous_events_and_events_with_the_services_own_tokens_are_accepted() {
    let app = TestApp::spawn().await;
    assert_accepted(post(&app.address, &event("page.visit", UUID), None).await).await;

    // A token from the service itself, for the uuid it derived.
    let issued: Value = app
        .generate_jwt(&json!({"email": EMAIL}))
        .await
        .json()
        .await
        .unwrap();
    let uuid = issued["uuid"].as_str().unwrap();
    let jwt = issued["jwt"].as_str().unwrap();
    assert_accepted(post(&app.address, &event("form.submit", uuid), Some(jwt)).await).await;
    assert_accepted(
        post(
            &app.address,
            &event("client.createOrUpdate", uuid),
            Some(jwt),
        )
        .await,
    )
    .await;
    // An unlisted action is accepted anonymously by default.
    assert_accepted(post(&app.address, &event("product.view", UUID), None).await).await;
}

#[tokio::test]
async fn every_token_refusal_has_its_status_and_reason() {
    let app = TestApp::spawn().await;
    let submit = event("form.submit", UUID);

    let detail = assert_refused(
        post(&app.address, &submit, None).await,
        401,
        "token_required",
    )
    .await;
    assert!(detail.contains("form.submit"), "{detail}");

    let foreign = token(SigningKey::generate(2048).unwrap(), UUID, now(), 3600);
    assert_refused(
        post(&app.address, &submit, Some(&foreign)).await,
        401,
        "bad_signature",
    )
    .await;

    let eight_days_ago = now().plus_secs(-8 * 24 * 3600);
    let expired = token(server_key(&app), UUID, eight_days_ago, 7 * 24 * 3600);
    let detail = assert_refused(
        post(&app.address, &submit, Some(&expired)).await,
        401,
        "expired",
    )
    .await;
    assert!(detail.contains("expired"), "{detail}");

    let later = token(server_key(&app), UUID, now().plus_secs(3600), 3600);
    assert_refused(
        post(&app.address, &submit, Some(&later)).await,
        401,
        "not_yet_valid",
    )
    .await;

    let theirs = token(server_key(&app), OTHER_UUID, now(), 3600);
    assert_refused(
        post(&app.address, &submit, Some(&theirs)).await,
        403,
        "uuid_mismatch",
    )
    .await;

    assert_refused(
        post(&app.address, &submit, Some("not-a-token")).await,
        401,
        "malformed_token",
    )
    .await;

    // alg none, with the registered key's claims.
    let good = token(server_key(&app), UUID, now(), 3600);
    let payload = good.split('.').nth(1).unwrap();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    assert_refused(
        post(&app.address, &submit, Some(&unsigned)).await,
        401,
        "wrong_algorithm",
    )
    .await;

    // A broken token is refused even for an event that needs none.
    assert_refused(
        post(&app.address, &event("page.visit", UUID), Some(&foreign)).await,
        401,
        "bad_signature",
    )
    .await;
    // Another Authorization scheme is a malformed token, not silently ignored.
    let basic = reqwest::Client::new()
        .post(app.url("/gate/v1/events"))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .json(&event("page.visit", UUID))
        .send()
        .await
        .unwrap();
    assert_refused(basic, 401, "malformed_token").await;
}

#[tokio::test]
async fn malformed_events_are_refused_with_400_413_or_415() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let url = app.url("/gate/v1/events");

    let no_uuid = post(&app.address, &json!({"action": "form.submit"}), None).await;
    assert_refused(no_uuid, 400, "malformed_event").await;
    let not_an_object = post(&app.address, &json!(["page.visit"]), None).await;
    assert_refused(not_an_object, 400, "malformed_event").await;
    let bad_action = post(&app.address, &event("page visit", UUID), None).await;
    assert_refused(bad_action, 400, "malformed_event").await;
    let bad_uuid = post(&app.address, &event("page.visit", "nope"), None).await;
    assert_refused(bad_uuid, 400, "malformed_event").await;

    let not_json = client
        .post(&url)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_refused(not_json, 400, "malformed_event").await;

    let text = client
        .post(&url)
        .header("Content-Type", "text/plain")
        .body(event("page.visit", UUID).to_string())
        .send()
        .await
        .unwrap();
    let detail = assert_refused(text, 415, "malformed_event").await;
    assert!(detail.contains("application/json"), "{detail}");
    let no_type = client
        .post(&url)
        .body(event("page.visit", UUID).to_string())
        .send()
        .await
        .unwrap();
    assert_refused(no_type, 415, "malformed_event").await;
    // `application/json; charset=utf-8` and `+json` types are JSON.
    let charset = client
        .post(&url)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(event("page.visit", UUID).to_string())
        .send()
        .await
        .unwrap();
    assert_accepted(charset).await;

    // 32 KiB is the most; the limit is the gate's, above the service's 16 KiB for its own API.
    let mut big = event("page.visit", UUID);
    big["params"] = json!({"blob": "x".repeat(20 * 1024)});
    assert_accepted(post(&app.address, &big, None).await).await;
    big["params"] = json!({"blob": "x".repeat(33 * 1024)});
    assert_refused(post(&app.address, &big, None).await, 413, "malformed_event").await;

    // Every refusal is in the log too, newest first.
    let logged = list(&app.address, "?limit=3").await;
    assert_eq!(logged[0]["status"], 413);
    assert_eq!(logged[0]["reason"], "malformed_event");
    assert_eq!(logged[0]["action"], Value::Null);
}

#[tokio::test]
async fn the_log_lists_newest_first_with_filters_and_after() {
    let app = TestApp::spawn().await;
    let good = token(server_key(&app), UUID, now(), 3600);
    assert_accepted(post(&app.address, &event("page.visit", UUID), None).await).await;
    assert_refused(
        post(&app.address, &event("form.submit", UUID), None).await,
        401,
        "token_required",
    )
    .await;
    assert_accepted(post(&app.address, &event("form.submit", UUID), Some(&good)).await).await;
    assert_accepted(post(&app.address, &event("page.visit", OTHER_UUID), None).await).await;

    let all = list(&app.address, "").await;
    assert_eq!(all.len(), 4);
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    let newest = &all[0];
    assert_eq!(newest["action"], "page.visit");
    assert_eq!(newest["uuid"], OTHER_UUID);
    assert_eq!(newest["label"], "a label");
    assert_eq!(newest["accepted"], true);
    assert_eq!(newest["status"], 202);
    assert_eq!(newest["reason"], Value::Null);
    assert_eq!(newest["rule"], "anonymous");
    assert_eq!(newest["tokenSent"], false);
    assert!(newest["detail"].as_str().unwrap().ends_with('.'));
    let at = newest["at"].as_str().unwrap();
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{at}: {e}"));

    let refused = &all[2];
    assert_eq!(refused["accepted"], false);
    assert_eq!(refused["status"], 401);
    assert_eq!(refused["reason"], "token_required");
    assert_eq!(all[1]["tokenSent"], true);

    // No token, no email address, not even the tag of one.
    let text = serde_json::to_string(&all).unwrap();
    assert!(
        !text.contains("eyJ") && !text.contains('@') && !text.contains("email"),
        "{text}"
    );

    assert_eq!(list(&app.address, "?limit=2").await.len(), 2);
    let only_refused = list(&app.address, "?limit=50&accepted=false").await;
    assert_eq!(only_refused.len(), 1);
    assert_eq!(only_refused[0]["reason"], "token_required");
    assert_eq!(list(&app.address, "?accepted=true").await.len(), 3);
    let submits = list(&app.address, "?action=form.submit").await;
    assert_eq!(submits.len(), 2);
    assert!(submits.iter().all(|e| e["action"] == "form.submit"));
    let accepted_submits = list(&app.address, "?action=form.submit&accepted=true").await;
    assert_eq!(accepted_submits.len(), 1);
    assert_eq!(
        list(&app.address, "?action=transaction.charge").await.len(),
        0
    );

    // Polling: only what arrived after the newest id already seen.
    assert!(
        list(&app.address, &format!("?after={}", ids[0]))
            .await
            .is_empty()
    );
    let since = list(&app.address, &format!("?after={}", ids[2])).await;
    assert_eq!(
        since
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![ids[0], ids[1]]
    );
}

#[tokio::test]
async fn bad_list_queries_are_refused_with_a_code() {
    let app = TestApp::spawn().await;
    for (query, code) in [
        ("limit=0", "invalid_limit"),
        ("limit=501", "invalid_limit"),
        ("limit=ten", "invalid_limit"),
        ("limit=-1", "invalid_limit"),
        ("accepted=yes", "invalid_accepted"),
        ("accepted=", "invalid_accepted"),
        ("action=page%20visit", "invalid_action"),
        ("action=", "invalid_action"),
        ("after=-1", "invalid_after"),
        ("after=x", "invalid_after"),
        ("verdict=refused", "unknown_parameter"),
        ("limit=1&limit=2", "invalid_query"),
    ] {
        let response = reqwest::get(app.url(&format!("/gate/v1/events?{query}")))
            .await
            .unwrap();
        assert_error(response, 400, code).await;
    }
    let stream = reqwest::get(app.url("/gate/v1/events/stream?limit=0"))
        .await
        .unwrap();
    assert_error(stream, 400, "invalid_limit").await;
    let put = reqwest::Client::new()
        .put(app.url("/gate/v1/events"))
        .send()
        .await
        .unwrap();
    assert_error(put, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn any_origin_may_call_the_gate_without_credentials() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let preflight = client
        .request(reqwest::Method::OPTIONS, app.url("/gate/v1/events"))
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(headers.get("access-control-allow-credentials").is_none());

    // Refusals carry the header too, so the page can read why.
    let refused = client
        .post(app.url("/gate/v1/events"))
        .header("Origin", "https://shop.example")
        .json(&event("form.submit", UUID))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["access-control-allow-origin"], "*");
    assert!(
        refused
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    let listed = client
        .get(app.url("/gate/v1/events"))
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.headers()["access-control-allow-origin"], "*");

    // The rest of the service does not open up with it.
    let health = client
        .get(app.url("/healthz"))
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert!(
        health
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn the_gate_is_not_mounted_when_disabled() {
    let app = TestApp::spawn_with(|mut settings| {
        settings.gate = None;
        settings
    })
    .await;
    let response = post(&app.address, &event("page.visit", UUID), None).await;
    assert_error(response, 404, "not_found").await;
}

#[tokio::test]
async fn the_gate_table_of_the_file_sets_the_lists() {
    let layer: SettingsLayer = toml::from_str(
        r#"
        [gate]
        anonymous = []
        modify_without_token = ["client.update"]
        require_token = ["page.visit"]
        unlisted = "require_token"
        "#,
    )
    .unwrap();
    let events = layer.gate.events.unwrap();
    let app = TestApp::spawn_with(move |mut settings| {
        settings.gate = Some(events);
        settings
    })
    .await;
    let visit = post(&app.address, &event("page.visit", UUID), None).await;
    assert_refused(visit, 401, "token_required").await;
    let unlisted = post(&app.address, &event("product.view", UUID), None).await;
    assert_refused(unlisted, 401, "token_required").await;
    assert_accepted(post(&app.address, &event("client.update", UUID), None).await).await;
    let logged = list(&app.address, "?limit=1").await;
    assert_eq!(logged[0]["rule"], "modify_without_token");
    assert!(
        logged[0]["warning"]
            .as_str()
            .unwrap()
            .contains("modify_without_token")
    );
}

#[tokio::test]
async fn the_stream_sends_each_decision_as_it_is_made_and_replays_after_an_id() {
    let app = TestApp::spawn().await;
    let first = post(&app.address, &event("page.visit", UUID), None).await;
    assert_accepted(first).await;
    let first_id = list(&app.address, "").await[0]["id"].as_i64().unwrap();

    // Replay: asked for what came after 0, it sends the first decision at once.
    let mut stream = reqwest::Client::new()
        .get(app.url("/gate/v1/events/stream"))
        .header("Last-Event-ID", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, &format!("id: {first_id}\n")).await;
    assert!(seen.contains("event: decision\n"), "{seen}");
    assert!(seen.contains("retry: 1000"), "{seen}");

    // Live: a new decision arrives on the open stream.
    assert_refused(
        post(&app.address, &event("form.submit", UUID), None).await,
        401,
        "token_required",
    )
    .await;
    read_until(&mut stream, &mut seen, "token_required").await;
    let line = seen.lines().rfind(|l| l.starts_with("data: ")).unwrap();
    let data: Value = serde_json::from_str(&line["data: ".len()..]).unwrap();
    assert_eq!(data["id"], first_id + 1);
    assert_eq!(data["action"], "form.submit");
    assert_eq!(data["accepted"], false);
    assert_eq!(data["status"], 401);

    // Filters apply to the stream too.
    let mut refused_only = reqwest::Client::new()
        .get(app.url(&format!(
            "/gate/v1/events/stream?accepted=false&after={first_id}"
        )))
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    read_until(
        &mut refused_only,
        &mut text,
        &format!("id: {}\n", first_id + 1),
    )
    .await;
    assert!(!text.contains(&format!("id: {first_id}\n")), "{text}");
}

async fn read_until(stream: &mut reqwest::Response, seen: &mut String, needle: &str) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while !seen.contains(needle) {
            let chunk = stream.chunk().await.unwrap().expect("the stream ended");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} in {seen:?}"));
}

/// The gate run alone on one data dir, started with a certificate and then with another.
struct Standalone {
    address: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    replaced_previous: bool,
}

impl Standalone {
    async fn start(data_dir: &std::path::Path, certificate: &PublicKey) -> Self {
        let mut settings = GateSettings::from_layer(
            SettingsLayer {
                data_dir: Some(data_dir.to_owned()),
                ..SettingsLayer::default()
            },
            Some("127.0.0.1:0".parse().unwrap()),
            certificate.clone(),
        )
        .unwrap();
        settings.events = EventSettings::default();
        let app = GateApplication::build(settings).await.unwrap();
        let address = format!("http://{}", app.local_addr().unwrap());
        let replaced_previous = app.notes().replaced_previous;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(app.run_with_shutdown(async {
            let _ = stopped.await;
        }));
        Self {
            address,
            stop,
            done,
            replaced_previous,
        }
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.done)
            .await
            .expect("graceful shutdown finishes")
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn a_replaced_certificate_is_named_after_a_restart_of_the_gate_alone() {
    let dir = tempfile::tempdir().unwrap();
    let old_key = SigningKey::generate(2048).unwrap();
    let new_key = SigningKey::generate(2048).unwrap();
    let old_public = old_key.public_key().clone();
    // The certificate as pasted: the one-line form, parsed as the CLI parses a file.
    let pasted =
        PublicKey::parse_text(&old_public.to_format(PublicKeyFormat::SingleLine), "pasted")
            .unwrap();
    let old_token = token(old_key, UUID, now(), 3600);
    let new_public = new_key.public_key().clone();
    let new_token = token(new_key, UUID, now(), 3600);
    let submit = event("form.submit", UUID);

    let first = Standalone::start(dir.path(), &pasted).await;
    assert!(!first.replaced_previous);
    assert_accepted(post(&first.address, &submit, Some(&old_token)).await).await;
    assert_refused(
        post(&first.address, &submit, Some(&new_token)).await,
        401,
        "bad_signature",
    )
    .await;
    // A stream left open does not hold up the shutdown.
    let mut open = reqwest::get(format!("{}/gate/v1/events/stream", first.address))
        .await
        .unwrap();
    let mut hello = String::new();
    read_until(&mut open, &mut hello, "retry").await;
    first.stop().await;

    let second = Standalone::start(dir.path(), &new_public).await;
    assert!(second.replaced_previous);
    let detail = assert_refused(
        post(&second.address, &submit, Some(&old_token)).await,
        401,
        "certificate_replaced",
    )
    .await;
    assert!(detail.contains("replaced"), "{detail}");
    assert_accepted(post(&second.address, &submit, Some(&new_token)).await).await;
    // The log is the same file across restarts.
    assert_eq!(list(&second.address, "").await.len(), 4);
    // Alone, the gate answers other paths with a JSON 404.
    assert_error(
        reqwest::get(format!("{}/generate-jwt", second.address))
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    second.stop().await;

    // Starting again with the same certificate replaces nothing.
    let third = Standalone::start(dir.path(), &new_public).await;
    assert!(!third.replaced_previous);
    assert_refused(
        post(&third.address, &submit, Some(&old_token)).await,
        401,
        "certificate_replaced",
    )
    .await;
    third.stop().await;
}

#[tokio::test]
async fn gate_logs_carry_no_token_and_no_email() {
    let captured = CapturedLogs::default();
    // This thread only: the test's runtime is single-threaded, so the server logs here too.
    let _guard = tracing::subscriber::set_default(captured.subscriber());
    let app = TestApp::spawn().await;
    let good = token(server_key(&app), UUID, now(), 3600);
    let foreign = token(SigningKey::generate(2048).unwrap(), UUID, now(), 3600);
    let mut labelled = event("form.submit", UUID);
    labelled["label"] = json!("private label");
    assert_accepted(post(&app.address, &labelled, Some(&good)).await).await;
    assert_refused(
        post(&app.address, &event("form.submit", UUID), Some(&foreign)).await,
        401,
        "bad_signature",
    )
    .await;
    list(&app.address, "?accepted=true").await;

    let logs = captured.text();
    assert!(logs.contains("gate decision"), "{logs}");
    // Keyed by the site's salt, as `serve` derives it.
    let tag = synerise_auth_token::LogTagKey::derive(
        &synerise_auth_token::UuidSalt::new(crate::helpers::SALT).unwrap(),
    )
    .tag(&Email::parse(EMAIL).unwrap());
    assert!(
        logs.contains(&tag),
        "the email's tag is logged instead: {logs}"
    );
    for secret in [
        good.as_str(),
        foreign.as_str(),
        EMAIL,
        "eyJ",
        "private label",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}

#[tokio::test]
async fn serve_shuts_down_gracefully_with_a_stream_open() {
    let dir = tempfile::tempdir().unwrap();
    let settings = synerise_auth_server::Settings::for_test(dir.path());
    let app = synerise_auth_server::Application::build(settings)
        .await
        .unwrap();
    let address = format!("http://{}", app.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(app.run_with_shutdown(async {
        let _ = stopped.await;
    }));
    let mut open = reqwest::get(format!("{address}/gate/v1/events/stream"))
        .await
        .unwrap();
    let mut hello = String::new();
    read_until(&mut open, &mut hello, "retry").await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), done)
        .await
        .expect("graceful shutdown finishes")
        .unwrap()
        .unwrap();
}

#[test]
fn the_gate_routes_are_described() {
    let spec = serde_json::to_value(synerise_auth_server::gate_openapi()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths["/gate/v1/events"]["post"].is_object(), "{spec}");
    assert!(paths["/gate/v1/events"]["get"].is_object(), "{spec}");
    assert!(paths["/gate/v1/events/stream"]["get"].is_object(), "{spec}");
    assert_eq!(paths.len(), 2);
    assert!(
        spec["components"]["schemas"]["EventList"].is_object(),
        "{spec}"
    );
}
