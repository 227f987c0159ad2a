//! Sign up, sign in (with its lock-out), who is signed in, sign out.

use super::*;

async fn sign_up(t: &TestApp, who: &str) -> crate::SignedIn {
    t.app
        .sign_up(CLIENT, same_origin(), email(who), &password(PASSWORD))
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_up_signs_in() {
    let t = app().await;
    let signed_in = sign_up(&t, "ann@example.com").await;
    assert_eq!(signed_in.email, email("ann@example.com"));
    assert_eq!(signed_in.uuid, t.app.derive_uuid(&email("ann@example.com")));
    assert_eq!(signed_in.lifetime, Duration::from_secs(12 * 3600));
    let session = t
        .app
        .current_session(Some(signed_in.token.expose_secret()))
        .await
        .unwrap();
    assert_eq!(session.email, email("ann@example.com"));
}

#[tokio::test]
async fn sign_up_refusals() {
    let t = app().await;
    sign_up(&t, "ann@example.com").await;
    refused(
        t.app
            .sign_up(
                CLIENT,
                same_origin(),
                email("ANN@example.com"),
                &password(PASSWORD),
            )
            .await,
        "conflict",
        "account_exists",
    );
    refused(
        t.app
            .sign_up(
                CLIENT,
                same_origin(),
                email("bob@example.com"),
                &password("short"),
            )
            .await,
        "bad_request",
        "password_too_short",
    );
    refused(
        t.app
            .sign_up(
                CLIENT,
                cross_site(),
                email("bob@example.com"),
                &password(PASSWORD),
            )
            .await,
        "forbidden",
        "cross_site_request",
    );

    let mut closed = settings();
    closed.signup = false;
    let t = app_with(closed).await;
    refused(
        t.app
            .sign_up(
                CLIENT,
                same_origin(),
                email("bob@example.com"),
                &password(PASSWORD),
            )
            .await,
        "forbidden",
        "signup_disabled",
    );
}

#[tokio::test]
async fn signing_in_ends_the_previous_session() {
    let t = app().await;
    let first = sign_up(&t, "ann@example.com").await;
    let first = first.token.expose_secret().to_owned();
    let second = t
        .app
        .sign_in(
            CLIENT,
            same_origin(),
            &email("ann@example.com"),
            &password(PASSWORD),
            Some(&first),
        )
        .await
        .unwrap();
    refused(
        t.app.current_session(Some(&first)).await,
        "unauthorized",
        "not_signed_in",
    );
    t.app
        .current_session(Some(second.token.expose_secret()))
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_for_a_while() {
    let t = app().await;
    sign_up(&t, "ann@example.com").await;
    let attempt = |text: &'static str| {
        let app = t.app.clone();
        async move {
            app.sign_in(
                CLIENT,
                same_origin(),
                &email("ann@example.com"),
                &password(text),
                None,
            )
            .await
        }
    };
    refused(
        attempt("wrong").await,
        "unauthorized",
        "invalid_credentials",
    );
    refused(
        attempt("wrong").await,
        "unauthorized",
        "invalid_credentials",
    );
    // The third failure in a row locks the account: even the right password waits.
    refused(attempt("wrong").await, "too_many_requests", "rate_limited");
    refused(attempt(PASSWORD).await, "too_many_requests", "rate_limited");
    t.clock.advance(15 * 60);
    attempt(PASSWORD).await.unwrap();
}

#[tokio::test]
async fn an_unknown_email_is_refused_as_a_wrong_password_is() {
    let t = app().await;
    refused(
        t.app
            .sign_in(
                CLIENT,
                same_origin(),
                &email("nobody@example.com"),
                &password(PASSWORD),
                None,
            )
            .await,
        "unauthorized",
        "invalid_credentials",
    );
}

#[tokio::test]
async fn sign_in_refusals_before_the_password_is_checked() {
    let mut limited = settings();
    limited.limits.sign_in_per_ip_per_minute = 1;
    let t = app_with(limited).await;
    let ann = email("ann@example.com");
    refused(
        t.app
            .sign_in(CLIENT, cross_site(), &ann, &password(PASSWORD), None)
            .await,
        "forbidden",
        "cross_site_request",
    );
    refused(
        t.app
            .sign_in(CLIENT, same_origin(), &ann, &password(PASSWORD), None)
            .await,
        "unauthorized",
        "invalid_credentials",
    );
    refused(
        t.app
            .sign_in(CLIENT, same_origin(), &ann, &password(PASSWORD), None)
            .await,
        "too_many_requests",
        "rate_limited",
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_and_nobody_is_fine() {
    let t = app().await;
    let token = sign_up(&t, "ann@example.com").await.token;
    let token = token.expose_secret();
    refused(
        t.app.sign_out(cross_site(), Some(token)).await,
        "forbidden",
        "cross_site_request",
    );
    t.app.sign_out(same_origin(), Some(token)).await.unwrap();
    refused(
        t.app.current_session(Some(token)).await,
        "unauthorized",
        "not_signed_in",
    );
    t.app.sign_out(same_origin(), Some(token)).await.unwrap();
    t.app.sign_out(same_origin(), None).await.unwrap();
    refused(
        t.app.current_session(None).await,
        "unauthorized",
        "not_signed_in",
    );
}

#[tokio::test]
async fn housekeeping_forgets_ended_sessions() {
    let t = app().await;
    let token = sign_up(&t, "ann@example.com").await.token;
    t.clock.advance(13 * 3600);
    t.app.housekeeping().await;
    refused(
        t.app.current_session(Some(token.expose_secret())).await,
        "unauthorized",
        "not_signed_in",
    );
}
