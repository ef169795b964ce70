//! `POST /_localgram/accounts/{id}/media`: the account posts from the Instagram app, outside
//! the API. Later areas extend the body (image bytes, mentions, tags); these fields stay.
//! Every media gets real files on the media host: the bytes given, else generated ones.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use base64::Engine;
use graph::ids::{splitmix64, IdKind};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::publishing::placeholders::{self, Placeholder};
use crate::router::NodeKind;
use crate::state::Shared;
use crate::store::media::{self, Media};
use crate::store::{accounts, media_files, objects, StoreError};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMedia {
    #[schema(schema_with = crate::sim::openapi::vocab::posted_media_type)]
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    #[serde(default = "image")]
    pub media_type: String,
    #[schema(schema_with = crate::sim::openapi::vocab::media_product_type)]
    /// `FEED`, `REELS` or `STORY`; reels are videos.
    #[serde(default = "feed")]
    pub media_product_type: String,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    #[schema(minimum = 2, maximum = 10)]
    /// Number of images in an album (2 to 10).
    pub children: Option<u32>,
    #[schema(format = DateTime)]
    /// When it was posted (RFC 3339); defaults to now. Lets tests build a history.
    pub timestamp: Option<String>,
    #[serde(default)]
    pub comments_disabled: bool,
    pub like_count: Option<i64>,
    /// The photo (a JPEG), base64; a generated JPEG is served when left out
    pub image_base64: Option<String>,
    /// The video (an MP4 or MOV), base64; a generated MP4 is served when left out
    pub video_base64: Option<String>,
}

fn image() -> String {
    "IMAGE".into()
}

fn feed() -> String {
    "FEED".into()
}

/// An 11-character shortcode, as Instagram's look, derived from the media id.
pub fn shortcode_for(id: &str) -> String {
    let seed = splitmix64(id.parse::<u64>().unwrap_or(0));
    let bytes = [seed.to_be_bytes(), splitmix64(seed).to_be_bytes()].concat();
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    encoded.chars().take(11).collect()
}

/// Inserts one media row (and registers its id) inside a transaction.
#[allow(clippy::too_many_arguments)]
pub fn insert_media(
    tx: &crate::store::Writer,
    state: &Shared,
    account_id: &str,
    media_type: &str,
    product: &str,
    caption: Option<&str>,
    parent: Option<&str>,
    created_at: i64,
) -> Result<Media, StoreError> {
    let id = objects::mint(
        tx,
        &state.ids,
        IdKind::Media,
        NodeKind::IgMedia.as_str(),
        created_at,
    )?;
    let shortcode = shortcode_for(&id);
    let (media_url, thumbnail_url) = match media_type {
        "CAROUSEL_ALBUM" => (None, None),
        "VIDEO" => (
            Some(placeholders::url(tx, state, Placeholder::Video)?),
            Some(placeholders::url(tx, state, Placeholder::Poster)?),
        ),
        _ => (
            Some(placeholders::url(tx, state, Placeholder::Image)?),
            None,
        ),
    };
    let row = Media {
        id: id.clone(),
        account_id: account_id.to_string(),
        media_type: media_type.into(),
        media_product_type: product.into(),
        caption: caption.map(str::to_string),
        alt_text: None,
        media_url,
        thumbnail_url,
        permalink: format!("https://www.instagram.com/p/{shortcode}/"),
        shortcode,
        is_comment_enabled: true,
        is_shared_to_feed: (product == "REELS").then_some(true),
        like_count: 0,
        comments_count: 0,
        parent_id: parent.map(str::to_string),
        created_at,
        ..Default::default()
    };
    let key = media::insert(tx, &row)?;
    crate::insights::story::schedule(tx, state, &row)?;
    if parent.is_none() {
        crate::hashtags::index(
            tx,
            &crate::hashtags::Indexed {
                media_id: &row.id,
                by_person: false,
                product: &row.media_product_type,
                created_at,
                sort_key: &key,
            },
            caption,
            created_at,
        )?;
    }
    Ok(row)
}

/// The media host URL of bytes given as `image_base64` or `video_base64`, stored first.
async fn given_file(
    state: &Shared,
    media_type: &str,
    input: &NewMedia,
) -> Result<Option<String>, ControlError> {
    let (text, video) = match (&input.image_base64, &input.video_base64) {
        (None, None) => return Ok(None),
        (Some(text), None) => (text, false),
        (None, Some(text)) => (text, true),
        (Some(_), Some(_)) => {
            return Err(ControlError::bad_request(
                "give image_base64 or video_base64, not both",
            ))
        }
    };
    if (media_type == "VIDEO") != video || media_type == "CAROUSEL_ALBUM" {
        return Err(ControlError::bad_request(
            "image_base64 goes with IMAGE media and video_base64 with VIDEO media",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| ControlError::bad_request(format!("invalid base64: {e}")))?;
    let stored = super::publishing::store_file(state, &bytes).await?;
    let content_type = stored["content_type"].as_str().unwrap_or_default();
    let fits = if video {
        content_type.starts_with("video/")
    } else {
        content_type == "image/jpeg"
    };
    if !fits {
        return Err(ControlError::bad_request(format!(
            "the bytes are {content_type}, not {}",
            if video {
                "an MP4 or MOV video"
            } else {
                "a JPEG"
            }
        )));
    }
    Ok(stored["url"].as_str().map(str::to_string))
}

pub async fn create_media(
    state: &Shared,
    account_id: &str,
    input: NewMedia,
) -> Result<Media, ControlError> {
    let media_type = input.media_type.to_ascii_uppercase();
    let product = input.media_product_type.to_ascii_uppercase();
    match (media_type.as_str(), product.as_str()) {
        ("IMAGE" | "VIDEO", "FEED" | "STORY") | ("VIDEO", "REELS") | ("CAROUSEL_ALBUM", "FEED") => {
        }
        _ => {
            return Err(ControlError::bad_request(format!(
                "media_type {media_type} cannot be posted as {product}"
            )))
        }
    }
    let children = match (media_type.as_str(), input.children) {
        ("CAROUSEL_ALBUM", Some(n)) if (2..=10).contains(&n) => n,
        ("CAROUSEL_ALBUM", None) => 2,
        ("CAROUSEL_ALBUM", Some(_)) => {
            return Err(ControlError::bad_request("an album has 2 to 10 children"))
        }
        (_, Some(_)) => return Err(ControlError::bad_request("only albums have children")),
        (_, None) => 0,
    };
    let created_at = match &input.timestamp {
        None => state.clock.now(),
        Some(text) => graph::timefmt::parse_rfc3339(text).ok_or_else(|| {
            ControlError::bad_request(format!("timestamp must be RFC 3339, not {text:?}"))
        })?,
    };
    let given = given_file(state, &media_type, &input).await?;
    let (writing, account_id) = (state.clone(), account_id.to_string());
    let media = state
        .db
        .write(
            move |tx| -> Result<Result<Media, ControlError>, StoreError> {
                let (state, account_id) = (&writing, account_id.as_str());
                if accounts::get(tx, account_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no account {account_id}"
                    ))));
                }
                let mut row = insert_media(
                    tx,
                    state,
                    account_id,
                    &media_type,
                    &product,
                    input.caption.as_deref(),
                    None,
                    created_at,
                )?;
                if let Some(url) = &given {
                    media_files::attach(tx, &row.id, url)?;
                    row.media_url = Some(url.clone());
                }
                for _ in 0..children {
                    insert_media(
                        tx,
                        state,
                        account_id,
                        "IMAGE",
                        "FEED",
                        None,
                        Some(&row.id),
                        created_at,
                    )?;
                }
                media::set_details(
                    tx,
                    &row.id,
                    input.alt_text.as_deref(),
                    !input.comments_disabled,
                    input.like_count.unwrap_or(0),
                )?;
                row.alt_text = input.alt_text.clone();
                row.is_comment_enabled = !input.comments_disabled;
                row.like_count = input.like_count.unwrap_or(0);
                Ok(Ok(row))
            },
        )
        .await??;
    Ok(media)
}

#[utoipa::path(
    post,
    path = "/accounts/{id}/media",
    tag = "media",
    operation_id = "media_create",
    summary = "The account posts media from the Instagram app, outside the API",
    description = "Every media gets real files on localgram's media host (its media_url and thumbnail_url answer): the bytes given, else generated ones.",
    params(("id" = String, Path)),
    request_body = Option<NewMedia>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::PostedMedia),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewMedia = parse_body(&body)?;
    let media = create_media(&state, &account_id, input).await?;
    Ok(Json(json!({
        "id": media.id,
        "media_type": media.media_type,
        "media_product_type": media.media_product_type,
        "shortcode": media.shortcode,
        "permalink": media.permalink,
        "timestamp": graph::timefmt::graph_time(media.created_at),
    })))
}
