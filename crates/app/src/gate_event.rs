//! One event at the gate: decided, logged, then answered (never answered unless logged).

use synerise_auth_gate::{Decision, Event, Reason};
use synerise_auth_store::DecisionRecord;
use synerise_auth_token::UnixTime;

use crate::{error::Result, gate::GateService};

/// An event as it reached the gate: a body to decide, or a request refused before any event
/// could be read (wrong content type, too large, unreadable), which has no decision of its own.
#[derive(Debug, Clone, Copy)]
pub enum EventInput<'a> {
    /// The body, to parse as an event and decide.
    Body(&'a [u8]),
    /// Refused as `malformed_event` with this status and sentence.
    Unreadable {
        /// The HTTP status the refusal is answered with (400, 413, 415).
        status: u16,
        /// A sentence saying why.
        detail: &'a str,
    },
}

/// What the gate answers, once it is in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The gate's decision on an event (accepted, or refused with its reason).
    Decided(Decision),
    /// A request refused before any event could be read: `malformed_event`.
    Unreadable {
        /// The HTTP status.
        status: u16,
        /// A sentence saying why.
        detail: String,
    },
}

impl Verdict {
    /// The HTTP status the verdict is answered with.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Decided(decision) => decision.status(),
            Self::Unreadable { status, .. } => *status,
        }
    }

    fn record(&self, at: UnixTime, label: Option<String>, token_sent: bool) -> DecisionRecord {
        match self {
            Self::Decided(d) => DecisionRecord {
                at,
                action: d.action().map(|a| a.as_str().to_owned()),
                label,
                uuid: d.uuid().map(|u| u.to_string()),
                accepted: d.is_accepted(),
                status: d.status(),
                reason: d.reason().map(|r| r.code().to_owned()),
                detail: d.detail().to_owned(),
                rule: d.rule().map(|r| r.code().to_owned()),
                token_sent,
                token_email_tag: d.token_email_tag().map(ToOwned::to_owned),
                warning: d.warning().map(ToOwned::to_owned),
            },
            Self::Unreadable { status, detail } => DecisionRecord {
                at,
                action: None,
                label: None,
                uuid: None,
                accepted: false,
                status: *status,
                reason: Some(Reason::MalformedEvent.code().to_owned()),
                detail: detail.clone(),
                rule: None,
                token_sent,
                token_email_tag: None,
                warning: None,
            },
        }
    }
}

impl GateService {
    /// Decides `input` with the token `bearer` (the `Authorization` credential, if any), keeps
    /// the decision in the log and tells the live feed, then returns it.
    ///
    /// # Errors
    /// The store's `storage_unavailable` (or unexpected) when the log cannot be written: no
    /// verdict is given that the log does not hold.
    pub async fn decide_event(
        &self,
        input: EventInput<'_>,
        bearer: Option<&str>,
    ) -> Result<Verdict> {
        let now = self.now();
        let (verdict, label) = match input {
            EventInput::Unreadable { status, detail } => (
                Verdict::Unreadable {
                    status,
                    detail: detail.to_owned(),
                },
                None,
            ),
            EventInput::Body(body) => match Event::from_json(body) {
                Ok(event) => (
                    Verdict::Decided(self.gate().decide(&event, bearer, now)),
                    event.label().map(ToOwned::to_owned),
                ),
                Err(error) => (Verdict::Decided(Decision::malformed_event(&error)), None),
            },
        };
        let record = verdict.record(now, label, bearer.is_some());
        let id = self.record(&record).await?;
        tracing::info!(
            id = id.get(),
            action = record.action.as_deref().unwrap_or("-"),
            accepted = record.accepted,
            status = record.status,
            reason = record.reason.as_deref().unwrap_or("-"),
            rule = record.rule.as_deref().unwrap_or("-"),
            token_sent = record.token_sent,
            token_email_tag = record.token_email_tag.as_deref().unwrap_or("-"),
            warning = record.warning.as_deref().unwrap_or("-"),
            "gate decision"
        );
        Ok(verdict)
    }
}
