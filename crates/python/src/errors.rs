//! Errors, mapped once: every failure of the token crate becomes one of the package's exceptions
//! (defined in Python, `synerise_auth/_errors.py`), carrying the same stable `code` and HTTP
//! status the service answers with.

use pyo3::{PyErr, Python, types::PyAnyMethods as _};
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

    /// Over a rate limit: 429 `rate_limited`, to be retried after `secs`.
    pub(crate) fn rate_limited(secs: u64) -> Self {
        Self {
            retry_after: Some(secs.max(1)),
            ..Self::new("RateLimited", "rate_limited", 429, "too many requests")
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
            Error::Key(_) | Error::KeySet(_) => {
                Self::new("ConfigurationError", "invalid_key", 500, message)
            }
            // A signature that fails, a time RFC 3339 cannot write, and anything added later:
            // the service answers these as its fixed 500.
            _ => Self::new("SyneriseAuthError", "internal_error", 500, message),
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
