//! Access tokens issued to apps: whose they are, what they may do, and when they end.

use rusqlite::{params, Connection, Row};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub token: String,
    pub app_id: String,
    /// `instagram_user`, `facebook_user` or `page`.
    pub kind: String,
    /// The IG account, Facebook user or Page the token acts as.
    pub subject_id: String,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub long_lived: bool,
    /// Why the token ended early: `revoked`, `logged_out`, `password_changed`.
    pub invalidated_reason: Option<String>,
    pub invalidated_at: Option<i64>,
}

const COLUMNS: &str =
    "token, app_id, kind, subject_id, scopes, issued_at, expires_at, long_lived, \
                       invalidated_reason, invalidated_at";

fn from_row(r: &Row) -> rusqlite::Result<Token> {
    let scopes: String = r.get(4)?;
    Ok(Token {
        token: r.get(0)?,
        app_id: r.get(1)?,
        kind: r.get(2)?,
        subject_id: r.get(3)?,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        issued_at: r.get(5)?,
        expires_at: r.get(6)?,
        long_lived: r.get(7)?,
        invalidated_reason: r.get(8)?,
        invalidated_at: r.get(9)?,
    })
}

pub fn insert(conn: &Connection, token: &Token) -> StoreResult<()> {
    conn.execute(
        &format!("INSERT INTO tokens ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            token.token,
            token.app_id,
            token.kind,
            token.subject_id,
            token.scopes.join(","),
            token.issued_at,
            token.expires_at,
            token.long_lived,
            token.invalidated_reason,
            token.invalidated_at
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, token: &str) -> StoreResult<Option<Token>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tokens WHERE token = ?1"))?;
    optional(stmt.query_row([token], from_row))
}

pub fn invalidate(conn: &Connection, token: &str, reason: &str, at: i64) -> StoreResult<bool> {
    let changed = conn.execute(
        "UPDATE tokens SET invalidated_reason = ?2, invalidated_at = ?3
         WHERE token = ?1 AND invalidated_reason IS NULL",
        params![token, reason, at],
    )?;
    Ok(changed == 1)
}
