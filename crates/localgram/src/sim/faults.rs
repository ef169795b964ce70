//! The control API for fault injection: `POST|GET|DELETE /_localgram/faults`,
//! `GET|DELETE /_localgram/faults/{id}` (what `faults` does with them is described there).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::faults::{describe, Spec};
use crate::state::Shared;
use crate::store::faults::{self as stored, Row};
use crate::store::webhooks::{self as hooks, Paused};
use crate::store::{accounts, apps, StoreError, Writer};

/// `POST /_localgram/faults`: arms a fault (a preset's defaults filled in).
#[utoipa::path(
    post,
    path = "/faults",
    tag = "faults",
    operation_id = "faults_create",
    summary = "Arm a fault: matching Graph calls fail, slow down, or fail after applying their change",
    request_body = Spec,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Fault),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let spec: Spec = parse_body(&body)?;
    let spec = spec.prepare().map_err(ControlError::bad_request)?;
    let now = state.clock.now_ms();
    let row = state
        .db
        .write(move |tx| -> Result<Row, ControlError> {
            let mut spec = spec;
            // A fault names an app and an account that exist, by the ids calls carry: it
            // can then never fire for another one.
            if let Some(app_id) = &spec.app_id {
                let app = apps::find_by_any_id(tx, app_id)?
                    .ok_or_else(|| ControlError::not_found(format!("no app {app_id}")))?;
                spec.app_id = Some(app.id);
            }
            if let Some(account_id) = &spec.account_id {
                if accounts::get(tx, account_id)?.is_none() {
                    return Err(ControlError::not_found(format!("no account {account_id}")));
                }
            }
            if spec.preset.as_deref() == Some("webhooks_paused") {
                pause_webhooks(tx, spec.app_id.as_deref(), true)?;
            }
            let text =
                serde_json::to_string(&spec).map_err(|e| StoreError::Internal(e.to_string()))?;
            let mut row = stored::insert(tx, &text, now)?;
            if spec.preset.as_deref() == Some("webhooks_paused") {
                // In force from now on: it has done what it does.
                stored::record(tx, row.id, 1, 1)?;
                (row.matched, row.fired) = (1, 1);
            }
            Ok(row)
        })
        .await?;
    state.webhooks.wake();
    Ok(Json(describe(&row)))
}

/// Pauses (or resumes) webhook delivery for one app or all, as `/_localgram/webhooks/pause`.
fn pause_webhooks(tx: &Writer, app_id: Option<&str>, pause: bool) -> Result<(), StoreError> {
    let mut paused: Paused = hooks::paused(tx)?;
    match app_id {
        None => {
            paused.all = pause;
            if !pause {
                paused.apps.clear();
            }
        }
        Some(app) => {
            paused.apps.retain(|a| a != app);
            if pause {
                paused.apps.push(app.to_string());
            }
        }
    }
    hooks::set_paused(tx, &paused)
}

/// Undoes what a removed fault did to the world (a `webhooks_paused` fault resumes delivery).
fn undo(tx: &Writer, row: &Row) -> Result<(), StoreError> {
    let spec: Spec = serde_json::from_str(&row.spec).unwrap_or_default();
    if spec.preset.as_deref() == Some("webhooks_paused") {
        pause_webhooks(tx, spec.app_id.as_deref(), false)?;
    }
    Ok(())
}

fn parse_id(id: &str) -> Result<i64, ControlError> {
    id.parse()
        .map_err(|_| ControlError::not_found(format!("no fault {id}")))
}

/// `GET /_localgram/faults`: every fault with how often it matched and fired.
#[utoipa::path(
    get,
    path = "/faults",
    tag = "faults",
    operation_id = "faults_list",
    summary = "Every fault with how often it matched and fired",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::FaultList),
    ),
)]
pub async fn list(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let rows = state.db.read(stored::list).await?;
    Ok(Json(
        json!({"data": rows.iter().map(describe).collect::<Vec<_>>()}),
    ))
}

/// `GET /_localgram/faults/{id}`.
#[utoipa::path(
    get,
    path = "/faults/{id}",
    tag = "faults",
    operation_id = "faults_get_one",
    summary = "One fault and its counts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Fault),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_one(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let n = parse_id(&id)?;
    let row = state
        .db
        .read(move |r| stored::get(r, n))
        .await?
        .ok_or_else(|| ControlError::not_found(format!("no fault {id}")))?;
    Ok(Json(describe(&row)))
}

/// `DELETE /_localgram/faults/{id}`: disarms one fault; answers it as it ended.
#[utoipa::path(
    delete,
    path = "/faults/{id}",
    tag = "faults",
    operation_id = "faults_delete_one",
    summary = "Disarm one fault; answers it as it ended",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Fault),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn delete_one(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let n = parse_id(&id)?;
    let row = state
        .db
        .write(move |tx| -> Result<Row, ControlError> {
            let row = stored::get(tx, n)?
                .ok_or_else(|| ControlError::not_found(format!("no fault {id}")))?;
            stored::delete(tx, n)?;
            undo(tx, &row)?;
            Ok(row)
        })
        .await?;
    state.webhooks.wake();
    Ok(Json(describe(&row)))
}

/// `DELETE /_localgram/faults`: disarms every fault.
#[utoipa::path(
    delete,
    path = "/faults",
    tag = "faults",
    operation_id = "faults_clear",
    summary = "Disarm every fault (webhooks_paused faults resume delivery)",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::FaultsCleared),
    ),
)]
pub async fn clear(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let rows = state
        .db
        .write(|tx| -> Result<Vec<Row>, StoreError> {
            let rows = stored::clear(tx)?;
            for row in &rows {
                undo(tx, row)?;
            }
            Ok(rows)
        })
        .await?;
    state.webhooks.wake();
    Ok(Json(json!({"deleted": rows.len()})))
}
