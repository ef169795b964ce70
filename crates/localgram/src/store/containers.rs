//! IG Containers and the publishes counted against the daily limit.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Container {
    pub id: String,
    pub account_id: String,
    /// `IMAGE`, `VIDEO`, `REELS`, `STORIES` or `CAROUSEL`.
    pub kind: String,
    pub is_video: bool,
    pub is_carousel_item: bool,
    pub resumable: bool,
    /// The validated optional parameters, as JSON.
    pub params: String,
    pub source_url: Option<String>,
    pub cover_url: Option<String>,
    pub children: Vec<String>,
    pub file_sha256: Option<String>,
    pub cover_sha256: Option<String>,
    pub file_size: Option<i64>,
    pub bytes_transferred: i64,
    /// Virtual ms when processing began; `None` while the media is not in hand.
    pub processing_started_at: Option<i64>,
    pub processing_ms: i64,
    pub duration_ms: Option<i64>,
    /// `publishing::failure::Failure` as JSON.
    pub failure: Option<String>,
    pub copyright: Option<String>,
    pub published_media_id: Option<String>,
    /// Virtual ms.
    pub published_at: Option<i64>,
    /// Virtual ms.
    pub created_at: i64,
}

const COLUMNS: &str = "id, account_id, kind, is_video, is_carousel_item, resumable, params, \
     source_url, cover_url, children, file_sha256, cover_sha256, file_size, bytes_transferred, \
     processing_started_at, processing_ms, duration_ms, failure, copyright, published_media_id, \
     published_at, created_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Container> {
    let children: String = r.get(9)?;
    Ok(Container {
        id: r.get(0)?,
        account_id: r.get(1)?,
        kind: r.get(2)?,
        is_video: r.get(3)?,
        is_carousel_item: r.get(4)?,
        resumable: r.get(5)?,
        params: r.get(6)?,
        source_url: r.get(7)?,
        cover_url: r.get(8)?,
        children: children
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        file_sha256: r.get(10)?,
        cover_sha256: r.get(11)?,
        file_size: r.get(12)?,
        bytes_transferred: r.get(13)?,
        processing_started_at: r.get(14)?,
        processing_ms: r.get(15)?,
        duration_ms: r.get(16)?,
        failure: r.get(17)?,
        copyright: r.get(18)?,
        published_media_id: r.get(19)?,
        published_at: r.get(20)?,
        created_at: r.get(21)?,
    })
}

pub fn insert(conn: &Writer, c: &Container) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO containers ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
         ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
    ))?
    .execute(params![
        c.id,
        c.account_id,
        c.kind,
        c.is_video,
        c.is_carousel_item,
        c.resumable,
        c.params,
        c.source_url,
        c.cover_url,
        c.children.join(","),
        c.file_sha256,
        c.cover_sha256,
        c.file_size,
        c.bytes_transferred,
        c.processing_started_at,
        c.processing_ms,
        c.duration_ms,
        c.failure,
        c.copyright,
        c.published_media_id,
        c.published_at,
        c.created_at
    ])?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Container>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM containers WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

/// The account a container belongs to (for access checks).
pub fn account_of(conn: &Reader, id: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT account_id FROM containers WHERE id = ?1")?;
    optional(stmt.query_row([id], |r| r.get(0)))
}

/// Containers an account created at or after `since_ms`, counted up to `cap` (a limit check
/// needs no more, and stays cheap however many there are).
pub fn created_since(conn: &Reader, account_id: &str, since_ms: i64, cap: i64) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM (SELECT 1 FROM containers WHERE account_id = ?1
         AND created_at >= ?2 LIMIT ?3) AS recent",
    )?;
    stmt.query_row(params![account_id, since_ms, cap], |r| r.get(0))
}

/// Progress of a resumable upload.
pub fn set_upload_progress(
    conn: &Writer,
    id: &str,
    file_size: i64,
    bytes_transferred: i64,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE containers SET file_size = ?2, bytes_transferred = ?3 WHERE id = ?1",
        params![id, file_size, bytes_transferred],
    )?;
    Ok(())
}

/// The media is in hand: processing starts now and ends in `failure` or success.
#[allow(clippy::too_many_arguments)]
pub fn set_media(
    conn: &Writer,
    id: &str,
    file_sha256: Option<&str>,
    cover_sha256: Option<&str>,
    bytes_transferred: i64,
    duration_ms: Option<i64>,
    processing_started_at: i64,
    processing_ms: i64,
    failure: Option<&str>,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE containers SET file_sha256 = ?2, cover_sha256 = ?3, bytes_transferred = ?4,
         duration_ms = ?5, processing_started_at = ?6, processing_ms = ?7, failure = ?8
         WHERE id = ?1",
        params![
            id,
            file_sha256,
            cover_sha256,
            bytes_transferred,
            duration_ms,
            processing_started_at,
            processing_ms,
            failure
        ],
    )?;
    Ok(())
}

/// The control API's overrides: a chosen failure, a processing time, a copyright outcome.
pub fn set_outcome(
    conn: &Writer,
    id: &str,
    failure: Option<&str>,
    processing_ms: i64,
    copyright: Option<&str>,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE containers SET failure = ?2, processing_ms = ?3, copyright = ?4 WHERE id = ?1",
        params![id, failure, processing_ms, copyright],
    )?;
    Ok(())
}

/// Marks a container (and a carousel's children) published as `media_id` at `at_ms`.
pub fn mark_published(conn: &Writer, id: &str, media_id: &str, at_ms: i64) -> StoreResult<()> {
    conn.execute(
        "UPDATE containers SET published_media_id = ?2, published_at = ?3 WHERE id = ?1",
        params![id, media_id, at_ms],
    )?;
    Ok(())
}

// ----- publishes ------------------------------------------------------------------------

pub fn insert_publish(
    conn: &Writer,
    media_id: &str,
    account_id: &str,
    container_id: &str,
    at_ms: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO publishes (media_id, account_id, container_id, published_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![media_id, account_id, container_id, at_ms],
    )?;
    Ok(())
}

/// Publishes of an account at or after `since_ms`, counted up to `cap`.
pub fn published_since(
    conn: &Reader,
    account_id: &str,
    since_ms: i64,
    cap: i64,
) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM (SELECT 1 FROM publishes WHERE account_id = ?1
         AND published_at >= ?2 LIMIT ?3) AS recent",
    )?;
    stmt.query_row(params![account_id, since_ms, cap], |r| r.get(0))
}

/// The container a published media came from.
pub fn container_of_media(conn: &Reader, media_id: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT container_id FROM publishes WHERE media_id = ?1")?;
    optional(stmt.query_row([media_id], |r| r.get(0)))
}

/// An account's newest containers, newest first (the console's list).
pub fn recent(conn: &Reader, account_id: &str, limit: usize) -> StoreResult<Vec<Container>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM containers WHERE account_id = ?1
         ORDER BY created_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![account_id, limit as i64], from_row)?;
    rows.collect::<Result<_, _>>()
}
