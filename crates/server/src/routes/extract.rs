//! The body extractors: a request body is read once, deserialized straight into its typed struct
//! (the same struct `/openapi.json` describes), and every failure is answered with [`ApiError`]'s
//! stable codes instead of axum's plain-text rejections.
//!
//! - not declared as JSON: 415 `unsupported_media_type`; over the body limit: 413
//!   `payload_too_large`;
//! - not JSON at all (syntax, bad UTF-8, trailing bytes): 400 `malformed_json`;
//! - JSON of the wrong shape: the code the body type gives the field that failed
//!   ([`RequestBody::field_code`]), or 400 `invalid_body` when no field is to blame (an array, a
//!   string, a field the type leaves to the default).
//!
//! `serde_path_to_error` says which field failed; serde's own "missing field" error is read for
//! the name of an absent one, and a `null` counts as absent, as it always did here.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{HeaderMap, StatusCode, header},
};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use crate::ApiError;

/// A request body type: which stable code a failure to read each of its fields is answered with.
pub(crate) trait RequestBody: DeserializeOwned {
    /// The code for top-level `field`: absent (or `null`) when `missing`, present but invalid
    /// otherwise. `None` for a field the type does not name, answered `invalid_body`.
    fn field_code(field: &str, missing: bool) -> Option<&'static str>;

    /// Fields whose value must never be quoted in a refusal (a password): their refusal names the
    /// field only.
    const SECRET_FIELDS: &'static [&'static str] = &[];
}

/// A required JSON body: `Content-Type: application/json` (or `*/*+json`) and an object that
/// deserializes into `T`.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: RequestBody, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let body = read(req, state).await?;
        parse(&body).map(Self)
    }
}

/// A JSON body that may also be absent: an empty body reads as `T::default()` whatever its
/// `Content-Type`; a non-empty one is read as [`ApiJson`] reads it (`null` is not an object).
#[derive(Debug)]
pub(crate) struct OptionalJson<T>(pub(crate) T);

impl<T: RequestBody + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(req.headers());
        let body = read(req, state).await?;
        if body.is_empty() {
            return Ok(Self(T::default()));
        }
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse(&body).map(Self)
    }
}

/// Whether the body is declared as JSON: `application/json` or `application/<anything>+json`.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// The whole body, within the route's body limit.
async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            _ => ApiError::bad_request("unreadable_body", e.body_text()),
        })
}

/// Deserializes `body` into `T`, answering each failure with its code.
///
/// A body that deserializes is read once, by serde_json alone; only a failure is read again
/// with `serde_path_to_error`, to learn which field failed. Tracking the path costs as much as
/// the rest of the parse, and nearly every body is fine.
pub(crate) fn parse<T: RequestBody>(body: &[u8]) -> Result<T, ApiError> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(refusal::<T>)?;
    deserializer.end().map_err(malformed)?;
    Ok(value)
}

fn malformed(error: serde_json::Error) -> ApiError {
    ApiError::bad_request(
        "malformed_json",
        format!("the body is not valid JSON: {}", without_position(&error)),
    )
}

/// The refusal of a body that did not deserialize.
fn refusal<T: RequestBody>(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let field = match error.path().iter().next() {
        Some(Segment::Map { key }) => Some(key.clone()),
        _ => None,
    };
    let inner = error.into_inner();
    if !inner.is_data() {
        return malformed(inner);
    }
    let reason = without_position(&inner);
    let absent = missing_field(&reason);
    let (field, missing) = match (field, absent) {
        // An error at the root naming a field: serde's "missing field `x`".
        (None, Some(name)) => (Some(name.to_owned()), true),
        (Some(field), _) => {
            let null = reason.starts_with("invalid type: null");
            (Some(field), null)
        }
        (None, None) => (None, false),
    };
    let Some(field) = field else {
        return invalid_body(&reason);
    };
    let Some(code) = T::field_code(&field, missing) else {
        return invalid_body(&reason);
    };
    let shown = shorten(&field);
    let message = if missing {
        format!("the body needs `{shown}`")
    } else if T::SECRET_FIELDS.contains(&field.as_str()) {
        format!("`{shown}` must be a string")
    } else {
        format!("`{shown}`: {reason}")
    };
    ApiError::bad_request(code, message)
}

fn invalid_body(reason: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_body",
        format!("the body does not have the expected shape: {reason}"),
    )
}

/// The field serde's "missing field `name`" error names.
fn missing_field(reason: &str) -> Option<&str> {
    reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
}

/// serde_json's message without its " at line L column C" (the body is one line to most clients).
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) if error.line() > 0 => message.to_owned(),
        _ => text,
    }
}

/// At most 64 characters of a field name the client chose.
fn shorten(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read only through `parse`
    struct Sample {
        name: synerise_auth_token::Email,
        secret: String,
        #[serde(default)]
        count: Option<u8>,
    }

    impl RequestBody for Sample {
        fn field_code(field: &str, missing: bool) -> Option<&'static str> {
            match (field, missing) {
                ("name", true) => Some("missing_name"),
                ("name", false) => Some("invalid_name"),
                ("secret", _) => Some("missing_secret"),
                _ => None,
            }
        }
        const SECRET_FIELDS: &'static [&'static str] = &["secret"];
    }

    fn code(body: &str) -> (&'static str, String) {
        let error = parse::<Sample>(body.as_bytes()).unwrap_err();
        (error.code(), error.to_string())
    }

    #[test]
    fn each_failure_gets_its_fields_code() {
        for (body, expected) in [
            (r#"{"secret": "x"}"#, "missing_name"),
            (r#"{"name": null, "secret": "x"}"#, "missing_name"),
            (r#"{"name": "nope", "secret": "x"}"#, "invalid_name"),
            (r#"{"name": 7, "secret": "x"}"#, "invalid_name"),
            (r#"{"name": "a@example.com"}"#, "missing_secret"),
            (
                r#"{"name": "a@example.com", "secret": 5}"#,
                "missing_secret",
            ),
            (
                r#"{"name": "a@example.com", "secret": "x", "count": 900}"#,
                "invalid_body",
            ),
            ("[1, 2]", "invalid_body"),
            (r#""a@example.com""#, "invalid_body"),
            ("null", "invalid_body"),
            ("{\"name\":", "malformed_json"),
            ("", "malformed_json"),
            (
                r#"{"name": "a@example.com", "secret": "x"} {}"#,
                "malformed_json",
            ),
        ] {
            assert_eq!(code(body).0, expected, "{body}");
        }
        assert_eq!(
            parse::<Sample>(b"\xff\xfe").unwrap_err().code(),
            "malformed_json"
        );
    }

    #[test]
    fn messages_name_the_field_and_never_quote_a_secret() {
        let (_, message) = code(r#"{"secret": "x"}"#);
        assert_eq!(message, "the body needs `name`");
        let (_, message) = code(r#"{"name": "a@example.com", "secret": {"hunter2": 1}}"#);
        assert_eq!(message, "`secret` must be a string");
        let (_, message) = code(r#"{"name": "nope", "secret": "x"}"#);
        assert!(message.starts_with("`name`: "), "{message}");
        assert!(!message.contains("line 1"), "{message}");
    }

    #[test]
    fn valid_bodies_ignore_unknown_fields() {
        let sample =
            parse::<Sample>(br#"{"name": "A@Example.com", "secret": "x", "other": [1]}"#).unwrap();
        assert_eq!(sample.name.as_str(), "A@example.com");
    }

    #[test]
    fn json_content_types() {
        for (value, json) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/merge-patch+json", true),
            ("text/json", false),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_json(&headers), json, "{value}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }
}
