//! A token for an authenticated caller: whose email and uuid it carries, then the token service.

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use synerise_auth_issuing::Issued;
use synerise_auth_token::{CustomerUuid, Email};

use crate::{
    app::App,
    authenticate::Caller,
    error::{AppError, Result},
};

/// What a caller asks a token for: the customer's email and uuid, either of which may be left
/// out (an API key must name the email; a customer's own is the default).
#[derive(Debug, Default)]
pub struct TokenRequest {
    /// The customer's email.
    pub email: Option<Email>,
    /// The customer's uuid, as sent.
    pub uuid: Option<ClientUuid>,
}

/// A uuid a caller sent, kept even when invalid: whether that is refused depends on who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientUuid {
    /// A customer uuid.
    Valid(CustomerUuid),
    /// Why it is not a customer uuid.
    Invalid(String),
}

impl<'de> Deserialize<'de> for ClientUuid {
    /// Any JSON value: a string that is a customer uuid is [`Valid`](Self::Valid), anything
    /// else [`Invalid`](Self::Invalid) with the reason.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::String(text) => match CustomerUuid::parse(&text) {
                Ok(uuid) => Self::Valid(uuid),
                Err(e) => Self::Invalid(e.to_string()),
            },
            _ => Self::Invalid("`uuid` must be a string".to_owned()),
        })
    }
}

impl App {
    /// A token for `caller`'s customer: the cached one if it is still young, otherwise a new
    /// signature.
    ///
    /// With an API key, `request.email` is required, and `uuid` is used when sent (derived from
    /// the email otherwise). A signed-in customer's token carries their own email (a `request`
    /// email that differs is refused, never used) and the derived uuid, unless
    /// `allow_client_uuid` is set and a valid one is sent (an invalid one is then ignored).
    ///
    /// # Errors
    /// Bad request: `missing_email`, `invalid_uuid` (API key only). Forbidden: `email_mismatch`.
    /// Unexpected: the signature failed.
    pub async fn issue_token(&self, caller: &Caller, request: TokenRequest) -> Result<Issued> {
        let (email, uuid) = match caller.customer() {
            None => {
                let email = request.email.ok_or_else(|| {
                    AppError::bad_request("missing_email", "the body needs an `email`")
                })?;
                let uuid = match request.uuid {
                    None => None,
                    Some(ClientUuid::Valid(uuid)) => Some(uuid),
                    Some(ClientUuid::Invalid(reason)) => {
                        return Err(AppError::bad_request("invalid_uuid", reason));
                    }
                };
                (email, uuid)
            }
            Some(customer) => {
                if let Some(claimed) = &request.email
                    && !claimed.as_str().eq_ignore_ascii_case(customer.as_str())
                {
                    return Err(AppError::forbidden(
                        "email_mismatch",
                        "the email differs from the signed-in customer's; a token is only issued for your own account",
                    ));
                }
                let client_uuid = match request.uuid {
                    Some(ClientUuid::Valid(uuid)) if self.inner.settings.allow_client_uuid => {
                        Some(uuid)
                    }
                    _ => None,
                };
                (customer.clone(), client_uuid)
            }
        };

        // The email's log tag is an HMAC and a few small strings: made only if the line is
        // written.
        let tag = tracing::enabled!(tracing::Level::DEBUG).then(|| self.inner.log_tags.tag(&email));
        let issued = self
            .inner
            .tokens
            .issue(caller.method(), email, uuid)
            .await?;
        if let Some(tag) = tag {
            tracing::debug!(
                customer = %tag,
                method = caller.method(),
                cache_hit = issued.cache_hit(),
                "token issued"
            );
        }
        Ok(issued)
    }
}
