//! What every request shares: the store, the clock, the id minter and the request log.

use graph::ids::IdMinter;
use std::sync::Arc;

use crate::clock::{Clock, ClockState};
use crate::config::Config;
use crate::http::request_log::RequestLog;
use crate::store::{settings, Db, Reader, StoreError, StoreResult};

pub type Shared = Arc<AppState>;

pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub ids: IdMinter,
    pub requests: RequestLog,
    pub config: Config,
    /// The webhook worker's wake-up signal and HTTP client.
    pub webhooks: crate::webhooks::Hub,
    /// Content publishing: the media files on disk and the media fetcher.
    pub publishing: crate::publishing::Publishing,
    /// Messaging: the Send API's group commit (messaging::group).
    pub messaging: crate::messaging::group::GroupCommit,
    /// Rate limits: their settings and (on SQLite) the counters.
    pub limits: crate::limits::Limits,
    /// Turns true when the server stops: long-lived responses (the console's event stream)
    /// end then, so a graceful shutdown does not wait on them.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// Held while the clock moves here and is recorded, and while it is read back from the
    /// database: a reload (another instance's move) never lands between a local move and its
    /// record, which would undo the move.
    clock_moves: tokio::sync::Mutex<()>,
    /// The permissions each app has made a successful call with, as this process noted them
    /// (apps::note_successful_call), so each is written once. By app id (looked up without allocating: every successful call asks).
    pub app_calls: parking_lot::Mutex<
        std::collections::HashMap<
            String,
            std::collections::HashSet<graph::Permission, foldhash::fast::RandomState>,
            foldhash::fast::RandomState,
        >,
    >,
}

const SEED_KEY: &str = "id_seed";
const CLOCK_OFFSET_KEY: &str = "clock_offset_ms";
const CLOCK_FROZEN_KEY: &str = "clock_frozen_at_ms";

impl AppState {
    /// Opens the store and restores the id seed and the clock it recorded.
    pub fn open(config: Config) -> StoreResult<Shared> {
        let db = Db::open(&config.location())?;
        let seed = db.write_blocking(|tx| -> StoreResult<u64> {
            if let Some(seed) = settings::get(tx, SEED_KEY)?.and_then(|s| s.parse().ok()) {
                return Ok(seed);
            }
            let seed = config.seed.unwrap_or_else(rand::random);
            settings::set(tx, SEED_KEY, &seed.to_string())?;
            Ok(seed)
        })?;
        let clock_state = db.read_blocking(recorded_clock)?;
        let files =
            crate::publishing::files::FileStore::open(config.data_dir.as_deref(), config.listen)
                .map_err(|e| {
                    StoreError::Conflict(format!("cannot open the media directory: {e}"))
                })?;
        let clock = Clock::new(clock_state);
        let limits = crate::limits::Limits::new(config.rate_limits.clone());
        limits.load(&db, clock.now_ms())?;
        let state = Arc::new(AppState {
            limits,
            publishing: crate::publishing::Publishing::new(files),
            db,
            clock,
            ids: IdMinter::new(seed),
            requests: RequestLog::new(config.request_log_capacity),
            webhooks: crate::webhooks::Hub::new(config.webhook_timeout),
            messaging: Default::default(),
            stopping: tokio::sync::watch::Sender::new(false),
            clock_moves: tokio::sync::Mutex::new(()),
            app_calls: Default::default(),
            config,
        });
        // The Instagram budget counts the account's impressions from the insights model
        // (weak: the state owns the limits).
        let weak = Arc::downgrade(&state);
        let db = state.db.clone();
        state
            .limits
            .modelled_impressions
            .install(crate::limits::impressions::Model {
                lookup: Arc::new(move |account: String, now_ms: i64| {
                    let weak = weak.clone();
                    Box::pin(async move {
                        let state = weak.upgrade()?;
                        let seed = state.ids.seed();
                        // Whole seconds rounded down, as the periods are.
                        let now = now_ms.div_euclid(1000);
                        crate::insights::daily_impressions(&state.db, seed, &account, now)
                            .await
                            .ok()
                            .flatten()
                    })
                }),
                stamp: Arc::new(move || db.insight_views_stamp()),
                period_ms: crate::insights::IMPRESSIONS_PERIOD_MS,
            });
        Ok(state)
    }

    /// Catches up with what other instances sharing the database wrote since this one last
    /// looked: stale read caches are dropped and a moved clock is taken over. Costs nothing on
    /// SQLite, where every writer is in this process.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        if self.db.refresh().await? {
            self.reload_clock().await?;
        }
        Ok(())
    }

    /// Takes the clock (and the id seed) as the database records them: after another
    /// instance moved the clock, or a snapshot import brought its own.
    pub async fn reload_clock(&self) -> Result<(), StoreError> {
        let _moving = self.clock_moves.lock().await;
        let (recorded, seed) = self
            .db
            .read(|c| {
                Ok((
                    recorded_clock(c)?,
                    settings::get(c, SEED_KEY)?.and_then(|s| s.parse::<u64>().ok()),
                ))
            })
            .await?;
        self.clock.adopt(recorded);
        if let Some(seed) = seed {
            self.ids.set_seed(seed);
        }
        Ok(())
    }

    /// Makes an imported snapshot's clock and id seed this instance's at once; a snapshot
    /// without a seed keeps the current one (recorded, so a restart keeps it too).
    pub async fn adopt_imported(&self) -> Result<(), StoreError> {
        self.app_calls.lock().clear();
        let seed = self.ids.seed();
        self.db
            .write(move |tx| -> StoreResult<()> {
                crate::store::apps::clear_calls(tx)?;
                if settings::get(tx, SEED_KEY)?
                    .and_then(|s| s.parse::<u64>().ok())
                    .is_none()
                {
                    settings::set(tx, SEED_KEY, &seed.to_string())?;
                }
                Ok(())
            })
            .await?;
        self.reload_clock().await?;
        self.webhooks.wake();
        Ok(())
    }

    /// Moves the clock with `change` and records it, so a restart (and every other instance
    /// on the same database) resumes the same virtual time.
    pub async fn move_clock(&self, change: impl FnOnce(&Clock)) -> Result<(), StoreError> {
        let _moving = self.clock_moves.lock().await;
        change(&self.clock);
        self.record_clock().await
    }

    async fn record_clock(&self) -> Result<(), StoreError> {
        let state = self.clock.state();
        self.db
            .write(move |tx| -> StoreResult<()> {
                settings::set(tx, CLOCK_OFFSET_KEY, &state.offset_ms.to_string())?;
                match state.frozen_at_ms {
                    Some(at) => settings::set(tx, CLOCK_FROZEN_KEY, &at.to_string())?,
                    None => settings::delete(tx, CLOCK_FROZEN_KEY)?,
                }
                Ok(())
            })
            .await
    }

    /// Wipes all state but keeps the id seed, so a reset run mints the same ids again.
    pub async fn reset(&self) -> Result<(), StoreError> {
        let _moving = self.clock_moves.lock().await;
        let seed = self.ids.seed();
        self.db
            .write(move |tx| -> StoreResult<()> {
                crate::store::snapshot::wipe(tx)?;
                crate::store::apps::clear_calls(tx)?;
                settings::set(tx, SEED_KEY, &seed.to_string())
            })
            .await?;
        self.limits.clear(&self.db).await?;
        self.clock.reset();
        self.requests.clear();
        self.app_calls.lock().clear();
        Ok(())
    }
}

/// The clock as the settings record it (none recorded: real time, running).
fn recorded_clock(c: &Reader) -> StoreResult<ClockState> {
    Ok(ClockState {
        offset_ms: settings::get(c, CLOCK_OFFSET_KEY)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        frozen_at_ms: settings::get(c, CLOCK_FROZEN_KEY)?.and_then(|v| v.parse().ok()),
    })
}
