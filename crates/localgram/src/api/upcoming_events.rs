//! Upcoming events (issue #13; ref 001 L10161-10327): create, list, read and update the
//! events an account hosts, with the notification rules the reference gives.

use graph::paging::edge_envelope;
use graph::GraphError;
use serde_json::{json, Value};

use super::{time_param, Call};
use crate::nodes::upcoming_event::render;
use crate::nodes::{kinds, NodeKind};
use crate::store::upcoming_events::{self as store, Event};

const START_DEFAULT: [&str; 3] = ["BEFORE_EVENT_1DAY", "BEFORE_EVENT_15MIN", "EVENT_START"];
const END_SUBTYPES: [&str; 3] = [
    "BEFORE_EVENT_2DAY",
    "BEFORE_EVENT_1DAY",
    "BEFORE_EVENT_1HOUR",
];
const START_THIRD: &[&str] = &[
    "AFTER_EVENT_1DAY",
    "AFTER_EVENT_2DAY",
    "AFTER_EVENT_3DAY",
    "AFTER_EVENT_4DAY",
    "AFTER_EVENT_5DAY",
    "AFTER_EVENT_6DAY",
    "AFTER_EVENT_7DAY",
    "BEFORE_EVENT_15MIN",
];

fn invalid(detail: &str) -> GraphError {
    GraphError::invalid_parameter(detail)
}

/// Reads `notification_subtypes` (a JSON array), checked against the target time's rules
/// (ref 001 L10200-10240): exactly three, order irrelevant; for `EVENT_START`, `EVENT_START`
/// and `BEFORE_EVENT_1DAY` and one of the after-event days or `BEFORE_EVENT_15MIN`; for
/// `EVENT_END`, exactly the 2-day, 1-day and 1-hour reminders.
fn subtypes(call: &Call, target: &str) -> Result<Option<Vec<String>>, GraphError> {
    let Some(items) = call
        .params
        .json_array("notification_subtypes")
        .map_err(|e| GraphError::from_param(&e))?
    else {
        return Ok(None);
    };
    let mut list: Vec<String> = Vec::new();
    for item in items {
        let Some(text) = item.as_str() else {
            return Err(GraphError::param_invalid(
                "notification_subtypes",
                "an array of strings",
            ));
        };
        if !list.iter().any(|t| t == text) {
            list.push(text.to_string());
        }
    }
    check_subtypes(&list, target)?;
    Ok(Some(list))
}

fn check_subtypes(list: &[String], target: &str) -> Result<(), GraphError> {
    if list.len() != 3 {
        return Err(invalid(
            "notification_subtypes must name exactly 3 different values",
        ));
    }
    let has = |s: &str| list.iter().any(|t| t == s);
    let ok = match target {
        "EVENT_END" => END_SUBTYPES.iter().all(|s| has(s)),
        _ => {
            has("EVENT_START")
                && has("BEFORE_EVENT_1DAY")
                && list.iter().any(|t| START_THIRD.contains(&t.as_str()))
        }
    };
    if ok {
        Ok(())
    } else if target == "EVENT_END" {
        Err(invalid("With notification_target_time EVENT_END, notification_subtypes must be BEFORE_EVENT_2DAY, BEFORE_EVENT_1DAY and BEFORE_EVENT_1HOUR"))
    } else {
        Err(invalid("notification_subtypes must include EVENT_START, BEFORE_EVENT_1DAY and one of AFTER_EVENT_1DAY to AFTER_EVENT_7DAY or BEFORE_EVENT_15MIN"))
    }
}

fn text(call: &Call, name: &str) -> Result<Option<String>, GraphError> {
    Ok(call
        .params
        .str(name)
        .map_err(|e| GraphError::from_param(&e))?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

fn check_times(start: i64, end: Option<i64>, now: i64) -> Result<(), GraphError> {
    if start <= now {
        return Err(invalid("start_time must be in the future"));
    }
    if end.is_some_and(|end| end <= start) {
        return Err(invalid("end_time must be after start_time"));
    }
    Ok(())
}

/// `POST /{ig-user-id}/upcoming_events`.
pub async fn create(call: Call) -> Result<Value, GraphError> {
    let account_id = call.target()?.id.clone();
    let title = text(&call, "title")?.ok_or_else(|| GraphError::param_required("title"))?;
    let start =
        time_param(&call, "start_time")?.ok_or_else(|| GraphError::param_required("start_time"))?;
    let end = time_param(&call, "end_time")?;
    let target = text(&call, "notification_target_time")?.unwrap_or_else(|| "EVENT_START".into());
    if !matches!(target.as_str(), "EVENT_START" | "EVENT_END") {
        return Err(GraphError::param_not_one_of(
            "notification_target_time",
            &["EVENT_START", "EVENT_END"],
            &target,
        ));
    }
    // end_time must not be set for reminders at the event's end (ref 001 L10195-10200).
    if target == "EVENT_END" && end.is_some() {
        return Err(invalid(
            "end_time must not be set when notification_target_time is EVENT_END",
        ));
    }
    let subtypes = match subtypes(&call, &target)? {
        Some(list) => list,
        None if target == "EVENT_END" => END_SUBTYPES.iter().map(|s| s.to_string()).collect(),
        None => START_DEFAULT.iter().map(|s| s.to_string()).collect(),
    };
    check_times(start, end, call.now())?;
    let (state, now) = (call.state.clone(), call.now());
    let id = call
        .write(move |tx| {
            let id = kinds::mint(tx, &state.ids, NodeKind::UpcomingEvent, now)?;
            let event = Event {
                id: id.clone(),
                account_id,
                title,
                start_time: start,
                end_time: end,
                notification_target_time: target,
                notification_subtypes: serde_json::to_string(&subtypes).unwrap_or_default(),
            };
            store::insert(tx, &event, now)?;
            Ok(id)
        })
        .await?;
    Ok(json!({"id": id}))
}

/// `GET /{ig-user-id}/upcoming_events`: the events not yet started, soonest first.
pub async fn list(call: Call) -> Result<Value, GraphError> {
    let account_id = call.target()?.id.clone();
    let now = call.now();
    let events = call
        .read(move |r| store::upcoming(r, &account_id, now))
        .await?;
    let items = events
        .iter()
        .map(|e| render(call.api, e, call.fields.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(edge_envelope(items, None))
}

async fn event(call: &Call) -> Result<Event, GraphError> {
    let target = call.target()?.clone();
    let id = target.id.clone();
    call.read(move |r| store::get(r, &id))
        .await?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))
}

/// `GET /{event-id}`.
pub async fn get(call: Call) -> Result<Value, GraphError> {
    let event = event(&call).await?;
    render(call.api, &event, call.fields.as_deref())
}

/// `POST /{event-id}`: `title`, `start_time`, `end_time`, `notification_subtypes` (ref 001
/// L10260-10290).
pub async fn update(call: Call) -> Result<Value, GraphError> {
    let mut event = event(&call).await?;
    if let Some(title) = text(&call, "title")? {
        event.title = title;
    }
    if let Some(start) = time_param(&call, "start_time")? {
        event.start_time = start;
    }
    if let Some(end) = time_param(&call, "end_time")? {
        if event.notification_target_time == "EVENT_END" {
            return Err(invalid(
                "end_time must not be set when notification_target_time is EVENT_END",
            ));
        }
        event.end_time = Some(end);
    }
    if let Some(list) = subtypes(&call, &event.notification_target_time)? {
        event.notification_subtypes = serde_json::to_string(&list).unwrap_or_default();
    }
    check_times(event.start_time, event.end_time, call.now())?;
    let id = event.id.clone();
    call.write(move |tx| store::update(tx, &event)).await?;
    Ok(json!({"id": id}))
}
