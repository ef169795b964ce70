//! The IG Media node: a published photo, video, reel, story or album (ref 001 L443-796).

use graph::paging::edge_envelope;
use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{field, Apis, FieldKind::*, NodeType};
use crate::api::Call;
use crate::auth::visibility::can_see_account;
use crate::store::accounts;
use crate::store::media::{self as media_store, Media};

/// Ref 001 L520-700 (fields) and L700-760 (edges).
#[rustfmt::skip]
pub static IG_MEDIA: NodeType = NodeType {
    name: "ShadowIGMedia",
    metadata_type: "shadowigmedia",
    defaults: &["id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "Media ID."),
        field("alt_text", Scalar, "string", Apis::Both, "Descriptive text for images, for accessibility."),
        field("caption", Scalar, "string", Apis::Both, "Caption. Excludes album children."),
        field("comments_count", Scalar, "int", Apis::Both, "Count of comments on the media, replies included."),
        field("is_comment_enabled", Scalar, "bool", Apis::Both, "Whether comments are enabled. Excludes album children."),
        field("is_shared_to_feed", Scalar, "bool", Apis::Both, "For Reels only: whether the reel also appears in the Feed tab."),
        field("legacy_instagram_media_id", Scalar, "numeric string", Apis::Both, "The ID Marketing API endpoints of v21.0 and older use for this media."),
        field("like_count", Scalar, "int", Apis::Both, "Count of likes on the media."),
        field("media_product_type", Scalar, "enum", Apis::Both, "The surface where the media is published: AD, FEED, STORY or REELS."),
        field("media_type", Scalar, "enum", Apis::Both, "CAROUSEL_ALBUM, IMAGE or VIDEO."),
        field("media_url", Scalar, "string", Apis::Both, "The URL of the media."),
        field("owner", Node, "ig_user", Apis::Both, "The IG User who created the media; only returned to its owner."),
        field("permalink", Scalar, "string", Apis::Both, "Permanent URL to the media. Not on album children."),
        field("shortcode", Scalar, "string", Apis::Both, "Shortcode of the media."),
        field("thumbnail_url", Scalar, "string", Apis::Both, "Thumbnail image URL; VIDEO media only."),
        field("timestamp", Scalar, "datetime", Apis::Both, "ISO 8601 creation date in UTC."),
        field("username", Scalar, "string", Apis::Both, "Username of the user who created the media."),
        field("boost_ads_list", Scalar, "list", Apis::Facebook, "Instagram ads associated with the organic media."),
        field("boost_eligibility_info", Scalar, "object", Apis::Facebook, "Whether the media can be boosted."),
        field("copyright_check_information", Scalar, "object", Apis::Both, "Copyright check status of the media."),
        field("children", Edge, "edge", Apis::Both, "Media of an album."),
        field("comments", Edge, "edge", Apis::Both, "Comments on the media."),
        field("collaborators", Edge, "edge", Apis::Facebook, "Collaborators on the media and their invite status."),
        field("insights", Edge, "edge", Apis::Both, "Social interaction metrics on the media."),
    ],
};

pub fn render(
    call: &Call,
    media: &Media,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = IG_MEDIA.plan(call.api, selection)?;
    super::render(&plan, |request| resolve(call, media, request))
}

fn resolve(
    call: &Call,
    media: &Media,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    let is_child = media.parent_id.is_some();
    Ok(match request.name.as_str() {
        "id" => Some(json!(media.id)),
        "alt_text" => media.alt_text.as_ref().map(|t| json!(t)),
        "caption" if !is_child => media.caption.as_ref().map(|t| json!(t)),
        "comments_count" if !is_child => Some(json!(media.comments_count)),
        "is_comment_enabled" if !is_child => Some(json!(media.is_comment_enabled)),
        "is_shared_to_feed" => media.is_shared_to_feed.map(|b| json!(b)),
        "legacy_instagram_media_id" => Some(json!(media.id)),
        "like_count" if !is_child => Some(json!(media.like_count)),
        "media_product_type" => Some(json!(media.media_product_type)),
        "media_type" => Some(json!(media.media_type)),
        "media_url" => media.media_url.as_ref().map(|u| json!(u)),
        "owner" => owner(call, media, request)?,
        "permalink" if !is_child => Some(json!(media.permalink)),
        "shortcode" => Some(json!(media.shortcode)),
        "thumbnail_url" => media.thumbnail_url.as_ref().map(|u| json!(u)),
        "timestamp" => Some(json!(graph::timefmt::graph_time(media.created_at))),
        "username" => call
            .read(|c| accounts::get(c, &media.account_id))?
            .map(|account| json!(account.username)),
        "children" => Some(children_envelope(call, media, request)?),
        "boost_ads_list" | "boost_eligibility_info" | "copyright_check_information" => {
            return Err(GraphError::not_implemented(&request.name))
        }
        "caption" | "comments_count" | "is_comment_enabled" | "like_count" | "permalink" => None,
        // Edges whose content later areas bring: an empty list until then.
        _ => Some(edge_envelope(Vec::new(), None)),
    })
}

/// `owner` is only returned to the account that created the media (ref 001 L640-650).
fn owner(call: &Call, media: &Media, request: &FieldRequest) -> Result<Option<Value>, GraphError> {
    let Some(caller) = &call.caller else {
        return Ok(None);
    };
    if !call.read(|c| can_see_account(c, caller, &media.account_id))? {
        return Ok(None);
    }
    let Some(account) = call.read(|c| accounts::get(c, &media.account_id))? else {
        return Ok(None);
    };
    match &request.subfields {
        None => Ok(Some(json!({"id": account.id}))),
        Some(selection) => Ok(Some(super::ig_user::render(
            call,
            &account,
            Some(selection),
        )?)),
    }
}

fn children_envelope(
    call: &Call,
    media: &Media,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let children = call.read(|c| media_store::children(c, &media.id))?;
    let items = children
        .iter()
        .map(|child| render(call, child, request.subfields.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(edge_envelope(items, None))
}

/// All children of an album, rendered with the request's fields.
pub fn list_children(call: &Call, media: &Media) -> Result<Vec<Value>, GraphError> {
    let children = call.read(|c| media_store::children(c, &media.id))?;
    children
        .iter()
        .map(|child| render(call, child, call.fields.as_ref()))
        .collect()
}
