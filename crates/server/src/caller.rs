//! Who is asking for a token. One issuer serves three doors:
//! - the site's own back end, with an API key (`Authorization: Bearer <key>`);
//! - a customer signed in with a built-in account (the session cookie);
//! - a customer signed in with the site's identity provider (`Authorization: Bearer <ID token>`).

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use axum_extra::extract::CookieJar;
use synerise_auth_store::{Session, SessionToken};
use synerise_auth_token::Email;

use crate::{ApiError, AppState, cookies, cross_site};

/// An authenticated caller of `POST /generate-jwt`.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// The site's own back end; it names the customer in the body.
    ApiKey,
    /// A customer signed in with the site's identity provider; the ID token was verified.
    IdToken {
        /// The verified email: the only email a token may carry.
        email: Email,
    },
    /// A customer signed in with a built-in account.
    Session {
        /// The account's email: the only email a token may carry.
        email: Email,
    },
}

impl Caller {
    /// A label for logs and metrics.
    pub(crate) fn method(&self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Session { .. } => "session",
            Self::IdToken { .. } => "id_token",
        }
    }

    /// The customer this caller has proved to be, if the caller is a customer.
    pub(crate) fn customer(&self) -> Option<&Email> {
        match self {
            Self::ApiKey => None,
            Self::Session { email } | Self::IdToken { email } => Some(email),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let limits = &state.inner.limits;
        if let Some(presented) = bearer(&parts.headers)? {
            if let Some(digest) = state.inner.api_keys.accepted_digest(presented) {
                limits.tokens_per_api_key.check(&digest)?;
                return Ok(Self::ApiKey);
            }
            // Not an API key: an ID token, if an identity provider is configured.
            let looks_like_jwt = presented.bytes().filter(|b| *b == b'.').count() == 2;
            let Some(oidc) = state.inner.oidc.as_ref().filter(|_| looks_like_jwt) else {
                return Err(ApiError::unauthorized(
                    "invalid_credentials",
                    "the bearer credential is not valid",
                ));
            };
            let now = state.inner.tokens.clock().now();
            // Refused: 401 with the verifier's code; provider unreachable: 503 (src/oidc.rs).
            let identity = oidc.verify(presented, now).await?;
            limits
                .tokens_per_identity
                .check(&format!("{}\u{0}{}", identity.issuer, identity.subject))?;
            return Ok(Self::IdToken {
                email: identity.email,
            });
        }
        match current_session(&parts.headers, state).await? {
            Some((token, session)) => {
                cross_site::check(&parts.headers, &state.inner.allowed_origins)?;
                limits.tokens_per_session.check(token.hash().as_bytes())?;
                Ok(Self::Session {
                    email: session.email,
                })
            }
            None if has_session_cookie(&parts.headers, state) => Err(ApiError::unauthorized(
                "not_signed_in",
                "the session has ended; sign in again",
            )),
            None => Err(ApiError::unauthorized(
                "missing_credentials",
                "sign in first, or send `Authorization: Bearer <API key or ID token>`",
            )),
        }
    }
}

/// The bearer credential, if an `Authorization` header is present.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(crate::bearer::bearer_credential)
        .map(Some)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_authorization",
                "the Authorization header must be `Bearer <credential>`",
            )
        })
}

fn has_session_cookie(headers: &HeaderMap, state: &AppState) -> bool {
    CookieJar::from_headers(headers)
        .get(cookies::name(state.inner.mode))
        .is_some()
}

/// The live session named by the request's cookie, if any.
pub(crate) async fn current_session(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<(SessionToken, Session)>, ApiError> {
    let jar = CookieJar::from_headers(headers);
    let cookie = jar.get(cookies::name(state.inner.mode)).map(|c| c.value());
    crate::customers::Customers::of(state).current(cookie).await
}
