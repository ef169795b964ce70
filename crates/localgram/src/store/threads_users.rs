//! The Threads accounts of an IG account (issue #13): one connected, one Instagram-backed.

use super::sql::{params, Reader, Writer};
use super::{optional, StoreResult};

/// `connected` (linked in the apps) or `backed` (created for Threads ads).
pub fn get(conn: &Reader, account_id: &str, kind: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT threads_user_id FROM threads_users WHERE account_id = ?1 AND kind = ?2",
    )?;
    optional(stmt.query_row([account_id, kind], |r| r.get(0)))
}

pub fn set(conn: &Writer, account_id: &str, kind: &str, id: &str, now: i64) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO threads_users (account_id, kind, threads_user_id, created_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account_id, kind) DO UPDATE SET threads_user_id = excluded.threads_user_id",
        params![account_id, kind, id, now],
    )?;
    Ok(())
}

pub fn remove(conn: &Writer, account_id: &str, kind: &str) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM threads_users WHERE account_id = ?1 AND kind = ?2",
        params![account_id, kind],
    )?;
    Ok(())
}
