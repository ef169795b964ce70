//! When a failed delivery is tried again: "we will retry immediately, then try a few more
//! times with decreasing frequency over the next 36 hours ... Unacknowledged responses will be
//! dropped after 36 hours" (ref 004 L2383). On virtual time, so a test crosses the 36 hours by
//! moving the clock.

/// How long after its first attempt a delivery is given up (004 L2383).
pub const GIVE_UP_AFTER_MS: i64 = 36 * 3_600_000;

/// The wait after the n-th failed attempt: at once, then growing; the last value repeats.
const DELAYS_MS: &[i64] = &[
    0,
    30_000,
    5 * 60_000,
    30 * 60_000,
    3_600_000,
    2 * 3_600_000,
    4 * 3_600_000,
    8 * 3_600_000,
];

/// After `failed_attempts` failures (at least 1), the first of them at `first_attempt_at` and
/// the last ending at `now`: when to try again, or `None` to give up. The last try is made at
/// the 36-hour mark itself.
pub fn next_attempt(first_attempt_at: i64, failed_attempts: i64, now: i64) -> Option<i64> {
    let deadline = first_attempt_at.saturating_add(GIVE_UP_AFTER_MS);
    if now >= deadline {
        return None;
    }
    let index = usize::try_from(failed_attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(DELAYS_MS.len() - 1);
    Some(now.saturating_add(DELAYS_MS[index]).min(deadline))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_at_once_then_less_often_until_36_hours_then_gives_up() {
        let start = 1_000_000;
        let mut now = start;
        let mut waits = Vec::new();
        let mut attempts = 0;
        while let Some(at) = next_attempt(start, attempts + 1, now) {
            attempts += 1;
            waits.push(at - now);
            now = at;
            assert!(attempts < 100);
        }
        assert_eq!(waits[0], 0, "the first retry is immediate");
        assert!(waits[1..waits.len() - 1].windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(now, start + GIVE_UP_AFTER_MS, "the last try is at 36 hours");
        assert_eq!(attempts, 11, "12 tries in all: the first and 11 retries");
        assert_eq!(next_attempt(start, 3, start + GIVE_UP_AFTER_MS + 1), None);
    }
}
