//! Each check holds on a reply that keeps the contract and fails on one that breaks it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::path::PathBuf;

use serde_json::json;
use synerise_auth_server::contract::{CROSS_SITE, NOT_SIGNED_IN, RATE_LIMITED, UNAVAILABLE};
use synerise_auth_token::{
    CustomerUuid, Email, Issuer, SigningKey, TokenTtl, UnixTime, UuidSalt, Verifier,
};

use super::*;

const NOW: i64 = 1_800_000_000;
/// `NOW` as an HTTP date.
const NOW_DATE: &str = "Fri, 15 Jan 2027 08:00:00 GMT";

fn fixture(name: &str) -> SigningKey {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../token/tests/fixtures")
        .join(name);
    SigningKey::from_file(&path).unwrap()
}

struct Setup {
    schemas: Schemas,
    issuer: Issuer,
    verifier: Verifier,
    email: Email,
    salt: UuidSalt,
}

impl Setup {
    fn new() -> Self {
        let issuer = Issuer::new(fixture("rsa2048-pkcs8.pem"), None);
        let verifier = Verifier::new(issuer.public_key());
        Self {
            schemas: Schemas::published().unwrap(),
            issuer,
            verifier,
            email: Email::parse("ann@example.com").unwrap(),
            salt: UuidSalt::new("a-salt").unwrap(),
        }
    }

    fn expected(&self) -> Expected<'_> {
        Expected {
            verifier: &self.verifier,
            email: Some(&self.email),
            salt: Some(&self.salt),
        }
    }

    /// `(jwt, uuid, expiresAt)` of a good token for ann, issued now for an hour.
    fn token(&self) -> (String, String, String) {
        let uuid = CustomerUuid::derive(&self.salt, self.email.as_str());
        let issued = self
            .issuer
            .issue(
                &self.email,
                &uuid,
                "1h".parse::<TokenTtl>().unwrap(),
                UnixTime::from_secs(NOW),
            )
            .unwrap();
        let expires = UnixTime::from_secs(issued.claims().exp)
            .to_rfc3339()
            .unwrap();
        (issued.token().to_owned(), uuid.to_string(), expires)
    }

    fn checks(&self, reply: &Reply) -> Vec<Check> {
        token_reply(
            "signed-in",
            reply,
            &self.schemas,
            &self.expected(),
            UnixTime::from_secs(NOW),
        )
    }
}

fn reply(status: u16, headers: &[(&str, &str)], body: &serde_json::Value) -> Reply {
    Reply {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned()))
            .collect(),
        body: body.to_string().into_bytes(),
    }
}

const GOOD_HEADERS: [(&str, &str); 3] = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("Date", NOW_DATE),
];

fn good_reply(setup: &Setup) -> Reply {
    let (jwt, uuid, expires_at) = setup.token();
    reply(
        200,
        &GOOD_HEADERS,
        &json!({ "jwt": jwt, "uuid": uuid, "expiresAt": expires_at }),
    )
}

/// The names of the checks that failed.
fn failed(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| !c.held())
        .map(|c| c.name.clone())
        .collect()
}

/// Exactly the check named `name` (after the label) failed.
#[track_caller]
fn only_failed(checks: &[Check], name: &str) {
    assert_eq!(
        failed(checks),
        [format!("signed-in: {name}")],
        "{checks:#?}"
    );
}

#[test]
fn a_good_token_reply_passes_every_check() {
    let setup = Setup::new();
    let checks = setup.checks(&good_reply(&setup));
    assert!(failed(&checks).is_empty(), "{checks:#?}");
    // all of them ran, the salt's and the email's included
    assert_eq!(checks.len(), 11, "{checks:#?}");
}

#[test]
fn a_reply_without_no_store_or_date_fails_those_checks() {
    let setup = Setup::new();
    let mut reply = good_reply(&setup);
    reply.headers.retain(|(n, _)| n != "cache-control");
    only_failed(&setup.checks(&reply), "Cache-Control: no-store");
    reply
        .headers
        .push(("cache-control".into(), "private, max-age=60".into()));
    only_failed(&setup.checks(&reply), "Cache-Control: no-store");

    let mut reply = good_reply(&setup);
    reply.headers.retain(|(n, _)| n != "date");
    only_failed(&setup.checks(&reply), "a Date header (an HTTP date)");
    reply.headers.push(("date".into(), "yesterday".into()));
    only_failed(&setup.checks(&reply), "a Date header (an HTTP date)");
}

#[test]
fn a_reply_not_sent_as_json_fails() {
    let setup = Setup::new();
    let mut reply = good_reply(&setup);
    reply.headers[0].1 = "text/html".into();
    only_failed(&setup.checks(&reply), "Content-Type is application/json");
}

#[test]
fn a_body_off_the_schema_fails_and_stops_there() {
    let setup = Setup::new();
    let (jwt, uuid, _) = setup.token();
    for body in [
        json!({ "jwt": jwt, "uuid": uuid }),
        json!({ "jwt": jwt, "uuid": "not-a-uuid", "expiresAt": "2027-01-15T09:00:00Z" }),
        json!({ "jwt": jwt, "uuid": uuid, "expiresAt": "tomorrow" }),
        json!({ "token": jwt }),
    ] {
        let checks = setup.checks(&reply(200, &GOOD_HEADERS, &body));
        only_failed(&checks, "the body is a token reply");
        assert_eq!(checks.len(), 5, "no check of a token that is not there");
    }
    let mut not_json = good_reply(&setup);
    not_json.body = b"<html>".to_vec();
    only_failed(&setup.checks(&not_json), "the body is a token reply");
}

#[test]
fn a_token_signed_with_another_key_fails_verification() {
    let setup = Setup::new();
    let other = Setup {
        issuer: Issuer::new(fixture("other-rsa2048.pem"), None),
        ..Setup::new()
    };
    let checks = setup.checks(&good_reply(&other));
    only_failed(&checks, "the token verifies (RS256, with the key given)");
    let why = checks.iter().find(|c| !c.held()).unwrap();
    assert!(
        why.outcome
            .as_ref()
            .unwrap_err()
            .starts_with("bad_signature"),
        "{why:?}"
    );
}

#[test]
fn an_expired_token_fails_verification() {
    let setup = Setup::new();
    let reply = good_reply(&setup);
    let checks = token_reply(
        "signed-in",
        &reply,
        &setup.schemas,
        &setup.expected(),
        UnixTime::from_secs(NOW + 7200),
    );
    only_failed(&checks, "the token verifies (RS256, with the key given)");
}

#[test]
fn an_expires_at_other_than_exp_fails() {
    let setup = Setup::new();
    let (jwt, uuid, _) = setup.token();
    let expires_at = UnixTime::from_secs(NOW + 3601).to_rfc3339().unwrap();
    let body = json!({ "jwt": jwt, "uuid": uuid, "expiresAt": expires_at });
    only_failed(
        &setup.checks(&reply(200, &GOOD_HEADERS, &body)),
        "the token's exp equals expiresAt",
    );
}

#[test]
fn a_token_dead_on_arrival_by_the_date_header_fails() {
    let setup = Setup::new();
    let mut reply = good_reply(&setup);
    // The endpoint's clock says two hours later: the token's hour is over by its own account.
    reply.headers[2].1 = "Fri, 15 Jan 2027 10:00:00 GMT".into();
    only_failed(
        &setup.checks(&reply),
        "the token's exp is after the Date header",
    );
}

#[test]
fn a_reply_uuid_other_than_the_token_s_fails() {
    let setup = Setup::new();
    let (jwt, uuid, expires_at) = setup.token();
    for other in [
        "0e9f3c6c-4d3b-5a5e-9f3e-6a7b2c1d0e9f".to_owned(),
        uuid.to_uppercase(),
    ] {
        let body = json!({ "jwt": jwt, "uuid": other, "expiresAt": expires_at });
        only_failed(
            &setup.checks(&reply(200, &GOOD_HEADERS, &body)),
            "the token's uuid equals the reply's",
        );
    }
}

#[test]
fn another_customer_s_token_or_another_salt_fails() {
    let setup = Setup::new();
    let reply = good_reply(&setup);
    let bob = Email::parse("bob@example.com").unwrap();
    let expected = Expected {
        email: Some(&bob),
        salt: None,
        ..setup.expected()
    };
    let checks = token_reply(
        "signed-in",
        &reply,
        &setup.schemas,
        &expected,
        UnixTime::from_secs(NOW),
    );
    only_failed(&checks, "the token's email is the one expected");

    let salt = UuidSalt::new("another-salt").unwrap();
    let expected = Expected {
        salt: Some(&salt),
        ..setup.expected()
    };
    let checks = token_reply(
        "signed-in",
        &reply,
        &setup.schemas,
        &expected,
        UnixTime::from_secs(NOW),
    );
    only_failed(
        &checks,
        "the token's uuid is UUIDv5 of the salt and the email",
    );
}

#[test]
fn a_refusal_where_a_token_was_due_fails_and_its_shape_is_checked() {
    let setup = Setup::new();
    let refused = reply(
        429,
        &[("Content-Type", "application/json")],
        &json!({ "error": "too many requests", "code": "rate_limited" }),
    );
    let checks = setup.checks(&refused);
    assert_eq!(
        failed(&checks),
        ["signed-in: status 200", "signed-in: a Retry-After header"],
        "{checks:#?}"
    );
    assert_eq!(
        checks[0].outcome.as_ref().unwrap_err(),
        "got 429 rate_limited"
    );
}

fn refusal_checks(reply: &Reply, expected: &synerise_auth_server::contract::Refusal) -> Vec<Check> {
    refusal_reply("anonymous", reply, expected, &Schemas::published().unwrap())
}

fn refused(status: u16, code: &str) -> Reply {
    reply(
        status,
        &[("Content-Type", "application/json"), ("Retry-After", "3")],
        &json!({ "error": "a sentence", "code": code }),
    )
}

#[test]
fn refusals_with_the_contract_s_status_and_code_pass() {
    for (reply, expected) in [
        (refused(401, "not_signed_in"), NOT_SIGNED_IN),
        (refused(401, "missing_credentials"), NOT_SIGNED_IN),
        (refused(403, "cross_site_request"), CROSS_SITE),
        (refused(429, "rate_limited"), RATE_LIMITED),
        (refused(503, "storage_unavailable"), UNAVAILABLE),
    ] {
        let checks = refusal_checks(&reply, &expected);
        assert!(failed(&checks).is_empty(), "{checks:#?}");
    }
}

#[test]
fn a_refusal_with_another_status_or_code_fails() {
    let checks = refusal_checks(&refused(400, "invalid_email"), &NOT_SIGNED_IN);
    assert_eq!(failed(&checks), ["anonymous: status 401"], "{checks:#?}");
    // a status the contract names keeps its codes even where another was due
    let checks = refusal_checks(&refused(403, "forbidden"), &NOT_SIGNED_IN);
    assert_eq!(
        failed(&checks),
        [
            "anonymous: status 401",
            "anonymous: the code is cross_site_request"
        ],
        "{checks:#?}"
    );

    let checks = refusal_checks(&refused(401, "session_expired"), &NOT_SIGNED_IN);
    assert_eq!(
        failed(&checks),
        ["anonymous: the code is not_signed_in or missing_credentials"],
        "{checks:#?}"
    );

    let checks = refusal_checks(&refused(403, "csrf"), &CROSS_SITE);
    assert_eq!(
        failed(&checks),
        ["anonymous: the code is cross_site_request"]
    );
}

#[test]
fn a_token_where_a_refusal_was_due_fails_with_a_hint() {
    let setup = Setup::new();
    let checks = refusal_checks(&good_reply(&setup), &CROSS_SITE);
    assert_eq!(failed(&checks), ["anonymous: status 403"]);
    assert!(
        checks[0]
            .outcome
            .as_ref()
            .unwrap_err()
            .contains("a token for a request that should have been refused")
    );
    let redirect = reply(302, &[("Location", "/login")], &json!(null));
    let checks = refusal_checks(&redirect, &NOT_SIGNED_IN);
    assert!(
        checks[0]
            .outcome
            .as_ref()
            .unwrap_err()
            .contains("a redirect"),
        "{checks:#?}"
    );
}

#[test]
fn a_refusal_that_is_not_json_error_and_code_fails() {
    let html = Reply {
        status: 401,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<h1>Please sign in</h1>".to_vec(),
    };
    let checks = refusal_checks(&html, &NOT_SIGNED_IN);
    assert_eq!(
        failed(&checks),
        [
            "anonymous: Content-Type is application/json",
            "anonymous: the body is a refusal {error, code}"
        ],
        "{checks:#?}"
    );
    for body in [
        json!({ "error": "no" }),
        json!({ "code": "not_signed_in" }),
        json!({ "error": "no", "code": "Not Signed In" }),
    ] {
        let reply = reply(401, &[("Content-Type", "application/json")], &body);
        let names = failed(&refusal_checks(&reply, &NOT_SIGNED_IN));
        assert!(
            names.contains(&"anonymous: the body is a refusal {error, code}".to_owned()),
            "{body}: {names:?}"
        );
    }
}

#[test]
fn a_429_or_503_without_retry_after_fails() {
    for (status, code, expected) in [
        (429, "rate_limited", RATE_LIMITED),
        (503, "storage_unavailable", UNAVAILABLE),
    ] {
        let mut reply = refused(status, code);
        reply.headers.retain(|(n, _)| n != "retry-after");
        assert_eq!(
            failed(&refusal_checks(&reply, &expected)),
            ["anonymous: a Retry-After header"]
        );
        reply.headers.push(("retry-after".into(), "soon".into()));
        assert_eq!(
            failed(&refusal_checks(&reply, &expected)),
            ["anonymous: a Retry-After header"]
        );
        reply.headers.pop();
        reply.headers.push(("retry-after".into(), NOW_DATE.into()));
        assert!(failed(&refusal_checks(&reply, &expected)).is_empty());
    }
}
