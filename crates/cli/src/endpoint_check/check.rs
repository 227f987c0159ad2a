//! A reply as received, and one check's outcome.

use synerise_auth_token::{Email, UuidSalt, Verifier};

/// A reply as received: its status, its headers (names lower-cased) and its body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's `code`, when it is a JSON object that has one.
    pub(super) fn code(&self) -> Option<String> {
        let body: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        body.get("code")?.as_str().map(str::to_owned)
    }

    /// `401 not_signed_in`, or `200` when the body names no code.
    pub(super) fn describe(&self) -> String {
        match self.code() {
            Some(code) => format!("{} {code}", self.status),
            None => self.status.to_string(),
        }
    }
}

/// One check: what it checks, and why it failed.
#[derive(Debug)]
pub(crate) struct Check {
    pub(crate) name: String,
    pub(crate) outcome: Result<(), String>,
}

impl Check {
    pub(super) fn new(
        label: &str,
        what: impl std::fmt::Display,
        outcome: Result<(), String>,
    ) -> Self {
        Self {
            name: format!("{label}: {what}"),
            outcome,
        }
    }

    pub(crate) fn held(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// What the signed-in reply's token must be.
#[derive(Debug)]
pub(crate) struct Expected<'a> {
    /// Verifies it (RS256 only, the key given).
    pub(crate) verifier: &'a Verifier,
    /// Its `email` claim, when the customer is known.
    pub(crate) email: Option<&'a Email>,
    /// The site's salt: its `uuid` is then UUIDv5 of it and the email.
    pub(crate) salt: Option<&'a UuidSalt>,
}

/// Whether `reply`'s `Content-Type` is JSON (`application/json`, parameters allowed).
pub(super) fn is_json(reply: &Reply) -> Result<(), String> {
    let content_type = reply.header("content-type").unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else if content_type.is_empty() {
        Err("there is no Content-Type".to_owned())
    } else {
        Err(format!("it is `{content_type}`"))
    }
}
