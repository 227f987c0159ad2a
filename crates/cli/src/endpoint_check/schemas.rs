//! The contract's JSON Schemas, compiled once: the token reply and the refusal.

use anyhow::Context as _;
use jsonschema::{Draft, Validator};
use serde_json::{Value, json};
use synerise_auth_server::contract::{REFUSAL_BODY, TOKEN_REPLY};

/// A validator for each reply body the contract names.
#[derive(Debug)]
pub(crate) struct Schemas {
    token: Validator,
    refusal: Validator,
}

impl Schemas {
    /// Compiles the two bodies of `document` (the published contract): each is the document
    /// with its `oneOf` replaced by a reference to that body, so `$defs` stay where they are.
    pub(crate) fn new(document: &Value) -> anyhow::Result<Self> {
        let compile = |name: &str| {
            let mut schema = document.clone();
            let object = schema
                .as_object_mut()
                .context("the contract's schema is not an object")?;
            object.remove("oneOf");
            object.insert("$ref".to_owned(), json!(format!("#/$defs/{name}")));
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                // `uuid` and `date-time` are part of the contract, not hints.
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| anyhow::anyhow!("the contract's schema {name} does not compile: {e}"))
        };
        Ok(Self {
            token: compile(TOKEN_REPLY)?,
            refusal: compile(REFUSAL_BODY)?,
        })
    }

    /// The schema the service itself publishes.
    pub(crate) fn published() -> anyhow::Result<Self> {
        Self::new(&synerise_auth_server::contract::schema()?)
    }

    /// Whether `body` is a token reply; the first few reasons why not.
    pub(crate) fn token_reply(&self, body: &Value) -> Result<(), String> {
        check(&self.token, body)
    }

    /// Whether `body` is a refusal; the first few reasons why not.
    pub(crate) fn refusal(&self, body: &Value) -> Result<(), String> {
        check(&self.refusal, body)
    }
}

fn check(validator: &Validator, body: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(body)
        .take(3)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}
