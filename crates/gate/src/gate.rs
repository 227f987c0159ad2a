//! The decision: one event, the bearer token sent with it, the time, and the rules.

use synerise_auth_token::{Email, LogTagKey, UnixTime, VerifyError};

use crate::{
    ActionList, CertificateRegistry, Decision, Event, EventSettings, Reason, Rule, TokenRefusal,
    UnlistedPolicy,
};

const MODIFY_WITHOUT_TOKEN_WARNING: &str = "accepted without a token from the \
     `modify_without_token` list, which Synerise keeps only for backward compatibility; require a \
     token for events that change customer data";

/// Synerise's checking side, offline: the event settings and the registered certificate, and a
/// pure [`decide`](Gate::decide) that says whether Synerise would accept an event.
///
/// Rules, in order:
/// 1. When a token is sent, it is verified against the registered certificate with the token
///    crate's [`Verifier`](synerise_auth_token::Verifier), whatever the action. An invalid token is
///    refused (401, the verifier's code, or `certificate_replaced`) and a valid token for another
///    customer than `client.uuid` is refused (403 `uuid_mismatch`), even for an action that needs
///    no token: a tracker that sends a broken or foreign token is a bug a developer wants to see,
///    not one to hide because this particular event would have passed without it.
/// 2. Without a token, an action on `require_token` (or an unlisted action under the
///    `require_token` policy) is refused (401 `token_required`); any other is accepted, with a
///    [`warning`](Decision::warning) for one on `modify_without_token`.
///
/// ```
/// use synerise_auth_gate::{CertificateRegistry, Event, EventSettings, Gate, Reason};
/// use synerise_auth_token::{CustomerUuid, Email, Issuer, LogTagKey, SigningKey, TokenTtl, UnixTime};
///
/// let issuer = Issuer::new(SigningKey::generate(2048).unwrap(), None);
/// let gate = Gate::new(
///     EventSettings::default(),
///     CertificateRegistry::new(issuer.public_key()),
///     LogTagKey::from_secret(b"this install's secret"),
/// );
/// let now = UnixTime::from_secs(1_700_000_000);
/// let uuid = CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap();
/// let body = format!(r#"{{"action": "form.submit", "client": {{"uuid": "{uuid}"}}}}"#);
/// let event = Event::from_json(body.as_bytes()).unwrap();
///
/// let refused = gate.decide(&event, None, now);
/// assert_eq!((refused.status(), refused.reason()), (401, Some(Reason::TokenRequired)));
///
/// let email = Email::parse("customer@synerise.com").unwrap();
/// let token = issuer.issue(&email, &uuid, TokenTtl::default(), now).unwrap();
/// let accepted = gate.decide(&event, Some(token.token()), now);
/// assert_eq!(serde_json::to_string(&accepted).unwrap(), r#"{"accepted":true}"#);
/// assert_eq!(accepted.status(), 202);
/// ```
#[derive(Debug, Clone)]
pub struct Gate {
    settings: EventSettings,
    certificates: CertificateRegistry,
    log_tags: LogTagKey,
}

impl Gate {
    /// A gate with these settings and this certificate.
    ///
    /// `log_tags` keys the tag under which a valid token's customer is kept in the log
    /// ([`Decision::token_email_tag`]).
    #[must_use]
    pub fn new(
        settings: EventSettings,
        certificates: CertificateRegistry,
        log_tags: LogTagKey,
    ) -> Self {
        Self {
            settings,
            certificates,
            log_tags,
        }
    }

    /// The event settings.
    #[must_use]
    pub fn settings(&self) -> &EventSettings {
        &self.settings
    }

    /// The registered certificate.
    #[must_use]
    pub fn certificates(&self) -> &CertificateRegistry {
        &self.certificates
    }

    /// The registered certificate, to replace it.
    pub fn certificates_mut(&mut self) -> &mut CertificateRegistry {
        &mut self.certificates
    }

    /// Decides on `event`, sent with `bearer_token` (the JWT alone, without `Bearer `) if the SDK
    /// held one, at `now`. Pure: the same inputs always give the same decision.
    #[must_use]
    pub fn decide(&self, event: &Event, bearer_token: Option<&str>, now: UnixTime) -> Decision {
        let action = event.action();
        let rule = self.settings.rule_for(action);
        let mut decision = Decision {
            reason: None,
            detail: String::new(),
            action: Some(action.clone()),
            uuid: Some(event.uuid()),
            rule: Some(rule),
            token_sent: bearer_token.is_some(),
            token_uuid: None,
            token_email_tag: None,
            warning: None,
        };

        let Some(token) = bearer_token else {
            if rule.requires_token() {
                decision.reason = Some(Reason::TokenRequired);
                decision.detail = format!(
                    "`{action}` requires a token ({}), and none was sent: sign the customer in and \
                     hand the token to the SDK (`SR.client.setAccessToken`) before sending it.",
                    why_token(rule)
                );
            } else {
                decision.detail = accepted_without_token(rule, action.as_str());
                if rule == Rule::Listed(ActionList::ModifyWithoutToken) {
                    decision.warning = Some(MODIFY_WITHOUT_TOKEN_WARNING);
                }
            }
            return decision;
        };

        let verified = match self.certificates.verify(token, now) {
            Ok(verified) => verified,
            Err(refusal) => {
                let problem = token_problem(&refusal);
                decision.reason = Some(Reason::for_refusal(&refusal));
                decision.detail = if rule.requires_token() {
                    format!("`{action}` requires a valid token, and {problem}.")
                } else {
                    format!(
                        "`{action}` needs no token, but one was sent with it, and {problem}; \
                         send no token, or a valid one."
                    )
                };
                return decision;
            }
        };

        let claims = verified.claims;
        decision.token_uuid = Some(claims.uuid);
        decision.token_email_tag = Email::parse(&claims.email)
            .ok()
            .map(|e| self.log_tags.tag(&e));
        if claims.uuid == event.uuid() {
            decision.detail = format!(
                "`{action}` carries a valid token for customer {}.",
                claims.uuid
            );
        } else {
            decision.reason = Some(Reason::UuidMismatch);
            decision.detail = format!(
                "The token is valid but belongs to customer {}, while the event is for customer \
                 {}: set the SDK's client uuid to the token's uuid before sending events with it.",
                claims.uuid,
                event.uuid()
            );
        }
        decision
    }

    /// Parses `body` as an [`Event`] and decides on it; a body that is not a valid event is
    /// refused with 400 `malformed_event` (the token is then not looked at).
    #[must_use]
    pub fn decide_json(&self, body: &[u8], bearer_token: Option<&str>, now: UnixTime) -> Decision {
        match Event::from_json(body) {
            Ok(event) => self.decide(&event, bearer_token, now),
            Err(error) => {
                let mut decision = Decision::malformed_event(&error);
                decision.token_sent = bearer_token.is_some();
                decision
            }
        }
    }
}

fn why_token(rule: Rule) -> &'static str {
    match rule {
        Rule::Unlisted(_) => "it is on no list, and unlisted actions require one",
        Rule::Listed(_) => "it is on the `require_token` list",
    }
}

fn accepted_without_token(rule: Rule, action: &str) -> String {
    match rule {
        Rule::Listed(ActionList::ModifyWithoutToken) => format!(
            "`{action}` is accepted without a token because it is on `modify_without_token`; \
             Synerise keeps that list only for backward compatibility and advises requiring a \
             token instead."
        ),
        Rule::Unlisted(UnlistedPolicy::AcceptAnonymous) => format!(
            "`{action}` is on no list, and unlisted actions are accepted from anonymous customers."
        ),
        _ => format!("`{action}` is accepted from anonymous customers."),
    }
}

/// What is wrong with a refused token, as the end of a sentence. Nothing from the token is quoted
/// except its `alg` (shortened) and its times.
fn token_problem(refusal: &TokenRefusal) -> String {
    match refusal {
        TokenRefusal::CertificateReplaced { replaced_kid } => format!(
            "the token is signed with a certificate that has since been replaced (kid \
             {replaced_kid}): sign tokens with the private key of the certificate now registered"
        ),
        TokenRefusal::Invalid(error) => match error {
            VerifyError::Malformed(why) => {
                format!("the token is not a compact JSON Web Token ({why})")
            }
            VerifyError::WrongAlgorithm { found } => format!(
                "the token is signed with algorithm {}, but only RS256 is accepted",
                shorten(found)
            ),
            VerifyError::BadSignature => "the token's signature does not match the registered \
                 certificate: it was signed with another key, or changed after signing"
                .to_owned(),
            VerifyError::Expired { exp, now } => format!(
                "the token expired {} seconds ago (exp {exp}): issue a new one, and renew tokens \
                 before they expire",
                now.saturating_sub(*exp)
            ),
            VerifyError::NotYetValid { nbf, now } => format!(
                "the token is not valid for another {} seconds (from {nbf}): check the clock of \
                 the server that issued it",
                nbf.saturating_sub(*now)
            ),
            VerifyError::MissingClaim(claim) => format!(
                "the token has no `{claim}` claim, while Synerise tokens carry `exp`, `uuid` and \
                 `email`"
            ),
            VerifyError::InvalidClaim { claim, reason } => {
                format!("the token's `{claim}` claim {reason}")
            }
            other => format!("the token was refused ({other})"),
        },
    }
}

/// At most 32 characters of the token's `alg`, quoted, for the detail sentence.
fn shorten(text: &str) -> String {
    let short: String = text.chars().take(32).collect();
    format!("{short:?}")
}
