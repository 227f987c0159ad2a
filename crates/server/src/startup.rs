//! Building the application: dev-mode fill-ins, the router and its layers, binding, serving.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context as _;
use axum::{Router, http::header, routing::get};
use secrecy::SecretString;
use synerise_auth_issuing::Tokens;
use synerise_auth_store::{AccountStore, StoreError};
use synerise_auth_token::{
    Clock, Email, KeySet, LogTagKey, PublicKeyFormat, SigningKey, SystemClock, UnixTime, UuidSalt,
};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiError, AppState, Settings,
    config::Mode,
    files::{ensure_dir, read_or_create_secret},
    gate::GateService,
    key_permissions::check_key_set_permissions,
    listening::Listening,
    metrics::Metrics,
    middleware::Stack,
    oidc::IdTokenVerifier,
    openapi::ApiDoc,
    reload::Reloader,
    routes,
    routes::gate::gate_router,
    state::StateParts,
    token_service::TokenService,
};

/// The largest request body accepted.
const BODY_LIMIT: usize = 16 * 1024;

/// The dev-mode demo account.
pub(crate) const DEMO_EMAIL: &str = "demo@example.com";
/// The dev-mode demo account's password (dev mode only, on loopback by default).
pub(crate) const DEMO_PASSWORD: &str = "synerise-demo";

/// What start-up did and what an operator needs to see.
#[derive(Debug, Clone)]
pub struct StartupNotes {
    /// Dev or production.
    pub mode: Mode,
    /// The public key in Synerise's one-line certificate form.
    pub public_key_single_line: String,
    /// The key file in use.
    pub key_path: PathBuf,
    /// Whether the key file was created by this start.
    pub key_created: bool,
    /// In dev mode without configured keys: the generated API key.
    pub dev_api_key: Option<crate::Secret>,
    /// In dev mode: the demo account's email and password.
    pub demo_account: Option<(&'static str, &'static str)>,
}

/// A bound, ready-to-serve application.
#[derive(Debug)]
pub struct Application {
    listening: Listening,
    router: Router,
    notes: StartupNotes,
    /// The event gate, when mounted (its live feeds end on shutdown).
    gate: Option<crate::gate::GateService>,
    /// Reloads the key set on SIGHUP.
    reloader: Reloader,
}

impl Application {
    /// Loads the key once, fills in dev-mode defaults, builds the router and binds the port.
    ///
    /// # Errors
    /// A message saying what to fix: an unreadable or unusable key, an unwritable data dir, a
    /// port in use.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`build`](Self::build), with the clock tests pin.
    ///
    /// # Errors
    /// As [`build`](Self::build).
    pub async fn build_with_clock(
        mut settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let (key_path, key_created) = match (&settings.key, settings.mode) {
            (Some(path), _) => (path.clone(), false),
            (None, _) => {
                ensure_dir(&settings.data_dir)?;
                let path = crate::reload::default_key_path(&settings);
                let created = if path.exists() {
                    false
                } else {
                    SigningKey::generate(2048)?.write_pkcs8_pem(&path, false)?;
                    true
                };
                (path, created)
            }
        };
        check_key_set_permissions(&key_path, settings.mode)?;
        // A key file is a set of one; a key directory signs with its active key.
        let signing_settings = crate::reload::signing_settings(&settings);
        let key_set = KeySet::load(&signing_settings.key)?;

        let dev_api_key = fill_dev_defaults(&mut settings)?;
        let salt = settings
            .uuid_salt
            .clone()
            .context("no UUID salt configured (SYNERISE_AUTH_UUID_SALT)")?;
        // Keyed by the salt, which every instance of the site shares, so tags match everywhere.
        let log_tags = LogTagKey::derive(&salt);
        let tokens = Tokens::with_key_set(key_set, signing_settings, salt);

        let notes = StartupNotes {
            mode: settings.mode,
            public_key_single_line: tokens.public_key().to_format(PublicKeyFormat::SingleLine),
            key_path,
            key_created,
            dev_api_key,
            demo_account: (settings.mode == Mode::Dev && settings.demo_account)
                .then_some((DEMO_EMAIL, DEMO_PASSWORD)),
        };
        let certificate = tokens.public_key();
        let kid = tokens.key_id().to_string();
        let tokens = TokenService::new(tokens, Arc::clone(&clock));
        let metrics = Arc::new(Metrics::new(settings.metrics)?);
        Metrics::spawn_upkeep(&metrics);
        metrics.signing_key(&kid, None);
        let tokens = tokens.with_metrics(Arc::clone(&metrics));

        let store =
            crate::database::open_store(&settings.database, &settings.data_dir, settings.hashing)
                .await?;
        metrics.watch_hashing(store.hashing().clone());
        if settings.mode == Mode::Dev && settings.demo_account {
            ensure_demo_account(store.as_ref(), clock.now()).await?;
        }
        let gate = crate::gate::open_for_serve(
            settings.gate.as_ref(),
            settings.leeway_secs,
            &store,
            &certificate,
            &clock,
            &log_tags,
        )
        .await?;
        let running = settings.clone();
        let state = AppState::new(StateParts {
            mode: settings.mode,
            tokens,
            api_keys: settings.api_keys.clone(),
            accounts: store.clone(),
            sessions: store.clone(),
            lockout: store,
            session_settings: settings.sessions,
            signup: settings.signup,
            allow_client_uuid: settings.allow_client_uuid,
            allowed_origins: settings.allowed_origins.clone(),
            trusted_proxies: settings.trusted_proxies.clone(),
            identity_cookie: settings.identity_cookie.clone(),
            limits: settings.limits,
            oidc: settings
                .oidc
                .clone()
                .map(|oidc| anyhow::Ok(IdTokenVerifier::new(oidc, identity_provider_client()?)))
                .transpose()?,
            metrics,
            request_timeout: settings.request_timeout,
            log_tags,
        });
        spawn_housekeeping(state.clone());
        let reloader = Reloader::new(
            Arc::clone(&state.inner.tokens),
            gate.clone(),
            Arc::clone(&state.inner.metrics),
            running,
        );
        reloader.reload_on_hangup();

        Ok(Self {
            listening: Listening::bind(settings.listen, settings.connections).await?,
            router: router_with(state, gate.as_ref())?,
            notes,
            gate,
            reloader,
        })
    }

    /// Reads the settings from `source` at each reload (SIGHUP), so that a changed
    /// configuration file applies without a restart, as far as it can (see [`crate::reload`]).
    #[must_use]
    pub fn with_settings_source(
        self,
        source: impl Fn() -> anyhow::Result<Settings> + Send + Sync + 'static,
    ) -> Self {
        self.reloader.set_source(Box::new(move || {
            let mut settings = source()?;
            fill_dev_defaults(&mut settings)?;
            Ok(settings)
        }));
        self
    }

    /// What SIGHUP calls: reloads the key set and the signing settings.
    #[must_use]
    pub fn reloader(&self) -> Reloader {
        self.reloader.clone()
    }

    /// The bound address (its port is the real one when 0 was asked for).
    ///
    /// # Errors
    /// When the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listening.local_addr()
    }

    /// What start-up did.
    #[must_use]
    pub fn notes(&self) -> &StartupNotes {
        &self.notes
    }

    /// Whether the event gate (`/gate/v1/*` and the `/gate` page) is mounted beside the service.
    #[must_use]
    pub fn gate_mounted(&self) -> bool {
        self.gate.is_some()
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.listening.run(self.router, self.gate, None).await
    }

    /// Serves until `signal` completes.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_with_shutdown(
        self,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let signal = Box::pin(signal);
        self.listening
            .run(self.router, self.gate, Some(signal))
            .await
    }
}

/// The routes and their layers, without binding anything (see [`Stack::apply`] for the layers).
///
/// # Errors
/// When the OpenAPI document cannot be written (a bug).
pub fn router(state: AppState) -> anyhow::Result<Router> {
    router_with(state, None)
}

/// [`router`], with the event gate's routes (and their description in `/openapi.json`) beside
/// them when `serve` mounts the gate: both inside one stack.
fn router_with(state: AppState, gate: Option<&GateService>) -> anyhow::Result<Router> {
    let stack = Stack {
        metrics: Some(Arc::clone(&state.inner.metrics)),
        hsts: state.inner.mode == Mode::Production,
        request_timeout: state.inner.request_timeout,
        body_limit: BODY_LIMIT,
    };
    let cors = crate::cross_site::cors(&state.inner.allowed_origins);
    // Built from the handlers' OpenAPI annotations: a route cannot exist undescribed.
    let (api, mut spec) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::token::generate_jwt))
        .routes(routes!(
            routes::session::sign_in,
            routes::session::whoami,
            routes::session::sign_out
        ))
        .routes(routes!(routes::accounts::sign_up))
        .routes(routes!(routes::keys::public_key))
        .routes(routes!(routes::keys::jwks))
        .routes(routes!(routes::health::healthz))
        .routes(routes!(routes::metrics::metrics))
        .split_for_parts();
    if gate.is_some() {
        spec.merge(crate::routes::gate::gate_openapi());
    }
    crate::openapi::add_common_responses(&mut spec);
    let spec: Arc<str> = spec
        .to_json()
        .context("cannot write the OpenAPI document")?
        .into();
    let api = api
        .route(
            "/openapi.json",
            get(move || {
                let spec = Arc::clone(&spec);
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        spec.to_string(),
                    )
                }
            }),
        )
        .fallback(routes::web::fallback)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state);
    // The API's CORS, for the configured origins only; the gate's routes bring their own.
    let api = match cors {
        Some(cors) => api.layer(cors),
        None => api,
    };
    let routes = match gate {
        Some(gate) => api.merge(gate_router(gate.clone())),
        None => api,
    };
    Ok(stack.apply(routes))
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

/// In dev mode, the UUID salt and an API key kept in the data directory when none is configured
/// (made on the first start): returns the API key when it is one of those.
fn fill_dev_defaults(settings: &mut Settings) -> anyhow::Result<Option<crate::Secret>> {
    if settings.mode != Mode::Dev {
        return Ok(None);
    }
    if settings.uuid_salt.is_none() {
        ensure_dir(&settings.data_dir)?;
        let salt = read_or_create_secret(&settings.data_dir.join("uuid-salt"))?;
        settings.uuid_salt = Some(UuidSalt::new(salt)?);
    }
    if settings.api_keys.is_empty() {
        ensure_dir(&settings.data_dir)?;
        let api_key = read_or_create_secret(&settings.data_dir.join("dev-api-key"))?;
        *settings = settings
            .clone()
            .with_api_keys(std::slice::from_ref(&api_key))?;
        return Ok(Some(crate::Secret::new(api_key)));
    }
    Ok(None)
}

/// Creates the demo account if it does not exist yet.
async fn ensure_demo_account(store: &dyn AccountStore, now: UnixTime) -> anyhow::Result<()> {
    let email = Email::parse(DEMO_EMAIL)?;
    match AccountStore::create(store, &email, &SecretString::from(DEMO_PASSWORD), now).await {
        Ok(_) | Err(StoreError::AccountExists) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Every minute: forget expired sessions, idle rate-limit keys and old failed sign-ins.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            state.inner.limits.prune().await;
            let now = state.inner.tokens.clock().now();
            if let Err(e) = state.inner.sessions.purge_expired(now).await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
}
