//! The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`.
//!
//! The API router is built from the handlers' `#[utoipa::path]` annotations (see
//! [`crate::startup::router`]), so a route cannot exist without being described.

use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

/// The document's fixed parts; the paths are added by the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "synerise-auth",
        description = "Signs Synerise JS SDK tokens (RS256 JWT with exp, uuid and email) for customers who proved who they are."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "tokens", description = "Synerise tokens"),
        (name = "sessions", description = "Built-in customer accounts and sessions"),
        (name = "keys", description = "The public key tokens verify with"),
        (name = "service", description = "Health and metadata"),
    )
)]
pub(crate) struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key of the site's back end, or an ID token from the configured identity provider"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "synerise_auth_session",
                "The session cookie set by POST /api/session (`__Host-synerise_auth_session` in production)",
            ))),
        );
    }
}

/// Every refusal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// A sentence for a person.
    pub(crate) error: String,
    /// A stable snake_case code.
    pub(crate) code: String,
}

/// `POST /generate-jwt`'s body. With an API key, `email` is required; with a session or an ID
/// token it is optional and must be the customer's own.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenRequest {
    /// The customer's email.
    pub(crate) email: Option<String>,
    /// The customer's UUID; derived on the server when absent (or when not allowed).
    pub(crate) uuid: Option<String>,
}

/// Email and password.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Credentials {
    /// The account's email.
    pub(crate) email: String,
    /// The password (at least 12 characters).
    pub(crate) password: String,
}

/// The signed-in customer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionInfo {
    /// The account's email.
    pub(crate) email: String,
    /// When the session ends at the latest (RFC 3339).
    pub(crate) expires_at: String,
}

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    pub(crate) status: String,
    /// `dev` or `production`.
    pub(crate) mode: String,
    /// The signing key's RFC 7638 thumbprint.
    pub(crate) kid: String,
}
