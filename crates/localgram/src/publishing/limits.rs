//! The rolling 24-hour windows: containers created (400) and posts published (100, or 50 in
//! some documents; configurable). Both are counted inside the write transaction that would
//! add to them, so concurrent calls cannot pass a limit together.

use crate::store::Reader;
use graph::GraphError;

use crate::store::{containers, StoreError};

/// Both limits count over a moving 24-hour period (ref 001 L18-20, L1447-1450, L6628-6634).
pub const WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// "An Instagram account can only create 400 containers within a rolling 24 hour period"
/// (ref 001 L18-20, L7547-7549).
pub const CONTAINER_LIMIT: u32 = 400;
/// "100 API-published posts within a 24-hour moving period" (ref 001 L1447-1450, 004 L2668,
/// the newer document); 50 in 001 L1487, L7912-7917 and `config.quota_total` L6628-6634.
pub const DEFAULT_PUBLISH_LIMIT: u32 = 100;

/// Posts published since `since_ms` (and within the window ending at `now_ms`).
pub fn quota_usage(
    conn: &Reader,
    account_id: &str,
    since_ms: i64,
    now_ms: i64,
) -> Result<i64, StoreError> {
    containers::published_since(
        conn,
        account_id,
        since_ms.max(now_ms - WINDOW_MS + 1),
        i64::MAX,
    )
}

/// Refuses a publish that would pass the daily limit (9/2207042, ref 001 L3375-3383).
pub fn check_publish(
    conn: &Reader,
    account_id: &str,
    limit: u32,
    now_ms: i64,
) -> Result<Result<(), GraphError>, StoreError> {
    let used =
        containers::published_since(conn, account_id, now_ms - WINDOW_MS + 1, i64::from(limit))?;
    Ok(if used >= i64::from(limit) {
        Err(GraphError::publish_limit_reached())
    } else {
        Ok(())
    })
}

/// Refuses a container that would pass the 400-per-day limit.
pub fn check_containers(
    conn: &Reader,
    account_id: &str,
    limit: u32,
    now_ms: i64,
) -> Result<Result<(), GraphError>, StoreError> {
    let used =
        containers::created_since(conn, account_id, now_ms - WINDOW_MS + 1, i64::from(limit))?;
    Ok(if used >= i64::from(limit) {
        Err(GraphError::container_limit_reached(limit))
    } else {
        Ok(())
    })
}
