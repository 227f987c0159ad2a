//! `Issuer` and `IssuedToken`: the Python face of the issuing crate's [`Tokens`] (the key set, its
//! reload, the salt and the lifetime), as the Node package's `Issuer` is. Translation only: Python
//! values in, one call, Python values out.

use std::path::PathBuf;

use pyo3::{prelude::*, types::PyDict};
use synerise_auth_issuing::{KidSetting, SigningSettings, Tokens};
use synerise_auth_token::{CustomerUuid, Email, PublicKeyFormat, TokenTtl, UnixTime, UuidSalt};

use crate::{
    claims::claims_dict,
    errors::{Refusal, raise},
};

/// A token lifetime as Python gives it: seconds, or text such as `"7d"`.
#[derive(Debug, FromPyObject)]
pub(crate) enum Ttl {
    Secs(u64),
    Text(String),
}

impl Ttl {
    fn parse(self) -> Result<TokenTtl, Refusal> {
        Ok(match self {
            Self::Secs(secs) => TokenTtl::from_secs(secs)?,
            Self::Text(text) => text.parse()?,
        })
    }
}

/// Signs Synerise tokens with a key file or a key directory's active key.
#[pyclass(frozen, module = "synerise_auth")]
#[derive(Debug)]
pub(crate) struct Issuer {
    tokens: Tokens,
}

#[pymethods]
impl Issuer {
    #[new]
    #[pyo3(signature = (key, *, salt, ttl = Ttl::Secs(7 * 24 * 3600), kid = None))]
    fn new(
        py: Python<'_>,
        key: PathBuf,
        salt: &str,
        ttl: Ttl,
        kid: Option<&str>,
    ) -> PyResult<Self> {
        let mut settings = SigningSettings::new(key);
        settings.ttl = raise(py, ttl.parse())?;
        settings.kid = KidSetting::parse(kid.unwrap_or_default());
        // Every `issue` signs, as before the issuing crate's token reuse existed: a shop that
        // wants reuse keeps the token in its own session.
        settings.cache.enabled = false;
        let salt = raise(py, UuidSalt::new(salt).map_err(Refusal::from))?;
        // Reading and parsing keys is file I/O and RSA parsing: other threads may run meanwhile.
        let tokens = py.detach(|| Tokens::load(settings, salt));
        Ok(Self {
            tokens: raise(py, tokens.map_err(Refusal::from))?,
        })
    }

    /// Signs a token for `email`, whose uuid is `uuid` or (by default) the one derived from the
    /// salt and the email.
    #[pyo3(signature = (email, uuid = None))]
    fn issue(&self, py: Python<'_>, email: &str, uuid: Option<&str>) -> PyResult<IssuedToken> {
        let parsed = (|| {
            let email = Email::parse(email)?;
            let uuid = uuid.map(CustomerUuid::parse).transpose()?;
            Ok::<_, Refusal>((email, uuid))
        })();
        let (email, uuid) = raise(py, parsed)?;
        // The signature is most of a token's cost: other Python threads run meanwhile.
        let signed = py.detach(|| {
            let (jwt, claims) = self
                .tokens
                .issue(&email, uuid, crate::clock::now())?
                .into_parts();
            let expires_at = UnixTime::from_secs(claims.exp).to_rfc3339()?;
            Ok::<_, Refusal>((jwt, claims, expires_at))
        });
        let (token, claims, expires_at) = raise(py, signed)?;
        Ok(IssuedToken {
            token,
            uuid: claims.uuid.to_string(),
            exp: claims.exp,
            expires_at,
        })
    }

    /// Reads the key file or directory again (after `synerise-auth keys new/activate`). If it
    /// cannot be used, the keys loaded before keep signing and the error is raised.
    fn reload(&self, py: Python<'_>) -> PyResult<()> {
        let reloaded = py.detach(|| self.tokens.reload());
        raise(py, reloaded.map(drop).map_err(Refusal::from))
    }

    /// Verifies a token against this issuer's published keys (the active key, the next one and
    /// the retired ones whose tokens may still be valid). Returns the claims.
    #[pyo3(signature = (token, *, now = None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = now.map_or_else(crate::clock::now, UnixTime::from_secs);
        let verified = py.detach(|| self.tokens.verifier(now).verify(token, now));
        let verified = raise(py, verified.map_err(Refusal::from))?;
        claims_dict(py, &verified.claims)
    }

    /// The customer uuid this issuer derives for `email`.
    fn customer_uuid(&self, py: Python<'_>, email: &str) -> PyResult<String> {
        let email = raise(py, Email::parse(email).map_err(Refusal::from))?;
        Ok(self.tokens.derive_uuid(&email).to_string())
    }

    /// The active public key: `single-line` (what Synerise's certificate field takes), `pem`,
    /// `base64` or `jwk`.
    #[pyo3(signature = (format = "single-line"))]
    fn public_key(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        let format: PublicKeyFormat = raise(
            py,
            format
                .parse()
                .map_err(|e: String| Refusal::new("InvalidInput", "invalid_format", 400, e)),
        )?;
        Ok(self.tokens.public_key().to_format(format))
    }

    /// The JWK Set to publish now, as JSON text.
    #[pyo3(signature = (*, now = None))]
    fn jwks_json(&self, now: Option<i64>) -> String {
        let now = now.map_or_else(crate::clock::now, UnixTime::from_secs);
        self.tokens.jwks(now)
    }

    /// The `kid` put in token headers, if any.
    #[getter]
    fn kid(&self) -> Option<String> {
        self.tokens.kid()
    }

    /// The token lifetime in seconds.
    #[getter]
    fn ttl(&self) -> u32 {
        self.tokens.ttl().as_secs()
    }

    fn __repr__(&self) -> String {
        // Never the salt, the key or its path: the kid and the lifetime identify it enough.
        format!(
            "Issuer(kid={:?}, active_key={:?}, ttl={})",
            self.tokens.kid(),
            self.tokens.key_id(),
            self.tokens.ttl().as_secs()
        )
    }
}

/// A signed token: the JWT, the customer's uuid, and when it expires.
#[pyclass(frozen, module = "synerise_auth", skip_from_py_object)]
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    /// The compact JWT, for `SR.client.setAccessToken`.
    #[pyo3(get)]
    token: String,
    /// The customer's uuid, as in the token's `uuid` claim.
    #[pyo3(get)]
    uuid: String,
    /// The token's `exp`, seconds since the epoch.
    #[pyo3(get)]
    exp: i64,
    /// The token's `exp` as RFC 3339 (UTC).
    #[pyo3(get)]
    expires_at: String,
}

#[pymethods]
impl IssuedToken {
    /// The token endpoint's reply body: `{"jwt", "uuid", "expiresAt"}`.
    fn as_reply<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("jwt", &self.token)?;
        dict.set_item("uuid", &self.uuid)?;
        dict.set_item("expiresAt", &self.expires_at)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        // The token is a credential: never printed whole.
        format!(
            "IssuedToken(uuid={:?}, expires_at={:?}, token=<redacted>)",
            self.uuid, self.expires_at
        )
    }
}
