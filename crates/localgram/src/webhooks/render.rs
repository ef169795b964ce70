//! From semantic events to the JSON Meta posts: one item per event, shaped for the login the
//! account enabled the app with, then the `{"object":"instagram","entry":[...]}` envelope of a
//! batch. Key order follows the reference's samples, since the signature covers the bytes.
//! Every choice between the documents' shapes is recorded in docs/decisions.md.

use serde_json::{json, Map, Value};

use super::fields::{Login, OBJECT};
use crate::events::{Comment, Mention, Message, Messaging, MessagingKind, Payload, StoryInsights};

/// One event, rendered for one login.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `changes[{field, value}]` (Include Values on).
    Change { field: &'static str, value: Value },
    /// `changed_fields[field]` (Include Values off, ref 004 L2362).
    ChangedField(&'static str),
    /// One `messaging[]` element.
    Messaging(Value),
    /// One `standby[]` element.
    Standby(Value),
}

/// Renders one event's item. `include_values` is the app's Include Values setting; messaging
/// events always carry their content.
pub fn item(payload: &Payload, login: Login, include_values: bool) -> Item {
    let field = payload.field();
    let change = |value: Value| {
        if include_values {
            Item::Change { field, value }
        } else {
            Item::ChangedField(field)
        }
    };
    match payload {
        Payload::Comment(c) | Payload::LiveComment(c) => change(comment(c, login)),
        Payload::Mention(m) => change(mention(m)),
        Payload::StoryInsights(s) => change(story_insights(s)),
        Payload::Messaging(m) => Item::Messaging(messaging(m)),
        Payload::Standby(m) => Item::Standby(messaging(m)),
    }
}

/// A comment: Facebook Login names the comment `comment_id` and may carry ad fields
/// (004 L2111-2125); Instagram Login names it `id` and carries `self_ig_scoped_id` on a self
/// comment (004 L2149-2160, 000 L2528-2540).
fn comment(c: &Comment, login: Login) -> Value {
    let mut from = Map::new();
    from.insert("id".into(), json!(c.from.id));
    from.insert("username".into(), json!(c.from.username));
    let mut media = Map::new();
    media.insert("id".into(), json!(c.media.id));
    let mut value = Map::new();
    match login {
        Login::Facebook => {
            for (key, v) in [
                ("ad_id", &c.media.ad_id),
                ("ad_title", &c.media.ad_title),
                ("original_media_id", &c.media.original_media_id),
            ] {
                if let Some(v) = v {
                    media.insert(key.into(), json!(v));
                }
            }
            media.insert(
                "media_product_type".into(),
                json!(c.media.media_product_type),
            );
            value.insert("from".into(), Value::Object(from));
            value.insert("comment_id".into(), json!(c.id));
            if let Some(parent) = &c.parent_id {
                value.insert("parent_id".into(), json!(parent));
            }
            if let Some(text) = &c.text {
                value.insert("text".into(), json!(text));
            }
        }
        Login::Instagram => {
            if let Some(scoped) = &c.from.self_ig_scoped_id {
                from.insert("self_ig_scoped_id".into(), json!(scoped));
            }
            media.insert(
                "media_product_type".into(),
                json!(c.media.media_product_type),
            );
            value.insert("id".into(), json!(c.id));
            value.insert("from".into(), Value::Object(from));
            if let Some(parent) = &c.parent_id {
                value.insert("parent_id".into(), json!(parent));
            }
            if let Some(text) = &c.text {
                value.insert("text".into(), json!(text));
            }
        }
    }
    value.insert("media".into(), Value::Object(media));
    Value::Object(value)
}

/// A mention: `{comment_id, media_id}` in a comment, `{media_id}` in a caption
/// (003 L181-185, L255-257).
fn mention(m: &Mention) -> Value {
    let mut value = Map::new();
    if let Some(comment) = &m.comment_id {
        value.insert("comment_id".into(), json!(comment));
    }
    value.insert("media_id".into(), json!(m.media_id));
    Value::Object(value)
}

/// Story insights as the sample prints them (003 L147-155): the numbers as the insights area
/// gives them (decisions.md: the sample shows counts under 5 unmasked).
fn story_insights(s: &StoryInsights) -> Value {
    json!({
        "media_id": s.media_id,
        "exits": s.exits,
        "replies": s.replies,
        "reach": s.reach,
        "taps_forward": s.taps_forward,
        "taps_back": s.taps_back,
        "impressions": s.impressions,
    })
}

/// One `messaging[]` element: `sender`, `recipient`, `timestamp` (ms), then the event
/// (000 L2455-2466, L2490-2502, L2599-2608).
fn messaging(m: &Messaging) -> Value {
    let mut item = Map::new();
    // A role change concerns the account, not a person: no sender (Meta's `app_roles`).
    if !m.sender_id.is_empty() {
        item.insert("sender".into(), json!({"id": m.sender_id}));
    }
    item.insert("recipient".into(), json!({"id": m.recipient_id}));
    item.insert("timestamp".into(), json!(m.timestamp_ms));
    let (key, value) = match &m.kind {
        MessagingKind::Message(message) => ("message", self::message(message, m.is_self)),
        MessagingKind::Postback(p) => {
            // A postback's `is_self` sits beside it (000 L2495).
            if m.is_self {
                item.insert("is_self".into(), json!(true));
            }
            (
                "postback",
                json!({"title": p.title, "payload": p.payload, "mid": p.mid}),
            )
        }
        MessagingKind::Reaction(r) => {
            let mut value = Map::new();
            value.insert("mid".into(), json!(r.mid));
            value.insert("action".into(), json!(r.action));
            if let Some(reaction) = &r.reaction {
                value.insert("reaction".into(), json!(reaction));
            }
            if let Some(emoji) = &r.emoji {
                value.insert("emoji".into(), json!(emoji));
            }
            ("reaction", Value::Object(value))
        }
        MessagingKind::Read(r) => ("read", json!({"mid": r.mid})),
        MessagingKind::MessageEdit(e) => (
            "message_edit",
            json!({"mid": e.mid, "text": e.text, "num_edit": e.num_edit}),
        ),
        MessagingKind::Referral(r) => (
            "referral",
            json!({"ref": r.reference, "source": r.source, "type": r.kind}),
        ),
        MessagingKind::Optin(o) => (
            "optin",
            serde_json::to_value(o).unwrap_or_else(|_| json!({})),
        ),
        MessagingKind::PolicyEnforcement(p) => (
            "policy-enforcement",
            serde_json::to_value(p).unwrap_or_else(|_| json!({})),
        ),
        MessagingKind::ResponseFeedback(f) => (
            "response_feedback",
            json!({"mid": f.mid, "feedback": f.feedback}),
        ),
        MessagingKind::Handover(h) if h.action == "app_roles" => (
            "app_roles",
            serde_json::to_value(&h.app_roles).unwrap_or_else(|_| json!({})),
        ),
        MessagingKind::Handover(h) => {
            let mut value = Map::new();
            for (key, v) in [
                ("new_owner_app_id", &h.new_owner_app_id),
                ("previous_owner_app_id", &h.previous_owner_app_id),
                ("requested_owner_app_id", &h.requested_owner_app_id),
                ("metadata", &h.metadata),
            ] {
                if let Some(v) = v {
                    value.insert(key.into(), json!(v));
                }
            }
            (handover_key(&h.action), Value::Object(value))
        }
    };
    item.insert(key.into(), value);
    Value::Object(item)
}

fn handover_key(action: &str) -> &'static str {
    match action {
        "take_thread_control" => "take_thread_control",
        "request_thread_control" => "request_thread_control",
        _ => "pass_thread_control",
    }
}

/// A message: `mid`, `text`, then the flags that apply (000 L2460-2465, L2791-2804).
fn message(m: &Message, is_self: bool) -> Value {
    let mut value = Map::new();
    value.insert("mid".into(), json!(m.mid));
    if let Some(text) = &m.text {
        value.insert("text".into(), json!(text));
    }
    if !m.attachments.is_empty() {
        let attachments: Vec<Value> = m
            .attachments
            .iter()
            .map(|a| {
                let mut payload = Map::new();
                payload.insert("url".into(), json!(a.url));
                if let Some(title) = &a.title {
                    payload.insert("title".into(), json!(title));
                }
                json!({"type": a.kind, "payload": Value::Object(payload)})
            })
            .collect();
        value.insert("attachments".into(), Value::Array(attachments));
    }
    if m.is_deleted {
        value.insert("is_deleted".into(), json!(true));
    }
    if m.is_echo {
        value.insert("is_echo".into(), json!(true));
    }
    // An echo always says whether the account wrote to itself (000 L2463-2464, L2794-2795).
    if m.is_echo || is_self {
        value.insert("is_self".into(), json!(is_self));
    }
    if m.is_unsupported {
        value.insert("is_unsupported".into(), json!(true));
    }
    if let Some(quick) = &m.quick_reply {
        value.insert("quick_reply".into(), json!({"payload": quick.payload}));
    }
    if let Some(reply_to) = &m.reply_to {
        let mut target = Map::new();
        if let Some(mid) = &reply_to.mid {
            target.insert("mid".into(), json!(mid));
        }
        if let Some(story) = &reply_to.story {
            target.insert("story".into(), json!({"url": story.url, "id": story.id}));
        }
        value.insert("reply_to".into(), Value::Object(target));
    }
    Value::Object(value)
}

/// The body of one request: `{"object":"instagram","entry":[...]}` (004 L2100-2133 without the
/// samples' array wrapper, decisions.md). Consecutive changes of one account share an entry;
/// each messaging event gets its own entry, as Messenger sends them. `time` is when the
/// notification is sent: Unix seconds for changes (003 L159, 004 L2364), milliseconds for
/// messaging (000 L2489-2494).
pub fn envelope(items: &[(&str, Item)], now_ms: i64) -> Value {
    let seconds = now_ms.div_euclid(1000);
    let mut entries: Vec<Map<String, Value>> = Vec::new();
    let mut last_change_account: Option<&str> = None;
    for (account, item) in items {
        match item {
            Item::Change { field, value } => {
                let merged = last_change_account == Some(*account)
                    && entries
                        .last_mut()
                        .and_then(|e| e.get_mut("changes"))
                        .and_then(Value::as_array_mut)
                        .map(|changes| changes.push(json!({"field": field, "value": value})))
                        .is_some();
                if !merged {
                    let mut entry = Map::new();
                    entry.insert("id".into(), json!(account));
                    entry.insert("time".into(), json!(seconds));
                    entry.insert("changes".into(), json!([{"field": field, "value": value}]));
                    entries.push(entry);
                }
                last_change_account = Some(account);
            }
            Item::ChangedField(field) => {
                let merged = last_change_account == Some(*account)
                    && entries
                        .last_mut()
                        .and_then(|e| e.get_mut("changed_fields"))
                        .and_then(Value::as_array_mut)
                        .map(|fields| {
                            if !fields.iter().any(|f| f == field) {
                                fields.push(json!(field));
                            }
                        })
                        .is_some();
                if !merged {
                    let mut entry = Map::new();
                    entry.insert("id".into(), json!(account));
                    entry.insert("time".into(), json!(seconds));
                    entry.insert("changed_fields".into(), json!([field]));
                    entries.push(entry);
                }
                last_change_account = Some(account);
            }
            Item::Messaging(value) | Item::Standby(value) => {
                let key = if matches!(item, Item::Standby(_)) {
                    "standby"
                } else {
                    "messaging"
                };
                let mut entry = Map::new();
                entry.insert("id".into(), json!(account));
                entry.insert("time".into(), json!(now_ms));
                entry.insert(key.into(), json!([value]));
                entries.push(entry);
                last_change_account = None;
            }
        }
    }
    json!({
        "object": OBJECT,
        "entry": entries.into_iter().map(Value::Object).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Author, CommentMedia, Postback, Reaction};

    fn a_comment() -> Comment {
        Comment {
            id: "17865799348089039".into(),
            text: Some("This is an example.".into()),
            from: Author {
                id: "232323232".into(),
                username: "test".into(),
                self_ig_scoped_id: None,
            },
            media: CommentMedia {
                id: "123123123".into(),
                media_product_type: "FEED".into(),
                ad_id: Some("ad1".into()),
                ad_title: Some("Ad".into()),
                original_media_id: None,
                owner_id: None,
            },
            parent_id: Some("1231231234".into()),
        }
    }

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn comments_follow_each_logins_sample() {
        // ref 004 L2111-2125: from, comment_id, parent_id, text, media{id, ad_*, type}.
        let fb = comment(&a_comment(), Login::Facebook);
        assert_eq!(
            keys(&fb),
            ["from", "comment_id", "parent_id", "text", "media"]
        );
        assert_eq!(
            keys(&fb["media"]),
            ["id", "ad_id", "ad_title", "media_product_type"]
        );
        // ref 004 L2149-2160: id, from, text, media{id, media_product_type}; no ad fields.
        let ig = comment(&a_comment(), Login::Instagram);
        assert_eq!(keys(&ig), ["id", "from", "parent_id", "text", "media"]);
        assert_eq!(keys(&ig["media"]), ["id", "media_product_type"]);
    }

    #[test]
    fn changes_of_one_account_share_an_entry_and_messaging_does_not() {
        let change = item(&Payload::Comment(a_comment()), Login::Instagram, true);
        let postback = item(
            &Payload::Messaging(Messaging {
                sender_id: "1".into(),
                recipient_id: "2".into(),
                timestamp_ms: 5,
                is_self: true,
                kind: MessagingKind::Postback(Postback {
                    mid: "m".into(),
                    title: "t".into(),
                    payload: "p".into(),
                }),
            }),
            Login::Instagram,
            true,
        );
        let body = envelope(
            &[
                ("a", change.clone()),
                ("a", change.clone()),
                ("b", change.clone()),
                ("a", postback.clone()),
                ("a", postback),
                ("a", change),
            ],
            1_743_480_368_963,
        );
        let entries = body["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0]["changes"].as_array().unwrap().len(), 2);
        assert_eq!(entries[0]["time"], json!(1_743_480_368));
        assert_eq!(entries[2]["time"], json!(1_743_480_368_963_i64));
        // ref 000 L2495: is_self beside the postback.
        assert_eq!(entries[2]["messaging"][0]["is_self"], json!(true));
        assert_eq!(keys(&body), ["object", "entry"]);
    }

    #[test]
    fn include_values_off_lists_changed_fields() {
        let off = item(&Payload::Comment(a_comment()), Login::Facebook, false);
        let body = envelope(&[("a", off.clone()), ("a", off)], 0);
        assert_eq!(body["entry"][0]["changed_fields"], json!(["comments"]));
    }

    #[test]
    fn unreactions_carry_no_emoji() {
        let value = messaging(&Messaging {
            sender_id: "1".into(),
            recipient_id: "2".into(),
            timestamp_ms: 5,
            is_self: false,
            kind: MessagingKind::Reaction(Reaction {
                mid: "m".into(),
                action: "unreact".into(),
                reaction: None,
                emoji: None,
            }),
        });
        assert_eq!(value["reaction"], json!({"mid": "m", "action": "unreact"}));
    }
}
