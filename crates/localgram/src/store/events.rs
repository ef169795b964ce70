//! The webhook outbox and its log: events, one delivery row per (event, app) decision, and
//! every HTTP request sent to a callback with what came back.

use super::sql::{params, Reader, Row, Value as SqlValue, Writer};

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
    bump(conn, d.status, 1)?;
    if let (PENDING, Some(app_id), Some(login)) = (d.status, d.app_id, d.login) {
        // The account's earlier pending delivery, if any, stays its head.
        let mut head = conn.prepare_cached(
            "INSERT INTO webhook_heads (app_id, login, account_id, delivery_id, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (app_id, login, account_id) DO NOTHING",
        )?;
        head.execute(params![
            app_id,
            login,
            d.account_id,
            id,
            d.next_attempt_at.unwrap_or(d.created_at)
        ])?;
    }
    Ok(id)
}

// ----- counters -----------------------------------------------------------------------------

/// Deliveries in a state (`pending`, `delivered`, `failed`, `skipped`), pending ones that failed
/// at least once (`retrying`), and deliveries whose requests retention pruned (`pruned`).
pub const RETRYING: &str = "retrying";
pub const PRUNED: &str = "pruned";

fn bump(conn: &Writer, name: &str, delta: i64) -> StoreResult<()> {
    if delta == 0 {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO webhook_counters (name, n) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET n = webhook_counters.n + excluded.n",
    )?;
    stmt.execute(params![name, delta])?;
    Ok(())
}

/// Every counter, by name (absent: zero).
pub fn counters(conn: &Reader) -> StoreResult<std::collections::BTreeMap<String, i64>> {
    let mut stmt = conn.prepare_cached("SELECT name, n FROM webhook_counters ORDER BY name")?;
    let rows = stmt.query_map((), |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    rows.collect::<Result<_, _>>()
}

/// Recounts what the counters and the heads summarise, from the deliveries themselves: after
/// a snapshot import, whose rows may have been edited by hand. What already agrees is left
/// as it is, so a snapshot exported again is the one imported.
pub fn rebuild(conn: &Writer) -> StoreResult<()> {
    let mut expected: std::collections::BTreeMap<String, i64> = conn
        .query_map(
            "SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status",
            (),
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    for (name, sql) in [
        (
            RETRYING,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts > 0",
        ),
        (
            PRUNED,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE pruned_at IS NOT NULL",
        ),
    ] {
        expected.insert(name.to_string(), conn.query_row(sql, (), |r| r.get(0))?);
    }
    let present = counters(conn)?;
    for (name, n) in &present {
        if !expected.contains_key(name) && *n != 0 {
            conn.execute(
                "DELETE FROM webhook_counters WHERE name = ?1",
                [name.as_str()],
            )?;
        }
    }
    for (name, n) in expected {
        match present.get(&name) {
            Some(have) if *have == n => {}
            Some(_) => {
                conn.execute(
                    "UPDATE webhook_counters SET n = ?2 WHERE name = ?1",
                    params![name, n],
                )?;
            }
            None if n == 0 => {}
            None => {
                conn.execute(
                    "INSERT INTO webhook_counters (name, n) VALUES (?1, ?2)",
                    params![name, n],
                )?;
            }
        }
    }
    let heads_sql = "SELECT app_id, login, account_id, delivery_id, next_attempt_at
         FROM webhook_heads ORDER BY app_id, login, account_id";
    let computed_sql = "SELECT d.app_id, d.login, d.account_id, d.id,
            COALESCE(d.next_attempt_at, d.created_at)
         FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.app_id IS NOT NULL AND d.login IS NOT NULL
           AND d.id = (SELECT MIN(p.id) FROM webhook_deliveries p WHERE p.status = 'pending'
                       AND p.app_id = d.app_id AND p.login = d.login
                       AND p.account_id = d.account_id)
         ORDER BY d.app_id, d.login, d.account_id";
    type Head = (String, String, String, i64, i64);
    let read = |sql: &str| -> StoreResult<Vec<Head>> {
        conn.query_map(sql, (), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect()
    };
    let computed = read(computed_sql)?;
    if read(heads_sql)? != computed {
        conn.execute("DELETE FROM webhook_heads", ())?;
        for (app_id, login, account_id, id, at) in computed {
            conn.execute(
                "INSERT INTO webhook_heads (app_id, login, account_id, delivery_id, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![app_id, login, account_id, id, at],
            )?;
        }
    }
    Ok(())
}

// ----- heads: each account's earliest pending delivery per stream ---------------------------

/// Makes the head of an account in a stream its earliest pending delivery again (or removes
/// it when none is left), after a delivery of it changed.
pub fn refresh_head(conn: &Writer, app_id: &str, login: &str, account_id: &str) -> StoreResult<()> {
    let earliest = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, COALESCE(next_attempt_at, created_at) FROM webhook_deliveries
             WHERE status = 'pending' AND app_id = ?1 AND login = ?2 AND account_id = ?3
             ORDER BY id LIMIT 1",
        )?;
        optional(stmt.query_row(params![app_id, login, account_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        }))?
    };
    match earliest {
        Some((id, at)) => {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO webhook_heads (app_id, login, account_id, delivery_id, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (app_id, login, account_id) DO UPDATE
                 SET delivery_id = excluded.delivery_id, next_attempt_at = excluded.next_attempt_at",
            )?;
            stmt.execute(params![app_id, login, account_id, id, at])?;
        }
        None => {
            let mut stmt = conn.prepare_cached(
                "DELETE FROM webhook_heads WHERE app_id = ?1 AND login = ?2 AND account_id = ?3",
            )?;
            stmt.execute(params![app_id, login, account_id])?;
        }
    }
    Ok(())
}

/// The heads of a stream due at `now`, longest due first, at most `limit`: one index range.
pub fn due_heads(
    conn: &Reader,
    app_id: &str,
    login: &str,
    now: i64,
    limit: usize,
) -> StoreResult<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(
        "SELECT delivery_id, account_id, next_attempt_at FROM webhook_heads
         WHERE app_id = ?1 AND login = ?2 AND next_attempt_at <= ?3
         ORDER BY next_attempt_at, delivery_id LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![app_id, login, now, i64::try_from(limit).unwrap_or(i64::MAX)],
        queued_from_row,
    )?;
    rows.collect::<Result<_, _>>()
}

/// When the earliest head of a stream that is not due at `now` becomes due.
pub fn next_due(conn: &Reader, app_id: &str, login: &str, now: i64) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT next_attempt_at FROM webhook_heads
         WHERE app_id = ?1 AND login = ?2 AND next_attempt_at > ?3
         ORDER BY next_attempt_at LIMIT 1",
    )?;
    optional(stmt.query_row(params![app_id, login, now], |r| r.get(0)))
}

/// An account's pending deliveries in a stream from `from_id` on, in recording order.
pub fn pending_of_account(
    conn: &Reader,
    app_id: &str,
    login: &str,
    account_id: &str,
    from_id: i64,
    limit: usize,
) -> StoreResult<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, next_attempt_at FROM webhook_deliveries
         WHERE status = 'pending' AND app_id = ?1 AND login = ?2 AND account_id = ?3
           AND id >= ?4
         ORDER BY id LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![
            app_id,
            login,
            account_id,
            from_id,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        queued_from_row,
    )?;
    rows.collect::<Result<_, _>>()
}

fn queued_from_row(r: &Row) -> StoreResult<Queued> {
    Ok(Queued {
        id: r.get(0)?,
        account_id: r.get(1)?,
        next_attempt_at: r.get(2)?,
    })
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
    /// When retention removed its requests (its outcome stays).
    pub pruned_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "d.id, d.event_id, d.app_id, d.account_id, d.field, d.login, \
     d.status, d.reason, d.attempts, d.created_at, d.next_attempt_at, d.first_attempt_at, \
     d.finished_at, d.last_request_id, e.payload, e.test, d.pruned_at";

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
        pruned_at: r.get(16)?,
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
    /// Only deliveries recorded at or after this virtual time (Unix ms).
    pub since_ms: Option<i64>,
    /// Only deliveries recorded before this virtual time (Unix ms).
    pub until_ms: Option<i64>,
    pub limit: usize,
}

/// The delivery log, newest first: a keyset page (`id < before`), never an offset. Only the
/// filters given appear in the statement, so each is served by its index on `(column, id)`
/// and a page reads about `limit` rows whatever the size of the log.
pub fn list(conn: &Reader, q: &LogQuery) -> StoreResult<Vec<Delivery>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    let mut add = |condition: &str, value: SqlValue| {
        values.push(value);
        conditions.push(condition.replace('N', &values.len().to_string()));
    };
    if let Some(app) = &q.app_id {
        add("d.app_id = ?N", SqlValue::Text(app.clone()));
    }
    if let Some(account) = &q.account_id {
        add("d.account_id = ?N", SqlValue::Text(account.clone()));
    }
    if let Some(field) = &q.field {
        add("d.field = ?N", SqlValue::Text(field.clone()));
    }
    if let Some(status) = &q.status {
        add("d.status = ?N", SqlValue::Text(status.clone()));
    }
    if let Some(before) = q.before {
        add("d.id < ?N", SqlValue::Integer(before));
    }
    // PostgreSQL plans a statement it has run five times once for any values (a generic plan),
    // and for a time range that plan walks the log newest first, filtering by time: a window at
    // the log's old end read every newer delivery (99,900 rows for a page of 100 in a log of
    // 100,000). With the bounds and the limit written into the statement, each range is planned
    // for itself and uses `(created_at, id)` (the bounds alone are not enough: with the limit
    // unknown, the generic plan still walks). They are integers: only digits enter the text.
    let literal =
        conn.engine() == super::Engine::Postgres && (q.since_ms.is_some() || q.until_ms.is_some());
    let mut written = Vec::new();
    for (bound, condition) in [
        (q.since_ms, "d.created_at >= "),
        (q.until_ms, "d.created_at < "),
    ] {
        match bound {
            Some(at) if literal => written.push(format!("{condition}{at}")),
            Some(at) => add(&format!("{condition}?N"), SqlValue::Integer(at)),
            None => {}
        }
    }
    conditions.extend(written);
    if !q.include_skipped && q.status.is_none() {
        // Literal, so the partial index of logged deliveries serves it.
        conditions.push("d.status <> 'skipped'".into());
    }
    let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
    let limit = if literal {
        limit.to_string()
    } else {
        values.push(SqlValue::Integer(limit));
        format!("?{}", values.len())
    };
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
         JOIN webhook_events e ON e.id = d.event_id
         {where_clause} ORDER BY d.id DESC LIMIT {limit}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(values, delivery_from_row)?;
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

/// [`REQUEST_COLUMNS`] with an empty body: the body is a request's largest column (a batch of up
/// to 1000 updates), and what reads only the outcome should not copy it.
const REQUEST_COLUMNS_WITHOUT_BODY: &str = "r.id, r.app_id, r.url, r.headers, '' AS body, \
     r.started_at, r.duration_ms, r.status, r.response_body, r.error, r.replay";

/// The requests that carried a delivery, oldest first: its attempts. Without `with_body`, each
/// request's `body` is left empty.
pub fn requests_of(conn: &Reader, delivery_id: i64, with_body: bool) -> StoreResult<Vec<Request>> {
    let columns = if with_body {
        REQUEST_COLUMNS
    } else {
        REQUEST_COLUMNS_WITHOUT_BODY
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}
         FROM webhook_request_deliveries rd JOIN webhook_requests r ON r.id = rd.request_id
         WHERE rd.delivery_id = ?1 ORDER BY r.id"
    ))?;
    let rows = stmt.query_map([delivery_id], request_from_row)?;
    rows.collect::<Result<_, _>>()
}

/// How many deliveries a request carried (its batch size).
pub fn batch_size(conn: &Reader, request_id: i64) -> StoreResult<i64> {
    let mut stmt = conn
        .prepare_cached("SELECT COUNT(*) FROM webhook_request_deliveries WHERE request_id = ?1")?;
    stmt.query_row([request_id], |r| r.get(0))
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
    Ok(record_outcomes(conn, std::slice::from_ref(o))? == 1)
}

/// Records the outcomes of one request's deliveries; counters and heads are updated once for
/// all of them rather than once per delivery. Answers how many deliveries were still the rows
/// the attempt read (the others are left alone).
pub fn record_outcomes(conn: &Writer, outcomes: &[Outcome]) -> StoreResult<usize> {
    let mut counted: std::collections::BTreeMap<&str, i64> = Default::default();
    let mut heads: std::collections::BTreeSet<(&str, &str, &str)> = Default::default();
    let mut recorded = 0;
    for o in outcomes {
        let Some((old_status, old_attempts)) = update_outcome(conn, o)? else {
            continue;
        };
        recorded += 1;
        let new_attempts = old_attempts + i64::from(o.count_attempt);
        let retrying = |status: &str, attempts: i64| i64::from(status == PENDING && attempts > 0);
        if old_status != o.status {
            *counted.entry(status_name(&old_status)).or_default() -= 1;
            *counted.entry(status_name(o.status)).or_default() += 1;
        }
        *counted.entry(RETRYING).or_default() +=
            retrying(o.status, new_attempts) - retrying(&old_status, old_attempts);
        if old_status == PENDING || o.status == PENDING {
            if let (Some(app_id), Some(login)) = (&o.delivery.app_id, &o.delivery.login) {
                heads.insert((app_id, login, &o.delivery.account_id));
            }
        }
    }
    for (name, delta) in counted {
        bump(conn, name, delta)?;
    }
    for (app_id, login, account_id) in heads {
        refresh_head(conn, app_id, login, account_id)?;
    }
    Ok(recorded)
}

/// The counter of a delivery status (statuses are few and fixed; anything else counts apart).
fn status_name(status: &str) -> &'static str {
    [PENDING, DELIVERED, FAILED, SKIPPED]
        .into_iter()
        .find(|s| *s == status)
        .unwrap_or("other")
}

/// Applies one outcome to its delivery: the status and attempts it had before, or `None` when
/// the row is no longer the one the attempt read. Usually the row is as the attempt read it,
/// so the update names those values and needs no read first.
fn update_outcome(conn: &Writer, o: &Outcome) -> StoreResult<Option<(String, i64)>> {
    // With ?11 and ?12 given, only if the row is still as the attempt read it.
    const UPDATE: &str = "UPDATE webhook_deliveries SET status = ?4, attempts = attempts + ?10,
            first_attempt_at = COALESCE(first_attempt_at, ?5), next_attempt_at = ?6,
            reason = ?7, last_request_id = ?8,
            finished_at = CASE WHEN ?4 = 'pending' THEN NULL ELSE CAST(?9 AS BIGINT) END
         WHERE id = ?1 AND event_id = ?2 AND created_at = ?3
           AND (CAST(?11 AS TEXT) IS NULL OR (status = ?11 AND attempts = ?12))";
    let d = o.delivery;
    let apply = |expected: Option<(&str, i64)>| -> StoreResult<usize> {
        conn.prepare_cached(UPDATE)?.execute(params![
            d.id,
            d.event_id,
            d.created_at,
            o.status,
            o.attempted_at,
            o.next_attempt_at,
            o.reason,
            o.request_id,
            o.now,
            i64::from(o.count_attempt),
            expected.map(|e| e.0),
            expected.map(|e| e.1)
        ])
    };
    if apply(Some((&d.status, d.attempts)))? == 1 {
        return Ok(Some((d.status.clone(), d.attempts)));
    }
    // Changed since it was read (a replay, say): read what it is now.
    let before = {
        let mut stmt = conn.prepare_cached(
            "SELECT status, attempts FROM webhook_deliveries
             WHERE id = ?1 AND event_id = ?2 AND created_at = ?3",
        )?;
        optional(
            stmt.query_row(params![d.id, d.event_id, d.created_at], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            }),
        )?
    };
    let Some(before) = before else {
        return Ok(None);
    };
    Ok((apply(None)? == 1).then_some(before))
}

/// Gives up every pending delivery of an app (its configuration was removed).
pub fn fail_pending_of_app(
    conn: &Writer,
    app_id: &str,
    reason: &str,
    now: i64,
) -> StoreResult<usize> {
    let (pending, retrying): (i64, i64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0)
         FROM webhook_deliveries WHERE status = 'pending' AND app_id = ?1",
        [app_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let changed = conn.execute(
        "UPDATE webhook_deliveries SET status = 'failed', reason = ?2, finished_at = ?3,
            next_attempt_at = NULL
         WHERE status = 'pending' AND app_id = ?1",
        params![app_id, reason, now],
    )?;
    conn.execute("DELETE FROM webhook_heads WHERE app_id = ?1", [app_id])?;
    bump(conn, PENDING, -pending)?;
    bump(conn, FAILED, pending)?;
    bump(conn, RETRYING, -retrying)?;
    Ok(changed)
}

/// How many deliveries are in each state, for the control API (states with none left out).
pub fn counts(conn: &Reader) -> StoreResult<Vec<(String, i64)>> {
    Ok(counters(conn)?
        .into_iter()
        .filter(|(name, n)| {
            *n > 0 && [PENDING, DELIVERED, FAILED, SKIPPED].contains(&name.as_str())
        })
        .collect())
}

// ----- retention ----------------------------------------------------------------------------

/// What retention removes: the requests (bodies, headers, answers) of finished deliveries
/// recorded before `before_ms` (virtual) or with an id at most `upto_id` (beyond the count
/// kept). Given-up deliveries lose theirs only by age: they stay replayable either way.
#[derive(Debug, Clone, Copy)]
pub struct Prune {
    pub before_ms: i64,
    pub upto_id: i64,
    pub now: i64,
    pub limit: usize,
}

/// The newest delivery id (0 when there is none).
pub fn last_delivery_id(conn: &Reader) -> StoreResult<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(id), 0) FROM webhook_deliveries",
        (),
        |r| r.get(0),
    )
}

/// Prunes at most `limit` finished deliveries' requests, oldest first; answers how many. Reads
/// only the oldest unpruned finished deliveries (a partial index), so a pass costs the same
/// whatever the size of the log. Pending deliveries are never touched.
pub fn prune_batch(conn: &Writer, p: &Prune) -> StoreResult<usize> {
    let limit = i64::try_from(p.limit).unwrap_or(i64::MAX);
    let mut chosen: Vec<i64> = Vec::new();
    for status in [DELIVERED, FAILED] {
        let sql = if status == DELIVERED {
            "SELECT id, COALESCE(finished_at, created_at) FROM webhook_deliveries
             WHERE status = 'delivered' AND pruned_at IS NULL ORDER BY id LIMIT ?1"
        } else {
            "SELECT id, COALESCE(finished_at, created_at) FROM webhook_deliveries
             WHERE status = 'failed' AND pruned_at IS NULL ORDER BY id LIMIT ?1"
        };
        let rows: Vec<(i64, i64)> = conn
            .prepare_cached(sql)?
            .query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, at) in rows {
            let by_count = status == DELIVERED && id <= p.upto_id;
            if at < p.before_ms || by_count {
                chosen.push(id);
            } else {
                // Oldest first: the rest are younger (or within the count).
                break;
            }
        }
    }
    chosen.sort_unstable();
    chosen.truncate(p.limit);
    for id in &chosen {
        let requests: Vec<i64> = conn
            .prepare_cached(
                "SELECT request_id FROM webhook_request_deliveries WHERE delivery_id = ?1",
            )?
            .query_map([*id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        conn.prepare_cached("DELETE FROM webhook_request_deliveries WHERE delivery_id = ?1")?
            .execute([*id])?;
        for request in requests {
            conn.prepare_cached(
                "DELETE FROM webhook_requests WHERE id = ?1 AND NOT EXISTS
                 (SELECT 1 FROM webhook_request_deliveries WHERE request_id = ?1)",
            )?
            .execute([request])?;
        }
        conn.prepare_cached("UPDATE webhook_deliveries SET pruned_at = ?2 WHERE id = ?1")?
            .execute(params![*id, p.now])?;
    }
    let n = chosen.len();
    bump(conn, PRUNED, i64::try_from(n).unwrap_or(i64::MAX))?;
    Ok(n)
}

// ----- bulk replay --------------------------------------------------------------------------

/// Which deliveries a bulk replay takes: given-up ones and pending ones waiting for a retry,
/// of one app or all, recorded in a time range.
#[derive(Debug, Clone, Default)]
pub struct Requeue {
    pub app_id: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub now: i64,
    /// Only deliveries with a larger id (the previous batch's last).
    pub after: i64,
    pub limit: usize,
}

/// What one batch of a bulk replay did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requeued {
    /// Given-up deliveries made pending again (a fresh 36-hour schedule).
    pub requeued: usize,
    /// Pending deliveries waiting for a retry, made due now.
    pub retried: usize,
    /// The last id looked at: the next batch starts after it (`None`: nothing left).
    pub last_id: Option<i64>,
}

/// One batch of a bulk replay, in id order. Each account's head is recomputed, so the worker
/// sends the account's deliveries again in recording order.
pub fn requeue_batch(conn: &Writer, r: &Requeue) -> StoreResult<Requeued> {
    let mut conditions = vec![
        "(d.status = 'failed' OR (d.status = 'pending' AND d.attempts > 0))".to_string(),
        "d.app_id IS NOT NULL".into(),
        "d.login IS NOT NULL".into(),
        "d.id > ?1".into(),
    ];
    let mut values = vec![SqlValue::Integer(r.after)];
    if let Some(app) = &r.app_id {
        values.push(SqlValue::Text(app.clone()));
        conditions.push(format!("d.app_id = ?{}", values.len()));
    }
    if let Some(since) = r.since_ms {
        values.push(SqlValue::Integer(since));
        conditions.push(format!("d.created_at >= ?{}", values.len()));
    }
    if let Some(until) = r.until_ms {
        values.push(SqlValue::Integer(until));
        conditions.push(format!("d.created_at < ?{}", values.len()));
    }
    values.push(SqlValue::Integer(
        i64::try_from(r.limit).unwrap_or(i64::MAX),
    ));
    let sql = format!(
        "SELECT d.id, d.status, d.app_id, d.login, d.account_id FROM webhook_deliveries d
         WHERE {} ORDER BY d.id LIMIT ?{}",
        conditions.join(" AND "),
        values.len()
    );
    let rows: Vec<(i64, String, String, String, String)> = conn
        .prepare_cached(&sql)?
        .query_map(values, |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut done = Requeued {
        last_id: rows.last().map(|r| r.0),
        ..Requeued::default()
    };
    let mut accounts: std::collections::BTreeSet<(String, String, String)> = Default::default();
    for (id, status, app_id, login, account_id) in rows {
        if status == FAILED {
            conn.prepare_cached(
                "UPDATE webhook_deliveries SET status = 'pending', attempts = 0,
                    first_attempt_at = NULL, finished_at = NULL, next_attempt_at = ?2,
                    reason = 'replayed: waiting to be sent again'
                 WHERE id = ?1",
            )?
            .execute(params![id, r.now])?;
            done.requeued += 1;
        } else {
            conn.prepare_cached(
                "UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, r.now])?;
            done.retried += 1;
        }
        accounts.insert((app_id, login, account_id));
    }
    let requeued = i64::try_from(done.requeued).unwrap_or(i64::MAX);
    bump(conn, FAILED, -requeued)?;
    bump(conn, PENDING, requeued)?;
    for (app_id, login, account_id) in accounts {
        refresh_head(conn, &app_id, &login, &account_id)?;
    }
    Ok(done)
}
