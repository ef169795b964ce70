//! Key-value settings that must survive a restart: the id seed and counter, the clock.

use super::sql::{params, Reader, Writer};

use super::{optional, StoreResult};

pub fn get(conn: &Reader, key: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?;
    optional(stmt.query_row([key], |r| r.get(0)))
}

pub fn set(conn: &Writer, key: &str, value: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

pub fn delete(conn: &Writer, key: &str) -> StoreResult<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}
