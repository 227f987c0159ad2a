//! The customer's use cases behind the built-in accounts: sign up, sign in, who is signed in,
//! sign out. No HTTP here: the routes read the request into these arguments, call one method,
//! and turn its result into a reply (status, cookies, body).

use std::net::IpAddr;

use secrecy::SecretString;
use synerise_auth_store::{AccountId, Session, SessionToken, StoreError};
use synerise_auth_token::Email;

use crate::{ApiError, AppState};

/// A customer just signed in (or signed up): the new session and its token, to hand over once.
#[derive(Debug)]
pub(crate) struct SignedIn {
    /// The session's secret, for the cookie.
    pub(crate) token: SessionToken,
    /// The session.
    pub(crate) session: Session,
    /// The account's email, as stored.
    pub(crate) email: Email,
}

/// The use cases, over the application's shared parts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Customers<'a> {
    state: &'a AppState,
}

impl<'a> Customers<'a> {
    /// The use cases of `state`.
    pub(crate) fn of(state: &'a AppState) -> Self {
        Self { state }
    }

    /// Signs in with a password: the per-IP limit, the per-account lock-out, the check (the same
    /// answer, in the same time, for an unknown email and a wrong password), and a new session.
    /// The session the browser held before, if any, is ended: a sign-in always starts afresh.
    pub(crate) async fn sign_in(
        self,
        client: IpAddr,
        email: &Email,
        password: &SecretString,
        previous: Option<&SessionToken>,
    ) -> Result<SignedIn, ApiError> {
        let shared = &self.state.inner;
        let limits = &shared.limits;
        limits.sign_in_per_ip.check(&client)?;
        limits.failed_sign_ins.check(email).await?;

        let account = shared.accounts.verify_password(email, password).await?;
        let Some(account) = account else {
            tracing::info!(customer = %shared.log_tags.tag(email), "sign-in refused");
            limits.failed_sign_ins.failed(email).await?;
            return Err(ApiError::unauthorized(
                "invalid_credentials",
                "wrong email or password",
            ));
        };
        limits.failed_sign_ins.succeeded(email).await?;
        if let Some(previous) = previous {
            shared.sessions.delete(previous).await?;
        }
        self.start_session(account.id, account.email).await
    }

    /// Creates an account (when self sign-up is on) and signs it in.
    pub(crate) async fn sign_up(
        self,
        client: IpAddr,
        email: Email,
        password: &SecretString,
    ) -> Result<SignedIn, ApiError> {
        let shared = &self.state.inner;
        if !shared.signup {
            return Err(ApiError::forbidden(
                "signup_disabled",
                "self sign-up is turned off on this service",
            ));
        }
        shared.limits.sign_in_per_ip.check(&client)?;
        let now = shared.tokens.clock().now();
        let id = shared
            .accounts
            .create(&email, password, now)
            .await
            .map_err(|e| match e {
                StoreError::AccountExists => ApiError::Conflict {
                    code: "account_exists",
                    message: "an account with this email exists; sign in instead".into(),
                },
                StoreError::PasswordTooShort { .. } | StoreError::PasswordTooLong { .. } => {
                    ApiError::bad_request(e.code(), e.to_string())
                }
                other => other.into(),
            })?;
        // Only now: `create` answers once the row is committed.
        tracing::info!(customer = %shared.log_tags.tag(&email), "account created");
        self.start_session(id, email).await
    }

    /// The live session whose token is `cookie` (the session cookie's value), if any. A
    /// malformed value is no session, not an error: it may be from an older version.
    pub(crate) async fn current(
        self,
        cookie: Option<&str>,
    ) -> Result<Option<(SessionToken, Session)>, ApiError> {
        let Some(token) = cookie.and_then(|value| SessionToken::parse(value).ok()) else {
            return Ok(None);
        };
        let shared = &self.state.inner;
        let now = shared.tokens.clock().now();
        let session = shared.sessions.lookup(&token, now).await?;
        Ok(session.map(|s| (token, s)))
    }

    /// Ends the session `token` names on the server, if there is one.
    pub(crate) async fn sign_out(self, token: Option<&SessionToken>) -> Result<(), ApiError> {
        if let Some(token) = token {
            self.state.inner.sessions.delete(token).await?;
            tracing::info!(session = %token.hash().log_tag(), "signed out");
        }
        Ok(())
    }

    async fn start_session(self, account: AccountId, email: Email) -> Result<SignedIn, ApiError> {
        let shared = &self.state.inner;
        let now = shared.tokens.clock().now();
        let settings = shared.session_settings;
        let (token, session) = shared
            .sessions
            .create(account, now, settings.idle_ttl, settings.absolute_ttl)
            .await?;
        tracing::info!(customer = %shared.log_tags.tag(&email), session = %token.hash().log_tag(), "signed in");
        Ok(SignedIn {
            token,
            session,
            email,
        })
    }
}
