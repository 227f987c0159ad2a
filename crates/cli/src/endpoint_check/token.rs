//! The signed-in request's reply: a token that the browser core can hand to the tracker.

use serde_json::Value;
use synerise_auth_token::{CustomerUuid, UnixTime, VerifiedToken};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::{
    check::{Check, Expected, Reply, is_json},
    refusal,
    schemas::Schemas,
};

/// The checks of a reply that must carry a token, as of `now` (the checker's clock).
pub(crate) fn token_reply(
    label: &str,
    reply: &Reply,
    schemas: &Schemas,
    expected: &Expected<'_>,
    now: UnixTime,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if reply.status != 200 {
        checks.push(Check::new(
            label,
            "status 200",
            Err(format!("got {}", reply.describe())),
        ));
        // A refusal still has a shape to keep (a 429's Retry-After, a JSON body).
        checks.extend(refusal::shape(label, reply, schemas));
        return checks;
    }
    checks.push(Check::new(label, "status 200", Ok(())));
    checks.push(Check::new(
        label,
        "Content-Type is application/json",
        is_json(reply),
    ));
    checks.push(Check::new(
        label,
        "Cache-Control: no-store",
        no_store(reply),
    ));
    let date = http_date(reply);
    checks.push(Check::new(
        label,
        "a Date header (an HTTP date)",
        date.clone().map(|_| ()),
    ));

    let body: Value = match serde_json::from_slice(&reply.body) {
        Ok(body) => body,
        Err(e) => {
            checks.push(Check::new(
                label,
                "the body is a token reply",
                Err(format!("it is not JSON: {e}")),
            ));
            return checks;
        }
    };
    let shape = schemas.token_reply(&body);
    let shaped = shape.is_ok();
    checks.push(Check::new(label, "the body is a token reply", shape));
    if !shaped {
        return checks;
    }
    let field = |name: &str| body[name].as_str().unwrap_or_default();

    let verified = expected.verifier.verify(field("jwt"), now);
    checks.push(Check::new(
        label,
        "the token verifies (RS256, with the key given)",
        verified
            .as_ref()
            .map(|_| ())
            .map_err(|e| format!("{} ({e})", e.code())),
    ));
    let Ok(token) = verified else {
        return checks;
    };
    checks.push(Check::new(
        label,
        "the token's exp equals expiresAt",
        exp_is_expires_at(&token, field("expiresAt")),
    ));
    if let Ok(date) = date {
        checks.push(Check::new(
            label,
            "the token's exp is after the Date header",
            if token.claims.exp > date {
                Ok(())
            } else {
                Err(format!(
                    "exp {} is not after the reply's Date ({date}): the token was dead on arrival",
                    token.claims.exp
                ))
            },
        ));
    }
    checks.push(Check::new(
        label,
        "the token's uuid equals the reply's",
        same_uuid(&token, field("uuid")),
    ));
    if let Some(email) = expected.email {
        checks.push(Check::new(
            label,
            "the token's email is the one expected",
            if token.claims.email == email.as_str() {
                Ok(())
            } else {
                Err("the token names another email".to_owned())
            },
        ));
    }
    if let Some(salt) = expected.salt {
        // The customer as the endpoint should know them: the expected email, else the token's.
        let email = expected
            .email
            .map_or(token.claims.email.as_str(), |e| e.as_str());
        let derived = CustomerUuid::derive(salt, email);
        checks.push(Check::new(
            label,
            "the token's uuid is UUIDv5 of the salt and the email",
            if token.claims.uuid == derived {
                Ok(())
            } else {
                Err(format!(
                    "it is {}, the salt gives {derived}",
                    token.claims.uuid
                ))
            },
        ));
    }
    checks
}

/// `Cache-Control` has the `no-store` directive.
fn no_store(reply: &Reply) -> Result<(), String> {
    match reply.header("cache-control") {
        None => Err("there is no Cache-Control".to_owned()),
        Some(value)
            if value
                .split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-store")) =>
        {
            Ok(())
        }
        Some(value) => Err(format!("it is `{value}`")),
    }
}

/// The `Date` header, in seconds since the epoch.
fn http_date(reply: &Reply) -> Result<i64, String> {
    let value = reply
        .header("date")
        .ok_or_else(|| "there is no Date header".to_owned())?;
    let at =
        httpdate::parse_http_date(value).map_err(|_| format!("`{value}` is not an HTTP date"))?;
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| format!("`{value}` is before 1970"))?
        .as_secs();
    i64::try_from(secs).map_err(|_| format!("`{value}` is out of range"))
}

/// `expiresAt` (RFC 3339) names the token's `exp`, to the second.
fn exp_is_expires_at(token: &VerifiedToken, expires_at: &str) -> Result<(), String> {
    let at = OffsetDateTime::parse(expires_at, &Rfc3339)
        .map_err(|e| format!("expiresAt `{expires_at}` is not an RFC 3339 time: {e}"))?;
    if at.unix_timestamp() == token.claims.exp {
        Ok(())
    } else {
        Err(format!(
            "expiresAt is {} (`{expires_at}`), exp is {}",
            at.unix_timestamp(),
            token.claims.exp
        ))
    }
}

/// The same uuid, written the same way: the tracker's uuid is the reply's, and an event's uuid
/// must equal the token's.
fn same_uuid(token: &VerifiedToken, uuid: &str) -> Result<(), String> {
    let claim = token.claims.uuid.to_string();
    if uuid == claim {
        Ok(())
    } else {
        Err(format!("the reply says `{uuid}`, the token {claim}"))
    }
}
