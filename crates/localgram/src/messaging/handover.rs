//! The Handover Protocol (8.14): passing a conversation between apps (ref 004 L214-219, 002
//! L244). The reference names it and its webhook fields (`messaging_handover`, `standby`, 004
//! L2436, L2443) but not its calls: their shapes, rules and errors are Meta's public Messenger
//! Platform Handover Protocol (decisions.md). An account gives apps roles: one primary
//! receiver, which controls every conversation by default, and secondary receivers. The app
//! controlling a conversation gets its events under `messaging` and may send in it; the others
//! get them under `standby` (`events::record`). Shared by the Graph API (`api::handover`) and
//! the control API (`sim::handover`), which also plays Meta's own Instagram inbox.

use std::collections::BTreeMap;

use graph::{Api, GraphError};

use crate::events::{self, Audience, Event, Handover, Messaging, MessagingKind, Payload};
use crate::state::AppState;
use crate::store::handover::{self, Roles};
use crate::store::{Reader, StoreResult, Writer};

/// Meta's Instagram inbox (the Instagram app and Meta Business Suite, where people answer):
/// a valid target of `pass_thread_control` for every account with a primary receiver.
pub const INBOX_APP_ID: &str = "1217981644879628";

/// One conversation: the account and the person's Instagram-scoped id.
pub struct Thread<'a> {
    pub account_id: &'a str,
    pub igsid: &'a str,
}

/// What a call does to a thread; the app acting is `by`.
pub enum Control<'a> {
    /// Give control to `target`.
    Pass { target: &'a str },
    /// Take control (primary receiver, or the inbox).
    Take,
    /// Ask the controlling app to pass control.
    Request,
}

type Outcome<T> = StoreResult<Result<T, GraphError>>;

/// The roles, refusing when the account has no primary receiver.
fn configured(conn: &Reader, account_id: &str, api: Api) -> Outcome<(Roles, String)> {
    let roles = handover::roles(conn, account_id)?;
    Ok(match roles.primary.clone() {
        Some(primary) => Ok((roles, primary)),
        None => Err(GraphError::handover_not_configured(api)),
    })
}

/// The app controlling the thread, refusing when the account has no primary receiver.
pub fn owner(conn: &Reader, thread: &Thread, api: Api) -> Outcome<String> {
    let (_, primary) = match configured(conn, thread.account_id, api)? {
        Ok(found) => found,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(
        handover::owner(conn, thread.account_id, thread.igsid)?.map_or(primary, |(app, _)| app)
    ))
}

/// Whether `app_id` may send in the thread: always without a primary receiver, else only
/// when it controls the conversation.
pub fn may_send(conn: &Reader, thread: &Thread, app_id: &str) -> StoreResult<bool> {
    Ok(
        match handover::controller(conn, thread.account_id, thread.igsid)? {
            None => true,
            Some(owner) => owner == app_id,
        },
    )
}

/// One app's thread control call: who acts (a localgram app, or [`INBOX_APP_ID`] from the
/// control API), what it does, and the metadata passed along.
pub struct Act<'a> {
    pub by: &'a str,
    pub control: Control<'a>,
    pub metadata: Option<String>,
}

/// Applies `act` and records its `messaging_handover` notification in the same transaction.
pub fn apply(
    tx: &Writer,
    state: &AppState,
    thread: &Thread,
    act: Act,
    api: Api,
    now_ms: i64,
) -> Outcome<()> {
    let Act {
        by,
        control,
        metadata,
    } = act;
    let (roles, primary) = match configured(tx, thread.account_id, api)? {
        Ok(found) => found,
        Err(e) => return Ok(Err(e)),
    };
    let inbox = by == INBOX_APP_ID;
    if !inbox && roles.of(by).is_none() {
        return Ok(Err(GraphError::handover_no_role(api)));
    }
    let current = handover::owner(tx, thread.account_id, thread.igsid)?
        .map_or(primary.clone(), |(app, _)| app);
    let mut handover = Handover {
        action: String::new(),
        app_roles: None,
        new_owner_app_id: None,
        previous_owner_app_id: None,
        requested_owner_app_id: None,
        metadata,
    };
    let mut audience = None;
    match control {
        Control::Pass { target } => {
            if current != by {
                return Ok(Err(GraphError::handover_not_thread_owner(api)));
            }
            let valid = target != by && (target == INBOX_APP_ID || roles.of(target).is_some());
            if !valid {
                return Ok(Err(GraphError::param_invalid(
                    "target_app_id",
                    "the id of another app with a role in the account's conversations, or the Instagram inbox (1217981644879628)",
                )));
            }
            handover::set_owner(tx, thread.account_id, thread.igsid, target, now_ms)?;
            handover.action = "pass_thread_control".into();
            handover.previous_owner_app_id = Some(by.to_string());
            handover.new_owner_app_id = Some(target.to_string());
        }
        Control::Take => {
            if !inbox && by != primary {
                return Ok(Err(GraphError::handover_primary_only(
                    api,
                    "take thread control",
                )));
            }
            if current == by {
                // Already in control: nothing changes hands, nothing to notify.
                return Ok(Ok(()));
            }
            handover::set_owner(tx, thread.account_id, thread.igsid, by, now_ms)?;
            handover.action = "take_thread_control".into();
            handover.previous_owner_app_id = Some(current);
            handover.new_owner_app_id = Some(by.to_string());
        }
        Control::Request => {
            if current == by {
                return Ok(Err(GraphError::handover_already_owner(api)));
            }
            handover.action = "request_thread_control".into();
            handover.requested_owner_app_id = Some(by.to_string());
            // Only the controlling app is asked.
            audience = Some(Audience {
                reason: format!(
                    "thread control requests go to the app controlling the conversation ({current})"
                ),
                apps: vec![current],
                except: false,
            });
        }
    }
    let mut event = Event::new(
        thread.account_id,
        Payload::Messaging(Messaging {
            sender_id: thread.igsid.to_string(),
            recipient_id: thread.account_id.to_string(),
            timestamp_ms: now_ms,
            is_self: false,
            kind: MessagingKind::Handover(handover),
        }),
    );
    event.audience = audience;
    events::record(tx, state, event)?;
    Ok(Ok(()))
}

/// Replaces the account's roles and records one `app_roles` notification naming every app
/// whose role changed with the roles it now holds (none: an empty list).
pub fn set_roles(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    roles: &Roles,
    now_ms: i64,
) -> StoreResult<()> {
    let before = handover::roles(tx, account_id)?;
    handover::set_roles(tx, account_id, roles)?;
    let mut changed = BTreeMap::new();
    let apps = before
        .primary
        .iter()
        .chain(&before.secondary)
        .chain(roles.primary.iter())
        .chain(&roles.secondary);
    for app in apps {
        let (was, now) = (before.of(app), roles.of(app));
        if was != now {
            changed.insert(
                app.clone(),
                now.into_iter().map(str::to_string).collect::<Vec<_>>(),
            );
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    events::record(
        tx,
        state,
        Event::new(
            account_id,
            Payload::Messaging(Messaging {
                sender_id: String::new(),
                recipient_id: account_id.to_string(),
                timestamp_ms: now_ms,
                is_self: false,
                kind: MessagingKind::Handover(Handover {
                    action: "app_roles".into(),
                    app_roles: Some(changed),
                    new_owner_app_id: None,
                    previous_owner_app_id: None,
                    requested_owner_app_id: None,
                    metadata: None,
                }),
            }),
        ),
    )?;
    Ok(())
}
