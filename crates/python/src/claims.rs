//! Claims as a Python `dict`.

use pyo3::{prelude::*, types::PyDict};
use synerise_auth_token::Claims;

/// `{"exp": int, "iat": int | None, "uuid": str, "email": str}`.
pub(crate) fn claims_dict<'py>(py: Python<'py>, claims: &Claims) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("exp", claims.exp)?;
    dict.set_item("iat", claims.iat)?;
    dict.set_item("uuid", claims.uuid.to_string())?;
    dict.set_item("email", claims.email.as_str())?;
    Ok(dict)
}
