//! The crate's error types.

use std::path::PathBuf;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate, apart from token verification, which has its own
/// detailed [`VerifyError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key could not be loaded or used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A key directory could not be read, or a change to it was refused.
    #[error(transparent)]
    KeySet(#[from] KeySetError),
    /// An email address was refused.
    #[error("invalid email: {0}")]
    InvalidEmail(&'static str),
    /// A customer UUID was refused.
    #[error("invalid uuid: {0}")]
    InvalidUuid(&'static str),
    /// A UUID salt was refused.
    #[error("invalid uuid salt: {0}")]
    InvalidSalt(&'static str),
    /// A token lifetime was refused.
    #[error("invalid token lifetime: {0}")]
    InvalidTtl(String),
    /// A time RFC 3339 cannot write (before year 1 or after year 9999).
    #[error("the time {0} is out of RFC 3339's range")]
    TimeOutOfRange(i64),
    /// The signing primitive failed (it does not for a valid key; reported rather than panicking).
    #[error("signing failed")]
    Signing,
}

/// Why a key was refused. Messages name the file when there is one, and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file could not be read.
    #[error("cannot read key file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file could not be written (it may already exist).
    #[error("cannot write key file {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key is not one this service can use; `reason` says why.
    #[error("{origin}: {reason}")]
    Refused {
        /// Where the key came from: a file path, or a description such as "key text".
        origin: String,
        /// The reason, one sentence.
        reason: String,
    },
    /// The requested key size is not offered.
    #[error("unsupported key size {0} bits: choose 2048, 3072 or 4096")]
    UnsupportedSize(u32),
    /// Key generation failed in the crypto library.
    #[error("key generation failed")]
    Generate,
}

impl KeyError {
    pub(crate) fn refused(origin: &str, reason: impl Into<String>) -> Self {
        Self::Refused {
            origin: origin.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Why a key directory could not be read, or why a change to it was refused. Messages name the
/// directory or file, and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeySetError {
    /// The state file could not be read or written.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done: `read`, `write`, `create`...
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The state file is not what this version writes.
    #[error("{path}: {reason}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it, one sentence.
        reason: String,
    },
    /// `keys new` while a next key is already waiting.
    #[error(
        "a next key is already waiting (kid {0}): activate it (`synerise-auth keys activate`) or drop it (`synerise-auth keys retire {0}`) first"
    )]
    NextKeyWaiting(String),
    /// `keys activate` without a next key.
    #[error("no next key to activate: make one with `synerise-auth keys new`")]
    NoNextKey,
    /// A kid that is not in the set.
    #[error("no key with kid {0} in the set (`synerise-auth keys list` shows them)")]
    UnknownKid(String),
    /// `keys retire` of the active key.
    #[error(
        "kid {0} is the active key, which signs every token: activate a next key first (`synerise-auth keys new`, then `synerise-auth keys activate`)"
    )]
    RetireActive(String),
    /// `keys init` where a key set already exists.
    #[error("{0} already holds a key set")]
    Exists(PathBuf),
}

/// Why a token did not verify. Each variant has a stable snake_case [`code`](VerifyError::code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a compact JWT (three base64url parts with a JSON header and payload).
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header names an algorithm other than RS256 (including `none` and HS256).
    #[error("wrong algorithm: expected RS256, found {found}")]
    WrongAlgorithm {
        /// The `alg` the token's header named.
        found: String,
    },
    /// The header's `kid` names no key of the set verified against (only when the set holds more
    /// than one key; a verifier of one key ignores `kid`).
    #[error("unknown key: no key with kid {kid}")]
    UnknownKey {
        /// The `kid` the token's header named.
        kid: String,
    },
    /// The signature does not match the key.
    #[error("bad signature: the token was not signed by this key")]
    BadSignature,
    /// `exp` has passed (beyond the leeway).
    #[error("token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The time it was checked at.
        now: i64,
    },
    /// `nbf` (or an `iat` in the future) is later than now plus the leeway.
    #[error("token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The time it was checked at.
        now: i64,
    },
    /// A required claim is absent.
    #[error("missing claim `{0}`")]
    MissingClaim(&'static str),
    /// A claim has the wrong type or an invalid value.
    #[error("invalid claim `{claim}`: {reason}")]
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl VerifyError {
    /// A stable snake_case code for this error, for APIs and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed_token",
            Self::WrongAlgorithm { .. } => "wrong_algorithm",
            Self::UnknownKey { .. } => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim { .. } => "invalid_claim",
        }
    }
}
