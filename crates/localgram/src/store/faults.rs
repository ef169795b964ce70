//! Injected faults as stored: the fault as created (JSON, `faults` reads it), and how many
//! calls it matched and fired on. Claims happen in a write transaction, so a fault that may
//! fire `times` times fires exactly that often whatever the concurrency, across instances.

use super::sql::{params, Reader, Writer};
use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: i64,
    pub spec: String,
    pub matched: i64,
    pub fired: i64,
    pub created_at: i64,
}

fn row(r: &super::Row) -> StoreResult<Row> {
    Ok(Row {
        id: r.get(0)?,
        spec: r.get(1)?,
        matched: r.get(2)?,
        fired: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// Every fault, oldest first.
pub fn list(conn: &Reader) -> StoreResult<Vec<Row>> {
    conn.query_map(
        "SELECT id, spec, matched, fired, created_at FROM faults ORDER BY id",
        (),
        row,
    )?
    .collect()
}

pub fn get(conn: &Reader, id: i64) -> StoreResult<Option<Row>> {
    optional(
        conn.prepare_cached(
            "SELECT id, spec, matched, fired, created_at FROM faults WHERE id = ?1",
        )?
        .query_row([id], row),
    )
}

/// Stores a new fault under the next id.
pub fn insert(tx: &Writer, spec: &str, now: i64) -> StoreResult<Row> {
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM faults", (), |r| {
        r.get(0)
    })?;
    tx.execute(
        "INSERT INTO faults (id, spec, matched, fired, created_at) VALUES (?1, ?2, 0, 0, ?3)",
        params![id, spec, now],
    )?;
    Ok(Row {
        id,
        spec: spec.to_string(),
        matched: 0,
        fired: 0,
        created_at: now,
    })
}

/// Records one more matching call and whether it fired.
pub fn record(tx: &Writer, id: i64, matched: i64, fired: i64) -> StoreResult<()> {
    tx.prepare_cached("UPDATE faults SET matched = ?2, fired = ?3 WHERE id = ?1")?
        .execute(params![id, matched, fired])?;
    Ok(())
}

pub fn delete(tx: &Writer, id: i64) -> StoreResult<bool> {
    Ok(tx.execute("DELETE FROM faults WHERE id = ?1", [id])? > 0)
}

pub fn clear(tx: &Writer) -> StoreResult<Vec<Row>> {
    let all = list(tx)?;
    tx.execute("DELETE FROM faults", ())?;
    Ok(all)
}
