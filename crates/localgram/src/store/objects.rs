//! The object registry: every Graph id, its node kind, and the minting of new ids.

use super::sql::{params, Reader, Writer};
use graph::ids::{IdKind, IdMinter};

use super::{optional, settings, StoreError, StoreResult};

const COUNTER_KEY: &str = "id_counter";

/// Mints a fresh id of `kind` and registers it as a node of `node_kind`. Runs inside the
/// caller's transaction, so the counter and the object commit with the row that uses them.
pub fn mint(
    conn: &Writer,
    minter: &IdMinter,
    kind: IdKind,
    node_kind: &str,
    now: i64,
) -> StoreResult<String> {
    mint_alias(conn, minter, kind, node_kind, None, now)
}

/// Like [`mint`], for an id that names another object (an app-scoped id of an account).
pub fn mint_alias(
    conn: &Writer,
    minter: &IdMinter,
    kind: IdKind,
    node_kind: &str,
    target: Option<&str>,
    now: i64,
) -> StoreResult<String> {
    let mut counter: u64 = settings::get(conn, COUNTER_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Kinds share digit spaces, so a new id can meet an older one of another kind: skip it.
    for _ in 0..64 {
        counter += 1;
        let id = minter.mint(kind, counter);
        let inserted = conn
            .prepare_cached(
                "INSERT INTO objects (id, kind, target_id, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![id, node_kind, target, now])?;
        if inserted == 1 {
            settings::set(conn, COUNTER_KEY, &counter.to_string())?;
            return Ok(id);
        }
    }
    Err(StoreError::Conflict("could not mint a free id".into()))
}

/// What an id names: the kind of node, and the node an alias stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub kind: String,
    /// For an alias (an app-scoped id, an app's Instagram app id): what it names.
    pub target: Option<String>,
}

/// What node an id names. Shared: the read cache hands it out without copying.
pub fn lookup(conn: &Reader, id: &str) -> StoreResult<Option<std::sync::Arc<Object>>> {
    if let Some(cache) = conn.memory() {
        return cache.objects.get(id).ok_or_else(|| conn.not_in_memory());
    }
    let mut stmt = conn.prepare_cached("SELECT kind, target_id FROM objects WHERE id = ?1")?;
    let found = optional(stmt.query_row([id], |r| {
        Ok(std::sync::Arc::new(Object {
            kind: r.get(0)?,
            target: r.get(1)?,
        }))
    }))?;
    if let Some((cache, at)) = conn.fill() {
        cache.objects.put(id.to_string(), at.objects, found.clone());
    }
    Ok(found)
}

/// Makes `alias` name the object `target` (an app's Instagram app id names the app).
pub fn set_alias(conn: &Writer, alias: &str, target: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE objects SET target_id = ?1 WHERE id = ?2",
        [target, alias],
    )?;
    Ok(())
}
