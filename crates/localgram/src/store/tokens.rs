//! Access tokens issued to apps: whose they are, what they may do, and when they end.

use super::sql::{params, Reader, Row, Writer};

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
    /// For a Page token: the user token it was taken from.
    pub parent_token: Option<String>,
}

const COLUMNS: &str =
    "token, app_id, kind, subject_id, scopes, issued_at, expires_at, long_lived, \
                       invalidated_reason, invalidated_at, parent_token";

fn from_row(r: &Row) -> crate::store::StoreResult<Token> {
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
        parent_token: r.get(10)?,
    })
}

/// Long-lived tokens last 60 days.
pub const LONG_LIVED_SECONDS: i64 = 5_184_000;

/// A fresh, unguessable token string shaped like Meta's: `IGAA…` for Instagram Login user
/// tokens, `EAA…` for Facebook tokens. Drawn from the thread-local CSPRNG.
pub fn new_token_string(instagram_login: bool) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    let prefix = if instagram_login { "IGAA" } else { "EAA" };
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::rng(), 160)
    )
}

/// The Page token a Facebook user token gives for one of the user's Pages: it ends with the
/// user token, long-lived when the user token is.
pub fn build_page_token(user: &Token, page_id: &str, now: i64) -> Token {
    let long_lived = user
        .expires_at
        .is_none_or(|end| end - user.issued_at >= LONG_LIVED_SECONDS);
    Token {
        token: new_token_string(false),
        app_id: user.app_id.clone(),
        kind: "page".to_string(),
        subject_id: page_id.to_string(),
        scopes: user.scopes.clone(),
        issued_at: now,
        expires_at: if long_lived { None } else { user.expires_at },
        long_lived,
        invalidated_reason: None,
        invalidated_at: None,
        parent_token: Some(user.token.clone()),
    }
}

/// Inserts a token. A Facebook user token brings the Page token of each Page its user manages
/// in the same transaction, so answering `access_token` on a Page only reads.
pub fn insert(conn: &Writer, token: &Token) -> StoreResult<()> {
    insert_row(conn, token)?;
    if token.kind == "facebook_user" {
        for page in super::accounts::pages_of(conn, &token.subject_id)? {
            if page_token_from(conn, &token.token, &page.id)?.is_none() {
                let page_token = build_page_token(token, &page.id, token.issued_at);
                insert_row(conn, &page_token)?;
            }
        }
    }
    Ok(())
}

fn insert_row(conn: &Writer, token: &Token) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO tokens ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
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
            token.invalidated_at,
            token.parent_token
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, token: &str) -> StoreResult<Option<Token>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tokens WHERE token = ?1"))?;
    optional(stmt.query_row([token], from_row))
}

pub fn invalidate(conn: &Writer, token: &str, reason: &str, at: i64) -> StoreResult<bool> {
    let changed = conn.execute(
        "UPDATE tokens SET invalidated_reason = ?2, invalidated_at = ?3
         WHERE token = ?1 AND invalidated_reason IS NULL",
        params![token, reason, at],
    )?;
    Ok(changed == 1)
}

/// Ends a token and the Page tokens taken from it.
pub fn invalidate_with_children(
    conn: &Writer,
    token: &str,
    reason: &str,
    at: i64,
) -> StoreResult<bool> {
    let changed = invalidate(conn, token, reason, at)?;
    conn.execute(
        "UPDATE tokens SET invalidated_reason = ?2, invalidated_at = ?3
         WHERE parent_token = ?1 AND invalidated_reason IS NULL",
        params![token, reason, at],
    )?;
    Ok(changed)
}

/// Ends every token an app holds for a person (they removed the app), and the Page tokens
/// taken from them.
pub fn revoke_app_for(
    conn: &Writer,
    app_id: &str,
    subject_id: &str,
    at: i64,
) -> StoreResult<usize> {
    let mut stmt = conn.prepare_cached(
        "SELECT token FROM tokens WHERE app_id = ?1 AND subject_id = ?2 AND invalidated_reason IS NULL",
    )?;
    let tokens: Vec<String> = stmt
        .query_map(params![app_id, subject_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for token in &tokens {
        invalidate_with_children(conn, token, "revoked", at)?;
    }
    Ok(tokens.len())
}

/// The Page token already taken from a user token for a Page, if any.
pub fn page_token_from(conn: &Reader, parent: &str, page_id: &str) -> StoreResult<Option<Token>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tokens WHERE parent_token = ?1 AND subject_id = ?2 AND kind = 'page'
         AND invalidated_reason IS NULL"
    ))?;
    optional(stmt.query_row(params![parent, page_id], from_row))
}

/// Shortens a token's life to end at `at` (a test's "expired" invalidation).
pub fn expire(conn: &Writer, token: &str, at: i64) -> StoreResult<bool> {
    let changed = conn.execute(
        "UPDATE tokens SET expires_at = ?2 WHERE token = ?1",
        params![token, at],
    )?;
    conn.execute(
        "UPDATE tokens SET expires_at = ?2 WHERE parent_token = ?1",
        params![token, at],
    )?;
    Ok(changed == 1)
}

/// Removes one permission from every live token an app holds for a person.
pub fn remove_scope(conn: &Writer, app_id: &str, subject_id: &str, scope: &str) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT token, scopes FROM tokens WHERE app_id = ?1 AND (subject_id = ?2 OR parent_token IN
           (SELECT token FROM tokens WHERE app_id = ?1 AND subject_id = ?2))
         AND invalidated_reason IS NULL",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map(params![app_id, subject_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (token, scopes) in rows {
        let kept: Vec<&str> = scopes
            .split(',')
            .filter(|s| !s.is_empty() && *s != scope)
            .collect();
        conn.execute(
            "UPDATE tokens SET scopes = ?2 WHERE token = ?1",
            params![token, kept.join(",")],
        )?;
    }
    Ok(())
}

/// The newest tokens, of one subject (account, Facebook user or Page) when given: the
/// console's list.
pub fn recent(conn: &Reader, subject_id: Option<&str>, limit: usize) -> StoreResult<Vec<Token>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tokens WHERE (CAST(?1 AS TEXT) IS NULL OR subject_id = ?1)
         ORDER BY issued_at DESC, token LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![subject_id, limit as i64], from_row)?;
    rows.collect::<Result<_, _>>()
}
