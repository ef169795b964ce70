//! Hashtags, the media they tag, and each account's hashtag searches (issue #13).

use super::sql::{params, Reader, Writer};
use super::{optional, StoreResult};

/// The registry kind of hashtag ids (`nodes::NodeKind::Hashtag`).
const NODE_KIND: &str = "ig_hashtag";

#[derive(Debug, Clone, PartialEq)]
pub struct Hashtag {
    pub id: String,
    pub name: String,
    pub sensitive: bool,
}

fn from_row(r: &super::Row) -> StoreResult<Hashtag> {
    Ok(Hashtag {
        id: r.get(0)?,
        name: r.get(1)?,
        sensitive: r.get(2)?,
    })
}

pub fn by_id(conn: &Reader, id: &str) -> StoreResult<Option<Hashtag>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, sensitive FROM hashtags WHERE id = ?1")?;
    optional(stmt.query_row([id], from_row))
}

pub fn by_name(conn: &Reader, name: &str) -> StoreResult<Option<Hashtag>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, sensitive FROM hashtags WHERE name = ?1")?;
    optional(stmt.query_row([name], from_row))
}

/// Registers a hashtag under `id` (and the id in the object registry). Answers false when
/// the id already names another object, so the caller can derive another.
pub fn register(conn: &Writer, id: &str, name: &str, now: i64) -> StoreResult<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO objects (id, kind, target_id, created_at) VALUES (?1, ?2, NULL, ?3)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![id, NODE_KIND, now])?;
    if inserted == 0 {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO hashtags (id, name, sensitive, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, name, false, now],
    )?;
    Ok(true)
}

pub fn set_sensitive(conn: &Writer, id: &str, sensitive: bool) -> StoreResult<()> {
    conn.execute(
        "UPDATE hashtags SET sensitive = ?2 WHERE id = ?1",
        params![id, sensitive],
    )?;
    Ok(())
}

/// Records that a hashtag tags a media; `sort_key` is the media's own key.
pub fn tag_media(
    conn: &Writer,
    hashtag_id: &str,
    media_id: &str,
    by_person: bool,
    created_at: i64,
    sort_key: &str,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO hashtag_media (hashtag_id, media_id, by_person, created_at, sort_key)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hashtag_id, media_id) DO NOTHING",
    )?
    .execute(params![
        hashtag_id, media_id, by_person, created_at, sort_key
    ])?;
    Ok(())
}

/// A media a hashtag tags: its id and whether a person (not an account) posted it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    pub media_id: String,
    pub by_person: bool,
}

/// Public media of public owners only: a private account's or person's media is left out.
const PUBLIC_OWNER: &str = "
    LEFT JOIN media m ON hm.by_person = 0 AND m.id = hm.media_id
    LEFT JOIN accounts a ON a.id = m.account_id
    LEFT JOIN person_media pm ON hm.by_person = 1 AND pm.id = hm.media_id
    LEFT JOIN people pe ON pe.id = pm.person_id";
const IS_PUBLIC: &str = "COALESCE(a.is_private, pe.is_private, 1) = 0";

/// One page of a hashtag's media newest first, keyset-paged: keys after `after`, and no
/// key past `until_key` (the key of the oldest time the window admits), so the scan stops
/// at the window's edge.
pub fn recent(
    conn: &Reader,
    hashtag_id: &str,
    until_key: &str,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Tagged)>> {
    // The cursor's bound is spelled out only when there is one: an `OR` around it would keep
    // the index from starting the scan at the cursor.
    let cursor = match after {
        Some(_) => "hm.sort_key > ?3",
        None => "CAST(?3 AS TEXT) IS NULL",
    };
    let sql = format!(
        "SELECT hm.sort_key, hm.media_id, hm.by_person FROM hashtag_media hm {PUBLIC_OWNER}
         WHERE hm.hashtag_id = ?1 AND hm.sort_key < ?2 AND {cursor} AND {IS_PUBLIC}
         ORDER BY hm.sort_key LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![hashtag_id, until_key, after, limit as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Tagged {
                media_id: r.get(1)?,
                by_person: r.get(2)?,
            },
        ))
    })?;
    rows.collect()
}

/// One page of a hashtag's media by engagement (likes plus comments), most first, then
/// newest first; `offset` items skipped.
pub fn top(
    conn: &Reader,
    hashtag_id: &str,
    offset: usize,
    limit: usize,
) -> StoreResult<Vec<Tagged>> {
    let sql = format!(
        "SELECT hm.media_id, hm.by_person FROM hashtag_media hm {PUBLIC_OWNER}
         WHERE hm.hashtag_id = ?1 AND {IS_PUBLIC}
         ORDER BY COALESCE(m.like_count, pm.like_count, 0)
                + COALESCE(m.comments_count, pm.comments_count, 0) DESC, hm.sort_key
         LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![hashtag_id, limit as i64, offset as i64], |r| {
        Ok(Tagged {
            media_id: r.get(0)?,
            by_person: r.get(1)?,
        })
    })?;
    rows.collect()
}

// ----- searches --------------------------------------------------------------------------------

/// When the account first searched the hashtag in its current window, if it did.
pub fn first_searched(
    conn: &Reader,
    account_id: &str,
    hashtag_id: &str,
) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT first_searched_at FROM hashtag_searches WHERE account_id = ?1 AND hashtag_id = ?2",
    )?;
    optional(stmt.query_row([account_id, hashtag_id], |r| r.get(0)))
}

/// How many unique hashtags the account searched since `since` (its window's start).
pub fn searched_since(conn: &Reader, account_id: &str, since: i64) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM hashtag_searches WHERE account_id = ?1 AND first_searched_at >= ?2",
    )?;
    stmt.query_row(params![account_id, since], |r| r.get(0))
}

/// Starts (or, after an old window ran out, restarts) the account's window for a hashtag.
pub fn record_search(
    conn: &Writer,
    account_id: &str,
    hashtag_id: &str,
    at: i64,
) -> StoreResult<()> {
    let key = super::order::newest_first(at, super::order::next_sequence(conn)?, hashtag_id);
    conn.execute(
        "INSERT INTO hashtag_searches (account_id, hashtag_id, first_searched_at, sort_key)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account_id, hashtag_id)
         DO UPDATE SET first_searched_at = excluded.first_searched_at, sort_key = excluded.sort_key",
        params![account_id, hashtag_id, at, key],
    )?;
    Ok(())
}

/// One page of the hashtags the account searched since `since`, most recent first.
pub fn searched(
    conn: &Reader,
    account_id: &str,
    since: i64,
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, String)>> {
    let (cursor, order) = match (before, after) {
        (Some(_), _) => ("sort_key < ?3", "DESC"),
        (None, Some(_)) => ("sort_key > ?3", "ASC"),
        (None, None) => ("CAST(?3 AS TEXT) IS NULL", "ASC"),
    };
    let sql = format!(
        "SELECT sort_key, hashtag_id FROM hashtag_searches
         WHERE account_id = ?1 AND first_searched_at >= ?2 AND {cursor}
         ORDER BY sort_key {order} LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![account_id, since, before.or(after), limit as i64],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.collect()
}

// ----- discovery switches ----------------------------------------------------------------------

/// What keeps an account or a person out of discovery and embedding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Switches {
    pub age_gated: bool,
    pub embeds_disabled: bool,
    pub inactive: bool,
    /// Collaborator tagging turned off: not listed on media's `collaborators` edges.
    pub collaborator_tagging_disabled: bool,
}

pub fn switches(conn: &Reader, owner_id: &str) -> StoreResult<Switches> {
    let mut stmt = conn.prepare_cached(
        "SELECT age_gated, embeds_disabled, inactive, collaborator_tagging_disabled
         FROM discovery_switches WHERE owner_id = ?1",
    )?;
    Ok(optional(stmt.query_row([owner_id], |r| {
        Ok(Switches {
            age_gated: r.get(0)?,
            embeds_disabled: r.get(1)?,
            inactive: r.get(2)?,
            collaborator_tagging_disabled: r.get(3)?,
        })
    }))?
    .unwrap_or_default())
}

pub fn set_switches(conn: &Writer, owner_id: &str, switches: Switches) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO discovery_switches
           (owner_id, age_gated, embeds_disabled, inactive, collaborator_tagging_disabled)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (owner_id) DO UPDATE SET age_gated = excluded.age_gated,
           embeds_disabled = excluded.embeds_disabled, inactive = excluded.inactive,
           collaborator_tagging_disabled = excluded.collaborator_tagging_disabled",
        params![
            owner_id,
            switches.age_gated,
            switches.embeds_disabled,
            switches.inactive,
            switches.collaborator_tagging_disabled
        ],
    )?;
    Ok(())
}

/// Makes an account or a person private or public (`is_private` of either table).
pub fn set_private(conn: &Writer, owner_id: &str, private: bool) -> StoreResult<()> {
    for table in ["accounts", "people"] {
        conn.execute(
            &format!("UPDATE {table} SET is_private = ?2 WHERE id = ?1"),
            params![owner_id, private],
        )?;
    }
    Ok(())
}

/// A reel's views, paid and organic (0 until a test sets them).
pub fn view_count(conn: &Reader, media_id: &str) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached("SELECT view_count FROM media_views WHERE media_id = ?1")?;
    Ok(optional(stmt.query_row([media_id], |r| r.get(0)))?.unwrap_or(0))
}

pub fn set_view_count(conn: &Writer, media_id: &str, views: i64) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO media_views (media_id, view_count) VALUES (?1, ?2)
         ON CONFLICT (media_id) DO UPDATE SET view_count = excluded.view_count",
        params![media_id, views],
    )?;
    Ok(())
}
