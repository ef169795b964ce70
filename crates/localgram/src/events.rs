//! What happened on Instagram, as the areas that make it happen report it.
//!
//! A comment, a mention, a message, a reaction: the area that performs the change (comments,
//! messaging, insights) calls [`record`] inside its write transaction with a semantic
//! [`Event`]. `record` stores the event and, in the same transaction, one delivery decision per
//! app connected to the account: an outbox row the webhook worker will send, or a skipped row
//! saying in plain words why nothing goes out. A change that commits therefore always has its
//! notifications committed with it, and a change that rolls back has none. The payload is not
//! yet shaped for a login: `webhooks::render` does that per app at delivery time.

use crate::store::Writer;
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::store::events::{self as outbox, NewDelivery};
use crate::store::StoreResult;
use crate::webhooks::conditions::{self, Decision};

/// One thing that happened to an Instagram professional account.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The professional account the notification is about (`entry[].id`): the account whose
    /// media was commented on, who was mentioned, who received or sent the message.
    pub account_id: String,
    pub payload: Payload,
    /// Deliver no earlier than this virtual time (Unix ms): `story_insights` goes out one
    /// hour after the story expires (ref 003 L82).
    pub deliver_at_ms: Option<i64>,
    /// The apps the event is for, when not every connected app: the Handover Protocol sends
    /// a conversation's events to the app controlling it under `messaging` and to the others
    /// under `standby`, and a thread control request to the controlling app only.
    pub audience: Option<Audience>,
}

/// Which connected apps an event is for; the others get a skipped delivery with `reason`.
#[derive(Debug, Clone, PartialEq)]
pub struct Audience {
    pub apps: Vec<String>,
    /// `apps` are the ones left out rather than the ones included.
    pub except: bool,
    pub reason: String,
}

impl Audience {
    pub fn admits(&self, app_id: &str) -> bool {
        self.apps.iter().any(|a| a == app_id) != self.except
    }
}

impl Event {
    pub fn new(account_id: impl Into<String>, payload: Payload) -> Self {
        Event {
            account_id: account_id.into(),
            payload,
            deliver_at_ms: None,
            audience: None,
        }
    }
}

/// The semantic content of an event; its variant decides the webhook field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// `comments`: a comment (or reply) on the account's media.
    Comment(Comment),
    /// `live_comments`: a comment on the account's live broadcast, while it is on air.
    LiveComment(Comment),
    /// `mentions`: the account was @mentioned in a comment or a caption.
    Mention(Mention),
    /// `story_insights`: a story's metrics, after it expired.
    StoryInsights(StoryInsights),
    /// A messaging event: its kind decides the field (`messages`, `messaging_postbacks`, ...).
    Messaging(Messaging),
    /// `standby`: a messaging event seen by an app that does not own the thread.
    Standby(Messaging),
}

impl Payload {
    /// The webhook field this payload is delivered under.
    pub fn field(&self) -> &'static str {
        match self {
            Payload::Comment(_) => "comments",
            Payload::LiveComment(_) => "live_comments",
            Payload::Mention(_) => "mentions",
            Payload::StoryInsights(_) => "story_insights",
            Payload::Messaging(m) => m.kind.field(),
            Payload::Standby(_) => "standby",
        }
    }

    /// The id of whoever owns the media the event is on, when it is not the account itself.
    pub fn media_owner_id(&self) -> Option<&str> {
        match self {
            Payload::Comment(c) | Payload::LiveComment(c) => c.media.owner_id.as_deref(),
            Payload::Mention(m) => m.media_owner_id.as_deref(),
            _ => None,
        }
    }

    /// An echo of a message the account sent (`message.is_echo`).
    pub fn is_echo(&self) -> bool {
        matches!(self, Payload::Messaging(Messaging { kind: MessagingKind::Message(m), .. }) if m.is_echo)
    }
}

/// A comment, as the comments area stores it (ref 004 L2096-2165, 000 L2510-2546).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub from: Author,
    pub media: CommentMedia,
    /// The comment this one replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
}

/// Who wrote a comment: the commenter's Instagram-scoped id (or the account's own id for a
/// self comment) and username.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Author {
    pub id: String,
    pub username: String,
    /// Set when the account commented on its own media: its IGSID (ref 000 L2532).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_ig_scoped_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentMedia {
    pub id: String,
    /// The surface the media is published on: `FEED`, `REELS`, `STORY`, `AD`, ...
    pub media_product_type: String,
    /// Ad posts only (ref 004 L2121-2123).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_media_id: Option<String>,
    /// The media's owner when it is not the account (never rendered): no notification goes
    /// out when that owner is private (ref 004 L2267).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

/// An @mention of the account (ref 003 L166-267).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub media_id: String,
    /// Set for a mention in a comment; absent for a mention in a caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<String>,
    /// Who owns the media the mention is on (never rendered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_owner_id: Option<String>,
}

/// A story's metrics over its first 24 hours (ref 003 L133-165, 004 L2272).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryInsights {
    pub media_id: String,
    pub exits: i64,
    pub replies: i64,
    pub reach: i64,
    pub taps_forward: i64,
    pub taps_back: i64,
    pub impressions: i64,
}

/// A messaging event: who sent it to whom, when, and what it is (ref 000 L2430-2850).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Messaging {
    pub sender_id: String,
    pub recipient_id: String,
    /// When it happened (Unix ms, as `timestamp` carries it).
    pub timestamp_ms: i64,
    /// The account messaged itself (self messaging, ref 000 L2430-2506); on a postback it
    /// sits beside the postback, on a message inside it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_self: bool,
    #[serde(flatten)]
    pub kind: MessagingKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessagingKind {
    /// `messages`: a message, an echo of one the account sent, a story reply, a deletion.
    Message(Message),
    /// `messaging_postbacks`: an ice breaker, menu item or button was tapped.
    Postback(Postback),
    /// `message_reactions`.
    Reaction(Reaction),
    /// `messaging_seen`.
    Read(Read),
    /// `message_edit`.
    MessageEdit(MessageEdit),
    /// `messaging_referral`: the person opened the thread from an ig.me link with `ref`.
    Referral(Referral),
    /// `messaging_optins`.
    Optin(Optin),
    /// `messaging_handover`: thread control passed, taken or requested.
    Handover(Handover),
    /// `messaging_policy_enforcement` (Messenger Platform only, 004 L2438): Meta acted on the
    /// app for a policy violation (Meta's public Messenger shape).
    PolicyEnforcement(PolicyEnforcement),
    /// `response_feedback` (Messenger Platform only, 004 L2442): the person rated a reply.
    ResponseFeedback(ResponseFeedback),
}

impl MessagingKind {
    pub fn field(&self) -> &'static str {
        match self {
            MessagingKind::Message(_) => "messages",
            MessagingKind::Postback(_) => "messaging_postbacks",
            MessagingKind::Reaction(_) => "message_reactions",
            MessagingKind::Read(_) => "messaging_seen",
            MessagingKind::MessageEdit(_) => "message_edit",
            MessagingKind::Referral(_) => "messaging_referral",
            MessagingKind::Optin(_) => "messaging_optins",
            MessagingKind::Handover(_) => "messaging_handover",
            MessagingKind::PolicyEnforcement(_) => "messaging_policy_enforcement",
            MessagingKind::ResponseFeedback(_) => "response_feedback",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub mid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// A message the account sent, echoed back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_echo: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_deleted: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_unsupported: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
}

/// An attachment: only its URL reaches the webhook (ref 000 L388).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// `image`, `video`, `audio`, `file`, `share`, `story_mention`, `ig_reel`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub payload: String,
}

/// What a message answers: another message, or a story (ref 000 L2797-2802).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyTo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<StoryRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryRef {
    pub url: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Postback {
    pub mid: String,
    pub title: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    pub mid: String,
    /// `react` or `unreact`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read {
    pub mid: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageEdit {
    pub mid: String,
    pub text: String,
    pub num_edit: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    #[serde(rename = "ref")]
    pub reference: String,
    pub source: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// An opt-in (Meta's public Messenger shape; the reference lists the field without a payload).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Optin {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_messages_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_messages_frequency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_messages_timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_messages_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expiry_timestamp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_token_status: Option<String>,
}

/// Thread control changed hands (Meta's public Handover Protocol shape; not in the reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    /// `pass_thread_control`, `take_thread_control`, `request_thread_control` or `app_roles`.
    pub action: String,
    /// `app_roles`: each app whose role changed and the roles it now holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_roles: Option<std::collections::BTreeMap<String, Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_owner_app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_owner_app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_owner_app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
}

/// `policy-enforcement{action, reason}`: `block` or `unblock`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyEnforcement {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `response_feedback{mid, feedback}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseFeedback {
    pub mid: String,
    pub feedback: String,
}

/// What [`record`] decided for one app.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub event_id: i64,
    pub deliveries: Vec<RecordedDelivery>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedDelivery {
    pub id: i64,
    pub app_id: Option<String>,
    pub login: Option<&'static str>,
    /// `pending` or `skipped`.
    pub status: &'static str,
    pub reason: Option<String>,
}

/// Records `event` in the caller's transaction: the event row, and for every app connected to
/// the account either a pending delivery or a skipped one with its reason. Wakes the delivery
/// worker, which sees the rows once the transaction commits.
pub fn record(conn: &Writer, state: &AppState, event: Event) -> StoreResult<Recorded> {
    if event.audience.is_none() {
        if let Some((owner, messaging)) = controlled(conn, &event)? {
            // Handover Protocol: the controller gets the event, the other apps its standby.
            let standby = Event {
                account_id: event.account_id.clone(),
                payload: Payload::Standby(messaging),
                deliver_at_ms: event.deliver_at_ms,
                audience: Some(Audience {
                    apps: vec![owner.clone()],
                    except: true,
                    reason: "the app controls the conversation (Handover Protocol): it receives \
                             this event under messaging, not standby"
                        .into(),
                }),
            };
            let main = Event {
                audience: Some(Audience {
                    reason: format!(
                        "the conversation is controlled by app {owner} (Handover Protocol): \
                         this app receives the event under standby"
                    ),
                    apps: vec![owner],
                    except: false,
                }),
                ..event
            };
            let mut recorded = record_one(conn, state, main)?;
            let other = record_one(conn, state, standby)?;
            recorded.deliveries.extend(other.deliveries);
            return Ok(recorded);
        }
    }
    record_one(conn, state, event)
}

/// The app controlling the conversation a messaging event belongs to, when the account set
/// up the Handover Protocol (a primary receiver); handover events themselves go to everyone.
fn controlled(conn: &Writer, event: &Event) -> StoreResult<Option<(String, Messaging)>> {
    let Payload::Messaging(m) = &event.payload else {
        return Ok(None);
    };
    if matches!(m.kind, MessagingKind::Handover(_)) {
        return Ok(None);
    }
    let igsid = if m.sender_id == event.account_id {
        &m.recipient_id
    } else {
        &m.sender_id
    };
    Ok(
        crate::store::handover::controller(conn, &event.account_id, igsid)?
            .map(|owner| (owner, m.clone())),
    )
}

fn record_one(conn: &Writer, state: &AppState, event: Event) -> StoreResult<Recorded> {
    let now = state.clock.now_ms();
    let decisions = conditions::decide(conn, &event, now.div_euclid(1000))?;
    let field = event.payload.field();
    let payload = serde_json::to_string(&event.payload).map_err(|e| {
        crate::store::StoreError::Conflict(format!("event payload does not serialise: {e}"))
    })?;
    let event_id = outbox::insert_event(conn, &event.account_id, field, &payload, false, now)?;
    let mut deliveries = Vec::with_capacity(decisions.len());
    for decision in decisions {
        let (app_id, login, status, reason) = match decision {
            Decision::Deliver { app_id, login } => (Some(app_id), Some(login), "pending", None),
            Decision::Skip {
                app_id,
                login,
                reason,
            } => (app_id, login, "skipped", Some(reason)),
        };
        let login = login.map(|l| l.as_str());
        let id = outbox::insert_delivery(
            conn,
            &NewDelivery {
                event_id,
                app_id: app_id.as_deref(),
                account_id: &event.account_id,
                field,
                login,
                status,
                reason: reason.as_deref(),
                created_at: now,
                next_attempt_at: (status == "pending")
                    .then(|| event.deliver_at_ms.unwrap_or(now).max(now)),
            },
        )?;
        deliveries.push(RecordedDelivery {
            id,
            app_id,
            login,
            status,
            reason,
        });
    }
    if deliveries.iter().any(|d| d.status == "pending") {
        state.webhooks.wake();
    }
    Ok(Recorded {
        event_id,
        deliveries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messaging_events_read_like_the_payload_they_become() {
        let value = json!({
            "sender_id": "526", "recipient_id": "1784", "timestamp_ms": 1743480368714_i64,
            "is_self": true,
            "postback": {"mid": "m1", "title": "Start Chatting", "payload": "P"}
        });
        let parsed: Messaging = serde_json::from_value(value.clone()).unwrap();
        assert!(parsed.is_self);
        assert_eq!(parsed.kind.field(), "messaging_postbacks");
        assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
        let payload = Payload::Messaging(Messaging {
            kind: MessagingKind::Message(Message {
                mid: "m".into(),
                is_echo: true,
                ..Message::default()
            }),
            ..parsed
        });
        assert!(payload.is_echo());
        assert_eq!(payload.field(), "messages");
    }

    #[test]
    fn payloads_round_trip_through_storage() {
        let payload = Payload::Comment(Comment {
            id: "180".into(),
            text: Some("café / ok".into()),
            from: Author {
                id: "52".into(),
                username: "dino".into(),
                self_ig_scoped_id: None,
            },
            media: CommentMedia {
                id: "179".into(),
                media_product_type: "FEED".into(),
                ad_id: None,
                ad_title: None,
                original_media_id: None,
                owner_id: None,
            },
            parent_id: None,
        });
        let text = serde_json::to_string(&payload).unwrap();
        assert!(text.starts_with("{\"comment\":"));
        assert_eq!(serde_json::from_str::<Payload>(&text).unwrap(), payload);
        assert_eq!(payload.field(), "comments");
    }
}
