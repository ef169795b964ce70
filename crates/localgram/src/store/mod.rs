//! The database: every SQL statement localgram runs lives below this module, and no other
//! module names the database driver.
//!
//! Two engines answer the same store API: SQLite, embedded (the default; one writer and a pool
//! of WAL readers), and PostgreSQL for several instances sharing one state. Work reaches the
//! database through two async entry points, [`Db::read`] and [`Db::write`], which run the
//! given closure on a blocking thread with a [`Reader`] (a consistent snapshot that cannot
//! write) or a [`Writer`] (one transaction: a change and the events it produces commit
//! together). Each commit is announced on the change feed ([`feed`]).

pub mod accounts;
pub mod apps;
pub mod cache;
pub mod comments;
pub mod containers;
pub mod conversations;
pub mod due;
pub mod events;
pub mod faults;
pub mod feed;
pub mod handover;
pub mod hashtags;
pub mod igsids;
pub mod insights;
pub mod logins;
pub mod media;
pub mod media_files;
pub mod message_attachments;
pub mod messages;
pub mod messenger_profiles;
pub mod moderation;
pub mod objects;
pub mod order;
pub mod people;
pub mod person_media;
pub mod pg;
pub mod publishing_setup;
pub mod rate_counts;
pub mod relationships;
pub mod settings;
pub mod shopping;
pub mod snapshot;
pub mod sql;
pub mod sqlite;
pub mod threads;
pub mod threads_users;
pub mod tokens;
pub mod upcoming_events;
pub mod webhooks;
pub mod welcome_flows;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

pub use sql::{params, Change, Reader, Row, Writer};

/// Embedded migrations, applied in order at start-up and recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_core.sql")),
    (2, include_str!("migrations/0002_logins.sql")),
    (3, include_str!("migrations/0003_webhooks.sql")),
    (4, include_str!("migrations/0004_publishing.sql")),
    (5, include_str!("migrations/0005_comments.sql")),
    (6, include_str!("migrations/0006_messaging.sql")),
    (7, include_str!("migrations/0007_instances.sql")),
    (8, include_str!("migrations/0008_webhook_backlog.sql")),
    (9, include_str!("migrations/0009_fidelity.sql")),
    (10, include_str!("migrations/0010_outbox_drain.sql")),
    (11, include_str!("migrations/0011_limits.sql")),
    (12, include_str!("migrations/0012_insights.sql")),
    (13, include_str!("migrations/0013_discovery.sql")),
    (14, include_str!("migrations/0014_apps.sql")),
    (15, include_str!("migrations/0015_discovery_limits.sql")),
    (16, include_str!("migrations/0016_handover.sql")),
    (17, include_str!("migrations/0017_console.sql")),
];

/// Tables that coordinate running instances rather than hold Instagram's state: snapshots and
/// reset leave them alone.
const COORDINATION_TABLES: &[&str] = &[
    "webhook_stream_leases",
    "rate_counts",
    "app_permission_calls",
];

/// Tables holding state, in creation order (parents before children): what snapshots export
/// and restore and what reset wipes. Migrations that add tables need no other change.
pub fn tables(conn: &Reader) -> StoreResult<Vec<String>> {
    let sql = match conn.engine() {
        Engine::Sqlite => sqlite::TABLES_SQL,
        Engine::Postgres => {
            "SELECT relname::text FROM pg_class WHERE relkind = 'r'
             AND relnamespace = current_schema()::regnamespace
             AND relname <> 'schema_migrations' ORDER BY oid"
        }
    };
    let all: Vec<String> = conn
        .query_map(sql, (), |r| r.get::<_, String>(0))?
        .collect::<StoreResult<_>>()?;
    Ok(all
        .into_iter()
        .filter(|t| !COORDINATION_TABLES.contains(&t.as_str()))
        .collect())
}

/// Which database runs underneath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Where the state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// SQLite, gone when localgram stops.
    Ephemeral,
    /// SQLite in `DIR/localgram.db`.
    Dir(PathBuf),
    /// PostgreSQL at this URL (`postgres://...`).
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("database: {0}")]
    Database(String),
    /// The database cannot be reached (Meta's transient code 2 until it returns).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("no row")]
    NoRow,
    #[error("unexpected column type: {0}")]
    Type(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid snapshot: {0}")]
    Snapshot(String),
    #[error("internal: {0}")]
    Internal(String),
    /// A memory reader (`Reader::in_memory`) was asked for what only the database has.
    #[error("not in the read caches")]
    NotInMemory,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NoRow,
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DatabaseBusy => {
                StoreError::Unavailable(error.to_string())
            }
            other => StoreError::Sqlite(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

enum EngineImpl {
    Sqlite(sqlite::SqliteEngine),
    Postgres {
        pool: pg::PgPool,
        /// The newest value of the changes sequence this instance has caught up with.
        seen: AtomicI64,
        /// The NOTIFY channel of this database schema's change feed.
        channel: String,
    },
}

struct DbInner {
    /// Taken only by `Drop` (see there).
    engine: std::mem::ManuallyDrop<EngineImpl>,
    cache: cache::ReadCache,
    /// Where reads and writes run (never on the async workers).
    readers: threads::DbThreads,
    writers: threads::DbThreads,
    feed: feed::Feed,
    /// This instance's name on the change feed.
    instance: String,
    stop: Arc<AtomicBool>,
}

impl Drop for DbInner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // SAFETY: `engine` is never used again; this is the last use of `self`.
        let engine = unsafe { std::mem::ManuallyDrop::take(&mut self.engine) };
        // Closing a PostgreSQL client blocks on its own runtime, which panics on a thread
        // that drives async tasks; the last `Db` may well be dropped in one (a server task).
        if matches!(engine, EngineImpl::Postgres { .. })
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let closing = std::thread::Builder::new()
                .name("localgram-close".into())
                .spawn(move || drop(engine));
            if let Err(e) = closing {
                tracing::warn!("cannot close the PostgreSQL pool off the runtime: {e}");
            }
        }
    }
}

/// The store: cheap to clone, shared by every request and background task.
#[derive(Clone)]
pub struct Db {
    inner: Arc<DbInner>,
}

impl Db {
    /// Opens (creating and migrating if needed) the database at `location`.
    pub fn open(location: &Location) -> StoreResult<Db> {
        let instance = format!("{:016x}", rand::random::<u64>());
        let stop = Arc::new(AtomicBool::new(false));
        let engine = match location {
            Location::Ephemeral => EngineImpl::Sqlite(sqlite::SqliteEngine::open(None)?),
            Location::Dir(dir) => EngineImpl::Sqlite(sqlite::SqliteEngine::open(Some(dir))?),
            Location::Postgres(url) => {
                let pool = pg::pool(pg::parse_url(url)?);
                let channel = pg::channel(&pool)?;
                EngineImpl::Postgres {
                    pool,
                    seen: AtomicI64::new(0),
                    channel,
                }
            }
        };
        // SQLite: one thread per read connection and the one writer. PostgreSQL: as many as
        // the pool serves at once; writes queue behind one lock anyway.
        let (read_threads, write_threads) = match engine {
            EngineImpl::Sqlite(_) => (sqlite::READERS as usize, 1),
            EngineImpl::Postgres { .. } => (8, 2),
        };
        let db = Db {
            inner: Arc::new(DbInner {
                readers: threads::DbThreads::start("localgram-read", read_threads)?,
                writers: threads::DbThreads::start("localgram-write", write_threads)?,
                engine: std::mem::ManuallyDrop::new(engine),
                cache: cache::ReadCache::default(),
                feed: feed::Feed::default(),
                instance,
                stop,
            }),
        };
        db.migrate()?;
        if let (Location::Postgres(url), EngineImpl::Postgres { channel, .. }) =
            (location, &*db.inner.engine)
        {
            db.start_listening(pg::parse_url(url)?, channel.clone())?;
        }
        Ok(db)
    }

    pub fn engine(&self) -> Engine {
        match *self.inner.engine {
            EngineImpl::Sqlite(_) => Engine::Sqlite,
            EngineImpl::Postgres { .. } => Engine::Postgres,
        }
    }

    /// The change feed: what every committed write changed, here and on other instances.
    pub fn feed(&self) -> &feed::Feed {
        &self.inner.feed
    }

    /// This instance's id on the change feed and in delivery leases.
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    fn start_listening(&self, config: ::postgres::Config, channel: String) -> StoreResult<()> {
        let weak = Arc::downgrade(&self.inner);
        feed::listen(
            config,
            channel,
            self.inner.instance.clone(),
            self.inner.stop.clone(),
            move |set| {
                if let Some(inner) = weak.upgrade() {
                    if set.changes.is_empty() {
                        // A reconnection: whatever was missed meanwhile is unknown.
                        inner.cache.bump_all();
                    } else {
                        inner.cache.written(&set.changes);
                    }
                    inner.feed.publish(set);
                }
            },
        )
        .map_err(|e| StoreError::Internal(format!("cannot start the change listener: {e}")))?;
        Ok(())
    }

    fn migrate(&self) -> StoreResult<()> {
        let engine = self.engine();
        self.write_blocking(|tx| {
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
            )?;
            if engine == Engine::Postgres {
                tx.execute_batch(&format!(
                    "CREATE SEQUENCE IF NOT EXISTS {}",
                    pg::CHANGES_SEQUENCE
                ))?;
            }
            Ok::<_, StoreError>(())
        })?;
        // In number order, whatever order the list was written in.
        let mut ordered: Vec<&(i64, &str)> = MIGRATIONS.iter().collect();
        ordered.sort_by_key(|(version, _)| *version);
        for (version, sql) in ordered {
            // One transaction per version: concurrent instances starting together apply each
            // once (the write lock serialises them; the second sees it applied).
            self.write_blocking(|tx| {
                let applied = tx
                    .prepare_cached("SELECT 1 FROM schema_migrations WHERE version = ?1")?
                    .exists([*version])?;
                if applied {
                    return Ok(());
                }
                match engine {
                    Engine::Sqlite => tx.execute_batch(sql)?,
                    Engine::Postgres => tx.execute_batch(&pg::migration_sql(sql))?,
                }
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES (?1)",
                    [*version],
                )?;
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(())
    }

    /// Catches up with writes other instances committed, so the caches answer nothing older
    /// than what a direct read would. Answers whether anything changed since the last call.
    /// On SQLite every writer is in this process and this costs nothing.
    pub async fn refresh(&self) -> StoreResult<bool> {
        if self.engine() == Engine::Sqlite {
            return Ok(false);
        }
        let this = self.clone();
        let checked = self
            .inner
            .readers
            .run(move || {
                let EngineImpl::Postgres { pool, seen, .. } = &*this.inner.engine else {
                    return Ok(false);
                };
                let conn = pool.get()?;
                let rows = conn.borrow_mut().query(
                    &format!("SELECT last_value FROM {}", pg::CHANGES_SEQUENCE),
                    &[],
                )?;
                let latest: i64 = match rows.first() {
                    Some(row) => match row.value(0)? {
                        sql::ValueRef::Integer(n) => n,
                        _ => 0,
                    },
                    None => 0,
                };
                let before = seen.fetch_max(latest, Ordering::AcqRel);
                if latest > before {
                    this.inner.cache.bump_all();
                    return Ok(true);
                }
                Ok(false)
            })
            .await;
        if checked.is_err() {
            // Whether others wrote cannot be known: nothing cached may answer until it can,
            // so the request meets the database (and its outage) like a direct read.
            self.inner.cache.bump_all();
        }
        checked
    }

    /// Runs `f` on a blocking thread with a consistent snapshot of committed state.
    pub async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Reader) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let this = self.clone();
        self.inner.readers.run(move || this.read_blocking(f)).await
    }

    /// When the accounts' daily views (insights) were last possibly changed: a view count
    /// read at this stamp holds while it is unchanged (the rate limits keep theirs until then).
    pub fn insight_views_stamp(&self) -> cache::Stamp {
        self.inner.cache.insight_views.generation()
    }

    /// Runs `f` on the calling thread against the read caches alone, and only if it needed
    /// something they do not hold, again on a database thread as [`Db::read`] does. A read
    /// the caches answer (a cached node) then costs no thread hop; `f` must have no effect
    /// besides its answer, as every read.
    pub async fn read_memory_first<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: Fn(&Reader) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match self.read_memory_probe(&f) {
            (false, answered) => answered,
            // The database hop is boxed: the future of every read that the caches answer
            // (nearly all) stays small, and so do the request futures that hold it.
            (true, _) => Box::pin(self.read(move |r| f(r))).await,
        }
    }

    /// `f` against the read caches alone: whether it missed, and what it answered.
    fn read_memory_probe<T>(
        &self,
        f: impl Fn(&Reader) -> StoreResult<T>,
    ) -> (bool, StoreResult<T>) {
        let reader = Reader::in_memory(&self.inner.cache, self.engine());
        let result = f(&reader);
        (reader.missed(), result)
    }

    /// Runs `f` on a blocking thread in one write transaction: all of it commits, or none of
    /// it does.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Writer) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write_in(threads::Lane::Request, f).await
    }

    /// [`Db::write`] for background work no request waits on (recording a webhook batch's
    /// outcomes, pruning, bulk replay): it runs when no request's write is queued, or after a
    /// few of them, so a draining backlog does not hold requests back (docs/performance-webhooks.md).
    pub async fn write_background<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Writer) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.write_in(threads::Lane::Background, f).await
    }

    async fn write_in<T, E, F>(&self, lane: threads::Lane, f: F) -> Result<T, E>
    where
        F: FnOnce(&Writer) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let this = self.clone();
        match self
            .inner
            .writers
            .run_in(lane, move || Ok(this.write_blocking(f)))
            .await
        {
            Ok(result) => result,
            Err(e) => Err(E::from(e)),
        }
    }

    /// [`Db::read`] on the calling thread: for start-up, tests and threads outside the async
    /// runtime. Never call it from an async task.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Reader) -> StoreResult<T>) -> StoreResult<T> {
        match &*self.inner.engine {
            EngineImpl::Sqlite(engine) => {
                let conn = engine.readers.get()?;
                let generations = self.inner.cache.generations();
                // A deferred transaction: every statement of `f` sees the same snapshot.
                sqlite_control(&conn, "BEGIN")?;
                let result = unwinding_to(
                    || {
                        f(&Reader::filling(
                            sql::Handle::Sqlite(&conn),
                            &self.inner.cache,
                            generations,
                        ))
                    },
                    || {
                        let _ = sqlite_control(&conn, "ROLLBACK");
                    },
                );
                let end = sqlite_control(&conn, "COMMIT");
                let value = result?;
                end?;
                Ok(value)
            }
            EngineImpl::Postgres { pool, .. } => {
                let conn = pool.get()?;
                let generations = self.inner.cache.generations();
                conn.borrow_mut()
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                let result = {
                    let reader = Reader::filling(
                        sql::Handle::Postgres(&conn),
                        &self.inner.cache,
                        generations,
                    );
                    let caught =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&reader)));
                    match caught {
                        Ok(result) => result,
                        Err(panic) => {
                            let _ = conn.borrow_mut().batch_execute("ROLLBACK");
                            std::panic::resume_unwind(panic)
                        }
                    }
                };
                let end = conn.borrow_mut().batch_execute(if result.is_ok() {
                    "COMMIT"
                } else {
                    "ROLLBACK"
                });
                let value = result?;
                end?;
                Ok(value)
            }
        }
    }

    /// [`Db::write`] on the calling thread: for start-up, tests and threads outside the async
    /// runtime. Never call it from an async task.
    pub fn write_blocking<T, E>(&self, f: impl FnOnce(&Writer) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let changes = match &*self.inner.engine {
            EngineImpl::Sqlite(engine) => {
                let conn = engine.writer.lock();
                sqlite_control(&conn, "BEGIN IMMEDIATE")?;
                let mut guard = RollbackGuard::Sqlite(Some(&conn));
                let writer = Writer::new(sql::Handle::Sqlite(&conn));
                let value = f(&writer)?;
                let changes = writer.into_changes();
                sqlite_control(&conn, "COMMIT")?;
                guard.disarm();
                (value, changes)
            }
            EngineImpl::Postgres {
                pool,
                seen,
                channel,
            } => {
                let cell = pool.get().map_err(StoreError::from)?;
                cell.borrow_mut().batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({})",
                    pg::WRITE_LOCK_KEY
                ))?;
                let outcome = {
                    let writer = Writer::new(sql::Handle::Postgres(&cell));
                    let caught =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&writer)));
                    match caught {
                        Ok(Ok(value)) => Ok((value, writer.into_changes())),
                        Ok(Err(e)) => Err(Ok(e)),
                        Err(panic) => Err(Err(panic)),
                    }
                };
                let mut conn = cell.borrow_mut();
                let (value, changes) = match outcome {
                    Ok(done) => done,
                    Err(failure) => {
                        let _ = conn.batch_execute("ROLLBACK");
                        match failure {
                            Ok(e) => return Err(e),
                            Err(panic) => std::panic::resume_unwind(panic),
                        }
                    }
                };
                if !changes.is_empty() {
                    let set = feed::ChangeSet {
                        origin: self.inner.instance.clone(),
                        changes: changes.clone(),
                    };
                    // Delivered to the listeners only if the transaction commits.
                    if let Err(e) = conn.execute(
                        "SELECT pg_notify(?1, ?2)",
                        &[
                            sql::ValueRef::Text(channel),
                            sql::ValueRef::Text(&feed::payload(&set)),
                        ],
                    ) {
                        let _ = conn.batch_execute("ROLLBACK");
                        return Err(e.into());
                    }
                }
                if let Err(e) = conn.batch_execute("COMMIT") {
                    let _ = conn.batch_execute("ROLLBACK");
                    return Err(e.into());
                }
                if !changes.is_empty() {
                    // After the commit, so another instance that sees the new value also sees
                    // the committed rows.
                    if let Ok(rows) =
                        conn.query(&format!("SELECT nextval('{}')", pg::CHANGES_SEQUENCE), &[])
                    {
                        if let Some(Ok(sql::ValueRef::Integer(n))) =
                            rows.first().map(|r| r.value(0))
                        {
                            // Only our own bump: earlier values of others may still be unseen.
                            let _ = seen.compare_exchange(
                                n - 1,
                                n,
                                Ordering::AcqRel,
                                Ordering::Acquire,
                            );
                        }
                    }
                }
                (value, changes)
            }
        };
        let (value, changes) = changes;
        if !changes.is_empty() {
            let set = feed::ChangeSet {
                origin: self.inner.instance.clone(),
                changes,
            };
            self.inner.cache.written(&set.changes);
            self.inner.feed.publish(set);
        }
        Ok(value)
    }

    /// A write transaction for counters that coordinate instances rather than hold state
    /// (the rate-limit counts): nothing is announced on the change feed and, on PostgreSQL,
    /// the global write lock is not taken (the closure locks what it counts in itself), so
    /// counting neither waits behind writes nor empties other instances' caches.
    pub async fn write_quiet<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&Writer) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let this = self.clone();
        let threads = match self.engine() {
            Engine::Sqlite => &self.inner.writers,
            // Many at once: each holds only the locks of the scopes it counts in.
            Engine::Postgres => &self.inner.readers,
        };
        threads.run(move || this.write_quiet_blocking(f)).await
    }

    /// [`Db::write_quiet`] on the calling thread (start-up, shutdown, tests).
    pub fn write_quiet_blocking<T>(
        &self,
        f: impl FnOnce(&Writer) -> StoreResult<T>,
    ) -> StoreResult<T> {
        match &*self.inner.engine {
            EngineImpl::Sqlite(engine) => {
                let conn = engine.writer.lock();
                sqlite_control(&conn, "BEGIN IMMEDIATE")?;
                let mut guard = RollbackGuard::Sqlite(Some(&conn));
                let writer = Writer::new(sql::Handle::Sqlite(&conn));
                let value = f(&writer)?;
                sqlite_control(&conn, "COMMIT")?;
                guard.disarm();
                Ok(value)
            }
            EngineImpl::Postgres { pool, .. } => {
                let cell = pool.get().map_err(StoreError::from)?;
                cell.borrow_mut().batch_execute("BEGIN")?;
                let outcome = {
                    let writer = Writer::new(sql::Handle::Postgres(&cell));
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&writer)))
                };
                let mut conn = cell.borrow_mut();
                match outcome {
                    Ok(Ok(value)) => {
                        if let Err(e) = conn.batch_execute("COMMIT") {
                            let _ = conn.batch_execute("ROLLBACK");
                            return Err(e);
                        }
                        Ok(value)
                    }
                    Ok(Err(e)) => {
                        let _ = conn.batch_execute("ROLLBACK");
                        Err(e)
                    }
                    Err(panic) => {
                        let _ = conn.batch_execute("ROLLBACK");
                        std::panic::resume_unwind(panic)
                    }
                }
            }
        }
    }

    /// Every injected fault, from memory until one is written (here or on another instance).
    pub async fn faults(&self) -> StoreResult<Arc<Vec<faults::Row>>> {
        self.cached(|c| &c.faults, &(), |c, _| Ok(Arc::new(faults::list(c)?)))
            .await
    }

    /// Where the token cache stands: a token row read from it is current as long as this is
    /// unchanged (no token or app written since).
    pub fn tokens_generation(&self) -> cache::Stamp {
        self.inner.cache.tokens.generation()
    }

    /// A token and its app, from memory when nothing was written since they were read.
    pub async fn token_with_app(
        &self,
        token: &str,
    ) -> StoreResult<Option<(Arc<tokens::Token>, Arc<apps::App>)>> {
        self.cached(|c| &c.tokens, token, token_with_app).await
    }

    /// What node an id names, from memory when nothing was written since it was read.
    pub async fn object(&self, id: &str) -> StoreResult<Option<Arc<objects::Object>>> {
        self.cached(|c| &c.objects, id, |c, id| objects::lookup(c, id))
            .await
    }

    /// An account, from memory when nothing was written since it was read.
    pub async fn account(&self, id: &str) -> StoreResult<Option<Arc<accounts::Account>>> {
        self.cached(|c| &c.accounts, id, |c, id| accounts::get_shared(c, id))
            .await
    }

    /// The app-scoped id of an account, from memory when nothing was written since.
    pub async fn app_scoped_id(
        &self,
        app_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<String>> {
        let key = accounts::scoped_key(app_id, account_id);
        self.cached(
            |c| &c.app_scoped_ids,
            key.as_str(),
            |c, key: &String| {
                let (app, account) = key.split_once('|').unwrap_or((key, ""));
                accounts::app_scoped_id(c, app, account)
            },
        )
        .await
    }

    /// What the access cache holds for `key`, when it is current (see [`Db::account_access`]).
    pub fn account_access_cached(&self, key: &str) -> Option<(bool, bool)> {
        self.inner.cache.account_access.get(key)
    }

    /// An access decision about an account or a Page (visible, through Business Manager),
    /// from memory while neither accounts nor Pages were written; `load` reads it (only those
    /// two tables) when nothing cached is current.
    pub async fn account_access<L>(
        &self,
        key: &str,
        load: impl FnOnce() -> L,
    ) -> StoreResult<(bool, bool)>
    where
        L: FnOnce(&Reader) -> StoreResult<(bool, bool)> + Send + 'static,
    {
        // A hit builds no loader (it would copy the caller and the node).
        if let Some(hit) = self.inner.cache.account_access.get(key) {
            return Ok(hit);
        }
        let load = load();
        self.cached(|c| &c.account_access, key, move |r, _| load(r))
            .await
    }

    /// A value from a read cache, loaded with `load` when nothing cached is current. The
    /// generation is taken before the load, so a write committed meanwhile makes the entry
    /// stale at once.
    ///
    /// The key is borrowed: a hit (every request's token and node id) allocates nothing.
    async fn cached<Q, K, V>(
        &self,
        pick: fn(&cache::ReadCache) -> &cache::Generational<K, V>,
        key: &Q,
        load: impl FnOnce(&Reader, &K) -> StoreResult<V> + Send + 'static,
    ) -> StoreResult<V>
    where
        Q: Eq + std::hash::Hash + ToOwned<Owned = K> + ?Sized,
        K: Eq + std::hash::Hash + Clone + Send + 'static + std::borrow::Borrow<Q>,
        V: Clone + Send + 'static,
    {
        let cache = pick(&self.inner.cache);
        if let Some(hit) = cache.get(key) {
            return Ok(hit);
        }
        let generation = cache.generation();
        let key = key.to_owned();
        let lookup = key.clone();
        // Boxed, as in `read_memory_first`: a hit's future stays small.
        let found = Box::pin(self.read(move |c| load(c, &lookup))).await?;
        pick(&self.inner.cache).put(key, generation, found.clone());
        Ok(found)
    }
}

#[allow(clippy::ptr_arg)] // the cache key type: `load` takes `&K`
fn token_with_app(
    c: &Reader,
    token: &String,
) -> StoreResult<Option<(Arc<tokens::Token>, Arc<apps::App>)>> {
    let Some(row) = tokens::get(c, token)? else {
        return Ok(None);
    };
    Ok(apps::get(c, &row.app_id)?.map(|app| (Arc::new(row), Arc::new(app))))
}

/// A transaction control statement, prepared once per connection (`execute_batch` would
/// parse it again on every read).
fn sqlite_control(conn: &rusqlite::Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Runs `f`; if it panics, runs `cleanup` before the panic goes on, so a pooled connection is
/// never handed out again inside a transaction.
fn unwinding_to<R>(f: impl FnOnce() -> R, cleanup: impl FnOnce()) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(panic) => {
            cleanup();
            std::panic::resume_unwind(panic)
        }
    }
}

/// Rolls a SQLite transaction back if the closure running in it returned early or panicked,
/// so the writer connection is never left inside a transaction.
enum RollbackGuard<'c> {
    Sqlite(Option<&'c rusqlite::Connection>),
}

impl RollbackGuard<'_> {
    fn disarm(&mut self) {
        let RollbackGuard::Sqlite(conn) = self;
        *conn = None;
    }
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        let RollbackGuard::Sqlite(conn) = self;
        if let Some(conn) = conn {
            let _ = sqlite_control(conn, "ROLLBACK");
        }
    }
}

/// Maps "no row" to `None` for single-row lookups.
pub(crate) fn optional<T>(result: StoreResult<T>) -> StoreResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NoRow) => Ok(None),
        Err(e) => Err(e),
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
            let db = Db::open(&Location::Dir(dir.clone())).unwrap();
            db.write_blocking(|tx| settings::set(tx, "probe", "1"))
                .unwrap();
        }
        let db = Db::open(&Location::Dir(dir.clone())).unwrap();
        let value = db.read_blocking(|c| settings::get(c, "probe")).unwrap();
        assert_eq!(value.as_deref(), Some("1"));
        let tables = db.read_blocking(tables).unwrap();
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

    /// A memory reader answers what the caches hold and marks what they do not; a read
    /// transaction fills them; a commit to their table empties them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn memory_reads_answer_from_what_reads_filled_until_a_write() {
        let db = Db::open(&Location::Ephemeral).unwrap();
        let insert = |id: &'static str| {
            db.write_blocking(move |tx| {
                tx.execute(
                    "INSERT INTO objects (id, kind, created_at) VALUES (?1, 'ig_media', 0)",
                    [id],
                )
            })
            .unwrap();
        };
        insert("1");
        let lookup = |r: &Reader| objects::lookup(r, "1");
        let (missed, found) = db.read_memory_probe(lookup);
        assert!(missed, "nothing was read yet: {found:?}");

        let direct = db.read(move |r| objects::lookup(r, "1")).await.unwrap();
        assert_eq!(
            direct.as_deref(),
            Some(&objects::Object {
                kind: "ig_media".to_string(),
                target: None
            })
        );
        let (missed, found) = db.read_memory_probe(lookup);
        assert_eq!((missed, found.unwrap()), (false, direct.clone()));
        // Through the public entry point: the same answer.
        let answered = db
            .read_memory_first(move |r| objects::lookup(r, "1"))
            .await
            .unwrap();
        assert_eq!(answered, direct);

        // A new row leaves what was read of the others; an update makes it stale.
        let absent = db.read(move |r| objects::lookup(r, "2")).await.unwrap();
        assert_eq!(absent, None);
        insert("2");
        let (missed, found) = db.read_memory_probe(lookup);
        assert_eq!((missed, found.unwrap()), (false, direct.clone()));
        let (missed, _) = db.read_memory_probe(|r| objects::lookup(r, "2"));
        assert!(missed, "the absence of the row just inserted is stale");
        db.write_blocking(|tx| {
            tx.execute(
                "UPDATE objects SET target_id = ?1 WHERE id = ?2",
                ["2", "1"],
            )
        })
        .unwrap();
        let (missed, _) = db.read_memory_probe(lookup);
        assert!(missed, "an update to objects empties what was kept");
        // A memory reader never runs a statement.
        let (missed, result) = db.read_memory_probe(|r| settings::get(r, "probe"));
        assert!(missed);
        assert!(matches!(result, Err(StoreError::NotInMemory)));
    }
}
