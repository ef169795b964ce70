//! `GET /{user-id}/permissions` and `DELETE /{user-id}/permissions`: what the person granted
//! the app, and the person removing the app (all its tokens end with error 190/458).

use graph::paging::edge_envelope;
use graph::GraphError;
use serde_json::{json, Value};

use super::Call;
use crate::nodes::select;
use crate::nodes::settings::PERMISSION;
use crate::store;

/// The granted permissions of the calling token.
pub async fn list(call: Call) -> Result<Value, GraphError> {
    let caller = call.caller()?;
    let data = caller
        .scopes
        .iter()
        .map(|scope| {
            select(
                &PERMISSION,
                call.api,
                json!({"permission": scope.as_str(), "status": "granted"}),
                call.fields.as_deref(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(edge_envelope(data, None))
}

/// The person removes the app: every token the app holds for them ends.
pub async fn revoke_all(call: Call) -> Result<Value, GraphError> {
    let caller = call.caller()?;
    let target = call.target()?;
    let (app_id, subject, now) = (caller.app.id.clone(), target.id.clone(), call.now());
    call.write(move |tx| store::tokens::revoke_app_for(tx, &app_id, &subject, now))
        .await?;
    Ok(json!({"success": true}))
}
