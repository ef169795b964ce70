//! The delivery worker: sends pending deliveries, retries failures on virtual time, and never
//! drops one before its 36 hours are up.
//!
//! Each (app, login) is a stream with at most one request in flight, so a hanging callback
//! slows only its own app. A batch takes the stream's ready deliveries in recording order, up
//! to 1000 (ref 004 L2381); an account whose earliest pending delivery is waiting for a retry
//! has its later ones wait behind it, so every account's events arrive in order. The worker
//! wakes when events are recorded, when the virtual clock moves, when a request finishes, and
//! at least once a second; it holds no state the database does not, so a restart resumes.

use parking_lot::Mutex;
use reqwest::Url;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::{JoinHandle, JoinSet};

use super::fields::{Login, OBJECT};
use super::render::{self, Item};
use super::{schedule, sign, verify};
use crate::events::Payload;
use crate::state::{AppState, Shared};
use crate::store::events::{self as outbox, Delivery, Outcome, Request};
use crate::store::webhooks::{self as config, Subscription};
use crate::store::{apps, Engine, StoreError, StoreResult};

/// At most this many updates per request (004 L2381).
pub const BATCH_MAX: usize = 1000;
/// The worker looks again at least this often, whatever happens.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// A stream's lease outlives the longest request by this much (several instances on one
/// database: the holder renews it with every batch; see `lease`).
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// How much of a callback's answer the log keeps.
const RESPONSE_KEPT: usize = 1024;

/// The running worker; dropping it stops it (with the server that owns it).
pub struct Worker {
    task: JoinHandle<()>,
    retention: JoinHandle<()>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
        self.retention.abort();
    }
}

/// Starts the worker of a server's state, and retention beside it.
pub fn spawn(state: Shared) -> Worker {
    Worker {
        task: tokio::spawn(run(state.clone())),
        retention: tokio::spawn(super::retention::run(state)),
    }
}

type StreamKey = (String, Login);

/// A stream marked busy while its request is in flight; unmarked (and the worker woken) when
/// the request task ends, however it ends.
struct Busy {
    key: StreamKey,
    set: Arc<Mutex<HashSet<StreamKey>>>,
    state: Shared,
}

impl Busy {
    fn mark(key: StreamKey, set: Arc<Mutex<HashSet<StreamKey>>>, state: Shared) -> Busy {
        set.lock().insert(key.clone());
        state.webhooks.started_sending();
        Busy { key, set, state }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.set.lock().remove(&self.key);
        self.state.webhooks.finished_sending();
        self.state.webhooks.wake();
    }
}

struct Batch {
    key: StreamKey,
    subscription: Subscription,
    deliveries: Vec<Delivery>,
}

#[derive(Default)]
struct Plan {
    batches: Vec<Batch>,
    /// The earliest virtual time a waiting delivery becomes due.
    next_due: Option<i64>,
}

async fn run(state: Shared) {
    let mut clock = state.clock.subscribe();
    // Committed changes, here and on other instances sharing the database: a delivery written
    // is plannable only once its transaction committed (an in-transaction wake-up can come
    // too early, and a remote one never comes at all).
    let mut committed = state.db.feed().subscribe();
    let busy: Arc<Mutex<HashSet<StreamKey>>> = Arc::default();
    let mut sending = JoinSet::new();
    loop {
        while sending.try_join_next().is_some() {}
        let now = state.clock.now_ms();
        let taken = busy.lock().clone();
        let plan = match state.db.read(move |c| plan(c, now, &taken)).await {
            Ok(plan) => plan,
            Err(error) => {
                tracing::error!("webhook worker cannot read the outbox: {error}");
                Plan::default()
            }
        };
        for batch in plan.batches {
            let batch = match lease(&state, batch, now).await {
                Ok(Some(batch)) => batch,
                Ok(None) => continue,
                Err(error) => {
                    tracing::error!("webhook worker cannot lease a stream: {error}");
                    continue;
                }
            };
            let guard = Busy::mark(batch.key.clone(), busy.clone(), state.clone());
            let state = state.clone();
            sending.spawn(async move {
                let _guard = guard;
                if let Err(error) = attempt(
                    &state,
                    &batch.subscription,
                    batch.key.1,
                    &batch.deliveries,
                    false,
                )
                .await
                {
                    tracing::error!(
                        "webhook delivery to app {} failed to record: {error}",
                        batch.key.0
                    );
                }
            });
        }
        let wait = plan
            .next_due
            .map(|at| Duration::from_millis(u64::try_from(at - now).unwrap_or(0)))
            .unwrap_or(IDLE_CHECK)
            .min(IDLE_CHECK);
        tokio::select! {
            _ = state.webhooks.woken() => {}
            _ = deliveries_committed(&mut committed) => {}
            changed = clock.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(IDLE_CHECK).await;
                }
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Returns once a committed change set wrote deliveries (or some were missed); change sets of
/// other tables are passed over without planning again.
async fn deliveries_committed(
    committed: &mut tokio::sync::broadcast::Receiver<Arc<crate::store::feed::ChangeSet>>,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match committed.recv().await {
            Ok(set) if set.kinds().contains(&"webhook_deliveries") => return,
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => return,
            // No more change sets: the other wake-ups and the idle check remain.
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

/// With several instances on one database (PostgreSQL), a batch goes out only from the
/// instance holding its stream's lease, and is planned again once the lease is held: another
/// instance may have delivered it meanwhile. Alone on its database, an instance sends it as
/// planned.
async fn lease(state: &Shared, batch: Batch, now: i64) -> StoreResult<Option<Batch>> {
    if state.db.engine() == Engine::Sqlite {
        return Ok(Some(batch));
    }
    let (app_id, login) = batch.key.clone();
    let owner = state.db.instance().to_string();
    let real_now = crate::clock::real_ms();
    let until = real_now
        + i64::try_from((state.webhooks.timeout + LEASE_MARGIN).as_millis()).unwrap_or(i64::MAX);
    let (lease_app, lease_login) = (app_id.clone(), login.as_str());
    let held = state
        .db
        .write(move |tx| outbox::lease_stream(tx, &lease_app, lease_login, &owner, real_now, until))
        .await?;
    if !held {
        return Ok(None);
    }
    let subscription = batch.subscription;
    state
        .db
        .read(move |c| plan_stream(c, &subscription, login, now, &mut None))
        .await
}

/// The batches to send now and when to look again.
fn plan(conn: &crate::store::Reader, now: i64, busy: &HashSet<StreamKey>) -> StoreResult<Plan> {
    let paused = config::paused(conn)?;
    let mut plan = Plan::default();
    for subscription in config::subscriptions_for_object(conn, OBJECT)? {
        if !subscription.active || paused.covers(&subscription.app_id) {
            continue;
        }
        for login in [Login::Instagram, Login::Facebook] {
            if busy.contains(&(subscription.app_id.clone(), login)) {
                continue;
            }
            if let Some(batch) = plan_stream(conn, &subscription, login, now, &mut plan.next_due)? {
                plan.batches.push(batch);
            }
        }
    }
    Ok(plan)
}

/// The next batch of one stream, if any delivery of it is due; `next_due` learns when the
/// earliest waiting one becomes due.
///
/// Only an account's head (its earliest pending delivery) can be due, so the batch is planned
/// from the stream's due heads, longest due first (one index range, `store::events::due_heads`):
/// first every due account's head, then their following due deliveries in recording order
/// while room is left. What waits behind a failing account is never read, so planning costs
/// the same whatever the backlog, and no account waits for another's backlog.
fn plan_stream(
    conn: &crate::store::Reader,
    subscription: &Subscription,
    login: Login,
    now: i64,
    next_due: &mut Option<i64>,
) -> StoreResult<Option<Batch>> {
    let key = (subscription.app_id.clone(), login);
    let app = subscription.app_id.as_str();
    let heads = outbox::due_heads(conn, app, login.as_str(), now, BATCH_MAX)?;
    if let Some(at) = outbox::next_due(conn, app, login.as_str(), now)? {
        *next_due = Some(next_due.map_or(at, |d| d.min(at)));
    }
    if heads.is_empty() {
        return Ok(None);
    }
    let mut chosen: Vec<i64> = heads.iter().map(|h| h.id).collect();
    for head in &heads {
        let room = BATCH_MAX - chosen.len();
        if room == 0 {
            break;
        }
        // The head itself comes back first; its followers go while they are due.
        let rows = outbox::pending_of_account(
            conn,
            app,
            login.as_str(),
            &head.account_id,
            head.id,
            room + 1,
        )?;
        for row in rows.iter().skip(1) {
            if row.next_attempt_at.is_some_and(|at| at > now) {
                break;
            }
            chosen.push(row.id);
        }
    }
    // In recording order, as Meta sends a stream's updates.
    chosen.sort_unstable();
    let mut ready = Vec::with_capacity(chosen.len());
    for id in chosen {
        if let Some(delivery) = outbox::delivery(conn, id)? {
            ready.push(delivery);
        }
    }
    if ready.is_empty() {
        return Ok(None);
    }
    Ok(Some(Batch {
        key,
        subscription: subscription.clone(),
        deliveries: ready,
    }))
}

/// What one request did.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub request_id: i64,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub delivered: bool,
}

/// Renders, signs and sends `deliveries` as one request to the app's callback, then records
/// the request and each delivery's outcome. A replay records the request and marks
/// deliveries delivered on success, leaving the retry schedule alone otherwise.
pub async fn attempt(
    state: &AppState,
    subscription: &Subscription,
    login: Login,
    deliveries: &[Delivery],
    replay: bool,
) -> Result<Attempted, StoreError> {
    let app_id = subscription.app_id.clone();
    let app = state
        .db
        .read(move |c| apps::get(c, &app_id))
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("app {}", subscription.app_id)))?;
    // Instagram Login apps sign with the Instagram app secret (decisions.md).
    let secret = match login {
        Login::Instagram => app.instagram_app_secret.as_str(),
        Login::Facebook => app.secret.as_str(),
    };
    let started_at = state.clock.now_ms();
    let mut items: Vec<(&str, Item)> = Vec::with_capacity(deliveries.len());
    // Owned: the outcomes are recorded on a database thread.
    let mut sendable: Vec<Delivery> = Vec::with_capacity(deliveries.len());
    let mut unreadable: Vec<Delivery> = Vec::new();
    for delivery in deliveries {
        match serde_json::from_str::<Payload>(&delivery.payload) {
            Ok(payload) => {
                items.push((
                    delivery.account_id.as_str(),
                    render::item(&payload, login, subscription.include_values),
                ));
                sendable.push(delivery.clone());
            }
            Err(_) => unreadable.push(delivery.clone()),
        }
    }
    let body = graph::json::to_meta_vec(&render::envelope(&items, started_at));
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("User-Agent", "facebookexternalua".to_string()),
        (sign::SHA1_HEADER, sign::sha1(secret, &body)),
        (sign::SHA256_HEADER, sign::sha256(secret, &body)),
    ];
    let timeout = state.webhooks.timeout;
    let clock_started = Instant::now();
    let (status, response_body, error) = if sendable.is_empty() {
        (
            None,
            None,
            Some("no deliverable event in the batch".to_string()),
        )
    } else {
        send(
            state,
            &subscription.callback_url,
            &headers,
            body.clone(),
            timeout,
        )
        .await
    };
    let duration_ms = i64::try_from(clock_started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let finished_at = state.clock.now_ms();
    let failure = match (&error, status) {
        (Some(error), _) => error.clone(),
        (None, Some(code)) => format!("the callback answered HTTP {code}"),
        (None, None) => "no answer".to_string(),
    };
    let header_json: Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let request = Request {
        id: 0,
        app_id: app.id.clone(),
        url: subscription.callback_url.clone(),
        headers: Value::Object(header_json).to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
        started_at,
        duration_ms,
        status: status.map(i64::from),
        response_body,
        error: error.clone(),
        replay,
    };
    // What the attempt does to each delivery, decided before anything is written.
    let mut steps: Vec<Step> = Vec::with_capacity(sendable.len() + unreadable.len());
    for delivery in sendable {
        let decision = if delivered {
            Some((outbox::DELIVERED, None, None))
        } else if replay {
            // A failed replay changes nothing but the log.
            None
        } else {
            let first = delivery.first_attempt_at.unwrap_or(started_at);
            let attempt = delivery.attempts + 1;
            Some(match schedule::next_attempt(first, attempt, finished_at) {
                Some(at) => (
                    outbox::PENDING,
                    Some(at),
                    Some(format!("attempt {attempt} failed: {failure}")),
                ),
                None => (
                    outbox::FAILED,
                    None,
                    Some(format!(
                        "gave up after 36 hours and {attempt} attempts; the last failed: {failure}"
                    )),
                ),
            })
        };
        let decision = decision.filter(|_| !(replay && delivery.status == outbox::DELIVERED));
        steps.push(Step {
            linked: true,
            outcome: decision.map(|(status, next, reason)| (status, next, reason, !replay)),
            delivery,
        });
    }
    for delivery in unreadable {
        steps.push(Step {
            linked: false,
            outcome: Some((
                outbox::FAILED,
                None,
                Some("the event's payload cannot be read".to_string()),
                false,
            )),
            delivery,
        });
    }
    // Recorded in chunks, each its own transaction on the background lane: a drained batch of
    // 1,000 outcomes never holds the writer long, and requests' writes go first. A crash
    // between chunks leaves the rest of the batch pending, to be sent again: duplicates from
    // the request in flight, as Meta's at-least-once delivery allows (docs/decisions.md).
    let mut chunks: Vec<Vec<Step>> = Vec::new();
    let mut steps = steps.into_iter().peekable();
    while steps.peek().is_some() {
        chunks.push(steps.by_ref().take(RECORD_CHUNK).collect());
    }
    let mut chunks = chunks.into_iter();
    let first = chunks.next().unwrap_or_default();
    let times = (started_at, finished_at);
    let request_id = state
        .db
        .write_background(move |tx| -> StoreResult<i64> {
            let request_id = outbox::insert_request(tx, &request)?;
            record_steps(tx, request_id, &first, times)?;
            Ok(request_id)
        })
        .await?;
    for chunk in chunks {
        state
            .db
            .write_background(move |tx| record_steps(tx, request_id, &chunk, times))
            .await?;
    }
    Ok(Attempted {
        request_id,
        status,
        error,
        delivered,
    })
}

/// A batch's deliveries are recorded this many to a write transaction.
const RECORD_CHUNK: usize = 100;

/// What one attempt does to one delivery: linked to the request or not, and its outcome
/// (status, next attempt, reason, whether it counts as an attempt), if it has one.
struct Step {
    delivery: Delivery,
    linked: bool,
    outcome: Option<(&'static str, Option<i64>, Option<String>, bool)>,
}

/// Records one chunk of an attempt's steps in the caller's transaction.
fn record_steps(
    tx: &crate::store::Writer,
    request_id: i64,
    steps: &[Step],
    (started_at, finished_at): (i64, i64),
) -> StoreResult<()> {
    for step in steps.iter().filter(|s| s.linked) {
        outbox::link(tx, request_id, step.delivery.id)?;
    }
    let outcomes: Vec<Outcome> = steps
        .iter()
        .filter_map(|step| {
            let (status, next, reason, counted) = step.outcome.as_ref()?;
            Some(Outcome {
                delivery: &step.delivery,
                request_id,
                attempted_at: started_at,
                status,
                next_attempt_at: *next,
                reason: reason.as_deref(),
                now: finished_at,
                count_attempt: *counted,
            })
        })
        .collect();
    outbox::record_outcomes(tx, &outcomes)?;
    Ok(())
}

/// One POST. Never fails: a transport error becomes the error text.
async fn send(
    state: &AppState,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> (Option<u16>, Option<String>, Option<String>) {
    let url = match Url::parse(url) {
        Ok(url) => url,
        Err(e) => {
            return (
                None,
                None,
                Some(format!("the callback URL is invalid: {e}")),
            )
        }
    };
    let mut request = state
        .webhooks
        .client()
        .post(url)
        .timeout(timeout)
        .body(body);
    for (name, value) in headers {
        if *name != "User-Agent" {
            request = request.header(*name, value.as_str());
        }
    }
    match request.send().await {
        Err(e) => (None, None, Some(verify::describe_error(&e, timeout))),
        Ok(response) => {
            let status = response.status().as_u16();
            // The body is read to keep the connection reusable; a slow one is cut off.
            let text = match tokio::time::timeout(timeout, response.bytes()).await {
                Ok(Ok(bytes)) => {
                    let end = bytes.len().min(RESPONSE_KEPT);
                    Some(String::from_utf8_lossy(&bytes[..end]).into_owned())
                }
                _ => None,
            };
            (Some(status), text, None)
        }
    }
}

/// Why a delivery cannot be replayed.
#[derive(Debug)]
pub enum ReplayError {
    NotFound,
    /// Skipped deliveries have no app or callback to go to; the reason says why.
    Skipped(String),
    NoCallback,
    Store(StoreError),
}

impl From<StoreError> for ReplayError {
    fn from(e: StoreError) -> Self {
        ReplayError::Store(e)
    }
}

/// Sends one delivery again now, as its own request, whatever its state.
pub async fn replay(state: &AppState, delivery_id: i64) -> Result<Attempted, ReplayError> {
    let delivery = state
        .db
        .read(move |c| outbox::delivery(c, delivery_id))
        .await?
        .ok_or(ReplayError::NotFound)?;
    if delivery.status == outbox::SKIPPED {
        return Err(ReplayError::Skipped(delivery.reason.unwrap_or_default()));
    }
    let (Some(app_id), Some(login)) = (
        delivery.app_id.clone(),
        delivery.login.as_deref().and_then(Login::parse),
    ) else {
        return Err(ReplayError::NoCallback);
    };
    let subscription = state
        .db
        .read(move |c| config::subscription(c, &app_id, OBJECT))
        .await?
        .filter(|s| s.active)
        .ok_or(ReplayError::NoCallback)?;
    Ok(attempt(
        state,
        &subscription,
        login,
        std::slice::from_ref(&delivery),
        true,
    )
    .await?)
}
