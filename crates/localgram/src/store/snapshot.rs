//! Exporting, importing and wiping the whole state, table by table.
//!
//! A snapshot is `{"format":"localgram-snapshot","schema":N,"tables":{name:[row,...]}}` with
//! each row an object of column values. Import replaces everything in one transaction and
//! accepts only known tables and columns, so a bad snapshot changes nothing.

use super::sql::{Reader, Value as SqlValue, Writer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{tables, StoreError, StoreResult, MIGRATIONS};

pub const FORMAT: &str = "localgram-snapshot";

fn schema_version() -> i64 {
    MIGRATIONS.iter().map(|(v, _)| *v).max().unwrap_or(0)
}

fn columns(conn: &Reader, table: &str) -> StoreResult<Vec<String>> {
    let sql = format!("SELECT * FROM {table} LIMIT 0");
    conn.prepare_cached(&sql)?.column_names()
}

pub fn export(conn: &Reader) -> StoreResult<Value> {
    let mut out_tables = Map::new();
    for table in tables(conn)? {
        let table = table.as_str();
        let names = columns(conn, table)?;
        let sql = format!("SELECT * FROM {table} ORDER BY 1");
        let out = conn
            .query_map(&sql, (), |row| {
                let mut object = Map::new();
                for (i, name) in names.iter().enumerate() {
                    let value = match row.get::<_, SqlValue>(i)? {
                        SqlValue::Null => Value::Null,
                        SqlValue::Integer(n) => json!(n),
                        SqlValue::Real(f) => json!(f),
                        SqlValue::Text(t) => json!(t),
                        SqlValue::Blob(b) => json!({ "base64": STANDARD.encode(b) }),
                    };
                    object.insert(name.clone(), value);
                }
                Ok(Value::Object(object))
            })?
            .collect::<StoreResult<Vec<_>>>()?;
        out_tables.insert(table.to_string(), Value::Array(out));
    }
    Ok(json!({ "format": FORMAT, "schema": schema_version(), "tables": out_tables }))
}

/// Deletes every row of every state table, children first.
pub fn wipe(conn: &Writer) -> StoreResult<()> {
    for table in tables(conn)?.iter().rev() {
        conn.execute(&format!("DELETE FROM {table}"), ())?;
    }
    Ok(())
}

/// Replaces everything with the snapshot in `body` (JSON), inside the caller's transaction.
/// Rows are parsed and inserted one at a time, table by table in dependency order, so a
/// snapshot of millions of rows never exists as a JSON tree in memory; any error leaves the
/// transaction to roll back.
pub fn import(conn: &Writer, body: &[u8]) -> StoreResult<()> {
    let bad = |m: &str| StoreError::Snapshot(m.to_string());
    let syntax = |e: serde_json::Error| StoreError::Snapshot(format!("invalid JSON body: {e}"));
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let envelope: Envelope = serde_json::from_slice(body).map_err(syntax)?;
    if envelope.format.as_ref().and_then(Value::as_str) != Some(FORMAT) {
        return Err(bad("\"format\" must be \"localgram-snapshot\""));
    }
    if envelope.schema.as_ref().and_then(Value::as_i64) != Some(schema_version()) {
        return Err(bad(&format!("\"schema\" must be {}", schema_version())));
    }
    let snapshot_tables: BTreeMap<String, &RawValue> = envelope
        .tables
        .and_then(|raw| serde_json::from_str(raw.get()).ok())
        .ok_or_else(|| bad("\"tables\" must be an object"))?;
    let known_tables = tables(conn)?;
    if let Some(unknown) = snapshot_tables.keys().find(|k| !known_tables.contains(k)) {
        return Err(bad(&format!("unknown table {unknown}")));
    }
    wipe(conn)?;
    for table in &known_tables {
        let Some(rows) = snapshot_tables.get(table) else {
            continue;
        };
        let inserter = TableRows {
            conn,
            table,
            known: columns(conn, table)?,
            failure: RefCell::new(None),
        };
        let mut parser = serde_json::Deserializer::from_str(rows.get());
        let parsed = serde::Deserializer::deserialize_any(&mut parser, &inserter);
        if let Some(failure) = inserter.failure.take() {
            return Err(failure);
        }
        parsed.map_err(syntax)?;
    }
    // What summarises the webhook outbox follows the rows imported.
    super::events::rebuild(conn)?;
    // And the media edge's cap follows the media (a snapshot may have been written by hand).
    super::media::rebuild_caps(conn)?;
    Ok(())
}

/// The snapshot's top level; the tables stay unparsed until their turn comes.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    format: Option<Value>,
    schema: Option<Value>,
    #[serde(borrow)]
    tables: Option<&'a RawValue>,
}

/// Inserts a table's rows as the parser meets them. A store error is kept in `failure`
/// (serde's errors carry only text).
struct TableRows<'w, 'c> {
    conn: &'w Writer<'c>,
    table: &'w str,
    known: Vec<String>,
    failure: RefCell<Option<StoreError>>,
}

impl TableRows<'_, '_> {
    fn fail<E: serde::de::Error>(&self, error: StoreError) -> E {
        let message = error.to_string();
        self.failure.replace(Some(error));
        E::custom(message)
    }

    fn insert(&self, object: &Map<String, Value>) -> StoreResult<()> {
        let table = self.table;
        if let Some(col) = object.keys().find(|k| !self.known.contains(k)) {
            return Err(StoreError::Snapshot(format!(
                "unknown column {table}.{col}"
            )));
        }
        let names: Vec<&str> = object.keys().map(String::as_str).collect();
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        let values: Vec<SqlValue> = object.values().map(to_sql).collect::<StoreResult<_>>()?;
        self.conn.execute(&sql, values)?;
        Ok(())
    }
}

impl<'de> serde::de::Visitor<'de> for &TableRows<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an array of {} rows", self.table)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut rows: A) -> Result<(), A::Error> {
        while let Some(row) = rows.next_element::<Value>()? {
            let Value::Object(object) = row else {
                let message = format!("rows of {} must be objects", self.table);
                return Err(self.fail(StoreError::Snapshot(message)));
            };
            self.insert(&object).map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    // Anything but an array is the same mistake.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_an_array())
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Err(self.not_an_array())
    }
}

impl TableRows<'_, '_> {
    fn not_an_array<E: serde::de::Error>(&self) -> E {
        self.fail(StoreError::Snapshot(format!(
            "{} must be an array",
            self.table
        )))
    }
}

fn to_sql(value: &Value) -> StoreResult<SqlValue> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(o) => match o.get("base64").and_then(Value::as_str) {
            Some(b64) => SqlValue::Blob(
                STANDARD
                    .decode(b64)
                    .map_err(|_| StoreError::Snapshot("invalid base64 blob".into()))?,
            ),
            None => {
                return Err(StoreError::Snapshot(
                    "objects are only allowed for blobs".into(),
                ))
            }
        },
        Value::Array(_) => return Err(StoreError::Snapshot("arrays are not column values".into())),
    })
}
