//! Comments and replies on media, their likes, and the people an account restricted.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comment {
    pub id: String,
    pub media_id: String,
    /// The top-level comment this reply belongs to.
    pub parent_id: Option<String>,
    /// `account` (a professional account, from the API or the app) or `person`.
    pub author_kind: String,
    pub author_id: String,
    pub text: String,
    pub hidden: bool,
    pub like_count: i64,
    pub created_at: i64,
}

impl Comment {
    pub fn by_account(&self) -> bool {
        self.author_kind == "account"
    }
}

const COLUMNS: &str =
    "id, media_id, parent_id, author_kind, author_id, text, hidden, like_count, created_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        media_id: r.get(1)?,
        parent_id: r.get(2)?,
        author_kind: r.get(3)?,
        author_id: r.get(4)?,
        text: r.get(5)?,
        hidden: r.get(6)?,
        like_count: r.get(7)?,
        created_at: r.get(8)?,
    })
}

/// Newest first: inverted time, then the inverted creation sequence, then id
/// (`store::order`).
pub fn sort_key(created_at: i64, sequence: i64, id: &str) -> String {
    super::order::newest_first(created_at, sequence, id)
}

/// Inserts a comment; answers its sort key (comments made in the same second keep the order
/// they were made in).
pub fn insert(conn: &Writer, comment: &Comment) -> StoreResult<String> {
    let key = sort_key(
        comment.created_at,
        super::order::next_sequence(conn)?,
        &comment.id,
    );
    conn.execute(
        &format!("INSERT INTO comments ({COLUMNS}, sort_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            comment.id,
            comment.media_id,
            comment.parent_id,
            comment.author_kind,
            comment.author_id,
            comment.text,
            comment.hidden,
            comment.like_count,
            comment.created_at,
            key
        ],
    )?;
    Ok(key)
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Comment>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM comments WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

/// One window of a media's top-level comments (`parent = None`) or of a comment's replies,
/// keyset-paged newest first (or oldest first with `chronological`). Comments by people the
/// media's account restricted are left out.
pub struct Listing<'a> {
    pub media_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub restricted_for: Option<&'a str>,
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
    pub chronological: bool,
    pub limit: usize,
}

pub fn list(conn: &Reader, listing: &Listing) -> StoreResult<Vec<(String, Comment)>> {
    // Keys sort newest first; chronological order walks them backwards.
    let (forward_cmp, forward_order, backward_cmp, backward_order) = if listing.chronological {
        ("<", "DESC", ">", "ASC")
    } else {
        (">", "ASC", "<", "DESC")
    };
    let (cursor, order) = match (listing.before, listing.after) {
        (Some(_), _) => (format!("sort_key {backward_cmp} ?3"), backward_order),
        (None, Some(_)) => (format!("sort_key {forward_cmp} ?3"), forward_order),
        (None, None) => ("CAST(?3 AS TEXT) IS NULL".to_string(), forward_order),
    };
    let parent = if listing.parent_id.is_some() {
        "parent_id = ?2"
    } else {
        "parent_id IS NULL AND CAST(?2 AS TEXT) IS NULL"
    };
    let sql = format!(
        "SELECT {COLUMNS}, sort_key FROM comments
         WHERE media_id = ?1 AND {parent} AND {cursor}
           AND NOT (author_kind = 'person' AND author_id IN
                (SELECT person_id FROM restricted_people WHERE account_id = ?4))
         ORDER BY sort_key {order} LIMIT ?5"
    );
    let key = listing.before.or(listing.after);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            listing.media_id,
            listing.parent_id,
            key,
            listing.restricted_for,
            listing.limit as i64
        ],
        |r| Ok((r.get::<_, String>(9)?, from_row(r)?)),
    )?;
    rows.collect::<Result<_, _>>()
}

/// Every comment on a media, replies included (the media's `comments_count`).
pub fn count_on(conn: &Reader, media_id: &str) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached("SELECT COUNT(*) FROM comments WHERE media_id = ?1")?;
    stmt.query_row([media_id], |r| r.get(0))
}

pub fn set_hidden(conn: &Writer, id: &str, hidden: bool) -> StoreResult<()> {
    conn.execute(
        "UPDATE comments SET hidden = ?2 WHERE id = ?1",
        params![id, hidden],
    )?;
    Ok(())
}

pub fn set_text(conn: &Writer, id: &str, text: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE comments SET text = ?2 WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

/// Deletes a comment and its replies; returns how many comments went.
pub fn delete(conn: &Writer, id: &str) -> StoreResult<usize> {
    let replies = conn.execute("DELETE FROM comments WHERE parent_id = ?1", [id])?;
    let own = conn.execute("DELETE FROM comments WHERE id = ?1", [id])?;
    conn.execute("DELETE FROM likes WHERE object_id = ?1", [id])?;
    Ok(replies + own)
}

// ----- likes ---------------------------------------------------------------------------------

/// Records a like; false when the person liked it already.
pub fn like(conn: &Writer, person_id: &str, object_id: &str, at: i64) -> StoreResult<bool> {
    let inserted = conn.execute(
        "INSERT INTO likes (person_id, object_id, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (person_id, object_id) DO NOTHING",
        params![person_id, object_id, at],
    )?;
    Ok(inserted == 1)
}

/// Removes a like; false when there was none.
pub fn unlike(conn: &Writer, person_id: &str, object_id: &str) -> StoreResult<bool> {
    let removed = conn.execute(
        "DELETE FROM likes WHERE person_id = ?1 AND object_id = ?2",
        params![person_id, object_id],
    )?;
    Ok(removed == 1)
}

pub fn add_comment_likes(conn: &Writer, comment_id: &str, delta: i64) -> StoreResult<()> {
    conn.execute(
        "UPDATE comments SET like_count = CASE WHEN like_count + ?2 < 0 THEN 0 ELSE like_count + ?2 END
         WHERE id = ?1",
        params![comment_id, delta],
    )?;
    Ok(())
}

// ----- restricted people -----------------------------------------------------------------------

pub fn set_restricted(
    conn: &Writer,
    account_id: &str,
    person_id: &str,
    restricted: bool,
) -> StoreResult<()> {
    if restricted {
        conn.execute(
            "INSERT INTO restricted_people (account_id, person_id) VALUES (?1, ?2)
             ON CONFLICT (account_id, person_id) DO NOTHING",
            params![account_id, person_id],
        )?;
    } else {
        conn.execute(
            "DELETE FROM restricted_people WHERE account_id = ?1 AND person_id = ?2",
            params![account_id, person_id],
        )?;
    }
    Ok(())
}

pub fn is_restricted(conn: &Reader, account_id: &str, person_id: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM restricted_people WHERE account_id = ?1 AND person_id = ?2",
    )?;
    Ok(stmt.query_row(params![account_id, person_id], |r| r.get::<_, i64>(0))? > 0)
}
