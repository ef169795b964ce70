//! A conversation node (ref 000 L1776-2010): its id, last activity, the two participants and
//! its messages, newest first, paged.

use graph::paging::{edge_envelope, Page, PageRequest, Window};
use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::message::{self as message_node, Sides};
use super::{db, expanded_page, field, unmodelled, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::conversations::Conversation;
use crate::store::messages::{self, Message};
use crate::store::Reader;

/// Ref 000 L1834-1935 (`id`, `updated_time`), L1936-2010 (`messages`).
#[rustfmt::skip]
pub static CONVERSATION: NodeType = NodeType {
    name: "UnifiedThread",
    metadata_type: "unifiedthread",
    // The order the list sample prints (ref 000 L1853-1856).
    defaults: &["id", "updated_time"],
    fields: &[
        field("id", Scalar, "string", Apis::Both, "The conversation ID."),
        field("updated_time", Scalar, "datetime", Apis::Both, "When the last message was sent, ISO 8601 in UTC."),
        field("participants", Objects(&message_node::PARTY), "object", Apis::Both, "The account and the person, as data[{username, id}]."),
        field("messages", Edge, "edge", Apis::Both, "The messages, newest first."),
        // Meta's Business SDKs' UnifiedThread fields that an Instagram conversation has
        // (decisions.md).
        field("message_count", Scalar, "int", Apis::Both, "How many messages the conversation holds."),
        field("unread_count", Scalar, "int", Apis::Both, "The person's messages the account has not read."),
        field("snippet", Scalar, "string", Apis::Both, "The newest message's text."),
        field("can_reply", Scalar, "bool", Apis::Both, "Whether the account can send a message now (consent, window, block)."),
        field("senders", Objects(&message_node::PARTY), "object", Apis::Both, "Those who sent messages, as data[{username, id}]."),
        field("former_participants", Objects(&message_node::PARTY), "object", Apis::Both, "Who left the conversation: nobody leaves a one-to-one Instagram conversation."),
        // Messenger's group and Page-inbox fields: outside what localgram models.
        unmodelled("folder", Apis::Both), unmodelled("is_owner", Apis::Both), unmodelled("is_subscribed", Apis::Both),
        unmodelled("link", Apis::Both), unmodelled("linked_group", Apis::Both), unmodelled("name", Apis::Both),
        unmodelled("scoped_thread_key", Apis::Both), unmodelled("wallpaper", Apis::Both),
    ],
};

/// Message pages: 25 by default, 100 at most (decisions.md).
pub const MESSAGES_DEFAULT: usize = 25;
pub const MESSAGES_MAX: usize = 100;

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    conversation: &Conversation,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = CONVERSATION.plan(ctx.api, selection)?;
    let mut sides: Option<Sides> = None;
    super::render(&plan, |request| {
        resolve(r, ctx, conversation, &mut sides, request)
    })
}

fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    conversation: &Conversation,
    sides: &mut Option<Sides>,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        "id" => Some(json!(conversation.id)),
        "updated_time" => Some(json!(graph::timefmt::graph_time(
            conversation.updated_at.div_euclid(1000)
        ))),
        "participants" => {
            let s = ensure(r, conversation, sides)?;
            Some(json!({"data": [s.account.clone(), s.person.clone()]}))
        }
        "message_count" => Some(json!(conversation.message_count)),
        "unread_count" => Some(json!(db(messages::unread_inbound(
            r,
            &conversation.id,
            conversation.business_read_at
        ))?)),
        "snippet" => {
            db(messages::newest(r, &conversation.id))?.map(|m| json!(m.text.unwrap_or_default()))
        }
        "can_reply" => Some(json!(can_reply(r, ctx, conversation)?)),
        "senders" => {
            let in_ = db(messages::latest(r, &conversation.id, messages::IN))?.is_some();
            let out = db(messages::latest(r, &conversation.id, messages::OUT))?.is_some();
            let s = ensure(r, conversation, sides)?;
            let mut data = Vec::new();
            if out {
                data.push(s.account.clone());
            }
            if in_ && !conversation.is_self {
                data.push(s.person.clone());
            }
            Some(json!({ "data": data }))
        }
        "former_participants" => Some(json!({"data": []})),
        "messages" => {
            let page_request = expanded_page(request, MESSAGES_DEFAULT, MESSAGES_MAX)?;
            let page = list(r, conversation, &page_request)?;
            let s = ensure(r, conversation, sides)?;
            let items = page
                .items
                .iter()
                .map(|m| message_node::render(r, ctx, m, s, request.subfields.as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            // The expanded messages link to the messages edge (ref 000 L1989-1996).
            let next = page.has_next.then(|| {
                let mut url = format!(
                    "{}/messages?limit={}",
                    ctx.links.node_url(&conversation.id),
                    page_request.limit
                );
                if let Some(token) = ctx.links.token() {
                    url.push_str(&format!("&access_token={token}"));
                }
                if let Some(after) = &page.after {
                    url.push_str(&format!("&after={after}"));
                }
                url
            });
            Some(edge_envelope(
                items,
                forward_paging(page.after.as_deref(), next),
            ))
        }
        _ => None,
    })
}

/// Whether the account can send now: in its self thread always; otherwise the person gave
/// consent, did not block it, and wrote within the 24-hour window (ref 000 L1585-1590,
/// L1641-1645; 004 L198).
fn can_reply(
    r: &Reader,
    ctx: &RenderContext,
    conversation: &Conversation,
) -> Result<bool, GraphError> {
    if conversation.is_self {
        return Ok(true);
    }
    let blocked = db(crate::store::relationships::get(
        r,
        &conversation.person_id,
        &conversation.account_id,
    ))?
    .blocked;
    let open = conversation
        .last_inbound_at
        .is_some_and(|at| crate::messaging::rules::window_open(at, ctx.now_ms, false));
    Ok(conversation.consent && !blocked && open)
}

fn ensure<'a>(
    r: &Reader,
    conversation: &Conversation,
    sides: &'a mut Option<Sides>,
) -> Result<&'a Sides, GraphError> {
    if sides.is_none() {
        *sides = Some(message_node::sides(r, conversation)?);
    }
    sides.as_ref().ok_or_else(GraphError::unknown_error)
}

/// Paging as the Conversations API samples print it: an `after` cursor and `next` when more
/// follow (ref 000 L1884-1889, L1989-1996); no `before` (decisions.md).
pub fn forward_paging(after: Option<&str>, next: Option<String>) -> Option<Value> {
    let after = after?;
    let mut paging = serde_json::Map::new();
    paging.insert("cursors".into(), json!({"after": after}));
    if let Some(next) = next {
        paging.insert("next".into(), json!(next));
    }
    Some(Value::Object(paging))
}

/// A window of the conversation's messages, newest first (send order reversed).
pub fn list(
    r: &Reader,
    conversation: &Conversation,
    request: &PageRequest,
) -> Result<Page<Message>, GraphError> {
    let (after, before) = match &request.window {
        Window::Forward { after } => (after.as_deref(), None),
        Window::Backward { before } => (None, Some(before.as_str())),
    };
    let fetched = db(messages::list(
        r,
        &conversation.id,
        after,
        before,
        request.fetch_count(),
    ))?;
    Ok(Page::from_fetched(request, fetched))
}
