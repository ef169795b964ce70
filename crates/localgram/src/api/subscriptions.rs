//! Webhook subscriptions (issue #6): the app's configuration as the App Dashboard sets it
//! (`/{app-id}/subscriptions` with an app token, ref 004 L2310), and the accounts enabling the
//! app (`/{ig-user-id}/subscribed_apps` with Instagram Login, 000 L2329-2421, 004 L2387-2422;
//! `/{page-id}/subscribed_apps` with Facebook Login, 003 L87-129).

use graph::{FieldSelection, GraphError};
use serde_json::{json, Value};

use super::Call;
use crate::nodes::settings::{APP_SUBSCRIPTION, SUBSCRIBED_APP};
use crate::nodes::{select, NodeKind};
use crate::store::webhooks::{self as config, AccountSubscription, SubscribedField, Subscription};
use crate::store::{apps, events as outbox, StoreResult};
use crate::webhooks::fields::{self, Login, DASHBOARD_DEFAULTS, OBJECT, PAGE_FIELDS};
use crate::webhooks::verify;

fn param_error(e: graph::params::ParamError) -> GraphError {
    GraphError::from_param(&e)
}

fn success() -> Value {
    json!({"success": true})
}

/// A list parameter of field names, each checked against `allowed`.
fn field_list(
    call: &Call,
    name: &str,
    allowed: &[&str],
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(list) = call.params.list(name).map_err(param_error)? else {
        return Ok(None);
    };
    checked(list, name, allowed).map(Some)
}

/// The `fields` parameter of `/{app-id}/subscriptions`: the request's field selection, which
/// dispatch has already parsed (a comma list, or an array in a JSON body); each item must be a
/// plain field name.
fn subscription_fields(call: &Call) -> Result<Option<Vec<String>>, GraphError> {
    let Some(selection) = &call.fields else {
        return Ok(None);
    };
    let allowed = fields::names();
    let mut list = Vec::with_capacity(selection.len());
    for (i, request) in selection.iter().enumerate() {
        if !request.modifiers.is_empty() || request.subfields.is_some() {
            return Err(GraphError::param_not_one_of(
                &format!("fields[{i}]"),
                &allowed,
                &FieldSelection(vec![request.clone()]).to_expression(),
            ));
        }
        list.push(request.name.clone());
    }
    checked(list, "fields", &allowed).map(Some)
}

/// Every name in `allowed` (Meta names the first that is not), duplicates dropped.
fn checked(list: Vec<String>, name: &str, allowed: &[&str]) -> Result<Vec<String>, GraphError> {
    for (i, field) in list.iter().enumerate() {
        if !allowed.contains(&field.as_str()) {
            return Err(GraphError::param_not_one_of(
                &format!("{name}[{i}]"),
                allowed,
                field,
            ));
        }
    }
    let mut unique: Vec<String> = Vec::with_capacity(list.len());
    for field in list {
        if !unique.contains(&field) {
            unique.push(field);
        }
    }
    Ok(unique)
}

/// The `object` parameter: localgram delivers the `instagram` object's fields.
fn object_param(call: &Call, required: bool) -> Result<Option<String>, GraphError> {
    match call.params.str("object").map_err(param_error)? {
        None if required => Err(GraphError::param_required("object")),
        None => Ok(None),
        Some(object) if object == OBJECT => Ok(Some(object)),
        Some(other) => Err(GraphError::param_not_one_of("object", &[OBJECT], &other)),
    }
}

fn describe_subscription(s: &Subscription) -> Value {
    json!({
        "object": s.object,
        "callback_url": s.callback_url,
        "active": s.active,
        "fields": s.fields.iter().map(|f| json!({"name": f.name, "version": f.version})).collect::<Vec<_>>(),
    })
}

/// `GET /{app-id}/subscriptions`: the app's webhook configuration.
pub async fn list_app_subscriptions(call: Call) -> Result<Value, GraphError> {
    let app_id = call.target()?.id.clone();
    let subscriptions = call
        .read(move |c| config::subscriptions_of(c, &app_id))
        .await?;
    let data = subscriptions
        .iter()
        .map(|s| {
            select(
                &APP_SUBSCRIPTION,
                call.api,
                describe_subscription(s),
                call.fields.as_deref(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "data": data }))
}

/// `POST /{app-id}/subscriptions`: sets the callback, verify token and fields of an object,
/// after the callback passes the verification request (ref 004 L2282-2310). Fields are added to
/// those already subscribed; without any, a new configuration gets the dashboard's defaults
/// (004 L761-770).
pub async fn create_app_subscription(call: Call) -> Result<Value, GraphError> {
    let app_id = call.target()?.id.clone();
    let object = object_param(&call, true)?.unwrap_or_else(|| OBJECT.to_string());
    let lookup = (app_id.clone(), object.clone());
    let existing = call
        .read(move |c| config::subscription(c, &lookup.0, &lookup.1))
        .await?;
    let callback_url = call.params.str("callback_url").map_err(param_error)?;
    let verify_token = call.params.str("verify_token").map_err(param_error)?;
    let requested = subscription_fields(&call)?;
    let include_values = call.params.bool("include_values").map_err(param_error)?;

    let callback_url = match (callback_url, &existing) {
        (Some(url), _) => url.trim().to_string(),
        (None, Some(existing)) => existing.callback_url.clone(),
        (None, None) => return Err(GraphError::param_required("callback_url")),
    };
    let verify_token = match (verify_token, &existing) {
        (Some(token), _) => token,
        (None, Some(existing)) if existing.callback_url == callback_url => {
            existing.verify_token.clone()
        }
        _ => return Err(GraphError::param_required("verify_token")),
    };
    let version = call.version.to_string();
    let mut subscribed: Vec<SubscribedField> = existing
        .as_ref()
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let added: Vec<String> = match requested {
        Some(list) => list,
        None if subscribed.is_empty() => DASHBOARD_DEFAULTS.iter().map(|f| f.to_string()).collect(),
        None => Vec::new(),
    };
    for name in added {
        match subscribed.iter_mut().find(|f| f.name == name) {
            Some(field) => field.version = version.clone(),
            None => subscribed.push(SubscribedField {
                name,
                version: version.clone(),
            }),
        }
    }
    let mut subscription = Subscription {
        app_id: app_id.clone(),
        object,
        callback_url: callback_url.clone(),
        verify_token: verify_token.clone(),
        fields: subscribed,
        include_values: include_values
            .or(existing.as_ref().map(|e| e.include_values))
            .unwrap_or(true),
        active: true,
        verification_error: None,
        updated_at: call.now(),
    };

    let verified = match verify::parse_callback(&callback_url) {
        Ok(url) => {
            let hub = &call.state.webhooks;
            verify::verify(&hub.client(), &url, &verify_token, hub.timeout).await
        }
        Err(error) => Err(error),
    };
    if let Err(error) = verified {
        // A working configuration stays as it was, as in the dashboard. A first one is kept,
        // inactive, so events say why nothing was delivered.
        if !existing.as_ref().is_some_and(|e| e.active) {
            subscription.active = false;
            subscription.verification_error = Some(error.message.clone());
            call.write(move |tx| config::put_subscription(tx, &subscription))
                .await?;
        }
        return Err(error);
    }
    call.write(move |tx| config::put_subscription(tx, &subscription))
        .await?;
    call.state.webhooks.wake();
    Ok(success())
}

/// `DELETE /{app-id}/subscriptions`: removes the given fields, or the whole object's (or every)
/// configuration. Deliveries still waiting for the removed configuration are given up.
pub async fn delete_app_subscription(call: Call) -> Result<Value, GraphError> {
    let app_id = call.target()?.id.clone();
    let object = object_param(&call, false)?;
    let remove = subscription_fields(&call)?;
    let now_ms = call.state.clock.now_ms();
    call.write(move |tx| -> StoreResult<()> {
        let existing = match &object {
            Some(object) => config::subscription(tx, &app_id, object)?
                .into_iter()
                .collect(),
            None => config::subscriptions_of(tx, &app_id)?,
        };
        for mut subscription in existing {
            match &remove {
                Some(remove) => {
                    subscription.fields.retain(|f| !remove.contains(&f.name));
                    if subscription.fields.is_empty() {
                        config::delete_subscription(tx, &app_id, &subscription.object)?;
                    } else {
                        config::put_subscription(tx, &subscription)?;
                        continue;
                    }
                }
                None => {
                    config::delete_subscription(tx, &app_id, &subscription.object)?;
                }
            }
            outbox::fail_pending_of_app(
                tx,
                &app_id,
                "the app removed its Instagram webhooks configuration",
                now_ms,
            )?;
        }
        Ok(())
    })
    .await?;
    Ok(success())
}

/// The login and subject (IG account or Page) of a `subscribed_apps` call.
fn subject(call: &Call) -> Result<(Login, String), GraphError> {
    let target = call.target()?;
    let login = match target.kind {
        NodeKind::Page => Login::Facebook,
        _ => Login::Instagram,
    };
    Ok((login, target.id.clone()))
}

/// `GET /{ig-user-id}/subscribed_apps` and `GET /{page-id}/subscribed_apps`: the apps the
/// account enabled and the fields it named.
pub async fn list_subscribed_apps(call: Call) -> Result<Value, GraphError> {
    let (login, subject) = subject(&call)?;
    let data = call
        .read(move |c| {
            let mut data = Vec::new();
            for s in config::account_subscriptions(c, &subject, login.as_str())? {
                let name = apps::get(c, &s.app_id)?.map(|a| a.name).unwrap_or_default();
                data.push(json!({"name": name, "id": s.app_id, "subscribed_fields": s.fields}));
            }
            Ok(data)
        })
        .await?;
    let data = data
        .into_iter()
        .map(|app| select(&SUBSCRIBED_APP, call.api, app, call.fields.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "data": data }))
}

/// `POST /{ig-user-id}/subscribed_apps` (and the Page's): the calling app receives the
/// account's notifications, for every field the app subscribes to (004 L2269).
pub async fn subscribe_app(call: Call) -> Result<Value, GraphError> {
    let (login, subject) = subject(&call)?;
    let mut allowed = fields::names();
    if login == Login::Facebook {
        for field in PAGE_FIELDS {
            if !allowed.contains(field) {
                allowed.push(field);
            }
        }
    }
    let fields = field_list(&call, "subscribed_fields", &allowed)?
        .filter(|f| !f.is_empty())
        .ok_or_else(|| GraphError::param_required("subscribed_fields"))?;
    let app_id = call.caller()?.app.id.clone();
    let subscription = AccountSubscription {
        subject_id: subject,
        app_id,
        login: login.as_str().to_string(),
        fields,
        created_at: call.now(),
    };
    call.write(move |tx| config::put_account_subscription(tx, &subscription))
        .await?;
    Ok(success())
}

/// `DELETE /{ig-user-id}/subscribed_apps` (and the Page's): stops the account's notifications
/// to the calling app (000 L2403).
pub async fn unsubscribe_app(call: Call) -> Result<Value, GraphError> {
    let (login, subject) = subject(&call)?;
    let app_id = call.caller()?.app.id.clone();
    call.write(move |tx| {
        config::delete_account_subscription(tx, &subject, &app_id, login.as_str())
    })
    .await?;
    Ok(success())
}
