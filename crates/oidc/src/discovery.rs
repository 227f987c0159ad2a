//! The issuer's discovery document (OpenID Connect Discovery 1.0): only `jwks_uri` is used, and
//! only after checking that the document is the configured issuer's own.

use reqwest::{Client, Url};
use serde_json::Value;

use crate::{
    endpoint::check_endpoint,
    fetch::{FetchLimits, get_json},
};

/// Fetches `<issuer>/.well-known/openid-configuration` and returns its `jwks_uri`.
///
/// # Errors
/// A sentence for the logs: the fetch failed, the document names another issuer (section 4.3
/// requires them to be identical, which stops a document from steering us to someone else's
/// keys), or `jwks_uri` is missing or not an acceptable URL.
pub(super) async fn jwks_uri(
    http: &Client,
    discovery_url: &Url,
    issuer: &str,
    limits: FetchLimits,
) -> Result<Url, String> {
    let document = get_json(http, discovery_url, limits).await?;
    match document.get("issuer") {
        Some(Value::String(named)) if named == issuer => {}
        Some(Value::String(_)) => {
            return Err(format!(
                "the discovery document at {discovery_url} names another issuer than `{issuer}`"
            ));
        }
        _ => {
            return Err(format!(
                "the discovery document at {discovery_url} has no `issuer`"
            ));
        }
    }
    match document.get("jwks_uri") {
        Some(Value::String(uri)) => check_endpoint(uri)
            .map_err(|e| format!("the discovery document at {discovery_url}: jwks_uri {e}")),
        _ => Err(format!(
            "the discovery document at {discovery_url} has no `jwks_uri`"
        )),
    }
}
