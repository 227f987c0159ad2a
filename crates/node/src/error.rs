//! Errors as Node sees them: a JavaScript `Error` whose `code` is the service's stable snake_case
//! code (`invalid_email`, `expired`, `rate_limited`...), mapped here and nowhere else.

/// The stable code an error is thrown with; napi puts it in the JavaScript error's `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// A result whose error reaches JavaScript with a stable `code`.
pub type Result<T> = napi::Result<T, Code>;

/// An error with `code` and a sentence for a person.
pub(crate) fn coded(code: &'static str, message: impl Into<String>) -> napi::Error<Code> {
    napi::Error::new(Code(code), message.into())
}

/// The token crate's errors, each with the code the service answers for it (a key that cannot be
/// used is the operator's problem, met at start or at a reload: `key_set_invalid`).
pub(crate) fn token_error(e: &synerise_auth_token::Error) -> napi::Error<Code> {
    use synerise_auth_token::Error;
    let code = match e {
        Error::InvalidEmail(_) => "invalid_email",
        Error::InvalidUuid(_) => "invalid_uuid",
        Error::InvalidSalt(_) => "invalid_salt",
        Error::InvalidTtl(_) => "invalid_ttl",
        // The issuing crate's code for a key set that does not load.
        Error::Key(_) | Error::KeySet(_) => "key_set_invalid",
        _ => "internal_error",
    };
    coded(code, e.to_string())
}

/// A refused token: the verifier's own code (`expired`, `bad_signature`, `wrong_algorithm`...).
pub(crate) fn verify_error(e: &synerise_auth_token::VerifyError) -> napi::Error<Code> {
    coded(e.code(), e.to_string())
}

/// The issuing crate's errors, with its own stable codes (`key_set_invalid`, `signing_failed`,
/// `rate_limited`).
pub(crate) fn issuing_error(e: &synerise_auth_issuing::IssuingError) -> napi::Error<Code> {
    coded(e.code(), e.to_string())
}
