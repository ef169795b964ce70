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

pub fn insert(conn: &Writer, media: &PersonMedia) -> StoreResult<()> {
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
            super::media::sort_key(media.created_at, &media.id)
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<PersonMedia>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM person_media WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

// ----- tags ------------------------------------------------------------------------------------

pub fn tag(
    conn: &Writer,
    media_id: &str,
    account_id: &str,
    x: Option<f64>,
    y: Option<f64>,
    at: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO media_tags (media_id, account_id, x, y, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (media_id, account_id) DO NOTHING",
        params![media_id, account_id, x, y, at],
    )?;
    Ok(())
}

/// The public media that tag an account, newest first, keyset-paged.
pub fn tagged(
    conn: &Reader,
    account_id: &str,
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, PersonMedia)>> {
    let (cursor, order) = match (before, after) {
        (Some(_), _) => ("m.sort_key < ?2", "DESC"),
        (None, Some(_)) => ("m.sort_key > ?2", "ASC"),
        (None, None) => ("CAST(?2 AS TEXT) IS NULL", "ASC"),
    };
    let columns: String = COLUMNS
        .split(", ")
        .map(|c| format!("m.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns}, m.sort_key FROM media_tags t
         JOIN person_media m ON m.id = t.media_id
         JOIN people p ON p.id = m.person_id
         WHERE t.account_id = ?1 AND p.is_private = 0 AND {cursor}
         ORDER BY m.sort_key {order} LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![account_id, before.or(after), limit as i64], |r| {
        Ok((r.get::<_, String>(12)?, from_row(r)?))
    })?;
    rows.collect::<Result<_, _>>()
}

// ----- collaborators ---------------------------------------------------------------------------

pub fn set_collaborator(
    conn: &Writer,
    media_id: &str,
    username: &str,
    invite_status: &str,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO media_collaborators (media_id, username, invite_status) VALUES (?1, ?2, ?3)
         ON CONFLICT (media_id, username) DO UPDATE SET invite_status = excluded.invite_status",
        params![media_id, username, invite_status],
    )?;
    Ok(())
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
        "SELECT username, invite_status FROM media_collaborators WHERE media_id = ?1 ORDER BY username",
    )?;
    let rows = stmt.query_map([media_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<Result<_, _>>()
}
