//! The Handover Protocol's state (8.14): the roles an account gave apps in its conversations
//! and which app controls each conversation.

use super::sql::{params, Reader, Writer};
use super::{optional, StoreResult};

pub const PRIMARY: &str = "primary_receiver";
pub const SECONDARY: &str = "secondary_receiver";

/// An account's receivers: at most one primary, any number of secondaries (app id order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles {
    pub primary: Option<String>,
    pub secondary: Vec<String>,
}

impl Roles {
    /// The role `app_id` holds, if any.
    pub fn of(&self, app_id: &str) -> Option<&'static str> {
        if self.primary.as_deref() == Some(app_id) {
            Some(PRIMARY)
        } else if self.secondary.iter().any(|a| a == app_id) {
            Some(SECONDARY)
        } else {
            None
        }
    }
}

pub fn roles(conn: &Reader, account_id: &str) -> StoreResult<Roles> {
    let rows = conn.query_map(
        "SELECT app_id, role FROM handover_roles WHERE account_id = ?1 ORDER BY app_id",
        [account_id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )?;
    let mut roles = Roles::default();
    for row in rows {
        let (app_id, role) = row?;
        if role == PRIMARY {
            roles.primary = Some(app_id);
        } else {
            roles.secondary.push(app_id);
        }
    }
    Ok(roles)
}

/// Replaces the account's roles.
pub fn set_roles(conn: &Writer, account_id: &str, roles: &Roles) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM handover_roles WHERE account_id = ?1",
        params![account_id],
    )?;
    let all = roles
        .primary
        .iter()
        .map(|a| (a, PRIMARY))
        .chain(roles.secondary.iter().map(|a| (a, SECONDARY)));
    for (app_id, role) in all {
        conn.execute(
            "INSERT INTO handover_roles (account_id, app_id, role) VALUES (?1, ?2, ?3)",
            params![account_id, app_id, role],
        )?;
    }
    Ok(())
}

/// The app controlling the conversation with `igsid`, and since when (Unix ms), when it is
/// not the primary receiver by default.
pub fn owner(conn: &Reader, account_id: &str, igsid: &str) -> StoreResult<Option<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner_app_id, updated_at FROM thread_control WHERE account_id = ?1 AND igsid = ?2",
    )?;
    optional(stmt.query_row([account_id, igsid], |r| Ok((r.get(0)?, r.get(1)?))))
}

pub fn set_owner(
    conn: &Writer,
    account_id: &str,
    igsid: &str,
    app_id: &str,
    now_ms: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO thread_control (account_id, igsid, owner_app_id, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account_id, igsid)
         DO UPDATE SET owner_app_id = excluded.owner_app_id, updated_at = excluded.updated_at",
        params![account_id, igsid, app_id, now_ms],
    )?;
    Ok(())
}

/// Every conversation of the account with a recorded controller, by IGSID.
pub fn owners(conn: &Reader, account_id: &str) -> StoreResult<Vec<(String, String, i64)>> {
    let rows = conn.query_map(
        "SELECT igsid, owner_app_id, updated_at FROM thread_control WHERE account_id = ?1
         ORDER BY igsid",
        [account_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    rows.collect()
}

/// The app controlling the conversation with `igsid`: its recorded owner, else the primary
/// receiver; `None` when the account has no primary receiver (no Handover Protocol: every
/// app receives every event).
pub fn controller(conn: &Reader, account_id: &str, igsid: &str) -> StoreResult<Option<String>> {
    let Some(primary) = roles(conn, account_id)?.primary else {
        return Ok(None);
    };
    Ok(Some(
        owner(conn, account_id, igsid)?.map_or(primary, |(app, _)| app),
    ))
}
