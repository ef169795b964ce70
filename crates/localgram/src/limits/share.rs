//! Calls a thread counts ahead in a window, so its usual calls count without the window's
//! lock: while the usage headers a thread last showed hold for a range of counts well below
//! the limit, it counts its call and some more ("its share") in the window at once, then
//! takes them one by one from its own cache line. The window's count thus runs ahead of the
//! calls made by at most what the shares still hold, so:
//!
//! - whoever needs the window's exact count (a decision, a look, the store, a clear) first
//!   settles the shares: what they still hold is taken back, under the window's lock, by an
//!   atomic swap the owner's take cannot race;
//! - a share is taken only within the range its headers hold for, counting the calls others
//!   may not make yet (the window's `granted`) as not made, so every call it counts shows the
//!   same numbers an exact count would;
//! - a share holds only for the bucket it was counted in (its times): once the clock leaves
//!   it, the owner gives back what is left before it counts again.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use super::window::Window;

/// The most calls a share counts ahead: the store and a look see the exact count anyway; this
/// bounds what one thread holds back from the others.
pub const AHEAD_MAX: u64 = 64;

/// One thread's calls counted ahead in one window, on a cache line of its own (only its
/// owner takes from it; others only settle it).
#[repr(C, align(64))]
pub struct Share {
    /// Calls counted and not made yet.
    left: AtomicU64,
    /// The virtual times, `[from, until)`, of the bucket they are counted in. Written by the
    /// owner alone (under the window's lock), read by it alone.
    from_ms: AtomicI64,
    until_ms: AtomicI64,
}

impl Share {
    pub fn new() -> Arc<Share> {
        Arc::new(Share {
            left: AtomicU64::new(0),
            from_ms: AtomicI64::new(0),
            until_ms: AtomicI64::new(0),
        })
    }

    /// Takes one call counted ahead, when one is left and `now_ms` is in its bucket.
    #[inline]
    pub fn take(&self, now_ms: i64) -> bool {
        if now_ms < self.from_ms.load(Ordering::Relaxed)
            || now_ms >= self.until_ms.load(Ordering::Relaxed)
        {
            return false;
        }
        // Only the count moves: the calls are in the window already (a settle takes back
        // whatever this has not taken, atomically).
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(1)
            })
            .is_ok()
    }

    /// Calls counted ahead and not made yet (tests).
    #[cfg(test)]
    pub fn left(&self) -> u64 {
        self.left.load(Ordering::Relaxed)
    }
}

/// The shares of a window, kept under its lock.
#[derive(Debug, Default)]
pub struct Shares {
    held: Vec<Held>,
    /// Calls counted ahead by the shares since they were last settled: the calls made in the
    /// window are at least its count less these.
    pub granted: u64,
}

#[derive(Debug)]
struct Held {
    share: Arc<Share>,
    /// The bucket its calls are counted in, and how many were counted ahead there.
    bucket: i64,
    granted: u64,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Share")
            .field("left", &self.left.load(Ordering::Relaxed))
            .finish()
    }
}

impl Shares {
    /// Whether no share counts ahead in the window.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

impl Window {
    /// Takes back what every share has counted ahead and not made: the count is then the
    /// calls made.
    pub fn settle(&mut self) {
        let mut held = std::mem::take(&mut self.shares.held);
        for h in &mut held {
            self.take_back_held(h);
        }
        self.shares.held = held;
    }

    /// Takes back what `share` counted ahead and did not make (its bucket left behind, or
    /// before it counts ahead again).
    pub fn take_back(&mut self, share: &Arc<Share>) {
        let mut held = std::mem::take(&mut self.shares.held);
        if let Some(h) = held.iter_mut().find(|h| Arc::ptr_eq(&h.share, share)) {
            self.take_back_held(h);
        }
        self.shares.held = held;
    }

    fn take_back_held(&mut self, held: &mut Held) {
        let left = held.share.left.swap(0, Ordering::AcqRel);
        self.uncount(held.bucket, left);
        self.shares.granted = self.shares.granted.saturating_sub(held.granted);
        held.granted = 0;
    }

    /// Counts `ahead` calls for `share` in the bucket the last call was counted in (just
    /// now, under the same lock), once what it held before is taken back.
    pub fn count_ahead(&mut self, share: &Arc<Share>, ahead: u64) {
        let (bucket, from_ms, until_ms) = self.counted_bucket();
        let at = match self
            .shares
            .held
            .iter()
            .position(|h| Arc::ptr_eq(&h.share, share))
        {
            Some(at) => at,
            None => {
                self.shares.held.push(Held {
                    share: share.clone(),
                    bucket,
                    granted: 0,
                });
                self.shares.held.len() - 1
            }
        };
        let mut held = self.shares.held.swap_remove(at);
        self.take_back_held(&mut held);
        // Nothing is handed out that the window did not count.
        let ahead = if self.count_many(ahead) { ahead } else { 0 };
        held.bucket = bucket;
        held.granted = ahead;
        self.shares.granted += ahead;
        share.from_ms.store(from_ms, Ordering::Relaxed);
        share.until_ms.store(until_ms, Ordering::Relaxed);
        share.left.store(ahead, Ordering::Release);
        self.shares.held.push(held);
    }

    /// Forgets `share` (its owner's entry is dropped), taking back what it held.
    pub fn release(&mut self, share: &Arc<Share>) {
        if let Some(at) = self
            .shares
            .held
            .iter()
            .position(|h| Arc::ptr_eq(&h.share, share))
        {
            let mut held = self.shares.held.swap_remove(at);
            self.take_back_held(&mut held);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::window::SECOND;

    /// A share's calls are in the window at once; a settle takes back those not made, and
    /// the count is the calls made.
    #[test]
    fn a_settle_leaves_the_calls_made() {
        let mut w = Window::new(SECOND);
        let share = Share::new();
        assert_eq!(w.add_within(SECOND, 10_050, &(0..100)), Some(1));
        w.count_ahead(&share, 10);
        assert_eq!(w.used(SECOND, 10_050), 11);
        assert_eq!(w.shares.granted, 10);
        assert!(share.take(10_060));
        assert!(share.take(10_099));
        // Another bucket: the share holds for its own alone.
        assert!(!share.take(10_100));
        assert!(!share.take(9_999));
        assert_eq!(share.left(), 8);
        w.settle();
        assert_eq!(share.left(), 0);
        assert!(!share.take(10_060));
        assert_eq!(w.shares.granted, 0);
        assert_eq!(w.used(SECOND, 10_060), 3);
        assert_eq!(w.live(SECOND, 10_060), vec![(100, 3)]);
    }

    /// Counting ahead again first takes back what the share held, in the bucket it held it
    /// in, even once the clock has left that bucket.
    #[test]
    fn a_share_counted_ahead_again_gives_back_its_old_bucket() {
        let mut w = Window::new(SECOND);
        let share = Share::new();
        w.add(SECOND, 10_050);
        w.count_ahead(&share, 5);
        assert!(share.take(10_060));
        // The next bucket: 1 made + 1 taken in bucket 100, then 1 + 5 ahead in bucket 101.
        w.take_back(&share);
        assert_eq!(w.add_within(SECOND, 10_150, &(0..100)), Some(3));
        w.count_ahead(&share, 5);
        assert_eq!(w.live(SECOND, 10_150), vec![(100, 2), (101, 6)]);
        assert_eq!(w.shares.granted, 5);
        w.release(&share);
        assert_eq!(w.live(SECOND, 10_150), vec![(100, 2), (101, 1)]);
        assert!(w.shares.is_empty());
        assert_eq!(w.shares.granted, 0);
    }

    /// The calls others hold are counted as not made when a call asks for a range: a call
    /// is counted within it only if it is there however many of them are made.
    #[test]
    fn calls_held_ahead_count_as_not_made_at_the_low_end_of_a_range() {
        let mut w = Window::new(SECOND);
        let share = Share::new();
        for _ in 0..8 {
            w.add(SECOND, 10_050);
        }
        w.count_ahead(&share, 4);
        // 12 counted, 8 surely made: the 13th call is in 9..20 only if 9 is.
        assert_eq!(w.add_within(SECOND, 10_060, &(10..20)), None);
        assert_eq!(w.add_within(SECOND, 10_060, &(9..20)), Some(13));
    }

    /// A window that lost a bucket's calls to time gives back nothing there.
    #[test]
    fn a_share_of_a_bucket_gone_gives_back_nothing() {
        let mut w = Window::new(SECOND);
        let share = Share::new();
        w.add(SECOND, 10_050);
        w.count_ahead(&share, 5);
        // A window later, bucket 100's slot holds bucket 110.
        w.add(SECOND, 11_050);
        w.settle();
        assert_eq!(w.live(SECOND, 11_050), vec![(110, 1)]);
        assert_eq!(w.used(SECOND, 11_050), 1);
    }
}
