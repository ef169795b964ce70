//! `POST /_localgram/reset` and `GET`/`PUT /_localgram/snapshot`: wipe, export and import the
//! whole state.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::ControlError;
use crate::state::Shared;
use crate::store::{snapshot, StoreError};

#[utoipa::path(
    post,
    path = "/reset",
    tag = "snapshot",
    operation_id = "snapshot_reset",
    summary = "Wipe all state (the id seed is kept)",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Success),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn reset(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    // The wipe removes the recorded clock too: a reset clock is the recorded default.
    state.reset().await?;
    Ok(Json(json!({"success": true})))
}

#[utoipa::path(
    get,
    path = "/snapshot",
    tag = "snapshot",
    operation_id = "snapshot_export",
    summary = "Export the whole state",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Snapshot),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn export(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    Ok(Json(state.db.read(snapshot::export).await?))
}

/// Replaces the whole state; a snapshot that does not fit changes nothing. The snapshot's
/// virtual clock and id seed take effect at once (and after a restart, from the settings).
#[utoipa::path(
    put,
    path = "/snapshot",
    tag = "snapshot",
    operation_id = "snapshot_import",
    summary = "Replace the whole state with a snapshot",
    description = "Takes bodies up to 4 GiB (other control routes take 256 MiB); rows are parsed and inserted one at a time in one transaction, so a snapshot that does not fit changes nothing.",
    request_body = crate::sim::openapi::answers::Snapshot,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Success),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn import(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    state
        .db
        .write(move |tx| -> Result<(), StoreError> { snapshot::import(tx, &body) })
        .await?;
    state.adopt_imported().await?;
    Ok(Json(json!({"success": true})))
}
