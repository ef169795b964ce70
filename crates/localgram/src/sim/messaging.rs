//! The customer's side of Instagram messaging (issue #7), for tests to play: a person messages
//! an account (text, attachments, a reply, a quick reply, a story reply, from an ad), reacts,
//! taps a button or ice breaker, sees, edits and unsends messages, opens an ig.me link, opts
//! in; follows, is followed, blocks; the account messages itself from the app; per-account
//! switches. Each change and its notification commit together (ref 000 L2422-2853).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{parse_body, ControlError};
use crate::events::{self, MessagingKind};
use crate::messaging::profile::{self, ICE_BREAKERS, PERSISTENT_MENU};
use crate::messaging::thread::{self, Draft};
use crate::state::Shared;
use crate::store::conversations::{self, Conversation};
use crate::store::messages::{self, Message};
use crate::store::relationships::{self, Relationship};
use crate::store::{accounts, media, messenger_profiles, people, StoreError};

/// The kinds of attachment a person can send (ref 000 L388, L2767-2814; Meta's public list).
const INBOUND_ATTACHMENTS: &[&str] = &[
    "image",
    "video",
    "audio",
    "file",
    "share",
    "story_mention",
    "ig_reel",
    "reel",
    "like_heart",
];

fn bad(message: impl Into<String>) -> ControlError {
    ControlError::bad_request(message)
}

/// A person and an account that both exist; the person has not blocked the account.
/// Records a messaging event that carries no message (a referral, an opt-in) in the person's
/// conversation with the account, or as from a stranger when they have none yet.
async fn notify_without_message(
    state: &Shared,
    person_id: String,
    account_id: String,
    kind: MessagingKind,
    now_ms: i64,
) -> Result<(), StoreError> {
    let writing = state.clone();
    state
        .db
        .write(move |tx| -> Result<(), StoreError> {
            let (state, person_id, account_id) = (&writing, &person_id, &account_id);
            check_parties(tx, person_id, account_id)?;
            match conversations::between(tx, account_id, person_id)? {
                Some(c) => thread::notify_from_person(tx, state, &c, kind, now_ms),
                None => {
                    thread::notify_from_stranger(tx, state, account_id, person_id, kind, now_ms)
                }
            }
        })
        .await
}

fn check_parties(
    conn: &crate::store::Reader,
    person_id: &str,
    account_id: &str,
) -> Result<(), StoreError> {
    if people::get(conn, person_id)?.is_none() {
        return Err(StoreError::NotFound(format!("no person {person_id}")));
    }
    if accounts::get(conn, account_id)?.is_none() {
        return Err(StoreError::NotFound(format!("no account {account_id}")));
    }
    if relationships::get(conn, person_id, account_id)?.blocked {
        return Err(StoreError::Conflict(format!(
            "person {person_id} blocked account {account_id}: unblock them first"
        )));
    }
    Ok(())
}

/// Their conversation, which must exist.
fn existing(
    conn: &crate::store::Reader,
    person_id: &str,
    account_id: &str,
) -> Result<Conversation, StoreError> {
    conversations::between(conn, account_id, person_id)?.ok_or_else(|| {
        StoreError::NotFound(format!(
            "person {person_id} has no conversation with account {account_id}"
        ))
    })
}

/// A message of that conversation.
fn message_in(
    conn: &crate::store::Reader,
    conversation: &Conversation,
    mid: &str,
) -> Result<Message, StoreError> {
    messages::get(conn, mid)?
        .filter(|m| m.conversation_id == conversation.id && !m.is_deleted)
        .ok_or_else(|| StoreError::NotFound(format!("no message {mid} in the conversation")))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InAttachment {
    #[schema(schema_with = crate::sim::openapi::vocab::attachment_type)]
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    /// For a story mention: the story's id.
    pub id: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    #[serde(rename = "ref")]
    pub reference: String,
    pub source: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub account_id: String,
    pub text: Option<String>,
    #[serde(default)]
    pub attachments: Vec<InAttachment>,
    /// The mid of the message this one answers.
    pub reply_to: Option<String>,
    /// The payload of the quick reply tapped; `text` is its title.
    pub quick_reply_payload: Option<String>,
    /// The account's story this message replies to.
    pub story_id: Option<String>,
    /// The ad or ig.me link the person came from (a `messaging_referral` before the message).
    pub referral: Option<Referral>,
    /// Content the API cannot show (`is_unsupported`).
    #[serde(default)]
    pub is_unsupported: bool,
}

fn referral_kind(r: &Referral) -> MessagingKind {
    MessagingKind::Referral(events::Referral {
        reference: r.reference.clone(),
        source: r.source.clone().unwrap_or_else(|| "ADS".to_string()),
        kind: r.kind.clone().unwrap_or_else(|| "OPEN_THREAD".to_string()),
    })
}

/// `POST /_localgram/people/{id}/messages`: the person messages the account → `{"mid"}`.
#[utoipa::path(
    post,
    path = "/people/{id}/messages",
    tag = "messaging",
    operation_id = "messaging_person_message",
    summary = "The person messages the account: text, attachments, a reply (reply_to), a quick reply's payload, a story reply (story_id), from an ad or ig.me link (referral, notified first as messaging_referral). Opens the 24-hour window, gives consent, notifies messages",
    params(("id" = String, Path)),
    request_body = NewMessage,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MessageSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn person_message(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewMessage = parse_body(&body)?;
    let has_text = input.text.as_deref().is_some_and(|t| !t.is_empty());
    if !has_text && input.attachments.is_empty() && !input.is_unsupported {
        return Err(bad("a message needs text or attachments"));
    }
    if input.quick_reply_payload.is_some() && !has_text {
        return Err(bad("a quick reply needs its title as text"));
    }
    let mut attachments = Vec::with_capacity(input.attachments.len());
    for a in &input.attachments {
        if !INBOUND_ATTACHMENTS.contains(&a.kind.as_str()) {
            return Err(bad(format!(
                "attachment type must be one of {}, not {}",
                INBOUND_ATTACHMENTS.join(", "),
                a.kind
            )));
        }
        if !(a.url.starts_with("http://") || a.url.starts_with("https://")) {
            return Err(bad(format!(
                "attachment url must be http(s), not {}",
                a.url
            )));
        }
        let mut item = json!({"type": a.kind, "url": a.url});
        if let Some(id) = &a.id {
            item["id"] = json!(id);
        }
        attachments.push(item);
    }
    let now_ms = state.clock.now_ms();
    let writing = state.clone();
    let message = state
        .db
        .write(move |tx| -> Result<Message, StoreError> {
            let state = &writing;
            check_parties(tx, &person_id, &input.account_id)?;
            let mut conversation =
                thread::with_person(tx, state, &input.account_id, &person_id, now_ms)?;
            let story = match &input.story_id {
                None => None,
                Some(id) => {
                    let story = media::get(tx, id)?
                        .filter(|m| {
                            m.account_id == input.account_id && m.media_product_type == "STORY"
                        })
                        .ok_or_else(|| {
                            StoreError::NotFound(format!(
                                "no story {id} of account {}",
                                input.account_id
                            ))
                        })?;
                    let url = story
                        .media_url
                        .clone()
                        .unwrap_or_else(|| story.permalink.clone());
                    Some((story.id, url, "reply_to".to_string()))
                }
            };
            if let Some(mid) = &input.reply_to {
                message_in(tx, &conversation, mid)?;
            }
            if let Some(referral) = &input.referral {
                thread::notify_from_person(
                    tx,
                    state,
                    &conversation,
                    referral_kind(referral),
                    now_ms,
                )?;
            }
            let draft = Draft {
                text: input.text.clone().filter(|t| !t.is_empty()),
                attachments: attachments.clone(),
                reply_to_mid: input.reply_to.clone(),
                story,
                quick_reply_payload: input.quick_reply_payload.clone(),
                is_unsupported: input.is_unsupported,
                ..Draft::default()
            };
            thread::receive(tx, state, &mut conversation, &draft, now_ms)
        })
        .await?;
    Ok(Json(json!({"mid": message.id})))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    pub account_id: String,
}

fn describe_message(conn: &crate::store::Reader, m: &Message) -> Result<Value, StoreError> {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let reactions: Vec<Value> = messages::reactions(conn, &m.id)?
        .into_iter()
        .map(|r| json!({"by": r.actor, "reaction": r.reaction, "emoji": r.emoji}))
        .collect();
    let mut out = Map::new();
    out.insert("mid".into(), json!(m.id));
    out.insert(
        "from".into(),
        json!(if m.inbound() { "person" } else { "account" }),
    );
    out.insert("text".into(), json!(m.text));
    out.insert("attachments".into(), parse(&m.attachments));
    if let Value::Object(content) = parse(&m.content) {
        for (k, v) in content {
            out.insert(k, v);
        }
    }
    out.insert("reply_to".into(), json!(m.reply_to_mid));
    out.insert("comment_id".into(), json!(m.comment_id));
    out.insert("tag".into(), json!(m.tag));
    out.insert("reactions".into(), json!(reactions));
    out.insert("num_edit".into(), json!(m.num_edit));
    out.insert("is_deleted".into(), json!(m.is_deleted));
    out.insert(
        "created_at".into(),
        json!(graph::timefmt::rfc3339(m.created_at.div_euclid(1000))),
    );
    out.insert("created_at_ms".into(), json!(m.created_at));
    Ok(Value::Object(out))
}

/// `GET /_localgram/people/{id}/messages?account_id=`: the conversation as the person sees it,
/// in send order, with what the app sent (templates, quick replies, tags) in full.
#[utoipa::path(
    get,
    path = "/people/{id}/messages",
    tag = "messaging",
    operation_id = "messaging_person_thread",
    summary = "The conversation of the person with an account as the person sees it, in send order: what the app sent in full (templates, quick replies, tags, reactions), the inbox folder, consent and whether the account read it",
    params(("id" = String, Path), ThreadQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::PersonThread),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn person_thread(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    Query(query): Query<ThreadQuery>,
) -> Result<Json<Value>, ControlError> {
    let value = state
        .db
        .read(move |c| {
            let conversation = existing(c, &person_id, &query.account_id)?;
            let data = messages::all(c, &conversation.id)?
                .iter()
                .map(|m| describe_message(c, m))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(json!({
                "conversation_id": conversation.id,
                "igsid": conversation.igsid,
                "folder": conversation.folder,
                "consent": conversation.consent,
                "read_by_account": conversation.business_read_at.is_some(),
                "data": data,
            }))
        })
        .await?;
    Ok(Json(value))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReaction {
    pub account_id: String,
    pub mid: String,
    #[schema(schema_with = crate::sim::openapi::vocab::reaction_action)]
    /// `react` (the default) or `unreact`.
    pub action: Option<String>,
    pub reaction: Option<String>,
    pub emoji: Option<String>,
}

/// `POST /_localgram/people/{id}/reactions`: the person reacts to (or unreacts from) a message
/// → `message_reactions` (ref 000 L2617-2651).
#[utoipa::path(
    post,
    path = "/people/{id}/reactions",
    tag = "messaging",
    operation_id = "messaging_reaction",
    summary = "The person reacts to a message (action react, the default, with reaction and emoji, love and U+2764 by default) or takes the reaction back (unreact); notifies message_reactions",
    params(("id" = String, Path)),
    request_body = NewReaction,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ReactionSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn reaction(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewReaction = parse_body(&body)?;
    let action = input.action.clone().unwrap_or_else(|| "react".to_string());
    if action != "react" && action != "unreact" {
        return Err(bad("action must be react or unreact"));
    }
    let now_ms = state.clock.now_ms();
    let writing = state.clone();
    state
        .db
        .write(move |tx| -> Result<(), StoreError> {
            let state = &writing;
            check_parties(tx, &person_id, &input.account_id)?;
            let conversation = existing(tx, &person_id, &input.account_id)?;
            let target = message_in(tx, &conversation, &input.mid)?;
            let kind = if action == "react" {
                let reaction = input.reaction.clone().unwrap_or_else(|| "love".to_string());
                // The heart is U+2764 alone, as the sample prints it (ref 000 L2640).
                let emoji = input
                    .emoji
                    .clone()
                    .unwrap_or_else(|| "\u{2764}".to_string());
                messages::set_reaction(
                    tx,
                    &target.id,
                    &messages::Reaction {
                        actor: "person".into(),
                        reaction: reaction.clone(),
                        emoji: emoji.clone(),
                    },
                    now_ms,
                )?;
                events::Reaction {
                    mid: target.id.clone(),
                    action,
                    reaction: Some(reaction),
                    emoji: Some(emoji),
                }
            } else {
                messages::remove_reaction(tx, &target.id, "person")?;
                events::Reaction {
                    mid: target.id.clone(),
                    action,
                    reaction: None,
                    emoji: None,
                }
            };
            thread::notify_from_person(
                tx,
                state,
                &conversation,
                MessagingKind::Reaction(kind),
                now_ms,
            )
        })
        .await?;
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPostback {
    pub account_id: String,
    pub payload: String,
    /// The button's title; found from the ice breakers or the persistent menu when left out.
    pub title: Option<String>,
}

/// `POST /_localgram/people/{id}/postbacks`: the person taps an ice breaker, a persistent menu
/// item or a postback button → `messaging_postbacks`; it opens the window and gives consent
/// (ref 000 L1270-1290, L1585-1590) → `{"mid"}`.
#[utoipa::path(
    post,
    path = "/people/{id}/postbacks",
    tag = "messaging",
    operation_id = "messaging_postback",
    summary = "The person taps an ice breaker, a persistent menu item or a postback button: the title shows as their message, the window opens, consent is given; notifies messaging_postbacks. The title is found from the ice breakers or the menu when left out",
    params(("id" = String, Path)),
    request_body = NewPostback,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MessageSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn postback(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewPostback = parse_body(&body)?;
    let now_ms = state.clock.now_ms();
    let writing = state.clone();
    let message = state
        .db
        .write(move |tx| -> Result<Message, StoreError> {
            let state = &writing;
            check_parties(tx, &person_id, &input.account_id)?;
            let title = match &input.title {
                Some(title) => title.clone(),
                None => {
                    let menu = messenger_profiles::get(tx, &input.account_id, PERSISTENT_MENU)?;
                    let ice = messenger_profiles::get(tx, &input.account_id, ICE_BREAKERS)?;
                    profile::title_for(&input.payload, menu.as_ref(), ice.as_ref()).ok_or_else(
                        || {
                            StoreError::NotFound(format!(
                                "no ice breaker or menu item has the payload {}: give its title",
                                input.payload
                            ))
                        },
                    )?
                }
            };
            let mut conversation =
                thread::with_person(tx, state, &input.account_id, &person_id, now_ms)?;
            thread::postback(tx, state, &mut conversation, &title, &input.payload, now_ms)
        })
        .await?;
    Ok(Json(json!({"mid": message.id})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeen {
    pub account_id: String,
    /// The message seen; the account's latest when left out.
    pub mid: Option<String>,
}

/// `POST /_localgram/people/{id}/seen` → `messaging_seen` (ref 000 L2691-2727).
#[utoipa::path(
    post,
    path = "/people/{id}/seen",
    tag = "messaging",
    operation_id = "messaging_seen",
    summary = "The person sees a message (the account's latest by default); notifies messaging_seen",
    params(("id" = String, Path)),
    request_body = NewSeen,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::SeenSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn seen(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewSeen = parse_body(&body)?;
    let now_ms = state.clock.now_ms();
    let writing = state.clone();
    let mid = state
        .db
        .write(move |tx| -> Result<String, StoreError> {
            let state = &writing;
            check_parties(tx, &person_id, &input.account_id)?;
            let conversation = existing(tx, &person_id, &input.account_id)?;
            let mid = match &input.mid {
                Some(mid) => message_in(tx, &conversation, mid)?.id,
                None => {
                    messages::latest(tx, &conversation.id, messages::OUT)?
                        .ok_or_else(|| {
                            StoreError::Conflict("the account has sent nothing to see yet".into())
                        })?
                        .id
                }
            };
            thread::notify_from_person(
                tx,
                state,
                &conversation,
                MessagingKind::Read(events::Read { mid: mid.clone() }),
                now_ms,
            )?;
            Ok(mid)
        })
        .await?;
    Ok(Json(json!({"success": true, "mid": mid})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessage {
    pub text: String,
}

/// The person's own message, not deleted.
fn own_message(
    conn: &crate::store::Reader,
    mid: &str,
) -> Result<(Message, Conversation), StoreError> {
    let message = messages::get(conn, mid)?
        .filter(|m| !m.is_deleted)
        .ok_or_else(|| StoreError::NotFound(format!("no message {mid}")))?;
    if !message.inbound() {
        return Err(StoreError::Conflict(format!(
            "message {mid} was sent by the account; people edit and unsend their own"
        )));
    }
    let conversation = conversations::get(conn, &message.conversation_id)?
        .ok_or_else(|| StoreError::NotFound(format!("no conversation for {mid}")))?;
    Ok((message, conversation))
}

/// `PATCH /_localgram/messages/{mid}`: the person edits their message → `message_edit` with
/// the edit count (ref 000 L2728-2766).
#[utoipa::path(
    patch,
    path = "/messages/{mid}",
    tag = "messaging",
    operation_id = "messaging_edit_message",
    summary = "The person edits their own message; notifies message_edit with the edit count",
    params(("mid" = String, Path)),
    request_body = EditMessage,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MessageEdited),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn edit_message(
    State(state): State<Shared>,
    Path(mid): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: EditMessage = parse_body(&body)?;
    if input.text.is_empty() {
        return Err(bad("text must not be empty"));
    }
    let now_ms = state.clock.now_ms();
    let (writing, edited) = (state.clone(), mid.clone());
    let num_edit = state
        .db
        .write(move |tx| -> Result<i64, StoreError> {
            let state = &writing;
            let (message, conversation) = own_message(tx, &edited)?;
            messages::edit(tx, &message.id, &input.text)?;
            let num_edit = message.num_edit + 1;
            let kind = MessagingKind::MessageEdit(events::MessageEdit {
                mid: message.id.clone(),
                text: input.text.clone(),
                num_edit,
            });
            thread::notify_from_person(tx, state, &conversation, kind, now_ms)?;
            Ok(num_edit)
        })
        .await?;
    Ok(Json(json!({"mid": mid, "num_edit": num_edit})))
}

/// `DELETE /_localgram/messages/{mid}`: the person unsends their message → `messages` with
/// `is_deleted` (ref 000 L2767-2814); the API no longer returns it.
#[utoipa::path(
    delete,
    path = "/messages/{mid}",
    tag = "messaging",
    operation_id = "messaging_delete_message",
    summary = "The person unsends their own message: the API no longer returns it; notifies messages with is_deleted",
    params(("mid" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ReactionSent),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn delete_message(
    State(state): State<Shared>,
    Path(mid): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let now_ms = state.clock.now_ms();
    let writing = state.clone();
    state
        .db
        .write(move |tx| -> Result<(), StoreError> {
            let state = &writing;
            let (message, conversation) = own_message(tx, &mid)?;
            messages::mark_deleted(tx, &message.id)?;
            let kind = MessagingKind::Message(events::Message {
                mid: message.id.clone(),
                is_deleted: true,
                ..events::Message::default()
            });
            thread::notify_from_person(tx, state, &conversation, kind, now_ms)
        })
        .await?;
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    pub account_id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub source: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `POST /_localgram/people/{id}/referrals`: the person opens the thread from an ig.me link
/// with `ref` (or an ad) → `messaging_referral` (ref 000 L2815-2853).
#[utoipa::path(
    post,
    path = "/people/{id}/referrals",
    tag = "messaging",
    operation_id = "messaging_referral",
    summary = "The person opens the conversation from an ig.me link with ref (source SHORTLINK by default, type OPEN_THREAD) or an ad; notifies messaging_referral",
    params(("id" = String, Path)),
    request_body = NewReferral,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ReactionSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn referral(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewReferral = parse_body(&body)?;
    let now_ms = state.clock.now_ms();
    let kind = referral_kind(&Referral {
        reference: input.reference.clone(),
        source: Some(
            input
                .source
                .clone()
                .unwrap_or_else(|| "SHORTLINK".to_string()),
        ),
        kind: input.kind.clone(),
    });
    notify_without_message(&state, person_id, input.account_id, kind, now_ms).await?;
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOptin {
    pub account_id: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub payload: Option<String>,
    pub title: Option<String>,
}

/// `POST /_localgram/people/{id}/optins` → `messaging_optins` (listed for Instagram Login
/// without a payload, ref 004 L2437; Meta's public Messenger shape).
#[utoipa::path(
    post,
    path = "/people/{id}/optins",
    tag = "messaging",
    operation_id = "messaging_optin",
    summary = "The person opts in (type notification_messages by default); notifies messaging_optins",
    params(("id" = String, Path)),
    request_body = NewOptin,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ReactionSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn optin(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewOptin = parse_body(&body)?;
    let now_ms = state.clock.now_ms();
    let kind = MessagingKind::Optin(events::Optin {
        kind: input
            .kind
            .clone()
            .unwrap_or_else(|| "notification_messages".to_string()),
        payload: input.payload.clone(),
        title: input.title.clone(),
        ..events::Optin::default()
    });
    notify_without_message(&state, person_id, input.account_id, kind, now_ms).await?;
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipChange {
    pub account_id: String,
    pub follows_account: Option<bool>,
    pub followed_by_account: Option<bool>,
    pub blocked: Option<bool>,
}

fn describe_relationship(r: &Relationship) -> Value {
    json!({"follows_account": r.follows_account, "followed_by_account": r.followed_by_account, "blocked": r.blocked})
}

/// `POST /_localgram/people/{id}/relationships`: who follows whom, and blocks (ref 000
/// L341-352 folders, L1641-1645 blocks, L1693-1706 profile fields).
#[utoipa::path(
    post,
    path = "/people/{id}/relationships",
    tag = "messaging",
    operation_id = "messaging_set_relationship",
    summary = "How the person and an account stand: the person follows the account (Primary instead of Requests, is_user_follow_business), the account follows the person (is_business_follow_user), the person blocked the account. Fields left out keep their value",
    params(("id" = String, Path)),
    request_body = RelationshipChange,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Relationship),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_relationship(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: RelationshipChange = parse_body(&body)?;
    let r = state
        .db
        .write(move |tx| -> Result<Relationship, StoreError> {
            if people::get(tx, &person_id)?.is_none() {
                return Err(StoreError::NotFound(format!("no person {person_id}")));
            }
            if accounts::get(tx, &input.account_id)?.is_none() {
                return Err(StoreError::NotFound(format!(
                    "no account {}",
                    input.account_id
                )));
            }
            let mut r = relationships::get(tx, &person_id, &input.account_id)?;
            r.follows_account = input.follows_account.unwrap_or(r.follows_account);
            r.followed_by_account = input.followed_by_account.unwrap_or(r.followed_by_account);
            r.blocked = input.blocked.unwrap_or(r.blocked);
            relationships::set(tx, &person_id, &input.account_id, r)?;
            Ok(r)
        })
        .await?;
    Ok(Json(describe_relationship(&r)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verified {
    pub is_verified_user: bool,
}

/// `POST /_localgram/people/{id}/verified`: the person's verified badge (`is_verified_user`).
#[utoipa::path(
    post,
    path = "/people/{id}/verified",
    tag = "messaging",
    operation_id = "messaging_set_verified",
    summary = "The person's verified badge (is_verified_user of the User Profile API)",
    params(("id" = String, Path)),
    request_body = Verified,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::VerifiedBadge),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_verified(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: Verified = parse_body(&body)?;
    let (person, verified) = (person_id.clone(), input.is_verified_user);
    state
        .db
        .write(move |tx| -> Result<(), StoreError> {
            if people::get(tx, &person)?.is_none() {
                return Err(StoreError::NotFound(format!("no person {person}")));
            }
            relationships::set_verified(tx, &person, verified)
        })
        .await?;
    Ok(Json(
        json!({"id": person_id, "is_verified_user": input.is_verified_user}),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfMessage {
    pub text: String,
}

/// `POST /_localgram/accounts/{id}/self_messages`: the account messages itself in the
/// Instagram app, which self messaging through the API needs first (ref 000 L2432-2438)
/// → `{"mid","igsid"}` (its own Instagram-scoped id).
#[utoipa::path(
    post,
    path = "/accounts/{id}/self_messages",
    tag = "messaging",
    operation_id = "messaging_self_message",
    summary = "The account messages itself in the Instagram app, which self messaging through the API needs first (the 24-hour window does not apply to self messages); notifies messages with is_echo and is_self. Answers the account's own Instagram-scoped id",
    params(("id" = String, Path)),
    request_body = SelfMessage,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::SelfMessageSent),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn self_message(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: SelfMessage = parse_body(&body)?;
    if input.text.is_empty() {
        return Err(bad("text must not be empty"));
    }
    let now_ms = state.clock.now_ms();
    let writing = state.clone();
    let (message, igsid) = state
        .db
        .write(move |tx| -> Result<(Message, String), StoreError> {
            let state = &writing;
            if accounts::get(tx, &account_id)?.is_none() {
                return Err(StoreError::NotFound(format!("no account {account_id}")));
            }
            let mut conversation = thread::with_self(tx, state, &account_id, now_ms)?;
            let message = thread::self_message(tx, state, &mut conversation, &input.text, now_ms)?;
            Ok((message, conversation.igsid))
        })
        .await?;
    Ok(Json(json!({"mid": message.id, "igsid": igsid})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessagingSwitches {
    /// The multi-image beta (ref 004 L1122-1126): on, off, or `null` to follow the rollout
    /// date (November 3, 2025).
    pub multi_image_send: Option<bool>,
}

/// `POST /_localgram/accounts/{id}/messaging`: per-account messaging switches.
#[utoipa::path(
    post,
    path = "/accounts/{id}/messaging",
    tag = "messaging",
    operation_id = "messaging_set_switches",
    summary = "Per-account messaging switches: the multi-image send beta (true, false, or null to follow its November 3, 2025 rollout)",
    params(("id" = String, Path)),
    request_body = MessagingSwitches,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MessagingSwitchesSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_switches(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: MessagingSwitches = parse_body(&body)?;
    let (account, multi_image_send) = (account_id.clone(), input.multi_image_send);
    state
        .db
        .write(move |tx| -> Result<(), StoreError> {
            if accounts::get(tx, &account)?.is_none() {
                return Err(StoreError::NotFound(format!("no account {account}")));
            }
            let mut settings = relationships::settings(tx, &account)?;
            settings.multi_image_send = multi_image_send;
            relationships::set_settings(tx, &account, &settings)
        })
        .await?;
    Ok(Json(
        json!({"account_id": account_id, "multi_image_send": input.multi_image_send}),
    ))
}
