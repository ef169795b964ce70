//! The webhook outbox and its log: events, one delivery row per (event, app) decision, and
//! every HTTP request sent to a callback with what came back.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

/// Delivery states.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";
pub const SKIPPED: &str = "skipped";

fn next_id(conn: &Reader, table: &str) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))?;
    stmt.query_row((), |r| r.get(0))
}

pub fn insert_event(
    conn: &Writer,
    account_id: &str,
    field: &str,
    payload: &str,
    test: bool,
    created_at: i64,
) -> StoreResult<i64> {
    let id = next_id(conn, "webhook_events")?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO webhook_events (id, account_id, field, payload, test, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    stmt.execute(params![id, account_id, field, payload, test, created_at])?;
    Ok(id)
}

pub struct NewDelivery<'a> {
    pub event_id: i64,
    pub app_id: Option<&'a str>,
    pub account_id: &'a str,
    pub field: &'a str,
    pub login: Option<&'a str>,
    pub status: &'a str,
    pub reason: Option<&'a str>,
    pub created_at: i64,
    pub next_attempt_at: Option<i64>,
}

pub fn insert_delivery(conn: &Writer, d: &NewDelivery) -> StoreResult<i64> {
    let id = next_id(conn, "webhook_deliveries")?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO webhook_deliveries (id, event_id, app_id, account_id, field, login, status,
            reason, attempts, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10)",
    )?;
    stmt.execute(params![
        id,
        d.event_id,
        d.app_id,
        d.account_id,
        d.field,
        d.login,
        d.status,
        d.reason,
        d.created_at,
        d.next_attempt_at
    ])?;
    Ok(id)
}

/// A delivery with its event, as the worker, the log and replay read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub event_id: i64,
    pub app_id: Option<String>,
    pub account_id: String,
    pub field: String,
    pub login: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
    pub next_attempt_at: Option<i64>,
    pub first_attempt_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub last_request_id: Option<i64>,
    /// The event's semantic payload (JSON of `events::Payload`).
    pub payload: String,
    pub test: bool,
}

const DELIVERY_COLUMNS: &str = "d.id, d.event_id, d.app_id, d.account_id, d.field, d.login, \
     d.status, d.reason, d.attempts, d.created_at, d.next_attempt_at, d.first_attempt_at, \
     d.finished_at, d.last_request_id, e.payload, e.test";

fn delivery_from_row(r: &Row) -> crate::store::StoreResult<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        event_id: r.get(1)?,
        app_id: r.get(2)?,
        account_id: r.get(3)?,
        field: r.get(4)?,
        login: r.get(5)?,
        status: r.get(6)?,
        reason: r.get(7)?,
        attempts: r.get(8)?,
        created_at: r.get(9)?,
        next_attempt_at: r.get(10)?,
        first_attempt_at: r.get(11)?,
        finished_at: r.get(12)?,
        last_request_id: r.get(13)?,
        payload: r.get(14)?,
        test: r.get(15)?,
    })
}

pub fn delivery(conn: &Reader, id: i64) -> StoreResult<Option<Delivery>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
         JOIN webhook_events e ON e.id = d.event_id WHERE d.id = ?1"
    ))?;
    optional(stmt.query_row([id], delivery_from_row))
}

/// Where a pending delivery stands in its stream, for planning the next batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub id: i64,
    pub account_id: String,
    pub next_attempt_at: Option<i64>,
}

/// The pending deliveries of one app under one login after `after`, in the order they were
/// recorded, at most `limit`: the worker pages through them to pick its next batch.
pub fn pending_stream(
    conn: &Reader,
    app_id: &str,
    login: &str,
    after: i64,
    limit: usize,
) -> StoreResult<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, next_attempt_at FROM webhook_deliveries
         WHERE status = 'pending' AND app_id = ?1 AND login = ?2 AND id > ?3
         ORDER BY id LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![
            app_id,
            login,
            after,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| {
            Ok(Queued {
                id: r.get(0)?,
                account_id: r.get(1)?,
                next_attempt_at: r.get(2)?,
            })
        },
    )?;
    rows.collect::<Result<_, _>>()
}

/// Takes or renews the lease on a webhook stream for `owner` until `until_ms`, unless another
/// instance holds one that has not expired at `now_ms` (real time). Answers whether `owner`
/// holds it now.
pub fn lease_stream(
    tx: &Writer,
    app_id: &str,
    login: &str,
    owner: &str,
    now_ms: i64,
    until_ms: i64,
) -> StoreResult<bool> {
    let changed = tx.execute(
        "INSERT INTO webhook_stream_leases (app_id, login, owner, expires_at)
         VALUES (?1, ?2, ?3, ?5)
         ON CONFLICT (app_id, login) DO UPDATE
         SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE webhook_stream_leases.owner = excluded.owner
            OR webhook_stream_leases.expires_at < ?4",
        params![app_id, login, owner, now_ms, until_ms],
    )?;
    Ok(changed == 1)
}

/// Filters of the delivery log.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub app_id: Option<String>,
    pub account_id: Option<String>,
    pub field: Option<String>,
    pub status: Option<String>,
    pub include_skipped: bool,
    /// Only deliveries with an id below this one (paging newest first).
    pub before: Option<i64>,
    pub limit: usize,
}

/// The delivery log, newest first.
pub fn list(conn: &Reader, q: &LogQuery) -> StoreResult<Vec<Delivery>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
         JOIN webhook_events e ON e.id = d.event_id
         WHERE (CAST(?1 AS TEXT) IS NULL OR d.app_id = ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR d.account_id = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR d.field = ?3)
           AND (CAST(?4 AS TEXT) IS NULL OR d.status = ?4)
           AND (?5 = 1 OR d.status <> 'skipped' OR ?4 = 'skipped')
           AND (CAST(?6 AS BIGINT) IS NULL OR d.id < ?6)
         ORDER BY d.id DESC LIMIT ?7"
    ))?;
    let rows = stmt.query_map(
        params![
            q.app_id,
            q.account_id,
            q.field,
            q.status,
            q.include_skipped,
            q.before,
            i64::try_from(q.limit).unwrap_or(i64::MAX)
        ],
        delivery_from_row,
    )?;
    rows.collect::<Result<_, _>>()
}

/// One HTTP request to a callback.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: i64,
    pub app_id: String,
    pub url: String,
    /// JSON object of the headers sent.
    pub headers: String,
    pub body: String,
    pub started_at: i64,
    pub duration_ms: i64,
    pub status: Option<i64>,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub replay: bool,
}

pub fn insert_request(conn: &Writer, r: &Request) -> StoreResult<i64> {
    let id = next_id(conn, "webhook_requests")?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO webhook_requests (id, app_id, url, headers, body, started_at, duration_ms,
            status, response_body, error, replay)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    stmt.execute(params![
        id,
        r.app_id,
        r.url,
        r.headers,
        r.body,
        r.started_at,
        r.duration_ms,
        r.status,
        r.response_body,
        r.error,
        r.replay
    ])?;
    Ok(id)
}

fn request_from_row(r: &Row) -> crate::store::StoreResult<Request> {
    Ok(Request {
        id: r.get(0)?,
        app_id: r.get(1)?,
        url: r.get(2)?,
        headers: r.get(3)?,
        body: r.get(4)?,
        started_at: r.get(5)?,
        duration_ms: r.get(6)?,
        status: r.get(7)?,
        response_body: r.get(8)?,
        error: r.get(9)?,
        replay: r.get(10)?,
    })
}

const REQUEST_COLUMNS: &str = "r.id, r.app_id, r.url, r.headers, r.body, r.started_at, \
     r.duration_ms, r.status, r.response_body, r.error, r.replay";

pub fn request(conn: &Reader, id: i64) -> StoreResult<Option<Request>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REQUEST_COLUMNS} FROM webhook_requests r WHERE r.id = ?1"
    ))?;
    optional(stmt.query_row([id], request_from_row))
}

/// The requests that carried a delivery, oldest first: its attempts.
pub fn requests_of(conn: &Reader, delivery_id: i64) -> StoreResult<Vec<(Request, i64)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REQUEST_COLUMNS},
            (SELECT COUNT(*) FROM webhook_request_deliveries c WHERE c.request_id = r.id)
         FROM webhook_request_deliveries rd JOIN webhook_requests r ON r.id = rd.request_id
         WHERE rd.delivery_id = ?1 ORDER BY r.id"
    ))?;
    let rows = stmt.query_map([delivery_id], |r| {
        Ok((request_from_row(r)?, r.get::<_, i64>(11)?))
    })?;
    rows.collect::<Result<_, _>>()
}

/// Which delivery a request row carried, for the log.
pub fn link(conn: &Writer, request_id: i64, delivery_id: i64) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO webhook_request_deliveries (delivery_id, request_id) VALUES (?1, ?2)
         ON CONFLICT (delivery_id, request_id) DO NOTHING",
    )?;
    stmt.execute(params![delivery_id, request_id])?;
    Ok(())
}

/// What an attempt did to one delivery. The row must still be the one the attempt read
/// (same id, event and creation time: a reset in between reuses ids).
pub struct Outcome<'a> {
    pub delivery: &'a Delivery,
    pub request_id: i64,
    pub attempted_at: i64,
    /// `delivered`, `pending` (retry at `next_attempt_at`) or `failed`.
    pub status: &'a str,
    pub next_attempt_at: Option<i64>,
    pub reason: Option<&'a str>,
    pub now: i64,
    /// Whether this was a scheduled attempt (a replay does not count towards the schedule).
    pub count_attempt: bool,
}

pub fn record_outcome(conn: &Writer, o: &Outcome) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached(
        "UPDATE webhook_deliveries SET status = ?4, attempts = attempts + ?10,
            first_attempt_at = COALESCE(first_attempt_at, ?5), next_attempt_at = ?6,
            reason = ?7, last_request_id = ?8,
            finished_at = CASE WHEN ?4 = 'pending' THEN NULL ELSE CAST(?9 AS BIGINT) END
         WHERE id = ?1 AND event_id = ?2 AND created_at = ?3",
    )?;
    let changed = stmt.execute(params![
        o.delivery.id,
        o.delivery.event_id,
        o.delivery.created_at,
        o.status,
        o.attempted_at,
        o.next_attempt_at,
        o.reason,
        o.request_id,
        o.now,
        i64::from(o.count_attempt)
    ])?;
    Ok(changed == 1)
}

/// Gives up every pending delivery of an app (its configuration was removed).
pub fn fail_pending_of_app(
    conn: &Writer,
    app_id: &str,
    reason: &str,
    now: i64,
) -> StoreResult<usize> {
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'failed', reason = ?2, finished_at = ?3,
            next_attempt_at = NULL
         WHERE status = 'pending' AND app_id = ?1",
        params![app_id, reason, now],
    )
}

/// How many deliveries are in each state, for the control API.
pub fn counts(conn: &Reader) -> StoreResult<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status ORDER BY status",
    )?;
    let rows = stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<Result<_, _>>()
}
