//! `POST /gate/v1/events`: the request read into an event, the gate service's one call (decided,
//! logged), the verdict answered.

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use synerise_auth_app::{EventInput, GateService, Verdict};
use synerise_auth_gate::{Action, MAX_EVENT_BYTES, Reason};

use crate::ApiError;

/// `POST /gate/v1/events`.
#[utoipa::path(
    post,
    path = "/gate/v1/events",
    tag = "gate",
    request_body(content = EventBody, content_type = "application/json", description = "An event as Synerise's JS SDK sends it; at most 32 KiB"),
    params(("Authorization" = Option<String>, Header, description = "`Bearer <the customer's Synerise token>`, when the SDK holds one")),
    responses(
        (status = 202, description = "Accepted: `{\"accepted\": true}`", body = DecisionBody),
        (status = 400, description = "malformed_event", body = DecisionBody),
        (status = 401, description = "token_required, malformed_token, wrong_algorithm, bad_signature, expired, not_yet_valid, missing_claim, invalid_claim, certificate_replaced", body = DecisionBody),
        (status = 403, description = "uuid_mismatch", body = DecisionBody),
        (status = 413, description = "malformed_event: the body is over 32 KiB", body = DecisionBody),
        (status = 415, description = "malformed_event: the body is not sent as application/json", body = DecisionBody),
        (status = 503, description = "storage_unavailable: the decision could not be logged, so it is not given; retry after `Retry-After` seconds", body = crate::openapi::ErrorBody),
    )
)]
pub(super) async fn post_event(
    State(gate): State<GateService>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let bearer = bearer_token(&headers);
    let refusal;
    let input = if let Err(media_type) = json_content_type(&headers) {
        refusal = format!(
            "The event must be sent as JSON (Content-Type: application/json); it was sent {media_type}."
        );
        unreadable(StatusCode::UNSUPPORTED_MEDIA_TYPE, &refusal)
    } else {
        match &body {
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                refusal = format!(
                    "The event is larger than {MAX_EVENT_BYTES} bytes, the most the gate accepts."
                );
                unreadable(StatusCode::PAYLOAD_TOO_LARGE, &refusal)
            }
            Err(_) => unreadable(
                StatusCode::BAD_REQUEST,
                "The event's body could not be read.",
            ),
            Ok(body) => EventInput::Body(body),
        }
    };
    match gate.decide_event(input, bearer.as_deref()).await {
        Ok(verdict) => reply(verdict),
        Err(error) => ApiError::from(error).into_response(),
    }
}

fn unreadable(status: StatusCode, detail: &str) -> EventInput<'_> {
    EventInput::Unreadable {
        status: status.as_u16(),
        detail,
    }
}

/// The verdict with its status, in its wire form.
fn reply(verdict: Verdict) -> Response {
    let status =
        StatusCode::from_u16(verdict.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match verdict {
        Verdict::Decided(decision) => (status, Json(decision)).into_response(),
        Verdict::Unreadable { detail, .. } => (
            status,
            Json(DecisionBody {
                accepted: false,
                reason: Some(Reason::MalformedEvent.code()),
                detail: Some(detail),
            }),
        )
            .into_response(),
    }
}

/// A decision's wire form: `{"accepted": true}`, or `{"accepted": false, "reason", "detail"}`.
/// A [`Decision`] serializes itself in this form; a request refused before any event could be
/// read (wrong content type, too large) is answered with this struct.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct DecisionBody {
    /// Whether Synerise would accept the event.
    accepted: bool,
    /// The stable refusal code; absent when accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    /// A sentence saying why, and what to do; absent when accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// An event as Synerise's JS SDK sends it: `action` and `client.uuid` are required; `label` and
/// `params` are optional; other fields, at the top level or in `client`, are ignored. The gate
/// crate's [`Event::from_json`] reads it (this struct describes what that parser accepts).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // described, never built: the gate crate parses events
struct EventBody {
    /// The event action, e.g. `form.submit`: ASCII letters and digits, then also `.`, `_`, `-`
    /// or `:`; at most 128 bytes; case-sensitive.
    #[schema(value_type = String, pattern = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", example = "form.submit")]
    action: Action,
    /// A label, at most 1024 characters.
    #[schema(max_length = 1024)]
    label: Option<String>,
    /// The customer the event is about.
    client: EventClient,
    /// Any JSON object.
    params: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The customer an event is about.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // described, never built
struct EventClient {
    /// The customer's uuid (not the nil UUID).
    #[schema(value_type = String, format = "uuid", example = "345d4c8f-5aff-591d-a19c-1ca48923d9ee")]
    uuid: synerise_auth_token::CustomerUuid,
}

/// The token sent with the event: the credentials of `Authorization: Bearer <jwt>`. Any other
/// `Authorization` value is handed to the verifier whole, which refuses it as a malformed token:
/// a tracker that sends something else there has a bug worth seeing.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?;
    // Not text (bytes outside visible ASCII) is passed on as it is, to be refused as malformed.
    let text = String::from_utf8_lossy(value.as_bytes());
    Some(
        crate::bearer::bearer_credential(&text)
            .map_or_else(|| text.trim().to_owned(), str::to_owned),
    )
}

/// `Ok` when the body is declared as JSON (`application/json` or `*/*+json`); otherwise the
/// declared type, quoted and shortened, for the refusal's sentence.
fn json_content_type(headers: &HeaderMap) -> Result<(), String> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err("without a Content-Type".to_owned());
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    let mime = text
        .split_once(';')
        .map_or(&*text, |(mime, _)| mime)
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")) {
        return Ok(());
    }
    let shown: String = mime
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect();
    Err(if shown.is_empty() {
        "with an unreadable Content-Type".to_owned()
    } else {
        format!("as `{shown}`")
    })
}
