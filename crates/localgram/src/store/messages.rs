//! Messages of conversations in send order, their reactions, and the private reply each
//! comment got.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// The message id (`mid`).
    pub id: String,
    pub conversation_id: String,
    /// Position in the conversation: the send order.
    pub seq: i64,
    /// `in` (from the person) or `out` (from the account).
    pub direction: String,
    pub text: Option<String>,
    /// JSON array of `{type, url, ...}`.
    pub attachments: String,
    /// JSON object: quick replies, template, sticker, share, tag, ...
    pub content: String,
    pub reply_to_mid: Option<String>,
    pub story_id: Option<String>,
    /// `reply_to` or `mention`.
    pub story_kind: Option<String>,
    /// The comment a private reply answers.
    pub comment_id: Option<String>,
    pub tag: Option<String>,
    pub is_unsupported: bool,
    pub is_deleted: bool,
    pub num_edit: i64,
    /// Unix ms.
    pub created_at: i64,
}

pub const IN: &str = "in";
pub const OUT: &str = "out";

impl Message {
    pub fn inbound(&self) -> bool {
        self.direction == IN
    }
}

const COLUMNS: &str = "id, conversation_id, seq, direction, text, attachments, content, \
     reply_to_mid, story_id, story_kind, comment_id, tag, is_unsupported, is_deleted, num_edit, \
     created_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Message> {
    Ok(Message {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        seq: r.get(2)?,
        direction: r.get(3)?,
        text: r.get(4)?,
        attachments: r.get(5)?,
        content: r.get(6)?,
        reply_to_mid: r.get(7)?,
        story_id: r.get(8)?,
        story_kind: r.get(9)?,
        comment_id: r.get(10)?,
        tag: r.get(11)?,
        is_unsupported: r.get(12)?,
        is_deleted: r.get(13)?,
        num_edit: r.get(14)?,
        created_at: r.get(15)?,
    })
}

/// Stores a message. Its id is not in the object registry: the dispatcher knows a mid by
/// its shape, and the mid itself says where the message is (`messaging::ids::position`).
pub fn insert(conn: &Writer, m: &Message) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO messages ({COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?;
    stmt.execute(params![
        m.id,
        m.conversation_id,
        m.seq,
        m.direction,
        m.text,
        m.attachments,
        m.content,
        m.reply_to_mid,
        m.story_id,
        m.story_kind,
        m.comment_id,
        m.tag,
        m.is_unsupported,
        m.is_deleted,
        m.num_edit,
        m.created_at
    ])?;
    Ok(())
}

/// The message a mid names, found through the conversation and position it encodes.
pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Message>> {
    let Some((conversation_id, seq)) = graph::mids::position(id) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = ?1 AND seq = ?2"
    ))?;
    Ok(optional(stmt.query_row(params![conversation_id, seq], from_row))?.filter(|m| m.id == id))
}

/// Sort keys of a conversation's messages: newest (highest `seq`) first.
pub fn sort_key(seq: i64) -> String {
    format!("{:019}", i64::MAX - seq.max(0))
}

/// A window of a conversation's messages that are not deleted, newest first, keyset-paged
/// on `seq`. `after`/`before` are sort keys.
pub fn list(
    conn: &Reader,
    conversation_id: &str,
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Message)>> {
    let parse = |key: &str| key.parse::<i64>().map(|k| i64::MAX - k).unwrap_or(-1);
    let (cmp, order, bound) = match (before, after) {
        (Some(before), _) => (">", "ASC", Some(parse(before))),
        (None, Some(after)) => ("<", "DESC", Some(parse(after))),
        (None, None) => ("<", "DESC", None),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM messages
         WHERE conversation_id = ?1 AND is_deleted = 0 AND (CAST(?2 AS BIGINT) IS NULL OR seq {cmp} ?2)
         ORDER BY seq {order} LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            conversation_id,
            bound,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| {
            let m = from_row(r)?;
            Ok((sort_key(m.seq), m))
        },
    )?;
    rows.collect::<Result<_, _>>()
}

/// Every message of a conversation in send order, deleted ones included (the control API's
/// view of the thread).
pub fn all(conn: &Reader, conversation_id: &str) -> StoreResult<Vec<Message>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([conversation_id], from_row)?;
    rows.collect::<Result<_, _>>()
}

/// The newest message of one direction, for `mark_seen` and seen receipts.
pub fn latest(
    conn: &Reader,
    conversation_id: &str,
    direction: &str,
) -> StoreResult<Option<Message>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = ?1 AND direction = ?2
         AND is_deleted = 0 ORDER BY seq DESC LIMIT 1"
    ))?;
    optional(stmt.query_row(params![conversation_id, direction], from_row))
}

/// The newest message of a conversation, either side, not unsent.
pub fn newest(conn: &Reader, conversation_id: &str) -> StoreResult<Option<Message>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = ?1 AND is_deleted = 0
         ORDER BY seq DESC LIMIT 1"
    ))?;
    optional(stmt.query_row([conversation_id], from_row))
}

/// The person's messages the account has not read: sent after `read_at` (Unix ms; all of
/// them when it never read), not unsent.
pub fn unread_inbound(
    conn: &Reader,
    conversation_id: &str,
    read_at: Option<i64>,
) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = ?1 AND direction = 'in'
         AND is_deleted = 0 AND (CAST(?2 AS BIGINT) IS NULL OR created_at > ?2)",
    )?;
    stmt.query_row(params![conversation_id, read_at], |r| r.get(0))
}

pub fn edit(conn: &Writer, id: &str, text: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE messages SET text = ?2, num_edit = num_edit + 1 WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

pub fn mark_deleted(conn: &Writer, id: &str) -> StoreResult<()> {
    conn.execute("UPDATE messages SET is_deleted = 1 WHERE id = ?1", [id])?;
    Ok(())
}

/// A reaction on a message, by `person` or `account`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    pub actor: String,
    pub reaction: String,
    pub emoji: String,
}

pub fn set_reaction(conn: &Writer, message_id: &str, r: &Reaction, now: i64) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO message_reactions (message_id, actor, reaction, emoji, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (message_id, actor) DO UPDATE SET reaction = ?3, emoji = ?4, created_at = ?5",
        params![message_id, r.actor, r.reaction, r.emoji, now],
    )?;
    Ok(())
}

/// Removes a side's reaction; whether there was one.
pub fn remove_reaction(conn: &Writer, message_id: &str, actor: &str) -> StoreResult<bool> {
    let removed = conn.execute(
        "DELETE FROM message_reactions WHERE message_id = ?1 AND actor = ?2",
        params![message_id, actor],
    )?;
    Ok(removed > 0)
}

pub fn reactions(conn: &Reader, message_id: &str) -> StoreResult<Vec<Reaction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT actor, reaction, emoji FROM message_reactions WHERE message_id = ?1
         ORDER BY created_at, actor",
    )?;
    let rows = stmt.query_map([message_id], |r| {
        Ok(Reaction {
            actor: r.get(0)?,
            reaction: r.get(1)?,
            emoji: r.get(2)?,
        })
    })?;
    rows.collect::<Result<_, _>>()
}

/// The private reply a comment got, if any: its message id.
pub fn private_reply(conn: &Reader, comment_id: &str) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT message_id FROM private_replies WHERE comment_id = ?1")?;
    optional(stmt.query_row([comment_id], |r| r.get(0)))
}

pub fn insert_private_reply(
    conn: &Writer,
    comment_id: &str,
    account_id: &str,
    message_id: &str,
    now: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO private_replies (comment_id, account_id, message_id, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![comment_id, account_id, message_id, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_messages_sort_first() {
        assert!(sort_key(10) < sort_key(9));
        assert_eq!(sort_key(0).len(), sort_key(i64::MAX).len());
    }
}
