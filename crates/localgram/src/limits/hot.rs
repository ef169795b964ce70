//! Counting on SQLite, resolved once per caller and thread: a call's windows (shared handles,
//! so no scope is hashed and the map of windows is not locked), the limits in force and the
//! usage headers last shown. The next call of the same kind on the same thread finds them by
//! its caller, budget and account ([`CallKey`]) without building its checks, or (a call whose
//! account took a read) by comparing its checks' ids. An entry is stale once the settings
//! change (their version), once the insights model's impressions it sized the budget with
//! may have moved (their period and stamp), or once its windows are cleared: a cleared window
//! is marked retired under its own lock, so a call never counts in a window the limits forgot.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};
use smallvec::SmallVec;

use super::classify::Budget;
use super::impressions::Validity;
use super::share::{Share, AHEAD_MAX};
use super::usage::{self, Headers};
use super::window::Window;
use super::{decide, same_percent, Check, Decision, Limit, Scope, Tally};
use crate::auth::Caller;

/// A window as a call holds it.
pub(super) type Handle = Arc<SharedWindow>;

/// A window as calls share it: its lock, and how many changes were made under it, which a
/// call that only looks at the window (for `X-App-Usage`) reads without taking the lock.
/// Aligned to a cache line: the lock and the window's hot part share the first one, so a
/// count moves one line between the cores that count in the window (two with its slot).
#[repr(C, align(64))]
pub(super) struct SharedWindow {
    window: Mutex<Window>,
    changes: AtomicU64,
    /// Whether calls look at the window without its lock (the app's platform windows): only
    /// then are its changes noted.
    watched: bool,
}

impl SharedWindow {
    /// A window of `limit`'s: the app's platform windows are the ones looked at.
    pub fn new(window: Window, limit: Limit) -> Handle {
        Arc::new(SharedWindow {
            window: Mutex::new(window),
            changes: AtomicU64::new(0),
            watched: limit == Limit::App,
        })
    }

    /// The window locked, its count the calls made (what threads counted ahead is taken
    /// back).
    pub fn lock(&self) -> MutexGuard<'_, Window> {
        let mut window = self.window.lock();
        if !window.shares.is_empty() {
            window.settle();
        }
        window
    }

    /// The window locked as it stands, its count possibly ahead of the calls made by what
    /// the shares hold (`Window::shares`): for a call counting within a range that allows it.
    fn lock_ahead(&self) -> MutexGuard<'_, Window> {
        self.window.lock()
    }

    /// Calls the threads' shares counted ahead since they were last settled (tests).
    #[cfg(test)]
    pub fn granted(&self) -> u64 {
        self.window.lock().shares.granted
    }

    /// Whether calls look at the window without its lock.
    fn watched(&self) -> bool {
        self.watched
    }

    /// Notes a change to the calls in the window (a count, a clear), made under its lock.
    pub fn changed(&self, _held: &mut MutexGuard<'_, Window>) {
        if self.watched {
            // Only holders of the lock write: a load and a store are enough.
            let changes = self.changes.load(Ordering::Relaxed).wrapping_add(1);
            self.changes.store(changes, Ordering::Release);
        }
    }

    fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }
}

/// The app's platform window a call looks at for `X-App-Usage`, its limit, and what it held
/// when last looked at under its lock: the changes made then, the clock's bucket (times)
/// and the calls in the window. While no change was made and the clock is in that bucket,
/// the calls are the same, read without the lock.
pub(super) struct Peek {
    pub window: Handle,
    pub max: u64,
    seen: Option<Seen>,
}

#[derive(Clone, Copy)]
struct Seen {
    changes: u64,
    from_ms: i64,
    until_ms: i64,
    used: u64,
}

impl Peek {
    pub fn new(window: Handle, max: u64) -> Peek {
        Peek {
            window,
            max,
            seen: None,
        }
    }

    /// The calls in the window at `now_ms`, and whether it was found retired (cleared: it
    /// reads as the fresh window that replaced it, and the entry must be resolved again).
    #[inline(always)]
    fn look(&mut self, now_ms: i64) -> (u64, bool) {
        if let Some(seen) = self.seen.filter(|seen| {
            now_ms >= seen.from_ms
                && now_ms < seen.until_ms
                && seen.changes == self.window.changes()
        }) {
            return (seen.used, false);
        }
        self.look_locked(now_ms)
    }

    /// [`Peek::look`] under the window's lock.
    #[inline(never)]
    fn look_locked(&mut self, now_ms: i64) -> (u64, bool) {
        let mut window = self.window.lock();
        if window.retired {
            return (0, true);
        }
        let used = window.used(Limit::App.shape(), now_ms);
        let (from_ms, until_ms) = window.bucket_span();
        self.seen = Some(Seen {
            // Read under the lock: no change is made meanwhile.
            changes: self.window.changes(),
            from_ms,
            until_ms,
            used,
        });
        (used, false)
    }
}

/// What the usual call of an entry needs to be counted without a decision made, while the
/// headers last shown show one tally for its one window below the limit (and one for the
/// app's window it looks at): the calls for which they still show the same.
pub(super) struct Usual {
    window: Handle,
    limit: Limit,
    shape: super::window::Shape,
    max: u64,
    counted: std::ops::Range<u64>,
    /// A count in `counted` (all show the same), for a call counted from the thread's share.
    used: u64,
    peeked: Option<std::ops::Range<u64>>,
}

/// Entries a thread keeps (one per caller it serves in turn; most runs have a few).
const PER_THREAD: usize = 8;

/// A Graph call as its counts depend on it: its caller's token kind, app and subject, the
/// budget of its row and the account it concerns (its checks are made of these alone).
#[derive(Clone)]
pub(super) struct CallKey {
    /// Held, so a caller reused for the next calls with its token is known by its address.
    caller: Arc<Caller>,
    budget: Budget,
    account: Option<Box<str>>,
}

impl CallKey {
    pub fn new(caller: &Arc<Caller>, budget: Budget, account: Option<&str>) -> CallKey {
        CallKey {
            caller: caller.clone(),
            budget,
            account: account.map(Box::from),
        }
    }

    /// Whether a call with these counts exactly as the one this key was made for.
    #[inline(always)]
    fn is(&self, caller: &Arc<Caller>, budget: Budget, account: Option<&str>) -> bool {
        let same_account = match (self.account.as_deref(), account) {
            (Some(kept), Some(account)) => same_text(kept, account),
            (kept, account) => kept.is_none() && account.is_none(),
        };
        self.budget == budget
            && same_account
            && (Arc::ptr_eq(&self.caller, caller)
                || (self.caller.kind == caller.kind
                    && self.caller.app.id == caller.app.id
                    && self.caller.subject == caller.subject))
    }

    fn is_key(&self, other: &CallKey) -> bool {
        self.is(&other.caller, other.budget, other.account.as_deref())
    }
}

/// Whether two short texts (ids) are the same, compared eight bytes at a time in place of a
/// call to compare memory (every counted call compares its account).
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a == b;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    // The words at each multiple of eight, then the last eight bytes (overlapping).
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// What one kind of call counts in, resolved.
pub(super) struct Entry {
    /// The Graph call it was resolved for, when its account was known without a read.
    pub call: Option<CallKey>,
    /// Whose limits (`Limits::id`).
    pub limits: u64,
    /// The settings' version the limits in force were taken at.
    pub settings_version: u64,
    /// What the insights model's answer the Instagram budget was sized with holds for, when a
    /// check counts with the model's impressions.
    pub model: Option<Validity>,
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
    pub peek: Option<Peek>,
    /// A window it holds was found retired: resolve again.
    pub stale: bool,
    /// The numbers last shown and the headers that showed them.
    pub shown: Option<(SmallVec<[Shown; 3]>, Headers)>,
    /// The usual call, while the numbers last shown are the usual call's.
    pub usual: Option<Usual>,
    /// This thread's calls counted ahead in the usual call's window (its only window).
    pub share: Option<Arc<Share>>,
}

impl Drop for Entry {
    /// What the entry's share holds is given back (the entry was replaced or its thread
    /// ended).
    fn drop(&mut self) {
        if let (Some(share), Some(window)) = (&self.share, self.windows.first()) {
            window.lock_ahead().release(share);
        }
    }
}

/// What the usage headers show of one tally: the same while the calls used stay in `used`
/// (below the limit, so no time to regain access is shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shown {
    check: Option<usize>,
    limit: Limit,
    max: u64,
    used: std::ops::Range<u64>,
}

impl Shown {
    fn of(tally: &Tally) -> Shown {
        Shown {
            check: tally.check,
            limit: tally.limit,
            max: tally.max,
            used: same_percent(tally.used, tally.max),
        }
    }

    fn shows(&self, tally: &Tally) -> bool {
        self.used.contains(&tally.used)
            && self.check == tally.check
            && self.limit == tally.limit
            && self.max == tally.max
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
    pub fn decide(&mut self, now_ms: i64) -> Option<Decision> {
        let scopes = &self.scopes;
        let limit_of = |i: usize| scopes[i].limit;
        let mut decision = if let [window] = self.windows.as_slice() {
            // One limit (most calls): its window alone.
            let mut guard = window.lock();
            if guard.retired {
                self.stale = true;
                return None;
            }
            let decision = decide(limit_of, &self.maxes, now_ms, &mut [&mut *guard]);
            window.changed(&mut guard);
            decision
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
            let decision = decide(limit_of, &self.maxes, now_ms, &mut windows);
            drop(windows);
            for (window, guard) in self.windows.iter().zip(&mut guards) {
                if let Some(guard) = guard {
                    window.changed(guard);
                }
            }
            decision
        };
        if let Some((used, max)) = self.peek(now_ms) {
            decision.tallies.push(Tally::looked_at(used, max));
        }
        Some(decision)
    }

    /// The calls in the app's platform window and its limit, when the call looks at it for
    /// `X-App-Usage`: once the call's own windows are released.
    fn peek(&mut self, now_ms: i64) -> Option<(u64, u64)> {
        look_at_app(&mut self.peek, &mut self.stale, now_ms)
    }

    /// Counts a call and adds its usage headers to `out`: the answer is the limit that
    /// refused it, if one did; `None` when a window was retired before anything was counted.
    #[inline(always)]
    pub fn count(&mut self, now_ms: i64, out: &mut Headers) -> Option<Option<Limit>> {
        if self.count_usual(now_ms, out) {
            return Some(None);
        }
        self.count_decided(now_ms, out)
    }

    /// [`Entry::count`] for a call that is not the usual one: a decision made.
    #[inline(never)]
    fn count_decided(&mut self, now_ms: i64, out: &mut Headers) -> Option<Option<Limit>> {
        let decision = self.decide(now_ms)?;
        self.show(&decision, out);
        Some(decision.refused)
    }

    /// The usual call, counted without a decision made: it counts in one window, the
    /// headers last shown show one tally for it (and one for the app's window it looks at),
    /// and the count it brings the window to still shows the same, below the limit. Whether
    /// it was counted (nothing is, otherwise). It is taken from the thread's share when one
    /// is left, else counted under the window's lock with a share ahead, when the range has
    /// room for one (not in a window looked at without its lock: a share is not a change).
    #[inline(always)]
    fn count_usual(&mut self, now_ms: i64, out: &mut Headers) -> bool {
        let Entry {
            usual, share, peek, ..
        } = self;
        let Some(usual) = usual.as_ref() else {
            return false;
        };
        let used = match share {
            Some(share) if share.take(now_ms) => usual.used,
            _ => match Self::count_locked(usual, share, now_ms) {
                Some(used) => used,
                None => return false,
            },
        };
        let peeked = look_at_app(peek, &mut self.stale, now_ms);
        let still_shown = match (&usual.peeked, peeked) {
            (None, None) => true,
            (Some(range), Some((used, _))) => range.contains(&used),
            _ => false,
        };
        if still_shown {
            if let Some((_, headers)) = &self.shown {
                out.merge(headers);
            }
            return true;
        }
        // The app's window moved on: the numbers are rendered anew.
        let mut decision = Decision::default();
        decision.tallies.push(Tally {
            limit: usual.limit,
            check: Some(0),
            used,
            max: usual.max,
            regain_ms: 0,
        });
        if let Some((used, max)) = peeked {
            decision.tallies.push(Tally::looked_at(used, max));
        }
        self.show(&decision, out);
        true
    }

    /// The usual call counted under its window's lock, within the usual range, and a share
    /// counted ahead for the calls after it when the range has room (half of it, so other
    /// threads find room too): the calls in the window with it.
    #[inline(never)]
    fn count_locked(usual: &Usual, share: &mut Option<Arc<Share>>, now_ms: i64) -> Option<u64> {
        let mut guard = usual.window.lock_ahead();
        if guard.retired {
            return None;
        }
        if let Some(share) = share.as_ref() {
            // Its bucket left behind or all taken: what is left is not this call's to count.
            guard.take_back(share);
        }
        let used = guard.add_within(usual.shape, now_ms, &usual.counted)?;
        usual.window.changed(&mut guard);
        let room = usual.counted.end.saturating_sub(used + 1) / 2;
        if room > 0 && !usual.window.watched() {
            let share = share.get_or_insert_with(Share::new);
            guard.count_ahead(share, room.min(AHEAD_MAX));
        }
        Some(used)
    }

    /// Adds the usage headers for `decision` to `out`: the ones last shown while the numbers
    /// they show are unchanged (a clone shares their bytes), else rendered anew.
    pub fn show(&mut self, decision: &Decision, out: &mut Headers) {
        let tallies = &decision.tallies;
        if let Some((last, headers)) = &self.shown {
            if last.len() == tallies.len() && last.iter().zip(tallies).all(|(s, t)| s.shows(t)) {
                out.merge(headers);
                return;
            }
        }
        let usages = decision.usages(|i| self.scopes[i].account.as_deref());
        let headers = usage::render(&usages);
        out.merge(&headers);
        self.shown = Some((tallies.iter().map(Shown::of).collect(), headers));
        self.usual = self.usual_after(decision);
    }

    /// The usual call, when `decision` (just shown) is one: it counted in the entry's one
    /// window, below the limit, and looked at the app's window if the entry does.
    fn usual_after(&self, decision: &Decision) -> Option<Usual> {
        let ([window], None) = (self.windows.as_slice(), decision.refused) else {
            return None;
        };
        let (counted, peeked) = match (decision.tallies.as_slice(), &self.peek) {
            ([counted], None) => (counted, None),
            ([counted, peeked], Some(_)) if peeked.check.is_none() => (counted, Some(peeked)),
            _ => return None,
        };
        (counted.check == Some(0)).then(|| Usual {
            window: window.clone(),
            limit: counted.limit,
            shape: counted.limit.shape(),
            max: counted.max,
            counted: same_percent(counted.used, counted.max),
            used: counted.used,
            peeked: peeked.map(|t| same_percent(t.used, t.max)),
        })
    }
}

/// The calls in the app's window `peek` looks at and its limit, when there is one; a window
/// found retired marks the entry `stale`.
#[inline(always)]
fn look_at_app(peek: &mut Option<Peek>, stale: &mut bool, now_ms: i64) -> Option<(u64, u64)> {
    let peek = peek.as_mut()?;
    let (used, retired) = peek.look(now_ms);
    *stale |= retired;
    Some((used, peek.max))
}

thread_local! {
    /// This thread's entries, and the next one to replace when it has its fill.
    static ENTRIES: RefCell<(Vec<Entry>, usize)> = const { RefCell::new((Vec::new(), 0)) };
}

/// Runs `hit` on this thread's entry for the Graph call of `caller` in `budget` concerning
/// `account`, when it has one that `current` accepts.
pub(super) fn with_call<T>(
    limits: u64,
    caller: &Arc<Caller>,
    budget: Budget,
    account: Option<&str>,
    current: impl FnOnce(&Entry) -> bool,
    hit: impl FnOnce(&mut Entry) -> Option<T>,
) -> Option<T> {
    let is_the_call = |e: &Entry| {
        e.limits == limits
            && e.call
                .as_ref()
                .is_some_and(|key| key.is(caller, budget, account))
    };
    with_found(is_the_call, current, |entry| {
        if let Some(key) = entry
            .call
            .as_mut()
            .filter(|k| !Arc::ptr_eq(&k.caller, caller))
        {
            // Kept on another thread (a call can resume on another), or for another token
            // of the same counts: this thread's caller is found by its address next time.
            key.caller = caller.clone();
        }
        hit(entry)
    })
}

/// Runs `hit` on this thread's entry for the call when it has one that `current` accepts.
pub(super) fn with_entry<T>(
    limits: u64,
    checks: &[Check],
    app: Option<&str>,
    current: impl FnOnce(&Entry) -> bool,
    hit: impl FnOnce(&mut Entry) -> Option<T>,
) -> Option<T> {
    with_found(|e| e.is_for(limits, checks, app), current, hit)
}

/// Runs `hit` on this thread's first entry `found` picks, when it is neither stale nor
/// refused by `current`.
fn with_found<T>(
    found: impl Fn(&Entry) -> bool,
    current: impl FnOnce(&Entry) -> bool,
    hit: impl FnOnce(&mut Entry) -> Option<T>,
) -> Option<T> {
    ENTRIES.with_borrow_mut(|(entries, _)| {
        let entry = entries
            .iter_mut()
            .find(|e| found(e))
            .filter(|e| !e.stale && current(e))?;
        hit(entry)
    })
}

/// Keeps `entry` for the next calls on this thread: in place of a stale one for the same
/// call, else in a free place, else in place of the oldest.
pub(super) fn keep(entry: Entry, checks: &[Check], app: Option<&str>) {
    ENTRIES.with_borrow_mut(|(entries, next)| {
        let same = |e: &Entry| match (&entry.call, &e.call) {
            (Some(key), Some(old)) => e.limits == entry.limits && key.is_key(old),
            // A call found by its checks (its account took a read).
            (None, _) => e.is_for(entry.limits, checks, app),
            (Some(_), None) => false,
        };
        if let Some(old) = entries.iter_mut().find(|e| same(e)) {
            *old = entry;
        } else if entries.len() < PER_THREAD {
            entries.push(entry);
        } else {
            entries[*next % PER_THREAD] = entry;
            *next = (*next + 1) % PER_THREAD;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lock and the window's own fields fit the first cache line of a shared window
    /// (its shares, last, are for the slow path).
    #[test]
    fn a_windows_lock_and_hot_fields_share_one_cache_line() {
        let shares = std::mem::size_of::<super::super::share::Shares>();
        assert!(std::mem::size_of::<Mutex<Window>>() - shares <= 64);
        assert_eq!(std::mem::offset_of!(SharedWindow, window), 0);
        assert_eq!(std::mem::align_of::<SharedWindow>(), 64);
    }

    proptest::proptest! {
        /// Texts compare as `==` does, at every length and at every differing byte.
        #[test]
        fn texts_compare_as_equality_does(a in "[0-9a-z]{0,40}", flip in 0usize..40) {
            proptest::prop_assert!(same_text(&a, &a.clone()));
            let mut b = a.clone().into_bytes();
            if let Some(byte) = b.get_mut(flip) {
                *byte = if *byte == b'x' { b'y' } else { b'x' };
            }
            let b = String::from_utf8(b).unwrap_or_default();
            proptest::prop_assert_eq!(same_text(&a, &b), a == b);
            let longer = format!("{a}0");
            proptest::prop_assert!(!same_text(&a, &longer));
        }
    }
}
