//! Counting on SQLite, resolved once per caller and thread: a call's windows (shared handles,
//! so no scope is hashed and the map of windows is not locked), the limits in force and the
//! usage headers last shown. The next call with the same ids on the same thread finds them by
//! comparing those ids. An entry is stale once the settings change (their version), once the
//! insights model's impressions it sized the budget with may have moved (their period and
//! stamp), or once its windows are cleared: a cleared window is marked retired under its own
//! lock, so a call never counts in a window the limits forgot.

use std::cell::RefCell;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};
use smallvec::SmallVec;

use super::usage::{self, Headers};
use super::window::Window;
use super::{decide, percent, regain_minutes, Check, Decision, Limit, Scope, Tally};
use crate::store::cache::Stamp;

/// A window as a call holds it.
pub(super) type Handle = Arc<Mutex<Window>>;

/// Entries a thread keeps (one per caller it serves in turn; most runs have a few).
const PER_THREAD: usize = 8;

/// What one kind of call counts in, resolved.
pub(super) struct Entry {
    /// Whose limits (`Limits::id`).
    pub limits: u64,
    /// The settings' version the limits in force were taken at.
    pub settings_version: u64,
    /// The insights model's (period, stamp) the Instagram budget was sized at, when a check
    /// counts with the model's impressions.
    pub model: Option<(i64, Stamp)>,
    /// Where each check counts, in the call's order.
    pub scopes: SmallVec<[Scope; 2]>,
    pub windows: SmallVec<[Handle; 2]>,
    /// The limit in force for each check.
    pub maxes: SmallVec<[u64; 2]>,
    /// The checks' indices in scope order: the order their windows are locked in, so two
    /// calls never wait on each other in a cycle.
    pub order: SmallVec<[usize; 2]>,
    /// The app whose platform usage the call asked for.
    pub app: Option<Box<str>>,
    /// Whether `app` is the first check's key (a call's app is usually what it counts per).
    pub app_is_first_key: bool,
    /// The app's platform window and limit, looked at for `X-App-Usage` when no check counts
    /// in it.
    pub peek: Option<(Handle, u64)>,
    /// A window it holds was found retired: resolve again.
    pub stale: bool,
    /// The numbers last shown and the headers that showed them.
    pub shown: Option<(SmallVec<[Shown; 3]>, Headers)>,
}

/// What the usage headers show of one tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shown {
    check: Option<usize>,
    limit: Limit,
    percent: u64,
    regain_minutes: i64,
}

impl Shown {
    fn of(tally: &Tally) -> Shown {
        Shown {
            check: tally.check,
            limit: tally.limit,
            percent: percent(tally.used, tally.max),
            regain_minutes: regain_minutes(tally.regain_ms),
        }
    }

    fn shows(&self, tally: &Tally) -> bool {
        self.check == tally.check
            && self.limit == tally.limit
            && self.percent == percent(tally.used, tally.max)
            && self.regain_minutes == regain_minutes(tally.regain_ms)
    }
}

impl Entry {
    /// Whether this entry resolves a call with these checks and app.
    pub fn is_for(&self, limits: u64, checks: &[Check], app: Option<&str>) -> bool {
        let first_key = checks.first().and_then(|c| c.key.as_deref());
        let app_matches = match (app, first_key) {
            // The call's app is the very string its first check counts per: the keys compared
            // below compare the apps too.
            (Some(app), Some(key)) if self.app_is_first_key && std::ptr::eq(app, key) => true,
            _ => self.app.as_deref() == app,
        };
        self.limits == limits
            && self.scopes.len() == checks.len()
            && app_matches
            && self
                .scopes
                .iter()
                .zip(checks)
                .all(|(scope, check)| scope.as_ref() == check.scope())
    }

    /// Counts a call: every window of the call locked at once, then counted in all of them
    /// or, refused, in none. `None` when a window was retired before anything was counted.
    pub fn decide(&mut self, now_ms: i64, checks: &[Check]) -> Option<Decision> {
        let mut decision = if let [window] = self.windows.as_slice() {
            // One limit (most calls): its window alone.
            let mut window = window.lock();
            if window.retired {
                self.stale = true;
                return None;
            }
            decide(&self.maxes, now_ms, checks, &mut [&mut *window])
        } else {
            let mut guards: SmallVec<[Option<MutexGuard<Window>>; 2]> =
                self.windows.iter().map(|_| None).collect();
            for &i in &self.order {
                let guard = self.windows[i].lock();
                if guard.retired {
                    self.stale = true;
                    return None;
                }
                guards[i] = Some(guard);
            }
            let mut windows: SmallVec<[&mut Window; 2]> =
                guards.iter_mut().flatten().map(|g| &mut **g).collect();
            decide(&self.maxes, now_ms, checks, &mut windows)
        };
        if let Some((window, max)) = &self.peek {
            // Looked at once the call's own windows are released.
            let mut window = window.lock();
            // A window cleared meanwhile reads as the fresh one that replaced it.
            let used = if window.retired {
                self.stale = true;
                0
            } else {
                window.used(Limit::App.shape(), now_ms)
            };
            decision.tallies.push(Tally {
                limit: Limit::App,
                check: None,
                used,
                max: *max,
                regain_ms: 0,
            });
        }
        Some(decision)
    }

    /// Adds the usage headers for `decision` to `out`: the ones last shown while the numbers
    /// they show are unchanged (a clone shares their bytes), else rendered anew.
    pub fn show(&mut self, decision: &Decision, checks: &[Check], out: &mut Headers) {
        let tallies = &decision.tallies;
        if let Some((last, headers)) = &self.shown {
            if last.len() == tallies.len() && last.iter().zip(tallies).all(|(s, t)| s.shows(t)) {
                out.merge(headers);
                return;
            }
        }
        let usages = decision.usages(checks);
        let headers = usage::render(&usages);
        out.merge(&headers);
        self.shown = Some((tallies.iter().map(Shown::of).collect(), headers));
    }
}

thread_local! {
    /// This thread's entries, and the next one to replace when it has its fill.
    static ENTRIES: RefCell<(Vec<Entry>, usize)> = const { RefCell::new((Vec::new(), 0)) };
}

/// Runs `hit` on this thread's entry for the call when it has one that `current` accepts.
pub(super) fn with_entry<T>(
    limits: u64,
    checks: &[Check],
    app: Option<&str>,
    current: impl FnOnce(&Entry) -> bool,
    hit: impl FnOnce(&mut Entry) -> Option<T>,
) -> Option<T> {
    ENTRIES.with_borrow_mut(|(entries, _)| {
        let entry = entries
            .iter_mut()
            .find(|e| e.is_for(limits, checks, app))
            .filter(|e| !e.stale && current(e))?;
        hit(entry)
    })
}

/// Keeps `entry` for the next calls on this thread: in place of a stale one for the same
/// call, else in a free place, else in place of the oldest.
pub(super) fn keep(entry: Entry, checks: &[Check], app: Option<&str>) {
    ENTRIES.with_borrow_mut(|(entries, next)| {
        if let Some(old) = entries
            .iter_mut()
            .find(|e| e.is_for(entry.limits, checks, app))
        {
            *old = entry;
        } else if entries.len() < PER_THREAD {
            entries.push(entry);
        } else {
            entries[*next % PER_THREAD] = entry;
            *next = (*next + 1) % PER_THREAD;
        }
    })
}
