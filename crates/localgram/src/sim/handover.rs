//! The Handover Protocol's settings and Meta's Instagram inbox, for tests to play (8.14): the
//! roles an account gives apps in its conversations (Meta sets them in the app's and the
//! account's messaging settings, not through the Graph API), which app controls each
//! conversation, and a person at the Instagram inbox passing a conversation back or taking it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use graph::Api;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::messaging::handover::{self, Act, Control, Thread, INBOX_APP_ID};
use crate::state::Shared;
use crate::store::handover::{self as stored, Roles};
use crate::store::{accounts, apps, conversations, Reader, StoreError, StoreResult};

fn describe(conn: &Reader, account_id: &str) -> StoreResult<Value> {
    let roles = stored::roles(conn, account_id)?;
    let threads: Vec<Value> = stored::owners(conn, account_id)?
        .into_iter()
        .map(|(igsid, owner, at)| json!({"igsid": igsid, "owner_app_id": owner, "updated_time_ms": at}))
        .collect();
    Ok(json!({
        "account_id": account_id,
        "primary_receiver_app_id": roles.primary,
        "secondary_receiver_app_ids": roles.secondary,
        "inbox_app_id": INBOX_APP_ID,
        "threads": threads,
    }))
}

fn existing_account(conn: &Reader, account_id: &str) -> StoreResult<()> {
    match accounts::get(conn, account_id)? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound(format!("no account {account_id}"))),
    }
}

/// `GET /_localgram/accounts/{id}/handover`: the roles and every conversation's recorded
/// controller (the others are the primary receiver's).
#[utoipa::path(
    get,
    path = "/accounts/{id}/handover",
    tag = "handover",
    operation_id = "handover_get",
    summary = "Read the account's Handover Protocol roles and each conversation's controlling app",
    params(("id" = String, Path, description = "The IG account id")),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Handover),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let value = state
        .db
        .read(move |c| {
            existing_account(c, &account_id)?;
            describe(c, &account_id)
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesInput {
    /// `null` turns the Handover Protocol off: every app receives every event again.
    pub primary_receiver_app_id: Option<String>,
    #[serde(default)]
    pub secondary_receiver_app_ids: Vec<String>,
}

/// `POST /_localgram/accounts/{id}/handover`: sets the roles; each app whose role changed is
/// told with an `app_roles` notification (`messaging_handover`).
#[utoipa::path(
    post,
    path = "/accounts/{id}/handover",
    tag = "handover",
    operation_id = "handover_set_roles",
    summary = "Set the account's primary and secondary receiver apps (each app whose role changed gets an app_roles notification)",
    params(("id" = String, Path, description = "The IG account id")),
    request_body = RolesInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Handover),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_roles(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: RolesInput = parse_body(&body)?;
    let mut secondary = input.secondary_receiver_app_ids;
    secondary.sort();
    secondary.dedup();
    if input.primary_receiver_app_id.is_none() && !secondary.is_empty() {
        return Err(ControlError::bad_request(
            "secondary receivers need a primary receiver: set primary_receiver_app_id",
        ));
    }
    if let Some(primary) = &input.primary_receiver_app_id {
        if secondary.contains(primary) {
            return Err(ControlError::bad_request(format!(
                "app {primary} cannot be both the primary and a secondary receiver"
            )));
        }
    }
    let roles = Roles {
        primary: input.primary_receiver_app_id,
        secondary,
    };
    let writing = state.clone();
    let value = state
        .db
        .write(move |tx| -> Result<Value, StoreError> {
            existing_account(tx, &account_id)?;
            for app in roles.primary.iter().chain(&roles.secondary) {
                if app == INBOX_APP_ID {
                    return Err(StoreError::Conflict(format!(
                        "{INBOX_APP_ID} is Meta's Instagram inbox: it needs no role to receive a conversation"
                    )));
                }
                if apps::get(tx, app)?.is_none() {
                    return Err(StoreError::NotFound(format!("no app {app}")));
                }
            }
            let now_ms = writing.clock.now_ms();
            handover::set_roles(tx, &writing, &account_id, &roles, now_ms)?;
            describe(tx, &account_id)
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxAction {
    /// The person's Instagram-scoped id for the account.
    pub igsid: String,
    /// `pass` (give the conversation to `target_app_id`, by default the primary receiver) or
    /// `take` (a person answers in the Instagram app).
    pub action: String,
    pub target_app_id: Option<String>,
    pub metadata: Option<String>,
}

/// `POST /_localgram/accounts/{id}/handover/inbox`: Meta's Instagram inbox passes or takes a
/// conversation, as a person working in the Instagram app does; the apps are told as the
/// Graph API calls tell them.
#[utoipa::path(
    post,
    path = "/accounts/{id}/handover/inbox",
    tag = "handover",
    operation_id = "handover_inbox",
    summary = "Meta's Instagram inbox passes a conversation to an app or takes it, as a person in the Instagram app does",
    params(("id" = String, Path, description = "The IG account id")),
    request_body = InboxAction,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Handover),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn inbox(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: InboxAction = parse_body(&body)?;
    if !["pass", "take"].contains(&input.action.as_str()) {
        return Err(ControlError::bad_request(format!(
            "action must be pass or take, not {:?}",
            input.action
        )));
    }
    let writing = state.clone();
    let value = state
        .db
        .write(move |tx| -> Result<Result<Value, String>, StoreError> {
            existing_account(tx, &account_id)?;
            if conversations::by_igsid(tx, &account_id, &input.igsid)?.is_none() {
                return Err(StoreError::NotFound(format!(
                    "account {account_id} has no conversation with IGSID {}",
                    input.igsid
                )));
            }
            let primary = stored::roles(tx, &account_id)?.primary;
            let target = input.target_app_id.clone().or(primary).unwrap_or_default();
            let control = match input.action.as_str() {
                "pass" => Control::Pass { target: &target },
                _ => Control::Take,
            };
            let thread = Thread {
                account_id: &account_id,
                igsid: &input.igsid,
            };
            let now_ms = writing.clock.now_ms();
            let done = handover::apply(
                tx,
                &writing,
                &thread,
                Act {
                    by: INBOX_APP_ID,
                    control,
                    metadata: input.metadata.clone(),
                },
                Api::Facebook,
                now_ms,
            )?;
            Ok(match done {
                Ok(()) => Ok(describe(tx, &account_id)?),
                Err(e) => Err(e.message),
            })
        })
        .await?;
    value.map(Json).map_err(ControlError::bad_request)
}
