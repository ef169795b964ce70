//! `POST /_localgram/reset` and `GET`/`PUT /_localgram/snapshot`: wipe, export and import the
//! whole state.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::ControlError;
use crate::state::Shared;
use crate::store::{snapshot, StoreError};

pub async fn reset(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    // The wipe removes the recorded clock too: a reset clock is the recorded default.
    state.reset().await?;
    Ok(Json(json!({"success": true})))
}

pub async fn export(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    Ok(Json(state.db.read(snapshot::export).await?))
}

/// Replaces the whole state; a snapshot that does not fit changes nothing. The snapshot's
/// virtual clock and id seed take effect at once (and after a restart, from the settings).
pub async fn import(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    state
        .db
        .write(move |tx| -> Result<(), StoreError> { snapshot::import(tx, &body) })
        .await?;
    state.adopt_imported().await?;
    Ok(Json(json!({"success": true})))
}
