//! The IG Hashtag node and its media edges (ref 001 L4029-4419; guide 001 L1273-1329,
//! L9511-9595): `recent_media` (published in the last 24 hours, newest first) and `top_media`
//! (by engagement), both with public fields only, after-cursors only, 50 at most per page.

use graph::paging::{edge_envelope, encode_cursor, Page, PageRequest, Window};
use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Map, Value};

use super::{db, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::hashtags::RECENT_WINDOW_SECONDS;
use crate::store::hashtags::{self as store, Hashtag, Tagged};
use crate::store::media::Media;
use crate::store::{media, person_media, Reader};

/// Ref 001 L4140-4160.
#[rustfmt::skip]
pub static IG_HASHTAG: NodeType = NodeType {
    name: "IGHashtag",
    metadata_type: "ighashtag",
    defaults: &["id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The hashtag's ID (static and global)."),
        field("name", Scalar, "string", Apis::Facebook, "The hashtag's name, without the leading hash symbol."),
        field("recent_media", Edge, "edge", Apis::Facebook, "The most recently published photo and video IG Media objects tagged with the hashtag."),
        field("top_media", Edge, "edge", Apis::Facebook, "The most popular photo and video IG Media objects tagged with the hashtag."),
    ],
};

/// The fields hashtag media may be read with (ref 001 L4236-4300, L4330-4400): public
/// fields only; `username` cannot be requested.
#[rustfmt::skip]
pub static HASHTAG_MEDIA: NodeType = NodeType {
    name: "ShadowIGMedia",
    metadata_type: "shadowigmedia",
    defaults: &["id"],
    fields: &[
        field("caption", Scalar, "string", Apis::Facebook, "Caption. Excludes album children. The @ symbol is excluded."),
        field("children", Edge, "edge", Apis::Facebook, "A collection of media objects on an album IG Media."),
        field("comments_count", Scalar, "int", Apis::Facebook, "Count of comments on the media."),
        field("id", Scalar, "numeric string", Apis::Facebook, "Media ID."),
        field("like_count", Scalar, "int", Apis::Facebook, "Count of likes on the media; omitted if the owner hid like counts."),
        field("media_type", Scalar, "enum", Apis::Facebook, "CAROUSEL_ALBUM, IMAGE or VIDEO."),
        field("media_url", Scalar, "string", Apis::Facebook, "The URL of the media; not returned for albums."),
        field("permalink", Scalar, "string", Apis::Facebook, "Permanent URL to the media."),
        field("timestamp", Scalar, "datetime", Apis::Facebook, "ISO 8601 creation date in UTC (v7.0+)."),
    ],
};

/// Default and largest page of `recent_media` and `top_media` (ref 001 L4233, L4327: at most
/// 50 per page).
pub const MEDIA_PAGE_DEFAULT: usize = 25;
pub const MEDIA_PAGE_MAX: usize = 50;

/// Which of a hashtag's edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashtagEdge {
    Recent,
    Top,
}

impl HashtagEdge {
    pub fn parse(name: &str) -> Option<HashtagEdge> {
        match name {
            "recent_media" => Some(HashtagEdge::Recent),
            "top_media" => Some(HashtagEdge::Top),
            _ => None,
        }
    }
}

/// Renders the hashtag node; `recent_media{...}` and `top_media{...}` expanded through
/// `fields` need the request's `user_id` (`reader`).
pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    hashtag: &Hashtag,
    reader: Option<&str>,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = IG_HASHTAG.plan(ctx.api, selection)?;
    super::render(&plan, |request| {
        Ok(match request.name.as_str() {
            "id" => Some(json!(hashtag.id)),
            "name" => Some(json!(hashtag.name)),
            edge => {
                let Some(edge) = HashtagEdge::parse(edge) else {
                    return Ok(None);
                };
                if reader.is_none() {
                    return Err(GraphError::param_required("user_id"));
                }
                let page = page_request(request)?;
                let page = media_page(r, ctx, hashtag, edge, &page, request.subfields.as_ref())?;
                let paging = page.paging(None);
                Some(edge_envelope(page.items, paging))
            }
        })
    })
}

fn page_request(request: &FieldRequest) -> Result<PageRequest, GraphError> {
    if request.modifier_arg("before").is_some() {
        return Err(GraphError::param_not_supported_here("before"));
    }
    super::expanded_page(request, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX)
}

/// One page of a hashtag's media, rendered. Only an `after` cursor exists (ref 001
/// L4237-4240).
pub struct MediaPage {
    pub items: Vec<Value>,
    pub after: Option<String>,
    pub has_next: bool,
}

impl MediaPage {
    /// `{"cursors":{"after":...},"next":...}`: no `before`, no `previous`.
    pub fn paging(&self, next: Option<&dyn Fn(&str) -> String>) -> Option<Value> {
        let after = self.after.as_ref()?;
        let mut paging = Map::new();
        paging.insert("cursors".into(), json!({ "after": after }));
        if let (true, Some(next)) = (self.has_next, next) {
            paging.insert("next".into(), json!(next(after)));
        }
        Some(Value::Object(paging))
    }
}

/// The oldest sort key `recent_media` admits at `now`: keys are newest first, so every
/// media published at or after the cutoff has a key below this bound (`store::order`).
fn recent_bound(now: i64) -> String {
    let cutoff = now - RECENT_WINDOW_SECONDS;
    // `;` sorts right after `:`, so the bound admits every key of the cutoff second.
    format!("{:019};", i64::MAX - cutoff.max(0))
}

pub fn media_page(
    r: &Reader,
    ctx: &RenderContext,
    hashtag: &Hashtag,
    edge: HashtagEdge,
    request: &PageRequest,
    selection: Option<&FieldSelection>,
) -> Result<MediaPage, GraphError> {
    let after = match &request.window {
        Window::Forward { after } => after.clone(),
        Window::Backward { .. } => return Err(GraphError::param_not_supported_here("before")),
    };
    let plan = HASHTAG_MEDIA.plan(ctx.api, selection)?;
    let (mut fetched, next_key): (Vec<(String, Tagged)>, _) = match edge {
        HashtagEdge::Recent => {
            let rows = db(store::recent(
                r,
                &hashtag.id,
                &recent_bound(ctx.now()),
                after.as_deref(),
                request.fetch_count(),
            ))?;
            (rows, None)
        }
        HashtagEdge::Top => {
            let offset = match &after {
                None => 0,
                Some(key) => key
                    .strip_prefix("top:")
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| GraphError::invalid_cursor("after"))?,
            };
            let rows = db(store::top(r, &hashtag.id, offset, request.fetch_count()))?;
            let shown = rows.len().min(request.limit);
            let rows = rows
                .into_iter()
                .map(|t| (String::new(), t))
                .collect::<Vec<_>>();
            (rows, Some(format!("top:{}", offset + shown)))
        }
    };
    let has_next = fetched.len() > request.limit;
    fetched.truncate(request.limit);
    let after = match next_key {
        Some(key) if !fetched.is_empty() => Some(encode_cursor(&key)),
        Some(_) => None,
        None => fetched.last().map(|(key, _)| encode_cursor(key)),
    };
    let mut items = Vec::with_capacity(fetched.len());
    for (_, tagged) in fetched {
        let Some(media) = load(r, &tagged)? else {
            continue;
        };
        items.push(super::render(&plan, |request| {
            super::ig_media::resolve(r, ctx, &media, request)
        })?);
    }
    Ok(MediaPage {
        items,
        after,
        has_next,
    })
}

fn load(r: &Reader, tagged: &Tagged) -> Result<Option<Media>, GraphError> {
    Ok(if tagged.by_person {
        db(person_media::get(r, &tagged.media_id))?.map(|m| m.as_media())
    } else {
        db(media::get(r, &tagged.media_id))?
    })
}

/// One page of the hashtags an account searched since `since`, most recent first, each
/// rendered as `selection` asks (`recently_searched_hashtags`, ref 001 L8475-8529).
pub fn searched(
    r: &Reader,
    ctx: &RenderContext,
    account_id: &str,
    since: i64,
    request: &PageRequest,
    selection: Option<&FieldSelection>,
) -> Result<Page<Value>, GraphError> {
    let (after, before) = match &request.window {
        Window::Forward { after } => (after.as_deref(), None),
        Window::Backward { before } => (None, Some(before.as_str())),
    };
    let fetched = db(store::searched(
        r,
        account_id,
        since,
        after,
        before,
        request.fetch_count(),
    ))?;
    let page = Page::from_fetched(request, fetched);
    page.try_map(|hashtag_id| {
        let hashtag = db(store::by_id(r, &hashtag_id))?.ok_or_else(GraphError::unknown_error)?;
        render(r, ctx, &hashtag, None, selection)
    })
}
