//! The Threads accounts of an IG account (issue #13): `connected_threads_user` (ref 001
//! L6512-6563) and `instagram_backed_threads_user` (L7332-7406).

use graph::ids::IdKind;
use graph::paging::edge_envelope;
use graph::GraphError;
use serde_json::{json, Value};

use super::Call;
use crate::nodes::{field, select, Apis, FieldKind::*, NodeType};
use crate::store::{objects, threads_users as store};

#[rustfmt::skip]
pub static THREADS_USER: NodeType = NodeType {
    name: "IGThreadsUser",
    metadata_type: "igthreadsuser",
    defaults: &["threads_user_id"],
    fields: &[
        field("threads_user_id", Scalar, "numeric string", Apis::Facebook, "The Threads account's ID."),
    ],
};

fn answer(call: &Call, id: Option<String>) -> Result<Value, GraphError> {
    let items = id
        .map(|id| {
            select(
                &THREADS_USER,
                call.api,
                json!({"threads_user_id": id}),
                call.fields.as_deref(),
            )
        })
        .transpose()?
        .into_iter()
        .collect();
    Ok(edge_envelope(items, None))
}

async fn read(call: Call, kind: &'static str) -> Result<Value, GraphError> {
    let account = call.target()?.id.clone();
    let id = call.read(move |r| store::get(r, &account, kind)).await?;
    answer(&call, id)
}

/// `GET /{ig-user-id}/connected_threads_user`: the Threads account linked to the IG
/// account, if one is (the control API links one).
pub async fn connected(call: Call) -> Result<Value, GraphError> {
    read(call, "connected").await
}

/// `GET /{ig-user-id}/instagram_backed_threads_user`.
pub async fn backed(call: Call) -> Result<Value, GraphError> {
    read(call, "backed").await
}

/// `POST /{ig-user-id}/instagram_backed_threads_user`: creates the account's one
/// Instagram-backed Threads account, or answers the one it has.
pub async fn create_backed(call: Call) -> Result<Value, GraphError> {
    let account = call.target()?.id.clone();
    let (state, now) = (call.state.clone(), call.now());
    let id = call
        .write(move |tx| {
            if let Some(id) = store::get(tx, &account, "backed")? {
                return Ok(id);
            }
            let id = objects::mint(tx, &state.ids, IdKind::Other, "threads_user", now)?;
            store::set(tx, &account, "backed", &id, now)?;
            Ok(id)
        })
        .await?;
    answer(&call, Some(id))
}
