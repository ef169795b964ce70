//! Retention: the requests (bodies, headers, answers) of finished deliveries are pruned in the
//! background once they are older than a virtual age (7 days by default) or beyond a count of
//! the newest deliveries (100,000 by default), in small write transactions that let requests
//! through between them. The delivery rows keep their outcome and the counters keep counting;
//! given-up deliveries lose their requests only by age and stay replayable; pending ones are
//! never touched.

use serde::Serialize;
use std::time::Duration;

use crate::state::Shared;
use crate::store::events::{self as outbox, Prune};
use crate::store::{settings, Reader, StoreResult, Writer};

/// Finished deliveries keep their requests this long on the virtual clock by default.
pub const DEFAULT_MAX_AGE_MS: i64 = 7 * 24 * 3_600_000;
/// ... and only the newest this many deliveries keep them.
pub const DEFAULT_MAX_DELIVERIES: i64 = 100_000;
/// Deliveries pruned per write transaction: a few milliseconds of the writer.
const BATCH: usize = 200;
/// How often retention looks when the clock does not move.
const EVERY: Duration = Duration::from_secs(5);

const MAX_AGE_KEY: &str = "webhook_retention_max_age_ms";
const MAX_DELIVERIES_KEY: &str = "webhook_retention_max_deliveries";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Virtual milliseconds a finished delivery keeps its requests.
    pub max_age_ms: i64,
    /// How many of the newest deliveries keep their requests.
    pub max_deliveries: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_age_ms: DEFAULT_MAX_AGE_MS,
            max_deliveries: DEFAULT_MAX_DELIVERIES,
        }
    }
}

/// The retention in force: what the control API set (shared by every instance on the
/// database), else the `serve` flags.
pub fn current(conn: &Reader, defaults: Retention) -> StoreResult<Retention> {
    let read = |key: &str| -> StoreResult<Option<i64>> {
        Ok(settings::get(conn, key)?.and_then(|v| v.parse().ok()))
    };
    Ok(Retention {
        max_age_ms: read(MAX_AGE_KEY)?.unwrap_or(defaults.max_age_ms),
        max_deliveries: read(MAX_DELIVERIES_KEY)?.unwrap_or(defaults.max_deliveries),
    })
}

pub fn set(conn: &Writer, retention: Retention) -> StoreResult<()> {
    settings::set(conn, MAX_AGE_KEY, &retention.max_age_ms.to_string())?;
    settings::set(
        conn,
        MAX_DELIVERIES_KEY,
        &retention.max_deliveries.to_string(),
    )
}

/// Prunes everything retention allows now, one small transaction at a time; answers how many
/// deliveries lost their requests.
pub async fn prune(state: &Shared) -> StoreResult<usize> {
    let defaults = state.config.webhook_retention;
    let mut total = 0;
    loop {
        let now = state.clock.now_ms();
        let pruned = state
            .db
            .write_background(move |tx| -> StoreResult<usize> {
                let retention = current(tx, defaults)?;
                let last = outbox::last_delivery_id(tx)?;
                outbox::prune_batch(
                    tx,
                    &Prune {
                        before_ms: now.saturating_sub(retention.max_age_ms),
                        upto_id: last.saturating_sub(retention.max_deliveries),
                        now,
                        limit: BATCH,
                    },
                )
            })
            .await?;
        total += pruned;
        if pruned < BATCH {
            return Ok(total);
        }
    }
}

/// The background pruner: after every clock move and every few seconds.
pub async fn run(state: Shared) {
    let mut clock = state.clock.subscribe();
    loop {
        if let Err(error) = prune(&state).await {
            tracing::warn!("webhook retention could not prune: {error}");
        }
        tokio::select! {
            changed = clock.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(EVERY).await;
                }
            }
            _ = state.webhooks.retention_woken() => {}
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
