//! Welcome message flows of an account (ads that open an Instagram Direct conversation).

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub id: String,
    pub account_id: String,
    pub name: String,
    /// The canonical JSON text the API returns in `welcome_message_flow`.
    pub flow: String,
    /// Upper case, e.g. `INSTAGRAM`.
    pub platforms: Vec<String>,
    pub is_used_in_ad: bool,
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, account_id, name, flow, platforms, is_used_in_ad, created_at, updated_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Flow> {
    let platforms: String = r.get(4)?;
    Ok(Flow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        name: r.get(2)?,
        flow: r.get(3)?,
        platforms: platforms
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        is_used_in_ad: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

/// Newest first, then later writes first, then id (`store::order`).
fn sort_key(created_at: i64, sequence: i64, id: &str) -> String {
    super::order::newest_first(created_at, sequence, id)
}

pub fn insert(conn: &Writer, f: &Flow) -> StoreResult<()> {
    let key = sort_key(f.created_at, super::order::next_sequence(conn)?, &f.id);
    conn.execute(
        &format!(
            "INSERT INTO welcome_flows ({COLUMNS}, sort_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        params![
            f.id,
            f.account_id,
            f.name,
            f.flow,
            f.platforms.join(","),
            f.is_used_in_ad,
            f.created_at,
            f.updated_at,
            key
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Flow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM welcome_flows WHERE id = ?1"
    ))?;
    optional(stmt.query_row([id], from_row))
}

pub fn update(conn: &Writer, f: &Flow) -> StoreResult<()> {
    conn.execute(
        "UPDATE welcome_flows SET name = ?2, flow = ?3, platforms = ?4, updated_at = ?5
         WHERE id = ?1",
        params![f.id, f.name, f.flow, f.platforms.join(","), f.updated_at],
    )?;
    Ok(())
}

pub fn delete(conn: &Writer, id: &str) -> StoreResult<()> {
    conn.execute("DELETE FROM welcome_flows WHERE id = ?1", [id])?;
    Ok(())
}

/// A window of an account's flows, newest first, keyset-paged on the sort key.
pub fn list(
    conn: &Reader,
    account_id: &str,
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Flow)>> {
    let (cmp, order, key) = match (before, after) {
        (Some(before), _) => ("<", "DESC", Some(before)),
        (None, Some(after)) => (">", "ASC", Some(after)),
        (None, None) => (">", "ASC", None),
    };
    let sql = format!(
        "SELECT {COLUMNS}, sort_key FROM welcome_flows
         WHERE account_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR sort_key {cmp} ?2)
         ORDER BY sort_key {order} LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![account_id, key, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| Ok((r.get::<_, String>(8)?, from_row(r)?)),
    )?;
    rows.collect::<Result<_, _>>()
}
