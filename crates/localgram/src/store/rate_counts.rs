//! The rate-limit counters as stored: calls per scope and bucket of a rolling window
//! (`limits` decides what a scope and a bucket are). Not Instagram's state: snapshots leave
//! the table alone; reset empties it.

use super::sql::{params, Reader, Writer};
use super::{Engine, StoreResult};

/// Every stored bucket: (scope, bucket, calls).
pub fn all(conn: &Reader) -> StoreResult<Vec<(String, i64, i64)>> {
    conn.query_map(
        "SELECT scope, bucket, calls FROM rate_counts ORDER BY scope, bucket",
        (),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?
    .collect()
}

/// One scope's buckets after `after` (exclusive): (bucket, calls).
pub fn window(conn: &Reader, scope: &str, after: i64) -> StoreResult<Vec<(i64, i64)>> {
    conn.prepare_cached(
        "SELECT bucket, calls FROM rate_counts WHERE scope = ?1 AND bucket > ?2 ORDER BY bucket",
    )?
    .query_map(params![scope, after], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Serialises counting in one scope across every instance until the transaction ends
/// (PostgreSQL; on SQLite the one writer already does).
pub fn lock_scope(tx: &Writer, scope: &str) -> StoreResult<()> {
    if tx.engine() == Engine::Postgres {
        // The two-key form keeps these locks apart from the single-key write lock.
        tx.query_row(
            "SELECT pg_advisory_xact_lock(1818, hashtext(?1))::text",
            [scope],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// Adds `calls` to one bucket.
pub fn add(tx: &Writer, scope: &str, bucket: i64, calls: i64) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO rate_counts (scope, bucket, calls) VALUES (?1, ?2, ?3)
         ON CONFLICT (scope, bucket) DO UPDATE SET calls = rate_counts.calls + excluded.calls",
    )?
    .execute(params![scope, bucket, calls])?;
    Ok(())
}

/// Drops a scope's buckets at or before `upto`: they left the window.
pub fn prune(tx: &Writer, scope: &str, upto: i64) -> StoreResult<()> {
    tx.prepare_cached("DELETE FROM rate_counts WHERE scope = ?1 AND bucket <= ?2")?
        .execute(params![scope, upto])?;
    Ok(())
}

/// Replaces a scope's buckets with `buckets` (the in-memory counters written behind).
pub fn replace(tx: &Writer, scope: &str, buckets: &[(i64, i64)]) -> StoreResult<()> {
    tx.prepare_cached("DELETE FROM rate_counts WHERE scope = ?1")?
        .execute([scope])?;
    for (bucket, calls) in buckets {
        if *calls > 0 {
            add(tx, scope, *bucket, *calls)?;
        }
    }
    Ok(())
}

/// Forgets every count (reset).
pub fn clear(tx: &Writer) -> StoreResult<()> {
    tx.execute("DELETE FROM rate_counts", ())?;
    Ok(())
}
