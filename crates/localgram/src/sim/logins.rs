//! The login and token side of the control API: how the next login dialog answers, ending a
//! token as Meta ends them, and app roles (who can log in under Standard Access).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::apps::app_named;
use super::{parse_body, ControlError};
use crate::login::{set_next, NextLogin};
use crate::state::Shared;
use crate::store::{accounts, logins, tokens, StoreError};

async fn account_exists(state: &Shared, account_id: &str) -> Result<bool, StoreError> {
    let wanted = account_id.to_string();
    let found = state.db.read(move |c| accounts::get(c, &wanted)).await?;
    Ok(found.is_some())
}

/// `POST /_localgram/login/next`: the next visit to either login dialog answers at once, as
/// this account's person would (granting `scopes`, all asked ones by default, or denying).
pub async fn next(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let next: NextLogin = parse_body(&body)?;
    if !account_exists(&state, &next.account_id).await? {
        return Err(ControlError::not_found(format!(
            "no account {}",
            next.account_id
        )));
    }
    set_next(&state, &next).await?;
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invalidation {
    pub access_token: String,
    /// `expired`, `revoked`, `logged_out` or `password_changed`.
    pub reason: String,
}

/// `POST /_localgram/tokens/invalidate`: ends a token the way Meta ends one; each reason gives
/// its own code 190 subcode (463, 458, 467, 460). Page tokens taken from it end with it.
pub async fn invalidate(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: Invalidation = parse_body(&body)?;
    if !["expired", "revoked", "logged_out", "password_changed"].contains(&input.reason.as_str()) {
        return Err(ControlError::bad_request(
            "reason must be \"expired\", \"revoked\", \"logged_out\" or \"password_changed\"",
        ));
    }
    let now = state.clock.now();
    let found = state.db.write(move |tx| -> Result<bool, StoreError> {
        if tokens::get(tx, &input.access_token)?.is_none() {
            return Ok(false);
        }
        match input.reason.as_str() {
            "expired" => tokens::expire(tx, &input.access_token, now)?,
            reason => tokens::invalidate_with_children(tx, &input.access_token, reason, now)?,
        };
        Ok(true)
    });
    if !found.await? {
        return Err(ControlError::not_found("no such access token"));
    }
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub account_id: String,
    /// `administrator`, `developer` or `tester`.
    #[serde(default = "tester")]
    pub role: String,
}

fn tester() -> String {
    "tester".into()
}

/// `POST /_localgram/apps/{id}/roles`: gives an account a role on the app, as adding an
/// Instagram tester in the App Dashboard does.
pub async fn add_role(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewRole = parse_body(&body)?;
    if !["administrator", "developer", "tester"].contains(&input.role.as_str()) {
        return Err(ControlError::bad_request(
            "role must be \"administrator\", \"developer\" or \"tester\"",
        ));
    }
    let app = app_named(&state, &app_id).await?;
    let wanted = input.account_id.clone();
    let Some(account) = state.db.read(move |c| accounts::get(c, &wanted)).await? else {
        return Err(ControlError::not_found(format!(
            "no account {}",
            input.account_id
        )));
    };
    if account.is_private {
        // "Add an Instagram account. This account must be public." (ref 004 L742-749)
        return Err(ControlError::bad_request(format!(
            "@{} is private: an Instagram account added to an app must be public",
            account.username
        )));
    }
    state
        .db
        .write(move |tx| logins::add_role(tx, &app.id, &input.account_id, &input.role))
        .await?;
    Ok(Json(json!({"success": true})))
}

/// `GET /_localgram/apps/{id}/roles`.
pub async fn list_roles(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let app = app_named(&state, &app_id).await?;
    let roles = state.db.read(move |c| logins::roles_of(c, &app.id)).await?;
    let data: Vec<Value> = roles
        .into_iter()
        .map(|(account_id, role)| json!({"account_id": account_id, "role": role}))
        .collect();
    Ok(Json(json!({"data": data})))
}
