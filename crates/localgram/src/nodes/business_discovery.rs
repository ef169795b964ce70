//! `business_discovery.username(x){...}` on the IG User (issue #13; ref 001 L6219-6347,
//! guides 001 L800-910 and L9125-9259): another professional account's public fields and
//! media. Personal, private and age-gated accounts are not returned; creators discover other
//! creators only since August 13, 2019 (004 changelog).

use graph::paging::edge_envelope;
use graph::{FieldRequest, GraphError};
use serde_json::{json, Value};

use super::ig_user::{list_media, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX};
use super::{db, expanded_page, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::accounts::{self, Account};
use crate::store::hashtags as discovery;
use crate::store::media::{Listing, Media};
use crate::store::Reader;

/// The public fields of another account (ref 001 L6240-6250).
#[rustfmt::skip]
pub static DISCOVERED_USER: NodeType = NodeType {
    name: "ShadowIGUser",
    metadata_type: "shadowiguser",
    defaults: &["id"],
    fields: &[
        field("biography", Scalar, "string", Apis::Facebook, "Profile biography text."),
        field("followers_count", Scalar, "int", Apis::Facebook, "Total number of Instagram users following the user."),
        field("follows_count", Scalar, "int", Apis::Facebook, "Total number of Instagram users the user follows."),
        field("id", Scalar, "numeric string", Apis::Facebook, "The account's IG User ID."),
        field("ig_id", Scalar, "int", Apis::Facebook, "The account's ID on the legacy Instagram API."),
        field("media_count", Scalar, "int", Apis::Facebook, "Total number of IG Media published on the user."),
        field("name", Scalar, "string", Apis::Facebook, "Profile name."),
        field("profile_picture_url", Scalar, "string", Apis::Facebook, "Profile picture URL."),
        field("username", Scalar, "string", Apis::Facebook, "Profile username."),
        field("website", Scalar, "string", Apis::Facebook, "Profile website URL."),
        field("media", Edge, "edge", Apis::Facebook, "The account's IG Media, public fields only."),
    ],
};

/// The public IG Media fields (ref 001 L520-700, the fields marked Public), `view_count`
/// among them: only business discovery reads it.
#[rustfmt::skip]
pub static DISCOVERED_MEDIA: NodeType = NodeType {
    name: "ShadowIGMedia",
    metadata_type: "shadowigmedia",
    defaults: &["id"],
    fields: &[
        field("alt_text", Scalar, "string", Apis::Facebook, "Descriptive text for images."),
        field("caption", Scalar, "string", Apis::Facebook, "Caption, the @ of mentions removed."),
        field("children", Edge, "edge", Apis::Facebook, "Media of an album."),
        field("comments_count", Scalar, "int", Apis::Facebook, "Count of comments on the media."),
        field("id", Scalar, "numeric string", Apis::Facebook, "Media ID."),
        field("is_shared_to_feed", Scalar, "bool", Apis::Facebook, "For Reels only: whether the reel also appears in the Feed tab."),
        field("like_count", Scalar, "int", Apis::Facebook, "Count of likes on the media."),
        field("media_product_type", Scalar, "enum", Apis::Facebook, "FEED or REELS."),
        field("media_type", Scalar, "enum", Apis::Facebook, "CAROUSEL_ALBUM, IMAGE or VIDEO."),
        field("media_url", Scalar, "string", Apis::Facebook, "The URL of the media."),
        field("permalink", Scalar, "string", Apis::Facebook, "Permanent URL to the media."),
        field("shortcode", Scalar, "string", Apis::Facebook, "Shortcode of the media."),
        field("thumbnail_url", Scalar, "string", Apis::Facebook, "Thumbnail image URL; VIDEO media only."),
        field("timestamp", Scalar, "datetime", Apis::Facebook, "ISO 8601 creation date in UTC."),
        field("username", Scalar, "string", Apis::Facebook, "Username of the media's creator."),
        field("view_count", Scalar, "int", Apis::Facebook, "Views of a reel, paid and organic."),
    ],
};

/// Creators may discover other creators from this day (004 changelog, August 13, 2019).
pub const CREATOR_TO_CREATOR_SINCE: i64 = 1_565_654_400;

/// The `business_discovery` object for `caller`'s request.
pub fn business_discovery(
    r: &Reader,
    ctx: &RenderContext,
    caller: &Account,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let username = request
        .modifier_arg("username")
        .unwrap_or_default()
        .trim()
        .trim_start_matches('@')
        .to_ascii_lowercase();
    let target = discoverable(r, &username)?;
    if caller.account_type == "CREATOR"
        && target.account_type == "CREATOR"
        && ctx.now() < CREATOR_TO_CREATOR_SINCE
    {
        return Err(GraphError::business_discovery_creator_target());
    }
    let plan = DISCOVERED_USER.plan(ctx.api, request.subfields.as_ref())?;
    super::render(&plan, |field| {
        Ok(match field.name.as_str() {
            "biography" => Some(json!(target.biography)),
            "followers_count" => Some(json!(target.followers_count)),
            "follows_count" => Some(json!(target.follows_count)),
            "id" => Some(json!(target.id)),
            "ig_id" => Some(json!(super::ig_user::legacy_ig_id(&target.id))),
            "media_count" => Some(json!(db(accounts::media_count(r, &target.id))?)),
            "name" => Some(json!(target.name)),
            "profile_picture_url" => target.profile_picture_url.as_ref().map(|u| json!(u)),
            "username" => Some(json!(target.username)),
            "website" => target.website.as_ref().map(|w| json!(w)),
            "media" => Some(media(r, ctx, &target, field)?),
            _ => None,
        })
    })
}

/// The professional account `username` names, if discovery may return it: personal
/// accounts (people), private accounts and age-gated accounts are not returned (ref 001
/// L803-804, L6230-6232).
fn discoverable(r: &Reader, username: &str) -> Result<Account, GraphError> {
    let not_found = || GraphError::business_discovery_not_found(username);
    let account = db(accounts::by_username(r, username))?.ok_or_else(not_found)?;
    let switches = db(discovery::switches(r, &account.id))?;
    if account.is_private || switches.age_gated || switches.inactive {
        return Err(not_found());
    }
    Ok(account)
}

/// `media{...}` of the discovered account: feed and reels newest first, cursors only (the
/// nested edge carries no `next`/`previous` links, seed001b §5).
fn media(
    r: &Reader,
    ctx: &RenderContext,
    target: &Account,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let page_request = expanded_page(request, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX)?;
    let plan = DISCOVERED_MEDIA.plan(ctx.api, request.subfields.as_ref())?;
    let page = list_media(r, ctx, target, Listing::Feed, &page_request, None, None)?;
    let page = page.try_map(|m| super::render(&plan, |field| resolve_media(r, ctx, &m, field)))?;
    let paging = page.paging(None);
    Ok(edge_envelope(page.items, paging))
}

fn resolve_media(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    field: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    match field.name.as_str() {
        // Reels only (ref 001 L675-680; 004 changelog June 16, 2025): left out elsewhere.
        "view_count" if media.media_product_type == "REELS" => {
            Ok(Some(json!(db(discovery::view_count(r, &media.id))?)))
        }
        "view_count" => Ok(None),
        "children" => {
            let children = db(crate::store::media::children(r, &media.id))?;
            let plan = DISCOVERED_MEDIA.plan(ctx.api, field.subfields.as_ref())?;
            let items = children
                .iter()
                .map(|child| super::render(&plan, |f| resolve_media(r, ctx, child, f)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(edge_envelope(items, None)))
        }
        _ => super::ig_media::resolve(r, ctx, media, field),
    }
}
