//! Who moderated a comment and when (issue #15): the latest hide, unhide or delete of each
//! comment, kept for the console only. A deleted comment's author and text stay here, so the
//! console can show it where it was; Graph API reads never look at this table.

use super::comments::Comment;
use super::sql::{params, Reader, Row, Writer};
use super::StoreResult;

/// Who made a moderation change.
#[derive(Debug, Clone, PartialEq)]
pub struct Moderator {
    /// `graph_api` (an app's token) or `control_api` (the author, through `/_localgram`).
    pub via: &'static str,
    /// The token's kind (`instagram_user`, `facebook_user`, `page`), or `account` / `person`
    /// for an author.
    pub kind: String,
    /// The token's subject, or the author.
    pub id: String,
    /// The token's app.
    pub app_id: Option<String>,
}

/// A comment's latest moderation, with the comment as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Moderation {
    pub comment: Comment,
    /// `hidden`, `unhidden` or `deleted`.
    pub action: String,
    pub by: Moderator,
    /// Virtual Unix seconds.
    pub at: i64,
}

const COLUMNS: &str = "comment_id, media_id, parent_id, author_kind, author_id, text, created_at, \
                       action, via, by_kind, by_id, app_id, at";

fn via_name(text: &str) -> &'static str {
    if text == "graph_api" {
        "graph_api"
    } else {
        "control_api"
    }
}

fn from_row(r: &Row) -> StoreResult<Moderation> {
    let action: String = r.get(7)?;
    Ok(Moderation {
        comment: Comment {
            id: r.get(0)?,
            media_id: r.get(1)?,
            parent_id: r.get(2)?,
            author_kind: r.get(3)?,
            author_id: r.get(4)?,
            text: r.get(5)?,
            created_at: r.get(6)?,
            hidden: action == "hidden",
            like_count: 0,
        },
        action,
        by: Moderator {
            via: via_name(&r.get::<_, String>(8)?),
            kind: r.get(9)?,
            id: r.get(10)?,
            app_id: r.get(11)?,
        },
        at: r.get(12)?,
    })
}

const UPSERT: &str = "ON CONFLICT (comment_id) DO UPDATE SET action = excluded.action, \
     via = excluded.via, by_kind = excluded.by_kind, by_id = excluded.by_id, \
     app_id = excluded.app_id, at = excluded.at, text = excluded.text";

/// Records that `comment` was hidden (or unhidden) by `by` at `at`.
pub fn record_hidden(
    conn: &Writer,
    comment: &Comment,
    hidden: bool,
    by: &Moderator,
    at: i64,
) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO comment_moderations ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) {UPSERT}"
        ),
        params![
            comment.id,
            comment.media_id,
            comment.parent_id,
            comment.author_kind,
            comment.author_id,
            comment.text,
            comment.created_at,
            if hidden { "hidden" } else { "unhidden" },
            by.via,
            by.kind,
            by.id,
            by.app_id,
            at
        ],
    )?;
    Ok(())
}

/// Records that a comment and its replies were deleted by `by` at `at`; call it before
/// deleting them (it copies them from `comments`).
pub fn record_deleted(conn: &Writer, comment_id: &str, by: &Moderator, at: i64) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO comment_moderations ({COLUMNS})
             SELECT id, media_id, parent_id, author_kind, author_id, text, created_at,
                    'deleted', CAST(?2 AS TEXT), CAST(?3 AS TEXT), CAST(?4 AS TEXT),
                    CAST(?5 AS TEXT), CAST(?6 AS BIGINT)
             FROM comments WHERE id = ?1 OR parent_id = ?1 {UPSERT}"
        ),
        params![comment_id, by.via, by.kind, by.id, by.app_id, at],
    )?;
    Ok(())
}

/// The latest moderation of every comment on a media (deleted ones included), oldest comment
/// first, at most `limit`.
pub fn of_media(conn: &Reader, media_id: &str, limit: usize) -> StoreResult<Vec<Moderation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM comment_moderations WHERE media_id = ?1
         ORDER BY created_at, comment_id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![media_id, limit as i64], from_row)?;
    rows.collect()
}
