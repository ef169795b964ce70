//! The conversation itself, shared by the Graph API and the control API: starting it, adding a
//! person's message or an account's reply in send order, and recording, in the same
//! transaction, the notification each change makes (ref 000 L2422-2853). Inbox folders follow
//! ref 000 L341-352 and 004 L202-212: a follower's new conversation starts in Primary, anyone
//! else's in Requests, and a reply through the API moves it to General and marks it read.

use crate::store::Writer;
use serde_json::{json, Value};

use super::ids;
use crate::events::{
    self, Attachment, Event, Message as EventMessage, Messaging, MessagingKind, Payload,
};
use crate::nodes::{kinds, NodeKind};
use crate::state::AppState;
use crate::store::conversations::{self, Conversation};
use crate::store::messages::{self, Message, IN, OUT};
use crate::store::{igsids, relationships, StoreError, StoreResult};

/// The URL the heart sticker is shown with in notifications and reads.
pub const LIKE_HEART_URL: &str =
    "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=like_heart";

/// Seconds, for the id registry, from virtual milliseconds.
fn seconds(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000)
}

/// The conversation of an account with a person, started (empty) if they have none: the
/// person's IGSID is minted, and the folder follows whether they follow the account.
pub fn with_person(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    person_id: &str,
    now_ms: i64,
) -> StoreResult<Conversation> {
    if let Some(found) = conversations::between(tx, account_id, person_id)? {
        return Ok(found);
    }
    let igsid = igsids::get_or_mint(tx, &state.ids, person_id, account_id, seconds(now_ms))?;
    let follows = relationships::get(tx, person_id, account_id)?.follows_account;
    let folder = if follows {
        conversations::PRIMARY
    } else {
        conversations::REQUESTS
    };
    start(
        tx, state, account_id, person_id, igsid, folder, false, now_ms,
    )
}

/// The account's conversation with itself (self messaging, ref 000 L2430-2438), started with
/// a self IGSID the first time the account messages itself in the Instagram app.
pub fn with_self(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    now_ms: i64,
) -> StoreResult<Conversation> {
    if let Some(found) = conversations::between(tx, account_id, account_id)? {
        return Ok(found);
    }
    let igsid = self_igsid(tx, state, account_id, seconds(now_ms))?;
    start(
        tx,
        state,
        account_id,
        account_id,
        igsid,
        conversations::GENERAL,
        true,
        now_ms,
    )
}

/// The account's Instagram-scoped id for itself: the `recipient.id` of self messaging (ref 000
/// L2458) and the `from.self_ig_scoped_id` of its comments on its own media (000 L2532),
/// minted the first time either needs it. `now` in Unix seconds.
pub fn self_igsid(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    now: i64,
) -> StoreResult<String> {
    let mut settings = relationships::settings(tx, account_id)?;
    if let Some(igsid) = &settings.self_igsid {
        return Ok(igsid.clone());
    }
    let igsid = kinds::mint_alias(tx, &state.ids, NodeKind::Igsid, Some(account_id), now)?;
    settings.self_igsid = Some(igsid.clone());
    relationships::set_settings(tx, account_id, &settings)?;
    Ok(igsid)
}

/// Writes a new conversation; only self messaging starts with consent and in General.
#[allow(clippy::too_many_arguments)]
fn start(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    person_id: &str,
    igsid: String,
    folder: &str,
    is_self: bool,
    now_ms: i64,
) -> StoreResult<Conversation> {
    let conversation = Conversation {
        id: kinds::mint(tx, &state.ids, NodeKind::Conversation, seconds(now_ms))?,
        account_id: account_id.to_string(),
        person_id: person_id.to_string(),
        igsid,
        is_self,
        folder: folder.to_string(),
        consent: is_self,
        last_inbound_at: None,
        business_read_at: None,
        message_count: 0,
        created_at: now_ms,
        updated_at: now_ms,
    };
    conversations::insert(tx, &conversation)?;
    Ok(conversation)
}

/// What a new message holds, whichever side wrote it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub text: Option<String>,
    /// `{type, url, ...}` objects.
    pub attachments: Vec<Value>,
    /// Quick replies, template, sticker, share, multi-image flag.
    pub content: serde_json::Map<String, Value>,
    pub reply_to_mid: Option<String>,
    /// `(story id, its URL, "reply_to" | "mention")`.
    pub story: Option<(String, String, String)>,
    pub comment_id: Option<String>,
    pub tag: Option<String>,
    pub quick_reply_payload: Option<String>,
    pub is_unsupported: bool,
}

/// Stores the next message of a conversation (send order is `seq`, the count so far) and
/// registers its id.
fn store(
    tx: &Writer,
    conversation: &mut Conversation,
    direction: &str,
    draft: &Draft,
    now_ms: i64,
) -> StoreResult<Message> {
    let seq = conversation.message_count + 1;
    let scoped = match direction {
        IN => conversation.igsid.clone(),
        _ => conversation.account_id.clone(),
    };
    let mut content = draft.content.clone();
    if let Some((id, url, _)) = &draft.story {
        content.insert("story".into(), json!({"url": url, "id": id}));
    }
    let message = Message {
        id: ids::mid(&scoped, &conversation.id, seq),
        conversation_id: conversation.id.clone(),
        seq,
        direction: direction.to_string(),
        text: draft.text.clone(),
        attachments: Value::Array(draft.attachments.clone()).to_string(),
        content: Value::Object(content).to_string(),
        reply_to_mid: draft.reply_to_mid.clone(),
        story_id: draft.story.as_ref().map(|s| s.0.clone()),
        story_kind: draft.story.as_ref().map(|s| s.2.clone()),
        comment_id: draft.comment_id.clone(),
        tag: draft.tag.clone(),
        is_unsupported: draft.is_unsupported,
        is_deleted: false,
        num_edit: 0,
        created_at: now_ms,
    };
    messages::insert(tx, &message)?;
    conversation.message_count = seq;
    conversation.updated_at = now_ms;
    Ok(message)
}

/// The attachments a notification carries: only URLs (ref 000 L388, L1828-1833).
pub fn event_attachments(attachments: &[Value]) -> Vec<Attachment> {
    attachments
        .iter()
        .filter_map(|a| {
            Some(Attachment {
                kind: a.get("type")?.as_str()?.to_string(),
                url: a.get("url")?.as_str()?.to_string(),
                title: a.get("title").and_then(Value::as_str).map(str::to_string),
            })
        })
        .collect()
}

fn record(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    messaging: Messaging,
) -> StoreResult<()> {
    events::record(
        tx,
        state,
        Event::new(account_id, Payload::Messaging(messaging)),
    )?;
    Ok(())
}

/// A person's message: it opens the windows and gives consent (ref 000 L1585-1590), and the
/// `messages` notification goes to the account.
pub fn receive(
    tx: &Writer,
    state: &AppState,
    conversation: &mut Conversation,
    draft: &Draft,
    now_ms: i64,
) -> StoreResult<Message> {
    let message = store(tx, conversation, IN, draft, now_ms)?;
    conversation.consent = true;
    conversation.last_inbound_at = Some(now_ms);
    conversations::update(tx, conversation)?;
    let reply_to = match (&draft.reply_to_mid, &draft.story) {
        (_, Some((id, url, kind))) if kind == "reply_to" => Some(events::ReplyTo {
            mid: None,
            story: Some(events::StoryRef {
                url: url.clone(),
                id: id.clone(),
            }),
        }),
        (Some(mid), _) => Some(events::ReplyTo {
            mid: Some(mid.clone()),
            story: None,
        }),
        _ => None,
    };
    record(
        tx,
        state,
        &conversation.account_id,
        Messaging {
            sender_id: conversation.igsid.clone(),
            recipient_id: conversation.account_id.clone(),
            timestamp_ms: now_ms,
            is_self: false,
            kind: MessagingKind::Message(EventMessage {
                mid: message.id.clone(),
                text: draft.text.clone(),
                attachments: event_attachments(&draft.attachments),
                quick_reply: draft
                    .quick_reply_payload
                    .clone()
                    .map(|payload| events::QuickReply { payload }),
                reply_to,
                is_unsupported: draft.is_unsupported,
                ..EventMessage::default()
            }),
        },
    )?;
    Ok(message)
}

/// The account's message (through the API, or to itself from the app): a reply through the
/// API moves the conversation to General and marks it read (ref 000 L341-352, 004 L210-212);
/// the echo (`is_echo`, and `is_self` in the self thread) goes to the account.
pub fn send(
    tx: &Writer,
    state: &AppState,
    conversation: &mut Conversation,
    draft: &Draft,
    now_ms: i64,
) -> StoreResult<Message> {
    let message = store(tx, conversation, OUT, draft, now_ms)?;
    if !conversation.is_self {
        conversation.folder = conversations::GENERAL.to_string();
        conversation.business_read_at = Some(now_ms);
    }
    conversations::update(tx, conversation)?;
    let mut attachments = event_attachments(&draft.attachments);
    if draft.content.get("sticker").is_some() {
        attachments.push(Attachment {
            kind: "like_heart".into(),
            url: LIKE_HEART_URL.into(),
            title: None,
        });
    }
    if let Some(url) = draft
        .content
        .get("share")
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
    {
        attachments.push(Attachment {
            kind: "share".into(),
            url: url.to_string(),
            title: None,
        });
    }
    if let Some(template) = draft.content.get("template") {
        attachments.extend(template_attachments(template));
    }
    let text = draft.text.clone().or_else(|| {
        draft
            .content
            .get("template")
            .and_then(|t| t.get("text"))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    record(
        tx,
        state,
        &conversation.account_id,
        Messaging {
            sender_id: conversation.account_id.clone(),
            recipient_id: conversation.igsid.clone(),
            timestamp_ms: now_ms,
            is_self: conversation.is_self,
            kind: MessagingKind::Message(EventMessage {
                mid: message.id.clone(),
                text,
                attachments,
                is_echo: true,
                ..EventMessage::default()
            }),
        },
    )?;
    Ok(message)
}

/// The account messages itself from the Instagram app (self messaging): the `messages`
/// notification has `is_echo` and `is_self` set (ref 000 L2440-2474, 004 L2497-2500).
pub fn self_message(
    tx: &Writer,
    state: &AppState,
    conversation: &mut Conversation,
    text: &str,
    now_ms: i64,
) -> StoreResult<Message> {
    let draft = Draft {
        text: Some(text.to_string()),
        ..Draft::default()
    };
    let message = store(tx, conversation, IN, &draft, now_ms)?;
    conversation.last_inbound_at = Some(now_ms);
    conversations::update(tx, conversation)?;
    record(
        tx,
        state,
        &conversation.account_id,
        Messaging {
            sender_id: conversation.account_id.clone(),
            recipient_id: conversation.igsid.clone(),
            timestamp_ms: now_ms,
            is_self: true,
            kind: MessagingKind::Message(EventMessage {
                mid: message.id.clone(),
                text: Some(text.to_string()),
                is_echo: true,
                ..EventMessage::default()
            }),
        },
    )?;
    Ok(message)
}

/// A generic template's cards as the echo shows them: one `template` attachment per card with
/// its title and its image (or link) URL (decisions.md).
fn template_attachments(template: &Value) -> Vec<Attachment> {
    let Some(elements) = template.get("elements").and_then(Value::as_array) else {
        return Vec::new();
    };
    elements
        .iter()
        .map(|e| {
            let url = e
                .get("image_url")
                .or_else(|| e.pointer("/default_action/url"))
                .or_else(|| {
                    e.get("buttons")
                        .and_then(Value::as_array)
                        .and_then(|b| b.iter().find_map(|b| b.get("url")))
                })
                .and_then(Value::as_str)
                .unwrap_or_default();
            Attachment {
                kind: "template".into(),
                url: url.to_string(),
                title: e.get("title").and_then(Value::as_str).map(str::to_string),
            }
        })
        .collect()
}

/// A person taps an ice breaker, a persistent menu item or a postback button: the title shows
/// in the conversation as their message, the tap opens the window and gives consent (ref 000
/// L1270-1290, L1585-1590), and `messaging_postbacks` goes to the account (ref 000 L2652-2690).
pub fn postback(
    tx: &Writer,
    state: &AppState,
    conversation: &mut Conversation,
    title: &str,
    payload: &str,
    now_ms: i64,
) -> StoreResult<Message> {
    let mut draft = Draft {
        text: Some(title.to_string()),
        ..Draft::default()
    };
    draft.content.insert(
        "postback".into(),
        json!({"title": title, "payload": payload}),
    );
    let message = store(tx, conversation, IN, &draft, now_ms)?;
    conversation.consent = true;
    conversation.last_inbound_at = Some(now_ms);
    conversations::update(tx, conversation)?;
    record(
        tx,
        state,
        &conversation.account_id,
        Messaging {
            sender_id: conversation.igsid.clone(),
            recipient_id: conversation.account_id.clone(),
            timestamp_ms: now_ms,
            is_self: false,
            kind: MessagingKind::Postback(events::Postback {
                mid: message.id.clone(),
                title: title.to_string(),
                payload: payload.to_string(),
            }),
        },
    )?;
    Ok(message)
}

/// A notification from the person about a message of the conversation (reaction, seen,
/// edit, deletion) or about the thread (referral, opt-in).
pub fn notify_from_person(
    tx: &Writer,
    state: &AppState,
    conversation: &Conversation,
    kind: MessagingKind,
    now_ms: i64,
) -> StoreResult<()> {
    record(
        tx,
        state,
        &conversation.account_id,
        Messaging {
            sender_id: conversation.igsid.clone(),
            recipient_id: conversation.account_id.clone(),
            timestamp_ms: now_ms,
            is_self: false,
            kind,
        },
    )
}

/// The same for a person who has no conversation with the account yet (an ig.me link or an
/// opt-in before any message): only their IGSID is needed.
pub fn notify_from_stranger(
    tx: &Writer,
    state: &AppState,
    account_id: &str,
    person_id: &str,
    kind: MessagingKind,
    now_ms: i64,
) -> StoreResult<()> {
    let igsid = igsids::get_or_mint(tx, &state.ids, person_id, account_id, seconds(now_ms))?;
    record(
        tx,
        state,
        account_id,
        Messaging {
            sender_id: igsid,
            recipient_id: account_id.to_string(),
            timestamp_ms: now_ms,
            is_self: false,
            kind,
        },
    )
}

/// Whether a conversation is one the API returns at `now`: Requests idle for 30 days are not
/// (ref 000 L386, L1832).
pub fn listed(conversation: &Conversation, now_ms: i64) -> bool {
    conversation.folder != conversations::REQUESTS
        || super::rules::request_visible(conversation.updated_at, now_ms)
}

/// For callers that only have a store error to report.
pub fn not_found(what: &str) -> StoreError {
    StoreError::NotFound(what.to_string())
}
