//! The virtual clock. Everything that needs "now" asks this clock; it is the one place that
//! reads the system clock. Tests move it forward to cross a 24-hour window, a token's 60 days
//! or a container's expiry in an instant, or freeze it for exact timestamps.

use parking_lot::Mutex;
use std::sync::atomic::{fence, AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockState {
    /// Virtual minus real time, in milliseconds, while running.
    pub offset_ms: i64,
    /// The fixed virtual time while frozen.
    pub frozen_at_ms: Option<i64>,
}

pub struct Clock {
    state: Published,
    /// Bumped on every change, so timers waiting on virtual time can re-check.
    changes: watch::Sender<u64>,
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Real Unix milliseconds, for what measures the machine rather than Instagram: whether an
/// instance sharing the database is still alive (webhook stream leases).
pub fn real_ms() -> i64 {
    system_ms()
}

/// The clock's state, read without writing shared memory: every request asks the clock
/// several times, and a lock's reader count would move between cores on each. A writer (a
/// test moving the clock: rare) publishes through a sequence number that is odd while it
/// writes; a reader that saw it change reads again (a sequence lock).
struct Published {
    sequence: AtomicU64,
    offset_ms: AtomicI64,
    frozen: AtomicBool,
    frozen_at_ms: AtomicI64,
    /// One writer at a time.
    writing: Mutex<()>,
}

impl Published {
    fn new(state: ClockState) -> Published {
        Published {
            sequence: AtomicU64::new(0),
            offset_ms: AtomicI64::new(state.offset_ms),
            frozen: AtomicBool::new(state.frozen_at_ms.is_some()),
            frozen_at_ms: AtomicI64::new(state.frozen_at_ms.unwrap_or(0)),
            writing: Mutex::new(()),
        }
    }

    fn read(&self) -> ClockState {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let offset_ms = self.offset_ms.load(Ordering::Relaxed);
            let frozen = self.frozen.load(Ordering::Relaxed);
            let frozen_at_ms = self.frozen_at_ms.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) == before {
                return ClockState {
                    offset_ms,
                    frozen_at_ms: frozen.then_some(frozen_at_ms),
                };
            }
        }
    }

    fn update(&self, f: impl FnOnce(&mut ClockState)) -> ClockState {
        let _writing = self.writing.lock();
        let mut state = self.read();
        f(&mut state);
        let sequence = self.sequence.load(Ordering::Relaxed);
        self.sequence.store(sequence + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.offset_ms.store(state.offset_ms, Ordering::Relaxed);
        self.frozen
            .store(state.frozen_at_ms.is_some(), Ordering::Relaxed);
        self.frozen_at_ms
            .store(state.frozen_at_ms.unwrap_or(0), Ordering::Relaxed);
        self.sequence.store(sequence + 2, Ordering::Release);
        state
    }
}

impl Clock {
    pub fn new(state: ClockState) -> Self {
        let (changes, _) = watch::channel(0);
        Clock {
            state: Published::new(state),
            changes,
        }
    }

    pub fn now_ms(&self) -> i64 {
        let state = self.state.read();
        state
            .frozen_at_ms
            .unwrap_or_else(|| system_ms() + state.offset_ms)
    }

    /// Unix seconds.
    pub fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    pub fn state(&self) -> ClockState {
        self.state.read()
    }

    pub fn is_frozen(&self) -> bool {
        self.state.read().frozen_at_ms.is_some()
    }

    /// Moves virtual time by `ms` (forward when positive).
    pub fn advance_ms(&self, ms: i64) -> ClockState {
        self.update(|s| match s.frozen_at_ms.as_mut() {
            Some(at) => *at = at.saturating_add(ms),
            None => s.offset_ms = s.offset_ms.saturating_add(ms),
        })
    }

    /// Sets virtual time to `unix_ms`.
    pub fn set_ms(&self, unix_ms: i64) -> ClockState {
        self.update(|s| match s.frozen_at_ms.as_mut() {
            Some(at) => *at = unix_ms,
            None => s.offset_ms = unix_ms - system_ms(),
        })
    }

    /// Freezes time where it is, or lets it run again from where it stands.
    pub fn set_frozen(&self, frozen: bool) -> ClockState {
        self.update(|s| match (frozen, s.frozen_at_ms) {
            (true, None) => s.frozen_at_ms = Some(system_ms() + s.offset_ms),
            (false, Some(at)) => {
                s.offset_ms = at - system_ms();
                s.frozen_at_ms = None;
            }
            _ => {}
        })
    }

    pub fn reset(&self) -> ClockState {
        self.update(|s| *s = ClockState::default())
    }

    fn update(&self, f: impl FnOnce(&mut ClockState)) -> ClockState {
        let new = self.state.update(f);
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
        new
    }

    /// Takes the clock another instance recorded (shared database): nothing happens when it is
    /// already this one, so waiting timers are woken only by a real move.
    pub fn adopt(&self, recorded: ClockState) {
        if self.state() != recorded {
            self.update(|s| *s = recorded);
        }
    }

    /// A receiver that sees every change of the clock.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_time_stands_still_and_moves_only_when_told() {
        let clock = Clock::new(ClockState::default());
        clock.set_frozen(true);
        let t = clock.now_ms();
        assert_eq!(clock.now_ms(), t);
        clock.advance_ms(86_400_000);
        assert_eq!(clock.now_ms(), t + 86_400_000);
        clock.set_ms(1_000_000);
        assert_eq!(clock.now(), 1_000);
    }

    #[test]
    fn unfreezing_keeps_the_virtual_time() {
        let clock = Clock::new(ClockState::default());
        clock.set_frozen(true);
        clock.set_ms(5_000_000);
        clock.set_frozen(false);
        let now = clock.now_ms();
        assert!((5_000_000..5_000_000 + 5_000).contains(&now), "{now}");
        assert!(!clock.is_frozen());
    }

    #[test]
    fn readers_never_see_half_a_change() {
        // Two states that differ in every part: a torn read would mix them.
        let a = ClockState {
            offset_ms: 7,
            frozen_at_ms: Some(1_000),
        };
        let b = ClockState {
            offset_ms: -3,
            frozen_at_ms: None,
        };
        let clock = std::sync::Arc::new(Clock::new(a));
        let writer = {
            let clock = clock.clone();
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    clock.adopt(if i % 2 == 0 { b } else { a });
                }
            })
        };
        let mut seen = 0;
        while !writer.is_finished() || seen == 0 {
            let state = clock.state();
            assert!(state == a || state == b, "torn read: {state:?}");
            seen += 1;
        }
        writer.join().unwrap();
    }

    #[test]
    fn advancing_running_time_moves_it() {
        let clock = Clock::new(ClockState::default());
        let before = clock.now();
        clock.advance_ms(3_600_000);
        assert!(clock.now() >= before + 3_600);
    }
}
