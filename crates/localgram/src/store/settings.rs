//! Key-value settings that must survive a restart: the id seed and counter, the clock.

use rusqlite::{params, Connection};

use super::{optional, StoreResult};

pub fn get(conn: &Connection, key: &str) -> StoreResult<Option<String>> {
    optional(
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        }),
    )
}

pub fn set(conn: &Connection, key: &str, value: &str) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
