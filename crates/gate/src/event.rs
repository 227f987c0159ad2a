//! An event as Synerise's JS SDK sends it, parsed once.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use synerise_auth_token::CustomerUuid;

use crate::Action;

/// The largest event body accepted, in bytes.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;
/// The longest `label` accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 1024;

/// An event: `{"action": "form.submit", "label": "...", "client": {"uuid": "..."}, "params": {...}}`.
///
/// `action` and `client.uuid` are required; `label` (a string) and `params` (an object) are
/// optional. Other fields, at the top level or in `client`, are ignored, because the SDK sends more
/// than the gate needs (a time, an event id, other identifiers).
///
/// ```
/// use synerise_auth_gate::Event;
/// let event = Event::from_json(br#"{
///     "action": "page.visit",
///     "label": "Home",
///     "client": {"uuid": "345d4c8f-5aff-591d-a19c-1ca48923d9ee"},
///     "params": {"url": "https://example.com/"}
/// }"#).unwrap();
/// assert_eq!(event.action().as_str(), "page.visit");
/// assert_eq!(event.uuid().to_string(), "345d4c8f-5aff-591d-a19c-1ca48923d9ee");
///
/// let refused = Event::from_json(br#"{"action": "page.visit", "client": {}}"#).unwrap_err();
/// assert_eq!(refused.to_string(), "the event has no `client.uuid`");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    action: Action,
    label: Option<String>,
    uuid: CustomerUuid,
    params: Option<Map<String, Value>>,
}

/// Why an event body was refused. The gate answers it with `400 malformed_event`
/// ([`Decision::malformed_event`](crate::Decision::malformed_event)).
///
/// What could be read before the problem (a valid action, a valid uuid) is kept, so that the
/// refusal can still be listed under its action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct MalformedEvent {
    reason: String,
    action: Option<Action>,
    uuid: Option<CustomerUuid>,
}

impl MalformedEvent {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            action: None,
            uuid: None,
        }
    }

    /// What is wrong, as a sentence fragment that never quotes the body.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The event's action, if it was present and valid.
    #[must_use]
    pub fn action(&self) -> Option<&Action> {
        self.action.as_ref()
    }

    /// The event's customer uuid, if it was present and valid.
    #[must_use]
    pub fn uuid(&self) -> Option<CustomerUuid> {
        self.uuid
    }
}

impl Event {
    /// An event with no label and no params.
    #[must_use]
    pub fn new(action: Action, uuid: CustomerUuid) -> Self {
        Self {
            action,
            label: None,
            uuid,
            params: None,
        }
    }

    /// Parses an event from a JSON body of at most [`MAX_EVENT_BYTES`].
    ///
    /// # Errors
    /// [`MalformedEvent`] when the body is too large, is not a JSON object, or lacks a valid
    /// `action` or `client.uuid`, or when `label` or `params` has the wrong type.
    pub fn from_json(body: &[u8]) -> Result<Self, MalformedEvent> {
        if body.len() > MAX_EVENT_BYTES {
            return Err(MalformedEvent::new(format!(
                "the event is {} bytes long; at most {MAX_EVENT_BYTES} are accepted",
                body.len()
            )));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| MalformedEvent::new(format!("the body is not valid JSON ({e})")))?;
        Self::from_value(value)
    }

    /// Parses an event from a JSON value already read (no size limit is applied here).
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json), apart from the size.
    pub fn from_value(value: Value) -> Result<Self, MalformedEvent> {
        let Value::Object(mut object) = value else {
            return Err(MalformedEvent::new(format!(
                "the event must be a JSON object, not {}",
                kind(&value)
            )));
        };
        let action = match object.remove("action") {
            None | Some(Value::Null) => {
                return Err(MalformedEvent::new("the event has no `action`"));
            }
            Some(Value::String(text)) => Action::parse(&text).map_err(|e| match e {
                crate::ConfigError::InvalidAction { reason, .. } => {
                    MalformedEvent::new(format!("`action` is not a valid event action: {reason}"))
                }
                other => MalformedEvent::new(other.to_string()),
            })?,
            Some(other) => {
                return Err(MalformedEvent::new(format!(
                    "`action` must be a string, not {}",
                    kind(&other)
                )));
            }
        };
        let known = |error: MalformedEvent| MalformedEvent {
            action: Some(action.clone()),
            ..error
        };
        let uuid = match object.remove("client") {
            None | Some(Value::Null) => {
                return Err(known(MalformedEvent::new(
                    "the event has no `client` object with the customer's `uuid`",
                )));
            }
            Some(Value::Object(mut client)) => match client.remove("uuid") {
                None | Some(Value::Null) => {
                    return Err(known(MalformedEvent::new("the event has no `client.uuid`")));
                }
                Some(Value::String(text)) => CustomerUuid::parse(&text).map_err(|_| {
                    known(MalformedEvent::new(
                        "`client.uuid` is not a UUID: expected 36 characters like \
                         345d4c8f-5aff-591d-a19c-1ca48923d9ee, not the nil UUID",
                    ))
                })?,
                Some(other) => {
                    return Err(known(MalformedEvent::new(format!(
                        "`client.uuid` must be a string, not {}",
                        kind(&other)
                    ))));
                }
            },
            Some(other) => {
                return Err(known(MalformedEvent::new(format!(
                    "`client` must be an object with the customer's `uuid`, not {}",
                    kind(&other)
                ))));
            }
        };
        let known = |error: MalformedEvent| MalformedEvent {
            action: Some(action.clone()),
            uuid: Some(uuid),
            ..error
        };
        let label = match object.remove("label") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.chars().count() > MAX_LABEL_CHARS => {
                return Err(known(MalformedEvent::new(format!(
                    "`label` is longer than {MAX_LABEL_CHARS} characters"
                ))));
            }
            Some(Value::String(text)) => Some(text),
            Some(other) => {
                return Err(known(MalformedEvent::new(format!(
                    "`label` must be a string, not {}",
                    kind(&other)
                ))));
            }
        };
        let params = match object.remove("params") {
            None | Some(Value::Null) => None,
            Some(Value::Object(params)) => Some(params),
            Some(other) => {
                return Err(known(MalformedEvent::new(format!(
                    "`params` must be an object, not {}",
                    kind(&other)
                ))));
            }
        };
        Ok(Self {
            action,
            label,
            uuid,
            params,
        })
    }

    /// The event's action.
    #[must_use]
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The event's label, if any.
    #[must_use]
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The customer the event is about (`client.uuid`).
    #[must_use]
    pub fn uuid(&self) -> CustomerUuid {
        self.uuid
    }

    /// The event's params, if any.
    #[must_use]
    pub fn params(&self) -> Option<&Map<String, Value>> {
        self.params.as_ref()
    }
}

/// Serializes to the same shape it is parsed from, without the ignored fields.
impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Client {
            uuid: CustomerUuid,
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            action: &'a Action,
            #[serde(skip_serializing_if = "Option::is_none")]
            label: Option<&'a str>,
            client: Client,
            #[serde(skip_serializing_if = "Option::is_none")]
            params: Option<&'a Map<String, Value>>,
        }
        Wire {
            action: &self.action,
            label: self.label.as_deref(),
            client: Client { uuid: self.uuid },
            params: self.params.as_ref(),
        }
        .serialize(serializer)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
