//! What every request reads and almost nothing writes, kept in memory: tokens with their app,
//! and the kind of node an id names. An entry is valid while no write has committed since it
//! was read (a generation number the database bumps on every commit), so a cached answer is
//! never staler than a direct read.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};

use super::apps::App;
use super::tokens::Token;

/// Entries kept before the cache starts over; ids and tokens of one test run fit easily.
const CAPACITY: usize = 50_000;

pub struct Generational<K, V> {
    entries: Mutex<HashMap<K, (u64, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Generational<K, V> {
    pub fn new() -> Self {
        Generational {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value if it was read at this generation.
    pub fn get<Q>(&self, key: &Q, generation: u64) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries.lock();
        entries
            .get(key)
            .filter(|(at, _)| *at == generation)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (generation, value));
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for Generational<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Default)]
pub struct ReadCache {
    generation: AtomicU64,
    pub tokens: Generational<String, Option<(Token, App)>>,
    pub objects: Generational<String, Option<(String, Option<String>)>>,
    pub accounts: Generational<String, Option<super::accounts::Account>>,
    pub app_scoped_ids: Generational<(String, String), Option<String>>,
}

impl ReadCache {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Called after every commit: everything cached before it is stale.
    pub fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_the_generation() {
        let cache: Generational<String, u32> = Generational::new();
        cache.put("a".into(), 1, 7);
        assert_eq!(cache.get("a", 1), Some(7));
        assert_eq!(cache.get("a", 2), None);
    }
}
