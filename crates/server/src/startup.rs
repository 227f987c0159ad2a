//! Building the application: dev-mode fill-ins, the router and its layers, binding, serving.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::Context as _;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use secrecy::SecretString;
use synerise_auth_store::{AccountStore, SqliteStore, StoreError};
use synerise_auth_token::{
    Clock, Email, Issuer, LogTagKey, PublicKeyFormat, SigningKey, SystemClock, UnixTime, UuidSalt,
};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiError, AppState, ConnectionLimits, Settings,
    config::{DATABASE_FILE, KidSetting, Mode},
    error::UnexpectedCause,
    issuing::Issuing,
    metrics::Metrics,
    oidc::IdTokenVerifier,
    openapi::ApiDoc,
    routes,
    state::StateParts,
};

/// The largest request body accepted.
const BODY_LIMIT: usize = 16 * 1024;
/// `Strict-Transport-Security` in production: browsers use HTTPS only for a year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

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
    listener: TcpListener,
    router: Router,
    notes: StartupNotes,
    /// The event gate, when mounted (its live feeds end on shutdown).
    gate: Option<crate::gate::GateService>,
    /// Connection limits and timeouts.
    connections: ConnectionLimits,
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
        let mut dev_api_key = None;
        let (key_path, key_created) = match (&settings.key, settings.mode) {
            (Some(path), _) => (path.clone(), false),
            (None, _) => {
                ensure_dir(&settings.data_dir)?;
                let path = settings.data_dir.join("private.pem");
                let created = if path.exists() {
                    false
                } else {
                    SigningKey::generate(2048)?.write_pkcs8_pem(&path, false)?;
                    true
                };
                (path, created)
            }
        };
        check_key_permissions(&key_path, settings.mode)?;
        let key = SigningKey::from_file(&key_path)?;

        if settings.mode == Mode::Dev {
            if settings.uuid_salt.is_none() {
                ensure_dir(&settings.data_dir)?;
                let salt = read_or_create_secret(&settings.data_dir.join("uuid-salt"))?;
                settings.uuid_salt = Some(UuidSalt::new(salt)?);
            }
            if settings.api_keys.is_empty() {
                ensure_dir(&settings.data_dir)?;
                let api_key = read_or_create_secret(&settings.data_dir.join("dev-api-key"))?;
                settings = settings.with_api_keys(std::slice::from_ref(&api_key))?;
                dev_api_key = Some(crate::Secret::new(api_key));
            }
        }
        let salt = settings
            .uuid_salt
            .clone()
            .context("no UUID salt configured (SYNERISE_AUTH_UUID_SALT)")?;
        // Keyed by the salt, which every instance of the site shares, so tags match everywhere.
        let log_tags = LogTagKey::derive(&salt);

        let kid = match &settings.token_kid {
            KidSetting::None => None,
            KidSetting::Thumbprint => Some(key.public_key().thumbprint().to_owned()),
            KidSetting::Fixed(kid) => Some(kid.clone()),
        };
        let notes = StartupNotes {
            mode: settings.mode,
            public_key_single_line: key.public_key().to_format(PublicKeyFormat::SingleLine),
            key_path,
            key_created,
            dev_api_key,
            demo_account: (settings.mode == Mode::Dev && settings.demo_account)
                .then_some((DEMO_EMAIL, DEMO_PASSWORD)),
        };
        let issuing = Issuing::new(
            Issuer::new(key, kid),
            salt,
            settings.token_ttl,
            Arc::clone(&clock),
        );
        let issuing = if settings.token_cache.enabled {
            issuing.with_cache(settings.token_cache.capacity, settings.token_cache.max_age)
        } else {
            issuing
        };
        let metrics = Arc::new(Metrics::new(settings.metrics)?);
        Metrics::spawn_upkeep(&metrics);
        let issuing = issuing.with_metrics(Arc::clone(&metrics));

        ensure_dir(&settings.data_dir)?;
        let store = Arc::new(
            SqliteStore::open(settings.data_dir.join(DATABASE_FILE))
                .await?
                .with_hashing_limits(settings.hashing),
        );
        metrics.watch_hashing(store.hashing().clone());
        if settings.mode == Mode::Dev && settings.demo_account {
            ensure_demo_account(store.as_ref(), clock.now()).await?;
        }
        let gate = crate::gate::open_for_serve(
            settings.gate.as_ref(),
            settings.leeway_secs,
            &store,
            issuing.issuer().public_key(),
            &clock,
            &log_tags,
        )
        .await?;
        let state = AppState::new(StateParts {
            mode: settings.mode,
            issuing,
            api_keys: settings.api_keys.clone(),
            accounts: store.clone(),
            sessions: store,
            session_settings: settings.sessions,
            signup: settings.signup,
            allow_client_uuid: settings.allow_client_uuid,
            allowed_origins: settings.allowed_origins.clone(),
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

        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        Ok(Self {
            listener,
            router: crate::gate::with_gate(router_with(state, gate.is_some()), gate.as_ref()),
            notes,
            gate,
            connections: settings.connections,
        })
    }

    /// The bound address (its port is the real one when 0 was asked for).
    ///
    /// # Errors
    /// When the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
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
        self.run_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `signal` completes.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_with_shutdown(
        self,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve_until(
            self.listener,
            self.router,
            self.connections,
            self.gate,
            signal,
        )
        .await
    }
}

/// Serves `router` on `listener` until `signal` completes, then ends the gate's live feeds (when
/// there is a gate) and finishes the requests in flight.
pub(crate) async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    gate: Option<crate::gate::GateService>,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::serve::serve(listener, router, limits, async move {
        signal.await;
        if let Some(gate) = gate {
            gate.close();
        }
    })
    .await
}

/// The routes and their layers, without binding anything.
///
/// Layers, outermost first: the metrics, which time every reply and count refusals by code; a
/// caught panic becomes a JSON 500; then the unexpected-error log,
/// which sees every response including those; then CORS for the configured `allowed_origins`
/// (none without them); then the security headers (and `Cache-Control: no-store` for every reply
/// that does not set its own: tokens, sessions and errors must not be cached; HSTS in
/// production); then the timeout, a JSON 408; the body limit applies to each extractor.
pub fn router(state: AppState) -> Router {
    router_with(state, false)
}

/// [`router`], with `/openapi.json` also describing the event gate's routes when `serve` mounts
/// the gate beside them.
fn router_with(state: AppState, gate_mounted: bool) -> Router {
    let metrics = Arc::clone(&state.inner.metrics);
    let request_timeout = state.inner.request_timeout;
    let hsts = (state.inner.mode == Mode::Production).then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        )
    });
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
    if gate_mounted {
        spec.merge(crate::routes::gate::gate_openapi());
    }
    let spec = Arc::new(spec.to_json().unwrap_or_default());
    api.route(
        "/openapi.json",
        get(move || {
            let spec = Arc::clone(&spec);
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    spec.as_str().to_owned(),
                )
            }
        }),
    )
    .fallback(routes::web::fallback)
    .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
    .with_state(state)
    // One `Router::layer` call with the whole stack, outermost first: each `Router::layer` call
    // boxes every route once more, and every request clones its route's boxes; eight calls cost
    // about sixty allocations a request more than one (110 against 50 in all).
    .layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn_with_state(
                metrics,
                crate::metrics::track,
            ))
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::Unexpected(anyhow::anyhow!("a handler panicked")).into_response()
            }))
            .layer(middleware::from_fn(log_responses))
            .option_layer(cors)
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("DENY"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .option_layer(hsts)
            .layer(middleware::from_fn_with_state(
                request_timeout,
                crate::middleware::request_timeout,
            ))
            .layer(DefaultBodyLimit::max(BODY_LIMIT)),
    )
}

/// Logs refusals at info, our own failures at error with their cause chain, successes at debug.
/// Only method, route template and status: never the path as sent (a client can write an email
/// address into it), headers, query strings or bodies, which carry secrets.
pub(crate) async fn log_responses(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(UnexpectedCause(cause)) = response.extensions().get::<UnexpectedCause>() {
        tracing::error!(%method, %path, status, ms, error = format!("{cause:#}"), "request failed");
    } else if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request failed");
    } else if status >= 400 {
        tracing::info!(%method, %path, status, ms, "request refused");
    } else {
        tracing::debug!(%method, %path, status, ms, "request served");
    }
    response
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

/// Creates the demo account if it does not exist yet.
async fn ensure_demo_account(store: &SqliteStore, now: UnixTime) -> anyhow::Result<()> {
    let email = Email::parse(DEMO_EMAIL)?;
    match AccountStore::create(store, &email, &SecretString::from(DEMO_PASSWORD), now).await {
        Ok(_) | Err(StoreError::AccountExists) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Every minute: forget expired sessions and idle rate-limit keys.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            state.inner.limits.prune();
            let now = state.inner.issuing.clock().now();
            if let Err(e) = state.inner.sessions.purge_expired(now).await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub(crate) fn ensure_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create data dir {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot restrict data dir {}", dir.display()))?;
        }
    }
    Ok(())
}

/// Reads a one-line secret from `path`, or makes one (256 random bits, hex) and stores it 0600.
///
/// A new secret is written to a side file, flushed to disk, then linked into place and the
/// directory flushed, so that a crash or a failing disk leaves either no file (a new secret is
/// made next time) or the whole secret, never an empty or partial one that a restart would take.
pub(crate) fn read_or_create_secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let text = text.trim().to_owned();
        anyhow::ensure!(
            !text.is_empty(),
            "{} is empty; delete it to have a new one made",
            path.display()
        );
        return Ok(text);
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let side = path.with_extension("new");
    let cannot = |what: &str| format!("cannot {what} {}", path.display());
    // A side file left by a crash is never a secret anyone used.
    let _ = std::fs::remove_file(&side);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&side).with_context(|| cannot("create"))?;
    std::io::Write::write_all(&mut file, secret.as_bytes()).with_context(|| cannot("write"))?;
    file.sync_all().with_context(|| cannot("flush"))?;
    drop(file);
    // A link, not a rename: like `create_new`, it never replaces a secret made meanwhile.
    let linked = std::fs::hard_link(&side, path);
    let _ = std::fs::remove_file(&side);
    linked.with_context(|| cannot("create"))?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| cannot("flush the directory of"))?;
    }
    Ok(secret)
}

/// A private key readable by other users is refused in production (as OpenSSH refuses such an
/// identity file) and warned about in dev mode.
fn check_key_permissions(path: &Path, mode: Mode) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            let bits = format!("{:o}", meta.permissions().mode() & 0o777);
            anyhow::ensure!(
                mode != Mode::Production,
                "the private key {} is readable by other users (mode {bits}); run `chmod 600 {}`",
                path.display(),
                path.display()
            );
            tracing::warn!(
                key = %path.display(),
                mode = bits,
                "the private key file is readable by other users; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
