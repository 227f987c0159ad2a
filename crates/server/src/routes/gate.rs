//! `/gate/v1/*`: the event gate over HTTP.
//!
//! - `POST /gate/v1/events`: one event (JSON, at most 32 KiB), with `Authorization: Bearer <jwt>`
//!   when the SDK holds a token. Answered with the decision's wire form and its status: 202
//!   `{"accepted": true}`, or 400/401/403 `{"accepted": false, "reason", "detail"}`. A body that
//!   is not sent as JSON is refused the same way with 415, and one over the limit with 413 (both
//!   `malformed_event`). Every decision, refusals included, is logged, and answered only once it
//!   is: when the log cannot be written (disk full, locked), the answer is 503
//!   `storage_unavailable` with `Retry-After`, never a verdict.
//! - `GET /gate/v1/events?limit=50&accepted=true|false&action=...&after=<id>`: the log, newest
//!   first. `after` returns only what arrived since that id (the live page polls with it).
//! - `GET /gate/v1/events/stream`: the same decisions as server-sent events, as they happen
//!   (`event: decision`, `id: <id>`, `data: <the list's JSON>`); replays what came after
//!   `Last-Event-ID` (or `?after=`) first.
//!
//! Pages on any origin may call these (CORS `*`, no credentials): a site's own pages post their
//! events here, as they would to Synerise. Nothing here is behind a cookie, and the log holds no
//! token and no email address.

use std::{collections::VecDeque, convert::Infallible, time::Duration};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Query, State, rejection::BytesRejection},
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::{
        IntoResponse, Response,
        sse::{Event as SseEvent, KeepAlive, Sse},
    },
};
use futures_util::{Stream, stream};
use serde::Serialize;
use synerise_auth_gate::{Action, Decision, Event, MAX_EVENT_BYTES, Reason};
use synerise_auth_store::{DecisionId, DecisionQuery, DecisionRecord, LoggedDecision};
use tokio::sync::broadcast::error::RecvError;
use tower_http::cors::{Any, CorsLayer};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{ApiError, gate::GateService};

/// The most decisions one listing returns.
pub(crate) const MAX_LIMIT: u32 = 500;
// The store brings larger limits down to its own maximum; this one must fit under it.
const _: () = assert!(MAX_LIMIT <= synerise_auth_store::MAX_DECISIONS_LISTED);
/// How many decisions a listing returns unless told.
const DEFAULT_LIMIT: u32 = 50;
/// How long a browser waits before reconnecting a dropped stream.
const STREAM_RETRY: Duration = Duration::from_secs(1);
/// How long browsers may cache a CORS preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The gate's routes with their own CORS (any origin) and body limit (32 KiB), and no fallback:
/// ready to be merged into another router, inside the service's one stack
/// ([`Stack`](crate::middleware::Stack)).
pub fn gate_router(service: GateService) -> Router {
    build(service, false)
}

/// [`gate_router`] with the live page at `/gate`, a JSON 404 for every other path and the stack
/// around it: the gate
/// served alone.
pub(crate) fn standalone_router(service: GateService) -> Router {
    crate::middleware::Stack {
        metrics: None,
        hsts: false,
        request_timeout: crate::config::connections::DEFAULT_REQUEST_TIMEOUT,
        body_limit: MAX_EVENT_BYTES,
    }
    .apply(build(service, true))
}

/// CORS answers preflights and marks every answer (refusals included, so a page on another
/// origin can read why); the body limit applies to the body extractor.
fn build(service: GateService, standalone: bool) -> Router {
    let (routes, _) = api().split_for_parts();
    let routes = if standalone {
        routes.fallback(crate::routes::web::gate_alone)
    } else {
        routes
    };
    routes
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(service)
        .layer(
            tower::ServiceBuilder::new()
                .layer(cors())
                .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)),
        )
}

/// The routes, built from the handlers' OpenAPI annotations so that none exists undescribed.
fn api() -> OpenApiRouter<GateService> {
    OpenApiRouter::new()
        .routes(routes!(post_event, list_events))
        .routes(routes!(stream_events))
}

/// The OpenAPI description of the gate's routes, to merge into a service's document where the
/// gate is mounted.
#[must_use]
pub fn gate_openapi() -> utoipa::openapi::OpenApi {
    api().split_for_parts().1
}

/// Any origin, no credentials (so `Access-Control-Allow-Origin: *`): the gate stands in for
/// Synerise, which pages on every site call. It reads no cookie, so another origin gains nothing
/// it could not get by calling it directly.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("last-event-id"),
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}

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
async fn post_event(
    State(gate): State<GateService>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let bearer = bearer_token(&headers);
    let now = gate.now();
    let (decision, label) = if let Err(media_type) = json_content_type(&headers) {
        (
            Verdict::refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "The event must be sent as JSON (Content-Type: application/json); it was sent {media_type}."
                ),
            ),
            None,
        )
    } else {
        match body {
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => (
                Verdict::refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "The event is larger than {MAX_EVENT_BYTES} bytes, the most the gate accepts."
                    ),
                ),
                None,
            ),
            Err(_) => (
                Verdict::refusal(
                    StatusCode::BAD_REQUEST,
                    "The event's body could not be read.".to_owned(),
                ),
                None,
            ),
            Ok(body) => match Event::from_json(&body) {
                Ok(event) => (
                    Verdict::Decided(gate.gate().decide(&event, bearer.as_deref(), now)),
                    event.label().map(ToOwned::to_owned),
                ),
                Err(error) => (Verdict::Decided(Decision::malformed_event(&error)), None),
            },
        }
    };

    let record = decision.record(now, label, bearer.is_some());
    // Answered only once it is in the log: a verdict the log does not hold is never given.
    let id = match gate.record(&record).await {
        Ok(id) => id,
        Err(error) => return ApiError::from(error).into_response(),
    };
    tracing::info!(
        id = id.get(),
        action = record.action.as_deref().unwrap_or("-"),
        accepted = record.accepted,
        status = record.status,
        reason = record.reason.as_deref().unwrap_or("-"),
        rule = record.rule.as_deref().unwrap_or("-"),
        token_sent = record.token_sent,
        token_email_tag = record.token_email_tag.as_deref().unwrap_or("-"),
        warning = record.warning.as_deref().unwrap_or("-"),
        "gate decision"
    );
    decision.into_response()
}

/// A decision of the gate crate, or a refusal of the request before any event could be read
/// (wrong content type, too large), which has no `Decision` of its own.
enum Verdict {
    Decided(Decision),
    Refused { status: StatusCode, detail: String },
}

impl Verdict {
    fn refusal(status: StatusCode, detail: String) -> Self {
        Self::Refused { status, detail }
    }

    fn record(
        &self,
        at: synerise_auth_token::UnixTime,
        label: Option<String>,
        token_sent: bool,
    ) -> DecisionRecord {
        match self {
            Self::Decided(d) => DecisionRecord {
                at,
                action: d.action().map(|a| a.as_str().to_owned()),
                label,
                uuid: d.uuid().map(|u| u.to_string()),
                accepted: d.is_accepted(),
                status: d.status(),
                reason: d.reason().map(|r| r.code().to_owned()),
                detail: d.detail().to_owned(),
                rule: d.rule().map(|r| r.code().to_owned()),
                token_sent,
                token_email_tag: d.token_email_tag().map(ToOwned::to_owned),
                warning: d.warning().map(ToOwned::to_owned),
            },
            Self::Refused { status, detail } => DecisionRecord {
                at,
                action: None,
                label: None,
                uuid: None,
                accepted: false,
                status: status.as_u16(),
                reason: Some(Reason::MalformedEvent.code().to_owned()),
                detail: detail.clone(),
                rule: None,
                token_sent,
                token_email_tag: None,
                warning: None,
            },
        }
    }
}

impl IntoResponse for Verdict {
    fn into_response(self) -> Response {
        match self {
            Self::Decided(decision) => {
                let status = StatusCode::from_u16(decision.status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(decision)).into_response()
            }
            Self::Refused { status, detail } => (
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

/// `GET /gate/v1/events`.
#[utoipa::path(
    get,
    path = "/gate/v1/events",
    tag = "gate",
    params(
        ("limit" = Option<u32>, Query, description = "1 to 500, default 50", minimum = 1, maximum = 500),
        ("accepted" = Option<bool>, Query, description = "only accepted (`true`) or refused (`false`) events"),
        ("action" = Option<String>, Query, description = "only this action (an event action: see the event's `action`)", pattern = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
        ("after" = Option<i64>, Query, description = "only decisions newer than this id", minimum = 0),
    ),
    responses(
        (status = 200, description = "The decisions, newest first", body = EventList),
        (status = 400, description = "invalid_limit, invalid_accepted, invalid_action, invalid_after, unknown_parameter, invalid_query", body = crate::openapi::ErrorBody),
        (status = 503, description = "storage_unavailable", body = crate::openapi::ErrorBody),
    )
)]
async fn list_events(State(gate): State<GateService>, uri: Uri) -> Result<Response, ApiError> {
    let query = list_query(&uri)?;
    let decisions = gate.log().list(&query).await.map_err(ApiError::from)?;
    let events: Vec<EventItem> = decisions.iter().map(EventItem::from).collect();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(EventList { events }),
    )
        .into_response())
}

/// Reads `limit`, `accepted`, `action` and `after`; anything else, or any of them twice or
/// invalid, is a 400 with a code naming it.
fn list_query(uri: &Uri) -> Result<DecisionQuery, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|_| {
        ApiError::bad_request("invalid_query", "the query string could not be decoded")
    })?;
    let mut query = DecisionQuery {
        limit: DEFAULT_LIMIT,
        ..DecisionQuery::default()
    };
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in pairs {
        if seen.contains(&name) {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("`{}` is given more than once", shorten(&name)),
            ));
        }
        match name.as_str() {
            "limit" => {
                query.limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid_limit",
                            format!("`limit` must be a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?;
            }
            "accepted" => {
                query.accepted = Some(match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::bad_request(
                            "invalid_accepted",
                            "`accepted` must be `true` or `false`",
                        ));
                    }
                });
            }
            "action" => {
                let action = Action::parse(&value).map_err(|e| {
                    ApiError::bad_request("invalid_action", format!("`action`: {e}"))
                })?;
                query.action = Some(action.as_str().to_owned());
            }
            "after" => {
                let after = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid_after",
                            "`after` must be the id of a decision (a whole number, 0 or more)",
                        )
                    })?;
                query.after = Some(DecisionId::new(after));
            }
            _ => {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!(
                        "unknown query parameter `{}`: use limit, accepted, action or after",
                        shorten(&name)
                    ),
                ));
            }
        }
        seen.push(name);
    }
    Ok(query)
}

/// At most 32 characters of untrusted text, for error messages.
fn shorten(text: &str) -> String {
    text.chars().take(32).collect()
}

/// `GET /gate/v1/events`'s body.
#[derive(Serialize, utoipa::ToSchema)]
struct EventList {
    events: Vec<EventItem>,
}

/// A logged decision as the list and the stream show it. The token's email tag is left out: it is
/// for matching log lines, and a page on any origin may read this.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct EventItem {
    /// The decision's number; numbers only grow.
    id: i64,
    /// When it was decided, RFC 3339 (UTC).
    at: String,
    /// The event's action; null for a malformed event without a valid one.
    action: Option<String>,
    /// The event's label.
    label: Option<String>,
    /// The event's `client.uuid`; null for a malformed event without a valid one.
    uuid: Option<String>,
    /// Whether it was accepted.
    accepted: bool,
    /// The HTTP status it was answered with.
    status: u16,
    /// The stable refusal code; null when accepted.
    reason: Option<String>,
    /// The sentence that explains the decision.
    detail: String,
    /// The list or policy the action fell under (`anonymous`, `modify_without_token`,
    /// `require_token`, `unlisted_accept_anonymous`, `unlisted_require_token`).
    rule: Option<String>,
    /// Whether a bearer token came with the event.
    token_sent: bool,
    /// A warning the decision carried (an action accepted from `modify_without_token`).
    warning: Option<String>,
}

impl From<&LoggedDecision> for EventItem {
    fn from(logged: &LoggedDecision) -> Self {
        let d = logged.record.clone();
        Self {
            id: logged.id.get(),
            at: d
                .at
                .to_rfc3339()
                .unwrap_or_else(|_| d.at.as_secs().to_string()),
            action: d.action,
            label: d.label,
            uuid: d.uuid,
            accepted: d.accepted,
            status: d.status,
            reason: d.reason,
            detail: d.detail,
            rule: d.rule,
            token_sent: d.token_sent,
            warning: d.warning,
        }
    }
}

/// `GET /gate/v1/events/stream`.
#[utoipa::path(
    get,
    path = "/gate/v1/events/stream",
    tag = "gate",
    params(
        ("limit" = Option<u32>, Query, description = "at most this many replayed, 1 to 500", minimum = 1, maximum = 500),
        ("accepted" = Option<bool>, Query, description = "only accepted or refused events"),
        ("action" = Option<String>, Query, description = "only this action", pattern = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
        ("after" = Option<i64>, Query, description = "replay decisions newer than this id first (`Last-Event-ID` wins)", minimum = 0),
    ),
    responses(
        (status = 200, description = "text/event-stream: `event: decision`, `id: <id>`, `data: <an item of the list>`", content_type = "text/event-stream", body = String),
        (status = 400, description = "as the list", body = crate::openapi::ErrorBody),
        (status = 503, description = "storage_unavailable: the decisions to replay could not be read; retry after `Retry-After` seconds", body = crate::openapi::ErrorBody),
    )
)]
async fn stream_events(
    State(gate): State<GateService>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let mut query = list_query(&uri)?;
    if let Some(last) = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n >= 0)
    {
        query.after = Some(DecisionId::new(last));
    }
    // Subscribe before reading the backlog, so that nothing decided in between is missed; the
    // overlap is skipped by id.
    let live = gate.subscribe();
    let closing = gate.closing();
    let backlog: VecDeque<LoggedDecision> = match query.after {
        Some(_) => gate
            .log()
            .list(&query)
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .rev()
            .collect(),
        None => VecDeque::new(),
    };
    let feed = Feed {
        first: true,
        backlog,
        live,
        closing,
        last: query.after.map_or(0, DecisionId::get),
        accepted: query.accepted,
        action: query.action,
    };
    let stream = Sse::new(feed.into_stream()).keep_alive(KeepAlive::default());
    Ok(([(header::CACHE_CONTROL, "no-store")], stream).into_response())
}

/// One reader's live feed: the backlog first (oldest first), then new decisions as they are
/// logged, until the gate closes or the reader falls too far behind (it then reconnects with
/// `Last-Event-ID` and catches up from the log).
struct Feed {
    first: bool,
    backlog: VecDeque<LoggedDecision>,
    live: tokio::sync::broadcast::Receiver<LoggedDecision>,
    closing: tokio::sync::watch::Receiver<bool>,
    last: i64,
    accepted: Option<bool>,
    action: Option<String>,
}

impl Feed {
    fn wanted(&self, logged: &LoggedDecision) -> bool {
        logged.id.get() > self.last
            && self.accepted.is_none_or(|a| a == logged.record.accepted)
            && self
                .action
                .as_deref()
                .is_none_or(|a| logged.record.action.as_deref() == Some(a))
    }

    fn into_stream(self) -> impl Stream<Item = Result<SseEvent, Infallible>> {
        stream::unfold(self, |mut feed| async move {
            if feed.first {
                feed.first = false;
                let hello = SseEvent::default().retry(STREAM_RETRY).comment("gate feed");
                return Some((Ok(hello), feed));
            }
            if let Some(logged) = feed.backlog.pop_front() {
                feed.last = logged.id.get();
                return sse_event(&logged).map(|event| (Ok(event), feed));
            }
            loop {
                let received = tokio::select! {
                    () = closed(&mut feed.closing) => return None,
                    received = feed.live.recv() => received,
                };
                match received {
                    Ok(logged) if feed.wanted(&logged) => {
                        feed.last = logged.id.get();
                        return sse_event(&logged).map(|event| (Ok(event), feed));
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_) | RecvError::Closed) => return None,
                }
            }
        })
    }
}

/// Completes when the gate closes (or is gone).
async fn closed(closing: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = closing.wait_for(|closing| *closing).await;
}

/// A decision as a server-sent event; `None` (and the feed ends, so that the browser reconnects
/// and catches up from the log) in the unexpected case that it cannot be written.
fn sse_event(logged: &LoggedDecision) -> Option<SseEvent> {
    match SseEvent::default()
        .event("decision")
        .id(logged.id.to_string())
        .json_data(EventItem::from(logged))
    {
        Ok(event) => Some(event),
        Err(error) => {
            tracing::error!(%error, id = logged.id.get(), "cannot write a decision to the live feed; ending it");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use synerise_auth_gate::Action;

    /// Every `pattern` the gate's document gives an action (the event's field, the queries'
    /// parameter).
    fn action_patterns() -> Vec<regex::Regex> {
        let spec = serde_json::to_value(super::gate_openapi()).unwrap();
        let mut patterns = vec![
            spec["components"]["schemas"]["EventBody"]["properties"]["action"]["pattern"].clone(),
        ];
        for path in ["/gate/v1/events", "/gate/v1/events/stream"] {
            for parameter in spec["paths"][path]["get"]["parameters"].as_array().unwrap() {
                if parameter["name"] == "action" {
                    patterns.push(parameter["schema"]["pattern"].clone());
                }
            }
        }
        assert_eq!(patterns.len(), 3, "{patterns:?}");
        patterns
            .iter()
            .map(|p| regex::Regex::new(p.as_str().expect("a pattern")).unwrap())
            .collect()
    }

    fn agrees(patterns: &[regex::Regex], text: &str) -> Result<(), TestCaseError> {
        let parsed = Action::parse(text).is_ok();
        for pattern in patterns {
            prop_assert_eq!(
                pattern.is_match(text),
                parsed,
                "{:?} against {}",
                text,
                pattern
            );
        }
        Ok(())
    }

    #[test]
    fn the_documented_action_pattern_is_what_the_gate_accepts() {
        let patterns = action_patterns();
        let mut cases: Vec<String> = (0u8..=127)
            .flat_map(|b| {
                let c = char::from(b);
                [c.to_string(), format!("a{c}"), format!("a{c}b")]
            })
            .collect();
        cases.extend([
            "a".repeat(128),
            "a".repeat(129),
            "é".into(),
            "form.submit\n".into(),
        ]);
        for case in cases {
            agrees(&patterns, &case).unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn the_documented_action_pattern_agrees_on_any_text(text in "[a-zA-Z0-9._:\\- /éż\n]{0,130}|\\PC{0,8}") {
            agrees(&action_patterns(), &text)?;
        }
    }
}
