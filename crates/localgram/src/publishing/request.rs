//! `POST /{ig-user-id}/media`: reading and validating the parameters of every documented
//! variant (ref 001 L105-354, L1452-1502, L2138-2169; 004 L2672-2720) before anything is
//! fetched. Each violation gets the reference's error where it gives one, else a code 100
//! that says what is wrong (docs/decisions.md).

use crate::store::Reader;
use graph::{Api, GraphError, Params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fetch::acceptable_url;
use super::status::{self, Code};
use crate::store::accounts::Account;
use crate::store::{containers, publishing_setup, StoreResult};

/// Caption limits (ref 001 L249-255, L3535-3543): characters, hashtags, @ tags.
pub const CAPTION_MAX_CHARS: usize = 2200;
pub const CAPTION_MAX_HASHTAGS: u32 = 30;
pub const CAPTION_MAX_MENTIONS: u32 = 20;
/// `alt_text`: up to 1000 characters (ref 001 L235-241).
pub const ALT_TEXT_MAX_CHARS: usize = 1000;
/// `collaborators`: up to 3 usernames (ref 001 L257-263; the edge's "up to 5" counts invites
/// over the media's life, decisions.md).
pub const MAX_COLLABORATORS: usize = 3;
/// Carousels hold 2 to 10 items (ref 001 L265-269, L3425-3433).
pub const CAROUSEL_MIN: usize = 2;
pub const CAROUSEL_MAX: usize = 10;
/// Product tags (decisions.md): 30 per reel (004 L1391, the newest), 5 per carousel slide
/// (001 L308-319), 20 per single feed post and per carousel (001 L9835-9938).
pub const REEL_PRODUCT_TAGS: usize = 30;
pub const SLIDE_PRODUCT_TAGS: usize = 5;
pub const FEED_PRODUCT_TAGS: usize = 20;
/// `media_type=VIDEO` stopped working for single posts on November 9, 2023 (004 L1401).
pub const VIDEO_TYPE_END: i64 = 1_699_488_000;
/// Story user tags exist since July 9, 2025 (ref 001 L3-4).
pub const STORY_USER_TAGS_START: i64 = 1_752_019_200;
/// Trial reels' graduation strategies (Meta's public API; not in the reference).
pub const GRADUATION_STRATEGIES: &[&str] = &["MANUAL", "SS_PERFORMANCE"];

/// What a container is for: the `media_type` it was created with (images have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Video,
    Reels,
    Stories,
    Carousel,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "IMAGE",
            Kind::Video => "VIDEO",
            Kind::Reels => "REELS",
            Kind::Stories => "STORIES",
            Kind::Carousel => "CAROUSEL",
        }
    }

    pub fn parse(text: &str) -> Kind {
        match text {
            "VIDEO" => Kind::Video,
            "REELS" => Kind::Reels,
            "STORIES" => Kind::Stories,
            "CAROUSEL" => Kind::Carousel,
            _ => Kind::Image,
        }
    }

    /// How the reference words each kind in a "not supported for" error.
    fn described(self, is_video: bool, is_carousel_item: bool) -> &'static str {
        match (self, is_carousel_item) {
            (Kind::Image, true) => "carousel images",
            (Kind::Video, true) => "carousel videos",
            (Kind::Image, false) => "images",
            (Kind::Video, false) => "videos",
            (Kind::Reels, _) => "reels",
            (Kind::Stories, _) if is_video => "video stories",
            (Kind::Stories, _) => "image stories",
            (Kind::Carousel, _) => "carousels",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserTag {
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductTag {
    pub product_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
}

/// The optional parameters a container keeps until it is published.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_tags: Vec<UserTag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_tags: Vec<ProductTag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collaborators: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_to_feed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb_offset: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_params: Option<Value>,
}

impl Options {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn from_json(text: &str) -> Options {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// A validated request for a new container.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContainer {
    pub kind: Kind,
    pub is_video: bool,
    pub is_carousel_item: bool,
    pub resumable: bool,
    /// `image_url` or `video_url`.
    pub source_url: Option<String>,
    pub cover_url: Option<String>,
    pub children: Vec<String>,
    pub options: Options,
}

/// Who asks, where and when: the rules that depend on them.
pub struct Context<'a> {
    pub api: Api,
    pub account: &'a Account,
    /// Virtual Unix seconds.
    pub now: i64,
    /// Whether the token holds the product-tagging permissions.
    pub may_tag_products: bool,
    /// Product tags per single feed post or carousel (configurable, see `Settings`).
    pub feed_product_tags: usize,
}

fn param(e: graph::ParamError) -> GraphError {
    GraphError::from_param(&e)
}

fn text(params: &Params, name: &str) -> Result<Option<String>, GraphError> {
    Ok(params
        .str(name)
        .map_err(param)?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

/// Reads and checks every parameter of `POST /{ig-user-id}/media`.
pub fn read(params: &Params, ctx: &Context) -> Result<NewContainer, GraphError> {
    let media_type = text(params, "media_type")?;
    let image_url = text(params, "image_url")?;
    let video_url = text(params, "video_url")?;
    let resumable = match text(params, "upload_type")? {
        None => false,
        Some(t) if t == "resumable" => true,
        Some(other) => {
            return Err(GraphError::param_not_one_of(
                "upload_type",
                &["resumable"],
                &other,
            ))
        }
    };
    let is_carousel_item = params
        .bool("is_carousel_item")
        .map_err(param)?
        .unwrap_or(false);

    let kind = match media_type.as_deref() {
        None | Some("IMAGE") if image_url.is_none() && video_url.is_some() => Kind::Video,
        None | Some("IMAGE") => Kind::Image,
        Some("VIDEO") => Kind::Video,
        Some("REELS") => Kind::Reels,
        Some("STORIES") => Kind::Stories,
        Some("CAROUSEL") => Kind::Carousel,
        Some(other) => return Err(GraphError::unknown_media_type(other)),
    };
    let unsupported = |name: &str, is_video: bool| {
        GraphError::param_not_supported(name, kind.described(is_video, is_carousel_item))
    };

    // Where the media comes from.
    if image_url.is_some() && video_url.is_some() {
        // "Support either video URL or Reels URL but not both" (ref 001 L29).
        return Err(GraphError::invalid_parameter(
            "Give either image_url or video_url, not both",
        ));
    }
    let is_video = match kind {
        Kind::Image => false,
        Kind::Video | Kind::Reels => true,
        Kind::Stories => image_url.is_none(),
        Kind::Carousel => false,
    };
    match kind {
        Kind::Image if image_url.is_none() => return Err(GraphError::param_required("image_url")),
        Kind::Video | Kind::Reels if video_url.is_none() && !resumable => {
            return Err(GraphError::param_required("video_url"))
        }
        Kind::Stories if image_url.is_none() && video_url.is_none() && !resumable => {
            return Err(GraphError::param_required("image_url"))
        }
        Kind::Reels | Kind::Video if image_url.is_some() => {
            return Err(unsupported("image_url", is_video))
        }
        Kind::Carousel if image_url.is_some() => return Err(unsupported("image_url", false)),
        Kind::Carousel if video_url.is_some() => return Err(unsupported("video_url", false)),
        _ => {}
    }
    if resumable {
        // Resumable sessions are for videos, and only for Facebook Login apps
        // (ref 001 L2123-2125, 004 L2645).
        if ctx.api == Api::Instagram {
            return Err(GraphError::param_not_supported(
                "upload_type",
                "the Instagram API with Instagram Login",
            ));
        }
        if !is_video || kind == Kind::Image {
            return Err(unsupported("upload_type", is_video));
        }
        if image_url.is_some() || video_url.is_some() {
            return Err(GraphError::invalid_parameter(
                "A resumable upload session takes no media URL: upload the file to the returned uri",
            ));
        }
    }
    let source_url = image_url.or(video_url);
    if let Some(url) = &source_url {
        if !acceptable_url(url) {
            return Err(GraphError::media_fetch_failed(url));
        }
    }

    // Carousel items and the feed video type.
    if is_carousel_item && !matches!(kind, Kind::Image | Kind::Video) {
        return Err(GraphError::param_not_supported(
            "is_carousel_item",
            kind.described(is_video, false),
        ));
    }
    if kind == Kind::Video && !is_carousel_item && ctx.now >= VIDEO_TYPE_END {
        return Err(GraphError::unknown_media_type("VIDEO"));
    }
    if kind == Kind::Stories && ctx.account.account_type != "BUSINESS" {
        return Err(GraphError::stories_business_only());
    }

    // Children.
    let children = match (kind, params.list("children").map_err(param)?) {
        (Kind::Carousel, None) => return Err(GraphError::param_required("children")),
        (Kind::Carousel, Some(ids)) => {
            let ids: Vec<String> = ids.into_iter().map(|id| id.trim().to_string()).collect();
            if ids.len() < CAROUSEL_MIN || ids.len() > CAROUSEL_MAX {
                return Err(GraphError::carousel_child_count());
            }
            for (i, id) in ids.iter().enumerate() {
                if ids[..i].contains(id) {
                    return Err(GraphError::invalid_parameter(&format!(
                        "The container {id} appears twice in children"
                    )));
                }
            }
            ids
        }
        (_, Some(_)) => return Err(unsupported("children", is_video)),
        (_, None) => Vec::new(),
    };

    let options = read_options(params, ctx, kind, is_video, is_carousel_item)?;
    let cover_url = text(params, "cover_url")?;
    if let Some(url) = &cover_url {
        if kind != Kind::Reels {
            return Err(unsupported("cover_url", is_video));
        }
        if !acceptable_url(url) {
            return Err(GraphError::media_fetch_failed(url));
        }
    }
    Ok(NewContainer {
        kind,
        is_video,
        is_carousel_item,
        resumable,
        source_url,
        cover_url,
        children,
        options,
    })
}

fn read_options(
    params: &Params,
    ctx: &Context,
    kind: Kind,
    is_video: bool,
    is_item: bool,
) -> Result<Options, GraphError> {
    let unsupported =
        |name: &str| GraphError::param_not_supported(name, kind.described(is_video, is_item));
    let is_image = !is_video && matches!(kind, Kind::Image | Kind::Stories);
    let mut options = Options::default();

    if let Some(caption) = params.str("caption").map_err(param)? {
        if is_item || kind == Kind::Stories {
            return Err(unsupported("caption"));
        }
        check_caption(&caption)?;
        options.caption = Some(caption);
    }
    if let Some(alt) = params.str("alt_text").map_err(param)? {
        if kind != Kind::Image {
            return Err(unsupported("alt_text"));
        }
        let chars = alt.chars().count();
        if chars > ALT_TEXT_MAX_CHARS {
            return Err(GraphError::invalid_parameter(&format!(
                "alt_text is {chars} characters long; the maximum is {ALT_TEXT_MAX_CHARS}"
            )));
        }
        options.alt_text = Some(alt);
    }
    if let Some(location) = text(params, "location_id")? {
        if is_item || kind == Kind::Stories {
            return Err(unsupported("location_id"));
        }
        options.location_id = Some(location);
    }
    if let Some(names) = params.list("collaborators").map_err(param)? {
        let feed_image = kind == Kind::Image && !is_item;
        if !(feed_image || matches!(kind, Kind::Reels | Kind::Carousel)) {
            return Err(unsupported("collaborators"));
        }
        let names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        if names.len() > MAX_COLLABORATORS {
            return Err(GraphError::invalid_parameter(&format!(
                "A media can have up to {MAX_COLLABORATORS} collaborators; {} were given",
                names.len()
            )));
        }
        options.collaborators = names;
    }
    if let Some(items) = params.json_array("user_tags").map_err(param)? {
        let allowed = match kind {
            Kind::Image | Kind::Reels => true,
            Kind::Video => !is_item,
            Kind::Stories => ctx.now >= STORY_USER_TAGS_START,
            Kind::Carousel => false,
        };
        if !allowed {
            return Err(unsupported("user_tags"));
        }
        options.user_tags = read_user_tags(&items, is_image, kind == Kind::Stories)?;
    }
    if let Some(items) = params.json_array("product_tags").map_err(param)? {
        if kind == Kind::Stories {
            return Err(unsupported("product_tags"));
        }
        if !ctx.may_tag_products {
            return Err(GraphError::permission_required(&[
                "catalog_management",
                "instagram_shopping_tag_products",
            ]));
        }
        let max = match (kind, is_item) {
            (Kind::Reels, _) => REEL_PRODUCT_TAGS,
            (_, true) => SLIDE_PRODUCT_TAGS.min(ctx.feed_product_tags),
            _ => ctx.feed_product_tags,
        };
        options.product_tags = read_product_tags(&items, max, is_image, kind == Kind::Carousel)?;
        if !ctx.account.shopping_product_tag_eligibility {
            return Err(GraphError::product_tags_invalid());
        }
    }
    if let Some(share) = params.bool("share_to_feed").map_err(param)? {
        match kind {
            Kind::Reels => options.share_to_feed = Some(share),
            // Listed in the carousel request syntax (ref 001 L149-161) though reels-only:
            // taken and ignored.
            Kind::Carousel => {}
            _ => return Err(unsupported("share_to_feed")),
        }
    }
    if let Some(offset) = params.i64("thumb_offset").map_err(param)? {
        if !is_video {
            return Err(unsupported("thumb_offset"));
        }
        options.thumb_offset = Some(offset);
    }
    if let Some(audio) = text(params, "audio_name")? {
        if kind != Kind::Reels {
            return Err(unsupported("audio_name"));
        }
        options.audio_name = Some(audio);
    }
    if let Some(trial) = params.json_object("trial_params").map_err(param)? {
        if kind != Kind::Reels {
            return Err(unsupported("trial_params"));
        }
        options.trial_params = Some(read_trial(trial)?);
    }
    Ok(options)
}

/// Counts `#tags` and `@mentions` that start a word.
pub fn count_tags(caption: &str) -> (u32, u32) {
    let mut hashtags = 0;
    let mut mentions = 0;
    let chars: Vec<char> = caption.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '#' && *c != '@' {
            continue;
        }
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let followed = chars
            .get(i + 1)
            .is_some_and(|n| n.is_alphanumeric() || *n == '_' || (*c == '@' && *n == '.'));
        if starts_word && followed {
            if *c == '#' {
                hashtags += 1;
            } else {
                mentions += 1;
            }
        }
    }
    (hashtags, mentions)
}

/// 2,200 characters (36004/2207010), 30 hashtags and 20 @ tags (100/2207040).
pub fn check_caption(caption: &str) -> Result<(), GraphError> {
    let chars = caption.chars().count();
    if chars > CAPTION_MAX_CHARS {
        return Err(GraphError::caption_too_long(chars, CAPTION_MAX_CHARS));
    }
    let (hashtags, mentions) = count_tags(caption);
    if mentions > CAPTION_MAX_MENTIONS {
        return Err(GraphError::too_many_tags(CAPTION_MAX_MENTIONS));
    }
    if hashtags > CAPTION_MAX_HASHTAGS {
        return Err(GraphError::too_many_tags(CAPTION_MAX_HASHTAGS));
    }
    Ok(())
}

fn coordinate(
    object: &Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<Option<f64>, GraphError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let number = value
                .as_f64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n: &f64| n.is_finite() && (0.0..=1.0).contains(n));
            number.map(Some).ok_or_else(|| {
                GraphError::invalid_parameter(&format!(
                    "{what} {name} must be a number from 0.0 to 1.0"
                ))
            })
        }
    }
}

fn read_user_tags(
    items: &[Value],
    is_image: bool,
    is_story: bool,
) -> Result<Vec<UserTag>, GraphError> {
    let mut tags = Vec::with_capacity(items.len());
    for item in items {
        let Some(object) = item.as_object() else {
            return Err(GraphError::param_invalid(
                "user_tags",
                "an array of objects",
            ));
        };
        let username = object
            .get("username")
            .and_then(Value::as_str)
            .map(|u| u.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| GraphError::param_required("user_tags[].username"))?;
        let x = coordinate(object, "x", "user_tags")?;
        let y = coordinate(object, "y", "user_tags")?;
        match (
            is_image,
            is_story,
            x.is_some() || y.is_some(),
            x.is_some() && y.is_some(),
        ) {
            // Images need both coordinates (ref 001 L341-349).
            (true, false, _, false) => {
                return Err(GraphError::invalid_parameter(
                    "user_tags on images need x and y coordinates",
                ))
            }
            // Stories take both or neither.
            (_, true, true, false) => {
                return Err(GraphError::invalid_parameter(
                    "user_tags on stories take both x and y, or neither",
                ))
            }
            // Coordinates apply only to images and stories.
            (false, false, true, _) => {
                return Err(GraphError::invalid_parameter(
                    "user_tags coordinates apply only to images and stories",
                ))
            }
            _ => {}
        }
        if tags.iter().any(|t: &UserTag| t.username == username) {
            return Err(GraphError::invalid_parameter(&format!(
                "The user {username} is tagged twice"
            )));
        }
        tags.push(UserTag { username, x, y });
    }
    Ok(tags)
}

/// Reads `product_tags` (and, for tags added later, `updated_tags`: issue #13).
pub(crate) fn read_product_tags(
    items: &[Value],
    max: usize,
    is_image: bool,
    is_carousel: bool,
) -> Result<Vec<ProductTag>, GraphError> {
    if items.len() > max {
        return Err(GraphError::invalid_parameter(&format!(
            "Cannot use more than {max} product tags on this media"
        )));
    }
    let mut tags: Vec<ProductTag> = Vec::with_capacity(items.len());
    for item in items {
        let Some(object) = item.as_object() else {
            return Err(GraphError::param_invalid(
                "product_tags",
                "an array of objects",
            ));
        };
        let product_id = match object.get("product_id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(GraphError::param_required("product_tags[].product_id")),
        };
        let x = coordinate(object, "x", "product_tags")?;
        let y = coordinate(object, "y", "product_tags")?;
        let positioned = x.is_some() || y.is_some();
        if is_image && !(x.is_some() && y.is_some()) {
            return Err(GraphError::product_tag_positions_required());
        }
        if !is_image && !is_carousel && positioned {
            return Err(GraphError::product_tag_positions_on_video());
        }
        if tags.iter().any(|t| t.product_id == product_id) {
            return Err(GraphError::invalid_parameter(&format!(
                "The product {product_id} is tagged twice"
            )));
        }
        tags.push(ProductTag { product_id, x, y });
    }
    Ok(tags)
}

fn read_trial(trial: Map<String, Value>) -> Result<Value, GraphError> {
    for key in trial.keys() {
        if key != "graduation_strategy" {
            return Err(GraphError::invalid_parameter(&format!(
                "trial_params has no field {key}"
            )));
        }
    }
    match trial.get("graduation_strategy").and_then(Value::as_str) {
        Some(s) if GRADUATION_STRATEGIES.contains(&s) => Ok(Value::Object(trial)),
        Some(other) => Err(GraphError::param_not_one_of(
            "trial_params.graduation_strategy",
            GRADUATION_STRATEGIES,
            other,
        )),
        None => Err(GraphError::param_required(
            "trial_params.graduation_strategy",
        )),
    }
}

/// The checks that need the store: tagged users and collaborators exist and are public,
/// `location_id` is a Page with location data, and the children are usable carousel items of
/// this account. Runs in the creating transaction.
pub fn check_references(
    conn: &Reader,
    account: &Account,
    new: &NewContainer,
    now_ms: i64,
    feed_product_tags: usize,
) -> StoreResult<Result<(), GraphError>> {
    let mut carousel_tags = new.options.product_tags.len();
    for tag in &new.options.user_tags {
        match publishing_setup::instagram_user(conn, &tag.username)? {
            None => {
                return Ok(Err(GraphError::invalid_parameter(&format!(
                    "The user with username {} does not exist",
                    tag.username
                ))))
            }
            Some(user) if user.is_private => {
                return Ok(Err(GraphError::invalid_parameter(&format!(
                    "The user {} is private: only public users can be tagged",
                    tag.username
                ))))
            }
            _ => {}
        }
    }
    for name in &new.options.collaborators {
        if *name == account.username {
            return Ok(Err(GraphError::invalid_parameter(
                "An account cannot be its own collaborator",
            )));
        }
        if publishing_setup::instagram_user(conn, name)?.is_none() {
            return Ok(Err(GraphError::invalid_parameter(&format!(
                "The collaborator {name} does not exist"
            ))));
        }
    }
    if let Some(location) = &new.options.location_id {
        if publishing_setup::location(conn, location)?.is_none() {
            return Ok(Err(GraphError::invalid_location_id(location)));
        }
    }
    for id in &new.children {
        let Some(child) = containers::get(conn, id)? else {
            return Ok(Err(GraphError::media_not_found(id)));
        };
        if child.account_id != account.id {
            return Ok(Err(GraphError::media_not_found(id)));
        }
        if !child.is_carousel_item {
            return Ok(Err(GraphError::invalid_parameter(&format!(
                "The container {id} was not created as a carousel item (is_carousel_item=true)"
            ))));
        }
        match status::single(&child, now_ms).code {
            Code::Expired => return Ok(Err(GraphError::media_builder_not_found(id))),
            Code::Published => return Ok(Err(GraphError::media_not_found(id))),
            _ => {}
        }
        carousel_tags += Options::from_json(&child.params).product_tags.len();
    }
    // A carousel holds at most this many tags over all its slides (ref 001 L9835-9938).
    if new.kind == Kind::Carousel && carousel_tags > feed_product_tags {
        return Ok(Err(GraphError::invalid_parameter(&format!(
            "Cannot use more than {feed_product_tags} product tags on this media"
        ))));
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(kind: &str) -> Account {
        Account {
            id: "17841400000000001".into(),
            username: "shop".into(),
            name: "Shop".into(),
            account_type: kind.into(),
            biography: String::new(),
            website: None,
            profile_picture_url: None,
            followers_count: 0,
            follows_count: 0,
            is_private: false,
            is_published: true,
            legacy_instagram_user_id: String::new(),
            shopping_product_tag_eligibility: true,
            page_id: None,
            created_at: 0,
        }
    }

    fn read_with(query: &str, api: Api, kind: &str) -> Result<NewContainer, GraphError> {
        let params = Params::from_urlencoded(query.as_bytes());
        let account = account(kind);
        read(
            &params,
            &Context {
                api,
                account: &account,
                now: 1_763_700_000,
                may_tag_products: true,
                feed_product_tags: FEED_PRODUCT_TAGS,
            },
        )
    }

    fn fb(query: &str) -> Result<NewContainer, GraphError> {
        read_with(query, Api::Facebook, "BUSINESS")
    }

    fn code(result: Result<NewContainer, GraphError>) -> (i64, Option<i64>, String) {
        let e = result.unwrap_err();
        (e.code, e.subcode, e.message)
    }

    #[test]
    fn the_variants_read_as_their_kinds() {
        let image = fb("image_url=https://x.example/a.jpg&caption=hi&alt_text=a%20dog").unwrap();
        assert_eq!((image.kind, image.is_video), (Kind::Image, false));
        assert_eq!(image.options.alt_text.as_deref(), Some("a dog"));
        let reel = fb("media_type=REELS&video_url=https://x.example/a.mp4&share_to_feed=false&thumb_offset=1500&audio_name=Song").unwrap();
        assert_eq!((reel.kind, reel.is_video), (Kind::Reels, true));
        assert_eq!(reel.options.share_to_feed, Some(false));
        let resumable = fb("media_type=REELS&upload_type=resumable").unwrap();
        assert!(resumable.resumable && resumable.source_url.is_none());
        let item = fb("media_type=VIDEO&is_carousel_item=true&upload_type=resumable").unwrap();
        assert!(item.is_carousel_item && item.is_video);
        let story = fb("media_type=STORIES&image_url=https://x.example/s.jpg").unwrap();
        assert_eq!((story.kind, story.is_video), (Kind::Stories, false));
        let carousel =
            fb("media_type=CAROUSEL&children=%5B1%2C%202%5D&caption=c&share_to_feed=true").unwrap();
        assert_eq!(carousel.children, vec!["1", "2"]);
        let spaced = fb("media_type=CAROUSEL&children=11,%2022,%2033").unwrap();
        assert_eq!(spaced.children, vec!["11", "22", "33"]);
    }

    #[test]
    fn each_violation_gets_its_error() {
        // ref 001 L3415-3423, L3425-3433, L3535-3543, L3465-3473
        assert_eq!(
            code(fb("media_type=PHOTO&image_url=https://x.example/a.jpg")),
            (
                100,
                Some(2207023),
                "The media type PHOTO is unknown.".into()
            )
        );
        assert_eq!(code(fb("media_type=CAROUSEL&children=1")).1, Some(2207028));
        assert_eq!(
            code(fb("media_type=CAROUSEL&children=1,2,3,4,5,6,7,8,9,10,11")).1,
            Some(2207028)
        );
        let long = "a".repeat(2201);
        assert_eq!(
            code(fb(&format!(
                "image_url=https://x.example/a.jpg&caption={long}"
            )))
            .1,
            Some(2207010)
        );
        let mentions: String = (0..21).map(|i| format!("%40user{i}%20")).collect();
        let e = fb(&format!(
            "image_url=https://x.example/a.jpg&caption={mentions}"
        ))
        .unwrap_err();
        assert_eq!((e.code, e.subcode), (100, Some(2207040)));
        assert_eq!(e.message, "Cannot use more than 20 tags per created media.");
        let hashtags: String = (0..31).map(|i| format!("%23tag{i}%20")).collect();
        let e = fb(&format!(
            "image_url=https://x.example/a.jpg&caption={hashtags}"
        ))
        .unwrap_err();
        assert_eq!(e.message, "Cannot use more than 30 tags per created media.");
        assert_eq!(
            code(fb("image_url=https://x.example/caf%C3%A9.jpg")).1,
            Some(2207052)
        );
        assert_eq!(
            code(fb("media_type=VIDEO&video_url=https://x.example/a.mp4")).1,
            Some(2207023),
            "VIDEO is only for carousel items since November 9, 2023"
        );
        assert_eq!(
            code(fb("media_type=REELS")).2,
            "(#100) The parameter video_url is required"
        );
        assert_eq!(code(fb("media_type=REELS&upload_type=RESUMABLE")).0, 100);
        assert!(code(read_with(
            "media_type=REELS&upload_type=resumable",
            Api::Instagram,
            "BUSINESS"
        ))
        .2
        .contains("upload_type"));
        assert!(code(fb(
            "media_type=REELS&is_carousel_item=true&video_url=https://x.example/a.mp4"
        ))
        .2
        .contains("is_carousel_item"));
        assert!(code(fb(
            "image_url=https://x.example/a.jpg&is_carousel_item=true&caption=x"
        ))
        .2
        .contains("caption"));
        assert!(code(fb(
            "image_url=https://x.example/a.jpg&is_carousel_item=true&location_id=1"
        ))
        .2
        .contains("location_id"));
        assert!(code(fb(
            "media_type=REELS&video_url=https://x.example/a.mp4&alt_text=x"
        ))
        .2
        .contains("alt_text"));
        assert!(code(fb("image_url=https://x.example/a.jpg&audio_name=x"))
            .2
            .contains("audio_name"));
        assert!(code(fb(
            "media_type=STORIES&image_url=https://x.example/a.jpg&collaborators=a"
        ))
        .2
        .contains("collaborators"));
        assert!(code(fb(
            "image_url=https://x.example/a.jpg&collaborators=a,b,c,d"
        ))
        .2
        .contains("up to 3"));
        assert!(code(fb(
            "image_url=https://x.example/a.jpg&user_tags=%5B%7Busername%3A'a'%7D%5D"
        ))
        .2
        .contains("x and y"));
        assert!(code(fb("media_type=VIDEO&is_carousel_item=true&upload_type=resumable&user_tags=%5B%7Busername%3A'a'%7D%5D")).2.contains("user_tags"));
        assert!(code(fb("media_type=REELS&video_url=https://x.example/a.mp4&trial_params=%7Bgraduation_strategy%3A'NEVER'%7D")).2.contains("graduation_strategy"));
        assert!(code(read_with(
            "media_type=STORIES&image_url=https://x.example/a.jpg",
            Api::Facebook,
            "CREATOR"
        ))
        .2
        .contains("business"));
        // Product tags: positions required on photos, refused on videos (ref 001 L3435-3453).
        assert_eq!(
            code(fb(
                "image_url=https://x.example/a.jpg&product_tags=%5B%7Bproduct_id%3A'1'%7D%5D"
            ))
            .1,
            Some(2207036)
        );
        assert_eq!(
            code(fb("media_type=REELS&video_url=https://x.example/a.mp4&product_tags=%5B%7Bproduct_id%3A'1'%2Cx%3A0.5%2Cy%3A0.5%7D%5D")).1,
            Some(2207035)
        );
    }

    #[test]
    fn tags_are_counted_where_words_start() {
        assert_eq!(count_tags("#a #b @c mail@example.com #"), (2, 1));
        assert_eq!(count_tags("#BronzedFonzes!"), (1, 0));
        assert_eq!(count_tags("@natgeo and @kevin.hart"), (0, 2));
    }
}
