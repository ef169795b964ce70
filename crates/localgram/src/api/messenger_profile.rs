//! The Messenger Profile API (ref 000 L1236-1580): `POST`, `GET` and `DELETE
//! /{ig-user-id}/messenger_profile` (also `/me/...`, and `/{page-id}/...?platform=instagram` on
//! the Messenger Platform) for the persistent menu and the ice breakers.

use graph::GraphError;
use serde_json::{json, Value};

use super::messaging::{account_of, require_messaging, require_platform_instagram};
use super::Call;
use crate::messaging::profile::{self, FIELDS, ICE_BREAKERS, PERSISTENT_MENU};
use crate::nodes::NodeKind;
use crate::store::{messenger_profiles, StoreError};

fn check_platform(call: &Call) -> Result<(), GraphError> {
    if call.target()?.kind == NodeKind::Page {
        return require_platform_instagram(&call.params);
    }
    match call
        .params
        .str("platform")
        .map_err(|e| GraphError::from_param(&e))?
        .as_deref()
    {
        None | Some("instagram") => Ok(()),
        Some(other) => Err(GraphError::param_not_one_of(
            "platform",
            &["instagram"],
            other,
        )),
    }
}

/// The profile fields a read or a deletion names, each known.
fn named_fields(call: &Call) -> Result<Vec<&'static str>, GraphError> {
    let Some(selection) = &call.fields else {
        return Err(GraphError::param_required("fields"));
    };
    let mut out: Vec<&'static str> = Vec::new();
    for (i, name) in selection.names().enumerate() {
        let known = FIELDS
            .iter()
            .find(|f| **f == name)
            .ok_or_else(|| GraphError::param_not_one_of(&format!("fields[{i}]"), FIELDS, name))?;
        if !out.contains(known) {
            out.push(known);
        }
    }
    if out.is_empty() {
        return Err(GraphError::param_required("fields"));
    }
    Ok(out)
}

/// `POST .../messenger_profile` with `persistent_menu` and/or `ice_breakers` →
/// `{"result":"success"}` (ref 000 L1318-1369, L1451-1493).
pub async fn set(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    check_platform(&call)?;
    let json_param = |name: &str| {
        call.params
            .json(name)
            .map_err(|e| GraphError::from_param(&e))
    };
    let menu = json_param(PERSISTENT_MENU)?
        .map(|v| profile::parse_persistent_menu(&v))
        .transpose()?;
    let ice = json_param(ICE_BREAKERS)?
        .map(|v| profile::parse_ice_breakers(&v))
        .transpose()?;
    if menu.is_none() && ice.is_none() {
        return Err(GraphError::param_required(
            "persistent_menu or ice_breakers",
        ));
    }
    let now_ms = call.state.clock.now_ms();
    call.write(move |tx| -> Result<(), StoreError> {
        if let Some(menu) = &menu {
            messenger_profiles::set(tx, &account.id, PERSISTENT_MENU, menu, now_ms)?;
        }
        if let Some(ice) = &ice {
            messenger_profiles::set(tx, &account.id, ICE_BREAKERS, ice, now_ms)?;
        }
        Ok(())
    })
    .await?;
    Ok(json!({"result": "success"}))
}

/// `GET .../messenger_profile?fields=...` (ref 000 L1370-1422, L1494-1552).
pub async fn get(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    check_platform(&call)?;
    let fields = named_fields(&call)?;
    let (menu, ice) = call
        .read(move |c| {
            Ok((
                messenger_profiles::get(c, &account.id, PERSISTENT_MENU)?,
                messenger_profiles::get(c, &account.id, ICE_BREAKERS)?,
            ))
        })
        .await?;
    Ok(json!({"data": profile::read_data(&fields, menu, ice)}))
}

/// `DELETE .../messenger_profile?fields=['persistent_menu']` (ref 000 L1423-1450, L1553-1580).
pub async fn delete(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    check_platform(&call)?;
    let fields = named_fields(&call)?;
    call.write(move |tx| -> Result<(), StoreError> {
        for field in &fields {
            messenger_profiles::delete(tx, &account.id, field)?;
        }
        Ok(())
    })
    .await?;
    Ok(json!({"result": "success"}))
}
