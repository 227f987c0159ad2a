//! `check-endpoint`: sends the three requests and prints what the checks say. The checks
//! themselves are in `crate::endpoint_check`.

use std::{path::Path, process::ExitCode, time::Duration};

use reqwest::{Client, header::HeaderMap};
use synerise_auth_server::contract::{CROSS_SITE, NOT_SIGNED_IN};
use synerise_auth_token::{Clock as _, PublicKey, SystemClock, UuidSalt, Verifier};

use crate::{
    cli::CheckEndpointArgs,
    endpoint_check::{Check, Expected, Reply, Schemas, refusal_reply, token_reply},
};

/// The exit code of a usage error (as clap's).
const USAGE: u8 = 2;
/// The most of a reply's body read: a token reply is under 2 KB.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// The other site the cross-site request claims to come from.
const OTHER_SITE: &str = "https://other-site.invalid";

pub(crate) fn check_endpoint(args: CheckEndpointArgs) -> anyhow::Result<ExitCode> {
    let key = match PublicKey::from_file(&args.public_key) {
        Ok(key) => key,
        Err(e) => return usage(&format!("--public-key: {e}")),
    };
    let salt = match args.salt_file.as_deref().map(read_salt).transpose() {
        Ok(salt) => salt,
        Err(e) => return usage(&format!("--salt-file: {e}")),
    };
    let schemas = Schemas::published()?;
    let verifier = Verifier::new(&key);
    let expected = Expected {
        verifier: &verifier,
        email: args.expect_email.as_ref(),
        salt: salt.as_ref(),
    };
    // The body the browser core sends: `{"email": ...}` (`{}` when no customer is named).
    let body = match &args.expect_email {
        Some(email) => serde_json::json!({ "email": email.as_str() }),
        None => serde_json::json!({}),
    }
    .to_string();
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(args.timeout))
        .build()?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let checks = runtime.block_on(async {
        let post = |headers: Vec<(String, String)>| {
            let request = client.post(args.url.clone()).body(body.clone());
            send(request, headers)
        };
        let browser = |extra: &[(&str, &str)]| {
            // A same-origin page's fetch, then what the caller gave (which may replace it).
            let mut headers = vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Accept".to_owned(), "application/json".to_owned()),
                ("Sec-Fetch-Site".to_owned(), "same-origin".to_owned()),
            ];
            headers.extend(args.headers.iter().cloned());
            for (name, value) in extra {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                headers.push(((*name).to_owned(), (*value).to_owned()));
            }
            headers
        };
        let mut checks = Vec::new();
        let now = SystemClock.now();
        match post(browser(&[])).await {
            Ok(reply) => checks.extend(token_reply("signed-in", &reply, &schemas, &expected, now)),
            Err(e) => checks.push(unanswered("signed-in", &e)),
        }
        let anonymous = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Sec-Fetch-Site".to_owned(), "same-origin".to_owned()),
        ];
        match post(anonymous).await {
            Ok(reply) => {
                checks.extend(refusal_reply("anonymous", &reply, &NOT_SIGNED_IN, &schemas))
            }
            Err(e) => checks.push(unanswered("anonymous", &e)),
        }
        if !args.no_cross_site {
            let cross = browser(&[("Sec-Fetch-Site", "cross-site"), ("Origin", OTHER_SITE)]);
            match post(cross).await {
                Ok(reply) => {
                    checks.extend(refusal_reply("cross-site", &reply, &CROSS_SITE, &schemas))
                }
                Err(e) => checks.push(unanswered("cross-site", &e)),
            }
        }
        checks
    });

    let failed = checks.iter().filter(|c| !c.held()).count();
    for check in &checks {
        match &check.outcome {
            Ok(()) => println!("ok    {}", check.name),
            Err(why) => println!("FAIL  {}: {why}", check.name),
        }
    }
    println!(
        "{} of {} checks held against {}",
        checks.len() - failed,
        checks.len(),
        args.url
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn usage(message: &str) -> anyhow::Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(USAGE))
}

/// The salt as `serve` reads its salt file: the text, trimmed.
fn read_salt(path: &Path) -> anyhow::Result<UuidSalt> {
    let text = std::fs::read_to_string(path)?;
    Ok(UuidSalt::new(text.trim())?)
}

/// Sends `request` with `headers`; the reply, its body read up to [`MAX_BODY_BYTES`].
async fn send(
    request: reqwest::RequestBuilder,
    headers: Vec<(String, String)>,
) -> anyhow::Result<Reply> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            reqwest::header::HeaderName::from_bytes(name.as_bytes())?,
            value.parse()?,
        );
    }
    let mut response = request.headers(map).send().await?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        anyhow::ensure!(
            body.len() + chunk.len() <= MAX_BODY_BYTES,
            "the body is over {MAX_BODY_BYTES} bytes"
        );
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn unanswered(label: &str, error: &anyhow::Error) -> Check {
    Check {
        name: format!("{label}: an answer"),
        outcome: Err(format!("{error:#}")),
    }
}
