//! The gate's verdict on one event, and the stable reasons for a refusal.

use std::fmt;

use serde::{Serialize, Serializer, ser::SerializeMap};
use synerise_auth_token::CustomerUuid;

use crate::{Action, MalformedEvent, Rule, TokenRefusal};

/// The HTTP status of an accepted event.
pub const ACCEPTED_STATUS: u16 = 202;

/// Why an event was refused. Each reason has a stable snake_case [`code`](Reason::code), sent as
/// `reason` on the wire, and an HTTP [`status`](Reason::status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The action requires a token and none was sent. 401.
    TokenRequired,
    /// The token is not a compact JWT with a JSON header and payload. 401.
    MalformedToken,
    /// The token's algorithm is not RS256 (`none`, HS256...). 401.
    WrongAlgorithm,
    /// The signature does not match the registered certificate. 401.
    BadSignature,
    /// The token's `exp` has passed. 401.
    Expired,
    /// The token's `nbf` (or `iat`) is in the future. 401.
    NotYetValid,
    /// The token lacks `exp`, `uuid` or `email`. 401.
    MissingClaim,
    /// A claim has the wrong type or value (a `uuid` that is not a UUID...). 401.
    InvalidClaim,
    /// The token is signed with a certificate that has since been replaced. 401.
    CertificateReplaced,
    /// The verifier refused the token for a reason this version of the gate does not name; the
    /// detail says what it was. 401.
    InvalidToken,
    /// The token is valid but belongs to another customer than the event's `client.uuid`. 403.
    UuidMismatch,
    /// The event body is not a valid event. 400.
    MalformedEvent,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Self; 12] = [
        Self::TokenRequired,
        Self::MalformedToken,
        Self::WrongAlgorithm,
        Self::BadSignature,
        Self::Expired,
        Self::NotYetValid,
        Self::MissingClaim,
        Self::InvalidClaim,
        Self::CertificateReplaced,
        Self::InvalidToken,
        Self::UuidMismatch,
        Self::MalformedEvent,
    ];

    /// The stable snake_case code. Token problems use the verifier's codes
    /// ([`synerise_auth_token::VerifyError::code`]).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::TokenRequired => "token_required",
            Self::MalformedToken => "malformed_token",
            Self::WrongAlgorithm => "wrong_algorithm",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::MissingClaim => "missing_claim",
            Self::InvalidClaim => "invalid_claim",
            Self::CertificateReplaced => "certificate_replaced",
            Self::InvalidToken => "invalid_token",
            Self::UuidMismatch => "uuid_mismatch",
            Self::MalformedEvent => "malformed_event",
        }
    }

    /// The HTTP status: 400 for a malformed event, 403 for a token of another customer, 401 for a
    /// missing or invalid token.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::MalformedEvent => 400,
            Self::UuidMismatch => 403,
            Self::TokenRequired
            | Self::MalformedToken
            | Self::WrongAlgorithm
            | Self::BadSignature
            | Self::Expired
            | Self::NotYetValid
            | Self::MissingClaim
            | Self::InvalidClaim
            | Self::CertificateReplaced
            | Self::InvalidToken => 401,
        }
    }

    /// The reason with this code, for reading decisions back from a log.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The reason for a token refusal, matched by the stable code the verifier gives.
    #[must_use]
    pub fn for_refusal(refusal: &TokenRefusal) -> Self {
        match Self::from_code(refusal.code()) {
            Some(reason) if reason.status() == 401 && reason != Self::TokenRequired => reason,
            _ => Self::InvalidToken,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// The gate's verdict on one event: accepted (202) or refused with a [`Reason`].
///
/// It serializes to the wire form the events endpoint answers with: `{"accepted": true}`, or
/// `{"accepted": false, "reason": "<code>", "detail": "<sentence>"}`. The other fields are for the
/// log of decisions and the gate page. Nothing in it is secret: the token itself is never kept,
/// and its email only as a short hash ([`token_email_tag`](Self::token_email_tag)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub(crate) reason: Option<Reason>,
    pub(crate) detail: String,
    pub(crate) action: Option<Action>,
    pub(crate) uuid: Option<CustomerUuid>,
    pub(crate) rule: Option<Rule>,
    pub(crate) token_sent: bool,
    pub(crate) token_uuid: Option<CustomerUuid>,
    pub(crate) token_email_tag: Option<String>,
    pub(crate) warning: Option<&'static str>,
}

impl Decision {
    /// The refusal of a body that is not a valid event: 400 `malformed_event`.
    #[must_use]
    pub fn malformed_event(error: &MalformedEvent) -> Self {
        Self {
            reason: Some(Reason::MalformedEvent),
            detail: format!("The event is malformed: {}.", error.reason()),
            action: error.action().cloned(),
            uuid: error.uuid(),
            rule: None,
            token_sent: false,
            token_uuid: None,
            token_email_tag: None,
            warning: None,
        }
    }

    /// Whether the event was accepted.
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.reason.is_none()
    }

    /// The HTTP status to answer with: 202 when accepted, else the reason's.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.reason.map_or(ACCEPTED_STATUS, Reason::status)
    }

    /// Why the event was refused; `None` when it was accepted.
    #[must_use]
    pub fn reason(&self) -> Option<Reason> {
        self.reason
    }

    /// A plain sentence saying what was decided and why, with what to do about a refusal. It
    /// never holds the token, an email address or any other secret.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The event's action; `None` only for a malformed event without a valid one.
    #[must_use]
    pub fn action(&self) -> Option<&Action> {
        self.action.as_ref()
    }

    /// The event's `client.uuid`; `None` only for a malformed event without a valid one.
    #[must_use]
    pub fn uuid(&self) -> Option<CustomerUuid> {
        self.uuid
    }

    /// The rule the action fell under; `None` for a malformed event.
    #[must_use]
    pub fn rule(&self) -> Option<Rule> {
        self.rule
    }

    /// Whether a bearer token came with the event.
    #[must_use]
    pub fn token_sent(&self) -> bool {
        self.token_sent
    }

    /// The `uuid` of a token that verified (also when it did not match the event's).
    #[must_use]
    pub fn token_uuid(&self) -> Option<CustomerUuid> {
        self.token_uuid
    }

    /// A short, non-reversible tag of a verified token's email
    /// ([`synerise_auth_token::Email::log_tag`]), to match decisions with issued tokens without
    /// showing the address. `None` without a valid token, or when its `email` is not an address.
    #[must_use]
    pub fn token_email_tag(&self) -> Option<&str> {
        self.token_email_tag.as_deref()
    }

    /// A warning to log with an accepted event that the settings let through without a token
    /// although it may change customer data (the `modify_without_token` list).
    #[must_use]
    pub fn warning(&self) -> Option<&'static str> {
        self.warning
    }
}

/// The wire form: `{"accepted": true}` or `{"accepted": false, "reason": ..., "detail": ...}`.
impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.reason {
            None => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("accepted", &true)?;
                map.end()
            }
            Some(reason) => {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("accepted", &false)?;
                map.serialize_entry("reason", &reason)?;
                map.serialize_entry("detail", &self.detail)?;
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        for reason in Reason::ALL {
            assert_eq!(Reason::from_code(reason.code()), Some(reason));
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::json!(reason.code())
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Reason::ALL.len());
        assert_eq!(Reason::from_code("nope"), None);
    }

    #[test]
    fn statuses_follow_the_issue() {
        assert_eq!(Reason::MalformedEvent.status(), 400);
        assert_eq!(Reason::UuidMismatch.status(), 403);
        for reason in Reason::ALL {
            if !matches!(reason, Reason::MalformedEvent | Reason::UuidMismatch) {
                assert_eq!(reason.status(), 401, "{reason}");
            }
        }
    }
}
