//! Key-value settings that must survive a restart: the id seed and counter, the clock.

use rusqlite::{params, Connection};

use super::{optional, StoreResult};

pub fn get(conn: &Connection, key: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?;
    optional(stmt.query_row([key], |r| r.get(0)))
}

pub fn set(conn: &Connection, key: &str, value: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}
