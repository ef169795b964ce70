//! The webhook side of the control API: the delivery log (with what was skipped and why),
//! replay, pause and resume, the dashboard's test button, and events on an account for tests.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

use super::{parse_body, ControlError};
use crate::events::{Comment, Event, Mention, Messaging, Payload, StoryInsights};
use crate::state::Shared;
use crate::store::events::{self as outbox, Delivery, LogQuery};
use crate::store::webhooks::{self as config, Paused};
use crate::store::{accounts, apps, StoreResult};
use crate::webhooks::fields::{self, Login, OBJECT};
use crate::webhooks::render;
use crate::webhooks::retention::{self, Retention};
use crate::webhooks::worker::{self, Attempted, ReplayError};
use crate::webhooks::{samples, TestError};

/// Log pages hold 100 deliveries unless asked, 1000 at most.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// Only this app's deliveries
    pub app_id: Option<String>,
    /// Only this account's
    pub account_id: Option<String>,
    /// Only this webhook field
    pub field: Option<String>,
    /// Only this state
    #[param(schema_with = crate::sim::openapi::vocab::delivery_status_filter)]
    pub status: Option<String>,
    /// Comma-separated: skipped, body
    ///
    /// Comma-separated: `skipped` adds the skipped deliveries, `body` the raw request bodies.
    pub include: Option<String>,
    /// Page: deliveries with a smaller id
    pub before: Option<i64>,
    /// Only deliveries recorded at or after this virtual time (Unix ms)
    pub since_ms: Option<i64>,
    /// Only deliveries recorded before this virtual time (Unix ms)
    pub until_ms: Option<i64>,
    /// 1 to 1000, default 100
    pub limit: Option<usize>,
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Batch sizes of the requests a page has described: the deliveries of one batch share them.
type BatchSizes = HashMap<i64, i64>;

/// A delivery as the log shows it: the decision, every attempt with its answer and timing, the
/// headers of the last request, and the notification rendered for the delivery's login. The
/// requests' bodies are read only `with_body`.
fn describe(
    conn: &crate::store::Reader,
    d: &Delivery,
    with_body: bool,
    batch_sizes: &mut BatchSizes,
) -> StoreResult<Value> {
    let requests = outbox::requests_of(conn, d.id, with_body)?;
    let mut attempts: Vec<Value> = Vec::with_capacity(requests.len());
    for r in &requests {
        let batch_size = match batch_sizes.get(&r.id) {
            Some(n) => *n,
            None => {
                let n = outbox::batch_size(conn, r.id)?;
                batch_sizes.insert(r.id, n);
                n
            }
        };
        attempts.push(json!({
            "request_id": r.id,
            "at_ms": r.started_at,
            "duration_ms": r.duration_ms,
            "status": r.status,
            "error": r.error,
            "response_body": r.response_body,
            "batch_size": batch_size,
            "replay": r.replay,
        }));
    }
    let last = requests.last();
    let login = d
        .login
        .as_deref()
        .and_then(Login::parse)
        .unwrap_or(Login::Instagram);
    let include_values = match &d.app_id {
        Some(app) => config::subscription(conn, app, OBJECT)?.is_none_or(|s| s.include_values),
        None => true,
    };
    let event: Value = parse_json(&d.payload);
    let payload = serde_json::from_str::<Payload>(&d.payload)
        .map(|p| {
            let item = render::item(&p, login, include_values);
            render::envelope(
                &[(d.account_id.as_str(), item)],
                last.map_or(d.created_at, |r| r.started_at),
            )
        })
        .unwrap_or(Value::Null);
    let mut value = json!({
        "id": d.id,
        "event_id": d.event_id,
        "app_id": d.app_id,
        "account_id": d.account_id,
        "field": d.field,
        "login": d.login,
        "test": d.test,
        "status": d.status,
        "reason": d.reason,
        "created_at_ms": d.created_at,
        "first_attempt_at_ms": d.first_attempt_at,
        "next_attempt_at_ms": if d.status == outbox::PENDING { d.next_attempt_at } else { None },
        "finished_at_ms": d.finished_at,
        "latency_ms": (d.status == outbox::DELIVERED).then(|| d.finished_at.map(|f| f - d.created_at)).flatten(),
        "attempt_count": d.attempts,
        "attempts": attempts,
        "pruned_at_ms": d.pruned_at,
        "url": last.map(|r| r.url.clone()),
        "headers": last.map(|r| parse_json(&r.headers)),
        "payload": payload,
        "event": event,
    });
    if with_body {
        if let Value::Object(object) = &mut value {
            object.insert("body".into(), json!(last.map(|r| r.body.clone())));
        }
    }
    Ok(value)
}

/// `GET /_localgram/webhooks/deliveries`: the log, newest first.
#[utoipa::path(
    get,
    path = "/webhooks/deliveries",
    tag = "webhooks",
    operation_id = "webhooks_list",
    summary = "The delivery log, newest first: payload, headers, attempts, response codes and timings; include=skipped shows the events that produced no delivery, with the reason. Keyset pages (before), every filter indexed: a page costs the same at any size of the log",
    params(LogParams),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DeliveryLog),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list(
    State(state): State<Shared>,
    Query(params): Query<LogParams>,
) -> Result<Json<Value>, ControlError> {
    let include: Vec<&str> = params
        .include
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(unknown) = include.iter().find(|i| !["skipped", "body"].contains(i)) {
        return Err(ControlError::bad_request(format!(
            "include takes skipped and body, not {unknown}"
        )));
    }
    if let Some(status) = &params.status {
        if ![
            outbox::PENDING,
            outbox::DELIVERED,
            outbox::FAILED,
            outbox::SKIPPED,
        ]
        .contains(&status.as_str())
        {
            return Err(ControlError::bad_request(
                "status must be pending, delivered, failed or skipped",
            ));
        }
    }
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ControlError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let query = LogQuery {
        app_id: params.app_id,
        account_id: params.account_id,
        field: params.field,
        status: params.status,
        include_skipped: include.contains(&"skipped"),
        before: params.before,
        since_ms: params.since_ms,
        until_ms: params.until_ms,
        limit,
    };
    let with_body = include.contains(&"body");
    let (data, counts) = state
        .db
        .read(move |c| {
            let rows = outbox::list(c, &query)?;
            let mut batch_sizes = BatchSizes::new();
            let data = rows
                .iter()
                .map(|d| describe(c, d, with_body, &mut batch_sizes))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((data, outbox::counts(c)?))
        })
        .await?;
    let next_before = (data.len() == limit)
        .then(|| data.last().and_then(|d| d["id"].as_i64()))
        .flatten();
    let counts: serde_json::Map<String, Value> =
        counts.into_iter().map(|(k, v)| (k, json!(v))).collect();
    Ok(Json(json!({
        "data": data,
        "counts": counts,
        "paging": {"before": next_before},
    })))
}

fn not_found(id: i64) -> ControlError {
    ControlError::not_found(format!("no webhook delivery {id}"))
}

/// Delivery ids are numbers; anything else names no delivery.
fn delivery_id(text: &str) -> Result<i64, ControlError> {
    text.parse()
        .map_err(|_| ControlError::not_found(format!("no webhook delivery {text}")))
}

/// `GET /_localgram/webhooks/deliveries/{id}`, with the exact body of its last request.
#[utoipa::path(
    get,
    path = "/webhooks/deliveries/{id}",
    tag = "webhooks",
    operation_id = "webhooks_get_one",
    summary = "One delivery, with the exact body of its last request",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Delivery),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_one(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let id = delivery_id(&id)?;
    let value = state
        .db
        .read(move |c| match outbox::delivery(c, id)? {
            Some(d) => describe(c, &d, true, &mut BatchSizes::new()).map(Some),
            None => Ok(None),
        })
        .await?;
    value.map(Json).ok_or_else(|| not_found(id))
}

/// `POST /_localgram/webhooks/deliveries/{id}/replay`: sends it again now, on its own.
#[utoipa::path(
    post,
    path = "/webhooks/deliveries/{id}/replay",
    tag = "webhooks",
    operation_id = "webhooks_replay",
    summary = "Send a delivery again now, as its own request (409 for a skipped one)",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Delivery),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn replay(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let id = delivery_id(&id)?;
    let attempted: Attempted = worker::replay(&state, id).await.map_err(|e| match e {
        ReplayError::NotFound => not_found(id),
        ReplayError::Skipped(reason) => ControlError::conflict(format!(
            "delivery {id} was skipped ({reason}); there is nothing to replay"
        )),
        ReplayError::NoCallback => ControlError::conflict(format!(
            "delivery {id}'s app has no verified Instagram callback to send to"
        )),
        ReplayError::Store(e) => e.into(),
    })?;
    let mut value = state
        .db
        .read(move |c| match outbox::delivery(c, id)? {
            Some(d) => describe(c, &d, true, &mut BatchSizes::new()),
            None => Ok(Value::Null),
        })
        .await?;
    if let Value::Object(object) = &mut value {
        object.insert(
            "replay".into(),
            json!({
                "request_id": attempted.request_id,
                "status": attempted.status,
                "error": attempted.error,
                "delivered": attempted.delivered,
            }),
        );
    }
    Ok(Json(value))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    /// Pause or resume one app; without it, all delivery.
    pub app_id: Option<String>,
}

fn describe_paused(paused: &Paused) -> Value {
    json!({"paused": paused.all, "paused_apps": paused.apps})
}

async fn set_paused(state: &Shared, body: &[u8], pause: bool) -> Result<Value, ControlError> {
    let input: PauseBody = parse_body(body)?;
    let paused = state
        .db
        .write(move |tx| -> Result<Paused, ControlError> {
            let mut paused = config::paused(tx)?;
            match &input.app_id {
                None => {
                    paused.all = pause;
                    if !pause {
                        paused.apps.clear();
                    }
                }
                Some(app_id) => {
                    let app = apps::find_by_any_id(tx, app_id)?
                        .ok_or_else(|| ControlError::not_found(format!("no app {app_id}")))?;
                    paused.apps.retain(|a| a != &app.id);
                    if pause {
                        paused.apps.push(app.id);
                    }
                }
            }
            config::set_paused(tx, &paused)?;
            Ok(paused)
        })
        .await?;
    state.webhooks.wake();
    Ok(describe_paused(&paused))
}

/// `POST /_localgram/webhooks/pause`: deliveries wait (and keep being recorded) until resumed.
#[utoipa::path(
    post,
    path = "/webhooks/pause",
    tag = "webhooks",
    operation_id = "webhooks_pause",
    summary = "Hold delivery (all of it, or one app's); events keep being recorded",
    request_body = Option<PauseBody>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DeliveryPause),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn pause(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    Ok(Json(set_paused(&state, &body, true).await?))
}

/// `POST /_localgram/webhooks/resume`.
#[utoipa::path(
    post,
    path = "/webhooks/resume",
    tag = "webhooks",
    operation_id = "webhooks_resume",
    summary = "Resume delivery (all of it, or one app's)",
    request_body = Option<PauseBody>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DeliveryPause),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn resume(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    Ok(Json(set_paused(&state, &body, false).await?))
}

/// `GET /_localgram/webhooks`: whether delivery is paused and how many deliveries are in each
/// state.
#[utoipa::path(
    get,
    path = "/webhooks",
    tag = "webhooks",
    operation_id = "webhooks_status",
    summary = "Webhook delivery: paused or not, deliveries per state, the callbacks' time limit",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::WebhookStatus),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn status(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let (paused, counts) = state
        .db
        .read(|c| Ok((config::paused(c)?, outbox::counts(c)?)))
        .await?;
    let mut value = describe_paused(&paused);
    if let Value::Object(object) = &mut value {
        let counts: serde_json::Map<String, Value> =
            counts.into_iter().map(|(k, v)| (k, json!(v))).collect();
        object.insert("counts".into(), Value::Object(counts));
        object.insert(
            "timeout_ms".into(),
            json!(state.webhooks.timeout.as_millis() as u64),
        );
        object.insert("sending".into(), json!(state.webhooks.sending()));
    }
    Ok(Json(value))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    pub field: String,
    /// The dashboard's test button: send the field's sample to this app's callback.
    pub app_id: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::login_kind)]
    /// Which secret signs a dashboard test: `instagram` (default) or `facebook`.
    pub login: Option<String>,
    /// An event on this account, through the same rules as a real one.
    pub account_id: Option<String>,
    /// The semantic event (see events.rs); the field's sample when absent
    pub event: Option<Value>,
    /// Deliver no earlier than this virtual time (Unix ms).
    pub deliver_at_ms: Option<i64>,
}

fn parse_event(field: &str, value: Value) -> Result<Payload, ControlError> {
    let bad =
        |e: serde_json::Error| ControlError::bad_request(format!("invalid {field} event: {e}"));
    let payload = match field {
        "comments" => Payload::Comment(serde_json::from_value::<Comment>(value).map_err(bad)?),
        "live_comments" => {
            Payload::LiveComment(serde_json::from_value::<Comment>(value).map_err(bad)?)
        }
        "mentions" => Payload::Mention(serde_json::from_value::<Mention>(value).map_err(bad)?),
        "story_insights" => {
            Payload::StoryInsights(serde_json::from_value::<StoryInsights>(value).map_err(bad)?)
        }
        "standby" => Payload::Standby(serde_json::from_value::<Messaging>(value).map_err(bad)?),
        _ => Payload::Messaging(serde_json::from_value::<Messaging>(value).map_err(bad)?),
    };
    let expected = if field == "message_echoes" {
        "messages"
    } else {
        field
    };
    if payload.field() != expected || (field == "message_echoes" && !payload.is_echo()) {
        return Err(ControlError::bad_request(format!(
            "the event is a {} event, not a {field} one",
            payload.field()
        )));
    }
    Ok(payload)
}

/// `POST /_localgram/webhooks/test`: the App Dashboard's test button (`app_id`), or an event on
/// an account (`account_id`) decided and delivered as a real one would be.
#[utoipa::path(
    post,
    path = "/webhooks/test",
    tag = "webhooks",
    operation_id = "webhooks_test",
    summary = "With app_id: the App Dashboard's Test button (the field's sample to the app's callback). With account_id: an event on the account, decided and delivered as a real one",
    request_body = TestBody,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::WebhookTest),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn test(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let input: TestBody = parse_body(&body)?;
    if fields::find(&input.field).is_none() {
        return Err(ControlError::bad_request(format!(
            "{} is not an Instagram webhook field; fields: {}",
            input.field,
            fields::names().join(", ")
        )));
    }
    match (&input.app_id, &input.account_id) {
        (Some(app_id), None) => {
            if input.event.is_some() || input.deliver_at_ms.is_some() {
                return Err(ControlError::bad_request(
                    "a dashboard test sends the field's sample: give no event",
                ));
            }
            let login = match input.login.as_deref() {
                None => Login::Instagram,
                Some(text) => Login::parse(text).ok_or_else(|| {
                    ControlError::bad_request("login must be \"instagram\" or \"facebook\"")
                })?,
            };
            let (event_id, delivery_id) =
                crate::webhooks::queue_test(&state, app_id, &input.field, login)
                    .await
                    .map_err(|e| match e {
                        TestError::UnknownApp => {
                            ControlError::not_found(format!("no app {app_id}"))
                        }
                        TestError::UnknownField => ControlError::bad_request("unknown field"),
                        TestError::NoCallback(reason) => ControlError::conflict(reason),
                        TestError::Store(e) => e.into(),
                    })?;
            Ok(Json(json!({
                "event_id": event_id,
                "field": input.field,
                "deliveries": [{"id": delivery_id, "app_id": app_id, "login": login.as_str(), "status": outbox::PENDING, "reason": null}],
            })))
        }
        (None, Some(account_id)) => {
            if input.login.is_some() {
                return Err(ControlError::bad_request(
                    "an account event goes out under the login the account enabled the app with: give no login",
                ));
            }
            let wanted = account_id.clone();
            let exists = state
                .db
                .read(move |c| accounts::get(c, &wanted))
                .await?
                .is_some();
            if !exists {
                return Err(ControlError::not_found(format!("no account {account_id}")));
            }
            let now = state.clock.now_ms();
            let payload = match input.event {
                Some(value) => parse_event(&input.field, value)?,
                None => samples::sample(&input.field, account_id, now)
                    .ok_or_else(|| ControlError::bad_request("unknown field"))?,
            };
            let event = Event {
                account_id: account_id.clone(),
                payload,
                deliver_at_ms: input.deliver_at_ms,
                audience: None,
            };
            let recorded = crate::webhooks::record_alone(&state, event).await?;
            Ok(Json(json!({
                "event_id": recorded.event_id,
                "field": input.field,
                "deliveries": recorded.deliveries.iter().map(|d| json!({
                    "id": d.id, "app_id": d.app_id, "login": d.login, "status": d.status, "reason": d.reason,
                })).collect::<Vec<_>>(),
            })))
        }
        _ => Err(ControlError::bad_request(
            "give app_id (the dashboard's test button) or account_id (an event on the account)",
        )),
    }
}

/// `GET /_localgram/webhooks/stats`: how many deliveries wait, failed and wait for a retry,
/// were delivered, were given up, were skipped, and lost their requests to retention; read from
/// counters, so it costs the same at any size.
#[utoipa::path(
    get,
    path = "/webhooks/stats",
    tag = "webhooks",
    operation_id = "webhooks_stats",
    summary = "Delivery counts from counters (constant cost): pending (never failed), failed (pending, waiting for a retry after a failed attempt), delivered, given_up (after 36 hours, ref 004 L2383), skipped, pruned (requests removed by retention), and the retention in force",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DeliveryStats),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn stats(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let defaults = state.config.webhook_retention;
    let (counters, retention) = state
        .db
        .read(move |c| Ok((outbox::counters(c)?, retention::current(c, defaults)?)))
        .await?;
    let count = |name: &str| counters.get(name).copied().unwrap_or(0).max(0);
    let retrying = count(outbox::RETRYING);
    Ok(Json(json!({
        "pending": count(outbox::PENDING) - retrying,
        "failed": retrying,
        "delivered": count(outbox::DELIVERED),
        "given_up": count(outbox::FAILED),
        "skipped": count(outbox::SKIPPED),
        "pruned": count(outbox::PRUNED),
        "retention": retention,
    })))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionBody {
    #[schema(minimum = 0)]
    pub max_age_ms: Option<i64>,
    #[schema(minimum = 0)]
    pub max_deliveries: Option<i64>,
}

/// `GET /_localgram/webhooks/retention`.
#[utoipa::path(
    get,
    path = "/webhooks/retention",
    tag = "webhooks",
    operation_id = "webhooks_get_retention",
    summary = "How long (virtual) and how many finished deliveries keep their requests",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Retention),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_retention(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let defaults = state.config.webhook_retention;
    let retention = state
        .db
        .read(move |c| retention::current(c, defaults))
        .await?;
    Ok(Json(json!(retention)))
}

/// `POST /_localgram/webhooks/retention`: changes how long and how many finished deliveries
/// keep their requests (for every instance on the database); pruning follows in the
/// background.
#[utoipa::path(
    post,
    path = "/webhooks/retention",
    tag = "webhooks",
    operation_id = "webhooks_set_retention",
    summary = "Change retention for every instance on the database; pruning follows in the background in small batches. Pending deliveries are never pruned; given-up ones only by age",
    request_body = RetentionBody,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Retention),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_retention(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: RetentionBody = parse_body(&body)?;
    if input.max_age_ms.is_some_and(|v| v < 0) || input.max_deliveries.is_some_and(|v| v < 0) {
        return Err(ControlError::bad_request(
            "max_age_ms and max_deliveries must be 0 or more",
        ));
    }
    let defaults = state.config.webhook_retention;
    let retention = state
        .db
        .write(move |tx| -> StoreResult<Retention> {
            let mut retention = retention::current(tx, defaults)?;
            if let Some(age) = input.max_age_ms {
                retention.max_age_ms = age;
            }
            if let Some(count) = input.max_deliveries {
                retention.max_deliveries = count;
            }
            retention::set(tx, retention)?;
            Ok(retention)
        })
        .await?;
    state.webhooks.wake_retention();
    Ok(Json(json!(retention)))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkReplayBody {
    /// One app's deliveries; without it, every app's.
    pub app_id: Option<String>,
    /// Recorded at or after (virtual Unix ms)
    pub since_ms: Option<i64>,
    /// Recorded before (virtual Unix ms)
    pub until_ms: Option<i64>,
}

/// Deliveries re-queued per write transaction.
const REQUEUE_BATCH: usize = 1000;

/// `POST /_localgram/webhooks/replay`: every given-up delivery (of an app, recorded in a time
/// range) goes back to pending with a fresh retry schedule, and every pending one waiting for
/// a retry becomes due now. The worker sends them in each account's recording order.
#[utoipa::path(
    post,
    path = "/webhooks/replay",
    tag = "webhooks",
    operation_id = "webhooks_replay_all",
    summary = "Bulk replay: every given-up delivery (of one app, recorded in a time range) is pending again with a fresh 36-hour schedule, and every pending one waiting for a retry is due now; the worker sends them in each account's recording order",
    request_body = Option<BulkReplayBody>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::BulkReplay),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn replay_all(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: BulkReplayBody = parse_body(if body.is_empty() { b"{}" } else { &body })?;
    let app_id = match &input.app_id {
        None => None,
        Some(given) => {
            let given = given.clone();
            let found = state
                .db
                .read(move |c| {
                    let Some(app) = apps::find_by_any_id(c, &given)? else {
                        return Ok(None);
                    };
                    let active =
                        config::subscription(c, &app.id, OBJECT)?.is_some_and(|s| s.active);
                    Ok(Some((app.id, active)))
                })
                .await?;
            match found {
                None => {
                    return Err(ControlError::not_found(format!(
                        "no app {}",
                        input.app_id.unwrap_or_default()
                    )))
                }
                Some((_, false)) => {
                    return Err(ControlError::conflict(format!(
                        "app {} has no verified Instagram callback to send to",
                        input.app_id.unwrap_or_default()
                    )))
                }
                Some((id, true)) => Some(id),
            }
        }
    };
    let mut total = outbox::Requeued::default();
    let mut after = 0;
    loop {
        let request = outbox::Requeue {
            app_id: app_id.clone(),
            since_ms: input.since_ms,
            until_ms: input.until_ms,
            now: state.clock.now_ms(),
            after,
            limit: REQUEUE_BATCH,
        };
        let done = state
            .db
            .write_background(move |tx| outbox::requeue_batch(tx, &request))
            .await?;
        total.requeued += done.requeued;
        total.retried += done.retried;
        match done.last_id {
            Some(last) => after = last,
            None => break,
        }
    }
    state.webhooks.wake();
    Ok(Json(json!({
        "requeued": total.requeued,
        "retried_now": total.retried,
    })))
}

/// The webhook TLS settings as the control API shows them.
fn tls_view(state: &Shared) -> Result<Value, ControlError> {
    let settings = state.webhooks.tls();
    let ca = state
        .webhooks
        .client_ca_pem()
        .map_err(ControlError::bad_request)?;
    Ok(json!({
        "client_certificate": settings.client_certificate,
        "client_common_name": crate::webhooks::mtls::CLIENT_COMMON_NAME,
        "client_ca_pem": ca,
        "trusted_certificates": settings.trusted_pem.len(),
    }))
}

/// `GET /_localgram/webhooks/tls`: whether deliveries present the client certificate, the CA
/// a receiver trusts to verify it, and how many server certificates `https` callbacks may use.
#[utoipa::path(
    get,
    path = "/webhooks/tls",
    tag = "webhooks",
    operation_id = "webhooks_get_tls",
    summary = "Webhook TLS: whether deliveries present the client certificate, the CA that signs it, and how many certificates https callbacks are verified against",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::WebhookTls),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_tls(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    Ok(Json(tls_view(&state)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsInput {
    /// Present the client certificate (CN `client.webhooks.fbclientcerts.com`) on every
    /// delivery and verification request.
    pub client_certificate: Option<bool>,
    /// PEM certificates (a receiver's CA or self-signed certificate) `https` callbacks are
    /// verified against; replaces the list. `[]` empties it.
    pub trust_pem: Option<Vec<String>>,
}

/// `POST /_localgram/webhooks/tls`: turns mTLS on or off and sets the trusted certificates.
#[utoipa::path(
    post,
    path = "/webhooks/tls",
    tag = "webhooks",
    operation_id = "webhooks_set_tls",
    summary = "Turn the deliveries' client certificate (mTLS) on or off and set the certificates https callbacks are verified against",
    request_body = TlsInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::WebhookTls),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_tls(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: TlsInput = parse_body(&body)?;
    let mut settings = state.webhooks.tls();
    if let Some(on) = input.client_certificate {
        settings.client_certificate = on;
    }
    if let Some(pem) = input.trust_pem {
        settings.trusted_pem = pem;
    }
    state
        .webhooks
        .set_tls(settings)
        .map_err(ControlError::bad_request)?;
    Ok(Json(tls_view(&state)?))
}
