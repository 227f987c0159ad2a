//! `GET /gate/v1/events`: the log, newest first.

use axum::{
    Json,
    extract::{Query, State},
    http::{Uri, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use synerise_auth_app::GateService;
use synerise_auth_gate::Action;
use synerise_auth_store::{DecisionId, DecisionQuery, LoggedDecision};

use crate::ApiError;

/// `GET /gate/v1/events`.
/// The most decisions one listing returns.
pub(crate) const MAX_LIMIT: u32 = 500;
// The store brings larger limits down to its own maximum; this one must fit under it.
const _: () = assert!(MAX_LIMIT <= synerise_auth_store::MAX_DECISIONS_LISTED);
/// How many decisions a listing returns unless told.
pub(super) const DEFAULT_LIMIT: u32 = 50;

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
pub(super) async fn list_events(
    State(gate): State<GateService>,
    uri: Uri,
) -> Result<Response, ApiError> {
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
pub(super) fn list_query(uri: &Uri) -> Result<DecisionQuery, ApiError> {
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
pub(super) struct EventItem {
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
