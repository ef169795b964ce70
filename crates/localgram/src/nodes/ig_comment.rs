//! The IG Comment node: a comment or reply on media (ref 001 L3623-3831).

use graph::paging::{edge_envelope, Page, PageRequest, Window};
use graph::{FieldRequest, FieldSelection, GraphError, Permission};
use serde_json::{json, Value};

use super::kinds::can_see_account;
use super::{db, expanded_page, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::social;
use crate::store::comments::{self, Comment, Listing};
use crate::store::media::{self, Media};
use crate::store::{accounts, Reader};

#[rustfmt::skip]
pub static IG_COMMENT: NodeType = NodeType {
    name: "ShadowIGComment",
    metadata_type: "shadowigcomment",
    defaults: &["timestamp", "text", "id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "The comment's ID."),
        field("from", Object(&COMMENT_FROM), "IGCommentFromUser", Apis::Both, "The commenter: their Instagram-scoped ID and username."),
        field("hidden", Scalar, "bool", Apis::Both, "Whether the comment is hidden."),
        field("like_count", Scalar, "int", Apis::Both, "Number of likes on the comment."),
        field("legacy_instagram_comment_id", Scalar, "numeric string", Apis::Both, "The ID Marketing API endpoints of v21.0 and older use for this comment."),
        field("media", Node, "ig_media", Apis::Both, "The media the comment was made on: its ID and media_product_type."),
        field("parent_id", Scalar, "numeric string", Apis::Both, "The parent comment's ID, for a reply."),
        field("text", Scalar, "string", Apis::Both, "The comment text."),
        field("timestamp", Scalar, "datetime", Apis::Both, "ISO 8601 creation date in UTC."),
        field("user", Node, "ig_user", Apis::Both, "The IG User who wrote the comment; only when the app user wrote it."),
        field("username", Scalar, "string", Apis::Both, "Username of the commenter."),
        field("replies", Edge, "edge", Apis::Both, "Replies to the comment."),
    ],
};

/// A comment's `from` (ref 001 L3711-3716): the commenter's Instagram-scoped id and username;
/// on a comment the account wrote on its own media, also the account's own Instagram-scoped id
/// (`self_ig_scoped_id`, as the self comment webhook carries it, 000 L2528-2533).
#[rustfmt::skip]
pub static COMMENT_FROM: NodeType = NodeType {
    name: "IGCommentFromUser",
    metadata_type: "igcommentfromuser",
    defaults: &["id", "username"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "The Instagram-scoped ID (IGSID) of the commenter."),
        field("username", Scalar, "string", Apis::Both, "The commenter's username."),
        field("self_ig_scoped_id", Scalar, "numeric string", Apis::Both, "On the account's own comment on its own media: the account's Instagram-scoped ID."),
    ],
};

/// Comment pages hold at most 50 (ref 001 L4990-4996).
pub const PAGE_MAX: usize = 50;

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    comment: &Comment,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    render_as(r, ctx, comment, selection, Text::AsWritten)
}

/// How a comment's text reads: as written, or with the `@` of mentions removed, as comments
/// on media the app user did not create read through field expansion (ref 001 L8263).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    AsWritten,
    MentionsStripped,
}

/// [`render`] with the text as `text` says (replies expanded inside read the same way).
pub fn render_as(
    r: &Reader,
    ctx: &RenderContext,
    comment: &Comment,
    selection: Option<&FieldSelection>,
    text: Text,
) -> Result<Value, GraphError> {
    let plan = IG_COMMENT.plan(ctx.api, selection)?;
    let media = db(media::get_any(r, &comment.media_id))?;
    super::render(&plan, |request| {
        resolve_as(r, ctx, comment, media.as_ref(), request, text)
    })
}

/// The `username` field needs the comment-management permission since August 27, 2024
/// (ref 001 L3761-3765).
fn may_read_username(ctx: &RenderContext) -> bool {
    ctx.caller.as_ref().is_some_and(|c| {
        c.has(Permission::InstagramBusinessManageComments)
            || c.has(Permission::InstagramManageComments)
    })
}

pub(crate) fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    comment: &Comment,
    media: Option<&Media>,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    resolve_as(r, ctx, comment, media, request, Text::AsWritten)
}

fn resolve_as(
    r: &Reader,
    ctx: &RenderContext,
    comment: &Comment,
    media: Option<&Media>,
    request: &FieldRequest,
    text: Text,
) -> Result<Option<Value>, GraphError> {
    let media_account = media
        .filter(|m| !m.owner_is_person)
        .map(|m| m.account_id.clone());
    Ok(match request.name.as_str() {
        "id" => Some(json!(comment.id)),
        "text" => Some(match text {
            Text::AsWritten => json!(comment.text),
            Text::MentionsStripped => json!(social::strip_at(&comment.text)),
        }),
        "timestamp" => Some(json!(graph::timefmt::graph_time(comment.created_at))),
        "hidden" => Some(json!(comment.hidden)),
        "like_count" => Some(json!(comment.like_count)),
        "legacy_instagram_comment_id" => Some(json!(comment.id)),
        "parent_id" => comment.parent_id.as_ref().map(|p| json!(p)),
        "from" => {
            let viewer = media_account.clone().unwrap_or_default();
            let (id, username) = db(social::author_for(r, comment, &viewer))?;
            // No id: the IGSID minted with the comment is missing (state from an older
            // version), so the account does not know the commenter.
            match id {
                None => None,
                Some(id) => {
                    let mut from = json!({"id": id, "username": username});
                    // The account's own comment on its own media: its self IGSID, minted
                    // with the comment (`social::post_comment`).
                    if comment.by_account() && media_account.as_deref() == Some(&*comment.author_id)
                    {
                        if let Some(scoped) =
                            db(crate::store::relationships::settings(r, &comment.author_id))?
                                .self_igsid
                        {
                            from["self_ig_scoped_id"] = json!(scoped);
                        }
                    }
                    Some(from)
                }
            }
        }
        "username" if may_read_username(ctx) => {
            let viewer = media_account.clone().unwrap_or_default();
            let (_, username) = db(social::author_for(r, comment, &viewer))?;
            Some(json!(username))
        }
        "username" => None,
        // Only the account that wrote the comment gets `user` (ref 001 L3750-3760).
        "user" => {
            let wrote_it = match &ctx.caller {
                Some(caller) if comment.by_account() => {
                    db(can_see_account(r, caller, &comment.author_id))?
                }
                _ => false,
            };
            match (wrote_it, &request.subfields) {
                (false, _) => None,
                (true, None) => Some(json!({"id": comment.author_id})),
                (true, Some(selection)) => match db(accounts::get(r, &comment.author_id))? {
                    Some(account) => {
                        Some(super::ig_user::render(r, ctx, &account, Some(selection))?)
                    }
                    None => None,
                },
            }
        }
        "media" => match media {
            None => None,
            Some(media) => match &request.subfields {
                None => {
                    Some(json!({"id": media.id, "media_product_type": media.media_product_type}))
                }
                Some(selection) => Some(super::ig_media::render(r, ctx, media, Some(selection))?),
            },
        },
        "replies" => Some(expanded_replies(r, ctx, comment, request, text)?),
        _ => None,
    })
}

fn expanded_replies(
    r: &Reader,
    ctx: &RenderContext,
    comment: &Comment,
    request: &FieldRequest,
    text: Text,
) -> Result<Value, GraphError> {
    let page_request = expanded_page(request, PAGE_MAX, PAGE_MAX)?;
    let page = list_replies(r, ctx, comment, &page_request)?;
    let items = page
        .items
        .iter()
        .map(|reply| render_as(r, ctx, reply, request.subfields.as_ref(), text))
        .collect::<Result<Vec<_>, _>>()?;
    let paging = page.paging(None);
    Ok(edge_envelope(items, paging))
}

/// A window of a comment's replies, newest first.
pub fn list_replies(
    r: &Reader,
    ctx: &RenderContext,
    comment: &Comment,
    request: &PageRequest,
) -> Result<Page<Comment>, GraphError> {
    let owner = db(media::get(r, &comment.media_id))?.map(|m| m.account_id);
    list(
        r,
        ctx,
        &comment.media_id,
        Some(&comment.id),
        owner.as_deref(),
        request,
    )
}

/// A window of a media's top-level comments (or of one comment's replies). API versions up to
/// v3.1 list oldest first, v3.2 and later newest first (ref 001 L4995).
pub fn list(
    r: &Reader,
    ctx: &RenderContext,
    media_id: &str,
    parent_id: Option<&str>,
    owner_account: Option<&str>,
    request: &PageRequest,
) -> Result<Page<Comment>, GraphError> {
    let chronological = ctx.version < graph::ApiVersion::new(3, 2);
    let (after, before) = match &request.window {
        Window::Forward { after } => (after.as_deref(), None),
        Window::Backward { before } => (None, Some(before.as_str())),
    };
    let listing = Listing {
        media_id,
        parent_id,
        restricted_for: owner_account,
        after,
        before,
        chronological,
        limit: request.fetch_count(),
    };
    let fetched = db(comments::list(r, &listing))?;
    Ok(Page::from_fetched(request, fetched))
}
