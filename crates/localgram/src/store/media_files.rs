//! What is known of each stored media file (the bytes are on disk, `publishing::files`).

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaFile {
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    /// `jpg`, `mp4` or `mov`: the media host's URLs end with it.
    pub extension: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "sha256, size, content_type, extension, width, height, duration_ms, created_at";

fn from_row(r: &Row) -> crate::store::StoreResult<MediaFile> {
    Ok(MediaFile {
        sha256: r.get(0)?,
        size: r.get(1)?,
        content_type: r.get(2)?,
        extension: r.get(3)?,
        width: r.get(4)?,
        height: r.get(5)?,
        duration_ms: r.get(6)?,
        created_at: r.get(7)?,
    })
}

/// Records a file; the same bytes stored again keep their first row.
pub fn insert(conn: &Writer, file: &MediaFile) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO media_files ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (sha256) DO NOTHING"
    ))?
    .execute(params![
        file.sha256,
        file.size,
        file.content_type,
        file.extension,
        file.width,
        file.height,
        file.duration_ms,
        file.created_at
    ])?;
    Ok(())
}

pub fn get(conn: &Reader, sha256: &str) -> StoreResult<Option<MediaFile>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media_files WHERE sha256 = ?1"
    ))?;
    optional(stmt.query_row([sha256], from_row))
}

/// Points a media's `media_url` at a stored file (media posted with its bytes).
pub fn attach(conn: &Writer, media_id: &str, media_url: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE media SET media_url = ?2 WHERE id = ?1",
        params![media_id, media_url],
    )?;
    Ok(())
}
