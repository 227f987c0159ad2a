//! What the event gate saw: its decisions, newest first, and the certificates it was given.
//!
//! The store knows nothing of the gate's types (this crate does not depend on the gate crate):
//! a decision is kept as plain fields, and a certificate as its DER and thumbprint.

use std::fmt;

use async_trait::async_trait;
use synerise_auth_token::UnixTime;

use crate::Result;

/// How many decisions the log keeps by default: the newest 10,000; older ones are deleted as new
/// ones arrive.
pub const DEFAULT_DECISIONS_KEPT: u32 = 10_000;

/// The most old decisions one new decision deletes. Past the cap by one row a decision deletes
/// one; a log far past it (the cap lowered, or rows put in by other means) shrinks by this much
/// a decision, so no write holds the log for long.
pub const PRUNED_PER_DECISION: i64 = 64;

/// The most decisions one [`DecisionLog::list`] returns, whatever its limit says.
pub const MAX_DECISIONS_LISTED: u32 = 1000;

/// How many certificates [`CertificateHistory`] remembers: the active one and the ones it
/// replaced, newest first.
pub const CERTIFICATES_KEPT: u32 = 32;

/// A decision's number in the log. Numbers only grow and are never reused, so "everything after
/// 41" is a stable question to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DecisionId(i64);

impl DecisionId {
    /// An identifier from its number.
    #[must_use]
    pub const fn new(id: i64) -> Self {
        Self(id)
    }

    /// The identifier's number.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// One decision of the gate, as kept. It never holds a token or an email address: the gate's
/// details are written without them, and a token's email is kept only as a short tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// When it was decided.
    pub at: UnixTime,
    /// The event's action; `None` for a malformed event without a valid one.
    pub action: Option<String>,
    /// The event's label, if any.
    pub label: Option<String>,
    /// The event's `client.uuid`; `None` for a malformed event without a valid one.
    pub uuid: Option<String>,
    /// Whether the event was accepted.
    pub accepted: bool,
    /// The HTTP status it was answered with (202, 400, 401, 403, 413, 415).
    pub status: u16,
    /// The stable refusal code (`token_required`, `expired`...); `None` when accepted.
    pub reason: Option<String>,
    /// The sentence that explains the decision.
    pub detail: String,
    /// The list or policy the action fell under (`require_token`...); `None` when unknown.
    pub rule: Option<String>,
    /// Whether a bearer token came with the event.
    pub token_sent: bool,
    /// A short, non-reversible tag of a valid token's email.
    pub token_email_tag: Option<String>,
    /// A warning the decision carried (an action accepted from `modify_without_token`).
    pub warning: Option<String>,
}

/// A decision read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedDecision {
    /// Its number.
    pub id: DecisionId,
    /// What was kept.
    pub record: DecisionRecord,
}

/// Which decisions [`DecisionLog::list`] returns: newest first, at most `limit`, filtered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionQuery {
    /// At most this many (1 to [`MAX_DECISIONS_LISTED`]; other values are brought into range).
    pub limit: u32,
    /// Only accepted (`Some(true)`) or only refused (`Some(false)`) events.
    pub accepted: Option<bool>,
    /// Only events with this action.
    pub action: Option<String>,
    /// Only decisions numbered after this one: what arrived since the caller last looked.
    pub after: Option<DecisionId>,
}

impl Default for DecisionQuery {
    /// The newest 50, unfiltered.
    fn default() -> Self {
        Self {
            limit: 50,
            accepted: None,
            action: None,
            after: None,
        }
    }
}

/// Where the gate's decisions are kept. Implementations are cheap to share as
/// `Arc<dyn DecisionLog>`, and keep a bounded number of decisions (the newest).
#[async_trait]
pub trait DecisionLog: Send + Sync + fmt::Debug {
    /// Keeps a decision, and forgets the oldest beyond the log's capacity. Returns its number.
    ///
    /// # Errors
    /// [`StoreError::Database`](crate::StoreError::Database) when it cannot be written.
    async fn record(&self, decision: &DecisionRecord) -> Result<DecisionId>;

    /// The decisions `query` asks for, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`](crate::StoreError::Database) when they cannot be read.
    async fn list(&self, query: &DecisionQuery) -> Result<Vec<LoggedDecision>>;
}

/// A certificate the gate was given, as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredCertificate {
    /// The public key's RFC 7638 thumbprint.
    pub thumbprint: String,
    /// The public key, SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// When it was last made the active one.
    pub registered_at: UnixTime,
}

/// The certificates the gate has been given, so that after a restart with a new one, tokens
/// signed by an old one are refused as `certificate_replaced` rather than `bad_signature`.
#[async_trait]
pub trait CertificateHistory: Send + Sync + fmt::Debug {
    /// Makes this certificate the newest (the active one). Registering the newest again changes
    /// nothing; registering an older one moves it to the front. Only the newest
    /// [`CERTIFICATES_KEPT`] are remembered.
    ///
    /// Returns whether the active certificate changed.
    ///
    /// # Errors
    /// [`StoreError::Database`](crate::StoreError::Database) when it cannot be written.
    async fn register_certificate(
        &self,
        thumbprint: &str,
        spki_der: &[u8],
        now: UnixTime,
    ) -> Result<bool>;

    /// The remembered certificates, newest (active) first.
    ///
    /// # Errors
    /// [`StoreError::Database`](crate::StoreError::Database) when they cannot be read.
    async fn certificates(&self) -> Result<Vec<RegisteredCertificate>>;
}
