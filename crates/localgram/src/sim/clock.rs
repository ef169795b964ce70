//! `GET`/`POST /_localgram/clock`: read, move, set and freeze virtual time.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::state::Shared;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    pub advance_seconds: Option<f64>,
    #[schema(format = DateTime)]
    /// RFC 3339.
    pub set: Option<String>,
    pub frozen: Option<bool>,
}

fn describe(state: &Shared) -> Value {
    let now_ms = state.clock.now_ms();
    json!({
        "now": graph::timefmt::rfc3339(now_ms.div_euclid(1000)),
        "now_unix": now_ms.div_euclid(1000),
        "now_unix_ms": now_ms,
        "frozen": state.clock.is_frozen(),
    })
}

#[utoipa::path(
    get,
    path = "/clock",
    tag = "clock",
    operation_id = "clock_get_clock",
    summary = "Read the virtual clock",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Clock),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_clock(State(state): State<Shared>) -> Json<Value> {
    Json(describe(&state))
}

/// Applies `set`, then `advance_seconds`, then `frozen`.
#[utoipa::path(
    post,
    path = "/clock",
    tag = "clock",
    operation_id = "clock_set_clock",
    summary = "Set, advance or freeze the virtual clock (applied in that order)",
    request_body = ClockChange,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Clock),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_clock(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let change: ClockChange = parse_body(&body)?;
    let set_ms = match &change.set {
        None => None,
        Some(text) => Some(
            graph::timefmt::parse_rfc3339(text)
                .ok_or_else(|| {
                    ControlError::bad_request(format!("set must be an RFC 3339 time, not {text:?}"))
                })?
                .saturating_mul(1000),
        ),
    };
    let advance_ms = match change.advance_seconds {
        None => None,
        Some(seconds) if seconds.is_finite() && seconds.abs() < 1e12 => {
            Some((seconds * 1000.0).round() as i64)
        }
        Some(_) => {
            return Err(ControlError::bad_request(
                "advance_seconds must be a finite number of seconds",
            ))
        }
    };
    state
        .move_clock(|clock| {
            // Freezing first makes `set` and `advance` exact: set on a running clock and then
            // frozen, it would stand where real time had moved on meanwhile (a millisecond off
            // across a millisecond boundary).
            if change.frozen == Some(true) {
                clock.set_frozen(true);
            }
            if let Some(ms) = set_ms {
                clock.set_ms(ms);
            }
            if let Some(ms) = advance_ms {
                clock.advance_ms(ms);
            }
            if let Some(frozen) = change.frozen {
                clock.set_frozen(frozen);
            }
        })
        .await?;
    Ok(Json(describe(&state)))
}
