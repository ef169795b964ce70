//! `GET /_localgram/requests`: the request log, newest first.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::state::Shared;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<usize>,
}

pub async fn list(State(state): State<Shared>, Query(query): Query<ListQuery>) -> Json<Value> {
    let entries = state.requests.recent(query.limit.unwrap_or(100));
    Json(json!({"data": entries}))
}
