//! `mentioned_media.media_id(x)` and `mentioned_comment.comment_id(x)` on the IG User: the
//! media or comment in which the account was @mentioned, with the fields those documents list
//! (ref 001 L8098-8304).

use graph::{FieldRequest, GraphError};
use serde_json::Value;

use super::{db, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::social;
use crate::store::accounts::Account;
use crate::store::{comments, media, Reader};

#[rustfmt::skip]
pub static MENTIONED_MEDIA: NodeType = NodeType {
    name: "ShadowIGMedia",
    metadata_type: "shadowigmedia",
    defaults: &["id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "Media ID."),
        field("caption", Scalar, "string", Apis::Both, "Caption, with the @ of mentions removed unless the app user created the media."),
        field("comments", Edge, "edge", Apis::Both, "Comments on the media."),
        field("comments_count", Scalar, "int", Apis::Both, "Count of comments on the media."),
        field("like_count", Scalar, "int", Apis::Both, "Count of likes on the media."),
        field("media_type", Scalar, "enum", Apis::Both, "CAROUSEL_ALBUM, IMAGE, STORY or VIDEO."),
        field("media_url", Scalar, "string", Apis::Both, "The URL of the media."),
        field("owner", Node, "ig_user", Apis::Both, "The media's creator; only when the app user created it."),
        field("timestamp", Scalar, "datetime", Apis::Both, "ISO 8601 creation date."),
        field("username", Scalar, "string", Apis::Both, "Username of the media's creator."),
    ],
};

#[rustfmt::skip]
pub static MENTIONED_COMMENT: NodeType = NodeType {
    name: "ShadowIGComment",
    metadata_type: "shadowigcomment",
    defaults: &["timestamp", "text", "id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "The comment's ID."),
        field("like_count", Scalar, "int", Apis::Both, "Number of likes on the comment."),
        field("media", Node, "ig_media", Apis::Both, "The media the comment was made on."),
        field("text", Scalar, "string", Apis::Both, "The comment text."),
        field("timestamp", Scalar, "datetime", Apis::Both, "ISO 8601 creation date."),
    ],
};

/// `mentioned_media.media_id(x){...}`: media whose caption @mentions the account, not a story.
pub fn mentioned_media(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let media_id = request.modifier_arg("media_id").unwrap_or_default();
    let media = db(media::get_any(r, media_id))?
        .ok_or_else(|| GraphError::not_mentioned_in_media(media_id))?;
    if media.media_product_type == "STORY" {
        return Err(GraphError::mentions_on_stories_not_supported());
    }
    let mentioned = media
        .caption
        .as_deref()
        .is_some_and(|c| social::mentions(c, &account.username));
    if !mentioned {
        return Err(GraphError::not_mentioned_in_media(media_id));
    }
    let plan = MENTIONED_MEDIA.plan(ctx.api, request.subfields.as_ref())?;
    super::render(&plan, |field| {
        super::ig_media::resolve(r, ctx, &media, field)
    })
}

/// `mentioned_comment.comment_id(x){...}`: a comment that @mentions the account; an error when
/// comments are off on its media (ref 001 L8103-8106).
pub fn mentioned_comment(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let comment_id = request.modifier_arg("comment_id").unwrap_or_default();
    let comment = db(comments::get(r, comment_id))?
        .filter(|c| social::mentions(&c.text, &account.username))
        .ok_or_else(|| GraphError::not_mentioned_in_comment(comment_id))?;
    let on = db(media::get_any(r, &comment.media_id))?;
    if on.as_ref().is_some_and(|m| !m.is_comment_enabled) {
        return Err(GraphError::comments_disabled());
    }
    let plan = MENTIONED_COMMENT.plan(ctx.api, request.subfields.as_ref())?;
    super::render(&plan, |field| {
        super::ig_comment::resolve(r, ctx, &comment, on.as_ref(), field)
    })
}
