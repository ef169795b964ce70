//! Published IG Media rows and the account's media edge.

use rusqlite::{params, Connection, Row};

use super::{optional, StoreResult};

/// New columns get defaults here, so code that builds a `Media` can write
/// `..Default::default()` and keep compiling as the row grows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Media {
    pub id: String,
    pub account_id: String,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    pub media_type: String,
    /// `FEED`, `REELS` or `STORY`.
    pub media_product_type: String,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub media_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub permalink: String,
    pub shortcode: String,
    pub is_comment_enabled: bool,
    pub is_shared_to_feed: Option<bool>,
    pub like_count: i64,
    pub comments_count: i64,
    /// The carousel this media is a child of.
    pub parent_id: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, account_id, media_type, media_product_type, caption, alt_text, media_url, \
     thumbnail_url, permalink, shortcode, is_comment_enabled, is_shared_to_feed, like_count, \
     comments_count, parent_id, created_at";

fn from_row(r: &Row) -> rusqlite::Result<Media> {
    Ok(Media {
        id: r.get(0)?,
        account_id: r.get(1)?,
        media_type: r.get(2)?,
        media_product_type: r.get(3)?,
        caption: r.get(4)?,
        alt_text: r.get(5)?,
        media_url: r.get(6)?,
        thumbnail_url: r.get(7)?,
        permalink: r.get(8)?,
        shortcode: r.get(9)?,
        is_comment_enabled: r.get(10)?,
        is_shared_to_feed: r.get(11)?,
        like_count: r.get(12)?,
        comments_count: r.get(13)?,
        parent_id: r.get(14)?,
        created_at: r.get(15)?,
    })
}

/// The key that orders an account's media newest first: inverted time, then id.
pub fn sort_key(created_at: i64, id: &str) -> String {
    format!("{:016}:{id}", i64::MAX / 2 - created_at)
}

pub fn insert(conn: &Connection, media: &Media) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO media ({COLUMNS}, sort_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ),
        params![
            media.id,
            media.account_id,
            media.media_type,
            media.media_product_type,
            media.caption,
            media.alt_text,
            media.media_url,
            media.thumbnail_url,
            media.permalink,
            media.shortcode,
            media.is_comment_enabled,
            media.is_shared_to_feed,
            media.like_count,
            media.comments_count,
            media.parent_id,
            media.created_at,
            sort_key(media.created_at, &media.id)
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> StoreResult<Option<Media>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM media WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

/// Which of an account's media an edge lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `/{ig-user-id}/media`: feed and reels, no stories, no carousel children.
    Feed,
    /// `/{ig-user-id}/stories`.
    Stories,
}

/// One window of an account's media, keyset-paged. `after`: items after this key (newest
/// first); `before`: items before it, nearest first. `since`/`until` bound the creation time.
pub struct Window<'a> {
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub limit: usize,
}

pub fn list(
    conn: &Connection,
    account_id: &str,
    listing: Listing,
    window: &Window,
) -> StoreResult<Vec<(String, Media)>> {
    let kind = match listing {
        Listing::Feed => "media_product_type <> 'STORY'",
        Listing::Stories => "media_product_type = 'STORY'",
    };
    let (cursor, order) = match (window.before, window.after) {
        (Some(_), _) => ("sort_key < ?2", "DESC"),
        (None, Some(_)) => ("sort_key > ?2", "ASC"),
        (None, None) => ("?2 IS NULL", "ASC"),
    };
    let sql = format!(
        "SELECT {COLUMNS}, sort_key FROM media
         WHERE account_id = ?1 AND parent_id IS NULL AND {kind} AND {cursor}
           AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at <= ?4)
         ORDER BY sort_key {order} LIMIT ?5"
    );
    let key = window.before.or(window.after);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            account_id,
            key,
            window.since,
            window.until,
            window.limit as i64
        ],
        |r| Ok((r.get::<_, String>(16)?, from_row(r)?)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn children(conn: &Connection, parent_id: &str) -> StoreResult<Vec<Media>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media WHERE parent_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([parent_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn by_shortcode(conn: &Connection, shortcode: &str) -> StoreResult<Option<Media>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM media WHERE shortcode = ?1"))?;
    optional(stmt.query_row([shortcode], from_row))
}
