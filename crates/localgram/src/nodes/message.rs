//! A message of a conversation as the Conversations API shows it (ref 000 L1936-2055): who
//! sent it to whom, its text, attachments, reactions, shares and story, newest first in a
//! conversation. Only URLs of shared media are given (ref 000 L1828-1830).

use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Map, Value};

use super::{db, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::messaging::thread::LIKE_HEART_URL;
use crate::store::conversations::Conversation;
use crate::store::messages::{self, Message};
use crate::store::{accounts, people, Reader};

/// Ref 000 L1936-2055; `attachments`, `reactions`, `shares`, `story` from the list
/// and Meta's public Conversations API.
#[rustfmt::skip]
pub static MESSAGE: NodeType = NodeType {
    name: "Message",
    metadata_type: "message",
    // The order the messages sample prints (ref 000 L1954-1958).
    defaults: &["id", "created_time", "is_unsupported"],
    fields: &[
        field("id", Scalar, "string", Apis::Both, "The message ID."),
        field("created_time", Scalar, "datetime", Apis::Both, "When the message was sent, ISO 8601 in UTC."),
        field("from", Object(&PARTY), "object", Apis::Both, "The sender: username and ID (the account's ID, or the person's Instagram-scoped ID)."),
        field("to", Objects(&PARTY), "object", Apis::Both, "The recipients, as data[{username, id}]."),
        field("message", Scalar, "string", Apis::Both, "The text; empty for a message without text."),
        field("attachments", Objects(&ATTACHMENT), "object", Apis::Both, "Images, videos, audio and files, as data[...] with their URLs."),
        field("reactions", Objects(&REACTION), "object", Apis::Both, "Reactions, as data[{reaction, users}]."),
        field("shares", Objects(&SHARE), "object", Apis::Both, "Shared posts, as data[{link}]; only their URL."),
        field("story", Object(&STORY), "object", Apis::Both, "The story the message replies to or mentions: reply_to or mention {link, id}."),
        field("is_unsupported", Scalar, "bool", Apis::Both, "Whether the message holds content the API cannot show."),
    ],
};

/// A side of a conversation as messages and conversations show it (ref 000 L2033-2047):
/// `{username, id}`.
#[rustfmt::skip]
pub static PARTY: NodeType = NodeType {
    name: "InstagramUser",
    metadata_type: "instagramuser",
    defaults: &["username", "id"],
    fields: &[
        field("username", Scalar, "string", Apis::Both, "The username."),
        field("id", Scalar, "numeric string", Apis::Both, "The account's IG user ID, or the person's Instagram-scoped ID."),
    ],
};

/// An image or a video of an attachment: its URL and a preview.
#[rustfmt::skip]
pub static MEDIA_DATA: NodeType = NodeType {
    name: "MessageMediaData",
    metadata_type: "messagemediadata",
    defaults: &[],
    fields: &[
        field("url", Scalar, "string", Apis::Both, "The file's URL."),
        field("preview_url", Scalar, "string", Apis::Both, "A preview's URL."),
    ],
};

/// An attachment of a message (Meta's public Conversations API).
#[rustfmt::skip]
pub static ATTACHMENT: NodeType = NodeType {
    name: "MessageAttachment",
    metadata_type: "messageattachment",
    defaults: &[],
    fields: &[
        field("id", Scalar, "string", Apis::Both, "The attachment's ID, when it was uploaded."),
        field("mime_type", Scalar, "string", Apis::Both, "The file's MIME type."),
        field("size", Scalar, "int", Apis::Both, "The file's size in bytes."),
        field("image_data", Object(&MEDIA_DATA), "object", Apis::Both, "An image: url and preview_url."),
        field("video_data", Object(&MEDIA_DATA), "object", Apis::Both, "A video: url and preview_url."),
        field("file_url", Scalar, "string", Apis::Both, "An audio clip's or a file's URL."),
    ],
};

/// A reaction and who reacted with it.
#[rustfmt::skip]
pub static REACTION: NodeType = NodeType {
    name: "MessageReaction",
    metadata_type: "messagereaction",
    defaults: &["reaction", "users"],
    fields: &[
        field("reaction", Scalar, "string", Apis::Both, "The reaction, e.g. love."),
        field("users", Objects(&PARTY), "list", Apis::Both, "Who reacted: username and ID."),
    ],
};

/// A shared post: only its URL (ref 000 L1828-1830).
#[rustfmt::skip]
pub static SHARE: NodeType = NodeType {
    name: "MessageShare",
    metadata_type: "messageshare",
    defaults: &["link"],
    fields: &[
        field("link", Scalar, "string", Apis::Both, "The shared post's URL."),
    ],
};

/// The story a message replies to or mentions.
#[rustfmt::skip]
pub static STORY_REF: NodeType = NodeType {
    name: "MessageStory",
    metadata_type: "messagestory",
    defaults: &["link", "id"],
    fields: &[
        field("link", Scalar, "string", Apis::Both, "The story's URL."),
        field("id", Scalar, "numeric string", Apis::Both, "The story's ID."),
    ],
};

#[rustfmt::skip]
pub static STORY: NodeType = NodeType {
    name: "MessageStoryReference",
    metadata_type: "messagestoryreference",
    defaults: &[],
    fields: &[
        field("reply_to", Object(&STORY_REF), "object", Apis::Both, "The story the message replies to."),
        field("mention", Object(&STORY_REF), "object", Apis::Both, "The story that mentions the account."),
    ],
};

/// Who a side of the conversation is: `{username, id}`.
pub struct Sides {
    pub account: Value,
    pub person: Value,
}

/// The two sides of a conversation as messages show them.
pub fn sides(r: &Reader, conversation: &Conversation) -> Result<Sides, GraphError> {
    let account = db(accounts::get(r, &conversation.account_id))?;
    let username = account.map(|a| a.username).unwrap_or_default();
    let person_name = if conversation.is_self {
        username.clone()
    } else {
        db(people::get(r, &conversation.person_id))?
            .map(|p| p.username)
            .unwrap_or_default()
    };
    Ok(Sides {
        account: json!({"username": username, "id": conversation.account_id}),
        person: json!({"username": person_name, "id": conversation.igsid}),
    })
}

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    message: &Message,
    sides: &Sides,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = MESSAGE.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(r, message, sides, request))
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn attachment_view(a: &Value) -> Option<Value> {
    let url = a.get("url")?.as_str()?;
    let kind = a.get("type")?.as_str()?;
    let mut out = Map::new();
    if let Some(id) = a.get("attachment_id").and_then(Value::as_str) {
        out.insert("id".into(), json!(id));
    }
    if let Some(mime) = a.get("mime_type").and_then(Value::as_str) {
        out.insert("mime_type".into(), json!(mime));
    }
    if let Some(size) = a.get("size").and_then(Value::as_i64) {
        out.insert("size".into(), json!(size));
    }
    match kind {
        "image" | "like_heart" => {
            out.insert("image_data".into(), json!({"url": url, "preview_url": url}));
        }
        "video" | "ig_reel" | "reel" => {
            out.insert("video_data".into(), json!({"url": url, "preview_url": url}));
        }
        "audio" | "file" => {
            out.insert("file_url".into(), json!(url));
        }
        _ => return None,
    }
    Some(Value::Object(out))
}

fn resolve(
    r: &Reader,
    message: &Message,
    sides: &Sides,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    let (from, to) = if message.inbound() {
        (&sides.person, &sides.account)
    } else {
        (&sides.account, &sides.person)
    };
    let attachments = parsed(&message.attachments);
    let attachments = attachments.as_array().cloned().unwrap_or_default();
    let content = parsed(&message.content);
    Ok(match request.name.as_str() {
        "id" => Some(json!(message.id)),
        "created_time" => Some(json!(graph::timefmt::graph_time(
            message.created_at.div_euclid(1000)
        ))),
        "from" => Some(from.clone()),
        "to" => Some(json!({"data": [to]})),
        "message" => Some(json!(message.text.clone().unwrap_or_default())),
        "is_unsupported" => Some(json!(message.is_unsupported)),
        "attachments" => {
            let mut data: Vec<Value> = attachments.iter().filter_map(attachment_view).collect();
            if content.get("sticker").is_some() {
                data.extend(attachment_view(
                    &json!({"type": "like_heart", "url": LIKE_HEART_URL}),
                ));
            }
            (!data.is_empty()).then(|| json!({"data": data}))
        }
        "shares" => {
            let mut data: Vec<Value> = attachments
                .iter()
                .filter(|a| {
                    matches!(
                        a.get("type").and_then(Value::as_str),
                        Some("share" | "ig_post" | "media_share")
                    )
                })
                .filter_map(|a| a.get("url").map(|url| json!({"link": url})))
                .collect();
            if let Some(url) = content.pointer("/share/url") {
                data.push(json!({"link": url}));
            }
            (!data.is_empty()).then(|| json!({"data": data}))
        }
        "story" => story(message, &attachments),
        "reactions" => {
            let reactions = db(messages::reactions(r, &message.id))?;
            let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
            for r in reactions {
                let who = if r.actor == "person" {
                    &sides.person
                } else {
                    &sides.account
                };
                match groups.iter_mut().find(|(name, _)| *name == r.reaction) {
                    Some((_, users)) => users.push(who.clone()),
                    None => groups.push((r.reaction.clone(), vec![who.clone()])),
                }
            }
            (!groups.is_empty()).then(|| {
                json!({"data": groups.into_iter().map(|(reaction, users)| json!({"reaction": reaction, "users": users})).collect::<Vec<_>>()})
            })
        }
        _ => None,
    })
}

/// A story reply (`reply_to`) or a story mention (`mention`), with the story's URL and id.
fn story(message: &Message, attachments: &[Value]) -> Option<Value> {
    if let (Some(id), Some(kind)) = (&message.story_id, &message.story_kind) {
        let link = parsed(&message.content)
            .pointer("/story/url")
            .cloned()
            .unwrap_or(Value::Null);
        return Some(json!({ kind.as_str(): {"link": link, "id": id} }));
    }
    let mention = attachments
        .iter()
        .find(|a| a.get("type").and_then(Value::as_str) == Some("story_mention"))?;
    Some(
        json!({"mention": {"link": mention.get("url")?, "id": mention.get("id").cloned().unwrap_or(Value::Null)}}),
    )
}
