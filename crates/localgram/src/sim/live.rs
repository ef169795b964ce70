//! `GET /_localgram/events`: the change feed as server-sent events, for the console and
//! `localgram deliveries --follow` to update without polling.
//!
//! Each committed write becomes one `change` event naming the kinds and ids it touched and the
//! webhook field of any event it recorded; the virtual time rides along so a view can show
//! what fell due. A subscriber that falls behind gets one `lagged` event: refresh everything.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::ControlError;
use crate::state::Shared;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Comma-separated kinds (ig_comment, webhook_deliveries, settings, ...): only change sets touching one of them
    pub kinds: Option<String>,
}

#[utoipa::path(
    get,
    path = "/events",
    tag = "live",
    operation_id = "live_stream",
    summary = "Server-sent events of the change feed: one `change` event per committed write (kinds and ids it touched, the webhook field of any event it recorded, the virtual time), a first `ready` event, and `lagged` when the subscriber fell behind (refresh everything). The console and `localgram deliveries --follow` follow it",
    params(EventsQuery),
    responses(
        (status = 200, description = "OK", content_type = "text/event-stream", body = String),
        (status = 400, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn stream(
    State(state): State<Shared>,
    Query(query): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ControlError> {
    let wanted: Vec<String> = query
        .kinds
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    let receiver = state.db.feed().subscribe();
    let stop = state.stopping.subscribe();
    // A first event tells the client it is connected (and the time now), so it can load the
    // state knowing nothing committed since is missed.
    let hello = Event::default()
        .event("ready")
        .data(json!({"now_ms": state.clock.now_ms()}).to_string());
    let weak = std::sync::Arc::downgrade(&state);
    let changes = futures_util::stream::unfold(
        (receiver, weak, wanted, stop),
        |(mut receiver, weak, wanted, mut stop)| async move {
            loop {
                let next = tokio::select! {
                    next = receiver.recv() => next,
                    _ = stop.wait_for(|stopping| *stopping) => return None,
                };
                let state = weak.upgrade()?;
                let now_ms = state.clock.now_ms();
                drop(state);
                let event = match next {
                    Ok(set) => {
                        if !wanted.is_empty()
                            && !set.changes.is_empty()
                            && !set.changes.iter().any(|c| wanted.contains(&c.kind))
                        {
                            continue;
                        }
                        let mut kinds: Vec<&str> = set.kinds();
                        kinds.sort_unstable();
                        kinds.dedup();
                        Event::default().event("change").data(
                            json!({
                                "kinds": kinds,
                                "changes": set.changes,
                                "now_ms": now_ms,
                            })
                            .to_string(),
                        )
                    }
                    Err(RecvError::Lagged(missed)) => Event::default()
                        .event("lagged")
                        .data(json!({"missed": missed, "now_ms": now_ms}).to_string()),
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok(event), (receiver, weak, wanted, stop)));
            }
        },
    );
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(hello) }),
        changes,
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
