//! Rate limits as Meta counts them (ref 002/004 "Rate limits"; seed002-004 §11): each limit is
//! a rolling window on the virtual clock, counted per app, per (app, account) pair, per user or
//! per account, and reported in the usage headers clients read (`usage`).
//!
//! Counting is cheap on the hot path: on SQLite the counters live in memory (a map of
//! windows, one lock per scope; a thread keeps the windows and limits a caller's calls
//! resolved to, `hot`) and are written behind the requests (`persist`, every second and at
//! shutdown) so they survive a restart; on PostgreSQL every instance counts in the
//! database, one short transaction per call holding a lock on each scope it counts in, so a
//! limit holds exactly across instances (docs/decisions.md, "Rate limits and faults").
//! A refused call is counted in none of its limits: access returns exactly when the window has
//! rolled.

pub mod classify;
mod hot;
pub mod impressions;
mod share;
pub mod usage;
pub mod window;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use graph::GraphError;
use hashbrown::{Equivalent, HashMap};
use parking_lot::RwLock;
use smallvec::SmallVec;

use crate::api::Target;
use crate::auth::Caller;
use crate::state::Shared;
use crate::store::{rate_counts, Db, Engine, StoreResult};
use classify::Budget;
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

    /// The limit in force: an override, else Meta's number scaled (at least 1).
    pub fn effective(&self, limit: Limit, account: Option<&str>) -> u64 {
        self.effective_with(limit, account, None)
    }

    /// [`Settings::effective`] with the insights model's impressions for `account`: the
    /// Business Use Case budget counts the control API's figure for the account, else the
    /// model's ([`impressions::Modelled`]), else the configured default.
    pub fn effective_with(
        &self,
        limit: Limit,
        account: Option<&str>,
        modelled: Option<u64>,
    ) -> u64 {
        if let Some(n) = self.overrides.get(&limit) {
            return *n;
        }
        let impressions = account
            .and_then(|a| self.impressions.get(a).copied())
            .or(modelled)
            .unwrap_or(self.default_impressions);
        let meta = limit.meta_default(impressions, self.app_users);
        ((meta as f64 * self.scale).floor() as u64).max(1)
    }
}

/// What a limit is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// The app (or the user) alone.
    Key,
    /// An (app, account) pair.
    Pair,
    /// The account alone.
    Account,
}

impl Limit {
    pub fn counted_per(self) -> Per {
        match self {
            Limit::App | Limit::User | Limit::Oembed | Limit::CreatorMarketplaceApp => Per::Key,
            Limit::Instagram => Per::Pair,
            _ => Per::Account,
        }
    }
}

/// One count a call makes: a limit, what it counts per (borrowed from the call where it
/// can be, so counting allocates nothing), and the business object the usage header names
/// (the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check<'a> {
    pub limit: Limit,
    /// The app or user it counts per (`None` when it counts per account alone).
    key: Option<Cow<'a, str>>,
    /// The account the limit's budget belongs to, if any.
    account: Option<Cow<'a, str>>,
}

impl<'a> Check<'a> {
    /// A limit counted per app or per user (`key`).
    pub fn per_key(limit: Limit, key: impl Into<Cow<'a, str>>) -> Self {
        Check {
            limit,
            key: Some(key.into()),
            account: None,
        }
    }

    /// A limit counted per (app, account) pair: the account's budget with this app.
    pub fn per_pair(
        limit: Limit,
        app: impl Into<Cow<'a, str>>,
        account: impl Into<Cow<'a, str>>,
    ) -> Self {
        Check {
            limit,
            key: Some(app.into()),
            account: Some(account.into()),
        }
    }

    /// A limit counted per account.
    pub fn per_account(limit: Limit, account: impl Into<Cow<'a, str>>) -> Self {
        Check {
            limit,
            key: None,
            account: Some(account.into()),
        }
    }

    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    fn scope(&self) -> ScopeRef<'_> {
        ScopeRef {
            limit: self.limit,
            key: self.key.as_deref(),
            account: self.account.as_deref(),
        }
    }

    fn into_owned(self) -> Check<'static> {
        Check {
            limit: self.limit,
            key: self.key.map(|k| Cow::Owned(k.into_owned())),
            account: self.account.map(|a| Cow::Owned(a.into_owned())),
        }
    }
}

/// Where a limit is counted, borrowed: what the in-memory windows are looked up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct ScopeRef<'a> {
    limit: Limit,
    key: Option<&'a str>,
    account: Option<&'a str>,
}

impl ScopeRef<'_> {
    /// `{limit}:{key}`, `{limit}:{app}:{account}` or `{limit}:{account}`: how the store and
    /// the control API name it.
    fn text(&self) -> String {
        let mut text = String::from(self.limit.name());
        for part in [self.key, self.account].into_iter().flatten() {
            text.push(':');
            text.push_str(part);
        }
        text
    }

    fn to_owned(self) -> Scope {
        Scope {
            limit: self.limit,
            key: self.key.map(Box::from),
            account: self.account.map(Box::from),
        }
    }
}

/// Where a limit is counted, owned: the key of a window in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    limit: Limit,
    key: Option<Box<str>>,
    account: Option<Box<str>>,
}

impl Scope {
    fn as_ref(&self) -> ScopeRef<'_> {
        ScopeRef {
            limit: self.limit,
            key: self.key.as_deref(),
            account: self.account.as_deref(),
        }
    }

    /// A scope as the store names it ([`ScopeRef::text`]).
    fn parse(text: &str) -> Option<Scope> {
        let (name, rest) = text.split_once(':')?;
        let limit = Limit::parse(name)?;
        let (key, account) = match limit.counted_per() {
            Per::Key => (Some(rest), None),
            Per::Pair => {
                let (app, account) = rest.split_once(':')?;
                (Some(app), Some(account))
            }
            Per::Account => (None, Some(rest)),
        };
        Some(
            ScopeRef {
                limit,
                key,
                account,
            }
            .to_owned(),
        )
    }
}

// Hashed as its borrowed form, so a window is found from a call's borrowed ids.
impl Hash for Scope {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state)
    }
}

impl Equivalent<Scope> for ScopeRef<'_> {
    fn equivalent(&self, scope: &Scope) -> bool {
        *self == scope.as_ref()
    }
}

/// A limit's state after a call: how much of it is used and when access returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage<'a> {
    pub limit: Limit,
    pub account: Option<&'a str>,
    pub used: u64,
    pub max: u64,
    /// Milliseconds until one more call is allowed (0 when it is now).
    pub regain_ms: i64,
}

impl Usage<'_> {
    /// `call_count` as the headers print it: the share of the limit used, in percent.
    pub fn percent(&self) -> u64 {
        percent(self.used, self.max)
    }

    /// `estimated_time_to_regain_access`, in whole minutes rounded up.
    pub fn regain_minutes(&self) -> i64 {
        regain_minutes(self.regain_ms)
    }
}

fn percent(used: u64, max: u64) -> u64 {
    if max == 0 {
        return 100;
    }
    (u128::from(used) * 100 / u128::from(max)).min(100) as u64
}

/// The calls used that show the same percentage of `max` as `used` does while below `max`
/// (empty at or over it, where the headers show when access returns too): the usage headers
/// last rendered hold for the next calls while their numbers stay in it.
fn same_percent(used: u64, max: u64) -> std::ops::Range<u64> {
    if used >= max {
        return 0..0;
    }
    // `percent(u) >= p` exactly when `u >= p * max / 100`.
    let (p, max) = (u128::from(percent(used, max)), u128::from(max));
    let from = (p * max).div_ceil(100);
    let to = ((p + 1) * max).div_ceil(100).min(max);
    from as u64..to as u64
}

fn regain_minutes(regain_ms: i64) -> i64 {
    (regain_ms + 59_999) / 60_000
}

/// What counting a call decided.
#[derive(Debug, Clone, Default)]
pub struct Counted<'a> {
    /// Each limit the call counted in (and the app's, for `X-App-Usage`).
    pub usages: SmallVec<[Usage<'a>; 2]>,
    /// The limit that refused the call, if one did (also in `usages`, at its full use).
    pub refused: Option<Limit>,
}

impl Counted<'_> {
    pub fn error(&self) -> Option<GraphError> {
        self.refused.map(Limit::error)
    }
}

/// The windows in memory (SQLite), each locked on its own.
type Windows = HashMap<Scope, hot::Handle, foldhash::fast::RandomState>;

/// One limit's numbers once a call is decided: the check they belong to (`None`: the app's
/// platform limit, only looked at for `X-App-Usage`).
#[derive(Debug, Clone, Copy)]
struct Tally {
    limit: Limit,
    check: Option<usize>,
    used: u64,
    max: u64,
    regain_ms: i64,
}

impl Tally {
    /// The app's platform window, looked at for `X-App-Usage` (no check counts in it).
    fn looked_at(used: u64, max: u64) -> Tally {
        Tally {
            limit: Limit::App,
            check: None,
            used,
            max,
            regain_ms: 0,
        }
    }

    fn usage(self, account: Option<&str>) -> Usage<'_> {
        Usage {
            limit: self.limit,
            account,
            used: self.used,
            max: self.max,
            regain_ms: self.regain_ms,
        }
    }
}

/// What deciding a call found, before the usages name their accounts.
#[derive(Debug, Clone, Default)]
struct Decision {
    tallies: SmallVec<[Tally; 3]>,
    refused: Option<Limit>,
}

impl Decision {
    /// The usages of the call whose checks' accounts `account_of` names (by the checks'
    /// indices).
    fn usages<'a>(
        &self,
        account_of: impl Fn(usize) -> Option<&'a str>,
    ) -> SmallVec<[Usage<'a>; 2]> {
        self.tallies
            .iter()
            .map(|t| t.usage(t.check.and_then(&account_of)))
            .collect()
    }

    fn counted<'a>(self, checks: &'a [Check<'a>]) -> Counted<'a> {
        Counted {
            usages: self.usages(|i| checks[i].account()),
            refused: self.refused,
        }
    }
}

/// What a Graph call does with its decision: its entry's usage headers go to `out`, and the
/// answer is the limit that refused the call, if one did.
fn show_to(
    out: &mut usage::Headers,
) -> impl FnOnce(&mut hot::Entry, Decision) -> Option<Limit> + '_ {
    |entry, decision| {
        entry.show(&decision, out);
        decision.refused
    }
}

/// The limits of one server: their settings (changed at runtime through the control API)
/// and, on SQLite, the counters.
pub struct Limits {
    /// Which server's limits these are, in the threads' copies of their settings.
    id: u64,
    settings: RwLock<Arc<Settings>>,
    /// Moves each time the settings change.
    settings_version: AtomicU64,
    enabled: AtomicBool,
    windows: RwLock<Windows>,
    /// The insights model's impressions per account, for the Instagram budget.
    pub modelled_impressions: impressions::Modelled,
}

impl Limits {
    pub fn new(settings: Settings) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Limits {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            settings_version: AtomicU64::new(0),
            modelled_impressions: Default::default(),
            enabled: AtomicBool::new(settings.enabled()),
            settings: RwLock::new(Arc::new(settings)),
            windows: RwLock::new(Windows::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub fn settings(&self) -> Arc<Settings> {
        self.settings.read().clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        let mut current = self.settings.write();
        self.enabled.store(settings.enabled(), Ordering::Relaxed);
        *current = Arc::new(settings);
        self.settings_version.fetch_add(1, Ordering::Release);
    }

    /// Counts one call against each of `checks` in order, stopping at the first limit it
    /// would pass; `app` names the app whose platform usage `X-App-Usage` reports.
    pub async fn count<'a>(
        &self,
        db: &Db,
        now_ms: i64,
        checks: &'a [Check<'a>],
        app: Option<&'a str>,
    ) -> StoreResult<Counted<'a>> {
        let decision = match db.engine() {
            Engine::Sqlite => match self.decide_resolved(now_ms, checks, app, |_, d| d) {
                Some(decision) => decision,
                None => {
                    self.decide_in_memory(now_ms, checks, app, None, |_, d| d)
                        .await
                }
            },
            Engine::Postgres => self.decide_in_store(db, now_ms, checks, app).await?,
        };
        Ok(decision.counted(checks))
    }

    /// Counts a Graph call by `caller` on `target` whose row is in `budget` when this thread
    /// counted a call of the same kind before (its caller, budget and account; SQLite), with
    /// no checks built and nothing to await (`hot`): the usage headers go to `out`, and the
    /// answer is the limit that refused the call, if one did. `None` when the call is left
    /// to [`Limits::count_graph_call`], nothing counted.
    pub fn count_resolved(
        &self,
        db: &Db,
        now_ms: i64,
        caller: &Arc<Caller>,
        budget: Budget,
        target: Option<&Target>,
        out: &mut usage::Headers,
    ) -> Option<Option<Limit>> {
        if db.engine() != Engine::Sqlite {
            return None;
        }
        let account = classify::counted_account(budget, caller, target)?;
        hot::with_call(
            self.id,
            caller,
            budget,
            account,
            |entry| self.current(entry, now_ms),
            |entry| entry.count(now_ms, out),
        )
    }

    /// Counts a Graph call as [`Limits::count_resolved`] does, resolving what it counts in
    /// (kept for the next calls of its kind on this thread), or in the store (PostgreSQL).
    pub fn count_graph_call<'a>(
        &'a self,
        state: &'a Shared,
        now_ms: i64,
        caller: &'a Arc<Caller>,
        budget: Budget,
        target: Option<&'a Target>,
        out: &'a mut usage::Headers,
    ) -> BoxFuture<'a, StoreResult<Option<Limit>>> {
        Box::pin(async move {
            let checks = classify::checks(state, budget, caller, target).await;
            let key = classify::counted_account(budget, caller, target)
                .map(|account| hot::CallKey::new(caller, budget, account));
            let app = Some(caller.app.id.as_str());
            self.count_checks(&state.db, now_ms, &checks, app, key, out)
                .await
        })
    }

    /// Counts a call's `checks`, its usage headers to `out`; `app` names the app whose
    /// platform usage `X-App-Usage` reports, and `key` the Graph call the entry this thread
    /// resolves is kept for.
    async fn count_checks(
        &self,
        db: &Db,
        now_ms: i64,
        checks: &[Check<'_>],
        app: Option<&str>,
        key: Option<hot::CallKey>,
        out: &mut usage::Headers,
    ) -> StoreResult<Option<Limit>> {
        let refused = match (db.engine(), key) {
            // Kept for its call, so the next one finds it without its checks.
            (Engine::Sqlite, Some(key)) => {
                self.decide_in_memory(now_ms, checks, app, Some(key), show_to(out))
                    .await
            }
            (Engine::Sqlite, None) => {
                let current = |entry: &hot::Entry| self.current(entry, now_ms);
                let resolved =
                    hot::with_entry(self.id, checks, app, current, |e| e.count(now_ms, out));
                match resolved {
                    Some(refused) => refused,
                    None => {
                        self.decide_in_memory(now_ms, checks, app, None, show_to(out))
                            .await
                    }
                }
            }
            (Engine::Postgres, _) => {
                let counted = self
                    .decide_in_store(db, now_ms, checks, app)
                    .await?
                    .counted(checks);
                usage::headers(&counted.usages, out);
                counted.refused
            }
        };
        Ok(refused)
    }

    /// Decides a call through this thread's entry for it, if it has a current one; `then`
    /// sees the entry and the decision.
    fn decide_resolved<T>(
        &self,
        now_ms: i64,
        checks: &[Check<'_>],
        app: Option<&str>,
        then: impl FnOnce(&mut hot::Entry, Decision) -> T,
    ) -> Option<T> {
        hot::with_entry(
            self.id,
            checks,
            app,
            |entry| self.current(entry, now_ms),
            |entry| {
                let decision = entry.decide(now_ms)?;
                Some(then(entry, decision))
            },
        )
    }

    /// Decides a call on the windows in memory through a new entry, kept for the next calls
    /// on this thread; `then` sees the entry and the decision.
    async fn decide_in_memory<T>(
        &self,
        now_ms: i64,
        checks: &[Check<'_>],
        app: Option<&str>,
        key: Option<hot::CallKey>,
        then: impl FnOnce(&mut hot::Entry, Decision) -> T,
    ) -> T {
        loop {
            let mut entry = self.entry(now_ms, checks, app).await;
            entry.call = key.clone();
            // `None`: the windows were cleared meanwhile; resolve them again.
            if let Some(decision) = entry.decide(now_ms) {
                let answer = then(&mut entry, decision);
                hot::keep(entry, checks, app);
                return answer;
            }
        }
    }

    /// Whether `entry`'s limits are the ones in force at `now_ms`.
    fn current(&self, entry: &hot::Entry, now_ms: i64) -> bool {
        entry.settings_version == self.settings_version.load(Ordering::Acquire)
            && match entry.model {
                None => true,
                Some(at) => self.modelled_impressions.holds(&at, now_ms),
            }
    }

    /// Resolves what a call with `checks` counts in: its windows (made when missing), the
    /// limits in force (with the insights model's impressions where they size a budget), and
    /// the app's platform window for `X-App-Usage` when no check counts in it.
    async fn entry(&self, now_ms: i64, checks: &[Check<'_>], app: Option<&str>) -> hot::Entry {
        // Taken before what they version: a change meanwhile leaves the entry stale at once.
        let settings_version = self.settings_version.load(Ordering::Acquire);
        let settings = self.settings();
        let (maxes, model) = self.maxes(&settings, now_ms, checks).await;
        let mut order: SmallVec<[usize; 2]> = (0..checks.len()).collect();
        order.sort_unstable_by(|&a, &b| checks[a].scope().cmp(&checks[b].scope()));
        let peek = app
            .filter(|_| !checks.iter().any(|c| c.limit == Limit::App))
            .map(|app| {
                let scope = Check::per_key(Limit::App, app);
                hot::Peek::new(
                    self.window(scope.scope()),
                    settings.effective(Limit::App, None),
                )
            });
        hot::Entry {
            call: None,
            limits: self.id,
            settings_version,
            model,
            scopes: checks.iter().map(|c| c.scope().to_owned()).collect(),
            windows: checks.iter().map(|c| self.window(c.scope())).collect(),
            maxes,
            order,
            app: app.map(Box::from),
            app_is_first_key: app.is_some() && app == checks.first().and_then(|c| c.key.as_deref()),
            peek,
            stale: false,
            shown: None,
            usual: None,
            share: None,
        }
    }

    /// The limit in force for each of `checks`, with the insights model's impressions for
    /// each Instagram budget whose account has no figure of its own (the control API's wins);
    /// and, when the model sized one, the period and stamp its answer holds for (taken before
    /// asking, so a write meanwhile leaves them stale).
    async fn maxes(
        &self,
        settings: &Settings,
        now_ms: i64,
        checks: &[Check<'_>],
    ) -> (SmallVec<[u64; 2]>, Option<impressions::Validity>) {
        let mut model = None;
        let mut maxes = SmallVec::new();
        for check in checks {
            let mut modelled = None;
            if let Some(account) = check.account().filter(|account| {
                check.limit == Limit::Instagram
                    && self.modelled_impressions.installed()
                    && !settings.impressions.contains_key(*account)
            }) {
                model = model.or(self.modelled_impressions.validity(now_ms));
                modelled = self.modelled_impressions.of(account, now_ms).await;
            }
            maxes.push(settings.effective_with(check.limit, check.account(), modelled));
        }
        (maxes, model)
    }

    /// The window of `scope`, made when missing (an empty window is neither shown nor
    /// stored).
    fn window(&self, scope: ScopeRef) -> hot::Handle {
        if let Some(window) = self.windows.read().get(&scope) {
            return window.clone();
        }
        self.windows
            .write()
            .entry(scope.to_owned())
            .or_insert_with(|| {
                hot::SharedWindow::new(Window::new(scope.limit.shape()), scope.limit)
            })
            .clone()
    }

    /// Counting on PostgreSQL, in the store (one transaction).
    async fn decide_in_store(
        &self,
        db: &Db,
        now_ms: i64,
        checks: &[Check<'_>],
        app: Option<&str>,
    ) -> StoreResult<Decision> {
        let settings = self.settings();
        let (maxes, _) = self.maxes(&settings, now_ms, checks).await;
        let peek = app
            .filter(|_| !checks.iter().any(|c| c.limit == Limit::App))
            .map(|app| {
                (
                    Check::per_key(Limit::App, app).into_owned(),
                    settings.effective(Limit::App, None),
                )
            });
        let checks: Vec<Check<'static>> = checks.iter().cloned().map(Check::into_owned).collect();
        db.write_quiet(move |tx| count_in_store(tx, now_ms, &checks, &maxes, peek.as_ref()))
            .await
    }

    /// The counters as they stand, for the control API: (scope, limit, used).
    pub async fn snapshot(&self, db: &Db, now_ms: i64) -> StoreResult<Vec<(String, Limit, u64)>> {
        let buckets: Vec<(String, i64, i64)> = match db.engine() {
            Engine::Sqlite => {
                let windows = self.windows.read();
                let mut all = Vec::new();
                for (scope, window) in windows.iter() {
                    let text = scope.as_ref().text();
                    for (b, c) in window.lock().live(scope.limit.shape(), now_ms) {
                        all.push((text.clone(), b, c));
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
                let limit = Scope::parse(&scope)?.limit;
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
        let mut grouped: std::collections::HashMap<String, Vec<(i64, i64)>> = Default::default();
        for (scope, bucket, calls) in rows {
            grouped.entry(scope).or_default().push((bucket, calls));
        }
        let mut windows = self.windows.write();
        for (text, buckets) in grouped {
            if let Some(scope) = Scope::parse(&text) {
                let shape = scope.limit.shape();
                let window = Window::from_buckets(shape, now_ms, &buckets);
                let window = hot::SharedWindow::new(window, scope.limit);
                if let Some(replaced) = windows.insert(scope, window) {
                    let mut held = replaced.lock();
                    held.retired = true;
                    replaced.changed(&mut held);
                }
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
                dirty.push((
                    scope.as_ref().text(),
                    window.live(scope.limit.shape(), now_ms),
                ));
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

    /// Forgets every count (reset), here and in the store. The windows are retired, so a
    /// thread holding one resolves the call's windows again.
    pub async fn clear(&self, db: &Db) -> StoreResult<()> {
        {
            let mut windows = self.windows.write();
            for window in windows.values() {
                let mut held = window.lock();
                held.retired = true;
                window.changed(&mut held);
            }
            windows.clear();
        }
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
    let check = Check::per_account(limit, account);
    let counted = state
        .limits
        .count(
            &state.db,
            state.clock.now_ms(),
            std::slice::from_ref(&check),
            None,
        )
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

/// Decides a call against its limits' windows (one per check, in order): refused by the
/// first limit it would pass, and then counted in none; else counted in each.
/// Decides a call with a limit (`limit_of` each check's index) of `maxes` in each of
/// `windows`, locked.
fn decide(
    limit_of: impl Fn(usize) -> Limit,
    maxes: &[u64],
    now_ms: i64,
    windows: &mut [&mut Window],
) -> Decision {
    let mut decision = Decision::default();
    if let ([window], [max]) = (&mut *windows, maxes) {
        // One limit (most calls): looked at and counted in one step.
        let limit = limit_of(0);
        let shape = limit.shape();
        let (used, refused) = match window.add_below(shape, now_ms, *max) {
            Ok(used) => (used, None),
            Err(used) => (used, Some(limit)),
        };
        let regain_ms = if used >= *max {
            window.regain_ms(shape, now_ms, *max)
        } else {
            0
        };
        decision.tallies.push(Tally {
            limit,
            check: Some(0),
            used,
            max: *max,
            regain_ms,
        });
        decision.refused = refused;
        return decision;
    }
    for (i, (window, &max)) in windows.iter_mut().zip(maxes).enumerate() {
        let limit = limit_of(i);
        let shape = limit.shape();
        let used = window.used(shape, now_ms);
        if used >= max {
            decision.tallies.push(Tally {
                limit,
                check: Some(i),
                used,
                max,
                regain_ms: window.regain_ms(shape, now_ms, max),
            });
            decision.refused = Some(limit);
            return decision;
        }
    }
    for (i, (window, &max)) in windows.iter_mut().zip(maxes).enumerate() {
        let limit = limit_of(i);
        let shape = limit.shape();
        let used = window.add(shape, now_ms);
        // When access returns matters only once this call used the last of the limit.
        let regain_ms = if used >= max {
            window.regain_ms(shape, now_ms, max)
        } else {
            0
        };
        decision.tallies.push(Tally {
            limit,
            check: Some(i),
            used,
            max,
            regain_ms,
        });
    }
    decision
}

/// Counting on PostgreSQL: each scope locked (in one order, so two calls never wait on each
/// other in a cycle), then read, decided and added to in this one transaction.
fn count_in_store(
    tx: &crate::store::Writer,
    now_ms: i64,
    checks: &[Check],
    maxes: &[u64],
    peek: Option<&(Check, u64)>,
) -> StoreResult<Decision> {
    let texts: Vec<String> = checks.iter().map(|c| c.scope().text()).collect();
    let mut scopes: Vec<&str> = texts.iter().map(String::as_str).collect();
    scopes.sort();
    scopes.dedup();
    for scope in &scopes {
        rate_counts::lock_scope(tx, scope)?;
    }
    let mut stored = Vec::with_capacity(checks.len());
    for (check, text) in checks.iter().zip(&texts) {
        let shape = check.limit.shape();
        let buckets = rate_counts::window(tx, text, shape.bucket(now_ms) - shape.slots)?;
        stored.push((Window::from_buckets(shape, now_ms, &buckets), buckets));
    }
    let mut windows: Vec<&mut Window> = stored.iter_mut().map(|(w, _)| w).collect();
    let mut decision = decide(|i| checks[i].limit, maxes, now_ms, &mut windows);
    if decision.refused.is_none() {
        for ((check, text), (_, buckets)) in checks.iter().zip(&texts).zip(&stored) {
            let shape = check.limit.shape();
            let current = shape.bucket(now_ms);
            if !buckets.iter().any(|(b, _)| *b == current) {
                // A new bucket: a good moment to drop those that left the window.
                rate_counts::prune(tx, text, current - shape.slots)?;
            }
            rate_counts::add(tx, text, current, 1)?;
        }
    }
    if let Some((peek, max)) = peek {
        let shape = peek.limit.shape();
        let buckets =
            rate_counts::window(tx, &peek.scope().text(), shape.bucket(now_ms) - shape.slots)?;
        decision.tallies.push(Tally {
            limit: peek.limit,
            check: None,
            used: Window::from_buckets(shape, now_ms, &buckets).used(shape, now_ms),
            max: *max,
            regain_ms: 0,
        });
    }
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;

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

    /// A window found by a call's borrowed ids is the one stored under the scope's name, and
    /// names read back from the store find it again.
    #[test]
    fn scopes_are_named_as_the_store_keeps_them_and_found_by_borrowed_ids() {
        let checks = [
            Check::per_key(Limit::App, "1001"),
            Check::per_key(Limit::User, "178"),
            Check::per_pair(Limit::Instagram, "1001", "17841"),
            Check::per_account(Limit::Conversations, "17841"),
        ];
        let texts: Vec<String> = checks.iter().map(|c| c.scope().text()).collect();
        assert_eq!(
            texts,
            [
                "app:1001",
                "user:178",
                "instagram:1001:17841",
                "conversations:17841"
            ]
        );
        let mut map = Windows::default();
        for text in &texts {
            let scope = Scope::parse(text).expect("a scope");
            assert_eq!(scope.as_ref().text(), *text);
            let window = hot::SharedWindow::new(Window::new(PER_SECOND), scope.limit);
            map.insert(scope, window);
        }
        for check in &checks {
            assert!(map.contains_key(&check.scope()), "{check:?}");
        }
        assert!(!map.contains_key(&Check::per_pair(Limit::Instagram, "1001", "1").scope()));
        assert_eq!(Scope::parse("instagram:1001"), None);
        assert_eq!(Scope::parse("nope:1"), None);
    }

    /// A 2026 instant on the virtual clock.
    const NOW: i64 = 1_772_442_000_000;

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(f)
    }

    fn limits_with(overrides: &[(Limit, u64)]) -> Limits {
        let mut settings = Settings::meta();
        settings.overrides.extend(overrides.iter().copied());
        Limits::new(settings)
    }

    /// Counts one call of `checks` as a Graph call does: whether it passed, and its headers.
    async fn call(
        limits: &Limits,
        db: &Db,
        now_ms: i64,
        checks: &[Check<'_>],
    ) -> (bool, Vec<(String, String)>) {
        let mut out = usage::Headers::new();
        let refused = limits
            .count_checks(db, now_ms, checks, Some("app"), None, &mut out)
            .await
            .expect("counted");
        let headers = out
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        (refused.is_none(), headers)
    }

    async fn used(limits: &Limits, db: &Db, scope: &str) -> u64 {
        let snapshot = limits.snapshot(db, NOW).await.expect("a snapshot");
        snapshot
            .iter()
            .find(|(s, _, _)| s == scope)
            .map_or(0, |(_, _, used)| *used)
    }

    /// `X-Business-Use-Case-Usage` for account 17841's Instagram budget at `percent` of a day's
    /// limit (at the limit: CPU and time at 100, a whole day to regain access).
    fn business(percent: u64) -> String {
        let time = if percent >= 100 { 100 } else { 0 };
        format!(
            "{{\"17841\":[{{\"type\":\"instagram\",\"call_count\":{percent},\"total_cputime\":{time},\"total_time\":{time},\"estimated_time_to_regain_access\":{}}}]}}",
            if percent >= 100 { 1440 } else { 0 }
        )
    }

    /// Many threads, each counting through its own resolved windows (`hot`), share the
    /// limits exactly; a call refused by one of its limits counts in none of them.
    #[test]
    fn counting_stays_exact_across_threads_and_a_refused_call_counts_nowhere() {
        let db = Db::open(&crate::store::Location::Ephemeral).expect("a store");
        let limits = limits_with(&[(Limit::App, 1000), (Limit::User, 300)]);
        let passed = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    run(async {
                        let checks = [
                            Check::per_key(Limit::App, "app"),
                            Check::per_key(Limit::User, "user"),
                        ];
                        for _ in 0..100 {
                            if call(&limits, &db, NOW, &checks).await.0 {
                                passed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    })
                });
            }
        });
        assert_eq!(passed.load(Ordering::Relaxed), 300);
        run(async {
            assert_eq!(used(&limits, &db, "user:user").await, 300);
            // The 500 refused calls left the app's window alone.
            assert_eq!(used(&limits, &db, "app:app").await, 300);
        });
    }

    /// Threads counting far below a limit count ahead (`share`; decisions.md, "Counted ahead,
    /// shown exactly"): the counts the store and the control API see are the calls made,
    /// each call's headers are exactly those of a percentage its thread never sees go down,
    /// and at the limit exactly the limit's calls pass.
    #[test]
    fn calls_counted_ahead_leave_the_counts_exact() {
        let db = Db::open(&crate::store::Location::Ephemeral).expect("a store");
        let app_usage = (
            "x-app-usage".to_string(),
            r#"{"call_count":0,"total_cputime":0,"total_time":0}"#.to_string(),
        );
        // Which percentage the headers show, when they are exactly the ones for one.
        let shown = |headers: &[(String, String)]| {
            (0..=100).find(|&percent| {
                headers
                    == [
                        app_usage.clone(),
                        ("x-business-use-case-usage".to_string(), business(percent)),
                    ]
            })
        };
        // 15,920 calls: not on a percentage's first call (a decision settles every share).
        for (limit, per_thread, passing) in [(100_000, 1_990, 15_920), (10_000, 2_000, 10_000)] {
            let limits = limits_with(&[(Limit::Instagram, limit)]);
            let passed = AtomicU64::new(0);
            // Checked after the threads: a thread that failed would leave the others waiting.
            let misshown = AtomicU64::new(0);
            // The threads wait, their entries (and shares) alive, while the counts are read.
            let (counted, read) = (Barrier::new(9), Barrier::new(9));
            std::thread::scope(|s| {
                for _ in 0..8 {
                    s.spawn(|| {
                        run(async {
                            let checks = [Check::per_pair(Limit::Instagram, "app", "17841")];
                            let mut last = 0;
                            for _ in 0..per_thread {
                                let (ok, headers) = call(&limits, &db, NOW, &checks).await;
                                match shown(&headers) {
                                    Some(percent) if percent >= last => last = percent,
                                    _ => {
                                        misshown.fetch_add(1, Ordering::Relaxed);
                                    }
                                }
                                if ok {
                                    passed.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        });
                        counted.wait();
                        read.wait();
                    });
                }
                counted.wait();
                let scope = Scope::parse("instagram:app:17841").expect("a scope");
                let window = limits.windows.read().get(&scope).cloned();
                let ahead = window.as_ref().map(|w| w.granted());
                // Read through the lock that settles the shares: the calls made.
                let made = run(used(&limits, &db, "instagram:app:17841"));
                let settled = window.as_ref().map(|w| w.granted());
                read.wait();
                assert!(ahead > Some(0) || passing == limit, "counted ahead");
                assert_eq!((made, settled), (passing, Some(0)));
            });
            assert_eq!(misshown.load(Ordering::Relaxed), 0, "limit {limit}");
            assert_eq!(passed.load(Ordering::Relaxed), passing, "limit {limit}");
            run(async {
                // The threads ended: their entries gave their shares back.
                assert_eq!(used(&limits, &db, "instagram:app:17841").await, passing);
                let mut out = usage::Headers::new();
                let checks = [Check::per_pair(Limit::Instagram, "app", "17841")];
                let refused = limits
                    .count_checks(&db, NOW, &checks, Some("app"), None, &mut out)
                    .await
                    .expect("counted");
                assert_eq!(refused.is_some(), passing == limit, "limit {limit}");
                let stored = limits.take_dirty(NOW);
                let calls: i64 = stored
                    .iter()
                    .filter(|(scope, _)| scope == "instagram:app:17841")
                    .flat_map(|(_, buckets)| buckets.iter().map(|(_, calls)| calls))
                    .sum();
                assert_eq!(calls as u64, passing + u64::from(refused.is_none()));
            });
            run(limits.clear(&db)).expect("cleared");
        }
    }

    /// A thread that resolved a call's windows counts in the new ones once they are cleared,
    /// and with the new limits once the settings change; two servers' limits in one thread
    /// never share a window.
    #[test]
    fn resolved_windows_follow_a_clear_and_a_change_of_settings() {
        let db = Db::open(&crate::store::Location::Ephemeral).expect("a store");
        let limits = limits_with(&[(Limit::Instagram, 4), (Limit::App, 10)]);
        let other = limits_with(&[(Limit::Instagram, 4)]);
        let checks = [Check::per_pair(Limit::Instagram, "app", "17841")];
        run(async {
            for percent in [25, 50, 75] {
                let (passed, headers) = call(&limits, &db, NOW, &checks).await;
                assert!(passed);
                assert_eq!(
                    headers[1],
                    ("x-business-use-case-usage".into(), business(percent))
                );
            }
            // The other server's windows are its own.
            assert!(call(&other, &db, NOW, &checks).await.0);
            assert_eq!(used(&other, &db, "instagram:app:17841").await, 1);
            // The app's platform window, looked at for `X-App-Usage`, moves with calls that
            // count in it.
            let app = [Check::per_key(Limit::App, "app")];
            assert!(call(&limits, &db, NOW, &app).await.0);
            let (_, headers) = call(&limits, &db, NOW, &checks).await;
            assert_eq!(
                headers,
                [
                    (
                        "x-app-usage".to_string(),
                        r#"{"call_count":10,"total_cputime":0,"total_time":0}"#.to_string()
                    ),
                    ("x-business-use-case-usage".to_string(), business(100)),
                ]
            );
            assert!(!call(&limits, &db, NOW, &checks).await.0);
            // Cleared: the whole budget again, counted where the control API sees it.
            limits.clear(&db).await.expect("cleared");
            for percent in [25, 50, 75, 100] {
                let (passed, headers) = call(&limits, &db, NOW, &checks).await;
                assert!(passed, "{percent}%");
                assert_eq!(
                    headers[0],
                    (
                        "x-app-usage".to_string(),
                        r#"{"call_count":0,"total_cputime":0,"total_time":0}"#.to_string()
                    )
                );
                assert_eq!(headers[1].1, business(percent));
            }
            assert!(!call(&limits, &db, NOW, &checks).await.0);
            assert_eq!(used(&limits, &db, "instagram:app:17841").await, 4);
            // Settings changed: the next call counts with the limit now in force.
            let mut settings = (*limits.settings()).clone();
            settings.overrides.insert(Limit::Instagram, 5);
            limits.set_settings(settings);
            let (passed, headers) = call(&limits, &db, NOW, &checks).await;
            assert!(passed);
            assert_eq!(headers[1].1, business(100));
            assert!(!call(&limits, &db, NOW, &checks).await.0);
            // A day later the window has rolled.
            assert!(call(&limits, &db, NOW + DAY_MS, &checks).await.0);
        });
    }

    /// Two calls with the same checks but another app asking for `X-App-Usage` are told
    /// apart: each reads its own app's platform window.
    #[test]
    fn resolved_windows_are_found_by_every_id_of_the_call() {
        let db = Db::open(&crate::store::Location::Ephemeral).expect("a store");
        let limits = limits_with(&[(Limit::App, 10)]);
        let app_usage = |headers: &usage::Headers| {
            headers
                .iter()
                .find(|(n, _)| *n == usage::app_usage())
                .map(|(_, v)| v.to_str().unwrap_or_default().to_string())
        };
        run(async {
            let (first, second) = (String::from("first"), String::from("second"));
            let mut out = usage::Headers::new();
            let platform = [Check::per_key(Limit::App, first.as_str())];
            limits
                .count_checks(&db, NOW, &platform, Some(&first), None, &mut out)
                .await
                .expect("counted");
            for (app, percent) in [(&first, 10), (&second, 0), (&first, 10), (&second, 0)] {
                // Counted per the first app's pair, the usage asked for `app`.
                let checks = [Check::per_pair(Limit::Instagram, first.as_str(), "17841")];
                let mut out = usage::Headers::new();
                limits
                    .count_checks(&db, NOW, &checks, Some(app), None, &mut out)
                    .await
                    .expect("counted");
                assert_eq!(
                    app_usage(&out),
                    Some(format!(
                        r#"{{"call_count":{percent},"total_cputime":0,"total_time":0}}"#
                    )),
                    "{app}"
                );
            }
            assert_eq!(used(&limits, &db, "instagram:first:17841").await, 4);
        });
    }

    /// The range a rendering holds for is exactly the calls that show its percentage, below
    /// the limit.
    #[test]
    fn the_calls_that_show_the_same_percentage_are_found_exactly() {
        for max in 0..=350u64 {
            for used in 0..=max + 2 {
                let range = same_percent(used, max);
                if used >= max {
                    assert!(range.is_empty(), "{used} of {max}");
                    continue;
                }
                assert!(range.contains(&used), "{used} of {max}: {range:?}");
                let shown = percent(used, max);
                for u in 0..=max {
                    assert_eq!(
                        range.contains(&u),
                        u < max && percent(u, max) == shown,
                        "{u} against {used} of {max}: {range:?}"
                    );
                }
            }
        }
        // Very large limits, where `used * 100` leaves 64 bits.
        let max = u64::MAX / 3;
        let used = max / 2;
        let range = same_percent(used, max);
        assert!(range.contains(&used));
        assert_eq!(percent(used, max), 49);
        assert_eq!(percent(range.start - 1, max), 48);
        assert_eq!(percent(range.start, max), 49);
        assert_eq!(percent(range.end - 1, max), 49);
        assert_eq!(percent(range.end, max), 50);
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
