//! Tokens for each kind of caller: whose email and uuid they carry, and the refusals.

use synerise_auth_token::CustomerUuid;

use super::*;
use crate::{Caller, ClientUuid, TokenRequest};

fn request(email_text: Option<&str>, uuid: Option<ClientUuid>) -> TokenRequest {
    TokenRequest {
        email: email_text.map(email),
        uuid,
    }
}

fn other_uuid() -> CustomerUuid {
    CustomerUuid::parse("345d4c8f-5aff-591d-a19c-1ca48923d9ee").unwrap()
}

#[tokio::test]
async fn the_back_end_names_the_customer_and_may_choose_the_uuid() {
    let t = app().await;
    let issued = t
        .app
        .issue_token(&Caller::ApiKey, request(Some("ann@example.com"), None))
        .await
        .unwrap();
    let claims = issued.claims();
    assert_eq!(claims.uuid, t.app.derive_uuid(&email("ann@example.com")));
    assert_eq!(claims.email, "ann@example.com");
    assert!(!issued.cache_hit());
    // `exp` counts from the app's clock, never the system's.
    let ttl = t.app.token_service().tokens().ttl().as_secs();
    assert_eq!(claims.exp, START + i64::from(ttl));

    let chosen = t
        .app
        .issue_token(
            &Caller::ApiKey,
            request(
                Some("ann@example.com"),
                Some(ClientUuid::Valid(other_uuid())),
            ),
        )
        .await
        .unwrap();
    assert_eq!(chosen.claims().uuid, other_uuid());
}

#[tokio::test]
async fn a_young_token_is_handed_out_again() {
    let t = app().await;
    let first = t
        .app
        .issue_token(&Caller::ApiKey, request(Some("ann@example.com"), None))
        .await
        .unwrap();
    let again = t
        .app
        .issue_token(&Caller::ApiKey, request(Some("ann@example.com"), None))
        .await
        .unwrap();
    assert!(again.cache_hit());
    assert_eq!(again.jwt(), first.jwt());
}

#[tokio::test]
async fn the_back_end_must_name_a_customer_and_a_valid_uuid() {
    let t = app().await;
    refused(
        t.app
            .issue_token(&Caller::ApiKey, request(None, None))
            .await,
        "bad_request",
        "missing_email",
    );
    refused(
        t.app
            .issue_token(
                &Caller::ApiKey,
                request(
                    Some("ann@example.com"),
                    Some(ClientUuid::Invalid("not a uuid".into())),
                ),
            )
            .await,
        "bad_request",
        "invalid_uuid",
    );
}

#[tokio::test]
async fn a_customer_gets_a_token_for_their_own_email_only() {
    let t = app().await;
    let ann = Caller::Session {
        email: email("ann@example.com"),
    };
    let own = t.app.issue_token(&ann, request(None, None)).await.unwrap();
    assert_eq!(own.claims().email, "ann@example.com");
    let same = t
        .app
        .issue_token(&ann, request(Some("ANN@example.com"), None))
        .await
        .unwrap();
    assert_eq!(same.claims().email, "ann@example.com");
    for caller in [
        ann,
        Caller::IdToken {
            email: email("ann@example.com"),
        },
    ] {
        refused(
            t.app
                .issue_token(&caller, request(Some("bob@example.com"), None))
                .await,
            "forbidden",
            "email_mismatch",
        );
    }
}

#[tokio::test]
async fn a_customers_uuid_is_derived_unless_the_browser_may_choose_it() {
    let ann = Caller::IdToken {
        email: email("ann@example.com"),
    };
    let chosen = || request(None, Some(ClientUuid::Valid(other_uuid())));
    let t = app().await;
    let derived = t.app.derive_uuid(&email("ann@example.com"));
    let issued = t.app.issue_token(&ann, chosen()).await.unwrap();
    assert_eq!(issued.claims().uuid, derived);

    let mut allowing = settings();
    allowing.allow_client_uuid = true;
    let t = app_with(allowing).await;
    let issued = t.app.issue_token(&ann, chosen()).await.unwrap();
    assert_eq!(issued.claims().uuid, other_uuid());
    // An invalid one is ignored, not refused.
    let issued = t
        .app
        .issue_token(&ann, request(None, Some(ClientUuid::Invalid("x".into()))))
        .await
        .unwrap();
    assert_eq!(issued.claims().uuid, derived);
}
