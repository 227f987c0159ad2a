//! The production deployment of `docs/production.md`, run: two `serve --production` instances on
//! one PostgreSQL database, one reading the key directory and the other a copy of it, behind nginx
//! terminating TLS with the configuration the page gives (read from the page itself, so the two
//! cannot drift apart). Through the proxy: the health check, a sign-up whose `Secure` session
//! cookie the browser keeps over HTTPS and which works on either instance, per-IP sign-in limits
//! that count each customer behind the proxy apart (`trusted_proxies` and `X-Forwarded-For`),
//! sign-out everywhere, and a token for the site's back end.
//!
//! Needs nginx (scripts/setup installs Debian's) and `SYNERISE_AUTH_TEST_DATABASE_URL`; without
//! either the test says it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod instance;
mod proxy;

use std::{path::Path, process::Command};

use common::{Running, keygen, keys_init};
use instance::{API_KEY, PASSWORD, TestDatabase, instance_command};
use proxy::{HOST, Nginx, https_client, nginx_binary};
use serde_json::{Value, json};

#[test]
fn two_instances_behind_nginx_as_the_readme_deploys_them() {
    let Some(nginx) = nginx_binary() else {
        eprintln!("SKIPPED: nginx is not installed (scripts/setup installs it)");
        return;
    };
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // One key directory, and a copy of it for the second instance, modes kept.
    keygen(work.path());
    let keys = work.path().join("keys");
    keys_init(&keys, Some(&work.path().join("private.pem")));
    let copy = work.path().join("keys-copy");
    let copied = Command::new("cp")
        .arg("-a")
        .arg(&keys)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(copied.success());

    let a = start_instance(&database.url, &keys, &work.path().join("a"));
    let b = start_instance(&database.url, &copy, &work.path().join("b"));
    let proxy = Nginx::start(&nginx, work.path(), [&a.address, &b.address]);
    let client = https_client(&proxy);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = |path: &str| format!("https://{HOST}:{}{path}", proxy.port);
        let send = |request: reqwest::RequestBuilder, from: &str| {
            request.header("X-Forwarded-For", from).send()
        };

        // The health check, through TLS: the same active key on both instances.
        let mut kids = Vec::new();
        for _ in 0..2 {
            let health: Value = client
                .get(url("/healthz"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            kids.push(health["kid"].clone());
        }
        assert!(kids[0].is_string(), "{kids:?}");
        assert_eq!(kids[0], kids[1], "{kids:?}");

        // A sign-up: its session cookie is Secure, kept over HTTPS, and works on either instance.
        let signed_up = send(
            client
                .post(url("/api/accounts"))
                .json(&json!({"email": "ann@example.com", "password": PASSWORD})),
            "198.51.100.1",
        )
        .await
        .unwrap();
        assert_eq!(signed_up.status(), 201);
        let cookie = signed_up
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("__Host-"))
            .unwrap_or_else(|| panic!("no session cookie in {:?}", signed_up.headers()));
        assert!(cookie.contains("Secure"), "{cookie}");
        for _ in 0..4 {
            let me = client.get(url("/api/session")).send().await.unwrap();
            assert_eq!(me.status(), 200);
        }

        // Per-IP limits (one sign-in a minute per instance) count each customer apart: another
        // address behind the same proxy is not held back by the first one's attempts.
        let sign_in = || {
            client
                .post(url("/api/session"))
                .json(&json!({"email": "ann@example.com", "password": PASSWORD}))
        };
        let mut signed_in = 0;
        let refused = loop {
            let reply = send(sign_in(), "198.51.100.7").await.unwrap();
            if reply.status() == 429 {
                break reply.json::<Value>().await.unwrap();
            }
            assert_eq!(reply.status(), 200);
            signed_in += 1;
            assert!(signed_in <= 2, "more sign-ins than one per instance");
        };
        assert_eq!(refused["code"], "rate_limited");
        assert_eq!(send(sign_in(), "198.51.100.8").await.unwrap().status(), 200);

        // Signed out through one instance: signed out on both.
        assert_eq!(
            client
                .delete(url("/api/session"))
                .send()
                .await
                .unwrap()
                .status(),
            204
        );
        for _ in 0..2 {
            let me = client.get(url("/api/session")).send().await.unwrap();
            assert_eq!(me.status(), 401);
        }

        // The site's back end gets its tokens through the proxy too.
        let token = client
            .post(url("/generate-jwt"))
            .bearer_auth(API_KEY)
            .json(&json!({"email": "ann@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), 200);
    });
    drop(proxy);
    a.stop();
    b.stop();
}

fn start_instance(url: &str, key: &Path, data_dir: &Path) -> Running {
    let mut command = instance_command(url, key, data_dir);
    command
        .env("SYNERISE_AUTH_PRODUCTION", "true")
        .env("SYNERISE_AUTH_SIGNUP", "true")
        .env("SYNERISE_AUTH_CONNECTIONS__TRUSTED_PROXIES", "127.0.0.1")
        .env("SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP_PER_MINUTE", "1");
    Running::start_command(command, "synerise-auth listening on http://")
}
