//! The store's own handles on the database: [`Reader`] for reads, [`Writer`] for one write
//! transaction, [`Row`] and [`Statement`] for what they return. Store modules speak only these
//! types, so the same SQL runs on SQLite and on PostgreSQL.
//!
//! Values cross the boundary as SQLite's five storage classes ([`ValueRef`]). On PostgreSQL a
//! parameter is converted to whatever type the server inferred for it (an integer bound to a
//! TEXT column becomes its decimal text, a 0/1 to a BOOLEAN a boolean) and every column type
//! the schema uses reads back as one of those classes, so store code sees SQLite's leniency on
//! both engines. SQL is written once with `?N` placeholders; PostgreSQL gets `$N`.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{StoreError, StoreResult};

/// A value as SQLite stores it, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A value as SQLite stores it, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(n) => ValueRef::Integer(*n),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

/// Something that can be bound as a statement parameter.
pub trait ToSql {
    fn to_sql(&self) -> ValueRef<'_>;
}

macro_rules! integer_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> ValueRef<'_> {
                ValueRef::Integer(*self as i64)
            }
        }
    )*};
}
// Counters and sizes never come near i64::MAX; `as` keeps the binding infallible.
integer_to_sql!(i64, i32, i16, u32, u16, u8, usize, u64);

impl ToSql for bool {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}
impl ToSql for f64 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}
impl ToSql for str {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToSql for String {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToSql for [u8] {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToSql for Vec<u8> {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToSql for Value {
    fn to_sql(&self) -> ValueRef<'_> {
        self.as_ref()
    }
}
impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> ValueRef<'_> {
        (**self).to_sql()
    }
}
impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.to_sql(),
            None => ValueRef::Null,
        }
    }
}

/// A statement's parameters: `params![a, b]`, an array `[a, b]` of one type, or `()`.
pub trait Params {
    fn values(&self) -> Vec<ValueRef<'_>>;
}
impl Params for () {
    fn values(&self) -> Vec<ValueRef<'_>> {
        Vec::new()
    }
}
impl Params for &[&dyn ToSql] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(|p| p.to_sql()).collect()
    }
}
impl<T: ToSql, const N: usize> Params for [T; N] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(|p| p.to_sql()).collect()
    }
}
impl Params for Vec<Value> {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(Value::as_ref).collect()
    }
}

/// `params![a, b, c]`: parameters of mixed types.
#[macro_export]
macro_rules! sql_params {
    () => { () };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::sql::ToSql),+] as &[&dyn $crate::store::sql::ToSql]
    };
}
pub use crate::sql_params as params;

/// Something a column can be read as.
pub trait FromSql: Sized {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String>;
}

fn type_error(value: ValueRef<'_>, wanted: &str) -> String {
    format!("cannot read {value:?} as {wanted}")
}

macro_rules! integer_from_sql {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
                match value {
                    ValueRef::Integer(n) => <$t>::try_from(n).map_err(|_| type_error(value, stringify!($t))),
                    // SQLite hands back whole REALs from arithmetic; PostgreSQL numerics too.
                    ValueRef::Real(f) if f.fract() == 0.0 => Ok(f as $t),
                    _ => Err(type_error(value, stringify!($t))),
                }
            }
        }
    )*};
}
integer_from_sql!(i64, i32, u32, u16, u8, usize, u64);

impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Integer(n) => Ok(n != 0),
            _ => Err(type_error(value, "bool")),
        }
    }
}
impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(n) => Ok(n as f64),
            _ => Err(type_error(value, "f64")),
        }
    }
}
impl FromSql for String {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Text(s) => Ok(s.to_string()),
            _ => Err(type_error(value, "text")),
        }
    }
}
impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            ValueRef::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => Err(type_error(value, "blob")),
        }
    }
}
impl FromSql for Value {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        Ok(match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_string()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_sql(other).map(Some),
        }
    }
}

/// A column position. Only `usize`, so that `row.get(0)` needs no annotation.
pub trait ColumnIndex {
    fn index(self) -> usize;
}
impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One result row.
pub struct Row<'r> {
    inner: RowInner<'r>,
}

enum RowInner<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r super::pg::PgRow),
}

impl Row<'_> {
    /// Column `idx` read as `T`, SQLite-leniently on both engines.
    pub fn get<I: ColumnIndex, T: FromSql>(&self, idx: I) -> StoreResult<T> {
        let idx = idx.index();
        let converted = match &self.inner {
            RowInner::Sqlite(row) => {
                let value = row.get_ref(idx)?;
                T::from_sql(from_sqlite(value))
            }
            RowInner::Postgres(row) => T::from_sql(row.value(idx)?),
        };
        converted.map_err(|e| StoreError::Type(format!("column {idx}: {e}")))
    }

    /// How many columns the row has.
    pub fn len(&self) -> usize {
        match &self.inner {
            RowInner::Sqlite(row) => row.as_ref().column_count(),
            RowInner::Postgres(row) => row.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn from_sqlite(value: rusqlite::types::ValueRef<'_>) -> ValueRef<'_> {
    use rusqlite::types::ValueRef as S;
    match value {
        S::Null => ValueRef::Null,
        S::Integer(n) => ValueRef::Integer(n),
        S::Real(f) => ValueRef::Real(f),
        // Text is always written from Rust strings; anything else reads as a blob.
        S::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => ValueRef::Text(s),
            Err(_) => ValueRef::Blob(t),
        },
        S::Blob(b) => ValueRef::Blob(b),
    }
}

/// Binds our values to rusqlite without copying them.
struct SqliteParam<'a>(ValueRef<'a>);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as S};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            ValueRef::Null => S::Null,
            ValueRef::Integer(n) => S::Integer(n),
            ValueRef::Real(f) => S::Real(f),
            ValueRef::Text(s) => S::Text(s.as_bytes()),
            ValueRef::Blob(b) => S::Blob(b),
        }))
    }
}

fn sqlite_params<'a>(values: &'a [ValueRef<'a>]) -> Vec<SqliteParam<'a>> {
    values.iter().map(|v| SqliteParam(*v)).collect()
}

/// The connection a [`Reader`] or [`Writer`] runs on.
pub(super) enum Handle<'c> {
    Sqlite(&'c rusqlite::Connection),
    Postgres(&'c RefCell<super::pg::PgConn>),
    /// No connection: only what the read caches hold (see [`Reader::in_memory`]).
    Memory(&'c super::cache::ReadCache, super::Engine),
}

/// Read access to committed state, inside one consistent snapshot. It cannot write: a GET
/// holds only a `Reader`.
pub struct Reader<'c> {
    pub(super) handle: Handle<'c>,
    /// Set when a memory reader was asked for something only the database has.
    missed: std::cell::Cell<bool>,
    /// For a read transaction: the read caches and their generations taken before it began,
    /// so what it reads of a cached kind is kept there (stale at once if a write committed
    /// meanwhile). Never on a writer, which sees its own uncommitted rows.
    fill: Option<(&'c super::cache::ReadCache, super::cache::Generations)>,
}

impl<'c> Reader<'c> {
    pub(super) fn new(handle: Handle<'c>) -> Self {
        Reader {
            handle,
            missed: std::cell::Cell::new(false),
            fill: None,
        }
    }

    /// A read transaction's reader that keeps what it reads of a cached kind in `cache`.
    pub(super) fn filling(
        handle: Handle<'c>,
        cache: &'c super::cache::ReadCache,
        generations: super::cache::Generations,
    ) -> Self {
        Reader {
            fill: Some((cache, generations)),
            ..Reader::new(handle)
        }
    }

    /// Where to keep what this reader read of a cached kind, with the generations it is
    /// valid at.
    pub(super) fn fill(&self) -> Option<(&'c super::cache::ReadCache, super::cache::Generations)> {
        self.fill
    }

    /// A reader that answers only from the read caches, on the calling thread: a render that
    /// needs nothing else then costs no trip to a database thread. Any statement fails with
    /// [`StoreError::NotInMemory`] and marks the reader [`missed`](Reader::missed), and the
    /// caller runs the render again on a real reader.
    pub(super) fn in_memory(cache: &'c super::cache::ReadCache, engine: super::Engine) -> Self {
        Reader::new(Handle::Memory(cache, engine))
    }

    /// Whether a memory reader could not answer something (whatever the render made of the
    /// error): its result must not be used.
    pub fn missed(&self) -> bool {
        self.missed.get()
    }

    /// The read caches, for a memory reader; `None` on a connection, whose snapshot must not
    /// be mixed with values cached from newer commits.
    pub(super) fn memory(&self) -> Option<&'c super::cache::ReadCache> {
        match self.handle {
            Handle::Memory(cache, _) => Some(cache),
            _ => None,
        }
    }

    /// What a memory reader answers for what it does not hold.
    pub(super) fn not_in_memory(&self) -> StoreError {
        self.missed.set(true);
        StoreError::NotInMemory
    }

    /// Which engine runs underneath, for the few statements the dialects spell differently.
    pub fn engine(&self) -> super::Engine {
        match self.handle {
            Handle::Sqlite(_) => super::Engine::Sqlite,
            Handle::Postgres(_) => super::Engine::Postgres,
            Handle::Memory(_, engine) => engine,
        }
    }

    /// A statement, prepared once per connection and reused.
    pub fn prepare_cached(&self, sql: &str) -> StoreResult<Statement<'_, 'c>> {
        let prepared = match &self.handle {
            Handle::Sqlite(conn) => Prepared::Sqlite(conn.prepare_cached(sql)?),
            Handle::Postgres(_) => Prepared::Postgres(sql.to_string()),
            Handle::Memory(..) => return Err(self.not_in_memory()),
        };
        Ok(Statement {
            reader: self,
            prepared,
        })
    }

    /// The first row mapped by `f`; `StoreError::NoRow` when there is none.
    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Every row mapped by `f`.
    pub fn query_map<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnMut(&Row) -> StoreResult<T>,
    ) -> StoreResult<Rows<T>> {
        self.prepare_cached(sql)?.query_map(params, f)
    }

    /// Runs a statement that changes rows. Only a [`Writer`] exposes it.
    fn execute_raw(&self, sql: &str, values: &[ValueRef<'_>]) -> StoreResult<usize> {
        match &self.handle {
            Handle::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(sqlite_params(values)))?)
            }
            Handle::Postgres(conn) => conn.borrow_mut().execute(sql, values),
            Handle::Memory(..) => Err(self.not_in_memory()),
        }
    }

    fn execute_batch_raw(&self, sql: &str) -> StoreResult<()> {
        match &self.handle {
            Handle::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Handle::Postgres(conn) => conn.borrow_mut().batch_execute(sql),
            Handle::Memory(..) => Err(self.not_in_memory()),
        }
    }
}

enum Prepared<'s> {
    Sqlite(rusqlite::CachedStatement<'s>),
    Postgres(String),
}

/// What [`Statement::query_map`] answers: each row's mapped result.
pub type Rows<T> = std::vec::IntoIter<StoreResult<T>>;

/// A prepared query.
pub struct Statement<'s, 'c> {
    reader: &'s Reader<'c>,
    prepared: Prepared<'s>,
}

impl Statement<'_, '_> {
    pub fn query_row<T, P: Params>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let values = params.values();
        match &mut self.prepared {
            Prepared::Sqlite(stmt) => {
                let bound = sqlite_params(&values);
                let mut rows = stmt.query(rusqlite::params_from_iter(bound))?;
                match rows.next()? {
                    Some(row) => f(&Row {
                        inner: RowInner::Sqlite(row),
                    }),
                    None => Err(StoreError::NoRow),
                }
            }
            Prepared::Postgres(sql) => {
                let Handle::Postgres(conn) = &self.reader.handle else {
                    unreachable!("a PostgreSQL statement runs on a PostgreSQL handle")
                };
                let rows = conn.borrow_mut().query(sql.as_str(), &values)?;
                match rows.first() {
                    Some(row) => f(&Row {
                        inner: RowInner::Postgres(row),
                    }),
                    None => Err(StoreError::NoRow),
                }
            }
        }
    }

    /// Every row mapped by `f`, as results to collect (`.collect::<StoreResult<Vec<_>>>()`).
    pub fn query_map<T, P: Params>(
        &mut self,
        params: P,
        mut f: impl FnMut(&Row) -> StoreResult<T>,
    ) -> StoreResult<Rows<T>> {
        let values = params.values();
        let mut out = Vec::new();
        match &mut self.prepared {
            Prepared::Sqlite(stmt) => {
                let bound = sqlite_params(&values);
                let mut rows = stmt.query(rusqlite::params_from_iter(bound))?;
                while let Some(row) = rows.next()? {
                    out.push(f(&Row {
                        inner: RowInner::Sqlite(row),
                    }));
                }
            }
            Prepared::Postgres(sql) => {
                let Handle::Postgres(conn) = &self.reader.handle else {
                    unreachable!("a PostgreSQL statement runs on a PostgreSQL handle")
                };
                let rows = conn.borrow_mut().query(sql.as_str(), &values)?;
                for row in &rows {
                    out.push(f(&Row {
                        inner: RowInner::Postgres(row),
                    }));
                }
            }
        }
        Ok(out.into_iter())
    }

    /// Runs the statement for its changes. Reachable only through a [`WriteStatement`].
    fn execute_values(&mut self, values: &[ValueRef<'_>]) -> StoreResult<usize> {
        match &mut self.prepared {
            Prepared::Sqlite(stmt) => {
                Ok(stmt.execute(rusqlite::params_from_iter(sqlite_params(values)))?)
            }
            Prepared::Postgres(sql) => {
                let Handle::Postgres(conn) = &self.reader.handle else {
                    unreachable!("a PostgreSQL statement runs on a PostgreSQL handle")
                };
                conn.borrow_mut().execute(sql.as_str(), values)
            }
        }
    }

    /// Whether the query returns any row.
    pub fn exists<P: Params>(&mut self, params: P) -> StoreResult<bool> {
        match self.query_row(params, |_| Ok(())) {
            Ok(()) => Ok(true),
            Err(StoreError::NoRow) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The names of the result's columns.
    pub fn column_names(&self) -> StoreResult<Vec<String>> {
        match &self.prepared {
            Prepared::Sqlite(stmt) => Ok(stmt
                .column_names()
                .into_iter()
                .map(str::to_string)
                .collect()),
            Prepared::Postgres(sql) => {
                let Handle::Postgres(conn) = &self.reader.handle else {
                    unreachable!("a PostgreSQL statement runs on a PostgreSQL handle")
                };
                conn.borrow_mut().column_names(sql)
            }
        }
    }
}

/// What a committed write changed, announced on the change feed (`store::feed`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// The kind of object: a node kind (`ig_comment`) or, for rows without one, the table.
    pub kind: String,
    /// The object's id, when the change names one object.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The webhook field of the event the change produced, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event: Option<String>,
    /// For a table written with no object announced: only new rows were added (no row was
    /// updated or deleted), so what was read of other rows still holds.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub inserted_only: bool,
}

/// One write transaction: everything done through it commits together or not at all.
/// It reads like a [`Reader`] (it derefs to one) and sees its own uncommitted writes.
pub struct Writer<'c> {
    reader: Reader<'c>,
    changes: RefCell<Vec<Change>>,
    /// Each table written, and whether only by plain inserts.
    tables: RefCell<HashMap<String, bool>>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(handle: Handle<'c>) -> Self {
        Writer {
            reader: Reader::new(handle),
            changes: RefCell::new(Vec::new()),
            tables: RefCell::new(HashMap::new()),
        }
    }

    /// Runs a statement that changes rows; answers how many it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> StoreResult<usize> {
        let values = params.values();
        let changed = self.reader.execute_raw(sql, &values)?;
        self.note_written(written_table(sql), plain_insert(sql), changed);
        Ok(changed)
    }

    /// A statement that may change rows, prepared once per connection and reused.
    pub fn prepare_cached(&self, sql: &str) -> StoreResult<WriteStatement<'_, 'c>> {
        Ok(WriteStatement {
            statement: self.reader.prepare_cached(sql)?,
            writer: self,
            table: written_table(sql).map(str::to_string),
            plain_insert: plain_insert(sql),
        })
    }

    fn note_written(&self, table: Option<&str>, plain_insert: bool, changed: usize) {
        if changed > 0 {
            if let Some(table) = table {
                let mut tables = self.tables.borrow_mut();
                match tables.get_mut(table) {
                    Some(only_inserts) => *only_inserts &= plain_insert,
                    None => {
                        tables.insert(table.to_string(), plain_insert);
                    }
                }
            }
        }
    }

    /// Runs several statements without parameters (migrations, wipes).
    pub fn execute_batch(&self, sql: &str) -> StoreResult<()> {
        self.reader.execute_batch_raw(sql)
    }

    /// Announces that an object changed, for the change feed once the write commits.
    pub fn changed(&self, kind: &str, id: &str) {
        self.changes.borrow_mut().push(Change {
            kind: kind.to_string(),
            id: Some(id.to_string()),
            event: None,
            inserted_only: false,
        });
    }

    /// Announces an event (a webhook field) on an object.
    pub fn event(&self, kind: &str, id: &str, field: &str) {
        self.changes.borrow_mut().push(Change {
            kind: kind.to_string(),
            id: Some(id.to_string()),
            event: Some(field.to_string()),
            inserted_only: false,
        });
    }

    /// What this transaction changed: the announced objects, then each table written with no
    /// object announced for it.
    pub(super) fn into_changes(self) -> Vec<Change> {
        let mut changes = self.changes.into_inner();
        let mut tables: Vec<(String, bool)> = self.tables.into_inner().into_iter().collect();
        tables.sort();
        for (table, inserted_only) in tables {
            changes.push(Change {
                kind: table,
                id: None,
                inserted_only,
                event: None,
            });
        }
        changes
    }
}

/// A prepared statement of a [`Writer`]: it queries like a [`Statement`] and can also execute.
pub struct WriteStatement<'s, 'c> {
    statement: Statement<'s, 'c>,
    writer: &'s Writer<'c>,
    table: Option<String>,
    plain_insert: bool,
}

impl WriteStatement<'_, '_> {
    pub fn execute<P: Params>(&mut self, params: P) -> StoreResult<usize> {
        let values = params.values();
        let changed = self.statement.execute_values(&values)?;
        self.writer
            .note_written(self.table.as_deref(), self.plain_insert, changed);
        Ok(changed)
    }
}

impl<'s, 'c> std::ops::Deref for WriteStatement<'s, 'c> {
    type Target = Statement<'s, 'c>;
    fn deref(&self) -> &Statement<'s, 'c> {
        &self.statement
    }
}

impl std::ops::DerefMut for WriteStatement<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.statement
    }
}

impl<'c> std::ops::Deref for Writer<'c> {
    type Target = Reader<'c>;
    fn deref(&self) -> &Reader<'c> {
        &self.reader
    }
}

/// The table an INSERT, UPDATE or DELETE statement writes.
fn written_table(sql: &str) -> Option<&str> {
    let mut words = sql.split_whitespace();
    let first = words.next()?;
    let table = if first.eq_ignore_ascii_case("INSERT") || first.eq_ignore_ascii_case("DELETE") {
        words.nth(1)
    } else if first.eq_ignore_ascii_case("UPDATE") {
        words.next()
    } else {
        None
    }?;
    Some(table.split('(').next().unwrap_or(table))
}

/// Whether a statement only adds rows: an INSERT that neither replaces nor updates on a
/// conflict (`ON CONFLICT ... DO NOTHING` adds or leaves alone).
fn plain_insert(sql: &str) -> bool {
    let upper = sql.trim_start().to_ascii_uppercase();
    upper.starts_with("INSERT") && !upper.starts_with("INSERT OR") && !upper.contains("DO UPDATE")
}

/// `?N` placeholders as PostgreSQL's `$N`, leaving string literals and identifiers alone.
pub fn to_postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '?' => out.push('$'),
                _ => out.push(c),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_literals() {
        assert_eq!(
            to_postgres_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?2"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $2"
        );
    }

    #[test]
    fn written_tables_are_found() {
        assert_eq!(
            written_table("INSERT INTO media (id) VALUES (?1)"),
            Some("media")
        );
        assert_eq!(
            written_table("insert into media(id) values (?1)"),
            Some("media")
        );
        assert_eq!(written_table("UPDATE comments SET x = 1"), Some("comments"));
        assert_eq!(
            written_table("DELETE FROM tokens WHERE a = ?1"),
            Some("tokens")
        );
        assert_eq!(written_table("SELECT 1"), None);
        assert!(plain_insert("INSERT INTO objects (id) VALUES (?1)"));
        assert!(plain_insert(
            "INSERT INTO objects (id) VALUES (?1) ON CONFLICT (id) DO NOTHING"
        ));
        assert!(!plain_insert(
            "INSERT INTO x (a) VALUES (?1) ON CONFLICT (a) DO UPDATE SET a = 2"
        ));
        assert!(!plain_insert("UPDATE objects SET target_id = ?1"));
        assert!(!plain_insert("DELETE FROM objects"));
    }

    #[test]
    fn lenient_reads() {
        assert_eq!(bool::from_sql(ValueRef::Integer(1)), Ok(true));
        assert_eq!(i64::from_sql(ValueRef::Real(3.0)), Ok(3));
        assert!(i64::from_sql(ValueRef::Real(3.5)).is_err());
        assert_eq!(
            Option::<String>::from_sql(ValueRef::Null),
            Ok(None::<String>)
        );
        assert!(u8::from_sql(ValueRef::Integer(300)).is_err());
    }
}
