//! The Welcome Message Flows API (ref 000 L904-1233): create, list, read one (`?flow_id=`),
//! update and delete the flows an account offers to Click-to-Instagram-Direct ads. A flow
//! comes back with `welcome_message_flow` as a JSON string (see `messaging::flows`).

use graph::paging::{Page, Window};
use graph::GraphError;
use serde_json::{json, Value};

use super::messaging::{account_of, require_messaging};
use super::Call;
use crate::messaging::flows;
use crate::nodes::select;
use crate::nodes::settings::WELCOME_FLOW;
use crate::nodes::{kinds, NodeKind};
use crate::store::accounts::Account;
use crate::store::welcome_flows::{self as store, Flow};
use crate::store::StoreError;

/// Flow pages: 25 by default, 100 at most (decisions.md).
const PAGE_DEFAULT: usize = 25;
const PAGE_MAX: usize = 100;

/// A flow as the samples print it (ref 000 L1000-1020).
fn render(flow: &Flow) -> Value {
    json!({
        "name": flow.name,
        "eligible_platforms": flow.platforms,
        "welcome_message_flow": flow.flow,
        "last_update_time": graph::timefmt::graph_time(flow.updated_at),
        "is_used_in_ad": flow.is_used_in_ad,
        "id": flow.id,
    })
}

fn flow_id(call: &Call) -> Result<Option<String>, GraphError> {
    call.params
        .str("flow_id")
        .map_err(|e| GraphError::from_param(&e))
}

/// The account's flow `id`, or the parameter error.
async fn owned_flow(call: &Call, account: &Account, id: &str) -> Result<Flow, GraphError> {
    let id = id.to_string();
    call.read(move |c| store::get(c, &id))
        .await?
        .filter(|f| f.account_id == account.id)
        .ok_or_else(|| {
            GraphError::param_invalid(
                "flow_id",
                "the ID of one of the account's welcome message flows",
            )
        })
}

fn name_param(call: &Call) -> Result<Option<String>, GraphError> {
    let name = call
        .params
        .str("name")
        .map_err(|e| GraphError::from_param(&e))?;
    match name {
        Some(n) if n.trim().is_empty() => Err(GraphError::param_required("name")),
        other => Ok(other),
    }
}

fn flow_param(call: &Call) -> Result<Option<String>, GraphError> {
    call.params
        .json("welcome_message_flow")
        .map_err(|e| GraphError::from_param(&e))?
        .map(|v| flows::canonical_flow(&v))
        .transpose()
}

fn platforms_param(call: &Call) -> Result<Option<Vec<String>>, GraphError> {
    call.params
        .list("eligible_platforms")
        .map_err(|e| GraphError::from_param(&e))?
        .map(|p| flows::platforms(&p))
        .transpose()
}

/// `POST .../welcome_message_flows`: creates (→ `{"flow_id"}`, ref 000 L1088-1142) or, with
/// `flow_id`, updates (→ `{"success":true}`, L1143-1199).
pub async fn create_or_update(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    let now_s = call.state.clock.now();
    let name = name_param(&call)?;
    let flow = flow_param(&call)?;
    let platforms = platforms_param(&call)?;
    if let Some(id) = flow_id(&call)? {
        let mut existing = owned_flow(&call, &account, &id).await?;
        if name.is_none() && flow.is_none() && platforms.is_none() {
            return Err(GraphError::param_required("name or welcome_message_flow"));
        }
        if let Some(name) = name {
            existing.name = name;
        }
        if let Some(flow) = flow {
            existing.flow = flow;
        }
        if let Some(platforms) = platforms {
            existing.platforms = platforms;
        }
        existing.updated_at = now_s;
        call.write(move |tx| store::update(tx, &existing)).await?;
        return Ok(json!({"success": true}));
    }
    let name = name.ok_or_else(|| GraphError::param_required("name"))?;
    let flow = flow.ok_or_else(|| GraphError::param_required("welcome_message_flow"))?;
    let platforms = platforms.unwrap_or_else(|| vec!["INSTAGRAM".to_string()]);
    let state = call.state.clone();
    let created_at = call.state.clock.now_ms();
    let id = call
        .write(move |tx| -> Result<String, StoreError> {
            let id = kinds::mint(tx, &state.ids, NodeKind::WelcomeFlow, now_s)?;
            store::insert(
                tx,
                &Flow {
                    id: id.clone(),
                    account_id: account.id.clone(),
                    name: name.clone(),
                    flow: flow.clone(),
                    platforms: platforms.clone(),
                    is_used_in_ad: false,
                    created_at,
                    updated_at: now_s,
                },
            )?;
            Ok(id)
        })
        .await?;
    Ok(json!({"flow_id": id}))
}

/// `GET .../welcome_message_flows` (ref 000 L977-1034) and `?flow_id=` (L1035-1087).
pub async fn list(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    if let Some(id) = flow_id(&call)? {
        let flow = owned_flow(&call, &account, &id).await?;
        let cursor = graph::paging::encode_cursor(&flow.id);
        return Ok(json!({
            "data": [select(&WELCOME_FLOW, call.api, render(&flow), call.fields.as_deref())?],
            "paging": {"cursors": {"before": cursor, "after": cursor}},
        }));
    }
    let request = call.page_request(PAGE_DEFAULT, PAGE_MAX)?;
    let window = request.clone();
    let fetched = call
        .read(move |c| {
            let (after, before) = match &window.window {
                Window::Forward { after } => (after.as_deref(), None),
                Window::Backward { before } => (None, Some(before.as_str())),
            };
            store::list(c, &account.id, after, before, window.fetch_count())
        })
        .await?;
    let page = Page::from_fetched(&request, fetched)
        .try_map(|f| select(&WELCOME_FLOW, call.api, render(&f), call.fields.as_deref()))?;
    Ok(call.edge_reply(page))
}

/// `DELETE .../welcome_message_flows?flow_id=` → `{"success":true}` (ref 000 L1200-1233).
pub async fn delete(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    let id = flow_id(&call)?.ok_or_else(|| GraphError::param_required("flow_id"))?;
    let flow = owned_flow(&call, &account, &id).await?;
    call.write(move |tx| store::delete(tx, &flow.id)).await?;
    Ok(json!({"success": true}))
}
