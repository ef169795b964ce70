//! Instagram-scoped ids: the id under which one professional account sees a person
//! (ref 002-004 inventory §1.7). Minted once per (person, account), the same for every app.

use super::sql::{params, Reader, Writer};
use graph::ids::{IdKind, IdMinter};

use super::{objects, optional, StoreResult};

pub fn get(conn: &Reader, person_id: &str, account_id: &str) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT igsid FROM igsids WHERE person_id = ?1 AND account_id = ?2")?;
    optional(stmt.query_row(params![person_id, account_id], |r| r.get(0)))
}

/// The IGSID of a person for an account, minted the first time they meet.
pub fn get_or_mint(
    conn: &Writer,
    ids: &IdMinter,
    person_id: &str,
    account_id: &str,
    now: i64,
) -> StoreResult<String> {
    if let Some(igsid) = get(conn, person_id, account_id)? {
        return Ok(igsid);
    }
    let igsid = objects::mint_alias(conn, ids, IdKind::Igsid, "igsid", Some(person_id), now)?;
    conn.execute(
        "INSERT INTO igsids (person_id, account_id, igsid) VALUES (?1, ?2, ?3)",
        params![person_id, account_id, igsid],
    )?;
    Ok(igsid)
}

/// Who an IGSID names: `(person_id, account_id)`.
pub fn resolve(conn: &Reader, igsid: &str) -> StoreResult<Option<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT person_id, account_id FROM igsids WHERE igsid = ?1")?;
    optional(stmt.query_row([igsid], |r| Ok((r.get(0)?, r.get(1)?))))
}
