//! The customer's use cases behind the built-in accounts: sign up, sign in, who is signed in,
//! sign out. The HTTP service reads the request into these arguments, calls one method, and
//! turns its result into a reply (status, cookies, body).

use std::{net::IpAddr, time::Duration};

use secrecy::SecretString;
use synerise_auth_store::{AccountId, Session, SessionToken, StoreError};
use synerise_auth_token::{CustomerUuid, Email};

use crate::{
    app::App,
    cross_site::RequestSite,
    error::{AppError, Result},
};

/// A customer just signed in (or signed up): the new session and its token, to hand over once.
#[derive(Debug)]
pub struct SignedIn {
    /// The session's secret, for the cookie.
    pub token: SessionToken,
    /// The session.
    pub session: Session,
    /// The account's email, as stored.
    pub email: Email,
    /// The customer's uuid, as the service derives it (for the tracker's identity cookie).
    pub uuid: CustomerUuid,
    /// How long the session may last at most (the cookie's lifetime).
    pub lifetime: Duration,
}

impl App {
    /// Signs in with a password: the cross-site check, the per-IP limit, the per-account
    /// lock-out, the check (the same answer, in the same time, for an unknown email and a wrong
    /// password), and a new session. The session the browser held before (`previous`, the
    /// session cookie's value), if any, is ended: a sign-in always starts afresh.
    ///
    /// # Errors
    /// `cross_site_request`, `rate_limited`, `invalid_credentials`; the store's `busy` and
    /// `storage_unavailable`.
    pub async fn sign_in(
        &self,
        client: IpAddr,
        site: RequestSite<'_>,
        email: &Email,
        password: &SecretString,
        previous: Option<&str>,
    ) -> Result<SignedIn> {
        let shared = &self.inner;
        site.check(&shared.settings.allowed_origins)?;
        let previous = self.session(previous).await?;
        let limits = &shared.limits;
        limits.sign_in_per_ip.check(&client)?;
        limits.failed_sign_ins.check(email).await?;

        let account = shared.accounts.verify_password(email, password).await?;
        let Some(account) = account else {
            tracing::info!(customer = %shared.log_tags.tag(email), "sign-in refused");
            limits.failed_sign_ins.failed(email).await?;
            return Err(AppError::unauthorized(
                "invalid_credentials",
                "wrong email or password",
            ));
        };
        limits.failed_sign_ins.succeeded(email).await?;
        if let Some((previous, _)) = previous {
            shared.sessions.delete(&previous).await?;
        }
        self.start_session(account.id, account.email).await
    }

    /// Creates an account (when self sign-up is on) and signs it in.
    ///
    /// # Errors
    /// `cross_site_request`, `signup_disabled`, `rate_limited`, `account_exists`,
    /// `password_too_short`, `password_too_long`; the store's `busy` and `storage_unavailable`.
    pub async fn sign_up(
        &self,
        client: IpAddr,
        site: RequestSite<'_>,
        email: Email,
        password: &SecretString,
    ) -> Result<SignedIn> {
        let shared = &self.inner;
        site.check(&shared.settings.allowed_origins)?;
        if !shared.settings.signup {
            return Err(AppError::forbidden(
                "signup_disabled",
                "self sign-up is turned off on this service",
            ));
        }
        shared.limits.sign_in_per_ip.check(&client)?;
        let now = shared.clock.now();
        let id = shared
            .accounts
            .create(&email, password, now)
            .await
            .map_err(|e| match e {
                StoreError::AccountExists => AppError::Conflict {
                    code: "account_exists",
                    message: "an account with this email exists; sign in instead".into(),
                },
                StoreError::PasswordTooShort { .. } | StoreError::PasswordTooLong { .. } => {
                    AppError::bad_request(e.code(), e.to_string())
                }
                other => other.into(),
            })?;
        // Only now: `create` answers once the row is committed.
        tracing::info!(customer = %shared.log_tags.tag(&email), "account created");
        self.start_session(id, email).await
    }

    /// The live session whose token is `cookie` (the session cookie's value).
    ///
    /// # Errors
    /// `not_signed_in` when there is none; the store's `storage_unavailable`.
    pub async fn current_session(&self, cookie: Option<&str>) -> Result<Session> {
        match self.session(cookie).await? {
            Some((_, session)) => Ok(session),
            None => Err(AppError::unauthorized(
                "not_signed_in",
                "nobody is signed in",
            )),
        }
    }

    /// Ends the session whose token is `cookie` on the server, if there is one.
    ///
    /// # Errors
    /// `cross_site_request`; the store's `storage_unavailable`.
    pub async fn sign_out(&self, site: RequestSite<'_>, cookie: Option<&str>) -> Result<()> {
        site.check(&self.inner.settings.allowed_origins)?;
        if let Some((token, _)) = self.session(cookie).await? {
            self.inner.sessions.delete(&token).await?;
            tracing::info!(session = %token.hash().log_tag(), "signed out");
        }
        Ok(())
    }

    /// The live session whose token is `cookie`, if any. A malformed value is no session, not an
    /// error: it may be from an older version.
    pub(crate) async fn session(
        &self,
        cookie: Option<&str>,
    ) -> Result<Option<(SessionToken, Session)>> {
        let Some(token) = cookie.and_then(|value| SessionToken::parse(value).ok()) else {
            return Ok(None);
        };
        let now = self.inner.clock.now();
        let session = self.inner.sessions.lookup(&token, now).await?;
        Ok(session.map(|s| (token, s)))
    }

    async fn start_session(&self, account: AccountId, email: Email) -> Result<SignedIn> {
        let shared = &self.inner;
        let now = shared.clock.now();
        let lifetimes = shared.settings.sessions;
        let (token, session) = shared
            .sessions
            .create(account, now, lifetimes.idle_ttl, lifetimes.absolute_ttl)
            .await?;
        tracing::info!(customer = %shared.log_tags.tag(&email), session = %token.hash().log_tag(), "signed in");
        Ok(SignedIn {
            token,
            session,
            uuid: shared.tokens.derive_uuid(&email),
            email,
            lifetime: lifetimes.absolute_ttl,
        })
    }
}
