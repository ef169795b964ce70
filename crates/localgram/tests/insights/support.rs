//! What the insights suites share: a frozen clock, media and audiences through the control
//! API, and reading a metric's value.

#![allow(dead_code)]

use super::common::{TestServer, World};
use serde_json::{json, Value};

/// Wednesday, Jan 14, 2026 18:00 UTC: Pacific standard time, days end at 08:00 UTC.
pub const NOW: &str = "2026-01-14T18:00:00Z";
pub const NOW_UNIX: i64 = 1_768_413_600;

pub async fn frozen_world(server: &TestServer) -> World {
    server
        .post_control("/clock", json!({"set": NOW, "frozen": true}))
        .await;
    server.world().await
}

pub async fn post_media(server: &TestServer, account: &str, body: Value) -> String {
    server
        .post_control(&format!("/accounts/{account}/media"), body)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Sets the business account's audience profile (`POST /_localgram/accounts/{id}/audience`).
pub async fn set_audience(server: &TestServer, w: &World, profile: Value) -> Value {
    server
        .post_control(&format!("/accounts/{}/audience", w.business_id()), profile)
        .await
}

pub fn ago(seconds: i64) -> String {
    graph::timefmt::rfc3339(NOW_UNIX - seconds)
}

pub fn value_of(body: &Value, metric: &str) -> i64 {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == metric)
        .unwrap_or_else(|| panic!("{metric} in {body}"))["values"][0]["value"]
        .as_i64()
        .unwrap()
}
