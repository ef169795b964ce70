//! Snapshots as files: `serve --import FILE` starts from one, `serve --export-on-exit FILE`
//! writes one on a clean stop (the same document as `GET`/`PUT /_localgram/snapshot`).

use std::path::Path;

use crate::state::Shared;
use crate::store::{snapshot, StoreError};

/// Replaces the whole state with the snapshot in `path`; a snapshot that does not fit
/// changes nothing.
pub async fn import(state: &Shared, path: &Path) -> Result<(), String> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    state
        .db
        .write(move |tx| -> Result<(), StoreError> { snapshot::import(tx, &bytes) })
        .await
        .map_err(|e| format!("cannot import {}: {e}", path.display()))?;
    state
        .adopt_imported()
        .await
        .map_err(|e| format!("cannot import {}: {e}", path.display()))
}

/// Writes the whole state to `path` (through a temporary file beside it, so a crash never
/// leaves half a snapshot).
pub async fn export(state: &Shared, path: &Path) -> Result<(), String> {
    let document = state
        .db
        .read(snapshot::export)
        .await
        .map_err(|e| format!("cannot export the state: {e}"))?;
    let bytes = serde_json::to_vec(&document).map_err(|e| e.to_string())?;
    let partial = path.with_extension("partial");
    tokio::fs::write(&partial, &bytes)
        .await
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    tokio::fs::rename(&partial, path)
        .await
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
