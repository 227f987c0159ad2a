//! The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`.
//!
//! The API router is built from the handlers' `#[utoipa::path]` annotations (see
//! [`crate::startup::router`]), so a route cannot exist without being described.

use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::{
        Content, Ref, RefOr, ResponseBuilder,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
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
    #[schema(pattern = "^[a-z][a-z0-9_]*$", example = "not_signed_in")]
    pub(crate) code: String,
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
    /// The release version, e.g. `0.1.0`.
    pub(crate) version: String,
    /// The commit the binary was built from (12 hex digits), or `unknown`.
    pub(crate) commit: String,
}

/// Adds to every operation of `spec` what any route may answer whatever its handler does: 408
/// `request_timeout`, from the request timeout around every route
/// ([`Stack`](crate::middleware::Stack)).
pub(crate) fn add_common_responses(spec: &mut utoipa::openapi::OpenApi) {
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .entry("408".to_owned())
                .or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description("request_timeout: the request took longer than the request timeout; try again")
                            .content(
                                "application/json",
                                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                            )
                            .build(),
                    )
                });
        }
    }
}
