//! One bounded HTTP GET of a JSON document from the identity provider: a time limit on the whole
//! exchange (body included) and a size limit enforced while the body streams in, so a slow or
//! hostile endpoint can neither hold a request for long nor make the service buffer much.

use std::{error::Error as _, time::Duration};

use reqwest::{Client, Url, header};
use serde_json::Value;

use crate::endpoint::check_endpoint;

/// Limits for one fetch.
#[derive(Debug, Clone, Copy)]
pub(super) struct FetchLimits {
    /// For the whole exchange: connect, headers and body.
    pub(super) timeout: Duration,
    /// For the body.
    pub(super) max_bytes: usize,
}

/// GETs `url` and parses the body as JSON.
///
/// # Errors
/// A sentence for the logs naming the URL and what failed: the connection, the status, the time
/// limit, the size limit or the JSON.
pub(super) async fn get_json(
    http: &Client,
    url: &Url,
    limits: FetchLimits,
) -> Result<Value, String> {
    let exchange = async {
        let mut response = http
            .get(url.clone())
            .header(header::ACCEPT, "application/json")
            .timeout(limits.timeout)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {}", with_causes(&e)))?;
        // The client may follow redirects: the keys must still come from an acceptable place
        // (an https:// URL redirecting to http:// would otherwise undo that rule).
        if let Err(e) = check_endpoint(response.url().as_str()) {
            return Err(format!("GET {url}: redirected: {e}"));
        }
        let status = response.status();
        if !status.is_success() {
            return Err(format!("GET {url}: HTTP {status}"));
        }
        let too_large = || format!("GET {url}: the body is over {} bytes", limits.max_bytes);
        if response
            .content_length()
            .is_some_and(|len| len > limits.max_bytes as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("GET {url}: reading the body: {}", with_causes(&e)))?
        {
            if body.len() + chunk.len() > limits.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: the body is not JSON ({e})"))
    };
    // reqwest's own timeout covers the body too; this one also bounds whatever it might not.
    tokio::time::timeout(limits.timeout, exchange)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "GET {url}: no complete answer within {} ms",
                limits.timeout.as_millis()
            ))
        })
}

/// An error and its causes on one line (reqwest's own message hides "connection refused" in its
/// source chain).
fn with_causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
