//! Errors, mapped once: every failure of the issuing and token crates becomes one of the
//! package's exceptions (defined in Python, `synerise_auth/_errors.py`), carrying the same stable
//! `code` and HTTP status the service answers with.

use pyo3::{PyErr, Python, types::PyAnyMethods as _};
use synerise_auth_issuing::{IssuingError, RateLimited};
use synerise_auth_token::{Error, VerifyError};

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "synerise_auth._errors";

/// One refusal: the exception class to raise, its stable code, the HTTP status the service uses
/// for it, and a sentence for a person.
#[derive(Debug)]
pub(crate) struct Refusal {
    class: &'static str,
    code: &'static str,
    status: u16,
    message: String,
    retry_after: Option<u64>,
}

impl Refusal {
    pub(crate) fn new(
        class: &'static str,
        code: &'static str,
        status: u16,
        message: impl Into<String>,
    ) -> Self {
        Self {
            class,
            code,
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The Python exception. Falls back to `RuntimeError` only if the package's own module cannot
    /// be imported, which an installed package never does.
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let made = py.import(ERRORS_MODULE).and_then(|module| {
            let class = module.getattr(self.class)?;
            class.call1((
                self.message.as_str(),
                self.code,
                self.status,
                self.retry_after,
            ))
        });
        match made {
            Ok(exception) => PyErr::from_value(exception),
            Err(e) => e,
        }
    }
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        match error {
            Error::InvalidEmail(_) => Self::new("InvalidInput", "invalid_email", 400, message),
            Error::InvalidUuid(_) => Self::new("InvalidInput", "invalid_uuid", 400, message),
            Error::InvalidSalt(_) => Self::new("ConfigurationError", "invalid_salt", 500, message),
            Error::InvalidTtl(_) => Self::new("ConfigurationError", "invalid_ttl", 500, message),
            // The issuing crate's code for a key set that does not load, as the service and the
            // Node package say it; a public key given to `verify` that cannot be read too.
            Error::Key(_) | Error::KeySet(_) => {
                Self::new("ConfigurationError", "key_set_invalid", 500, message)
            }
            // A signature that fails, a time RFC 3339 cannot write, and anything added later:
            // the service answers these as its fixed 500.
            _ => Self::new("SyneriseAuthError", "internal_error", 500, message),
        }
    }
}

impl From<IssuingError> for Refusal {
    fn from(error: IssuingError) -> Self {
        let (code, message) = (error.code(), error.to_string());
        match error {
            IssuingError::KeySet(_) => Self::new("ConfigurationError", code, 500, message),
            IssuingError::RateLimited(limited) => limited.into(),
            // `signing_failed`, and anything added later: the service's fixed 500.
            _ => Self::new("SyneriseAuthError", code, 500, message),
        }
    }
}

impl From<RateLimited> for Refusal {
    /// Over a rate limit: 429 `rate_limited`, to be retried after `Retry-After` seconds.
    fn from(limited: RateLimited) -> Self {
        Self {
            retry_after: Some(limited.retry_after_secs()),
            ..Self::new("RateLimited", limited.code(), 429, "too many requests")
        }
    }
}

impl From<VerifyError> for Refusal {
    fn from(error: VerifyError) -> Self {
        Self::new("TokenRefused", error.code(), 401, error.to_string())
    }
}

/// Runs `f` and turns its refusal into the Python exception.
pub(crate) fn raise<T>(py: Python<'_>, result: Result<T, Refusal>) -> pyo3::PyResult<T> {
    result.map_err(|refusal| refusal.into_pyerr(py))
}
