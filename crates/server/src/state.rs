//! What every handler shares.

use std::{net::IpAddr, sync::Arc};

use synerise_auth_store::{AccountStore, SessionStore, SignInLockout};

use crate::{
    api_keys::ApiKeys,
    config::{IdentityCookie, LimitSettings, Mode, SessionSettings},
    metrics::Metrics,
    oidc::IdTokenVerifier,
    rate_limit::{FailedSignIns, PerMinute},
    shutdown::Draining,
    token_service::TokenService,
};

/// Shared application state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Shared>,
}

/// Everything [`AppState`] is built from.
#[derive(Debug)]
pub(crate) struct StateParts {
    pub(crate) mode: Mode,
    pub(crate) tokens: TokenService,
    pub(crate) api_keys: ApiKeys,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    /// Where failed sign-ins are counted (the store, shared by every instance).
    pub(crate) lockout: Arc<dyn SignInLockout>,
    pub(crate) session_settings: SessionSettings,
    pub(crate) signup: bool,
    pub(crate) allow_client_uuid: bool,
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) trusted_proxies: crate::TrustedProxies,
    pub(crate) identity_cookie: Option<IdentityCookie>,
    pub(crate) limits: LimitSettings,
    pub(crate) oidc: Option<IdTokenVerifier>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) request_timeout: std::time::Duration,
    pub(crate) log_tags: synerise_auth_token::LogTagKey,
    pub(crate) draining: Draining,
}

/// What every handler reads through [`AppState`].
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) mode: Mode,
    pub(crate) tokens: Arc<TokenService>,
    pub(crate) api_keys: ApiKeys,
    pub(crate) accounts: Arc<dyn AccountStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) session_settings: SessionSettings,
    pub(crate) signup: bool,
    pub(crate) allow_client_uuid: bool,
    pub(crate) allowed_origins: Vec<String>,
    /// The proxies whose `X-Forwarded-For` names the customer (per-IP limits).
    pub(crate) trusted_proxies: crate::TrustedProxies,
    /// The tracker's identity cookie to set at sign-in, when configured.
    pub(crate) identity_cookie: Option<IdentityCookie>,
    pub(crate) limits: Limits,
    /// The identity provider's ID-token verifier, when one is configured.
    pub(crate) oidc: Option<IdTokenVerifier>,
    /// Prometheus metrics and who may read them.
    pub(crate) metrics: Arc<Metrics>,
    /// How long one request may take (408 `request_timeout` past it).
    pub(crate) request_timeout: std::time::Duration,
    /// Keys the tags customers appear under in logs.
    pub(crate) log_tags: synerise_auth_token::LogTagKey,
    /// Whether the instance is draining (`/healthz` answers 503).
    pub(crate) draining: Draining,
}

/// The live rate limiters: per-minute rates in this process, failed sign-ins in the store.
#[derive(Debug)]
pub(crate) struct Limits {
    pub(crate) sign_in_per_ip: PerMinute<IpAddr>,
    pub(crate) failed_sign_ins: FailedSignIns,
    /// Keyed by the session token's hash.
    pub(crate) tokens_per_session: PerMinute<[u8; 32]>,
    /// Keyed by `issuer + subject`.
    pub(crate) tokens_per_identity: PerMinute<String>,
    /// Keyed by the API key's digest.
    pub(crate) tokens_per_api_key: PerMinute<[u8; 32]>,
}

impl Limits {
    /// Forgets idle keys; run now and then so the limiters' memory (and the store's table of
    /// failed sign-ins) stays bounded.
    pub(crate) async fn prune(&self) {
        self.failed_sign_ins.prune().await;
        self.sign_in_per_ip.prune();
        self.tokens_per_session.prune();
        self.tokens_per_identity.prune();
        self.tokens_per_api_key.prune();
    }
}

impl AppState {
    pub(crate) fn new(parts: StateParts) -> Self {
        let limits = Limits {
            sign_in_per_ip: PerMinute::new(parts.limits.sign_in_per_ip_per_minute),
            failed_sign_ins: FailedSignIns::new(
                parts.limits.failed_sign_ins_per_account,
                Arc::clone(parts.tokens.clock()),
                parts.lockout,
            ),
            tokens_per_session: PerMinute::new(parts.limits.tokens_per_session_per_minute),
            tokens_per_identity: PerMinute::new(parts.limits.tokens_per_identity_per_minute),
            tokens_per_api_key: PerMinute::new(parts.limits.tokens_per_api_key_per_minute),
        };
        Self {
            inner: Arc::new(Shared {
                mode: parts.mode,
                tokens: Arc::new(parts.tokens),
                api_keys: parts.api_keys,
                accounts: parts.accounts,
                sessions: parts.sessions,
                session_settings: parts.session_settings,
                signup: parts.signup,
                allow_client_uuid: parts.allow_client_uuid,
                allowed_origins: parts.allowed_origins,
                trusted_proxies: parts.trusted_proxies,
                identity_cookie: parts.identity_cookie,
                limits,
                oidc: parts.oidc,
                metrics: parts.metrics,
                request_timeout: parts.request_timeout,
                log_tags: parts.log_tags,
                draining: parts.draining,
            }),
        }
    }
}
