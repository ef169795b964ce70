//! Rate limits as Meta counts them (ref 002/004 "Rate limits"; seed002-004 §11): each limit is
//! a rolling window on the virtual clock, counted per app, per (app, account) pair, per user or
//! per account, and reported in the usage headers clients read (`usage`).
//!
//! Counting is cheap on the hot path: on SQLite the counters live in memory (a map of
//! windows, one lock per scope) and are written behind the requests (`persist`, every second
//! and at shutdown) so they survive a restart; on PostgreSQL every instance counts in the
//! database, one short transaction per call holding a lock on each scope it counts in, so a
//! limit holds exactly across instances (docs/decisions.md, "Rate limits and faults").
//! A refused call is counted in none of its limits: access returns exactly when the window has
//! rolled.

pub mod classify;
pub mod impressions;
pub mod usage;
pub mod window;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use graph::GraphError;
use parking_lot::{Mutex, RwLock};

use crate::store::{rate_counts, Db, Engine, StoreResult};
use window::{Shape, Window};

const SECOND_MS: i64 = 1000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A one-second window in ten buckets of 100 ms.
const PER_SECOND: Shape = Shape {
    window_ms: SECOND_MS,
    slots: 10,
};
/// A rolling hour in minutes.
const PER_HOUR: Shape = Shape {
    window_ms: HOUR_MS,
    slots: 60,
};
/// A rolling 24 hours in quarters of an hour.
const PER_DAY: Shape = Shape {
    window_ms: DAY_MS,
    slots: 96,
};

/// "Calls within 24 hours = 4800 * Number of Impressions" (ref 002/004, seed002-004 §11).
pub const BUC_CALLS_PER_IMPRESSION: u64 = 4800;
/// Platform limits: "Calls within one hour = 200 * Number of Users" (Meta's rate-limiting
/// overview; the seeds give no formula).
pub const PLATFORM_CALLS_PER_USER: u64 = 200;
/// The impressions an account is counted with until an insights model gives real ones.
pub const DEFAULT_IMPRESSIONS: u64 = 1000;
/// The users an app is counted with for its platform limit.
pub const DEFAULT_APP_USERS: u64 = 100;

/// Every limit localgram counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Limit {
    /// Platform rate limit of an app (code 4): Business Discovery, Hashtag Search, app
    /// tokens and Facebook nodes.
    App,
    /// Platform rate limit of a user across apps (code 17).
    User,
    /// Instagram Business Use Case budget of an (app, account) pair (code 80002).
    Instagram,
    /// Conversations API: 2 calls/s per account (ref 002/004).
    Conversations,
    /// Private replies to comments on posts and reels: 750/hour per account (ref 002/004).
    PrivateReplies,
    /// Private replies to live comments: 100/s per account (ref 002/004).
    PrivateRepliesLive,
    /// Send API text, links, reactions, stickers: 100/s per account (ref 002/004).
    SendText,
    /// Send API audio and video: 10/s per account (ref 002/004).
    SendMedia,
    /// oEmbed with an app token: 5 million per 24 hours (ref 004 oEmbed).
    Oembed,
    /// Creator marketplace, account level: 240 requests per user per hour (ref 001
    /// L9298-9301).
    CreatorMarketplace,
    /// Creator marketplace, app level: 200 × effective users per rolling hour (ref 001
    /// L9302).
    CreatorMarketplaceApp,
}

/// What the usage headers call a limit's business use case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// `X-App-Usage`.
    App,
    /// An entry of `X-Business-Use-Case-Usage` of this `type`.
    BusinessUseCase(&'static str),
}

impl Limit {
    pub const ALL: [Limit; 11] = [
        Limit::App,
        Limit::User,
        Limit::Instagram,
        Limit::Conversations,
        Limit::PrivateReplies,
        Limit::PrivateRepliesLive,
        Limit::SendText,
        Limit::SendMedia,
        Limit::Oembed,
        Limit::CreatorMarketplace,
        Limit::CreatorMarketplaceApp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Limit::App => "app",
            Limit::User => "user",
            Limit::Instagram => "instagram",
            Limit::Conversations => "conversations",
            Limit::PrivateReplies => "private_replies",
            Limit::PrivateRepliesLive => "private_replies_live",
            Limit::SendText => "send_text",
            Limit::SendMedia => "send_media",
            Limit::Oembed => "oembed",
            Limit::CreatorMarketplace => "creator_marketplace",
            Limit::CreatorMarketplaceApp => "creator_marketplace_app",
        }
    }

    pub fn parse(name: &str) -> Option<Limit> {
        Limit::ALL.into_iter().find(|l| l.name() == name)
    }

    pub fn shape(self) -> Shape {
        match self {
            Limit::App
            | Limit::User
            | Limit::PrivateReplies
            | Limit::CreatorMarketplace
            | Limit::CreatorMarketplaceApp => PER_HOUR,
            Limit::Instagram | Limit::Oembed => PER_DAY,
            Limit::Conversations
            | Limit::PrivateRepliesLive
            | Limit::SendText
            | Limit::SendMedia => PER_SECOND,
        }
    }

    /// What counts against it, for the control API.
    pub fn per(self) -> &'static str {
        match self {
            Limit::App | Limit::Oembed | Limit::CreatorMarketplaceApp => "app",
            Limit::User => "user",
            Limit::Instagram => "app and account",
            _ => "account",
        }
    }

    pub fn error(self) -> GraphError {
        match self {
            Limit::App | Limit::Oembed | Limit::CreatorMarketplaceApp => {
                GraphError::app_rate_limited()
            }
            Limit::User => GraphError::user_rate_limited(),
            // The account-level cap is the Instagram account's throttle (docs/decisions.md).
            Limit::Instagram | Limit::CreatorMarketplace => GraphError::instagram_rate_limited(),
            _ => GraphError::api_rate_limited(),
        }
    }

    /// Where the usage headers report it (`X-App-Usage` shows the app's platform limit only:
    /// Meta does not disclose a user's count).
    pub fn reported(self) -> Reported {
        match self {
            Limit::App | Limit::User | Limit::Oembed | Limit::CreatorMarketplaceApp => {
                Reported::App
            }
            Limit::Instagram | Limit::CreatorMarketplace => Reported::BusinessUseCase("instagram"),
            _ => Reported::BusinessUseCase("messenger"),
        }
    }

    /// Meta's number for this limit (`impressions` and `app_users` for the formulas).
    pub fn meta_default(self, impressions: u64, app_users: u64) -> u64 {
        match self {
            Limit::App | Limit::CreatorMarketplaceApp => {
                PLATFORM_CALLS_PER_USER.saturating_mul(app_users)
            }
            Limit::CreatorMarketplace => 240,
            // Meta does not disclose a user's limit; chosen so one person's app never meets
            // it by ordinary use (docs/decisions.md).
            Limit::User => 4800,
            Limit::Instagram => BUC_CALLS_PER_IMPRESSION.saturating_mul(impressions),
            Limit::Conversations => 2,
            Limit::PrivateReplies => 750,
            Limit::PrivateRepliesLive => 100,
            Limit::SendText => 100,
            Limit::SendMedia => 10,
            Limit::Oembed => 5_000_000,
        }
    }
}

/// How the limits are configured: Meta's numbers times `scale` (0 turns every limit off),
/// with per-limit overrides taking precedence.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub scale: f64,
    pub overrides: BTreeMap<Limit, u64>,
    pub default_impressions: u64,
    /// Impressions per account, set through the control API (the insights hook).
    pub impressions: BTreeMap<String, u64>,
    pub app_users: u64,
}

impl Settings {
    /// Meta's numbers.
    pub fn meta() -> Self {
        Settings {
            scale: 1.0,
            overrides: BTreeMap::new(),
            default_impressions: DEFAULT_IMPRESSIONS,
            impressions: BTreeMap::new(),
            app_users: DEFAULT_APP_USERS,
        }
    }

    /// No limit counted, no usage header.
    pub fn off() -> Self {
        Settings {
            scale: 0.0,
            ..Settings::meta()
        }
    }

    pub fn enabled(&self) -> bool {
        self.scale > 0.0
    }

    /// Parses `--rate-limit-scale`: a non-negative number, or `off`.
    pub fn parse_scale(text: &str) -> Result<f64, String> {
        match text.trim() {
            "off" | "OFF" | "Off" => Ok(0.0),
            other => match other.parse::<f64>() {
                Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
                _ => Err(format!(
                    "the rate-limit scale must be a number, 0 or more, or off (got {text:?})"
                )),
            },
        }
    }

    /// Parses one `--rate-limit NAME=N` override.
    pub fn parse_override(text: &str) -> Result<(Limit, u64), String> {
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| format!("a rate-limit override is NAME=N (got {text:?})"))?;
        let limit = Limit::parse(name.trim()).ok_or_else(|| {
            format!(
                "no rate limit {name:?}; limits: {}",
                Limit::ALL.map(Limit::name).join(", ")
            )
        })?;
        let n = value
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("a rate-limit override needs a whole number (got {value:?})"))?;
        Ok((limit, n))
    }

    /// The impressions the Business Use Case budget of `account` is computed from.
    ///
    /// The control API's figure for the account, else the insights model's (filled in by
    /// [`impressions::Modelled`] before a call is counted), else the configured default.
    pub fn impressions_of(&self, account: Option<&str>) -> u64 {
        account
            .and_then(|a| self.impressions.get(a).copied())
            .unwrap_or(self.default_impressions)
    }

    /// The limit in force: an override, else Meta's number scaled (at least 1).
    pub fn effective(&self, limit: Limit, account: Option<&str>) -> u64 {
        if let Some(n) = self.overrides.get(&limit) {
            return *n;
        }
        let meta = limit.meta_default(self.impressions_of(account), self.app_users);
        ((meta as f64 * self.scale).floor() as u64).max(1)
    }
}

/// One count a call makes: a limit, the scope it counts in, and the business object the
/// usage header names (the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub limit: Limit,
    /// The account the limit's budget belongs to, if any.
    pub account: Option<String>,
    /// `{limit}:{key}`, the key being what the limit is counted per (`app`, `app:account`,
    /// `user` or `account`).
    scope: String,
}

impl Check {
    pub fn new(limit: Limit, key: String, account: Option<String>) -> Self {
        let mut scope = String::with_capacity(limit.name().len() + 1 + key.len());
        scope.push_str(limit.name());
        scope.push(':');
        scope.push_str(&key);
        Check {
            limit,
            account,
            scope,
        }
    }

    fn scope(&self) -> &str {
        &self.scope
    }
}

/// A limit's state after a call: how much of it is used and when access returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub limit: Limit,
    pub account: Option<String>,
    pub used: u64,
    pub max: u64,
    /// Milliseconds until one more call is allowed (0 when it is now).
    pub regain_ms: i64,
}

impl Usage {
    /// `call_count` as the headers print it: the share of the limit used, in percent.
    pub fn percent(&self) -> u64 {
        if self.max == 0 {
            return 100;
        }
        (self.used.saturating_mul(100) / self.max).min(100)
    }

    /// `estimated_time_to_regain_access`, in whole minutes rounded up.
    pub fn regain_minutes(&self) -> i64 {
        (self.regain_ms + 59_999) / 60_000
    }
}

/// What counting a call decided.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    /// Each limit the call counted in (and the app's, for `X-App-Usage`).
    pub usages: Vec<Usage>,
    /// The limit that refused the call, if one did (also in `usages`, at its full use).
    pub refused: Option<Limit>,
}

impl Counted {
    pub fn error(&self) -> Option<GraphError> {
        self.refused.map(Limit::error)
    }
}

/// The limits of one server: their settings (changed at runtime through the control API)
/// and, on SQLite, the counters.
pub struct Limits {
    settings: RwLock<Arc<Settings>>,
    enabled: AtomicBool,
    windows: RwLock<HashMap<String, Arc<Mutex<Window>>>>,
    /// The insights model's impressions per account, for the Instagram budget.
    pub modelled_impressions: impressions::Modelled,
}

impl Limits {
    pub fn new(settings: Settings) -> Self {
        Limits {
            modelled_impressions: Default::default(),
            enabled: AtomicBool::new(settings.enabled()),
            settings: RwLock::new(Arc::new(settings)),
            windows: RwLock::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub fn settings(&self) -> Arc<Settings> {
        self.settings.read().clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        self.enabled.store(settings.enabled(), Ordering::Relaxed);
        *self.settings.write() = Arc::new(settings);
    }

    /// Counts one call against each of `checks` in order, stopping at the first limit it
    /// would pass; `app` names the app whose platform usage `X-App-Usage` reports.
    pub async fn count(
        &self,
        db: &Db,
        now_ms: i64,
        checks: Vec<Check>,
        app: Option<&str>,
    ) -> StoreResult<Counted> {
        let settings = self
            .modelled_impressions
            .apply(self.settings(), &checks, now_ms)
            .await;
        let mut peeks = Vec::new();
        if let Some(app) = app {
            if !checks.iter().any(|c| c.limit == Limit::App) {
                peeks.push(Check::new(Limit::App, app.to_string(), None));
            }
        }
        match db.engine() {
            Engine::Sqlite => Ok(self.count_in_memory(&settings, now_ms, &checks, &peeks)),
            Engine::Postgres => {
                db.write_quiet(move |tx| count_in_store(tx, &settings, now_ms, &checks, &peeks))
                    .await
            }
        }
    }

    fn window(&self, scope: &str, shape: Shape) -> Arc<Mutex<Window>> {
        if let Some(found) = self.windows.read().get(scope) {
            return found.clone();
        }
        self.windows
            .write()
            .entry(scope.to_string())
            .or_insert_with(|| Arc::new(Mutex::new(Window::new(shape))))
            .clone()
    }

    fn count_in_memory(
        &self,
        settings: &Settings,
        now_ms: i64,
        checks: &[Check],
        peeks: &[Check],
    ) -> Counted {
        // Every window of the call locked at once (in scope order, so two calls never wait on
        // each other in a cycle): the call counts in all of them or, refused, in none.
        let mut order: Vec<(&str, usize)> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.scope(), i))
            .collect();
        order.sort();
        let windows: Vec<(usize, Arc<Mutex<Window>>)> = order
            .iter()
            .map(|(scope, i)| (*i, self.window(scope, checks[*i].limit.shape())))
            .collect();
        let mut guards: Vec<(usize, parking_lot::MutexGuard<Window>)> =
            windows.iter().map(|(i, w)| (*i, w.lock())).collect();
        guards.sort_by_key(|(i, _)| *i);
        let mut windows: Vec<&mut Window> = guards.iter_mut().map(|(_, g)| &mut **g).collect();
        let mut counted = decide(settings, now_ms, checks, &mut windows);
        for peek in peeks {
            let shape = peek.limit.shape();
            let scope = peek.scope();
            let used = match checks.iter().position(|c| c.scope() == scope) {
                Some(i) => windows[i].used(shape, now_ms),
                None => self
                    .windows
                    .read()
                    .get(scope)
                    .map(|w| w.lock().used(shape, now_ms))
                    .unwrap_or(0),
            };
            counted.usages.push(Usage {
                limit: peek.limit,
                account: None,
                used,
                max: settings.effective(peek.limit, None),
                regain_ms: 0,
            });
        }
        counted
    }

    /// The counters as they stand, for the control API: (scope, limit, used).
    pub async fn snapshot(&self, db: &Db, now_ms: i64) -> StoreResult<Vec<(String, Limit, u64)>> {
        let buckets: Vec<(String, i64, i64)> = match db.engine() {
            Engine::Sqlite => {
                let windows = self.windows.read();
                let mut all = Vec::new();
                for (scope, window) in windows.iter() {
                    if let Some(limit) = limit_of(scope) {
                        for (b, c) in window.lock().live(limit.shape(), now_ms) {
                            all.push((scope.clone(), b, c));
                        }
                    }
                }
                all
            }
            Engine::Postgres => db.read(rate_counts::all).await?,
        };
        let mut grouped: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
        for (scope, bucket, calls) in buckets {
            grouped.entry(scope).or_default().push((bucket, calls));
        }
        Ok(grouped
            .into_iter()
            .filter_map(|(scope, buckets)| {
                let limit = limit_of(&scope)?;
                let used = Window::from_buckets(limit.shape(), now_ms, &buckets)
                    .used(limit.shape(), now_ms);
                (used > 0).then_some((scope, limit, used))
            })
            .collect())
    }

    /// Loads the counters the store kept (SQLite: at start-up).
    pub fn load(&self, db: &Db, now_ms: i64) -> StoreResult<()> {
        if db.engine() != Engine::Sqlite {
            return Ok(());
        }
        let rows = db.read_blocking(rate_counts::all)?;
        let mut grouped: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
        for (scope, bucket, calls) in rows {
            grouped.entry(scope).or_default().push((bucket, calls));
        }
        let mut windows = self.windows.write();
        for (scope, buckets) in grouped {
            if let Some(limit) = limit_of(&scope) {
                windows.insert(
                    scope,
                    Arc::new(Mutex::new(Window::from_buckets(
                        limit.shape(),
                        now_ms,
                        &buckets,
                    ))),
                );
            }
        }
        Ok(())
    }

    /// The windows changed since the last write, ready to store (and marked clean).
    fn take_dirty(&self, now_ms: i64) -> Vec<(String, Vec<(i64, i64)>)> {
        let windows = self.windows.read();
        let mut dirty = Vec::new();
        for (scope, window) in windows.iter() {
            let mut window = window.lock();
            if window.dirty {
                if let Some(limit) = limit_of(scope) {
                    dirty.push((scope.clone(), window.live(limit.shape(), now_ms)));
                }
                window.dirty = false;
            }
        }
        dirty
    }

    /// Writes the changed counters to the store (SQLite; PostgreSQL counts there already).
    pub async fn persist(&self, db: &Db, now_ms: i64) -> StoreResult<()> {
        if db.engine() != Engine::Sqlite {
            return Ok(());
        }
        let dirty = self.take_dirty(now_ms);
        if dirty.is_empty() {
            return Ok(());
        }
        db.write_quiet(move |tx| write_windows(tx, &dirty)).await
    }

    /// [`Limits::persist`] on the calling thread (shutdown).
    pub fn persist_blocking(&self, db: &Db, now_ms: i64) -> StoreResult<()> {
        if db.engine() != Engine::Sqlite {
            return Ok(());
        }
        let dirty = self.take_dirty(now_ms);
        if dirty.is_empty() {
            return Ok(());
        }
        db.write_quiet_blocking(|tx| write_windows(tx, &dirty))
    }

    /// Forgets every count (reset), here and in the store.
    pub async fn clear(&self, db: &Db) -> StoreResult<()> {
        self.windows.write().clear();
        db.write_quiet(rate_counts::clear).await
    }
}

/// For handlers that count by what a call does (the Send API and private replies): counts
/// one call against `limit` for `account`; a limit passed answers its error.
pub async fn enforce(
    state: &crate::state::Shared,
    limit: Limit,
    account: &str,
) -> Result<(), GraphError> {
    if !state.limits.enabled() {
        return Ok(());
    }
    let check = Check::new(limit, account.to_string(), Some(account.to_string()));
    let counted = state
        .limits
        .count(&state.db, state.clock.now_ms(), vec![check], None)
        .await
        .map_err(crate::api::internal)?;
    match counted.error() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn write_windows(
    tx: &crate::store::Writer,
    dirty: &[(String, Vec<(i64, i64)>)],
) -> StoreResult<()> {
    for (scope, buckets) in dirty {
        rate_counts::replace(tx, scope, buckets)?;
    }
    Ok(())
}

/// The limit a stored scope belongs to.
fn limit_of(scope: &str) -> Option<Limit> {
    Limit::parse(scope.split(':').next()?)
}

/// Decides a call against its limits' windows (one per check, in order): refused by the
/// first limit it would pass, and then counted in none; else counted in each.
fn decide(
    settings: &Settings,
    now_ms: i64,
    checks: &[Check],
    windows: &mut [&mut Window],
) -> Counted {
    let mut counted = Counted::default();
    let mut seen = Vec::with_capacity(checks.len());
    for (check, window) in checks.iter().zip(windows.iter()) {
        let shape = check.limit.shape();
        let max = settings.effective(check.limit, check.account.as_deref());
        let used = window.used(shape, now_ms);
        if used >= max {
            counted.usages.push(Usage {
                limit: check.limit,
                account: check.account.clone(),
                used,
                max,
                regain_ms: window.regain_ms(shape, now_ms, max),
            });
            counted.refused = Some(check.limit);
            return counted;
        }
        seen.push((used, max));
    }
    for ((check, window), (used, max)) in checks.iter().zip(windows.iter_mut()).zip(seen) {
        let shape = check.limit.shape();
        window.add(shape, now_ms);
        // When access returns matters only once this call used the last of the limit.
        let regain_ms = if used + 1 >= max {
            window.regain_ms(shape, now_ms, max)
        } else {
            0
        };
        counted.usages.push(Usage {
            limit: check.limit,
            account: check.account.clone(),
            used: used + 1,
            max,
            regain_ms,
        });
    }
    counted
}

/// Counting on PostgreSQL: each scope locked (in one order, so two calls never wait on each
/// other in a cycle), then read, decided and added to in this one transaction.
fn count_in_store(
    tx: &crate::store::Writer,
    settings: &Settings,
    now_ms: i64,
    checks: &[Check],
    peeks: &[Check],
) -> StoreResult<Counted> {
    let mut scopes: Vec<&str> = checks.iter().map(Check::scope).collect();
    scopes.sort();
    scopes.dedup();
    for scope in &scopes {
        rate_counts::lock_scope(tx, scope)?;
    }
    let mut stored = Vec::with_capacity(checks.len());
    for check in checks {
        let shape = check.limit.shape();
        let buckets = rate_counts::window(tx, check.scope(), shape.bucket(now_ms) - shape.slots)?;
        stored.push((Window::from_buckets(shape, now_ms, &buckets), buckets));
    }
    let mut windows: Vec<&mut Window> = stored.iter_mut().map(|(w, _)| w).collect();
    let counted = decide(settings, now_ms, checks, &mut windows);
    if counted.refused.is_none() {
        for (check, (_, buckets)) in checks.iter().zip(&stored) {
            let shape = check.limit.shape();
            let scope = check.scope();
            let current = shape.bucket(now_ms);
            if !buckets.iter().any(|(b, _)| *b == current) {
                // A new bucket: a good moment to drop those that left the window.
                rate_counts::prune(tx, scope, current - shape.slots)?;
            }
            rate_counts::add(tx, scope, current, 1)?;
        }
    }
    let mut counted = counted;
    for peek in peeks {
        let shape = peek.limit.shape();
        let buckets = rate_counts::window(tx, peek.scope(), shape.bucket(now_ms) - shape.slots)?;
        counted.usages.push(Usage {
            limit: peek.limit,
            account: None,
            used: Window::from_buckets(shape, now_ms, &buckets).used(shape, now_ms),
            max: settings.effective(peek.limit, None),
            regain_ms: 0,
        });
    }
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_and_overrides_decide_the_limit_in_force() {
        let mut s = Settings::meta();
        assert_eq!(s.effective(Limit::Instagram, None), 4_800_000);
        assert_eq!(s.effective(Limit::App, None), 20_000);
        s.scale = 0.001;
        assert_eq!(s.effective(Limit::Instagram, None), 4800);
        // Never below one call.
        assert_eq!(s.effective(Limit::Conversations, None), 1);
        s.overrides.insert(Limit::Conversations, 7);
        assert_eq!(s.effective(Limit::Conversations, None), 7);
        s.impressions.insert("17841".into(), 2);
        s.scale = 1.0;
        assert_eq!(s.effective(Limit::Instagram, Some("17841")), 9600);
        assert!(!Settings::off().enabled());
        assert_eq!(Settings::parse_scale("off"), Ok(0.0));
        assert_eq!(Settings::parse_scale("0.5"), Ok(0.5));
        assert!(Settings::parse_scale("-1").is_err());
        assert_eq!(
            Settings::parse_override("send_media=3"),
            Ok((Limit::SendMedia, 3))
        );
        assert!(Settings::parse_override("nope=3").is_err());
    }

    #[test]
    fn percentages_and_minutes_are_rounded_as_clients_read_them() {
        let u = Usage {
            limit: Limit::Instagram,
            account: None,
            used: 1,
            max: 3,
            regain_ms: 60_001,
        };
        assert_eq!((u.percent(), u.regain_minutes()), (33, 2));
    }
}
