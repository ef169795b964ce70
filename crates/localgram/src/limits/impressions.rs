//! Where the Business Use Case budget finds an account's impressions (ref 004 L250-260:
//! "Calls within 24 hours = 4800 * Number of Impressions"): the control API's figure for the
//! account if one was set, else the insights model's (set once at start by the state, so
//! this module does not depend on insights), else the configured default.

use std::cell::RefCell;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use hashbrown::{Equivalent, HashMap};

use crate::store::cache::Stamp;

/// An account's impressions at a virtual time (milliseconds), `None` when the model has none.
pub type Lookup =
    dyn Fn(String, i64) -> Pin<Box<dyn Future<Output = Option<u64>> + Send>> + Send + Sync;

/// The insights model as the limits see it.
pub struct Model {
    pub lookup: Arc<Lookup>,
    /// Moves whenever something the model reads is written (taken before a lookup).
    pub stamp: Arc<dyn Fn() -> Stamp + Send + Sync>,
    /// How long one answer holds for, in periods of virtual time numbered from the epoch
    /// (milliseconds; `now_ms.div_euclid(period_ms)`): the model counts the views of the day
    /// before the current hour.
    pub period_ms: i64,
}

impl Model {
    fn period(&self, now_ms: i64) -> i64 {
        now_ms.div_euclid(self.period_ms.max(1))
    }
}

/// The period of virtual time and the stamp of the data an answer of the model was taken at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// The period, `[from_ms, until_ms)`.
    pub from_ms: i64,
    pub until_ms: i64,
    pub stamp: Stamp,
}

/// The model's impressions, once installed.
pub struct Modelled {
    /// Which server's model this is, in the memos of the threads.
    id: u64,
    model: OnceLock<Model>,
}

impl Default for Modelled {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Modelled {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            model: OnceLock::new(),
        }
    }
}

/// One account's impressions as the model answered them: for a period, at a stamp.
#[derive(Clone, Copy)]
struct Memo {
    period: i64,
    stamp: Stamp,
    impressions: Option<u64>,
}

/// Accounts a thread remembers before it starts over.
const MEMO_CAPACITY: usize = 4096;

#[derive(PartialEq, Eq)]
struct MemoKey {
    server: u64,
    account: Box<str>,
}

#[derive(PartialEq, Eq, Hash)]
struct MemoRef<'a> {
    server: u64,
    account: &'a str,
}

impl MemoKey {
    fn as_ref(&self) -> MemoRef<'_> {
        MemoRef {
            server: self.server,
            account: &self.account,
        }
    }
}

impl Equivalent<MemoKey> for MemoRef<'_> {
    fn equivalent(&self, key: &MemoKey) -> bool {
        *self == key.as_ref()
    }
}

// Hashed as its borrowed form, so a memo is found from the account the call holds.
impl Hash for MemoKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state)
    }
}

thread_local! {
    /// What the model last answered for each account, per thread: every call counted in an
    /// Instagram budget asks, and the answer holds for an hour unless the account's data is
    /// written. Per thread so that asking takes no lock shared between threads.
    static MEMO: RefCell<HashMap<MemoKey, Memo, foldhash::fast::RandomState>> =
        RefCell::new(HashMap::default());
}

impl Modelled {
    pub fn install(&self, model: Model) {
        let _ = self.model.set(model);
    }

    pub fn installed(&self) -> bool {
        self.model.get().is_some()
    }

    /// What an answer of the model at `now_ms` holds for (`None` without a model): taken
    /// before the answer, it is current while [`Modelled::holds`] says so.
    pub fn validity(&self, now_ms: i64) -> Option<Validity> {
        let model = self.model.get()?;
        let from_ms = model.period(now_ms).saturating_mul(model.period_ms);
        Some(Validity {
            from_ms,
            until_ms: from_ms.saturating_add(model.period_ms),
            stamp: (model.stamp)(),
        })
    }

    /// Whether an answer that held for `validity` still does at `now_ms`: the clock is in the
    /// same period and the data it reads is unchanged (compared times, no division: every
    /// call counted in a modelled budget asks).
    pub fn holds(&self, validity: &Validity, now_ms: i64) -> bool {
        now_ms >= validity.from_ms
            && now_ms < validity.until_ms
            && self
                .model
                .get()
                .is_some_and(|model| (model.stamp)() == validity.stamp)
    }

    /// The model's impressions of `account` at `now_ms`, if a model is installed and has
    /// some (the caller asks only for accounts without a figure set by the control API).
    pub async fn of(&self, account: &str, now_ms: i64) -> Option<u64> {
        let model = self.model.get()?;
        let period = model.period(now_ms);
        // Taken before the lookup: a write meanwhile leaves the answer stale at once.
        let stamp = (model.stamp)();
        let key = MemoRef {
            server: self.id,
            account,
        };
        let known = MEMO.with_borrow(|memo| {
            memo.get(&key)
                .filter(|m| m.period == period && m.stamp == stamp)
                .map(|m| m.impressions)
        });
        if let Some(impressions) = known {
            return impressions;
        }
        let impressions = (model.lookup)(account.to_string(), now_ms).await;
        MEMO.with_borrow_mut(|memo| {
            if memo.len() >= MEMO_CAPACITY {
                memo.clear();
            }
            memo.insert(
                MemoKey {
                    server: self.id,
                    account: account.into(),
                },
                Memo {
                    period,
                    stamp,
                    impressions,
                },
            );
        });
        impressions
    }
}
