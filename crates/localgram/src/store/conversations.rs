//! Conversations between a professional account and one person (or itself): their inbox
//! folder, consent, the time of the person's last message (which opens the reply windows)
//! and their place in the account's list, newest activity first.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: String,
    pub account_id: String,
    /// The person, or the account itself for its self thread.
    pub person_id: String,
    /// The person's Instagram-scoped id as the account sees them.
    pub igsid: String,
    pub is_self: bool,
    /// `primary`, `requests` or `general`.
    pub folder: String,
    pub consent: bool,
    /// When the person last messaged or tapped a button (Unix ms).
    pub last_inbound_at: Option<i64>,
    /// When the account last marked the conversation seen (Unix ms).
    pub business_read_at: Option<i64>,
    /// Messages so far, which also numbers the next one.
    pub message_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const PRIMARY: &str = "primary";
pub const REQUESTS: &str = "requests";
pub const GENERAL: &str = "general";

const COLUMNS: &str = "id, account_id, person_id, igsid, is_self, folder, consent, \
     last_inbound_at, business_read_at, message_count, created_at, updated_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Conversation> {
    Ok(Conversation {
        id: r.get(0)?,
        account_id: r.get(1)?,
        person_id: r.get(2)?,
        igsid: r.get(3)?,
        is_self: r.get(4)?,
        folder: r.get(5)?,
        consent: r.get(6)?,
        last_inbound_at: r.get(7)?,
        business_read_at: r.get(8)?,
        message_count: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

/// Newest activity first: inverted time, then the inverted sequence of the write that
/// touched it (conversations touched in the same millisecond keep that order), then id.
pub fn sort_key(updated_at: i64, sequence: i64, id: &str) -> String {
    super::order::newest_first(updated_at, sequence, id)
}

pub fn insert(conn: &Writer, c: &Conversation) -> StoreResult<()> {
    let key = sort_key(c.updated_at, super::order::next_sequence(conn)?, &c.id);
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO conversations ({COLUMNS}, sort_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?;
    stmt.execute(params![
        c.id,
        c.account_id,
        c.person_id,
        c.igsid,
        c.is_self,
        c.folder,
        c.consent,
        c.last_inbound_at,
        c.business_read_at,
        c.message_count,
        c.created_at,
        c.updated_at,
        key
    ])?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Conversation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM conversations WHERE id = ?1"
    ))?;
    optional(stmt.query_row([id], from_row))
}

/// The conversation between an account and a person (or itself), if they have one.
pub fn between(
    conn: &Reader,
    account_id: &str,
    person_id: &str,
) -> StoreResult<Option<Conversation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM conversations WHERE account_id = ?1 AND person_id = ?2"
    ))?;
    optional(stmt.query_row(params![account_id, person_id], from_row))
}

/// The conversation an account has under an IGSID of its own.
pub fn by_igsid(conn: &Reader, account_id: &str, igsid: &str) -> StoreResult<Option<Conversation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM conversations WHERE igsid = ?1 AND account_id = ?2"
    ))?;
    optional(stmt.query_row(params![igsid, account_id], from_row))
}

/// Writes back what a message changes: activity time, counter, folder, consent, windows and
/// the read marker.
pub fn update(conn: &Writer, c: &Conversation) -> StoreResult<()> {
    let key = sort_key(c.updated_at, super::order::next_sequence(conn)?, &c.id);
    let mut stmt = conn.prepare_cached(
        "UPDATE conversations SET folder = ?2, consent = ?3, last_inbound_at = ?4,
         business_read_at = ?5, message_count = ?6, updated_at = ?7, sort_key = ?8
         WHERE id = ?1",
    )?;
    stmt.execute(params![
        c.id,
        c.folder,
        c.consent,
        c.last_inbound_at,
        c.business_read_at,
        c.message_count,
        c.updated_at,
        key
    ])?;
    Ok(())
}

/// A window of an account's conversations, newest activity first, keyset-paged on the sort
/// key. Requests-folder conversations idle since before `requests_active_since` are left out.
pub struct Listing<'a> {
    pub account_id: &'a str,
    pub requests_active_since: i64,
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
    pub limit: usize,
}

pub fn list(conn: &Reader, l: &Listing) -> StoreResult<Vec<(String, Conversation)>> {
    let (cmp, order, key) = match (l.before, l.after) {
        (Some(before), _) => ("<", "DESC", Some(before)),
        (None, Some(after)) => (">", "ASC", Some(after)),
        (None, None) => (">", "ASC", None),
    };
    let sql = format!(
        "SELECT {COLUMNS}, sort_key FROM conversations
         WHERE account_id = ?1 AND (folder <> 'requests' OR updated_at >= ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR sort_key {cmp} ?3)
         ORDER BY sort_key {order} LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            l.account_id,
            l.requests_active_since,
            key,
            i64::try_from(l.limit).unwrap_or(i64::MAX)
        ],
        |r| Ok((r.get::<_, String>(12)?, from_row(r)?)),
    )?;
    rows.collect::<Result<_, _>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_activity_sorts_first() {
        assert!(sort_key(2_000, 1, "b") < sort_key(1_000, 2, "a"));
        assert!(sort_key(1_000, 2, "b") < sort_key(1_000, 1, "a"));
    }
}
