//! Who is asking for a token. One issuer serves three doors:
//! - the site's own back end, with an API key (a bearer credential);
//! - a customer signed in with a built-in account (the session cookie);
//! - a customer signed in with the site's identity provider (a bearer ID token).
//!
//! The HTTP service reads the request's headers into a [`Credential`]; [`App::authenticate`]
//! decides who that is, applying each door's rate limit.

use synerise_auth_token::Email;

use crate::{
    app::App,
    cross_site::RequestSite,
    error::{AppError, Result},
};

/// What a request presents to prove who is asking.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// `Authorization: Bearer <credential>`: an API key or an ID token.
    Bearer(&'a str),
    /// An `Authorization` header that is not `Bearer <credential>`.
    MalformedAuthorization,
    /// No `Authorization` header, and the session cookie's value.
    SessionCookie {
        /// The cookie's value (a session token, or something that is not one).
        token: &'a str,
        /// Where the request says it comes from, for the cross-site check.
        site: RequestSite<'a>,
    },
    /// Neither.
    None,
}

/// An authenticated caller of the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The site's own back end; it names the customer.
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
    /// A label for logs and metrics: `api_key`, `session`, `id_token`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Session { .. } => "session",
            Self::IdToken { .. } => "id_token",
        }
    }

    /// The customer this caller has proved to be, if the caller is a customer.
    #[must_use]
    pub fn customer(&self) -> Option<&Email> {
        match self {
            Self::ApiKey => None,
            Self::Session { email } | Self::IdToken { email } => Some(email),
        }
    }
}

impl App {
    /// Who `credential` proves the caller to be, within that door's rate limit.
    ///
    /// A bearer credential is an API key if it is one (constant time), else an ID token when an
    /// identity provider is configured and it has a JWT's shape. A session cookie must name a
    /// live session, and the request must come from this site or an allowed origin.
    ///
    /// # Errors
    /// Unauthorized: `missing_credentials`, `invalid_authorization`, `invalid_credentials`,
    /// `not_signed_in`, or the ID-token verifier's code. Forbidden: `cross_site_request`. Too
    /// many requests: over the door's limit. Unavailable: the identity provider cannot be
    /// reached (`identity_provider_unavailable`), or the store cannot read the session.
    pub async fn authenticate(&self, credential: Credential<'_>) -> Result<Caller> {
        let shared = &self.inner;
        let limits = &shared.limits;
        match credential {
            Credential::Bearer(presented) => {
                if let Some(digest) = shared.api_keys.accepted_digest(presented) {
                    limits.tokens_per_api_key.check(&digest)?;
                    return Ok(Caller::ApiKey);
                }
                // Not an API key: an ID token, if an identity provider is configured.
                let looks_like_jwt = presented.bytes().filter(|b| *b == b'.').count() == 2;
                let Some(oidc) = shared.oidc.as_ref().filter(|_| looks_like_jwt) else {
                    return Err(AppError::unauthorized(
                        "invalid_credentials",
                        "the bearer credential is not valid",
                    ));
                };
                let identity = oidc.verify(presented, shared.clock.now()).await?;
                limits
                    .tokens_per_identity
                    .check(&format!("{}\u{0}{}", identity.issuer, identity.subject))?;
                Ok(Caller::IdToken {
                    email: identity.email,
                })
            }
            Credential::MalformedAuthorization => Err(AppError::unauthorized(
                "invalid_authorization",
                "the Authorization header must be `Bearer <credential>`",
            )),
            Credential::SessionCookie { token, site } => match self.session(Some(token)).await? {
                Some((token, session)) => {
                    site.check(&shared.settings.allowed_origins)?;
                    limits.tokens_per_session.check(token.hash().as_bytes())?;
                    Ok(Caller::Session {
                        email: session.email,
                    })
                }
                None => Err(AppError::unauthorized(
                    "not_signed_in",
                    "the session has ended; sign in again",
                )),
            },
            Credential::None => Err(AppError::unauthorized(
                "missing_credentials",
                "sign in first, or send `Authorization: Bearer <API key or ID token>`",
            )),
        }
    }
}
