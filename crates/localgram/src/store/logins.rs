//! Authorization codes and app roles: what the login dialogs write and read.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub code: String,
    pub app_id: String,
    /// `instagram` or `facebook`.
    pub login: String,
    pub subject_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

const COLUMNS: &str =
    "code, app_id, login, subject_id, redirect_uri, scopes, created_at, expires_at, used_at";

fn from_row(r: &Row) -> crate::store::StoreResult<Code> {
    let scopes: String = r.get(5)?;
    Ok(Code {
        code: r.get(0)?,
        app_id: r.get(1)?,
        login: r.get(2)?,
        subject_id: r.get(3)?,
        redirect_uri: r.get(4)?,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        created_at: r.get(6)?,
        expires_at: r.get(7)?,
        used_at: r.get(8)?,
    })
}

pub fn insert_code(conn: &Writer, code: &Code) -> StoreResult<()> {
    conn.execute(
        &format!("INSERT INTO oauth_codes ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![
            code.code,
            code.app_id,
            code.login,
            code.subject_id,
            code.redirect_uri,
            code.scopes.join(","),
            code.created_at,
            code.expires_at,
            code.used_at
        ],
    )?;
    Ok(())
}

pub fn code(conn: &Reader, code: &str) -> StoreResult<Option<Code>> {
    optional(conn.query_row(
        &format!("SELECT {COLUMNS} FROM oauth_codes WHERE code = ?1"),
        [code],
        from_row,
    ))
}

/// Marks a code used; false when it was used already (two racing exchanges: one wins).
pub fn use_code(conn: &Writer, code: &str, at: i64) -> StoreResult<bool> {
    let changed = conn.execute(
        "UPDATE oauth_codes SET used_at = ?2 WHERE code = ?1 AND used_at IS NULL",
        params![code, at],
    )?;
    Ok(changed == 1)
}

pub fn add_role(conn: &Writer, app_id: &str, account_id: &str, role: &str) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO app_roles (app_id, account_id, role) VALUES (?1, ?2, ?3)
         ON CONFLICT (app_id, account_id) DO UPDATE SET role = excluded.role",
        params![app_id, account_id, role],
    )?;
    Ok(())
}

pub fn has_role(conn: &Reader, app_id: &str, account_id: &str) -> StoreResult<bool> {
    let mut stmt = conn
        .prepare_cached("SELECT COUNT(*) FROM app_roles WHERE app_id = ?1 AND account_id = ?2")?;
    Ok(stmt.query_row(params![app_id, account_id], |r| r.get::<_, i64>(0))? > 0)
}

pub fn roles_of(conn: &Reader, app_id: &str) -> StoreResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT account_id, role FROM app_roles WHERE app_id = ?1 ORDER BY account_id",
    )?;
    let rows = stmt.query_map([app_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<Result<_, _>>()
}
