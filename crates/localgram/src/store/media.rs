//! Published IG Media rows and the account's media edge.

use super::sql::{params, Reader, Row, Writer};

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
    /// When a live broadcast ended (`LIVE` media broadcast while this is `None`).
    pub live_ended_at: Option<i64>,
    /// A person's media (from `person_media`): `account_id` then holds the person's id.
    pub owner_is_person: bool,
}

const COLUMNS: &str =
    "id, account_id, media_type, media_product_type, caption, alt_text, media_url, \
     thumbnail_url, permalink, shortcode, is_comment_enabled, is_shared_to_feed, like_count, \
     comments_count, parent_id, created_at, live_ended_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Media> {
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
        live_ended_at: r.get(16)?,
        owner_is_person: false,
    })
}

/// The key that orders an account's media newest first: inverted time, then the inverted
/// creation sequence, then id (`store::order`).
pub fn sort_key(created_at: i64, sequence: i64, id: &str) -> String {
    super::order::newest_first(created_at, sequence, id)
}

/// Inserts a media; answers its sort key.
pub fn insert(conn: &Writer, media: &Media) -> StoreResult<String> {
    let key = sort_key(
        media.created_at,
        super::order::next_sequence(conn)?,
        &media.id,
    );
    conn.execute(
        &format!(
            "INSERT INTO media ({COLUMNS}, sort_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
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
            media.live_ended_at,
            key
        ],
    )?;
    if media.parent_id.is_none() && is_listed_product(&media.media_product_type) {
        keep_cap(conn, &media.account_id, &key)?;
    }
    Ok(key)
}

/// How many of an account's newest media `GET /{ig-user-id}/media` reaches (ref 001
/// L385-438: "at most the 10,000 most recently created media").
pub const LISTED_MEDIA_CAP: i64 = 10_000;

/// The media kinds the media edge lists: not stories, not live broadcasts.
fn is_listed_product(product: &str) -> bool {
    !matches!(product, "STORY" | "LIVE")
}

/// After a listed media of `account_id` was inserted with `key`: one more listed media, and
/// the floor (the key of the 10,000th newest) moves when the account is past the cap. The
/// new media sorts either above the old floor (then the floor's newer neighbour becomes the
/// 10,000th) or below it (the floor stays): one index step, however many media there are.
fn keep_cap(conn: &Writer, account_id: &str, key: &str) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO media_caps (account_id, listed, floor_key) VALUES (?1, 1, NULL)
         ON CONFLICT (account_id) DO UPDATE SET listed = media_caps.listed + 1",
        [account_id],
    )?;
    let (listed, floor): (i64, Option<String>) = conn
        .prepare_cached("SELECT listed, floor_key FROM media_caps WHERE account_id = ?1")?
        .query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let new_floor = match floor {
        _ if listed <= LISTED_MEDIA_CAP => return Ok(()),
        // Just past the cap: the 10,000th newest, found once.
        None => nth_newest_listed(conn, account_id)?,
        Some(floor) if key.as_bytes() < floor.as_bytes() => optional(
            conn.prepare_cached(
                "SELECT sort_key FROM media
                 WHERE account_id = ?1 AND sort_key < ?2 AND parent_id IS NULL
                   AND media_product_type NOT IN ('STORY', 'LIVE')
                 ORDER BY sort_key DESC LIMIT 1",
            )?
            .query_row(params![account_id, floor], |r| r.get(0)),
        )?,
        Some(_) => return Ok(()),
    };
    conn.execute(
        "UPDATE media_caps SET floor_key = ?2 WHERE account_id = ?1",
        params![account_id, new_floor],
    )?;
    Ok(())
}

fn nth_newest_listed(conn: &Reader, account_id: &str) -> StoreResult<Option<String>> {
    optional(
        conn.prepare_cached(
            "SELECT sort_key FROM media
             WHERE account_id = ?1 AND parent_id IS NULL
               AND media_product_type NOT IN ('STORY', 'LIVE')
             ORDER BY sort_key LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![account_id, LISTED_MEDIA_CAP - 1], |r| r.get(0)),
    )
}

/// The sort key of the oldest media an account's media edge may list, when it has more
/// than [`LISTED_MEDIA_CAP`]: one row, read in the listing's own snapshot.
pub fn listing_floor(conn: &Reader, account_id: &str) -> StoreResult<Option<String>> {
    let found: Option<Option<String>> = optional(
        conn.prepare_cached("SELECT floor_key FROM media_caps WHERE account_id = ?1")?
            .query_row([account_id], |r| r.get(0)),
    )?;
    Ok(found.flatten())
}

/// Recomputes every account's cap from its media (after a snapshot import, whose rows are
/// inserted as they come).
pub fn rebuild_caps(conn: &Writer) -> StoreResult<()> {
    conn.execute("DELETE FROM media_caps", ())?;
    conn.execute(
        "INSERT INTO media_caps (account_id, listed, floor_key)
         SELECT account_id, COUNT(*), NULL FROM media
         WHERE parent_id IS NULL AND media_product_type NOT IN ('STORY', 'LIVE')
         GROUP BY account_id",
        (),
    )?;
    let crowded: Vec<String> = conn
        .query_map(
            "SELECT account_id FROM media_caps WHERE listed > ?1",
            params![LISTED_MEDIA_CAP],
            |r| r.get(0),
        )?
        .collect::<StoreResult<_>>()?;
    for account_id in crowded {
        let floor = nth_newest_listed(conn, &account_id)?;
        conn.execute(
            "UPDATE media_caps SET floor_key = ?2 WHERE account_id = ?1",
            params![account_id, floor],
        )?;
    }
    Ok(())
}

/// A media's sort key (the `tags` edge copies it).
pub fn sort_key_of(conn: &Reader, id: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT sort_key FROM media WHERE id = ?1")?;
    optional(stmt.query_row([id], |r| r.get(0)))
}

/// A media of an account, from memory while the media table was not written since it was read
/// (its owner is asked by every access check on a media, its row by its insights).
pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Media>> {
    if let Some(cache) = conn.memory() {
        return cache.media.get(id).ok_or_else(|| conn.not_in_memory());
    }
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM media WHERE id = ?1"))?;
    let found = optional(stmt.query_row([id], from_row))?;
    if let Some((cache, at)) = conn.fill() {
        cache.media.put(id.to_string(), at.media, found.clone());
    }
    Ok(found)
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
    conn: &Reader,
    account_id: &str,
    listing: Listing,
    window: &Window,
) -> StoreResult<Vec<(String, Media)>> {
    let kind = match listing {
        Listing::Feed => "media_product_type NOT IN ('STORY', 'LIVE')",
        Listing::Stories => "media_product_type = 'STORY'",
    };
    let (cursor, order) = match (window.before, window.after) {
        (Some(_), _) => ("sort_key < ?2", "DESC"),
        (None, Some(_)) => ("sort_key > ?2", "ASC"),
        (None, None) => ("CAST(?2 AS TEXT) IS NULL", "ASC"),
    };
    let sql = format!(
        "SELECT {COLUMNS}, sort_key FROM media
         WHERE account_id = ?1 AND parent_id IS NULL AND {kind} AND {cursor}
           AND (CAST(?3 AS BIGINT) IS NULL OR created_at >= ?3)
           AND (CAST(?4 AS BIGINT) IS NULL OR created_at <= ?4)
           AND (CAST(?6 AS TEXT) IS NULL OR sort_key <= ?6)
         ORDER BY sort_key {order} LIMIT ?5"
    );
    let key = window.before.or(window.after);
    // The feed reaches the 10,000 newest media only (ref 001 L385-438).
    let floor = match listing {
        Listing::Feed => listing_floor(conn, account_id)?,
        Listing::Stories => None,
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            account_id,
            key,
            window.since,
            window.until,
            window.limit as i64,
            floor
        ],
        |r| Ok((r.get::<_, String>(17)?, from_row(r)?)),
    )?;
    rows.collect::<Result<_, _>>()
}

pub fn children(conn: &Reader, parent_id: &str) -> StoreResult<Vec<Media>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media WHERE parent_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([parent_id], from_row)?;
    rows.collect::<Result<_, _>>()
}

pub fn by_shortcode(conn: &Reader, shortcode: &str) -> StoreResult<Option<Media>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM media WHERE shortcode = ?1"))?;
    optional(stmt.query_row([shortcode], from_row))
}

/// A media of an account or, failing that, of a person (as an IG Media node renders it).
pub fn get_any(conn: &Reader, id: &str) -> StoreResult<Option<Media>> {
    if let Some(media) = get(conn, id)? {
        return Ok(Some(media));
    }
    Ok(super::person_media::get(conn, id)?.map(|m| m.as_media()))
}

/// Changes a media's comment or like counters (the caption's comments and replies count).
pub fn add_counts(conn: &Writer, id: &str, comments: i64, likes: i64) -> StoreResult<()> {
    for table in ["media", "person_media"] {
        conn.execute(
            &format!(
                "UPDATE {table} SET
                 comments_count = CASE WHEN comments_count + ?2 < 0 THEN 0 ELSE comments_count + ?2 END,
                 like_count = CASE WHEN like_count + ?3 < 0 THEN 0 ELSE like_count + ?3 END
                 WHERE id = ?1"
            ),
            params![id, comments, likes],
        )?;
    }
    Ok(())
}

/// The details a media is created with through the control API beyond its insert.
pub fn set_details(
    conn: &Writer,
    id: &str,
    alt_text: Option<&str>,
    comment_enabled: bool,
    like_count: i64,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE media SET alt_text = ?2, is_comment_enabled = ?3, like_count = ?4 WHERE id = ?1",
        params![id, alt_text, comment_enabled, like_count],
    )?;
    Ok(())
}

pub fn set_comment_enabled(conn: &Writer, id: &str, enabled: bool) -> StoreResult<()> {
    for table in ["media", "person_media"] {
        conn.execute(
            &format!("UPDATE {table} SET is_comment_enabled = ?2 WHERE id = ?1"),
            params![id, enabled],
        )?;
    }
    Ok(())
}

/// The account's live broadcasts on air (`LIVE` media not ended), newest first.
pub fn live(conn: &Reader, account_id: &str) -> StoreResult<Vec<Media>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media WHERE account_id = ?1 AND media_product_type = 'LIVE'
         AND live_ended_at IS NULL ORDER BY sort_key"
    ))?;
    let rows = stmt.query_map([account_id], from_row)?;
    rows.collect::<Result<_, _>>()
}

pub fn end_live(conn: &Writer, id: &str, at: i64) -> StoreResult<()> {
    conn.execute(
        "UPDATE media SET live_ended_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// An account's stories posted at or after `since` (Unix seconds), newest first: a range of
/// the account's sort keys (which begin with the inverted time), so the cost is that of the
/// recent media alone, however many the account posted before.
pub fn stories_since(
    conn: &Reader,
    account_id: &str,
    since: i64,
    limit: usize,
) -> StoreResult<Vec<Media>> {
    // Keys of media created at `since` or later sort before the first key of `since - 1`.
    let bound = format!("{:019}", i64::MAX - since.max(1) + 1);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media
         WHERE account_id = ?1 AND sort_key < ?2 AND parent_id IS NULL
           AND media_product_type = 'STORY'
         ORDER BY sort_key LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![account_id, bound, limit as i64], from_row)?;
    rows.collect::<Result<_, _>>()
}
