//! A key directory's state file (`keys.json`): which key is active, which is next, and when each
//! retired one stopped signing.

use serde::{Deserialize, Serialize};

/// The state file's name in a key directory.
pub const KEY_STATE_FILE: &str = "keys.json";

/// What a key of the set does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    /// Signs every token.
    Active,
    /// Published, does not sign yet: the key to paste into Synerise next.
    Next,
    /// Signed once; published until its last token has expired.
    Retired,
}

impl KeyRole {
    /// `active`, `next` or `retired`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Next => "next",
            Self::Retired => "retired",
        }
    }
}

/// One key as the state file lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// The RFC 7638 thumbprint of its public key; also its file name, `<kid>.pem`.
    pub kid: String,
    /// What it does.
    pub role: KeyRole,
    /// When it was added to the set (seconds since the epoch).
    pub created_at: i64,
    /// When it stopped signing, for a retired key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct State {
    pub(crate) version: u32,
    /// The active key first, then the next one, then the retired ones, newest first.
    pub(crate) keys: Vec<KeyEntry>,
}

impl State {
    /// Reads a state file's text and checks it: this version's, exactly one active key, at most
    /// one next key, every kid a thumbprint, `retired_at` on the retired keys only.
    ///
    /// # Errors
    /// Why the text is not such a state file, in words that follow its path.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let state: Self =
            serde_json::from_str(text).map_err(|e| format!("is not a key set state file ({e})"))?;
        if state.version != 1 {
            return Err(format!("has version {}, expected 1", state.version));
        }
        let count = |role| state.keys.iter().filter(|k| k.role == role).count();
        if count(KeyRole::Active) != 1 || count(KeyRole::Next) > 1 {
            return Err("must list exactly one active key and at most one next key".into());
        }
        for entry in &state.keys {
            if !is_kid(&entry.kid) {
                return Err(format!(
                    "lists `{}`, which is not a key thumbprint",
                    entry.kid
                ));
            }
            if (entry.role == KeyRole::Retired) != entry.retired_at.is_some() {
                return Err(format!(
                    "key {}: `retired_at` is set for retired keys only, and always for them",
                    entry.kid
                ));
            }
        }
        Ok(state)
    }

    /// Puts the keys in the file's order: the active key, the next one, then the retired ones,
    /// newest first.
    pub(crate) fn sort(&mut self) {
        self.keys.sort_by_key(|k| {
            (
                match k.role {
                    KeyRole::Active => 0,
                    KeyRole::Next => 1,
                    KeyRole::Retired => 2,
                },
                std::cmp::Reverse(k.retired_at),
            )
        });
    }
}

/// A thumbprint as this crate makes them: base64url, 43 characters for SHA-256.
fn is_kid(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
