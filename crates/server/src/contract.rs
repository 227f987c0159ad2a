//! The token-endpoint contract: what `POST /generate-jwt` answers, and what any other route that
//! hands tokens to the browser core must answer too (a shop's own route in front of the service,
//! the Python and Node packages).
//!
//! It is published as a JSON Schema (2020-12, the dialect of OpenAPI 3.1) in
//! [`SCHEMA_FILE`], made here from the very types `/openapi.json` describes the route with, so
//! the two cannot drift: a test compares the published file with [`schema`]. JSON Schema speaks
//! of bodies only; what it cannot say (statuses, their stable codes, the headers) is carried in
//! the same document under `x-replies`, made from [`REFUSALS`] and [`TOKEN_HEADERS`], which
//! `synerise-auth check-endpoint` checks against.

use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, openapi::ApiDoc};

/// Where the schema is published, from the repository's root.
pub const SCHEMA_FILE: &str = "contract/token-endpoint.schema.json";

/// The name of the token reply's schema, in `/openapi.json`'s components and the file's `$defs`.
pub const TOKEN_REPLY: &str = "TokenResponse";
/// The name of the refusal's schema.
pub const REFUSAL_BODY: &str = "ErrorBody";

/// A refusal the contract names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The stable codes it may carry; empty: any snake_case code.
    pub codes: &'static [&'static str],
    /// Whether the reply must say in `Retry-After` when to try again.
    pub retry_after: bool,
    /// When it is given.
    pub when: &'static str,
}

/// Nobody is signed in. `not_signed_in` is what a shop's route answers; the service says
/// `missing_credentials` when no credential came at all. The browser core treats both alike: it
/// drops the token it holds.
pub const NOT_SIGNED_IN: Refusal = Refusal {
    status: 401,
    codes: &["not_signed_in", "missing_credentials"],
    retry_after: false,
    when: "nobody is signed in: no session, or one that has ended",
};

/// A request that carries the customer's cookie but was made by another site's page.
pub const CROSS_SITE: Refusal = Refusal {
    status: 403,
    codes: &["cross_site_request"],
    retry_after: false,
    when: "the request came from another site's page (Sec-Fetch-Site, or else Origin, names another site): a cookie-authenticated endpoint must not sign for it",
};

/// Too many tokens asked for.
pub const RATE_LIMITED: Refusal = Refusal {
    status: 429,
    codes: &["rate_limited"],
    retry_after: true,
    when: "too many requests for this customer or client; retry after Retry-After seconds",
};

/// Something the endpoint depends on cannot serve now; nothing was written.
pub const UNAVAILABLE: Refusal = Refusal {
    status: 503,
    codes: &[],
    retry_after: true,
    when: "something the endpoint depends on (a store, an identity provider, the signing service) cannot serve now; retry after Retry-After seconds",
};

/// Every refusal the contract names, by status.
pub const REFUSALS: [Refusal; 4] = [NOT_SIGNED_IN, CROSS_SITE, RATE_LIMITED, UNAVAILABLE];

/// The refusal the contract names for `status`, if any.
#[must_use]
pub fn refusal_for(status: u16) -> Option<&'static Refusal> {
    REFUSALS.iter().find(|r| r.status == status)
}

/// The headers every token reply (200) carries, and what they must say.
pub const TOKEN_HEADERS: [(&str, &str); 2] = [
    (
        "Cache-Control",
        "no-store: a token is never kept by a browser's or a proxy's cache",
    ),
    (
        "Date",
        "the endpoint's time, an HTTP date: the browser core measures its clock's skew by it before it schedules the renewal",
    ),
];

/// The schema document, as published in [`SCHEMA_FILE`].
///
/// # Errors
/// When the types' schemas cannot be found in the OpenAPI document (a bug).
pub fn schema() -> anyhow::Result<Value> {
    let (_, spec) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(crate::routes::token::generate_jwt))
        .split_for_parts();
    let components = spec
        .components
        .ok_or_else(|| anyhow::anyhow!("the OpenAPI document has no components"))?;
    let mut defs = Map::new();
    for name in [TOKEN_REPLY, REFUSAL_BODY] {
        let schema = components
            .schemas
            .get(name)
            .ok_or_else(|| anyhow::anyhow!("the OpenAPI document has no schema {name}"))?;
        defs.insert(name.to_owned(), serde_json::to_value(schema)?);
    }
    let def = |name: &str| format!("#/$defs/{name}");
    let mut replies = Map::new();
    let headers: Map<String, Value> = TOKEN_HEADERS
        .iter()
        .map(|(name, what)| ((*name).to_owned(), Value::from(*what)))
        .collect();
    replies.insert(
        "200".to_owned(),
        json!({ "body": def(TOKEN_REPLY), "headers": headers }),
    );
    for refusal in REFUSALS {
        let mut reply = json!({
            "body": def(REFUSAL_BODY),
            "codes": refusal.codes,
            "when": refusal.when,
        });
        if refusal.retry_after {
            reply["headers"] = json!({ "Retry-After": "seconds until a retry may succeed" });
        }
        replies.insert(refusal.status.to_string(), reply);
    }
    Ok(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "synerise-auth token endpoint",
        "description": "The reply of a token endpoint (the service's POST /generate-jwt, or a shop's own route the browser core's `tokenEndpoint` points at): a token reply on 200, a refusal otherwise. `x-replies` lists, by status, the body, the stable codes (empty: any snake_case code) and the headers each reply must carry. Generated from the service's types: do not edit by hand.",
        "oneOf": [ { "$ref": def(TOKEN_REPLY) }, { "$ref": def(REFUSAL_BODY) } ],
        "$defs": defs,
        "x-replies": replies,
    }))
}

/// [`schema`] as published: pretty JSON and a final newline.
///
/// # Errors
/// As [`schema`].
pub fn schema_text() -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(&schema()?)? + "\n")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn published() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(SCHEMA_FILE)
    }

    /// `SYNERISE_AUTH_WRITE_CONTRACT=1` rewrites the file after a deliberate change of the types.
    #[test]
    fn the_published_schema_is_the_one_the_types_make() {
        let generated = schema_text().unwrap();
        if std::env::var_os("SYNERISE_AUTH_WRITE_CONTRACT").is_some() {
            std::fs::write(published(), &generated).unwrap();
        }
        let file = std::fs::read_to_string(published()).unwrap_or_default();
        assert!(
            file == generated,
            "{SCHEMA_FILE} differs from what the types make; if the change is meant, run \
             `SYNERISE_AUTH_WRITE_CONTRACT=1 cargo test -p synerise-auth-server contract` and commit it"
        );
    }

    #[test]
    fn the_schema_requires_the_reply_fields_and_a_snake_case_code() {
        let schema = schema().unwrap();
        let token = &schema["$defs"][TOKEN_REPLY];
        let mut required: Vec<&str> = token["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        required.sort_unstable();
        assert_eq!(required, ["expiresAt", "jwt", "uuid"]);
        assert_eq!(token["properties"]["uuid"]["format"], "uuid");
        assert_eq!(token["properties"]["expiresAt"]["format"], "date-time");
        let refusal = &schema["$defs"][REFUSAL_BODY];
        assert_eq!(
            refusal["properties"]["code"]["pattern"],
            "^[a-z][a-z0-9_]*$"
        );
        // No reference is left pointing into an OpenAPI document.
        assert!(!schema.to_string().contains("#/components/"));
        assert_eq!(schema["x-replies"]["429"]["codes"], json!(["rate_limited"]));
        assert!(schema["x-replies"]["503"]["headers"]["Retry-After"].is_string());
        assert!(schema["x-replies"]["200"]["headers"]["Date"].is_string());
    }

    #[test]
    fn every_refusal_is_found_by_its_status() {
        for refusal in REFUSALS {
            assert_eq!(refusal_for(refusal.status), Some(&refusal));
        }
        assert_eq!(refusal_for(200), None);
        assert_eq!(refusal_for(418), None);
    }
}
