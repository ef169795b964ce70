//! What every request reads and almost nothing writes, kept in memory: tokens with their app,
//! the kind of node an id names, accounts, app-scoped ids. Each cache has a generation that
//! a commit bumps when it wrote one of the tables the cache is read from, so a cached answer
//! is never staler than a direct read, and a comment or a message (the bulk of writes) does
//! not empty the caches that every request needs.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};

use super::apps::App;
use super::tokens::Token;

/// Entries kept before a cache starts over; ids and tokens of one test run fit easily.
const CAPACITY: usize = 50_000;

pub struct Generational<K, V> {
    /// The tables its values are read from.
    tables: &'static [&'static str],
    generation: AtomicU64,
    entries: Mutex<HashMap<K, (u64, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Generational<K, V> {
    pub fn new(tables: &'static [&'static str]) -> Self {
        Generational {
            tables,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Take it before reading the database for a value to `put`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The cached value if nothing it was read from has been written since.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let current = self.generation();
        let entries = self.entries.lock();
        entries
            .get(key)
            .filter(|(at, _)| *at == current)
            .map(|(_, v)| v.clone())
    }

    /// Keeps a value read at `generation`; one read before a write that committed meanwhile
    /// is stale at once.
    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (generation, value));
    }

    fn bump_if_reads(&self, written: &[&str]) {
        if written.iter().any(|t| self.tables.contains(t)) {
            self.bump();
        }
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

pub struct ReadCache {
    pub tokens: Generational<String, Option<(Token, App)>>,
    pub objects: Generational<String, Option<(String, Option<String>)>>,
    pub accounts: Generational<String, Option<super::accounts::Account>>,
    pub app_scoped_ids: Generational<(String, String), Option<String>>,
    /// Access decisions about accounts and Pages (who may see them, whether through
    /// Business Manager), keyed by the caller and the node: they read only these two tables.
    pub account_access: Generational<String, (bool, bool)>,
}

impl Default for ReadCache {
    fn default() -> Self {
        ReadCache {
            tokens: Generational::new(&["tokens", "apps"]),
            objects: Generational::new(&["objects"]),
            accounts: Generational::new(&["accounts"]),
            app_scoped_ids: Generational::new(&["app_scoped_ids"]),
            account_access: Generational::new(&["accounts", "pages"]),
        }
    }
}

/// Every cache's generation at one moment: taken before a read transaction begins, so its
/// reads can be kept at those generations.
#[derive(Debug, Clone, Copy)]
pub struct Generations {
    pub tokens: u64,
    pub objects: u64,
    pub accounts: u64,
    pub app_scoped_ids: u64,
}

impl ReadCache {
    pub fn generations(&self) -> Generations {
        Generations {
            tokens: self.tokens.generation(),
            objects: self.objects.generation(),
            accounts: self.accounts.generation(),
            app_scoped_ids: self.app_scoped_ids.generation(),
        }
    }

    /// After a commit that wrote these tables.
    pub fn written(&self, tables: &[&str]) {
        self.tokens.bump_if_reads(tables);
        self.objects.bump_if_reads(tables);
        self.accounts.bump_if_reads(tables);
        self.app_scoped_ids.bump_if_reads(tables);
        self.account_access.bump_if_reads(tables);
    }

    /// After writes whose tables are unknown (another instance's, seen by its sequence).
    pub fn bump_all(&self) {
        self.tokens.bump();
        self.objects.bump();
        self.accounts.bump();
        self.app_scoped_ids.bump();
        self.account_access.bump();
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
        cache.bump_if_reads(&["comments", "media"]);
        assert_eq!(cache.get("a"), Some(7), "other tables leave it alone");
        cache.bump_if_reads(&["tokens"]);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn a_value_read_before_a_write_is_stale_at_once() {
        let cache: Generational<String, u32> = Generational::new(&["tokens"]);
        let before = cache.generation();
        cache.bump_if_reads(&["tokens"]);
        cache.put("a".into(), before, 7);
        assert_eq!(cache.get("a"), None);
    }
}
