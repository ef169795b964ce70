//! The Send API (`POST /{ig-user-id}/messages`, and `/{page-id}/messages` on the Messenger
//! Platform) with every documented body (ref 000 L333-902), private replies (001 L2437-2520,
//! 004 L2872-2941) and sender actions (004 L1128-1130); and the Attachment Upload API
//! (`POST /{ig-user-id}/message_attachments`, 000 L1739-1774). The rules (consent, the 24-hour
//! and 7-day windows, one private reply per comment) are checked against the store in the
//! transaction that writes the message and its echo.

use crate::store::{Reader, Writer};
use graph::{Api, GraphError, Params};
use serde_json::{json, Map, Value};

use super::{internal, Call};
use crate::auth::{Caller, TokenKind};
use crate::limits::Limit;
use crate::messaging::body::{self, MediaKind, OutAttachment, Outgoing};
use crate::messaging::fetch;
use crate::messaging::group::Work;
use crate::messaging::handover;
use crate::messaging::rules::{self, MULTI_IMAGE_FROM_S};
use crate::messaging::thread::{self, Draft};
use crate::nodes::{kinds, NodeKind};
use crate::state::AppState;
use crate::store::accounts::{self, Account};
use crate::store::conversations::Conversation;
use crate::store::message_attachments::{self, Attachment};
use crate::store::{comments, igsids, media, messages, relationships, StoreError};
use graph::Permission;

/// Facebook Login's private-reply permissions (ref 001 L2477-2486, 004 L2902).
const FACEBOOK_PRIVATE_REPLY: &[Permission] = &[
    Permission::InstagramManageComments,
    Permission::PagesReadEngagement,
];

/// Why a write did not happen: Meta's error, or the store failing.
enum Refused {
    Graph(GraphError),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

impl From<GraphError> for Refused {
    fn from(e: GraphError) -> Self {
        Refused::Graph(e)
    }
}

fn refused(e: Refused) -> GraphError {
    match e {
        Refused::Graph(e) => e,
        Refused::Store(e) => internal(e),
    }
}

/// The professional account a messaging call acts for: the IG User addressed, or the account
/// linked to the Page addressed (Messenger Platform).
pub async fn account_of(call: &Call) -> Result<Account, GraphError> {
    let target = call.target()?;
    let unsupported =
        || GraphError::unsupported_method(call.method.as_str(), &target.addressed_as, call.api);
    let id = target.id.clone();
    let account = match target.kind {
        NodeKind::IgUser => call
            .state
            .db
            .account(&id)
            .await
            .map_err(internal)?
            .map(std::sync::Arc::unwrap_or_clone),
        NodeKind::Page => call.read(move |c| accounts::by_page(c, &id)).await?,
        _ => None,
    };
    account.ok_or_else(unsupported)
}

/// Whether the caller holds messaging permission for its login (ref 000 L354-363; Facebook
/// Login: the Messenger Platform's `instagram_manage_messages`). The Send API's rows ask only
/// for the basic permission: which one it needs depends on the recipient.
pub fn require_messaging(caller: &Caller) -> Result<(), GraphError> {
    let ok = match caller.kind {
        TokenKind::InstagramUser => caller.has(Permission::InstagramBusinessManageMessages),
        _ => caller.has(Permission::InstagramManageMessages),
    };
    if ok {
        Ok(())
    } else {
        Err(GraphError::permission_denied())
    }
}

/// Private replies need the comment permission instead (ref 001 L2477-2486).
fn require_private_reply(caller: &Caller) -> Result<(), GraphError> {
    let ok = match caller.kind {
        TokenKind::InstagramUser => caller.has(Permission::InstagramBusinessManageComments),
        _ => caller.has_all(FACEBOOK_PRIVATE_REPLY),
    };
    if ok {
        Ok(())
    } else {
        Err(GraphError::permission_denied())
    }
}

/// Whom a send is for.
#[derive(Debug, Clone)]
enum Recipient {
    Igsid(String),
    Comment(String),
}

/// What a send does.
#[derive(Debug, Clone)]
enum Action {
    Message(Outgoing),
    /// `typing_on`, `typing_off`, `mark_seen`.
    Indicator(String),
    React {
        message_id: String,
        reaction: String,
    },
    Unreact {
        message_id: String,
    },
}

#[derive(Debug, Clone)]
struct SendRequest {
    recipient: Recipient,
    action: Action,
    human_agent: bool,
}

pub(super) fn id_text(value: &Value, name: &str) -> Result<String, GraphError> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(GraphError::param_invalid(name, "an ID")),
    }
}

fn param_error(e: graph::params::ParamError) -> GraphError {
    GraphError::from_param(&e)
}

/// Meta's reactions on Instagram (ref 000 L703-716, L2637-2642).
const REACTIONS: &[&str] = &["love"];
const SENDER_ACTIONS: &[&str] = &["typing_on", "typing_off", "mark_seen", "react", "unreact"];

fn read_request(params: &Params) -> Result<SendRequest, GraphError> {
    let recipient = params
        .json_object("recipient")
        .map_err(param_error)?
        .ok_or_else(|| GraphError::param_required("recipient"))?;
    let recipient = match (recipient.get("id"), recipient.get("comment_id")) {
        (Some(id), None) => Recipient::Igsid(id_text(id, "recipient[id]")?),
        (None, Some(id)) => Recipient::Comment(id_text(id, "recipient[comment_id]")?),
        (Some(_), Some(_)) => {
            return Err(GraphError::message_body_conflict(
                "Only one of recipient[id] and recipient[comment_id] can be set",
            ))
        }
        (None, None) => return Err(GraphError::param_required("recipient[id]")),
    };
    let tag = params.str("tag").map_err(param_error)?;
    let messaging_type = params.str("messaging_type").map_err(param_error)?;
    if let Some(kind) = &messaging_type {
        if !["RESPONSE", "UPDATE", "MESSAGE_TAG"].contains(&kind.as_str()) {
            return Err(GraphError::param_not_one_of(
                "messaging_type",
                &["RESPONSE", "UPDATE", "MESSAGE_TAG"],
                kind,
            ));
        }
        if kind == "MESSAGE_TAG" && tag.is_none() {
            return Err(GraphError::param_required("tag"));
        }
    }
    // Instagram takes one tag, HUMAN_AGENT (ref 000 L875-902, 004 L198).
    let human_agent = match tag.as_deref() {
        None => false,
        Some("HUMAN_AGENT") => true,
        Some(other) => return Err(GraphError::param_not_one_of("tag", &["HUMAN_AGENT"], other)),
    };
    let message = params.json_object("message").map_err(param_error)?;
    let sender_action = params.str("sender_action").map_err(param_error)?;
    let action = match (sender_action, message) {
        (Some(_), Some(_)) => {
            return Err(GraphError::message_body_conflict(
                "Only one of message and sender_action can be set",
            ))
        }
        (None, None) => return Err(GraphError::param_required("message")),
        (None, Some(message)) => Action::Message(body::parse_message(&message)?),
        (Some(action), None) => {
            let payload = params.json_object("payload").map_err(param_error)?;
            let message_id = || -> Result<String, GraphError> {
                let payload = payload
                    .as_ref()
                    .ok_or_else(|| GraphError::param_required("payload"))?;
                id_text(
                    payload
                        .get("message_id")
                        .ok_or_else(|| GraphError::param_required("payload[message_id]"))?,
                    "payload[message_id]",
                )
            };
            match action.as_str() {
                "typing_on" | "typing_off" | "mark_seen" => Action::Indicator(action),
                "react" => {
                    let reaction = payload
                        .as_ref()
                        .and_then(|p| p.get("reaction"))
                        .and_then(Value::as_str)
                        .unwrap_or("love")
                        .to_string();
                    if !REACTIONS.contains(&reaction.as_str()) {
                        return Err(GraphError::param_not_one_of(
                            "payload[reaction]",
                            REACTIONS,
                            &reaction,
                        ));
                    }
                    Action::React {
                        message_id: message_id()?,
                        reaction,
                    }
                }
                "unreact" => Action::Unreact {
                    message_id: message_id()?,
                },
                other => {
                    return Err(GraphError::param_not_one_of(
                        "sender_action",
                        SENDER_ACTIONS,
                        other,
                    ))
                }
            }
        }
    };
    if matches!(recipient, Recipient::Comment(_)) && !matches!(action, Action::Message(_)) {
        return Err(GraphError::param_required("message"));
    }
    Ok(SendRequest {
        recipient,
        action,
        human_agent,
    })
}

/// The conversation an IGSID names for the account, checked against the rules: the person
/// must have given consent (ref 000 L1585-1590), not blocked the account (L1641-1645), and,
/// outside the self thread, last written within the window (004 L198).
fn open_conversation(
    conn: &Reader,
    api: Api,
    account: &Account,
    igsid: &str,
    human_agent: bool,
    now_ms: i64,
) -> Result<Conversation, Refused> {
    let found = crate::store::conversations::by_igsid(conn, &account.id, igsid)?;
    let Some(conversation) = found else {
        // The account's own IGSID of someone who never wrote (only commented, say).
        let known = matches!(igsids::resolve(conn, igsid)?, Some((_, a)) if a == account.id);
        return Err(if known {
            GraphError::user_consent_required(api)
        } else {
            GraphError::messaging_user_not_found(api)
        }
        .into());
    };
    if conversation.is_self {
        // Self messages skip the window (ref 000 L2436).
        return Ok(conversation);
    }
    if relationships::get(conn, &conversation.person_id, &account.id)?.blocked {
        return Err(GraphError::messaging_user_unavailable().into());
    }
    if !conversation.consent {
        return Err(GraphError::user_consent_required(api).into());
    }
    let open = conversation
        .last_inbound_at
        .is_some_and(|at| rules::window_open(at, now_ms, human_agent));
    if !open {
        return Err(GraphError::outside_messaging_window(api).into());
    }
    Ok(conversation)
}

/// The comment a private reply answers, checked: a person's comment on the account's media,
/// without a private reply yet, at most 7 days old, on a live broadcast only while it is on
/// air (ref 001 L2494-2496, 004 L2907-2909).
fn private_reply_target(
    conn: &Reader,
    api: Api,
    account: &Account,
    comment_id: &str,
    now_s: i64,
) -> Result<comments::Comment, Refused> {
    let invalid = || Refused::Graph(GraphError::invalid_private_reply(api));
    let comment = comments::get(conn, comment_id)?.ok_or_else(invalid)?;
    if comment.author_kind != "person" {
        return Err(invalid());
    }
    let media = media::get(conn, &comment.media_id)?.ok_or_else(invalid)?;
    if media.account_id != account.id {
        return Err(invalid());
    }
    if messages::private_reply(conn, comment_id)?.is_some() {
        return Err(invalid());
    }
    if !rules::private_reply_open(comment.created_at, now_s) {
        return Err(invalid());
    }
    if media.media_product_type == "LIVE" && media.live_ended_at.is_some() {
        return Err(invalid());
    }
    if relationships::get(conn, &comment.author_id, &account.id)?.blocked {
        return Err(GraphError::messaging_user_unavailable().into());
    }
    Ok(comment)
}

/// What the network told about each URL attachment, in order.
struct Checked {
    fetched: Vec<Option<fetch::Fetched>>,
}

async fn check_attachments(outgoing: &Outgoing) -> Result<Checked, GraphError> {
    let mut fetched = Vec::with_capacity(outgoing.attachments.len());
    for attachment in &outgoing.attachments {
        fetched.push(match attachment {
            OutAttachment::Url { kind, url, .. } => Some(fetch::check_url(*kind, url).await?),
            _ => None,
        });
    }
    Ok(Checked { fetched })
}

/// Whether the multi-image beta is on for the account: its switch, else the rollout date.
fn multi_image_enabled(conn: &Reader, account_id: &str, now_s: i64) -> Result<bool, StoreError> {
    Ok(relationships::settings(conn, account_id)?
        .multi_image_send
        .unwrap_or(now_s >= MULTI_IMAGE_FROM_S))
}

/// Turns a checked message into what is stored, resolving uploaded assets and shared posts
/// against the store; reusable URL attachments become uploaded assets (their ids come back).
fn draft_of(
    conn: &Writer,
    state: &AppState,
    account: &Account,
    outgoing: &Outgoing,
    checked: &Checked,
    now_ms: i64,
) -> Result<(Draft, Vec<String>), Refused> {
    let mut draft = Draft {
        text: outgoing.text.clone(),
        ..Draft::default()
    };
    let mut saved = Vec::new();
    if outgoing.multi_image {
        if !multi_image_enabled(conn, &account.id, now_ms.div_euclid(1000))? {
            return Err(GraphError::multi_image_unavailable().into());
        }
        draft.content.insert("multi_image".into(), json!(true));
    }
    for (i, attachment) in outgoing.attachments.iter().enumerate() {
        match attachment {
            OutAttachment::Url {
                kind,
                url,
                is_reusable,
            } => {
                let found = checked.fetched.get(i).cloned().flatten();
                let mut item = json!({"type": kind.as_str(), "url": url});
                if let Some(f) = &found {
                    item["mime_type"] = json!(f.mime_type);
                    item["size"] = json!(f.size);
                }
                if *is_reusable {
                    let id = kinds::mint(
                        conn,
                        &state.ids,
                        NodeKind::MessageAttachment,
                        now_ms.div_euclid(1000),
                    )?;
                    message_attachments::insert(
                        conn,
                        &Attachment {
                            id: id.clone(),
                            account_id: account.id.clone(),
                            kind: kind.as_str().to_string(),
                            url: url.clone(),
                            mime_type: found.as_ref().map(|f| f.mime_type.clone()),
                            size: found.as_ref().and_then(|f| i64::try_from(f.size).ok()),
                            is_reusable: true,
                            used: true,
                            created_at: now_ms,
                        },
                    )?;
                    item["attachment_id"] = json!(id);
                    saved.push(id);
                }
                draft.attachments.push(item);
            }
            OutAttachment::Uploaded {
                kind,
                attachment_id,
            } => {
                let name = "message[attachment][payload][attachment_id]";
                let asset = message_attachments::get(conn, attachment_id)?
                    .filter(|a| a.account_id == account.id)
                    .ok_or_else(|| {
                        GraphError::param_invalid(
                            name,
                            "the ID of an attachment the account uploaded",
                        )
                    })?;
                if asset.kind != kind.as_str() {
                    return Err(GraphError::param_invalid(
                        name,
                        &format!("the ID of an uploaded {}", kind.as_str()),
                    )
                    .into());
                }
                if asset.used && !asset.is_reusable {
                    return Err(GraphError::invalid_parameter(&format!(
                        "The attachment {attachment_id} was uploaded with is_reusable false and was sent already"
                    ))
                    .into());
                }
                message_attachments::mark_used(conn, attachment_id)?;
                draft.attachments.push(json!({
                    "type": asset.kind, "url": asset.url, "mime_type": asset.mime_type,
                    "size": asset.size, "attachment_id": asset.id,
                }));
            }
            OutAttachment::LikeHeart => {
                draft.content.insert("sticker".into(), json!("like_heart"));
            }
            OutAttachment::MediaShare { media_id } => {
                // The account must own what it shares (ref 000 L382).
                let post = media::get(conn, media_id)?
                    .filter(|m| m.account_id == account.id)
                    .ok_or_else(|| {
                        GraphError::param_invalid(
                            "message[attachment][payload][id]",
                            "the ID of a post the account owns",
                        )
                    })?;
                let url = post
                    .media_url
                    .clone()
                    .unwrap_or_else(|| post.permalink.clone());
                draft.content.insert(
                    "share".into(),
                    json!({"media_id": post.id, "url": url, "link": post.permalink}),
                );
            }
            OutAttachment::Template(template) => {
                draft.content.insert("template".into(), template.clone());
            }
        }
    }
    if !outgoing.quick_replies.is_empty() {
        draft.content.insert(
            "quick_replies".into(),
            Value::Array(outgoing.quick_replies.iter().map(|q| q.to_json()).collect()),
        );
    }
    Ok((draft, saved))
}

/// `POST /{ig-user-id}/messages` and `/{page-id}/messages`.
pub async fn send(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    let caller = call.caller()?.clone();
    let request = read_request(&call.params)?;
    let api = call.api;
    let now_ms = call.state.clock.now_ms();
    let now_s = now_ms.div_euclid(1000);
    match &request.recipient {
        Recipient::Comment(_) => require_private_reply(&caller)?,
        Recipient::Igsid(_) => require_messaging(&caller)?,
    }
    // The Send API's own limits, per account (ref 002/004 rate limits): private replies by
    // where the comment is, messages by what they carry.
    let limit = match (&request.recipient, &request.action) {
        (Recipient::Comment(comment_id), _) => {
            let id = comment_id.clone();
            let live = call
                .read(move |c| {
                    let Some(comment) = comments::get(c, &id)? else {
                        return Ok(false);
                    };
                    Ok(media::get(c, &comment.media_id)?
                        .is_some_and(|m| m.media_product_type == "LIVE" || m.media_type == "LIVE"))
                })
                .await?;
            if live {
                Limit::PrivateRepliesLive
            } else {
                Limit::PrivateReplies
            }
        }
        (_, Action::Message(outgoing))
            if outgoing.attachments.iter().any(|a| {
                matches!(
                    a,
                    OutAttachment::Url {
                        kind: MediaKind::Audio | MediaKind::Video,
                        ..
                    } | OutAttachment::Uploaded {
                        kind: MediaKind::Audio | MediaKind::Video,
                        ..
                    }
                )
            }) =>
        {
            Limit::SendMedia
        }
        _ => Limit::SendText,
    };
    crate::limits::enforce(&call.state, limit, &account.id).await?;
    // On graph.facebook.com the IG User's edge takes private replies only (ref 001
    // L2455-2520); other sends go through the Page (Messenger Platform).
    if api == Api::Facebook
        && call.target()?.kind == NodeKind::IgUser
        && !matches!(request.recipient, Recipient::Comment(_))
    {
        return Err(GraphError::invalid_parameter(
            "With Facebook Login, send messages through /{page-id}/messages; /{ig-user-id}/messages takes private replies",
        ));
    }
    // With URLs to fetch, check the rules first: a refusal then costs no download. The
    // transaction below checks them again, as they stand when the message is written.
    let fetches = matches!(&request.action, Action::Message(o) if o.attachments.iter().any(|a| matches!(a, OutAttachment::Url { .. })));
    if fetches {
        let (recipient, human_agent, on) = (
            request.recipient.clone(),
            request.human_agent,
            account.clone(),
        );
        call.read(move |c| {
            Ok(match &recipient {
                Recipient::Igsid(igsid) => {
                    open_conversation(c, api, &on, igsid, human_agent, now_ms).map(|_| ())
                }
                Recipient::Comment(id) => private_reply_target(c, api, &on, id, now_s).map(|_| ()),
            })
        })
        .await?
        .map_err(refused)?;
    }
    let checked = match &request.action {
        Action::Message(outgoing) => check_attachments(outgoing).await?,
        _ => Checked {
            fetched: Vec::new(),
        },
    };
    // Written with the sends that arrive meanwhile, in one transaction (messaging::group).
    let state = call.state.clone();
    let job_state = state.clone();
    let app_id = caller.app.id.clone();
    let work: Work = Box::new(move |tx| {
        let now_ms = job_state.clock.now_ms();
        write(
            tx, &job_state, api, &app_id, &account, &request, &checked, now_ms,
        )
        .map_err(refused)
    });
    state.messaging.run(&state, work).await
}

/// The send's writes: the rules checked as they stand now, then the message and its echo, a
/// reaction, or a read marker.
#[allow(clippy::too_many_arguments)]
fn write(
    tx: &Writer,
    state: &AppState,
    api: Api,
    app_id: &str,
    account: &Account,
    request: &SendRequest,
    checked: &Checked,
    now_ms: i64,
) -> Result<Value, Refused> {
    match &request.recipient {
        Recipient::Comment(comment_id) => {
            let comment =
                private_reply_target(tx, api, account, comment_id, now_ms.div_euclid(1000))?;
            let Action::Message(outgoing) = &request.action else {
                return Err(GraphError::param_required("message").into());
            };
            let (mut draft, saved) = draft_of(tx, state, account, outgoing, checked, now_ms)?;
            draft.comment_id = Some(comment.id.clone());
            let mut conversation =
                thread::with_person(tx, state, &account.id, &comment.author_id, now_ms)?;
            let message = thread::send(tx, state, &mut conversation, &draft, now_ms)?;
            messages::insert_private_reply(tx, &comment.id, &account.id, &message.id, now_ms)?;
            Ok(answer(&conversation.igsid, Some(&message.id), &saved))
        }
        Recipient::Igsid(igsid) => {
            let mut conversation =
                open_conversation(tx, api, account, igsid, request.human_agent, now_ms)?;
            // Handover Protocol: only the app controlling the conversation sends in it.
            let thread = handover::Thread {
                account_id: &account.id,
                igsid: &conversation.igsid,
            };
            if matches!(request.action, Action::Message(_))
                && !handover::may_send(tx, &thread, app_id)?
            {
                return Err(GraphError::handover_not_thread_owner(api).into());
            }
            match &request.action {
                Action::Message(outgoing) => {
                    let (mut draft, saved) =
                        draft_of(tx, state, account, outgoing, checked, now_ms)?;
                    draft.tag = request.human_agent.then(|| "HUMAN_AGENT".to_string());
                    let message = thread::send(tx, state, &mut conversation, &draft, now_ms)?;
                    Ok(answer(&conversation.igsid, Some(&message.id), &saved))
                }
                Action::Indicator(kind) => {
                    if kind == "mark_seen" {
                        conversation.business_read_at = Some(now_ms);
                        crate::store::conversations::update(tx, &conversation)?;
                    }
                    Ok(answer(&conversation.igsid, None, &[]))
                }
                Action::React {
                    message_id,
                    reaction,
                } => {
                    let target = reactable(tx, &conversation, message_id)?;
                    let reaction = messages::Reaction {
                        actor: "account".into(),
                        reaction: reaction.clone(),
                        emoji: "\u{2764}".into(),
                    };
                    messages::set_reaction(tx, &target.id, &reaction, now_ms)?;
                    Ok(answer(&conversation.igsid, None, &[]))
                }
                Action::Unreact { message_id } => {
                    let target = reactable(tx, &conversation, message_id)?;
                    messages::remove_reaction(tx, &target.id, "account")?;
                    Ok(answer(&conversation.igsid, None, &[]))
                }
            }
        }
    }
}

/// A message of this conversation that can take a reaction.
fn reactable(
    conn: &Reader,
    conversation: &Conversation,
    message_id: &str,
) -> Result<messages::Message, Refused> {
    messages::get(conn, message_id)?
        .filter(|m| m.conversation_id == conversation.id && !m.is_deleted)
        .ok_or_else(|| {
            Refused::Graph(GraphError::param_invalid(
                "payload[message_id]",
                "the ID of a message in the conversation",
            ))
        })
}

/// `{"recipient_id","message_id"}` (ref 000 L417-423), `message_id` left out for sender
/// actions, `attachment_id` added when a reusable attachment was saved.
fn answer(recipient_id: &str, message_id: Option<&str>, saved: &[String]) -> Value {
    let mut out = Map::new();
    out.insert("recipient_id".into(), json!(recipient_id));
    if let Some(mid) = message_id {
        out.insert("message_id".into(), json!(mid));
    }
    if let Some(id) = saved.first() {
        out.insert("attachment_id".into(), json!(id));
    }
    Value::Object(out)
}

/// `POST /{ig-user-id}/message_attachments`: saves an asset from a URL (ref 000 L1739-1774) or
/// from an uploaded `filedata` part, checked as a send would check it → `{"attachment_id"}`.
pub async fn upload_attachment(call: Call) -> Result<Value, GraphError> {
    let account = account_of(&call).await?;
    require_messaging(call.caller()?)?;
    if call.target()?.kind == NodeKind::Page {
        require_platform_instagram(&call.params)?;
    }
    let message = call
        .params
        .json_object("message")
        .map_err(param_error)?
        .ok_or_else(|| GraphError::param_required("message"))?;
    let attachment = message
        .get("attachment")
        .and_then(Value::as_object)
        .ok_or_else(|| GraphError::param_required("message[attachment]"))?;
    let kind_text = attachment
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::param_required("message[attachment][type]"))?;
    let kind = MediaKind::parse(kind_text).ok_or_else(|| {
        GraphError::param_not_one_of(
            "message[attachment][type]",
            &["image", "audio", "video", "file"],
            kind_text,
        )
    })?;
    let payload = attachment
        .get("payload")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let is_reusable = match payload
        .get("is_reusable")
        .or_else(|| attachment.get("is_reusable"))
    {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        Some(_) => {
            return Err(GraphError::param_invalid(
                "message[attachment][payload][is_reusable]",
                "a boolean",
            ))
        }
    };
    let upload = call.uploads.iter().find(|u| u.field == "filedata");
    let url = payload
        .get("url")
        .and_then(Value::as_str)
        .map(str::to_string);
    let now_ms = call.state.clock.now_ms();
    let (url, found) = match (url, upload) {
        (Some(url), None) => {
            if !fetch_url_ok(&url) {
                return Err(GraphError::param_invalid(
                    "message[attachment][payload][url]",
                    "a valid URL",
                ));
            }
            let found = fetch::check_url(kind, &url).await?;
            (Some(url), found)
        }
        (None, Some(upload)) => {
            let found = fetch::check_bytes(
                kind,
                upload.content_type.as_deref(),
                upload.filename.as_deref().unwrap_or(""),
                upload.bytes.len() as u64,
            )?;
            (None, found)
        }
        (Some(_), Some(_)) => {
            return Err(GraphError::message_body_conflict(
                "Only one of message[attachment][payload][url] and filedata can be set",
            ))
        }
        (None, None) => {
            return Err(GraphError::param_required(
                "message[attachment][payload][url]",
            ))
        }
    };
    let state = call.state.clone();
    let account_id = account.id.clone();
    let mime_type = found.mime_type.clone();
    let size = i64::try_from(found.size).ok();
    let id = call
        .write(move |tx| -> Result<String, StoreError> {
            let id = kinds::mint(
                tx,
                &state.ids,
                NodeKind::MessageAttachment,
                now_ms.div_euclid(1000),
            )?;
            // Uploaded files live on Meta's CDN; localgram names them the same way.
            let url = url.clone().unwrap_or_else(|| {
                format!("https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={id}")
            });
            message_attachments::insert(
                tx,
                &Attachment {
                    id: id.clone(),
                    account_id,
                    kind: kind.as_str().to_string(),
                    url,
                    mime_type: Some(mime_type),
                    size,
                    is_reusable,
                    used: false,
                    created_at: now_ms,
                },
            )?;
            Ok(id)
        })
        .await?;
    Ok(json!({"attachment_id": id}))
}

fn fetch_url_ok(url: &str) -> bool {
    reqwest::Url::parse(url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The Messenger Platform's Page edges serve Instagram with `platform=instagram`.
pub fn require_platform_instagram(params: &Params) -> Result<(), GraphError> {
    match params.str("platform").map_err(param_error)?.as_deref() {
        Some("instagram") => Ok(()),
        Some(other) => Err(GraphError::param_not_one_of(
            "platform",
            &["instagram"],
            other,
        )),
        None => Err(GraphError::param_required("platform")),
    }
}
