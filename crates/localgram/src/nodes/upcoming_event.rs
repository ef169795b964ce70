//! An upcoming event an account hosts (issue #13; ref 001 L10161-10327): reminders for
//! reminder ads.

use graph::{FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{field, select, Apis, FieldKind::*, NodeType};
use crate::store::upcoming_events::Event;

#[rustfmt::skip]
pub static UPCOMING_EVENT: NodeType = NodeType {
    name: "IGUpcomingEvent",
    metadata_type: "igupcomingevent",
    defaults: &["id", "title", "start_time"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The event's ID."),
        field("title", Scalar, "string", Apis::Facebook, "The event's title."),
        field("start_time", Scalar, "datetime", Apis::Facebook, "When the event starts (ISO 8601)."),
        field("end_time", Scalar, "datetime", Apis::Facebook, "When the event ends (ISO 8601), if set."),
        field("notification_target_time", Scalar, "enum", Apis::Facebook, "EVENT_START or EVENT_END."),
        field("notification_subtypes", Scalar, "list<enum>", Apis::Facebook, "The three reminders sent."),
    ],
};

pub fn render(
    api: graph::Api,
    event: &Event,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let subtypes: Value =
        serde_json::from_str(&event.notification_subtypes).unwrap_or_else(|_| json!([]));
    let mut whole = json!({
        "id": event.id,
        "title": event.title,
        "start_time": graph::timefmt::graph_time(event.start_time),
        "notification_target_time": event.notification_target_time,
        "notification_subtypes": subtypes,
    });
    if let Some(end) = event.end_time {
        whole["end_time"] = json!(graph::timefmt::graph_time(end));
    }
    select(&UPCOMING_EVENT, api, whole, selection)
}
