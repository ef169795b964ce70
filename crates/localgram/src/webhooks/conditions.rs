//! Whether an event goes to an app, and if not, why — in words a developer understands.
//!
//! The reference's conditions (004 L2246-2272, 003 L31-54), checked for every app connected to
//! the account: the app configured Instagram webhooks and its callback passed verification;
//! the app subscribed to the field; the account enabled the app (any field: account-level
//! customisation is not supported, 004 L2269); the field exists for the login; the account
//! granted the field's permissions; the app has Advanced Access where the field needs it; the
//! media's owner is public for comments and mentions.

use crate::store::Reader;

use super::fields::{self, Login, OBJECT};
use crate::events::Event;
use crate::store::{accounts, apps, logins, people, webhooks as config, StoreResult};

/// The decision for one app (or for nobody, when no app is connected).
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Deliver {
        app_id: String,
        login: Login,
    },
    Skip {
        app_id: Option<String>,
        login: Option<Login>,
        reason: String,
    },
}

/// The decisions for every app connected to the event's account at `now` (Unix seconds), in
/// app id order; one skip without an app when none is.
pub fn decide(conn: &Reader, event: &Event, now: i64) -> StoreResult<Vec<Decision>> {
    let field = event.payload.field();
    let Some(account) = accounts::get(conn, &event.account_id)? else {
        return Ok(vec![Decision::Skip {
            app_id: None,
            login: None,
            reason: format!("there is no Instagram account {}", event.account_id),
        }]);
    };
    let page = match &account.page_id {
        Some(id) => accounts::page(conn, id)?,
        None => None,
    };
    let page_id = page.as_ref().map(|p| p.id.as_str());
    let facebook_user_id = page.as_ref().map(|p| p.facebook_user_id.as_str());
    let owner_private = media_owner_private(conn, event, account.is_private)?;
    let connected = config::connected_apps(conn, &account.id, page_id, facebook_user_id)?;
    if connected.is_empty() {
        return Ok(vec![Decision::Skip {
            app_id: None,
            login: None,
            reason: format!(
                "no app is connected to the account: no app holds a token for it or was enabled \
                 with subscribed_apps, so no app can receive its {field} notifications"
            ),
        }]);
    }
    let mut decisions = Vec::new();
    for app_id in connected {
        if let Some(audience) = event.audience.as_ref().filter(|a| !a.admits(&app_id)) {
            decisions.push(Decision::Skip {
                app_id: Some(app_id.clone()),
                login: None,
                reason: audience.reason.clone(),
            });
            continue;
        }
        let subject = |login: Login| match login {
            Login::Instagram => Some(account.id.as_str()),
            Login::Facebook => page_id,
        };
        let mut enabled = Vec::new();
        for login in [Login::Instagram, Login::Facebook] {
            if let Some(subject) = subject(login) {
                if config::account_subscription(conn, subject, &app_id, login.as_str())?.is_some() {
                    enabled.push(login);
                }
            }
        }
        let context = Context {
            conn,
            now,
            field,
            is_echo: event.payload.is_echo(),
            app_id: &app_id,
            account_id: &account.id,
            page_id,
            facebook_user_id,
            owner_private,
        };
        if enabled.is_empty() {
            // Say the most useful thing: a configuration problem of the app comes first.
            let login = likely_login(conn, &context)?;
            let reason = match app_level(&context)? {
                Err(reason) => reason,
                Ok(()) => format!(
                    "the account did not subscribe the app: enable it with POST /{}/subscribed_apps",
                    match login {
                        Some(Login::Facebook) => "{page-id}",
                        _ => "{ig-user-id}",
                    }
                ),
            };
            decisions.push(Decision::Skip {
                app_id: Some(app_id.clone()),
                login,
                reason,
            });
            continue;
        }
        for login in enabled {
            decisions.push(match check(&context, login)? {
                Ok(()) => Decision::Deliver {
                    app_id: app_id.clone(),
                    login,
                },
                Err(reason) => Decision::Skip {
                    app_id: Some(app_id.clone()),
                    login: Some(login),
                    reason,
                },
            });
        }
    }
    Ok(decisions)
}

struct Context<'a> {
    conn: &'a Reader<'a>,
    now: i64,
    field: &'static str,
    is_echo: bool,
    app_id: &'a str,
    account_id: &'a str,
    page_id: Option<&'a str>,
    facebook_user_id: Option<&'a str>,
    owner_private: bool,
}

/// The app's own configuration: Instagram webhooks set up, callback verified, field chosen.
fn app_level(c: &Context) -> StoreResult<Result<(), String>> {
    let Some(subscription) = config::subscription(c.conn, c.app_id, OBJECT)? else {
        return Ok(Err(format!(
            "the app is not subscribed to the field {}: it has no Instagram webhooks configured \
             (POST /{{app-id}}/subscriptions)",
            c.field
        )));
    };
    if !subscription.active {
        return Ok(Err(format!(
            "the callback failed verification: {}",
            subscription
                .verification_error
                .as_deref()
                .unwrap_or("it did not echo hub.challenge")
        )));
    }
    // Echoes also come to apps subscribed to `message_echoes` (004 L2433).
    let subscribed =
        subscription.has_field(c.field) || (c.is_echo && subscription.has_field("message_echoes"));
    if !subscribed {
        return Ok(Err(format!(
            "the app is not subscribed to the field {}",
            c.field
        )));
    }
    Ok(Ok(()))
}

/// Every condition for one login the account enabled the app with.
fn check(c: &Context, login: Login) -> StoreResult<Result<(), String>> {
    if let Err(reason) = app_level(c)? {
        return Ok(Err(reason));
    }
    let Some(field) = fields::find(c.field) else {
        return Ok(Err(format!(
            "{} is not an Instagram webhook field",
            c.field
        )));
    };
    let Some(needs) = field.availability(login) else {
        return Ok(Err(format!(
            "the field {} is not available with {}",
            c.field,
            login.title()
        )));
    };
    let granted = config::granted_scopes(
        c.conn,
        c.app_id,
        login.as_str(),
        c.account_id,
        c.page_id,
        c.facebook_user_id,
        c.now,
    )?;
    let missing: Vec<&str> = needs
        .permissions
        .iter()
        .filter(|p| !granted.contains(p))
        .map(|p| p.as_str())
        .collect();
    if !missing.is_empty() {
        return Ok(Err(format!(
            "the token lacks the permission{} {} that {} notifications need",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            c.field
        )));
    }
    let Some(app) = apps::get(c.conn, c.app_id)? else {
        return Ok(Err(format!("there is no app {}", c.app_id)));
    };
    // The app's state (ref 004 L2246-2266): Live (in Development mode, only accounts with a
    // role on the app: docs/decisions.md), its business verified.
    if !crate::apps::is_live(&app) && !logins::has_role(c.conn, c.app_id, c.account_id)? {
        return Ok(Err(
            "the app is in Development mode: it receives notifications only for accounts with a \
             role on the app until it is Live"
                .to_string(),
        ));
    }
    if !app.business_verified {
        return Ok(Err(
            "the app's business has not completed Business Verification, which webhook \
             notifications require"
                .to_string(),
        ));
    }
    if needs.advanced {
        // Advanced Access for every permission the field needs (003 L36-42: "permissions with
        // an Advanced Access level").
        let advanced = needs
            .permissions
            .iter()
            .all(|p| crate::apps::has_advanced(&app, *p));
        if !advanced {
            return Ok(Err(format!(
                "the app has Standard Access only: {} notifications with {} need Advanced Access",
                c.field,
                login.title()
            )));
        }
    }
    if field.public_media_only && c.owner_private {
        return Ok(Err(format!(
            "the media's owner is private: no {} notifications for media of private accounts",
            c.field
        )));
    }
    Ok(Ok(()))
}

/// The login the app most likely uses with the account, for a skip without a subscription.
fn likely_login(conn: &Reader, c: &Context) -> StoreResult<Option<Login>> {
    for login in [Login::Instagram, Login::Facebook] {
        let granted = config::granted_scopes(
            conn,
            c.app_id,
            login.as_str(),
            c.account_id,
            c.page_id,
            c.facebook_user_id,
            c.now,
        )?;
        if !granted.is_empty() {
            return Ok(Some(login));
        }
    }
    Ok(None)
}

/// Whether the media the event is on belongs to a private account.
fn media_owner_private(conn: &Reader, event: &Event, account_private: bool) -> StoreResult<bool> {
    match event.payload.media_owner_id() {
        None => Ok(account_private),
        Some(owner) if owner == event.account_id => Ok(account_private),
        Some(owner) => {
            if let Some(account) = accounts::get(conn, owner)? {
                return Ok(account.is_private);
            }
            Ok(people::get(conn, owner)?.is_some_and(|p| p.is_private))
        }
    }
}
