//! The application: built once from its settings and parts, cheap to clone, shared by every
//! request. Its use cases are methods, each in the file of its concern (`authenticate.rs`,
//! `issue.rs`, `customers.rs`).

use std::{sync::Arc, time::Duration};

use synerise_auth_issuing::Tokens;
use synerise_auth_oidc::IdTokenVerifier;
use synerise_auth_store::{AccountStore, SessionStore, SignInLockout, Store};
use synerise_auth_token::{Clock, CustomerUuid, Email, LogTagKey};

use crate::{
    api_keys::ApiKeys,
    limits::{Limits, RateLimits},
    token_service::{IssuingMetrics, TokenService},
};

/// What the application does: who is asking, tokens, the customers' accounts and sessions.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) inner: Arc<Inner>,
}

/// The application's policy, as settings: plain values, compared by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettings {
    /// Whether customers may create their own accounts.
    pub signup: bool,
    /// Whether a signed-in customer's token may carry the uuid their browser sends.
    pub allow_client_uuid: bool,
    /// Origins, lower-case, besides this service's own, whose pages may use the session cookie.
    pub allowed_origins: Vec<String>,
    /// How long a session lasts.
    pub sessions: SessionLifetimes,
    /// The rate limits.
    pub limits: RateLimits,
}

/// How long a customer stays signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    /// A session ends after this long unused.
    pub idle_ttl: Duration,
    /// A session ends this long after sign-in at the latest.
    pub absolute_ttl: Duration,
}

/// Everything an [`App`] is built from.
#[derive(Debug)]
pub struct AppParts {
    /// The policy.
    pub settings: AppSettings,
    /// What signs: the key set, the token cache, the UUID salt.
    pub tokens: Tokens,
    /// Where issued tokens and signatures are counted, if anywhere.
    pub token_metrics: Option<Arc<dyn IssuingMetrics>>,
    /// The site back end's API keys.
    pub api_keys: ApiKeys,
    /// Accounts, sessions and the failed sign-ins.
    pub store: Arc<dyn Store>,
    /// The identity provider's ID-token verifier, when one is configured.
    pub oidc: Option<IdTokenVerifier>,
    /// Keys the tags customers appear under in logs.
    pub log_tags: LogTagKey,
    /// What every "now" is read from.
    pub clock: Arc<dyn Clock>,
}

/// What the clones of an [`App`] share.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) settings: AppSettings,
    pub(crate) tokens: Arc<TokenService>,
    pub(crate) api_keys: ApiKeys,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) limits: Limits,
    pub(crate) oidc: Option<IdTokenVerifier>,
    pub(crate) log_tags: LogTagKey,
    pub(crate) clock: Arc<dyn Clock>,
}

impl App {
    /// The application over `parts`. Call it within the runtime that will serve: the token
    /// service allows one signature at a time per worker of that runtime but one.
    #[must_use]
    pub fn new(parts: AppParts) -> Self {
        let AppParts {
            settings,
            tokens,
            token_metrics,
            api_keys,
            store,
            oidc,
            log_tags,
            clock,
        } = parts;
        let mut tokens = TokenService::new(tokens, Arc::clone(&clock));
        if let Some(metrics) = token_metrics {
            tokens = tokens.with_metrics(metrics);
        }
        let limits = Limits::new(
            settings.limits,
            Arc::clone(&clock),
            Arc::clone(&store) as Arc<dyn SignInLockout>,
        );
        Self {
            inner: Arc::new(Inner {
                settings,
                tokens: Arc::new(tokens),
                api_keys,
                accounts: Arc::clone(&store) as Arc<dyn AccountStore>,
                sessions: store as Arc<dyn SessionStore>,
                limits,
                oidc,
                log_tags,
                clock,
            }),
        }
    }

    /// The policy the application was built with.
    #[must_use]
    pub fn settings(&self) -> &AppSettings {
        &self.inner.settings
    }

    /// The token service (what signs, for a reload).
    #[must_use]
    pub fn token_service(&self) -> &Arc<TokenService> {
        &self.inner.tokens
    }

    /// Whether `presented` is one of the API keys (compared in constant time).
    #[must_use]
    pub fn is_api_key(&self, presented: &str) -> bool {
        self.inner.api_keys.accepted_digest(presented).is_some()
    }

    /// The customer's UUID as the service derives it: UUIDv5 of the salt and the email.
    #[must_use]
    pub fn derive_uuid(&self, email: &Email) -> CustomerUuid {
        self.inner.tokens.derive_uuid(email)
    }

    /// The active public key as SPKI PEM.
    #[must_use]
    pub fn public_key_pem(&self) -> String {
        self.inner.tokens.tokens().public_key_pem()
    }

    /// The key set as a JWK Set (JSON): the active key, the next, the retired ones still valid.
    #[must_use]
    pub fn jwks(&self) -> String {
        self.inner.tokens.tokens().jwks(self.inner.clock.now())
    }

    /// The active key's id (its RFC 7638 thumbprint).
    #[must_use]
    pub fn key_id(&self) -> Arc<str> {
        self.inner.tokens.tokens().key_id()
    }

    /// Forgets what no longer matters: expired sessions, idle rate-limit keys, old failed
    /// sign-ins. Run it every minute or so; failures are logged, not returned.
    pub async fn housekeeping(&self) {
        self.inner.limits.prune().await;
        let now = self.inner.clock.now();
        if let Err(e) = self.inner.sessions.purge_expired(now).await {
            tracing::warn!(error = %e, "could not purge expired sessions");
        }
    }
}
