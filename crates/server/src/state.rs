//! What every handler shares: the application, and what only HTTP needs.

use std::{sync::Arc, time::Duration};

use synerise_auth_app::App;

use crate::{
    config::{IdentityCookie, Mode},
    metrics::Metrics,
    shutdown::Draining,
};

/// Shared state of the routes; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// What the service does (see the `synerise-auth-app` crate).
    pub(crate) app: App,
    /// How it speaks HTTP.
    pub(crate) http: Arc<Http>,
}

/// What the routes need beside the application: cookies, addresses, metrics, timeouts.
#[derive(Debug)]
pub(crate) struct Http {
    /// Dev or production: the session cookie's name and flags, HSTS, the demo pages.
    pub(crate) mode: Mode,
    /// The proxies whose `X-Forwarded-For` names the customer (per-IP limits).
    pub(crate) trusted_proxies: crate::TrustedProxies,
    /// The tracker's identity cookie to set at sign-in, when configured.
    pub(crate) identity_cookie: Option<IdentityCookie>,
    /// Prometheus metrics and who may read them.
    pub(crate) metrics: Arc<Metrics>,
    /// How long one request may take (408 `request_timeout` past it).
    pub(crate) request_timeout: Duration,
    /// Whether the instance is draining (`/healthz` answers 503).
    pub(crate) draining: Draining,
}

impl AppState {
    /// `app`, spoken over HTTP as `http` says.
    pub(crate) fn new(app: App, http: Http) -> Self {
        Self {
            app,
            http: Arc::new(http),
        }
    }
}
