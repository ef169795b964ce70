//! The Handover Protocol's calls (8.14; ref 004 L214-219 name the protocol, 004 L2436 and
//! L2443 its webhook fields; the calls are Meta's public Messenger Platform ones,
//! decisions.md): `pass_thread_control`, `take_thread_control`, `request_thread_control`,
//! `thread_owner` and `secondary_receivers`, on the IG User with Instagram Login and on the
//! Page with Facebook Login, like the Send API.

use graph::{GraphError, Params};
use serde_json::{json, Value};

use super::messaging::{account_of, id_text, require_messaging};
use super::Call;
use crate::messaging::handover::{self, Act, Control, Thread};
use crate::store::{apps, conversations, handover as roles};

/// Meta's limit on the metadata passed along with thread control.
const METADATA_MAX: usize = 1000;

fn param_error(e: graph::params::ParamError) -> GraphError {
    GraphError::from_param(&e)
}

/// `recipient`: `{"id": IGSID}` (JSON) or a bare IGSID.
fn recipient(params: &Params) -> Result<String, GraphError> {
    if let Ok(Some(object)) = params.json_object("recipient") {
        return match object.get("id") {
            Some(id) => id_text(id, "recipient[id]"),
            None => Err(GraphError::param_required("recipient[id]")),
        };
    }
    match params.str("recipient").map_err(param_error)? {
        Some(id) if !id.trim().is_empty() => Ok(id.trim().to_string()),
        _ => Err(GraphError::param_required("recipient")),
    }
}

fn metadata(params: &Params) -> Result<Option<String>, GraphError> {
    let metadata = params.str("metadata").map_err(param_error)?;
    if metadata
        .as_ref()
        .is_some_and(|m| m.chars().count() > METADATA_MAX)
    {
        return Err(GraphError::param_too_long("metadata", METADATA_MAX));
    }
    Ok(metadata)
}

/// Runs one control on the conversation with `recipient`, as the calling app.
async fn control(call: Call, which: &'static str) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    let caller = call.caller()?.clone();
    require_messaging(&caller)?;
    let igsid = recipient(&call.params)?;
    let metadata = metadata(&call.params)?;
    let target = match which {
        "pass" => Some(
            call.params
                .str("target_app_id")
                .map_err(param_error)?
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| GraphError::param_required("target_app_id"))?,
        ),
        _ => None,
    };
    let api = call.api;
    let state = call.state.clone();
    call.write(move |tx| {
        if conversations::by_igsid(tx, &account.id, &igsid)?.is_none() {
            return Ok(Err(GraphError::messaging_user_not_found(api)));
        }
        let thread = Thread {
            account_id: &account.id,
            igsid: &igsid,
        };
        let control = match (which, target.as_deref()) {
            ("pass", Some(target)) => Control::Pass { target },
            ("take", _) => Control::Take,
            _ => Control::Request,
        };
        let now_ms = state.clock.now_ms();
        handover::apply(
            tx,
            &state,
            &thread,
            Act {
                by: &caller.app.id,
                control,
                metadata,
            },
            api,
            now_ms,
        )
    })
    .await??;
    Ok(json!({"success": true}))
}

/// `POST /{id}/pass_thread_control`: the controlling app gives the conversation to
/// `target_app_id` (another receiver, or the Instagram inbox).
pub async fn pass(call: Call) -> Result<Value, GraphError> {
    control(call, "pass").await
}

/// `POST /{id}/take_thread_control`: the primary receiver takes the conversation back.
pub async fn take(call: Call) -> Result<Value, GraphError> {
    control(call, "take").await
}

/// `POST /{id}/request_thread_control`: a receiver asks the controlling app for it.
pub async fn request(call: Call) -> Result<Value, GraphError> {
    control(call, "request").await
}

/// `GET /{id}/thread_owner?recipient=IGSID` → `{"data":[{"thread_owner":{"app_id"}}]}`.
pub async fn thread_owner(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    let igsid = recipient(&call.params)?;
    let api = call.api;
    let owner = call
        .read(move |r| {
            if conversations::by_igsid(r, &account.id, &igsid)?.is_none() {
                return Ok(Err(GraphError::messaging_user_not_found(api)));
            }
            let thread = Thread {
                account_id: &account.id,
                igsid: &igsid,
            };
            handover::owner(r, &thread, api)
        })
        .await??;
    Ok(json!({"data": [{"thread_owner": {"app_id": owner}}]}))
}

/// `GET /{id}/secondary_receivers` (primary receiver only) → `{"data":[{"id","name"}]}`;
/// `fields` picks among `id` and `name`.
pub async fn secondary_receivers(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    let caller = call.caller()?.clone();
    require_messaging(&caller)?;
    let wanted: Vec<String> = match &call.fields {
        Some(fields) if !fields.is_empty() => fields.names().map(str::to_string).collect(),
        _ => vec!["id".into(), "name".into()],
    };
    if let Some(unknown) = wanted
        .iter()
        .find(|f| !["id", "name"].contains(&f.as_str()))
    {
        return Err(GraphError::nonexisting_field(unknown, "Application"));
    }
    let api = call.api;
    let receivers = call
        .read(move |r| {
            let roles = roles::roles(r, &account.id)?;
            let Some(primary) = &roles.primary else {
                return Ok(Err(GraphError::handover_not_configured(api)));
            };
            if *primary != caller.app.id {
                return Ok(Err(GraphError::handover_primary_only(
                    api,
                    "list the secondary receivers",
                )));
            }
            let mut out = Vec::new();
            for id in &roles.secondary {
                let name = apps::get(r, id)?.map(|a| a.name).unwrap_or_default();
                let mut item = serde_json::Map::new();
                for field in &wanted {
                    let value = if field == "id" {
                        id.clone()
                    } else {
                        name.clone()
                    };
                    item.insert(field.clone(), json!(value));
                }
                out.push(Value::Object(item));
            }
            Ok(Ok(out))
        })
        .await??;
    Ok(json!({"data": receivers}))
}
