//! Upcoming events an account hosts (issue #13; ref 001 L10161-10327).

use super::sql::{params, Reader, Row, Writer};
use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub account_id: String,
    pub title: String,
    pub start_time: i64,
    pub end_time: Option<i64>,
    /// `EVENT_START` or `EVENT_END`.
    pub notification_target_time: String,
    /// A JSON array of three subtypes.
    pub notification_subtypes: String,
}

const COLUMNS: &str = "id, account_id, title, start_time, end_time, notification_target_time, \
     notification_subtypes";

fn from_row(r: &Row) -> StoreResult<Event> {
    Ok(Event {
        id: r.get(0)?,
        account_id: r.get(1)?,
        title: r.get(2)?,
        start_time: r.get(3)?,
        end_time: r.get(4)?,
        notification_target_time: r.get(5)?,
        notification_subtypes: r.get(6)?,
    })
}

pub fn insert(conn: &Writer, e: &Event, now: i64) -> StoreResult<()> {
    conn.execute(
        &format!("INSERT INTO upcoming_events ({COLUMNS}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            e.id,
            e.account_id,
            e.title,
            e.start_time,
            e.end_time,
            e.notification_target_time,
            e.notification_subtypes,
            now
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Writer, e: &Event) -> StoreResult<()> {
    conn.execute(
        "UPDATE upcoming_events SET title = ?2, start_time = ?3, end_time = ?4,
         notification_subtypes = ?5 WHERE id = ?1",
        params![
            e.id,
            e.title,
            e.start_time,
            e.end_time,
            e.notification_subtypes
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM upcoming_events WHERE id = ?1"
    ))?;
    optional(stmt.query_row([id], from_row))
}

/// The account's events that have not started by `now`, soonest first.
pub fn upcoming(conn: &Reader, account_id: &str, now: i64) -> StoreResult<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM upcoming_events WHERE account_id = ?1 AND start_time > ?2
         ORDER BY start_time, id"
    ))?;
    let rows = stmt.query_map(params![account_id, now], from_row)?;
    rows.collect()
}
