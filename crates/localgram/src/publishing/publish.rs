//! Turning a FINISHED container into IG Media (ref 001 L1549-1580, L7902-7974; 004
//! L2804-2845): a reel reads back as `VIDEO`/`REELS`, a story as `IMAGE` or `VIDEO`/`STORY`,
//! a carousel as `CAROUSEL_ALBUM` with its children, everything else as `FEED`. The media's
//! files are served by localgram's media host.

use crate::store::{Reader, Writer};
use std::collections::HashMap;

use super::request::{Kind, Options, UserTag};
use super::specs::Checked;
use super::{fetch, synth};
use crate::nodes::{kinds, NodeKind};
use crate::sim::media::shortcode_for;
use crate::state::Shared;
use crate::store::accounts::Account;
use crate::store::containers::Container;
use crate::store::media::{self, Media};
use crate::store::{accounts, media_files, person_media, StoreError, StoreResult};

/// Poster frames are generated at most this wide (videos without a `cover_url`).
const POSTER_MAX_WIDTH: u32 = 640;

/// The poster size for a video of `width` × `height`.
fn poster_size(width: u32, height: u32) -> (u32, u32) {
    let (width, height) = (width.max(1), height.max(1));
    let w = width.min(POSTER_MAX_WIDTH);
    let h = (u64::from(height) * u64::from(w) / u64::from(width)).clamp(1, 4096) as u32;
    (w, h)
}

fn poster_checked(size: (u32, u32)) -> Checked {
    Checked {
        width: size.0,
        height: size.1,
        duration_ms: None,
        content_type: "image/jpeg",
        extension: "jpg",
    }
}

/// The video containers that need a generated poster (no cover), with their file's hash.
fn needing_posters<'a>(
    containers: &'a [&'a Container],
) -> impl Iterator<Item = (&'a Container, &'a str)> {
    containers
        .iter()
        .filter(|c| c.is_video && c.cover_sha256.is_none())
        .filter_map(|c| Some((*c, c.file_sha256.as_deref()?)))
}

/// The poster size for a video file, from its recorded dimensions when there are any.
fn poster_size_of(file: StoreResult<Option<media_files::MediaFile>>) -> (u32, u32) {
    let dims = file
        .ok()
        .flatten()
        .map(|f| {
            (
                f.width.unwrap_or(1080) as u32,
                f.height.unwrap_or(1920) as u32,
            )
        })
        .unwrap_or((1080, 1920));
    poster_size(dims.0, dims.1)
}

/// The record of a poster already on disk.
fn poster_row(state: &Shared, sha: &str, size: (u32, u32)) -> media_files::MediaFile {
    let checked = poster_checked(size);
    media_files::MediaFile {
        sha256: sha.to_string(),
        size: std::fs::metadata(state.publishing.files.path_of(sha))
            .map(|m| m.len() as i64)
            .unwrap_or_default(),
        content_type: checked.content_type.into(),
        extension: checked.extension.into(),
        width: Some(i64::from(size.0)),
        height: Some(i64::from(size.1)),
        duration_ms: None,
        created_at: state.clock.now(),
    }
}

/// The hash of a poster once recorded, remembered for its size when it was just generated.
fn recorded_poster(
    state: &Shared,
    size: (u32, u32),
    existing: Option<String>,
    outcome: StoreResult<Option<super::files::Stored>>,
) -> Option<String> {
    match (existing, outcome) {
        (Some(sha), Ok(_)) => Some(sha),
        (None, Ok(Some(stored))) => {
            state
                .publishing
                .remember_poster(size, stored.sha256.clone());
            Some(stored.sha256)
        }
        (None, Ok(None)) => None,
        (Some(_), Err(e)) => {
            tracing::error!("cannot record a poster frame: {e}");
            None
        }
        (None, Err(e)) => {
            tracing::error!("cannot store a poster frame: {e}");
            None
        }
    }
}

/// The thumbnail URL of each video container without a cover: a generated JPEG the size of
/// the video (scaled down), stored once per size. Runs before the publishing transaction.
pub async fn posters(state: &Shared, containers: &[&Container]) -> HashMap<String, String> {
    let mut urls = HashMap::new();
    for (c, sha) in needing_posters(containers) {
        let file = sha.to_string();
        let size = poster_size_of(state.db.read(move |r| media_files::get(r, &file)).await);
        let existing = state.publishing.poster(size);
        let outcome = match &existing {
            // Recorded again: a reset empties the records while the bytes stay on disk.
            Some(sha) => {
                let row = poster_row(state, sha, size);
                state
                    .db
                    .write(move |tx| media_files::insert(tx, &row))
                    .await
                    .map(|()| None)
            }
            None => {
                let bytes = synth::jpeg(size.0 as u16, size.1 as u16);
                fetch::store_bytes(state, &bytes, &poster_checked(size))
                    .await
                    .map(Some)
            }
        };
        if let Some(poster) = recorded_poster(state, size, existing, outcome) {
            urls.insert(c.id.clone(), state.publishing.files.url(&poster, "jpg"));
        }
    }
    urls
}

/// The media host URL of a container's file.
fn file_url(conn: &Reader, state: &Shared, sha256: &str) -> StoreResult<String> {
    let extension = media_files::get(conn, sha256)?
        .map(|f| f.extension)
        .unwrap_or_else(|| "jpg".into());
    Ok(state.publishing.files.url(sha256, &extension))
}

struct Shape {
    media_type: &'static str,
    product: &'static str,
}

fn shape(c: &Container) -> Shape {
    let kind = Kind::parse(&c.kind);
    let media_type = match (kind, c.is_video) {
        (Kind::Carousel, _) => "CAROUSEL_ALBUM",
        (_, true) => "VIDEO",
        (_, false) => "IMAGE",
    };
    let product = match kind {
        Kind::Reels => "REELS",
        Kind::Stories => "STORY",
        _ => "FEED",
    };
    Shape {
        media_type,
        product,
    }
}

/// The permalink Instagram gives each surface.
fn permalink(product: &str, shortcode: &str, username: &str, id: &str) -> String {
    match product {
        "REELS" => format!("https://www.instagram.com/reel/{shortcode}/"),
        "STORY" => format!("https://www.instagram.com/stories/{username}/{id}/"),
        _ => format!("https://www.instagram.com/p/{shortcode}/"),
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    conn: &Reader,
    state: &Shared,
    id: String,
    account: &Account,
    c: &Container,
    parent: Option<&str>,
    posters: &HashMap<String, String>,
    now: i64,
) -> StoreResult<Media> {
    let shape = shape(c);
    let options = Options::from_json(&c.params);
    let shortcode = shortcode_for(&id);
    let media_url = match &c.file_sha256 {
        Some(sha) => Some(file_url(conn, state, sha)?),
        None => None,
    };
    let thumbnail_url = if c.is_video {
        match &c.cover_sha256 {
            Some(sha) => Some(state.publishing.files.url(sha, "jpg")),
            None => posters.get(&c.id).cloned(),
        }
    } else {
        None
    };
    Ok(Media {
        permalink: permalink(shape.product, &shortcode, &account.username, &id),
        id,
        account_id: account.id.clone(),
        media_type: shape.media_type.into(),
        media_product_type: shape.product.into(),
        caption: if parent.is_some() {
            None
        } else {
            options.caption.clone()
        },
        alt_text: options.alt_text.clone(),
        media_url,
        thumbnail_url,
        shortcode,
        is_comment_enabled: true,
        is_shared_to_feed: (shape.product == "REELS")
            .then(|| options.share_to_feed.unwrap_or(true)),
        like_count: 0,
        comments_count: 0,
        parent_id: parent.map(str::to_string),
        created_at: now,
        ..Default::default()
    })
}

/// Creates the IG Media of a FINISHED container (and a carousel's children, in album order)
/// inside the publishing transaction. `now` is in Unix seconds.
pub fn create_media(
    tx: &Writer,
    state: &Shared,
    account: &Account,
    container: &Container,
    children: &[Container],
    posters: &HashMap<String, String>,
    now: i64,
) -> Result<Media, StoreError> {
    let mint = |tx: &Writer| kinds::mint(tx, &state.ids, NodeKind::IgMedia, now);
    let id = mint(tx)?;
    let parent = row(tx, state, id, account, container, None, posters, now)?;
    let key = media::insert(tx, &parent)?;
    crate::insights::story::schedule(tx, state, &parent)?;
    crate::hashtags::index(
        tx,
        &crate::hashtags::Indexed {
            media_id: &parent.id,
            by_person: false,
            product: &parent.media_product_type,
            created_at: parent.created_at,
            sort_key: &key,
        },
        parent.caption.as_deref(),
        now,
    )?;
    let options = Options::from_json(&container.params);
    tag_accounts(tx, &parent, &key, &options.user_tags, now)?;
    crate::shopping::tag_media(tx, &parent.id, &options.product_tags)?;
    invite_collaborators(tx, &parent, &options.collaborators, now)?;
    // Children list by id: give them ascending ids in album order.
    let mut ids = Vec::with_capacity(children.len());
    for _ in &container.children {
        ids.push(mint(tx)?);
    }
    ids.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    for (child_id, media_id) in container.children.iter().zip(ids) {
        let Some(child) = children.iter().find(|c| &c.id == child_id) else {
            continue;
        };
        let child_row = row(
            tx,
            state,
            media_id,
            account,
            child,
            Some(&parent.id),
            posters,
            now,
        )?;
        media::insert(tx, &child_row)?;
        let child_options = Options::from_json(&child.params);
        crate::shopping::tag_media(tx, &child_row.id, &child_options.product_tags)?;
        // A carousel item's tags tag the album, which is what the tags edge lists.
        let tags = Options::from_json(&child.params).user_tags;
        tag_accounts(tx, &parent, &key, &tags, now)?;
    }
    Ok(parent)
}

/// `user_tags` once published (ref 001 L341-349): each tagged professional account finds the
/// media on its `tags` edge (ref 001 L8605-8620), listed by the media's own key. Tagged people
/// have no API to read it; their tags stay with the container (decisions.md). An account's
/// tag of itself is not "tagged by another Instagram user" and is not listed.
fn tag_accounts(
    tx: &Writer,
    media: &Media,
    key: &str,
    tags: &[UserTag],
    now: i64,
) -> StoreResult<()> {
    for tag in tags {
        let Some(tagged) = accounts::by_username(tx, &tag.username)? else {
            continue;
        };
        if tagged.id != media.account_id {
            person_media::tag(tx, &media.id, &tagged.id, tag.x, tag.y, now, key)?;
        }
    }
    Ok(())
}

/// `collaborators` once published (ref 001 L257-263): each is invited, `Pending` on the
/// media's `collaborators` edge (ref 001 L4840-4931) until they accept or decline through
/// the control API.
fn invite_collaborators(
    tx: &Writer,
    media: &Media,
    collaborators: &[String],
    now: i64,
) -> StoreResult<()> {
    for username in collaborators {
        person_media::set_collaborator(tx, &media.id, username, PENDING, now)?;
    }
    Ok(())
}

/// The invite status of a collaborator who has not answered yet (ref 001 L4920-4923).
pub const PENDING: &str = "Pending";
/// ... and of one who accepted.
pub const ACCEPTED: &str = "Accepted";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn posters_are_generated_once_and_recorded_again() {
        let state = crate::state::AppState::open(crate::config::Config::default()).unwrap();
        let video = Container {
            id: "c1".into(),
            is_video: true,
            file_sha256: Some("f".repeat(64)),
            ..Container::default()
        };
        let covered = Container {
            id: "c2".into(),
            is_video: true,
            file_sha256: Some("f".repeat(64)),
            cover_sha256: Some("e".repeat(64)),
            ..Container::default()
        };
        let first = posters(&state, &[&video, &covered]).await;
        assert_eq!(first.len(), 1);
        let url = first["c1"].clone();
        let sha = state.publishing.poster(poster_size(1080, 1920)).unwrap();
        assert!(url.contains(&sha));
        // A reset forgets the record; the next publish records the same bytes again.
        state.reset().await.unwrap();
        let again = posters(&state, &[&video]).await;
        assert_eq!(again["c1"], url);
        let wanted = sha.clone();
        let recorded = state
            .db
            .read(move |r| media_files::get(r, &wanted))
            .await
            .unwrap();
        assert_eq!(recorded.map(|f| f.width), Some(Some(640)));
    }

    #[test]
    fn posters_keep_the_video_shape() {
        assert_eq!(poster_size(1080, 1920), (640, 1137));
        assert_eq!(poster_size(320, 240), (320, 240));
        assert_eq!(poster_size(0, 0), (1, 1));
    }

    #[test]
    fn permalinks_follow_the_surface() {
        assert_eq!(
            permalink("FEED", "abc", "shop", "1"),
            "https://www.instagram.com/p/abc/"
        );
        assert_eq!(
            permalink("REELS", "abc", "shop", "1"),
            "https://www.instagram.com/reel/abc/"
        );
        assert_eq!(
            permalink("STORY", "abc", "shop", "1"),
            "https://www.instagram.com/stories/shop/1/"
        );
    }
}
