//! Building the application: dev-mode fill-ins, the router and its layers, binding, serving.

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

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
    openapi::ApiDoc,
    reload::Reloader,
    routes,
    routes::gate::gate_router,
    shutdown::{Draining, ShutdownPlan},
    state::Http,
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
    gate: Option<synerise_auth_app::GateService>,
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
        // A key file is a set of one; a key directory signs with its active key. Read before
        // its mode is checked, so that a public key, a key of another kind or an encrypted key
        // is named as such rather than met with advice to chmod it.
        let signing_settings = crate::reload::signing_settings(&settings);
        let key_set = KeySet::load(&signing_settings.key)?;
        check_key_set_permissions(&key_path, settings.mode)?;

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
        let metrics = Arc::new(Metrics::new(settings.metrics)?);
        Metrics::spawn_upkeep(&metrics);
        let draining = Draining::new(settings.drain, Some(metrics.draining_gauge()));
        metrics.signing_key(&tokens.key_id(), None);

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
        let app = crate::compose::build_app(&settings, tokens, store, &metrics, log_tags, clock)?;
        crate::compose::spawn_housekeeping(app.clone());
        let reloader = Reloader::new(
            Arc::clone(app.token_service()),
            gate.clone(),
            Arc::clone(&metrics),
            settings.clone(),
        );
        reloader.reload_on_hangup();
        let state = AppState::new(
            app,
            Http {
                mode: settings.mode,
                trusted_proxies: settings.trusted_proxies.clone(),
                identity_cookie: settings.identity_cookie.clone(),
                metrics,
                request_timeout: settings.request_timeout,
                draining: draining.clone(),
            },
        );

        Ok(Self {
            listening: Listening::bind(settings.listen, settings.connections)
                .await?
                .with_shutdown(
                    ShutdownPlan::new(settings.drain, settings.request_timeout),
                    draining,
                ),
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

    /// Serves until SIGTERM or Ctrl-C, then drains (`[shutdown] drain`), closes the listener
    /// and finishes the requests in flight; a second signal cuts each wait short.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.listening.run(self.router, self.gate, None).await
    }

    /// Serves until `signal` completes, then stops as on SIGTERM.
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
        metrics: Some(Arc::clone(&state.http.metrics)),
        hsts: state.http.mode == Mode::Production,
        request_timeout: state.http.request_timeout,
        body_limit: BODY_LIMIT,
    };
    let cors = crate::cross_site::cors(&state.app.settings().allowed_origins);
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
