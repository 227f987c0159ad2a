//! Refusals: the status the contract names, a JSON `{error, code}` with a stable code, and
//! `Retry-After` where the client is to wait.

use serde_json::Value;
use synerise_auth_server::contract::{Refusal, refusal_for};

use super::{
    check::{Check, Reply, is_json},
    schemas::Schemas,
};

/// The checks of a reply that must be the refusal `expected`.
pub(crate) fn refusal_reply(
    label: &str,
    reply: &Reply,
    expected: &Refusal,
    schemas: &Schemas,
) -> Vec<Check> {
    let status = format!("status {}", expected.status);
    if reply.status != expected.status {
        let mut checks = vec![Check::new(
            label,
            status,
            Err(format!("got {}{}", reply.describe(), hint(reply))),
        )];
        checks.extend(shape(label, reply, schemas));
        return checks;
    }
    let mut checks = vec![Check::new(label, status, Ok(()))];
    checks.extend(shape(label, reply, schemas));
    checks
}

/// What every refusal keeps, whatever its status: a JSON `{error, code}`, and for a status the
/// contract names, one of its codes and `Retry-After` where it asks for one. Nothing for a reply
/// that is not a refusal.
pub(crate) fn shape(label: &str, reply: &Reply, schemas: &Schemas) -> Vec<Check> {
    if reply.status < 400 {
        return Vec::new();
    }
    let mut checks = vec![Check::new(
        label,
        "Content-Type is application/json",
        is_json(reply),
    )];
    let body = serde_json::from_slice::<Value>(&reply.body)
        .map_err(|e| format!("it is not JSON: {e}"))
        .and_then(|body| schemas.refusal(&body).map(|()| body));
    let named = refusal_for(reply.status);
    let code = body
        .as_ref()
        .ok()
        .and_then(|b| b["code"].as_str().map(str::to_owned));
    checks.push(Check::new(
        label,
        "the body is a refusal {error, code}",
        body.map(|_| ()),
    ));
    if let (Some(named), Some(code)) = (named, code)
        && !named.codes.is_empty()
    {
        checks.push(Check::new(
            label,
            format_args!("the code is {}", named.codes.join(" or ")),
            if named.codes.contains(&code.as_str()) {
                Ok(())
            } else {
                Err(format!("it is `{code}`"))
            },
        ));
    }
    if named.is_some_and(|n| n.retry_after) {
        checks.push(Check::new(
            label,
            "a Retry-After header",
            retry_after(reply),
        ));
    }
    checks
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(reply: &Reply) -> Result<(), String> {
    let value = reply
        .header("retry-after")
        .ok_or_else(|| "there is no Retry-After: the client cannot know when to retry".to_owned())?
        .trim();
    let seconds = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if seconds || httpdate::parse_http_date(value).is_ok() {
        Ok(())
    } else {
        Err(format!("`{value}` is neither seconds nor an HTTP date"))
    }
}

/// Why a reply may have the status it has, when the reason is a common mistake.
fn hint(reply: &Reply) -> &'static str {
    match reply.status {
        300..=399 => {
            " (a redirect: a token endpoint answers the script that called it; it does not send it to a sign-in page)"
        }
        200..=299 => " (a token for a request that should have been refused)",
        _ => "",
    }
}
