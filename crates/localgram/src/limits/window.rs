//! One rolling window of calls on the virtual clock, kept as a ring of buckets: the window is
//! `slots` buckets wide, a call counts in the bucket of its virtual time, and a bucket leaves
//! the window whole when the clock passes its end plus the window's length. A clock moved
//! backwards finds buckets "in the future": they are not counted.

use super::share::Shares;

/// A window's geometry: how long it is and how many buckets it is cut into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub window_ms: i64,
    pub slots: i64,
}

impl Shape {
    pub fn width_ms(self) -> i64 {
        self.window_ms / self.slots
    }

    /// The bucket virtual time `now_ms` falls in.
    pub fn bucket(self, now_ms: i64) -> i64 {
        now_ms.div_euclid(self.width_ms())
    }

    /// Whether `bucket` is still inside the window ending in bucket `current`.
    pub fn live(self, bucket: i64, current: i64) -> bool {
        bucket > current - self.slots && bucket <= current
    }
}

/// Laid out in this order so that what every call reads and writes (the total, its bucket,
/// the flags) shares one cache line with the lock in front of it (`hot::SharedWindow`).
#[derive(Debug)]
#[repr(C)]
pub struct Window {
    /// The calls in the window ending in bucket `total_at` (every call asks for its window's
    /// total: it is summed again only when the clock has entered another bucket).
    total: u64,
    total_at: i64,
    /// Bucket `total_at`'s virtual times, `[start, end)`, and its slot: a call in the same
    /// bucket as the one before (most calls) finds it by comparing times, without dividing.
    at_start_ms: i64,
    at_end_ms: i64,
    at_slot: u32,
    /// Changed since it was last written to the store.
    pub dirty: bool,
    /// Forgotten by the limits (cleared): a call holding it counts elsewhere.
    pub retired: bool,
    /// (bucket, calls), at index `bucket mod slots`.
    slots: Box<[(i64, u64)]>,
    /// The threads' calls counted ahead (`share`): the count runs ahead of the calls made by
    /// what they still hold.
    pub shares: Shares,
}

/// No bucket the total was summed at yet.
const NOT_SUMMED: i64 = i64::MIN;

impl Window {
    pub fn new(shape: Shape) -> Self {
        Window {
            slots: vec![(i64::MIN, 0); shape.slots as usize].into_boxed_slice(),
            dirty: false,
            retired: false,
            total: 0,
            total_at: NOT_SUMMED,
            // An empty span: no time is in it until a total is summed.
            at_start_ms: 0,
            at_end_ms: 0,
            at_slot: 0,
            shares: Shares::default(),
        }
    }

    /// The bucket `now_ms` falls in.
    #[inline]
    fn bucket_of(&self, shape: Shape, now_ms: i64) -> i64 {
        if now_ms >= self.at_start_ms && now_ms < self.at_end_ms {
            self.total_at
        } else {
            shape.bucket(now_ms)
        }
    }

    /// The total for the window ending in bucket `current`.
    #[inline]
    fn sum_at(&mut self, shape: Shape, current: i64) -> u64 {
        if self.total_at != current {
            self.sum_anew(shape, current);
        }
        self.total
    }

    /// Sums the window ending in bucket `current` (once per bucket the clock enters).
    #[inline(never)]
    fn sum_anew(&mut self, shape: Shape, current: i64) {
        self.total = self
            .slots
            .iter()
            .filter(|(bucket, _)| shape.live(*bucket, current))
            .map(|(_, calls)| calls)
            .sum();
        self.total_at = current;
        let width = shape.width_ms();
        self.at_start_ms = current.saturating_mul(width);
        self.at_end_ms = self.at_start_ms.saturating_add(width);
        self.at_slot = current.rem_euclid(shape.slots) as u32;
    }

    /// A window from stored buckets (those outside the window are left out).
    pub fn from_buckets(shape: Shape, now_ms: i64, buckets: &[(i64, i64)]) -> Self {
        let mut window = Window::new(shape);
        let current = shape.bucket(now_ms);
        for &(bucket, calls) in buckets {
            if shape.live(bucket, current) && calls > 0 {
                let i = bucket.rem_euclid(shape.slots) as usize;
                window.slots[i] = (bucket, calls as u64);
            }
        }
        window
    }

    /// The virtual times, `[from, until)`, of the bucket the last look at the window was in.
    pub fn bucket_span(&self) -> (i64, i64) {
        (self.at_start_ms, self.at_end_ms)
    }

    /// Calls counted in the window at `now_ms`.
    #[inline]
    pub fn used(&mut self, shape: Shape, now_ms: i64) -> u64 {
        let current = self.bucket_of(shape, now_ms);
        self.sum_at(shape, current)
    }

    /// Counts one call at `now_ms` if fewer than `max` are in the window: `Ok` with the calls
    /// in the window with it, else `Err` with the calls in it (one look at the clock's bucket
    /// for both).
    pub fn add_below(&mut self, shape: Shape, now_ms: i64, max: u64) -> Result<u64, u64> {
        let current = self.bucket_of(shape, now_ms);
        let used = self.sum_at(shape, current);
        if used >= max {
            return Err(used);
        }
        Ok(self.count_at(current))
    }

    /// Counts one call at `now_ms` if the calls in the window with it are within `range`
    /// (which stays below the limit): `Some` with them, else `None` with nothing counted.
    #[inline]
    pub fn add_within(
        &mut self,
        shape: Shape,
        now_ms: i64,
        range: &std::ops::Range<u64>,
    ) -> Option<u64> {
        let current = self.bucket_of(shape, now_ms);
        let after = self.sum_at(shape, current).saturating_add(1);
        // The calls shares hold may not be made: the call is in the range however many are.
        if after >= range.end || after.saturating_sub(self.shares.granted) < range.start {
            return None;
        }
        Some(self.count_at(current))
    }

    /// The bucket the last call was counted in, and its virtual times `[from, until)`.
    pub fn counted_bucket(&self) -> (i64, i64, i64) {
        (self.total_at, self.at_start_ms, self.at_end_ms)
    }

    /// Counts `calls` more in the bucket the last call was counted in; whether it could (a
    /// call was counted there and the total summed for it).
    pub fn count_many(&mut self, calls: u64) -> bool {
        let i = self.at_slot as usize;
        let Some(slot) = self.slots.get_mut(i).filter(|s| s.0 == self.total_at) else {
            return false;
        };
        slot.1 = slot.1.saturating_add(calls);
        self.total = self.total.saturating_add(calls);
        self.dirty = true;
        true
    }

    /// Takes `calls` back out of `bucket`, when the window still holds it.
    pub fn uncount(&mut self, bucket: i64, calls: u64) {
        let slots = self.slots.len() as i64;
        let i = bucket.rem_euclid(slots) as usize;
        let Some(slot) = self.slots.get_mut(i).filter(|s| s.0 == bucket) else {
            return;
        };
        let calls = calls.min(slot.1);
        if calls == 0 {
            return;
        }
        slot.1 -= calls;
        self.dirty = true;
        // The total counts the bucket only while it is in the window it was summed for.
        if bucket > self.total_at.saturating_sub(slots) && bucket <= self.total_at {
            self.total = self.total.saturating_sub(calls);
        }
    }

    /// Counts one call at `now_ms`; answers the calls in the window with it.
    pub fn add(&mut self, shape: Shape, now_ms: i64) -> u64 {
        let current = self.bucket_of(shape, now_ms);
        self.sum_at(shape, current);
        self.count_at(current)
    }

    /// Counts one call in bucket `current`, once `sum_at` has brought the total to it.
    #[inline]
    fn count_at(&mut self, current: i64) -> u64 {
        let i = self.at_slot as usize;
        if self.slots[i].0 != current {
            // The only live bucket at this slot is the current one: what it held (expired,
            // or ahead of a clock moved back) is not in the total.
            self.slots[i] = (current, 0);
        }
        self.slots[i].1 += 1;
        self.total += 1;
        self.dirty = true;
        self.total
    }

    /// The buckets still in the window at `now_ms`, oldest first: what the store keeps.
    pub fn live(&self, shape: Shape, now_ms: i64) -> Vec<(i64, i64)> {
        let current = shape.bucket(now_ms);
        let mut live: Vec<(i64, i64)> = self
            .slots
            .iter()
            .filter(|(bucket, calls)| *calls > 0 && shape.live(*bucket, current))
            .map(|&(bucket, calls)| (bucket, calls as i64))
            .collect();
        live.sort_unstable();
        live
    }

    /// Milliseconds from `now_ms` until fewer than `limit` calls are in the window, so one
    /// more is allowed (0 when one is allowed now).
    pub fn regain_ms(&mut self, shape: Shape, now_ms: i64, limit: u64) -> i64 {
        let mut used = self.used(shape, now_ms);
        if used < limit {
            return 0;
        }
        for (bucket, calls) in self.live(shape, now_ms) {
            used = used.saturating_sub(calls as u64);
            if used < limit {
                // The bucket leaves the window once the clock reaches its end plus the window.
                return ((bucket + shape.slots) * shape.width_ms() - now_ms).max(0);
            }
        }
        0
    }
}

/// A window of one second in buckets of 100 ms, for tests.
#[cfg(test)]
pub const SECOND: Shape = Shape {
    window_ms: 1000,
    slots: 10,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_leave_the_window_when_it_has_rolled_past_their_bucket() {
        let mut w = Window::new(SECOND);
        w.add(SECOND, 10_050);
        w.add(SECOND, 10_050);
        w.add(SECOND, 10_420);
        assert_eq!(w.used(SECOND, 10_999), 3);
        // The first bucket (10,000-10,099) leaves at 11,000; the second (10,400-10,499) at 11,400.
        assert_eq!(w.used(SECOND, 11_000), 1);
        assert_eq!(w.used(SECOND, 11_399), 1);
        assert_eq!(w.used(SECOND, 11_400), 0);
        assert_eq!(w.regain_ms(SECOND, 10_500, 3), 500);
        assert_eq!(w.regain_ms(SECOND, 10_500, 2), 500);
        assert_eq!(w.regain_ms(SECOND, 10_500, 1), 900);
        assert_eq!(w.regain_ms(SECOND, 10_500, 4), 0);
    }

    #[test]
    fn a_ring_slot_is_reused_by_a_later_bucket() {
        let mut w = Window::new(SECOND);
        w.add(SECOND, 0);
        w.add(SECOND, 1_000); // the same slot, one window later
        assert_eq!(w.used(SECOND, 1_000), 1);
        let stored = w.live(SECOND, 1_000);
        assert_eq!(stored, vec![(10, 1)]);
        let mut back = Window::from_buckets(SECOND, 1_050, &[(0, 5), (10, 1)]);
        assert_eq!(back.used(SECOND, 1_050), 1);
    }

    /// The kept total is what summing the live buckets gives, whatever the clock does.
    #[test]
    fn the_kept_total_is_the_sum_of_the_live_buckets() {
        let mut w = Window::new(SECOND);
        let mut t: i64 = 50_000;
        let mut seed: u64 = 7;
        for _ in 0..5_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let step = (seed >> 33) % 400;
            // Mostly forward, sometimes back (the virtual clock can be moved back).
            t += if (seed >> 20).is_multiple_of(7) {
                -(step as i64)
            } else {
                step as i64 / 4
            };
            if (seed >> 40).is_multiple_of(5) {
                // Counted only below a limit, as a call is.
                let max = (seed >> 45) % 40;
                let before = w.used(SECOND, t);
                match w.add_below(SECOND, t, max) {
                    Ok(used) => assert!(before < max && used == before + 1, "at {t}"),
                    Err(used) => assert!(used >= max && used == before, "at {t}"),
                }
            } else if !(seed >> 40).is_multiple_of(3) {
                w.add(SECOND, t);
            }
            let summed: i64 = w.live(SECOND, t).iter().map(|(_, c)| c).sum();
            assert_eq!(w.used(SECOND, t), summed as u64, "at {t}");
        }
    }

    /// A call is counted only when the count it brings the window to is in the range asked
    /// for, in the bucket of its time, as `add` would count it.
    #[test]
    fn a_call_is_counted_within_a_range_as_add_counts_it() {
        let mut w = Window::new(SECOND);
        let mut plain = Window::new(SECOND);
        assert_eq!(w.add_within(SECOND, 10_050, &(1..3)), Some(1));
        plain.add(SECOND, 10_050);
        assert_eq!(w.add_within(SECOND, 10_060, &(1..3)), Some(2));
        plain.add(SECOND, 10_060);
        // A third would leave the range: nothing counted.
        assert_eq!(w.add_within(SECOND, 10_070, &(1..3)), None);
        assert_eq!(w.used(SECOND, 10_070), 2);
        // Another bucket, then one the first has left.
        assert_eq!(w.add_within(SECOND, 10_950, &(0..10)), Some(3));
        plain.add(SECOND, 10_950);
        assert_eq!(w.add_within(SECOND, 11_000, &(0..10)), Some(2));
        plain.add(SECOND, 11_000);
        assert_eq!(w.live(SECOND, 11_000), plain.live(SECOND, 11_000));
        // Back in time: the bucket of the time asked, not the one last summed.
        assert_eq!(w.add_within(SECOND, 10_960, &(0..10)), Some(2));
        assert_eq!(w.used(SECOND, 10_999), 2);
    }

    #[test]
    fn a_clock_moved_back_does_not_count_future_buckets() {
        let mut w = Window::new(SECOND);
        w.add(SECOND, 5_000);
        assert_eq!(w.used(SECOND, 4_000), 0);
    }
}
