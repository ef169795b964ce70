//! SQLite, the embedded default: one writer connection and a small pool of read-only
//! connections on the same WAL database, so reads never wait behind a write or each other.
//!
//! `--ephemeral` keeps the database in a private temporary directory that is removed when
//! localgram stops, with durability off: SQLite's in-memory databases cannot be shared by a
//! pool under WAL (shared-cache memory databases lock whole tables, `memdb` uses rollback-journal
//! locking), and either would make reads wait behind writes (docs/decisions.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};

use super::{StoreError, StoreResult};

/// Read connections per instance: the blocking threads that run reads use at most this many
/// at once; more would only contend for the machine's cores.
pub const READERS: u32 = 4;

/// How long a statement waits for a lock the writer holds (checkpoints, the rare reader that
/// needs one) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteEngine {
    pub writer: Mutex<Connection>,
    pub readers: r2d2::Pool<ReaderManager>,
    /// Keeps an ephemeral database's directory until the engine is dropped.
    _ephemeral: Option<tempfile::TempDir>,
}

impl SqliteEngine {
    /// Opens (creating if needed) `localgram.db` in `dir`, or an ephemeral database.
    pub fn open(dir: Option<&Path>) -> StoreResult<SqliteEngine> {
        let (path, ephemeral) = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Conflict(format!(
                        "cannot create data directory {}: {e}",
                        dir.display()
                    ))
                })?;
                (dir.join("localgram.db"), None)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("localgram-db-")
                    .tempdir()
                    .map_err(|e| {
                        StoreError::Conflict(format!("cannot create a temporary database: {e}"))
                    })?;
                (temp.path().join("localgram.db"), Some(temp))
            }
        };
        let writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL: a committed transaction survives a crash of the process. An ephemeral
        // database dies with the process anyway.
        let sync = if ephemeral.is_some() { "OFF" } else { "NORMAL" };
        writer.pragma_update(None, "synchronous", sync)?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        writer.busy_timeout(BUSY_TIMEOUT)?;
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .build(ReaderManager { path })
            .map_err(|e| StoreError::Database(format!("cannot open read connections: {e}")))?;
        Ok(SqliteEngine {
            writer: Mutex::new(writer),
            readers,
            _ephemeral: ephemeral,
        })
    }
}

/// Opens the read-only connections of the pool.
pub struct ReaderManager {
    path: PathBuf,
}

impl r2d2::ManageConnection for ReaderManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Belt and braces: a reader connection refuses writes even if SQL tried one.
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        false
    }
}

/// The tables of the database in creation order.
pub const TABLES_SQL: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY rowid";
