//! The messenger profile of an account: its persistent menu and ice breakers, each stored as
//! the JSON the API validated.

use super::sql::{params, Reader, Writer};
use serde_json::Value;

use super::{optional, StoreResult};

/// The field's stored value, if set.
pub fn get(conn: &Reader, account_id: &str, field: &str) -> StoreResult<Option<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT value FROM messenger_profiles WHERE account_id = ?1 AND field = ?2",
    )?;
    let text: Option<String> = optional(stmt.query_row(params![account_id, field], |r| r.get(0)))?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

pub fn set(
    conn: &Writer,
    account_id: &str,
    field: &str,
    value: &Value,
    now: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO messenger_profiles (account_id, field, value, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account_id, field) DO UPDATE SET value = ?3, updated_at = ?4",
        params![account_id, field, value.to_string(), now],
    )?;
    Ok(())
}

pub fn delete(conn: &Writer, account_id: &str, field: &str) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM messenger_profiles WHERE account_id = ?1 AND field = ?2",
        params![account_id, field],
    )?;
    Ok(())
}
