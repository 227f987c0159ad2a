//! The parsers of arguments that clap does not read alone.

use synerise_auth_server::Secret;
use synerise_auth_token::{Email, PublicKeyFormat};

pub(super) fn parse_bits(text: &str) -> Result<u32, String> {
    match text {
        "2048" | "3072" | "4096" => text.parse().map_err(|_| String::new()),
        _ => Err("choose 2048, 3072 or 4096".to_owned()),
    }
}

/// Held as a [`Secret`] from the start, so that no `Debug` of the arguments prints it.
pub(super) fn parse_secret(text: &str) -> Result<Secret, String> {
    Ok(Secret::new(text))
}

pub(super) fn parse_format(text: &str) -> Result<PublicKeyFormat, String> {
    text.parse()
}

pub(super) fn parse_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|e| e.to_string())?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!("expected an http or https URL, not {other}:")),
    }
}

/// `NAME: VALUE`, both valid in HTTP.
pub(super) fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| "expected `NAME: VALUE`".to_owned())?;
    let (name, value) = (name.trim(), value.trim());
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a header name"))?;
    reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| format!("the value of `{name}` is not a header value"))?;
    Ok((name.to_owned(), value.to_owned()))
}

pub(super) fn parse_email(text: &str) -> Result<Email, String> {
    Email::parse(text).map_err(|e| e.to_string())
}
