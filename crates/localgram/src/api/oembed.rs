//! `GET /instagram_oembed` (issue #13; ref 001 L3151-3285, 004 L2945-3110): a public post's
//! embed HTML and metadata, for app tokens and `APP_ID|CLIENT_TOKEN` client tokens.

use graph::GraphError;
use serde_json::{json, Map, Value};

use super::Call;
use crate::login::html::escape;
use crate::nodes::{field, select, Apis, FieldKind::*, NodeType};
use crate::store::hashtags as discovery;
use crate::store::media::Media;
use crate::store::{accounts, media, people, person_media, Reader, StoreResult};

/// The oEmbed answer's fields (ref 001 L3225-3240; 004 L3044-3060). The defaults are the
/// sample's keys; `author_url` and `thumbnail_url` come when asked for.
#[rustfmt::skip]
pub static OEMBED: NodeType = NodeType {
    name: "InstagramOembed",
    metadata_type: "instagramoembed",
    defaults: &["version", "author_name", "provider_name", "provider_url", "type", "width", "html", "thumbnail_width", "thumbnail_height"],
    fields: &[
        field("version", Scalar, "string", Apis::Facebook, "The oEmbed version: 1.0."),
        field("author_name", Scalar, "string", Apis::Facebook, "The post author's username (removed November 3, 2025)."),
        field("author_url", Scalar, "string", Apis::Facebook, "The post author's profile URL (removed November 3, 2025)."),
        field("provider_name", Scalar, "string", Apis::Facebook, "Instagram."),
        field("provider_url", Scalar, "string", Apis::Facebook, "https://www.instagram.com/"),
        field("type", Scalar, "string", Apis::Facebook, "rich."),
        field("width", Scalar, "int", Apis::Facebook, "The embed's width in pixels."),
        field("html", Scalar, "string", Apis::Facebook, "The embed HTML."),
        field("thumbnail_url", Scalar, "string", Apis::Facebook, "The post's thumbnail image (removed November 3, 2025)."),
        field("thumbnail_width", Scalar, "int", Apis::Facebook, "The thumbnail's width (removed November 3, 2025)."),
        field("thumbnail_height", Scalar, "int", Apis::Facebook, "The thumbnail's height (removed November 3, 2025)."),
    ],
};

/// Meta stopped returning these on November 3, 2025 for every version (ref 001 L3160-3170;
/// 004 changelog): present before that day on the virtual clock, absent from it.
pub const REMOVED_FIELDS: &[&str] = &[
    "author_name",
    "author_url",
    "thumbnail_url",
    "thumbnail_width",
    "thumbnail_height",
];
pub const FIELDS_REMOVED_AT: i64 = 1_762_128_000; // 2025-11-03T00:00:00Z

/// The embed is at most this wide, and at least this wide (Instagram's embed minimum).
const MAX_WIDTH: i64 = 658;
const MIN_WIDTH: i64 = 326;
/// Thumbnails are at most this wide.
const THUMBNAIL_WIDTH: i64 = 640;

/// What an oEmbed URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Embedded {
    /// `/p/{shortcode}/`, `/tv/{shortcode}/` (and `/reel/{shortcode}/`).
    Post(String),
    /// `/{username}/guide/{slug}/{guide_id}`.
    Guide { username: String },
}

/// Reads an oEmbed `url` (ref 001 L3245-3250): `https://www.instagram.com/p/{code}/`,
/// `/tv/{code}/`, `/{username}/guide/{slug}/{guide_id}`; percent-encoded or not, with or
/// without the trailing slash, `www.` and a query string or fragment.
pub fn parse_url(url: &str) -> Option<Embedded> {
    let decoded = percent_decode(url.trim())?;
    let rest = decoded
        .strip_prefix("https://")
        .or_else(|| decoded.strip_prefix("http://"))?;
    let rest = rest
        .strip_prefix("www.instagram.com/")
        .or_else(|| rest.strip_prefix("instagram.com/"))?;
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let code_ok = |c: &str| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match segments.as_slice() {
        [kind, code] if matches!(*kind, "p" | "tv" | "reel") && code_ok(code) => {
            Some(Embedded::Post(code.to_string()))
        }
        [username, "guide", slug, guide_id] if code_ok(slug) && code_ok(guide_id) => {
            Some(Embedded::Guide {
                username: username.to_ascii_lowercase(),
            })
        }
        _ => None,
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A post that may be embedded, with its author's username.
struct Post {
    media: Media,
    username: String,
}

/// The post a shortcode names, if it may be embedded: not a story (or a live broadcast),
/// not of a private, inactive or age-restricted account, nor of one that disabled embeds
/// (ref 001 L3176-3183).
fn embeddable(r: &Reader, shortcode: &str) -> StoreResult<Option<Post>> {
    let (media, username, private) = if let Some(m) = media::by_shortcode(r, shortcode)? {
        let Some(account) = accounts::get(r, &m.account_id)? else {
            return Ok(None);
        };
        (m, account.username, account.is_private)
    } else if let Some(m) = person_media::by_shortcode(r, shortcode)? {
        let Some(person) = people::get(r, &m.person_id)? else {
            return Ok(None);
        };
        (m.as_media(), person.username, person.is_private)
    } else {
        return Ok(None);
    };
    if matches!(media.media_product_type.as_str(), "STORY" | "LIVE") || media.parent_id.is_some() {
        return Ok(None);
    }
    let switches = discovery::switches(r, &media.account_id)?;
    if private || switches.inactive || switches.age_gated || switches.embeds_disabled {
        return Ok(None);
    }
    Ok(Some(Post { media, username }))
}

/// `GET /instagram_oembed?url=...`.
pub async fn get(call: Call) -> Result<Value, GraphError> {
    let param = |name: &str| -> Result<Option<String>, GraphError> {
        Ok(call
            .params
            .str(name)
            .map_err(|e| GraphError::from_param(&e))?
            .filter(|s| !s.trim().is_empty()))
    };
    let url = param("url")?.ok_or_else(|| GraphError::param_required("url"))?;
    let flag = |name: &str| -> Result<bool, GraphError> {
        Ok(call
            .params
            .bool(name)
            .map_err(|e| GraphError::from_param(&e))?
            .unwrap_or(false))
    };
    let omitscript = flag("omitscript")?;
    let hidecaption = flag("hidecaption")?;
    let maxwidth = call
        .params
        .i64("maxwidth")
        .map_err(|e| GraphError::from_param(&e))?;
    if maxwidth.is_some_and(|w| w <= 0) {
        return Err(GraphError::param_invalid("maxwidth", "a positive integer"));
    }
    let shortcode = match parse_url(&url).ok_or_else(GraphError::oembed_url_invalid)? {
        Embedded::Post(code) => code,
        // Guides are not modelled: no guide exists to embed (docs/decisions.md).
        Embedded::Guide { .. } => return Err(GraphError::oembed_not_embeddable()),
    };
    let post = call
        .read(move |r| embeddable(r, &shortcode))
        .await?
        .ok_or_else(GraphError::oembed_not_embeddable)?;
    let width = maxwidth.unwrap_or(MAX_WIDTH).clamp(MIN_WIDTH, MAX_WIDTH);
    let thumbnail_width = maxwidth
        .unwrap_or(THUMBNAIL_WIDTH)
        .clamp(1, THUMBNAIL_WIDTH);
    let mut whole = Map::new();
    whole.insert("version".into(), json!("1.0"));
    whole.insert("author_name".into(), json!(post.username));
    whole.insert(
        "author_url".into(),
        json!(format!("https://www.instagram.com/{}", post.username)),
    );
    whole.insert("provider_name".into(), json!("Instagram"));
    whole.insert("provider_url".into(), json!("https://www.instagram.com/"));
    whole.insert("type".into(), json!("rich"));
    whole.insert("width".into(), json!(width));
    whole.insert(
        "html".into(),
        json!(embed_html(&post, width, hidecaption, omitscript)),
    );
    if let Some(thumbnail) = thumbnail(&post.media) {
        whole.insert("thumbnail_url".into(), json!(thumbnail));
        whole.insert("thumbnail_width".into(), json!(thumbnail_width));
        // Square thumbnails: the media host's images are square.
        whole.insert("thumbnail_height".into(), json!(thumbnail_width));
    }
    if call.now() >= FIELDS_REMOVED_AT {
        for name in REMOVED_FIELDS {
            whole.remove(*name);
        }
    }
    select(
        &OEMBED,
        call.api,
        Value::Object(whole),
        call.fields.as_deref(),
    )
}

/// The image the embed shows: the photo, a video's cover, an album's first photo.
fn thumbnail(media: &Media) -> Option<String> {
    media
        .thumbnail_url
        .clone()
        .or_else(|| media.media_url.clone())
}

/// The embed HTML: Instagram's blockquote, which embed.js turns into the post, rendering the
/// post itself from localgram's media host until it does (and for readers without scripts).
fn embed_html(post: &Post, width: i64, hidecaption: bool, omitscript: bool) -> String {
    let media = &post.media;
    let permalink = escape(&media.permalink);
    let username = escape(&post.username);
    let captioned = if hidecaption {
        ""
    } else {
        " data-instgrm-captioned"
    };
    let mut html = format!(
        "<blockquote class=\"instagram-media\"{captioned} data-instgrm-permalink=\"{permalink}?utm_source=ig_embed&amp;utm_campaign=loading\" data-instgrm-version=\"14\" style=\"background:#FFF; border:0; border-radius:3px; box-shadow:0 0 1px 0 rgba(0,0,0,0.5),0 1px 10px 0 rgba(0,0,0,0.15); margin: 1px; max-width:{width}px; min-width:{MIN_WIDTH}px; padding:0; width:99.375%; width:-webkit-calc(100% - 2px); width:calc(100% - 2px);\"><div style=\"padding:16px;\"><a href=\"{permalink}?utm_source=ig_embed&amp;utm_campaign=loading\" style=\"background:#FFFFFF; line-height:0; padding:0 0; text-align:center; text-decoration:none; width:100%;\" target=\"_blank\">"
    );
    if let Some(image) = thumbnail(media) {
        html.push_str(&format!(
            "<img src=\"{}\" alt=\"A post shared by @{username}\" style=\"display:block; width:100%;\" />",
            escape(&image)
        ));
    }
    html.push_str("</a>");
    if let (false, Some(caption)) = (hidecaption, media.caption.as_deref()) {
        html.push_str(&format!(
            "<p style=\"color:#262626; font-family:Arial,sans-serif; font-size:14px; line-height:17px; margin:8px 0 0 0;\">{}</p>",
            escape(caption)
        ));
    }
    html.push_str(&format!(
        "<p style=\"color:#c9c8cd; font-family:Arial,sans-serif; font-size:14px; line-height:17px; margin-bottom:0; margin-top:8px; overflow:hidden; padding:8px 0 7px; text-align:center; text-overflow:ellipsis; white-space:nowrap;\"><a href=\"{permalink}?utm_source=ig_embed&amp;utm_campaign=loading\" style=\"color:#c9c8cd; font-family:Arial,sans-serif; font-size:14px; font-style:normal; font-weight:normal; line-height:17px; text-decoration:none;\" target=\"_blank\">A post shared by @{username}</a></p></div></blockquote>"
    ));
    if !omitscript {
        html.push_str("\n<script async src=\"//www.instagram.com/embed.js\"></script>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_url_form_is_read() {
        let post = |c: &str| Some(Embedded::Post(c.to_string()));
        assert_eq!(
            parse_url("https://www.instagram.com/p/fA9uwTtkSN/"),
            post("fA9uwTtkSN")
        );
        assert_eq!(
            parse_url("https://www.instagram.com/p/fA9uwTtkSN"),
            post("fA9uwTtkSN")
        );
        assert_eq!(
            parse_url("https%3A%2F%2Fwww.instagram.com%2Fp%2FfA9uwTtkSN"),
            post("fA9uwTtkSN")
        );
        assert_eq!(
            parse_url("https://www.instagram.com/tv/B-x_1/"),
            post("B-x_1")
        );
        assert_eq!(
            parse_url("https://instagram.com/reel/Abc/?utm_source=ig_web_copy_link"),
            post("Abc")
        );
        assert_eq!(
            parse_url("https://www.instagram.com/bluebottle/guide/coffee-spots/17899999999999999"),
            Some(Embedded::Guide {
                username: "bluebottle".into()
            })
        );
        assert_eq!(parse_url("https://example.com/p/abc/"), None);
        assert_eq!(
            parse_url("https://www.instagram.com/stories/bluebottle/1/"),
            None
        );
        assert_eq!(parse_url("https://www.instagram.com/p/"), None);
        assert_eq!(parse_url("%zz"), None);
    }
}
