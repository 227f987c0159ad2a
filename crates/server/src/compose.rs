//! The application built from the service's settings: its policy, its parts, its upkeep.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use synerise_auth_app::{App, AppParts, AppSettings, IssuingMetrics, RateLimits, SessionLifetimes};
use synerise_auth_issuing::Tokens;
use synerise_auth_store::Store;
use synerise_auth_token::{Clock, LogTagKey};

use crate::{LimitSettings, SessionSettings, Settings, metrics::Metrics, oidc::IdTokenVerifier};

/// The application `settings` describe, signing with `tokens`, keeping what it keeps in `store`,
/// counting into `metrics`. Call it within the runtime that will serve (see [`App::new`]).
///
/// # Errors
/// When the identity provider's HTTP client cannot be built.
pub(crate) fn build_app(
    settings: &Settings,
    tokens: Tokens,
    store: Arc<dyn Store>,
    metrics: &Arc<Metrics>,
    log_tags: LogTagKey,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<App> {
    let oidc = settings
        .oidc
        .clone()
        .map(|oidc| anyhow::Ok(IdTokenVerifier::new(oidc, identity_provider_client()?)))
        .transpose()?;
    Ok(App::new(AppParts {
        settings: app_settings(settings),
        tokens,
        token_metrics: Some(Arc::clone(metrics) as Arc<dyn IssuingMetrics>),
        api_keys: settings.api_keys.clone(),
        store,
        oidc,
        log_tags,
        clock,
    }))
}

/// The application's policy, from the service's settings.
fn app_settings(settings: &Settings) -> AppSettings {
    let SessionSettings {
        idle_ttl,
        absolute_ttl,
    } = settings.sessions;
    let LimitSettings {
        sign_in_per_ip_per_minute,
        failed_sign_ins_per_account,
        tokens_per_session_per_minute,
        tokens_per_identity_per_minute,
        tokens_per_api_key_per_minute,
    } = settings.limits;
    AppSettings {
        signup: settings.signup,
        allow_client_uuid: settings.allow_client_uuid,
        allowed_origins: settings.allowed_origins.clone(),
        sessions: SessionLifetimes {
            idle_ttl,
            absolute_ttl,
        },
        limits: RateLimits {
            sign_in_per_ip_per_minute,
            failed_sign_ins_per_account,
            tokens_per_session_per_minute,
            tokens_per_identity_per_minute,
            tokens_per_api_key_per_minute,
        },
    }
}

/// Every minute: forget expired sessions, idle rate-limit keys and old failed sign-ins.
pub(crate) fn spawn_housekeeping(app: App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            app.housekeeping().await;
        }
    });
}

/// The HTTP client for the identity provider: no redirects (the key URL is checked, and a
/// redirect could lead elsewhere), short timeouts.
fn identity_provider_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(5))
        .user_agent(concat!("synerise-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot build the HTTP client for the identity provider")
}
