//! What fell due in a span of virtual time (the console's clock view, issue #15): containers
//! that expired unpublished, 24-hour and 7-day messaging windows that closed, tokens that
//! expired, stories that ended. Each list is the first [`DUE_LIMIT`] by time; the spans are
//! half-open, `(from, to]`.

use super::sql::{params, Reader};
use super::StoreResult;

/// Rows each list shows at most.
pub const DUE_LIMIT: i64 = 100;

/// Something that fell due: its id, whose it is, and when (virtual Unix milliseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub id: String,
    pub owner_id: String,
    pub at_ms: i64,
}

/// Runs `sql` with the bounds `(low, high]` of its time column (so an index on it serves).
fn list(conn: &Reader, sql: &str, low: i64, high: i64) -> StoreResult<Vec<Due>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![low, high, DUE_LIMIT], |r| {
        Ok(Due {
            id: r.get(0)?,
            owner_id: r.get(1)?,
            at_ms: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Containers not published within `lifetime_ms` of their creation, expiring in the span.
pub fn containers_expired(
    conn: &Reader,
    lifetime_ms: i64,
    from_ms: i64,
    to_ms: i64,
) -> StoreResult<Vec<Due>> {
    list(
        conn,
        &format!(
            "SELECT id, account_id, created_at + {lifetime_ms} AS due FROM containers
             WHERE published_media_id IS NULL AND is_carousel_item = 0
               AND created_at > ?1 AND created_at <= ?2
             ORDER BY due, id LIMIT ?3"
        ),
        from_ms.saturating_sub(lifetime_ms),
        to_ms.saturating_sub(lifetime_ms),
    )
}

/// Conversations whose window of `window_ms` after the person's last message closed in the
/// span (the id is the person's).
pub fn windows_closed(
    conn: &Reader,
    window_ms: i64,
    from_ms: i64,
    to_ms: i64,
) -> StoreResult<Vec<Due>> {
    list(
        conn,
        &format!(
            "SELECT person_id, account_id, last_inbound_at + {window_ms} AS due FROM conversations
             WHERE last_inbound_at > ?1 AND last_inbound_at <= ?2
             ORDER BY due, person_id LIMIT ?3"
        ),
        from_ms.saturating_sub(window_ms),
        to_ms.saturating_sub(window_ms),
    )
}

/// Tokens (not invalidated) whose expiry fell in the span (tokens keep seconds: a time in
/// whole seconds is after `from_ms` exactly when it is after its whole seconds).
pub fn tokens_expired(conn: &Reader, from_ms: i64, to_ms: i64) -> StoreResult<Vec<Due>> {
    list(
        conn,
        "SELECT token, subject_id, expires_at * 1000 AS due FROM tokens
         WHERE invalidated_at IS NULL AND expires_at > ?1 AND expires_at <= ?2
         ORDER BY due, token LIMIT ?3",
        from_ms.div_euclid(1000),
        to_ms.div_euclid(1000),
    )
}

/// Stories whose 24 hours ended in the span (media keep seconds; the index
/// `media_stories_by_time` serves it).
pub fn stories_ended(conn: &Reader, from_ms: i64, to_ms: i64) -> StoreResult<Vec<Due>> {
    const LIFE: i64 = 86_400;
    list(
        conn,
        "SELECT id, account_id, (created_at + 86400) * 1000 AS due FROM media
         WHERE media_product_type = 'STORY' AND created_at > ?1 AND created_at <= ?2
         ORDER BY due, id LIMIT ?3",
        from_ms.div_euclid(1000) - LIFE,
        to_ms.div_euclid(1000) - LIFE,
    )
}
