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
#[utoipa::path(
    post,
    path = "/login/next",
    tag = "logins",
    operation_id = "logins_next",
    summary = "Make the next visit to either login dialog answer at once as this account's person would",
    request_body = NextLogin,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invalidation {
    pub access_token: String,
    #[schema(schema_with = crate::sim::openapi::vocab::invalidation_reason)]
    /// `expired`, `revoked`, `logged_out` or `password_changed`.
    pub reason: String,
}

/// `POST /_localgram/tokens/invalidate`: ends a token the way Meta ends one; each reason gives
/// its own code 190 subcode (463, 458, 467, 460). Page tokens taken from it end with it.
#[utoipa::path(
    post,
    path = "/tokens/invalidate",
    tag = "logins",
    operation_id = "logins_invalidate",
    summary = "End a token as Meta ends one (expired 463, revoked 458, logged_out 467, password_changed 460); Page tokens taken from it end too",
    request_body = Invalidation,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub account_id: String,
    #[schema(schema_with = crate::sim::openapi::vocab::app_role)]
    /// `administrator`, `developer` or `tester`.
    #[serde(default = "tester")]
    pub role: String,
}

fn tester() -> String {
    "tester".into()
}

/// `POST /_localgram/apps/{id}/roles`: gives an account a role on the app, as adding an
/// Instagram tester in the App Dashboard does.
#[utoipa::path(
    post,
    path = "/apps/{id}/roles",
    tag = "logins",
    operation_id = "logins_add_role",
    summary = "Give an account a role on the app (who can log in under Standard Access)",
    params(("id" = String, Path)),
    request_body = NewRole,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/apps/{id}/roles",
    tag = "logins",
    operation_id = "logins_list_roles",
    summary = "List the app's roles",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::RoleList),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
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
