//! The Conversations API (ref 000 L1776-2055): an account's conversations newest first
//! (`platform=instagram`, `user_id`), a conversation and its messages, one message; and the
//! User Profile API (`GET /{igsid}`, ref 000 L1581-1736). Requests-folder conversations idle
//! for 30 days are not returned (ref 000 L386, L1832).

use graph::paging::{edge_envelope, Page, Window};
use graph::{Api, GraphError};
use serde_json::Value;

use super::messaging::{account_of, require_platform_instagram};
use super::{with_metadata, Call, Target};
use crate::messaging::{rules, thread};
use crate::nodes::conversation::{self, CONVERSATION, MESSAGES_DEFAULT, MESSAGES_MAX};
use crate::nodes::igsid_profile::{self, Profile, IGSID_PROFILE};
use crate::nodes::message::{self, MESSAGE};
use crate::nodes::NodeKind;
use crate::nodes::{db, RenderContext};
use crate::store::conversations::{self as store, Conversation, Listing};
use crate::store::{igsids, messages, people, relationships, Reader};

/// Conversation pages: 25 by default, 100 at most (decisions.md).
const PAGE_DEFAULT: usize = 25;
const PAGE_MAX: usize = 100;

/// `GET /{ig-user-id}/conversations` (and `/{page-id}/conversations?platform=instagram`).
pub async fn list(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    let on_page = call.target()?.kind == NodeKind::Page;
    let platform = call
        .params
        .str("platform")
        .map_err(|e| GraphError::from_param(&e))?;
    match (on_page, platform.as_deref()) {
        // The Page's own Messenger conversations are not Instagram's: none here.
        (true, None | Some("messenger")) => {
            return Ok(graph::paging::edge_envelope(Vec::new(), None))
        }
        (true, Some(_)) => require_platform_instagram(&call.params)?,
        (false, None | Some("instagram")) => {}
        (false, Some(other)) => {
            return Err(GraphError::param_not_one_of(
                "platform",
                &["instagram"],
                other,
            ))
        }
    }
    let now_ms = call.state.clock.now_ms();
    if let Some(user_id) = call
        .params
        .str("user_id")
        .map_err(|e| GraphError::from_param(&e))?
    {
        // Find the conversation with one person: no paging (ref 000 L1920-1933).
        let (account_id, fields) = (account.id.clone(), call.fields.clone());
        let items = call
            .render(move |r, ctx| {
                let found = db(store::by_igsid(r, &account_id, user_id.trim()))?;
                match found.filter(|c| thread::listed(c, now_ms)) {
                    Some(c) => Ok(vec![conversation::render(r, ctx, &c, fields.as_deref())?]),
                    None => Ok(Vec::new()),
                }
            })
            .await?;
        return Ok(graph::paging::edge_envelope(items, None));
    }
    let request = call.page_request(PAGE_DEFAULT, PAGE_MAX)?;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            let (after, before) = match &request.window {
                Window::Forward { after } => (after.as_deref(), None),
                Window::Backward { before } => (None, Some(before.as_str())),
            };
            let listing = Listing {
                account_id: &account.id,
                requests_active_since: rules::requests_active_since(now_ms),
                after,
                before,
                limit: request.fetch_count(),
            };
            let fetched = db(store::list(r, &listing))?;
            let page = Page::from_fetched(&request, fetched);
            page.try_map(|c| conversation::render(r, ctx, &c, fields.as_deref()))
        })
        .await?;
    let items = page.items;
    let next = page
        .has_next
        .then(|| call.links.page_url(page.after.as_deref(), None));
    Ok(edge_envelope(
        items,
        conversation::forward_paging(page.after.as_deref(), next),
    ))
}

/// The conversation a request addresses, unless it is hidden.
fn target_conversation(
    r: &Reader,
    ctx: &RenderContext,
    target: &Target,
    method: &str,
) -> Result<Conversation, GraphError> {
    db(store::get(r, &target.id))?
        .filter(|c| thread::listed(c, ctx.now_ms))
        .ok_or_else(|| GraphError::unsupported_method(method, &target.addressed_as, ctx.api))
}

/// `GET /{conversation-id}` (`fields=messages{...}`, ref 000 L1936-2010).
pub async fn get_conversation(call: Call) -> Result<Value, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    let method = call.method.as_str().to_string();
    let body = call
        .render(move |r, ctx| {
            let conversation = target_conversation(r, ctx, &target, &method)?;
            conversation::render(r, ctx, &conversation, fields.as_deref())
        })
        .await?;
    with_metadata(&call, &CONVERSATION, body)
}

/// `GET /{conversation-id}/messages`: the messages as a top-level edge, newest first.
pub async fn list_messages(call: Call) -> Result<Value, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    let method = call.method.as_str().to_string();
    let request = call.page_request(MESSAGES_DEFAULT, MESSAGES_MAX)?;
    let page = call
        .render(move |r, ctx| {
            let conversation = target_conversation(r, ctx, &target, &method)?;
            let page = conversation::list(r, &conversation, &request)?;
            let sides = message::sides(r, &conversation)?;
            page.try_map(|m| message::render(r, ctx, &m, &sides, fields.as_deref()))
        })
        .await?;
    let items = page.items;
    let next = page
        .has_next
        .then(|| call.links.page_url(page.after.as_deref(), None));
    Ok(edge_envelope(
        items,
        conversation::forward_paging(page.after.as_deref(), next),
    ))
}

/// `GET /{message-id}` (ref 000 L2011-2055).
pub async fn get_message(call: Call) -> Result<Value, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    let method = call.method.as_str().to_string();
    let body = call
        .render(move |r, ctx| {
            let unsupported =
                || GraphError::unsupported_method(&method, &target.addressed_as, ctx.api);
            let found = db(messages::get(r, &target.addressed_as))?;
            let message = found.filter(|m| !m.is_deleted).ok_or_else(unsupported)?;
            let conversation = db(store::get(r, &message.conversation_id))?
                .filter(|c| thread::listed(c, ctx.now_ms))
                .ok_or_else(unsupported)?;
            let sides = message::sides(r, &conversation)?;
            message::render(r, ctx, &message, &sides, fields.as_deref())
        })
        .await?;
    with_metadata(&call, &MESSAGE, body)
}

/// `GET /{igsid}`: the person's profile once they messaged the account or tapped an ice
/// breaker or menu item (ref 000 L1585-1590); not while they block it (L1641-1645).
pub async fn get_profile(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?;
    let igsid = target.addressed_as.clone();
    let unsupported = || GraphError::unsupported_method(call.method.as_str(), &igsid, call.api);
    let lookup = igsid.clone();
    let api: Api = call.api;
    let found = call
        .read(move |c| {
            let Some((person_id, account_id)) = igsids::resolve(c, &lookup)? else {
                return Ok(None);
            };
            let person = people::get(c, &person_id)?;
            let relationship = relationships::get(c, &person_id, &account_id)?;
            let verified = relationships::is_verified(c, &person_id)?;
            let consent =
                store::between(c, &account_id, &person_id)?.is_some_and(|conv| conv.consent);
            Ok(Some((person, relationship, verified, consent)))
        })
        .await?
        .ok_or_else(unsupported)?;
    let (Some(person), relationship, verified, consent) = found else {
        return Err(unsupported());
    };
    if relationship.blocked {
        return Err(unsupported());
    }
    if !consent {
        return Err(GraphError::user_consent_required(api));
    }
    let profile = Profile {
        igsid: &igsid,
        person: &person,
        relationship,
        verified,
    };
    let body = igsid_profile::render(&call.render_context(), &profile, call.fields.as_deref())?;
    with_metadata(&call, &IGSID_PROFILE, body)
}
