//! PostgreSQL, the engine for a localgram shared by several instances: a pool of connections
//! (r2d2 over the synchronous `postgres` client, used only from blocking threads), statements
//! prepared once per connection, values converted to and from SQLite's storage classes, and
//! the dialect's few differences from SQLite.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use postgres::{Client, NoTls};

use super::sql::{to_postgres_placeholders, ValueRef};
use super::{StoreError, StoreResult};

/// Every write transaction takes this advisory lock first: writes from all instances run one
/// at a time, as on SQLite, so a check-then-insert (a publishing limit, a messaging window,
/// an id counter) means the same on both engines.
pub const WRITE_LOCK_KEY: i64 = 0x6c67_7772; // "lgwr"

/// Bumped after each commit; other instances compare it to know their caches are stale.
pub const CHANGES_SEQUENCE: &str = "localgram_changes";

/// The channel committed writes are announced on, per schema: instances share a feed exactly
/// when they share the tables.
pub fn channel(pool: &PgPool) -> StoreResult<String> {
    let conn = pool.get()?;
    let rows = conn
        .borrow_mut()
        .query("SELECT current_schema()::text", &[])?;
    match rows.first().map(|r| r.value(0)).transpose()? {
        Some(ValueRef::Text(schema)) => Ok(format!("localgram_changes_{schema}")),
        _ => Err(StoreError::Database(
            "the PostgreSQL search_path names no existing schema".into(),
        )),
    }
}

/// A schema `name` (created if new) in the database at `url`, and a URL whose connections use
/// it: one isolated localgram per test on one PostgreSQL server. `name` must be a plain
/// lower-case identifier.
pub fn schema_url(url: &str, name: &str) -> StoreResult<String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Database(format!(
            "invalid schema name {name:?}"
        )));
    }
    let config = parse_url(url)?;
    let mut client = config
        .connect(NoTls)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let schema = name;
    client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}options=-csearch_path%3D{schema}"))
}

/// Statements kept prepared per connection before the cache starts over.
const STATEMENT_CACHE: usize = 2_000;

/// A pooled connection and the statements prepared on it.
pub struct PgConn {
    client: Client,
    statements: HashMap<String, postgres::Statement>,
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> StoreResult<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(&to_postgres_placeholders(sql))
            .map_err(|e| pg_error(e, sql))?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub fn query(&mut self, sql: &str, values: &[ValueRef<'_>]) -> StoreResult<Vec<PgRow>> {
        let statement = self.statement(sql)?;
        let rows = bound(values, |params| self.client.query(&statement, params))
            .map_err(|e| pg_error(e, sql))?;
        Ok(rows.into_iter().map(PgRow).collect())
    }

    pub fn execute(&mut self, sql: &str, values: &[ValueRef<'_>]) -> StoreResult<usize> {
        let statement = self.statement(sql)?;
        let changed = bound(values, |params| self.client.execute(&statement, params))
            .map_err(|e| pg_error(e, sql))?;
        Ok(changed as usize)
    }

    pub fn batch_execute(&mut self, sql: &str) -> StoreResult<()> {
        self.client.batch_execute(sql).map_err(|e| pg_error(e, sql))
    }

    pub fn column_names(&mut self, sql: &str) -> StoreResult<Vec<String>> {
        let statement = self.statement(sql)?;
        Ok(statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect())
    }

    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

/// Runs `f` with `values` as the client's parameters, each converted to the type PostgreSQL
/// inferred for it.
fn bound<R>(values: &[ValueRef<'_>], f: impl FnOnce(&[&(dyn ToSql + Sync)]) -> R) -> R {
    let params: Vec<PgParam> = values.iter().map(|v| PgParam(*v)).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    f(&refs)
}

/// Connection errors are an outage (Meta's transient code 2); the rest are bugs or conflicts.
fn pg_error(error: postgres::Error, sql: &str) -> StoreError {
    if error.is_closed() || error.as_db_error().is_none() && error.code().is_none() {
        return StoreError::Unavailable(error.to_string());
    }
    let code = error
        .code()
        .map(|c| c.code().to_string())
        .unwrap_or_default();
    // 40001/40P01: a serialization failure or deadlock; retrying is the answer.
    if code == "40001" || code == "40P01" {
        return StoreError::Unavailable(error.to_string());
    }
    let first_line = sql.lines().next().unwrap_or("").trim();
    StoreError::Database(format!("{error} [{code}] in `{first_line}`"))
}

/// A result row.
pub struct PgRow(postgres::Row);

impl PgRow {
    pub fn value(&self, idx: usize) -> StoreResult<ValueRef<'_>> {
        let any: PgAny = self
            .0
            .try_get(idx)
            .map_err(|e| StoreError::Type(format!("column {idx}: {e}")))?;
        Ok(any.0)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Any column the schema uses, read as one of SQLite's storage classes.
struct PgAny<'a>(ValueRef<'a>);

impl<'a> FromSql<'a> for PgAny<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let value = match *ty {
            Type::BOOL => ValueRef::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => ValueRef::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => ValueRef::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::OID => ValueRef::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => ValueRef::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(raw),
            _ => ValueRef::Text(<&str as FromSql>::from_sql(ty, raw)?),
        };
        Ok(PgAny(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(PgAny(ValueRef::Null))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::BOOL
                | Type::INT2
                | Type::INT4
                | Type::INT8
                | Type::OID
                | Type::FLOAT4
                | Type::FLOAT8
                | Type::NUMERIC
                | Type::BYTEA
        ) || <&str as FromSql>::accepts(ty)
    }
}

/// A NUMERIC (what SUM over integers answers) in binary form: base-10000 digits.
fn numeric(raw: &[u8]) -> Result<ValueRef<'static>, Box<dyn Error + Sync + Send>> {
    let word = |i: usize| -> Result<i16, Box<dyn Error + Sync + Send>> {
        raw.get(i..i + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short numeric".into())
    };
    let ndigits = word(0)? as usize;
    let weight = i32::from(word(2)?);
    let sign = word(4)? as u16;
    let dscale = word(6)?;
    if sign == 0xC000 {
        return Err("NaN numeric".into());
    }
    let mut value = 0f64;
    for i in 0..ndigits {
        let digit = f64::from(word(8 + 2 * i)?);
        value += digit * 10000f64.powi(weight - i as i32);
    }
    if sign == 0x4000 {
        value = -value;
    }
    Ok(if dscale == 0 && value.abs() < 9.0e15 {
        ValueRef::Integer(value as i64)
    } else {
        ValueRef::Real(value)
    })
}

/// A parameter converted to the type PostgreSQL inferred for it.
#[derive(Debug)]
struct PgParam<'a>(ValueRef<'a>);

impl ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(n) => match *ty {
                Type::BOOL => (n != 0).to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT8 => n.to_sql(ty, out),
                Type::FLOAT4 => (n as f32).to_sql(ty, out),
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                _ => n.to_string().as_str().to_sql(ty, out),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::INT8 if f.fract() == 0.0 => (f as i64).to_sql(ty, out),
                _ => f.to_string().as_str().to_sql(ty, out),
            },
            ValueRef::Text(s) => match *ty {
                Type::INT2 => s.parse::<i16>()?.to_sql(ty, out),
                Type::INT4 => s.parse::<i32>()?.to_sql(ty, out),
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                Type::FLOAT8 => s.parse::<f64>()?.to_sql(ty, out),
                Type::BOOL => (s != "0" && !s.is_empty()).to_sql(ty, out),
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.to_sql(ty, out),
            },
            ValueRef::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ => std::str::from_utf8(b)?.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Opens pooled connections and tells r2d2 when one died.
pub struct PgManager {
    config: postgres::Config,
}

// A connection lives in a RefCell so that readers and writers can share `&RefCell<PgConn>`
// (covariant, unlike `RefCell<&mut PgConn>`) while each statement borrows it mutably.
impl r2d2::ManageConnection for PgManager {
    type Connection = RefCell<PgConn>;
    type Error = postgres::Error;

    fn connect(&self) -> Result<RefCell<PgConn>, postgres::Error> {
        Ok(RefCell::new(PgConn {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
        }))
    }

    fn is_valid(&self, conn: &mut RefCell<PgConn>) -> Result<(), postgres::Error> {
        conn.get_mut().client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut RefCell<PgConn>) -> bool {
        conn.get_mut().client.is_closed()
    }
}

pub type PgPool = r2d2::Pool<PgManager>;

/// Connections per instance: enough for the blocking threads that run reads and the writer.
const POOL_SIZE: u32 = 12;

/// How long a request waits for a connection before answering that the service is down.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

pub fn parse_url(url: &str) -> StoreResult<postgres::Config> {
    url.parse::<postgres::Config>()
        .map_err(|e| StoreError::Database(format!("invalid PostgreSQL URL: {e}")))
}

/// A pool that opens connections lazily, so an instance starts (and recovers) whatever the
/// database's state; the first use reports an outage as one.
pub fn pool(config: postgres::Config) -> PgPool {
    r2d2::Pool::builder()
        .max_size(POOL_SIZE)
        .min_idle(Some(0))
        .test_on_check_out(false)
        .connection_timeout(CHECKOUT_TIMEOUT)
        .error_handler(Box::new(QuietErrors))
        .build_unchecked(PgManager { config })
}

/// r2d2 logs every failed connection attempt; during an outage one line per request is
/// enough, and that line comes from the request.
#[derive(Debug)]
struct QuietErrors;

impl r2d2::HandleError<postgres::Error> for QuietErrors {
    fn handle_error(&self, error: postgres::Error) {
        tracing::debug!("PostgreSQL connection attempt failed: {error}");
    }
}

/// The dialect's spelling of the migrations: SQLite's REAL is a 4-byte float in PostgreSQL.
pub fn migration_sql(sql: &str) -> String {
    sql.lines()
        .map(|line| {
            let code = line.split("--").next().unwrap_or("");
            let comment = &line[code.len()..];
            let code = code
                .split_inclusive(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .map(|word| {
                    let (name, tail) = word.split_at(
                        word.find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                            .unwrap_or(word.len()),
                    );
                    if name == "REAL" {
                        format!("DOUBLE PRECISION{tail}")
                    } else {
                        word.to_string()
                    }
                })
                .collect::<String>();
            format!("{code}{comment}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_becomes_double_precision_outside_comments() {
        assert_eq!(
            migration_sql("x REAL, -- real time, REAL\ny REAL\nrealm TEXT"),
            "x DOUBLE PRECISION, -- real time, REAL\ny DOUBLE PRECISION\nrealm TEXT"
        );
    }

    #[test]
    fn numerics_decode() {
        // 12345 = digits [1, 2345], weight 1.
        let raw = [0u8, 2, 0, 1, 0, 0, 0, 0, 0, 1, 0x09, 0x29];
        assert_eq!(numeric(&raw).unwrap(), ValueRef::Integer(12345));
    }
}
