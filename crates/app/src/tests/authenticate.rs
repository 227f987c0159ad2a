//! Who is asking: each door, and each refusal with its kind and code.

use super::*;
use crate::{Caller, Credential};

async fn signed_in(app: &App) -> String {
    let signed_in = app
        .sign_up(
            CLIENT,
            same_origin(),
            email("ann@example.com"),
            &password(PASSWORD),
        )
        .await
        .unwrap();
    signed_in.token.expose_secret().to_owned()
}

#[tokio::test]
async fn an_api_key_is_the_back_end() {
    let t = app().await;
    let caller = t
        .app
        .authenticate(Credential::Bearer(API_KEY))
        .await
        .unwrap();
    assert_eq!(caller, Caller::ApiKey);
    assert_eq!(caller.method(), "api_key");
    assert_eq!(caller.customer(), None);
}

#[tokio::test]
async fn no_credential_and_a_malformed_header_are_refused() {
    let t = app().await;
    refused(
        t.app.authenticate(Credential::None).await,
        "unauthorized",
        "missing_credentials",
    );
    refused(
        t.app.authenticate(Credential::MalformedAuthorization).await,
        "unauthorized",
        "invalid_authorization",
    );
}

#[tokio::test]
async fn a_wrong_bearer_credential_is_refused_with_or_without_a_jwt_shape() {
    let t = app().await;
    for presented in ["not the API key at all, though long", "a.b.c"] {
        refused(
            t.app.authenticate(Credential::Bearer(presented)).await,
            "unauthorized",
            "invalid_credentials",
        );
    }
}

#[tokio::test]
async fn an_api_key_over_its_limit_waits() {
    let mut limited = settings();
    limited.limits.tokens_per_api_key_per_minute = 1;
    let t = app_with(limited).await;
    t.app
        .authenticate(Credential::Bearer(API_KEY))
        .await
        .unwrap();
    refused(
        t.app.authenticate(Credential::Bearer(API_KEY)).await,
        "too_many_requests",
        "rate_limited",
    );
}

#[tokio::test]
async fn a_live_session_is_its_customer() {
    let t = app().await;
    let token = signed_in(&t.app).await;
    let caller = t
        .app
        .authenticate(Credential::SessionCookie {
            token: &token,
            site: same_origin(),
        })
        .await
        .unwrap();
    assert_eq!(
        caller,
        Caller::Session {
            email: email("ann@example.com")
        }
    );
    assert_eq!(caller.method(), "session");
    assert_eq!(caller.customer(), Some(&email("ann@example.com")));
}

#[tokio::test]
async fn a_session_used_from_another_site_is_refused() {
    let t = app().await;
    let token = signed_in(&t.app).await;
    refused(
        t.app
            .authenticate(Credential::SessionCookie {
                token: &token,
                site: cross_site(),
            })
            .await,
        "forbidden",
        "cross_site_request",
    );
    let allowed = RequestSite {
        fetch_site: Some("cross-site"),
        origin: Some("https://shop.example"),
        host: None,
    };
    t.app
        .authenticate(Credential::SessionCookie {
            token: &token,
            site: allowed,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn an_ended_unknown_or_malformed_session_is_not_signed_in() {
    let t = app().await;
    let token = signed_in(&t.app).await;
    let unknown = synerise_auth_store::SessionToken::generate();
    for cookie in ["not a session token", unknown.expose_secret()] {
        refused(
            t.app
                .authenticate(Credential::SessionCookie {
                    token: cookie,
                    site: same_origin(),
                })
                .await,
            "unauthorized",
            "not_signed_in",
        );
    }
    // Idle for longer than the idle lifetime: ended, by the app's clock.
    t.clock.advance(3601);
    refused(
        t.app
            .authenticate(Credential::SessionCookie {
                token: &token,
                site: same_origin(),
            })
            .await,
        "unauthorized",
        "not_signed_in",
    );
}

#[tokio::test]
async fn a_session_over_its_limit_waits() {
    let mut limited = settings();
    limited.limits.tokens_per_session_per_minute = 1;
    let t = app_with(limited).await;
    let token = signed_in(&t.app).await;
    let credential = Credential::SessionCookie {
        token: &token,
        site: same_origin(),
    };
    t.app.authenticate(credential).await.unwrap();
    refused(
        t.app.authenticate(credential).await,
        "too_many_requests",
        "rate_limited",
    );
}
