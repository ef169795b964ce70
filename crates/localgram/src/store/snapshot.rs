//! Exporting, importing and wiping the whole state, table by table.
//!
//! A snapshot is `{"format":"localgram-snapshot","schema":N,"tables":{name:[row,...]}}` with
//! each row an object of column values. Import replaces everything in one transaction and
//! accepts only known tables and columns, so a bad snapshot changes nothing.

use super::sql::{Reader, Value as SqlValue, Writer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

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

pub fn import(conn: &Writer, snapshot: &Value) -> StoreResult<()> {
    let bad = |m: &str| StoreError::Snapshot(m.to_string());
    if snapshot.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(bad("\"format\" must be \"localgram-snapshot\""));
    }
    if snapshot.get("schema").and_then(Value::as_i64) != Some(schema_version()) {
        return Err(bad(&format!("\"schema\" must be {}", schema_version())));
    }
    let snapshot_tables = snapshot
        .get("tables")
        .and_then(Value::as_object)
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
        let rows = rows
            .as_array()
            .ok_or_else(|| bad(&format!("{table} must be an array")))?;
        let known = columns(conn, table)?;
        for row in rows {
            let object = row
                .as_object()
                .ok_or_else(|| bad(&format!("rows of {table} must be objects")))?;
            if let Some(col) = object.keys().find(|k| !known.contains(k)) {
                return Err(bad(&format!("unknown column {table}.{col}")));
            }
            let names: Vec<&String> = object.keys().collect();
            let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                placeholders.join(", ")
            );
            let values: Vec<SqlValue> = object.values().map(to_sql).collect::<StoreResult<_>>()?;
            conn.execute(&sql, values)?;
        }
    }
    // What summarises the webhook outbox follows the rows imported.
    super::events::rebuild(conn)?;
    Ok(())
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
