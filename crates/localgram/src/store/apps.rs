//! Meta apps: ids, secrets, client tokens, redirect URIs and access level.

use super::sql::{params, Reader, Row, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub client_token: String,
    /// Instagram Login uses its own app id and secret (ref 002-004 inventory §1.2).
    pub instagram_app_id: String,
    pub instagram_app_secret: String,
    /// `standard` or `advanced`.
    pub access_level: String,
    /// The version unversioned calls use: the latest when the app was created.
    pub api_version: String,
    pub redirect_uris: Vec<String>,
    pub require_appsecret_proof: bool,
    pub created_at: i64,
}

const COLUMNS: &str = "id, name, secret, client_token, instagram_app_id, instagram_app_secret, \
                       access_level, api_version, redirect_uris, require_appsecret_proof, created_at";

fn from_row(row: &Row) -> crate::store::StoreResult<App> {
    let uris: String = row.get(8)?;
    Ok(App {
        id: row.get(0)?,
        name: row.get(1)?,
        secret: row.get(2)?,
        client_token: row.get(3)?,
        instagram_app_id: row.get(4)?,
        instagram_app_secret: row.get(5)?,
        access_level: row.get(6)?,
        api_version: row.get(7)?,
        redirect_uris: serde_json::from_str(&uris).unwrap_or_default(),
        require_appsecret_proof: row.get(9)?,
        created_at: row.get(10)?,
    })
}

pub fn insert(conn: &Writer, app: &App) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO apps ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            app.id,
            app.name,
            app.secret,
            app.client_token,
            app.instagram_app_id,
            app.instagram_app_secret,
            app.access_level,
            app.api_version,
            serde_json::to_string(&app.redirect_uris).unwrap_or_else(|_| "[]".into()),
            app.require_appsecret_proof,
            app.created_at
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<App>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM apps WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

/// Finds an app by its Meta app id or its Instagram app id.
pub fn find_by_any_id(conn: &Reader, id: &str) -> StoreResult<Option<App>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM apps WHERE id = ?1 OR instagram_app_id = ?1"
    ))?;
    optional(stmt.query_row([id], from_row))
}

pub fn list(conn: &Reader) -> StoreResult<Vec<App>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM apps ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map((), from_row)?;
    rows.collect::<Result<_, _>>()
}
