//! Media people post from the Instagram app, where they @mention and tag accounts, and the
//! collaborators invited on an account's media.

use super::sql::{params, Reader, Row, Writer};

use super::media::Media;
use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonMedia {
    pub id: String,
    pub person_id: String,
    pub media_type: String,
    pub media_product_type: String,
    pub caption: Option<String>,
    pub media_url: Option<String>,
    pub permalink: String,
    pub shortcode: String,
    pub is_comment_enabled: bool,
    pub like_count: i64,
    pub comments_count: i64,
    pub created_at: i64,
}

impl PersonMedia {
    /// The same media as the IG Media node renders it; `owner_person` marks whose it is.
    pub fn as_media(&self) -> Media {
        Media {
            id: self.id.clone(),
            account_id: self.person_id.clone(),
            media_type: self.media_type.clone(),
            media_product_type: self.media_product_type.clone(),
            caption: self.caption.clone(),
            media_url: self.media_url.clone(),
            permalink: self.permalink.clone(),
            shortcode: self.shortcode.clone(),
            is_comment_enabled: self.is_comment_enabled,
            like_count: self.like_count,
            comments_count: self.comments_count,
            created_at: self.created_at,
            owner_is_person: true,
            ..Default::default()
        }
    }
}

const COLUMNS: &str =
    "id, person_id, media_type, media_product_type, caption, media_url, permalink, \
                       shortcode, is_comment_enabled, like_count, comments_count, created_at";

fn from_row(r: &Row) -> crate::store::StoreResult<PersonMedia> {
    Ok(PersonMedia {
        id: r.get(0)?,
        person_id: r.get(1)?,
        media_type: r.get(2)?,
        media_product_type: r.get(3)?,
        caption: r.get(4)?,
        media_url: r.get(5)?,
        permalink: r.get(6)?,
        shortcode: r.get(7)?,
        is_comment_enabled: r.get(8)?,
        like_count: r.get(9)?,
        comments_count: r.get(10)?,
        created_at: r.get(11)?,
    })
}

/// Inserts a person's media; answers its sort key.
pub fn insert(conn: &Writer, media: &PersonMedia) -> StoreResult<String> {
    let key = super::media::sort_key(
        media.created_at,
        super::order::next_sequence(conn)?,
        &media.id,
    );
    conn.execute(
        &format!("INSERT INTO person_media ({COLUMNS}, sort_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
        params![
            media.id,
            media.person_id,
            media.media_type,
            media.media_product_type,
            media.caption,
            media.media_url,
            media.permalink,
            media.shortcode,
            media.is_comment_enabled,
            media.like_count,
            media.comments_count,
            media.created_at,
            key
        ],
    )?;
    Ok(key)
}

/// A person's media by its shortcode (oEmbed finds posts by URL).
pub fn by_shortcode(conn: &Reader, shortcode: &str) -> StoreResult<Option<PersonMedia>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM person_media WHERE shortcode = ?1"
    ))?;
    optional(stmt.query_row([shortcode], from_row))
}

/// A person's media's sort key (hashtags index media in their own order).
pub fn sort_key_of(conn: &Reader, id: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT sort_key FROM person_media WHERE id = ?1")?;
    optional(stmt.query_row([id], |r| r.get(0)))
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<PersonMedia>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM person_media WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

// ----- tags ------------------------------------------------------------------------------------

/// Records that `media_id` (a person's media, or an account's) tags the account; `sort_key` is
/// the media's own key, so the account's `tags` edge lists in the media's order.
#[allow(clippy::too_many_arguments)]
pub fn tag(
    conn: &Writer,
    media_id: &str,
    account_id: &str,
    x: Option<f64>,
    y: Option<f64>,
    at: i64,
    sort_key: &str,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO media_tags (media_id, account_id, x, y, created_at, sort_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (media_id, account_id) DO NOTHING",
        params![media_id, account_id, x, y, at, sort_key],
    )?;
    Ok(())
}

/// The public media that tag an account, newest first, keyset-paged: a person's media or
/// another account's, not private ones, and stories only while they last (`stories_since`:
/// the oldest creation time a story still shows with).
pub fn tagged(
    conn: &Reader,
    account_id: &str,
    stories_since: i64,
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, String)>> {
    let (cursor, order) = match (before, after) {
        (Some(_), _) => ("t.sort_key < ?2", "DESC"),
        (None, Some(_)) => ("t.sort_key > ?2", "ASC"),
        (None, None) => ("CAST(?2 AS TEXT) IS NULL", "ASC"),
    };
    let sql = format!(
        "SELECT t.sort_key, t.media_id FROM media_tags t
         LEFT JOIN person_media pm ON pm.id = t.media_id
         LEFT JOIN people p ON p.id = pm.person_id
         LEFT JOIN media m ON m.id = t.media_id
         LEFT JOIN accounts a ON a.id = m.account_id
         WHERE t.account_id = ?1 AND {cursor}
           AND COALESCE(p.is_private, a.is_private, 1) = 0
           AND (COALESCE(pm.media_product_type, m.media_product_type) <> 'STORY'
                OR COALESCE(pm.created_at, m.created_at) >= ?4)
         ORDER BY t.sort_key {order} LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![account_id, before.or(after), limit as i64, stories_since],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )?;
    rows.collect::<Result<_, _>>()
}

// ----- collaborators ---------------------------------------------------------------------------

/// Invites a collaborator (listed after those invited before, `at` virtual seconds), or
/// records their answer when they were invited already.
pub fn set_collaborator(
    conn: &Writer,
    media_id: &str,
    username: &str,
    invite_status: &str,
    at: i64,
) -> StoreResult<()> {
    let key = super::order::oldest_first(at, super::order::next_sequence(conn)?, username);
    conn.execute(
        "INSERT INTO media_collaborators (media_id, username, invite_status, sort_key)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (media_id, username) DO UPDATE SET invite_status = excluded.invite_status",
        params![media_id, username, invite_status, key],
    )?;
    Ok(())
}

/// A collaborator's invite status on a media, if they were invited.
pub fn collaborator_status(
    conn: &Reader,
    media_id: &str,
    username: &str,
) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT invite_status FROM media_collaborators WHERE media_id = ?1 AND username = ?2",
    )?;
    optional(stmt.query_row(params![media_id, username], |r| r.get(0)))
}

pub fn remove_collaborator(conn: &Writer, media_id: &str, username: &str) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM media_collaborators WHERE media_id = ?1 AND username = ?2",
        params![media_id, username],
    )?;
    Ok(())
}

pub fn collaborators(conn: &Reader, media_id: &str) -> StoreResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT username, invite_status FROM media_collaborators WHERE media_id = ?1
         ORDER BY sort_key, username",
    )?;
    let rows = stmt.query_map([media_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<Result<_, _>>()
}
