//! `GET /gate/v1/events/stream`: the same decisions as server-sent events, as they happen.

use std::{collections::VecDeque, convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::{HeaderMap, Uri, header},
    response::{
        IntoResponse, Response,
        sse::{Event as SseEvent, KeepAlive, Sse},
    },
};
use futures_util::{Stream, stream};
use synerise_auth_app::GateService;
use synerise_auth_store::{DecisionId, LoggedDecision};
use tokio::sync::broadcast::error::RecvError;

use super::list::{EventItem, list_query};
use crate::ApiError;

/// `GET /gate/v1/events/stream`.
/// How long a browser waits before reconnecting a dropped stream.
const STREAM_RETRY: Duration = Duration::from_secs(1);

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
pub(super) async fn stream_events(
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
