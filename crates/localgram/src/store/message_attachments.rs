//! Assets uploaded with the Attachment Upload API, which messages send later by id.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: String,
    pub account_id: String,
    /// `image`, `audio`, `video` or `file`.
    pub kind: String,
    pub url: String,
    pub mime_type: Option<String>,
    pub size: Option<i64>,
    pub is_reusable: bool,
    /// Sent at least once (a non-reusable asset is sent once).
    pub used: bool,
    pub created_at: i64,
}

const COLUMNS: &str = "id, account_id, kind, url, mime_type, size, is_reusable, used, created_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        account_id: r.get(1)?,
        kind: r.get(2)?,
        url: r.get(3)?,
        mime_type: r.get(4)?,
        size: r.get(5)?,
        is_reusable: r.get(6)?,
        used: r.get(7)?,
        created_at: r.get(8)?,
    })
}

pub fn insert(conn: &Writer, a: &Attachment) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO message_attachments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        params![
            a.id,
            a.account_id,
            a.kind,
            a.url,
            a.mime_type,
            a.size,
            a.is_reusable,
            a.used,
            a.created_at
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Attachment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM message_attachments WHERE id = ?1"
    ))?;
    optional(stmt.query_row([id], from_row))
}

pub fn mark_used(conn: &Writer, id: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE message_attachments SET used = 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}
