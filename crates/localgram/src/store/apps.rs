//! Meta apps: ids, secrets, client tokens, redirect URIs, access levels, mode, Business
//! Verification, login type and the business login settings' callbacks.

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
    /// `live` or `development`.
    pub mode: String,
    pub business_verified: bool,
    /// `instagram` or `facebook` once the app chose one login; `None` takes either.
    pub login_type: Option<String>,
    /// Permissions (wire names) App Review granted Advanced Access.
    pub advanced_permissions: Vec<String>,
    pub deauthorize_callback_url: Option<String>,
    pub data_deletion_url: Option<String>,
}

const COLUMNS: &str = "id, name, secret, client_token, instagram_app_id, instagram_app_secret, \
                       access_level, api_version, redirect_uris, require_appsecret_proof, created_at, \
                       mode, business_verified, login_type, advanced_permissions, \
                       deauthorize_callback_url, data_deletion_url";

fn from_row(row: &Row) -> crate::store::StoreResult<App> {
    let uris: String = row.get(8)?;
    let advanced: String = row.get(14)?;
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
        mode: row.get(11)?,
        business_verified: row.get(12)?,
        login_type: row.get(13)?,
        advanced_permissions: serde_json::from_str(&advanced).unwrap_or_default(),
        deauthorize_callback_url: row.get(15)?,
        data_deletion_url: row.get(16)?,
    })
}

pub fn insert(conn: &Writer, app: &App) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO apps ({COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
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
            json_list(&app.redirect_uris),
            app.require_appsecret_proof,
            app.created_at,
            app.mode,
            app.business_verified,
            app.login_type,
            json_list(&app.advanced_permissions),
            app.deauthorize_callback_url,
            app.data_deletion_url
        ],
    )?;
    Ok(())
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Writes the settings the dashboard changes after creation (everything but ids, secrets and
/// the creation time).
pub fn update_settings(conn: &Writer, app: &App) -> StoreResult<()> {
    conn.execute(
        "UPDATE apps SET name = ?2, access_level = ?3, api_version = ?4, redirect_uris = ?5, \
         require_appsecret_proof = ?6, mode = ?7, business_verified = ?8, login_type = ?9, \
         advanced_permissions = ?10, deauthorize_callback_url = ?11, data_deletion_url = ?12 \
         WHERE id = ?1",
        params![
            app.id,
            app.name,
            app.access_level,
            app.api_version,
            json_list(&app.redirect_uris),
            app.require_appsecret_proof,
            app.mode,
            app.business_verified,
            app.login_type,
            json_list(&app.advanced_permissions),
            app.deauthorize_callback_url,
            app.data_deletion_url
        ],
    )?;
    Ok(())
}

/// Notes the first successful call of `app_id` with `permission` (later ones change nothing;
/// a note arriving after its app was wiped by a reset is dropped).
pub fn note_call(conn: &Writer, app_id: &str, permission: &str, at: i64) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO app_permission_calls (app_id, permission, first_call_at) \
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM apps WHERE id = ?1) \
         ON CONFLICT (app_id, permission) DO NOTHING",
        params![app_id, permission, at],
    )?;
    Ok(())
}

/// The permissions `app_id` made at least one successful call with.
pub fn called_permissions(conn: &Reader, app_id: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT permission FROM app_permission_calls WHERE app_id = ?1 ORDER BY permission",
    )?;
    let rows = stmt.query_map([app_id], |r| r.get::<_, String>(0))?;
    rows.collect::<Result<_, _>>()
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

/// Forgets every noted call (a reset or an imported snapshot starts a new world).
pub fn clear_calls(conn: &Writer) -> StoreResult<()> {
    conn.execute("DELETE FROM app_permission_calls", ())?;
    Ok(())
}
