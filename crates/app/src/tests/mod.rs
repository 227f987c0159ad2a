//! The use cases over a real SQLite store, a fixed clock and a generated key.

mod authenticate;
mod customers;
mod issue;

use std::{
    net::IpAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

use secrecy::SecretString;
use synerise_auth_issuing::{SigningSettings, Tokens};
use synerise_auth_store::SqliteStore;
use synerise_auth_token::{Email, FixedClock, KeySet, LogTagKey, SigningKey, UnixTime, UuidSalt};

use crate::{
    ApiKeys, App, AppError, AppParts, AppSettings, RateLimits, RequestSite, SessionLifetimes,
};

/// The API key every test app accepts.
const API_KEY: &str = "an API key of twenty-odd characters";
/// When every test starts.
const START: i64 = 1_800_000_000;

/// An app, its clock, and the directory its store lives in.
struct TestApp {
    app: App,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

/// One key for every test (made once: a 2048-bit key takes a while).
fn key() -> SigningKey {
    static PEM: OnceLock<String> = OnceLock::new();
    let pem = PEM.get_or_init(|| {
        let key = SigningKey::generate(2048).unwrap();
        key.to_pkcs8_pem().unwrap().as_str().to_owned()
    });
    SigningKey::from_bytes(pem.as_bytes(), "the tests' key").unwrap()
}

fn settings() -> AppSettings {
    AppSettings {
        signup: true,
        allow_client_uuid: false,
        allowed_origins: vec!["https://shop.example".to_owned()],
        sessions: SessionLifetimes {
            idle_ttl: Duration::from_secs(3600),
            absolute_ttl: Duration::from_secs(12 * 3600),
        },
        limits: RateLimits {
            sign_in_per_ip_per_minute: 0,
            failed_sign_ins_per_account: 3,
            tokens_per_session_per_minute: 0,
            tokens_per_identity_per_minute: 0,
            tokens_per_api_key_per_minute: 0,
        },
    }
}

async fn app_with(settings: AppSettings) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("auth.db")).await.unwrap();
    let clock = Arc::new(FixedClock::new(UnixTime::from_secs(START)));
    let salt = UuidSalt::new("a salt for tests").unwrap();
    let tokens = Tokens::with_key_set(
        KeySet::single(key()),
        SigningSettings::new(dir.path().join("unused.pem")),
        salt.clone(),
    );
    let app = App::new(AppParts {
        settings,
        tokens,
        token_metrics: None,
        api_keys: ApiKeys::parse(&[API_KEY]).unwrap(),
        store: Arc::new(store),
        oidc: None,
        log_tags: LogTagKey::derive(&salt),
        clock: clock.clone(),
    });
    TestApp {
        app,
        clock,
        _dir: dir,
    }
}

async fn app() -> TestApp {
    app_with(settings()).await
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn password(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
const PASSWORD: &str = "a password long enough";

/// A request from this site's own page.
fn same_origin() -> RequestSite<'static> {
    RequestSite {
        fetch_site: Some("same-origin"),
        origin: None,
        host: None,
    }
}

/// A request from another site's page.
fn cross_site() -> RequestSite<'static> {
    RequestSite {
        fetch_site: Some("cross-site"),
        origin: Some("https://evil.example"),
        host: None,
    }
}

/// Asserts `result` is a refusal of `kind` with `code`.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, AppError>, kind: &str, code: &str) {
    let error = result.unwrap_err();
    let actual = match &error {
        AppError::BadRequest { .. } => "bad_request",
        AppError::Unauthorized { .. } => "unauthorized",
        AppError::Forbidden { .. } => "forbidden",
        AppError::Conflict { .. } => "conflict",
        AppError::TooManyRequests { .. } => "too_many_requests",
        AppError::Unavailable { .. } => "unavailable",
        AppError::Unexpected(_) => "unexpected",
    };
    assert_eq!((actual, error.code()), (kind, code), "{error:?}");
}
