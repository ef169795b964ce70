//! Comments, replies and moderation (ref 001 L4933-5032 comments edge, L3623-3831 comment
//! node, L3833-3914 replies, L754-796 `comment_enabled`), mention replies (001 L7975-8097)
//! and the account's `tags` and `live_media` edges (001 L8605-8704, L7407-7522).

use graph::paging::{edge_envelope, Page};
use graph::{FieldSelection, GraphError, Params};
use serde_json::{json, Value};

use super::{internal, with_metadata, Call, Target};
use crate::auth::{Caller, TokenKind};
use crate::nodes::ig_comment::{self, IG_COMMENT, PAGE_MAX};
use crate::nodes::{db, ig_media, RenderContext};
use crate::social::{self, Commenter, Refusal};
use crate::store::comments::{self, Comment};
use crate::store::media::{self, Media};
use crate::store::{moderation, Reader, StoreError};

fn refusal(error: Refusal) -> GraphError {
    match error {
        Refusal::Graph(error) => error,
        Refusal::Store(error) => internal(error),
    }
}

fn message(params: &Params) -> Result<String, GraphError> {
    params
        .required_str("message")
        .map_err(|e| GraphError::from_param(&e))
}

/// The account a caller writes as: its own with Instagram Login; with Facebook Login, the
/// account of the media it can act on.
fn writer(caller: &Caller, media: &Media) -> Commenter {
    match caller.kind {
        TokenKind::InstagramUser => Commenter::Account(caller.subject.clone()),
        _ => Commenter::Account(media.account_id.clone()),
    }
}

/// The addressed media, or Meta's error for a node that is not there.
fn target_media(r: &Reader, call: &NodeOf) -> Result<Media, GraphError> {
    db(media::get(r, &call.target.id))?.ok_or_else(|| call.missing())
}

fn target_comment(r: &Reader, call: &NodeOf) -> Result<Comment, GraphError> {
    db(comments::get(r, &call.target.id))?.ok_or_else(|| call.missing())
}

/// The addressed node with what its "not there" error needs, owned for a closure.
#[derive(Clone)]
struct NodeOf {
    target: Target,
    method: String,
    api: graph::Api,
}

impl NodeOf {
    fn of(call: &Call) -> Result<NodeOf, GraphError> {
        Ok(NodeOf {
            target: call.target()?.clone(),
            method: call.method.as_str().to_string(),
            api: call.api,
        })
    }

    fn missing(&self) -> GraphError {
        GraphError::unsupported_method(&self.method, &self.target.addressed_as, self.api)
    }
}

fn rendered_items(
    r: &Reader,
    ctx: &RenderContext,
    page: Page<Comment>,
    fields: Option<&FieldSelection>,
) -> Result<Page<Value>, GraphError> {
    page.try_map(|comment| ig_comment::render(r, ctx, &comment, fields))
}

/// Posts a comment in one transaction; a refusal writes nothing.
async fn post(
    call: &Call,
    writer: Commenter,
    media_id: String,
    parent_id: Option<String>,
    text: String,
) -> Result<Comment, GraphError> {
    let (state, now) = (call.state.clone(), call.now());
    call.state
        .db
        .write(move |tx| {
            social::post_comment(
                tx,
                &state,
                &writer,
                &media_id,
                parent_id.as_deref(),
                &text,
                now,
            )
        })
        .await
        .map_err(refusal)
}

/// `GET /{ig-media-id}/comments`: top-level comments, newest first, at most 50 a page.
pub async fn list_comments(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let request = call.page_request(PAGE_MAX, PAGE_MAX)?;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            let media = target_media(r, &node)?;
            let page =
                ig_comment::list(r, ctx, &media.id, None, Some(&media.account_id), &request)?;
            rendered_items(r, ctx, page, fields.as_deref())
        })
        .await?;
    Ok(call.edge_reply(page))
}

/// `POST /{ig-media-id}/comments?message=`: the account comments on its media.
pub async fn create_comment(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let media = call.render(move |r, _| target_media(r, &node)).await?;
    if social::is_live(&media) {
        return Err(GraphError::live_video_not_supported());
    }
    let text = message(&call.params)?;
    let writer = writer(call.caller()?, &media);
    let comment = post(&call, writer, media.id, None, text).await?;
    Ok(json!({"id": comment.id}))
}

/// `GET /{ig-comment-id}`.
pub async fn get_comment(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let fields = call.fields.clone();
    let body = call
        .render(move |r, ctx| {
            let comment = target_comment(r, &node)?;
            ig_comment::render(r, ctx, &comment, fields.as_deref())
        })
        .await?;
    with_metadata(&call, &IG_COMMENT, body)
}

/// `POST /{ig-comment-id}?hide=true|false`. The media owner's own comments always stay
/// visible (ref 001 L3790-3800).
pub async fn hide_comment(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let (comment, media) = call
        .render(move |r, _| {
            let comment = target_comment(r, &node)?;
            let media = db(media::get(r, &comment.media_id))?;
            Ok((comment, media))
        })
        .await?;
    let hide = call
        .params
        .bool("hide")
        .map_err(|e| GraphError::from_param(&e))?
        .ok_or_else(|| GraphError::param_required("hide"))?;
    let Some(media) = media else {
        return Err(GraphError::unsupported_method(
            "POST",
            &comment.id,
            call.api,
        ));
    };
    if social::is_live(&media) {
        return Err(GraphError::live_video_not_supported());
    }
    let owners_own = comment.by_account() && comment.author_id == media.account_id;
    if !owners_own {
        let by = moderator(&call)?;
        let now = call.now();
        call.write(move |tx| -> Result<(), StoreError> {
            comments::set_hidden(tx, &comment.id, hide)?;
            moderation::record_hidden(tx, &comment, hide, &by, now)
        })
        .await?;
    }
    Ok(json!({"success": true}))
}

/// The app (through its token) moderating a comment, for the console (issue #15).
fn moderator(call: &Call) -> Result<moderation::Moderator, GraphError> {
    let caller = call.caller()?;
    Ok(moderation::Moderator {
        via: "graph_api",
        kind: caller.kind.as_str().to_string(),
        id: caller.subject.clone(),
        app_id: Some(caller.app.id.clone()),
    })
}

/// `DELETE /{ig-comment-id}`: only the owner of the media commented on deletes; replies go too
/// (ref 001 L3802-3831).
pub async fn delete_comment(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let (comment, media, owned) = call
        .render(move |r, ctx| {
            let comment = target_comment(r, &node)?;
            let media = db(media::get(r, &comment.media_id))?;
            let owned = match (&media, &ctx.caller) {
                (Some(media), Some(caller)) => db(crate::nodes::kinds::can_see_account(
                    r,
                    caller,
                    &media.account_id,
                ))?,
                _ => false,
            };
            Ok((comment, media, owned))
        })
        .await?;
    if !owned {
        return Err(GraphError::unsupported_method(
            "DELETE",
            &comment.id,
            call.api,
        ));
    }
    if media.as_ref().is_some_and(social::is_live) {
        return Err(GraphError::live_video_not_supported());
    }
    let by = moderator(&call)?;
    let now = call.now();
    call.write(move |tx| -> Result<(), StoreError> {
        moderation::record_deleted(tx, &comment.id, &by, now)?;
        let removed = comments::delete(tx, &comment.id)? as i64;
        media::add_counts(tx, &comment.media_id, -removed, 0)
    })
    .await?;
    Ok(json!({"success": true}))
}

/// `GET /{ig-comment-id}/replies`.
pub async fn list_replies(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let request = call.page_request(PAGE_MAX, PAGE_MAX)?;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            let comment = target_comment(r, &node)?;
            let page = ig_comment::list_replies(r, ctx, &comment, &request)?;
            rendered_items(r, ctx, page, fields.as_deref())
        })
        .await?;
    Ok(call.edge_reply(page))
}

/// `POST /{ig-comment-id}/replies?message=`: replies join the top-level comment; hidden
/// comments take none (ref 001 L3840-3850).
pub async fn create_reply(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let api = call.api;
    let (comment, media) = call
        .render(move |r, _| {
            let comment = target_comment(r, &node)?;
            let media = db(media::get(r, &comment.media_id))?
                .ok_or_else(|| GraphError::unsupported_method("POST", &comment.id, api))?;
            Ok((comment, media))
        })
        .await?;
    if social::is_live(&media) {
        return Err(GraphError::live_video_not_supported());
    }
    let text = message(&call.params)?;
    let writer = writer(call.caller()?, &media);
    let reply = post(&call, writer, media.id, Some(comment.id), text).await?;
    Ok(json!({"id": reply.id}))
}

/// `POST /{ig-media-id}?comment_enabled=true|false` (ref 001 L754-796).
pub async fn update_media(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let media = call.render(move |r, _| target_media(r, &node)).await?;
    let enabled = call
        .params
        .bool("comment_enabled")
        .map_err(|e| GraphError::from_param(&e))?
        .ok_or_else(|| GraphError::param_required("comment_enabled"))?;
    if social::is_live(&media) {
        return Err(GraphError::live_video_not_supported());
    }
    call.write(move |tx| media::set_comment_enabled(tx, &media.id, enabled))
        .await?;
    Ok(json!({"success": true}))
}

/// `POST /{ig-user-id}/mentions`: answers a mention with a comment on the mentioning media
/// (`media_id`) or under the mentioning comment (`comment_id` + `media_id`).
pub async fn reply_to_mention(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?;
    let account = call
        .state
        .db
        .account(&target.id)
        .await
        .map_err(internal)?
        .ok_or_else(|| GraphError::unsupported_method("POST", &target.addressed_as, call.api))?;
    let media_id = call
        .params
        .required_str("media_id")
        .map_err(|e| GraphError::from_param(&e))?;
    let text = message(&call.params)?;
    let comment_id = call
        .params
        .str("comment_id")
        .map_err(|e| GraphError::from_param(&e))?;
    let lookup = (media_id.clone(), comment_id.clone());
    let (on, mentioning) = call
        .read(move |c| {
            let on = media::get_any(c, &lookup.0)?;
            let mentioning = match &lookup.1 {
                Some(id) => comments::get(c, id)?,
                None => None,
            };
            Ok((on, mentioning))
        })
        .await?;
    let on = on.ok_or_else(|| GraphError::not_mentioned_in_media(&media_id))?;
    if on.media_product_type == "STORY" {
        return Err(GraphError::mentions_on_stories_not_supported());
    }
    match &comment_id {
        Some(comment_id) => {
            let mentioned = mentioning
                .filter(|c| c.media_id == on.id)
                .is_some_and(|c| social::mentions(&c.text, &account.username));
            if !mentioned {
                return Err(GraphError::not_mentioned_in_comment(comment_id));
            }
        }
        None => {
            if !on
                .caption
                .as_deref()
                .is_some_and(|c| social::mentions(c, &account.username))
            {
                return Err(GraphError::not_mentioned_in_media(&media_id));
            }
        }
    }
    let writer = Commenter::Account(account.id.clone());
    let comment = post(&call, writer, on.id, comment_id, text).await?;
    Ok(json!({"id": comment.id}))
}

/// `GET /{ig-user-id}/tags`: public media in which people or other accounts tagged the
/// account, newest first, cursors only (ref 001 L8605-8704).
pub async fn list_tags(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?.clone();
    let request = call.page_request(
        crate::nodes::ig_user::MEDIA_PAGE_DEFAULT,
        crate::nodes::ig_user::MEDIA_PAGE_MAX,
    )?;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            crate::nodes::ig_user::tagged_media(r, ctx, &target.id, &request, fields.as_deref())
        })
        .await?;
    // Cursors only, no links (ref 001 L8680-8684).
    let paging = page.paging(None);
    Ok(edge_envelope(page.items, paging))
}

/// `GET /{ig-user-id}/live_media`: the broadcasts on air right now (ref 001 L7407-7522).
pub async fn list_live_media(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?.clone();
    let fields = call.fields.clone();
    let items = call
        .render(move |r, ctx| {
            let live = db(media::live(r, &target.id))?;
            let mut items = Vec::with_capacity(live.len());
            for media in &live {
                items.push(ig_media::render(r, ctx, media, fields.as_deref())?);
            }
            Ok(items)
        })
        .await?;
    Ok(edge_envelope(items, None))
}

/// `GET /{ig-media-id}/collaborators` (Facebook Login, ref 001 L4840-4931).
pub async fn list_collaborators(call: Call) -> Result<Value, GraphError> {
    let node = NodeOf::of(&call)?;
    let fields = call.fields.clone();
    call.render(move |r, ctx| {
        let media = target_media(r, &node)?;
        ig_media::collaborators_envelope(r, ctx, &media, fields.as_deref())
    })
    .await
}
