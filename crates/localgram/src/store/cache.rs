//! What every request reads and almost nothing writes, kept in memory: tokens with their app,
//! the kind of node an id names, accounts, media rows, app-scoped ids. Each cache has a
//! generation that a commit bumps when it wrote one of the tables the cache is read from, so
//! a cached answer is never staler than a direct read, and a comment or a message (the bulk
//! of writes) does not empty the caches that every request needs.

use parking_lot::Mutex;
use smallvec::SmallVec;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use thread_local::ThreadLocal;

use super::apps::App;
use super::sql::Change;
use super::tokens::Token;

/// Entries kept before a cache starts over; ids and tokens of one test run fit easily.
const CAPACITY: usize = 50_000;

pub struct Generational<K: Send, V: Send> {
    /// The tables its values are read from.
    tables: &'static [&'static str],
    /// Bumped by every commit that wrote one of `tables`.
    generation: AtomicU64,
    /// For a cache whose values each come from the row of their key: which values mean
    /// "no such row". Plain inserts into `tables` then leave the other values current and
    /// bump only `inserts`, which such absences are checked against.
    absent: Option<fn(&V) -> bool>,
    inserts: AtomicU64,
    entries: Mutex<HashMap<K, (Stamp, V), foldhash::fast::RandomState>>,
    /// Each thread's last hits, checked against the same generations before the shared map:
    /// a request asks the same few keys again and again (its token's account, its node), and
    /// a hit here hashes nothing and takes no lock.
    recent: ThreadLocal<RefCell<Recent<K, V>>>,
}

/// Hits a thread keeps per cache.
const RECENT_PER_THREAD: usize = 4;

/// A thread's last hits in one cache, replaced in turn.
struct Recent<K, V> {
    hits: SmallVec<[(K, Stamp, V); RECENT_PER_THREAD]>,
    next: usize,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent {
            hits: SmallVec::new(),
            next: 0,
        }
    }
}

/// When a value was read: the generations it is current for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    all: u64,
    inserts: u64,
}

impl<K: Eq + Hash + Clone + Send, V: Clone + Send> Generational<K, V> {
    pub fn new(tables: &'static [&'static str]) -> Self {
        Generational {
            tables,
            generation: AtomicU64::new(0),
            absent: None,
            inserts: AtomicU64::new(0),
            entries: Mutex::new(HashMap::default()),
            recent: ThreadLocal::new(),
        }
    }

    /// A cache of values each read from the row of their key (and rows that row names), so
    /// that new rows change only the answers that were "none".
    pub fn by_row(tables: &'static [&'static str], absent: fn(&V) -> bool) -> Self {
        Generational {
            absent: Some(absent),
            ..Generational::new(tables)
        }
    }

    /// Take it before reading the database for a value to `put`.
    pub fn generation(&self) -> Stamp {
        Stamp {
            all: self.generation.load(Ordering::Acquire),
            inserts: self.inserts.load(Ordering::Acquire),
        }
    }

    /// The cached value if nothing it was read from has been written since.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let current = self.generation();
        let recent = self.recent.get_or_default();
        if let Some(value) = recent
            .borrow()
            .hits
            .iter()
            .find(|(k, _, _)| k.borrow() == key)
            .filter(|(_, at, value)| self.is_current(at, value, current))
            .map(|(_, _, value)| value.clone())
        {
            return Some(value);
        }
        let (k, at, value) = {
            let entries = self.entries.lock();
            let (k, (at, value)) = entries.get_key_value(key)?;
            if !self.is_current(at, value, current) {
                return None;
            }
            (k.clone(), *at, value.clone())
        };
        let mut recent = recent.borrow_mut();
        let recent = &mut *recent;
        // The key's older hit, if this thread kept one, else the next place in turn.
        match recent
            .hits
            .iter()
            .position(|(kept, _, _)| kept.borrow() == key)
        {
            Some(i) => recent.hits[i] = (k, at, value.clone()),
            None if recent.hits.len() < RECENT_PER_THREAD => {
                recent.hits.push((k, at, value.clone()))
            }
            None => {
                recent.hits[recent.next] = (k, at, value.clone());
                recent.next = (recent.next + 1) % RECENT_PER_THREAD;
            }
        }
        Some(value)
    }

    /// Whether a value kept at `at` is current at the generations `current`.
    fn is_current(&self, at: &Stamp, value: &V, current: Stamp) -> bool {
        let current_for_inserts = match self.absent {
            Some(absent) => !absent(value) || at.inserts == current.inserts,
            None => at.inserts == current.inserts,
        };
        at.all == current.all && current_for_inserts
    }

    /// Keeps a value read at `stamp`; one read before a write that committed meanwhile is
    /// stale at once.
    pub fn put(&self, key: K, stamp: Stamp, value: V) {
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (stamp, value));
    }

    fn bump_if_reads(&self, written: &[Change]) {
        for change in written {
            if !self.tables.contains(&change.kind.as_str()) {
                continue;
            }
            if change.inserted_only && self.absent.is_some() {
                self.inserts.fetch_add(1, Ordering::AcqRel);
            } else {
                self.bump();
            }
        }
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// A token's row and its app, shared by every request the token makes.
pub type TokenAndApp = (std::sync::Arc<Token>, std::sync::Arc<App>);

pub struct ReadCache {
    /// A token and its app (shared: every request's caller holds it).
    pub tokens: Generational<String, Option<TokenAndApp>>,
    pub objects: Generational<String, Option<std::sync::Arc<super::objects::Object>>>,
    /// Shared: every IG User read takes its account from here without copying it.
    pub accounts: Generational<String, Option<std::sync::Arc<super::accounts::Account>>>,
    /// IG Media rows: who owns a media (every access check on a media or its edges) and
    /// what its insights start from. A like or comment updates its media's counters, which
    /// renews them all.
    pub media: Generational<String, Option<super::media::Media>>,
    /// Keyed `{app_id}|{account_id}` ([`super::accounts::scoped_key`]): one text, so a hit
    /// looks up by a borrowed key.
    pub app_scoped_ids: Generational<String, Option<String>>,
    /// Access decisions about accounts and Pages (who may see them, whether through
    /// Business Manager), keyed by the caller and the node: they read only these two tables.
    pub account_access: Generational<String, (bool, bool)>,
    /// The injected faults (`faults`), read before every Graph call.
    pub faults: Generational<(), std::sync::Arc<Vec<super::faults::Row>>>,
    /// What moves an account's `followers_count` besides its row (audience profile, explicit
    /// follows), read by every IG User render that asks for it, and the explicit activity on
    /// its media that media insights add up.
    pub audiences: Generational<String, std::sync::Arc<super::insights::Audience>>,
    /// Everything an account's insights sum (its media, their likes, comments and explicit
    /// activity, its audience), read by every account insights request and the Business Use
    /// Case budget: renewed by any write to those tables.
    pub insight_accounts: Generational<String, std::sync::Arc<super::insights::AccountRows>>,
    /// An account's views over the day before an hour (the Business Use Case budget's
    /// impressions), asked on every Graph call that counts against it: views do not move
    /// with comments or likes, so only the tables they are summed from renew it.
    pub insight_views: Generational<(String, i64), i64>,
}

impl Default for ReadCache {
    fn default() -> Self {
        // A new comment or message registers its id in `objects`: by row, that leaves every
        // other id's answer in place. Access decisions span rows, so any write renews them.
        ReadCache {
            tokens: Generational::by_row(&["tokens", "apps"], Option::is_none),
            objects: Generational::by_row(&["objects"], Option::is_none),
            accounts: Generational::by_row(&["accounts"], Option::is_none),
            media: Generational::by_row(&["media"], Option::is_none),
            app_scoped_ids: Generational::by_row(&["app_scoped_ids"], Option::is_none),
            account_access: Generational::new(&["accounts", "pages"]),
            faults: Generational::new(&["faults"]),
            audiences: Generational::new(&["audience_profiles", "insight_activity"]),
            insight_accounts: Generational::new(&[
                "accounts",
                "audience_profiles",
                "insight_activity",
                "media",
                "likes",
                "comments",
            ]),
            insight_views: Generational::new(&[
                "accounts",
                "audience_profiles",
                "insight_activity",
                "media",
            ]),
        }
    }
}

/// Every cache's generation at one moment: taken before a read transaction begins, so its
/// reads can be kept at those generations.
#[derive(Debug, Clone, Copy)]
pub struct Generations {
    pub tokens: Stamp,
    pub objects: Stamp,
    pub accounts: Stamp,
    pub media: Stamp,
    pub app_scoped_ids: Stamp,
    pub audiences: Stamp,
    pub insight_accounts: Stamp,
    pub insight_views: Stamp,
}

impl ReadCache {
    pub fn generations(&self) -> Generations {
        Generations {
            tokens: self.tokens.generation(),
            objects: self.objects.generation(),
            accounts: self.accounts.generation(),
            media: self.media.generation(),
            app_scoped_ids: self.app_scoped_ids.generation(),
            audiences: self.audiences.generation(),
            insight_accounts: self.insight_accounts.generation(),
            insight_views: self.insight_views.generation(),
        }
    }

    /// After a commit that made these changes.
    pub fn written(&self, changes: &[Change]) {
        self.tokens.bump_if_reads(changes);
        self.objects.bump_if_reads(changes);
        self.accounts.bump_if_reads(changes);
        self.media.bump_if_reads(changes);
        self.app_scoped_ids.bump_if_reads(changes);
        self.account_access.bump_if_reads(changes);
        self.faults.bump_if_reads(changes);
        self.audiences.bump_if_reads(changes);
        self.insight_accounts.bump_if_reads(changes);
        self.insight_views.bump_if_reads(changes);
    }

    /// After writes whose tables are unknown (another instance's, seen by its sequence).
    pub fn bump_all(&self) {
        self.tokens.bump();
        self.objects.bump();
        self.accounts.bump();
        self.media.bump();
        self.app_scoped_ids.bump();
        self.account_access.bump();
        self.faults.bump();
        self.audiences.bump();
        self.insight_accounts.bump();
        self.insight_views.bump();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_when_their_tables_are_written() {
        let cache: Generational<String, u32> = Generational::new(&["tokens"]);
        cache.put("a".into(), cache.generation(), 7);
        assert_eq!(cache.get("a"), Some(7));
        cache.bump_if_reads(&[wrote("comments", false), wrote("media", true)]);
        assert_eq!(cache.get("a"), Some(7), "other tables leave it alone");
        cache.bump_if_reads(&[wrote("tokens", true)]);
        assert_eq!(cache.get("a"), None, "not by row: any write renews it");
    }

    #[test]
    fn a_value_read_before_a_write_is_stale_at_once() {
        let cache: Generational<String, u32> = Generational::new(&["tokens"]);
        let before = cache.generation();
        cache.bump_if_reads(&[wrote("tokens", false)]);
        cache.put("a".into(), before, 7);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn a_threads_remembered_hits_expire_with_the_shared_entries() {
        let cache: Generational<String, Option<u32>> =
            Generational::by_row(&["objects"], Option::is_none);
        cache.put("a".into(), cache.generation(), Some(7));
        cache.put("b".into(), cache.generation(), None);
        // Asked twice: the second answer is this thread's remembered hit.
        for _ in 0..2 {
            assert_eq!(cache.get("a"), Some(Some(7)));
            assert_eq!(cache.get("b"), Some(None));
        }
        cache.bump_if_reads(&[wrote("objects", true)]);
        assert_eq!(cache.get("a"), Some(Some(7)), "a new row leaves a value");
        assert_eq!(cache.get("b"), None, "but not a remembered absence");
        cache.bump_if_reads(&[wrote("objects", false)]);
        assert_eq!(
            cache.get("a"),
            None,
            "an update renews remembered values too"
        );
        cache.put("a".into(), cache.generation(), Some(8));
        for _ in 0..2 {
            assert_eq!(
                cache.get("a"),
                Some(Some(8)),
                "the new value replaces the old"
            );
        }
        // More keys than a thread remembers: each still answers from the shared map.
        for i in 0..RECENT_PER_THREAD as u32 * 3 {
            cache.put(format!("k{i}"), cache.generation(), Some(i));
        }
        for round in 0..2 {
            for i in 0..RECENT_PER_THREAD as u32 * 3 {
                assert_eq!(cache.get(&format!("k{i}")), Some(Some(i)), "round {round}");
            }
        }
        // Another thread remembers its own hits, expired by the same writes.
        std::thread::scope(|scope| {
            scope.spawn(|| {
                assert_eq!(cache.get("a"), Some(Some(8)));
                cache.bump_if_reads(&[wrote("objects", false)]);
                assert_eq!(cache.get("a"), None);
            });
        });
        assert_eq!(cache.get("a"), None, "this thread's hit expired too");
    }

    #[test]
    fn by_row_new_rows_renew_only_what_was_absent() {
        let cache: Generational<String, Option<u32>> =
            Generational::by_row(&["objects"], Option::is_none);
        cache.put("a".into(), cache.generation(), Some(7));
        cache.put("b".into(), cache.generation(), None);
        cache.bump_if_reads(&[wrote("objects", true)]);
        assert_eq!(cache.get("a"), Some(Some(7)), "a new row leaves the others");
        assert_eq!(
            cache.get("b"),
            None,
            "the new row may be the one that was missing"
        );
        cache.bump_if_reads(&[wrote("objects", false)]);
        assert_eq!(
            cache.get("a"),
            None,
            "an update or delete renews everything"
        );
        // Read before an insert, kept after it: an absence is stale at once.
        let before = cache.generation();
        cache.bump_if_reads(&[wrote("objects", true)]);
        cache.put("c".into(), before, None);
        assert_eq!(cache.get("c"), None);
    }

    fn wrote(table: &str, inserted_only: bool) -> Change {
        Change {
            kind: table.to_string(),
            id: None,
            event: None,
            inserted_only,
        }
    }
}
