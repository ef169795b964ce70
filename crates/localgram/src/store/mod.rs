//! The database: every SQL statement localgram runs lives below this module.
//!
//! SQLite by default (a file, or memory with `--ephemeral`), one connection behind a mutex:
//! writes are serialised by SQLite anyway, and point reads take microseconds. Each write runs
//! in one transaction, so a change and the events it produces commit together. The schema and
//! queries keep to SQL that PostgreSQL also speaks.

pub mod accounts;
pub mod apps;
pub mod cache;
pub mod comments;
pub mod containers;
pub mod conversations;
pub mod events;
pub mod igsids;
pub mod logins;
pub mod media;
pub mod media_files;
pub mod message_attachments;
pub mod messages;
pub mod messenger_profiles;
pub mod objects;
pub mod people;
pub mod person_media;
pub mod publishing_setup;
pub mod relationships;
pub mod settings;
pub mod snapshot;
pub mod tokens;
pub mod webhooks;
pub mod welcome_flows;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;

/// Embedded migrations, applied in order at start-up and recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_core.sql")),
    (2, include_str!("migrations/0002_logins.sql")),
    (3, include_str!("migrations/0003_webhooks.sql")),
    (4, include_str!("migrations/0004_publishing.sql")),
    (5, include_str!("migrations/0005_comments.sql")),
    (6, include_str!("migrations/0006_messaging.sql")),
];

/// Tables holding state, in creation order (parents before children): what snapshots export
/// and restore and what reset wipes. Migrations that add tables need no other change.
pub fn tables(conn: &Connection) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND name <> 'schema_migrations' ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid snapshot: {0}")]
    Snapshot(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub struct Db {
    conn: Mutex<Connection>,
    cache: cache::ReadCache,
}

impl Db {
    /// Opens (creating if needed) the database file in `dir`, or a private in-memory database.
    pub fn open(dir: Option<&Path>) -> StoreResult<Db> {
        let conn = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Conflict(format!(
                        "cannot create data directory {}: {e}",
                        dir.display()
                    ))
                })?;
                let conn = Connection::open_with_flags(
                    dir.join("localgram.db"),
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
                )?;
                // WAL with NORMAL sync: a committed transaction survives a process crash.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let db = Db {
            conn: Mutex::new(conn),
            cache: cache::ReadCache::default(),
        };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.conn.lock();
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
            [],
        )?;
        // In number order, whatever order the list was written in.
        let mut ordered: Vec<&(i64, &str)> = MIGRATIONS.iter().collect();
        ordered.sort_by_key(|(version, _)| *version);
        for (version, sql) in ordered {
            let applied: bool = conn.query_row(
                "SELECT COUNT(*) > 0 FROM schema_migrations WHERE version = ?1",
                [version],
                |row| row.get(0),
            )?;
            if applied {
                continue;
            }
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// A token and its app, from memory when nothing was written since they were read.
    pub fn token_with_app(&self, token: &str) -> StoreResult<Option<(tokens::Token, apps::App)>> {
        let generation = self.cache.generation();
        if let Some(hit) = self.cache.tokens.get(token, generation) {
            return Ok(hit);
        }
        let found = self.read(|c| {
            let Some(row) = tokens::get(c, token)? else {
                return Ok(None);
            };
            Ok(apps::get(c, &row.app_id)?.map(|app| (row, app)))
        })?;
        self.cache
            .tokens
            .put(token.to_string(), generation, found.clone());
        Ok(found)
    }

    /// What node an id names, from memory when nothing was written since it was read.
    pub fn object(&self, id: &str) -> StoreResult<Option<(String, Option<String>)>> {
        let generation = self.cache.generation();
        if let Some(hit) = self.cache.objects.get(id, generation) {
            return Ok(hit);
        }
        let found = self.read(|c| objects::lookup(c, id))?;
        self.cache
            .objects
            .put(id.to_string(), generation, found.clone());
        Ok(found)
    }

    /// An account, from memory when nothing was written since it was read.
    pub fn account(&self, id: &str) -> StoreResult<Option<accounts::Account>> {
        let generation = self.cache.generation();
        if let Some(hit) = self.cache.accounts.get(id, generation) {
            return Ok(hit);
        }
        let found = self.read(|c| accounts::get(c, id))?;
        self.cache
            .accounts
            .put(id.to_string(), generation, found.clone());
        Ok(found)
    }

    /// The app-scoped id of an account, from memory when nothing was written since.
    pub fn app_scoped_id(&self, app_id: &str, account_id: &str) -> StoreResult<Option<String>> {
        let generation = self.cache.generation();
        let key = (app_id.to_string(), account_id.to_string());
        if let Some(hit) = self.cache.app_scoped_ids.get(&key, generation) {
            return Ok(hit);
        }
        let found = self.read(|c| accounts::app_scoped_id(c, app_id, account_id))?;
        self.cache
            .app_scoped_ids
            .put(key, generation, found.clone());
        Ok(found)
    }

    /// Runs a read. Reads see only committed state.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.conn.lock();
        f(&conn)
    }

    /// Runs `f` in one transaction: all of it commits, or none of it does.
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        self.cache.bump();
        Ok(value)
    }
}

/// Maps "no row" to `None` for single-row lookups.
pub(crate) fn optional<T>(result: rusqlite::Result<T>) -> StoreResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_idempotent_and_tables_exist() {
        let dir = std::env::temp_dir().join(format!("localgram-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let db = Db::open(Some(&dir)).unwrap();
            db.write(|tx| settings::set(tx, "probe", "1")).unwrap();
        }
        let db = Db::open(Some(&dir)).unwrap();
        let value = db.read(|c| settings::get(c, "probe")).unwrap();
        assert_eq!(value.as_deref(), Some("1"));
        let tables = db.read(tables).unwrap();
        for expected in ["settings", "objects", "apps", "accounts", "tokens", "media"] {
            assert!(
                tables.iter().any(|t| t == expected),
                "{expected} in {tables:?}"
            );
        }
        assert!(!tables.iter().any(|t| t == "schema_migrations"));
        // Parents come before children.
        let position = |name: &str| tables.iter().position(|t| t == name).unwrap();
        assert!(position("pages") < position("accounts"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
