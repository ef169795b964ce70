//! The IG Media node: a published photo, video, reel, story or album (ref 001 L443-796).

use graph::paging::edge_envelope;
use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::kinds::can_see_account;
use super::{db, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::nodes::ig_comment;
use crate::social;
use crate::store::media::{self as media_store, Media};
use crate::store::{accounts, Reader};

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
        field("boost_ads_list", Edge, "edge", Apis::Facebook, "Instagram ads associated with the organic media."),
        field("boost_eligibility_info", Object(&BOOST_ELIGIBILITY), "IGMediaBoostEligibilityInfo", Apis::Facebook, "Whether the media can be boosted."),
        field("ig_id", Scalar, "numeric string", Apis::Facebook, "The media's ID on the legacy Instagram API (deprecated; use id)."),
        field("has_poll", Scalar, "bool", Apis::Facebook, "Whether the media carries a poll sticker."),
        field("has_slider", Scalar, "bool", Apis::Facebook, "Whether the media carries an emoji slider sticker."),
        field("view_count", Scalar, "int", Apis::Facebook, "Views of a reel, paid and organic; only through business discovery."),
        field("copyright_check_information", Object(&COPYRIGHT_INFORMATION), "IGVideoCopyrightCheckMatchesInformation", Apis::Both, "Copyright check status of the media."),
        field("video_title", Scalar, "string", Apis::Both, "IGTV only: the video's title; removed in v14.0."),
        field("children", Edge, "edge", Apis::Both, "Media of an album."),
        field("comments", Edge, "edge", Apis::Both, "Comments on the media."),
        field("collaborators", Edge, "edge", Apis::Facebook, "Collaborators on the media and their invite status."),
        field("insights", Edge, "edge", Apis::Both, "Social interaction metrics on the media."),
    ],
};

/// A collaborator on a media (ref 001 L4840-4931): Meta's `ShadowIGMediaCollaborators`.
#[rustfmt::skip]
pub static COLLABORATOR: NodeType = NodeType {
    name: "ShadowIGMediaCollaborators",
    metadata_type: "shadowigmediacollaborators",
    defaults: &["id", "username", "invite_status"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The app-scoped ID of the collaborator's Instagram account."),
        field("username", Scalar, "string", Apis::Facebook, "The collaborator's username."),
        field("invite_status", Scalar, "enum", Apis::Facebook, "Accepted or Pending."),
    ],
};

/// `boost_eligibility_info` (ref 001 L544-546; shape from Meta's Business SDKs).
#[rustfmt::skip]
pub static BOOST_ELIGIBILITY: NodeType = NodeType {
    name: "IGMediaBoostEligibilityInfo",
    metadata_type: "igmediaboosteligibilityinfo",
    defaults: &["eligible_to_boost", "boost_ineligible_reason"],
    fields: &[
        field("eligible_to_boost", Scalar, "bool", Apis::Facebook, "Whether the media can be boosted."),
        field("boost_ineligible_reason", Scalar, "string", Apis::Facebook, "Why it cannot be, when it cannot."),
    ],
};

/// The media's id on the legacy Instagram API (`ig_id`): derived from the media id, so it is
/// stable and needs no write (decisions.md).
pub fn legacy_ig_id(media_id: &str) -> String {
    let n = graph::ids::splitmix64(media_id.parse::<u64>().unwrap_or(0) ^ 0x05ee_d1d5);
    (1_000_000_000_000_000_000 + n % 8_000_000_000_000_000_000).to_string()
}

/// `copyright_check_information` (ref 001 L558-601): the check's status and, when a video
/// violates copyright, what it matched and what the owner's policy does about it.
#[rustfmt::skip]
pub static COPYRIGHT_INFORMATION: NodeType = NodeType {
    name: "IGVideoCopyrightCheckMatchesInformation",
    metadata_type: "igvideocopyrightcheckmatchesinformation",
    defaults: &[],
    fields: &[
        field("status", Object(&super::ig_container::COPYRIGHT_STATUS), "IGVideoCopyrightCheckStatus", Apis::Both, "status and matches_found."),
        field("copyright_matches", Objects(&COPYRIGHT_MATCH), "list", Apis::Both, "The copyrighted material found in the video."),
    ],
};

#[rustfmt::skip]
pub static COPYRIGHT_MATCH: NodeType = NodeType {
    name: "IGVideoCopyrightMatch",
    metadata_type: "igvideocopyrightmatch",
    defaults: &[],
    fields: &[
        field("author", Scalar, "string", Apis::Both, "The author of the copyrighted video."),
        field("content_title", Scalar, "string", Apis::Both, "The name of the copyrighted video."),
        field("matched_segments", Objects(&MATCHED_SEGMENT), "list", Apis::Both, "Where the video violates copyright."),
        field("owner_copyright_policy", Object(&COPYRIGHT_POLICY), "object", Apis::Both, "The copyright owner's policy: name and actions."),
    ],
};

#[rustfmt::skip]
pub static MATCHED_SEGMENT: NodeType = NodeType {
    name: "IGVideoCopyrightSegment",
    metadata_type: "igvideocopyrightsegment",
    defaults: &[],
    fields: &[
        field("start_time_in_seconds", Scalar, "float", Apis::Both, "Where the segment starts."),
        field("duration_in_seconds", Scalar, "float", Apis::Both, "How long the segment violates copyright."),
        field("segment_type", Scalar, "enum", Apis::Both, "AUDIO or VIDEO."),
    ],
};

#[rustfmt::skip]
pub static COPYRIGHT_POLICY: NodeType = NodeType {
    name: "IGVideoCopyrightPolicy",
    metadata_type: "igvideocopyrightpolicy",
    defaults: &[],
    fields: &[
        field("name", Scalar, "string", Apis::Both, "The name of the copyright owner's policy."),
        field("actions", Objects(&COPYRIGHT_ACTION), "list", Apis::Both, "The mitigations the policy takes, per location."),
    ],
};

#[rustfmt::skip]
pub static COPYRIGHT_ACTION: NodeType = NodeType {
    name: "IGVideoCopyrightPolicyAction",
    metadata_type: "igvideocopyrightpolicyaction",
    defaults: &[],
    fields: &[
        field("action", Scalar, "enum", Apis::Both, "BLOCK or MUTE."),
        field("territories", Scalar, "list<string>", Apis::Both, "Where the action applies."),
        field("geos", Scalar, "list<string>", Apis::Both, "Where the action applies."),
    ],
};

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = IG_MEDIA.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(r, ctx, media, request))
}

/// [`render`] written straight to JSON, for a read that answers the media alone.
pub fn render_json(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    selection: Option<&FieldSelection>,
) -> Result<Vec<u8>, GraphError> {
    let plan = IG_MEDIA.plan(ctx.api, selection)?;
    super::render_json(&plan, |request| resolve(r, ctx, media, request))
}

pub(crate) fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    let is_child = media.parent_id.is_some();
    Ok(match request.name.as_str() {
        "id" => Some(json!(media.id)),
        "alt_text" => media.alt_text.as_ref().map(|t| json!(t)),
        // The `@` of mentions is removed for apps that do not act for the media's account
        // (ref 001 L494).
        "caption" if !is_child => match &media.caption {
            None => None,
            Some(caption) if acts_for_owner(r, ctx, media)? => Some(json!(caption)),
            Some(caption) => Some(json!(social::strip_at(caption))),
        },
        "comments_count" if !is_child => Some(json!(media.comments_count)),
        "is_comment_enabled" if !is_child => Some(json!(media.is_comment_enabled)),
        "is_shared_to_feed" => media.is_shared_to_feed.map(|b| json!(b)),
        "legacy_instagram_media_id" => Some(json!(media.id)),
        "like_count" if !is_child => like_count(r, ctx, media)?,
        "media_product_type" => Some(json!(media.media_product_type)),
        "media_type" => Some(json!(if media.media_product_type == "LIVE" {
            "BROADCAST"
        } else {
            media.media_type.as_str()
        })),
        "media_url" => media.media_url.as_ref().map(|u| json!(u)),
        "owner" => owner(r, ctx, media, request)?,
        "permalink" if !is_child => Some(json!(media.permalink)),
        "shortcode" => Some(json!(media.shortcode)),
        "thumbnail_url" => media.thumbnail_url.as_ref().map(|u| json!(u)),
        "timestamp" => Some(json!(graph::timefmt::graph_time(media.created_at))),
        "username" => owner_username(r, media)?.map(|u| json!(u)),
        "children" => Some(children_envelope(r, ctx, media, request)?),
        "comments" => Some(comments_envelope(r, ctx, media, request)?),
        "collaborators" => Some(collaborators_envelope(
            r,
            ctx,
            media,
            request.subfields.as_ref(),
        )?),
        // Copyright is checked on videos published through the API (ref 001 L9448-9510).
        "copyright_check_information" => copyright(r, ctx, media)?,
        // IGTV's title is gone from v14.0 (004 changelog Oct 5, 2021).
        "video_title" if ctx.version >= graph::ApiVersion::new(14, 0) => {
            return Err(GraphError::field_deprecated("video_title", "v14.0"))
        }
        "video_title" => None,
        "boost_eligibility_info" => Some(boost_eligibility(media)),
        "ig_id" => Some(json!(legacy_ig_id(&media.id))),
        // Stickers cannot be published through the API (ref 001 L31) and media posted from
        // the app here carry none (decisions.md).
        "has_poll" | "has_slider" => Some(json!(false)),
        // Only business discovery reads it (ref 001 L675-680, 004 L1138-1142); a direct read
        // leaves it out (decisions.md).
        "view_count" => None,
        "caption" | "comments_count" | "is_comment_enabled" | "like_count" | "permalink" => None,
        // Edges whose content later areas bring: an empty list until then.
        _ => Some(edge_envelope(Vec::new(), None)),
    })
}

/// Boosting (decisions.md): the account's own feed posts, reels and stories can be boosted;
/// album children, live broadcasts and other people's media cannot.
fn boost_eligibility(media: &Media) -> Value {
    let reason = if media.owner_is_person {
        Some("The media does not belong to the account.")
    } else if media.parent_id.is_some() {
        Some("Carousel items cannot be boosted on their own.")
    } else if media.media_product_type == "LIVE" {
        Some("Live videos cannot be boosted.")
    } else {
        None
    };
    match reason {
        None => json!({"eligible_to_boost": true}),
        Some(reason) => json!({"eligible_to_boost": false, "boost_ineligible_reason": reason}),
    }
}

/// `like_count`, read indirectly (another person's media reached through mentions or tags) when
/// its owner hides like counts: `0` until v10.0, left out from v11.0 and, for every version,
/// from September 7, 2021 (004 changelog May 26 and June 8, 2021).
fn like_count(r: &Reader, ctx: &RenderContext, media: &Media) -> Result<Option<Value>, GraphError> {
    if !media.owner_is_person {
        return Ok(Some(json!(media.like_count)));
    }
    let hidden =
        db(crate::store::people::get(r, &media.account_id))?.is_some_and(|p| p.hide_like_counts);
    if !hidden {
        return Ok(Some(json!(media.like_count)));
    }
    const ALL_VERSIONS_OMIT: i64 = 1_630_972_800; // 2021-09-07
    if ctx.version >= graph::ApiVersion::new(11, 0) || ctx.now() >= ALL_VERSIONS_OMIT {
        Ok(None)
    } else {
        Ok(Some(json!(0)))
    }
}

/// `copyright_check_information` of a video published through the API: the check its container
/// ran, with the matches a test chose (ref 001 L9486-9510); absent for other media.
fn copyright(r: &Reader, ctx: &RenderContext, media: &Media) -> Result<Option<Value>, GraphError> {
    use crate::store::containers;
    let container = match db(containers::container_of_media(r, &media.id))? {
        Some(id) => db(containers::get(r, &id))?,
        None => None,
    };
    let Some(container) = container else {
        return Ok(None);
    };
    let now_ms = ctx.now_ms;
    let Some(status) = crate::publishing::status::copyright(&container, now_ms) else {
        return Ok(None);
    };
    let mut info = serde_json::Map::new();
    info.insert("status".into(), status);
    let chosen = container
        .copyright
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    if let Some(matches) = chosen.as_ref().and_then(|c| c.get("copyright_matches")) {
        info.insert("copyright_matches".into(), matches.clone());
    }
    Ok(Some(Value::Object(info)))
}

/// Whether the caller acts for the account that owns the media.
fn acts_for_owner(r: &Reader, ctx: &RenderContext, media: &Media) -> Result<bool, GraphError> {
    if media.owner_is_person {
        return Ok(false);
    }
    match &ctx.caller {
        Some(caller) => db(can_see_account(r, caller, &media.account_id)),
        None => Ok(false),
    }
}

fn owner_username(r: &Reader, media: &Media) -> Result<Option<String>, GraphError> {
    if media.owner_is_person {
        return Ok(db(crate::store::people::get(r, &media.account_id))?.map(|p| p.username));
    }
    Ok(db(accounts::get(r, &media.account_id))?.map(|a| a.username))
}

/// `comments{...}` expanded through `fields`: top-level comments, cursors only.
fn comments_envelope(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let page_request = super::expanded_page(request, ig_comment::PAGE_MAX, ig_comment::PAGE_MAX)?;
    let owner = (!media.owner_is_person).then_some(media.account_id.as_str());
    let page = ig_comment::list(r, ctx, &media.id, None, owner, &page_request)?;
    // Comments on media the app user did not create read without the `@` of mentions, as
    // captions do (ref 001 L8263, L494).
    let text = if acts_for_owner(r, ctx, media)? {
        ig_comment::Text::AsWritten
    } else {
        ig_comment::Text::MentionsStripped
    };
    let items = page
        .items
        .iter()
        .map(|comment| ig_comment::render_as(r, ctx, comment, request.subfields.as_ref(), text))
        .collect::<Result<Vec<_>, _>>()?;
    let paging = page.paging(None);
    Ok(edge_envelope(items, paging))
}

/// The `collaborators` edge (ref 001 L4840-4931): each collaborator as `selection` asks
/// (their id, username and invite status by default), in invite order.
pub fn collaborators_envelope(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let request = FieldRequest {
        name: "collaborators".into(),
        modifiers: Vec::new(),
        subfields: selection.filter(|s| !s.is_empty()).cloned(),
    };
    let items = collaborators(r, ctx, media)?
        .into_iter()
        .map(|item| super::project(&COLLABORATOR, ctx.api, item, &request))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(edge_envelope(items, None))
}

/// The media's collaborators with their invite status (ref 001 L4840-4931). Their `id` is the
/// collaborating account's id as this app sees it.
pub fn collaborators(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
) -> Result<Vec<Value>, GraphError> {
    let rows = db(crate::store::person_media::collaborators(r, &media.id))?;
    let mut out = Vec::with_capacity(rows.len());
    for (username, status) in rows {
        let (id, owner_id) = match db(accounts::by_username(r, &username))? {
            Some(account) => (super::ig_user::visible_id(r, ctx, &account)?, account.id),
            None => match db(crate::store::people::by_username(r, &username))? {
                Some(person) => (person.id.clone(), person.id),
                None => (String::new(), String::new()),
            },
        };
        // "Only IG users who have enabled collaborator tagging will be returned" (ref 001
        // L4856): the invite stays, hidden while their tagging is off (decisions.md).
        if db(crate::store::hashtags::switches(r, &owner_id))?.collaborator_tagging_disabled {
            continue;
        }
        out.push(json!({"id": id, "username": username, "invite_status": status}));
    }
    Ok(out)
}

/// `owner` is only returned to the account that created the media (ref 001 L640-650).
fn owner(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    if media.owner_is_person {
        return Ok(None);
    }
    let Some(caller) = &ctx.caller else {
        return Ok(None);
    };
    if !db(can_see_account(r, caller, &media.account_id))? {
        return Ok(None);
    }
    let Some(account) = db(accounts::get(r, &media.account_id))? else {
        return Ok(None);
    };
    match &request.subfields {
        None => Ok(Some(json!({"id": account.id}))),
        Some(selection) => Ok(Some(super::ig_user::render(
            r,
            ctx,
            &account,
            Some(selection),
        )?)),
    }
}

fn children_envelope(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let children = db(media_store::children(r, &media.id))?;
    let items = children
        .iter()
        .map(|child| render(r, ctx, child, request.subfields.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(edge_envelope(items, None))
}

/// All children of an album, rendered with `selection`.
pub fn list_children(
    r: &Reader,
    ctx: &RenderContext,
    media: &Media,
    selection: Option<&FieldSelection>,
) -> Result<Vec<Value>, GraphError> {
    let children = db(media_store::children(r, &media.id))?;
    children
        .iter()
        .map(|child| render(r, ctx, child, selection))
        .collect()
}
