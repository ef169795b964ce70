//! Instagram professional accounts, the Facebook users and Pages linked to them, and the
//! app-scoped ids Instagram Login gives them.

use super::sql::{params, Reader, Row, Writer};
use std::sync::Arc;

use super::{optional, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub name: String,
    /// `BUSINESS` or `CREATOR`.
    pub account_type: String,
    pub biography: String,
    pub website: Option<String>,
    pub profile_picture_url: Option<String>,
    pub followers_count: i64,
    pub follows_count: i64,
    pub is_private: bool,
    pub is_published: bool,
    pub legacy_instagram_user_id: String,
    pub shopping_product_tag_eligibility: bool,
    pub page_id: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, username, name, account_type, biography, website, profile_picture_url, \
     followers_count, follows_count, is_private, is_published, legacy_instagram_user_id, \
     shopping_product_tag_eligibility, page_id, created_at";

fn from_row(row: &Row) -> crate::store::StoreResult<Account> {
    Ok(Account {
        id: row.get(0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        account_type: row.get(3)?,
        biography: row.get(4)?,
        website: row.get(5)?,
        profile_picture_url: row.get(6)?,
        followers_count: row.get(7)?,
        follows_count: row.get(8)?,
        is_private: row.get(9)?,
        is_published: row.get(10)?,
        legacy_instagram_user_id: row.get(11)?,
        shopping_product_tag_eligibility: row.get(12)?,
        page_id: row.get(13)?,
        created_at: row.get(14)?,
    })
}

/// Instagram usernames are global: an account and a person cannot share one.
pub fn username_taken(conn: &Reader, username: &str) -> StoreResult<bool> {
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM accounts WHERE username = ?1)
              + (SELECT COUNT(*) FROM people WHERE username = ?1)",
        [username],
        |r| r.get::<_, i64>(0),
    )? > 0)
}

pub fn insert(conn: &Writer, account: &Account) -> StoreResult<()> {
    if username_taken(conn, &account.username)? {
        return Err(StoreError::Conflict(format!(
            "username {} is taken",
            account.username
        )));
    }
    conn.execute(
        &format!(
            "INSERT INTO accounts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ),
        params![
            account.id,
            account.username,
            account.name,
            account.account_type,
            account.biography,
            account.website,
            account.profile_picture_url,
            account.followers_count,
            account.follows_count,
            account.is_private,
            account.is_published,
            account.legacy_instagram_user_id,
            account.shopping_product_tag_eligibility,
            account.page_id,
            account.created_at
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Account>> {
    Ok(get_shared(conn, id)?.map(Arc::unwrap_or_clone))
}

/// [`get`] as the read cache holds it: shared, so a cached account is not copied.
pub fn get_shared(conn: &Reader, id: &str) -> StoreResult<Option<Arc<Account>>> {
    if let Some(cache) = conn.memory() {
        return cache.accounts.get(id).ok_or_else(|| conn.not_in_memory());
    }
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"))?;
    let found = optional(stmt.query_row([id], from_row))?.map(Arc::new);
    if let Some((cache, at)) = conn.fill() {
        cache
            .accounts
            .put(id.to_string(), at.accounts, found.clone());
    }
    Ok(found)
}

/// The account with this username (stored in lower case).
pub fn by_username(conn: &Reader, username: &str) -> StoreResult<Option<Account>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE username = ?1"
    ))?;
    optional(stmt.query_row([username.to_ascii_lowercase()], from_row))
}

pub fn list(conn: &Reader) -> StoreResult<Vec<Account>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM accounts ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map((), from_row)?;
    rows.collect::<Result<_, _>>()
}

/// The account a Page is linked to, if any.
pub fn by_page(conn: &Reader, page_id: &str) -> StoreResult<Option<Account>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE page_id = ?1"
    ))?;
    optional(stmt.query_row([page_id], from_row))
}

/// Whether a Facebook user manages the Page the account is linked to.
pub fn is_managed_by(conn: &Reader, account_id: &str, facebook_user_id: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM accounts a JOIN pages p ON p.id = a.page_id
         WHERE a.id = ?1 AND p.facebook_user_id = ?2",
    )?;
    Ok(stmt.query_row(params![account_id, facebook_user_id], |r| {
        r.get::<_, i64>(0)
    })? > 0)
}

pub fn media_count(conn: &Reader, account_id: &str) -> StoreResult<i64> {
    // Stories and carousel children are not counted (ref 001 L5847-6095: "published IG Media").
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM media WHERE account_id = ?1 AND parent_id IS NULL
         AND media_product_type NOT IN ('STORY', 'LIVE')",
    )?;
    stmt.query_row([account_id], |r| r.get(0))
}

// ----- app-scoped ids (Instagram Login) ---------------------------------------------------

/// The read cache's key for an app-scoped id (ids are digits: `|` separates them).
pub fn scoped_key(app_id: &str, account_id: &str) -> String {
    let mut key = String::with_capacity(app_id.len() + account_id.len() + 1);
    write_scoped_key(&mut key, app_id, account_id);
    key
}

fn write_scoped_key(key: &mut String, app_id: &str, account_id: &str) {
    key.clear();
    key.push_str(app_id);
    key.push('|');
    key.push_str(account_id);
}

pub fn app_scoped_id(conn: &Reader, app_id: &str, account_id: &str) -> StoreResult<Option<String>> {
    if let Some(cache) = conn.memory() {
        // Every Instagram Login render asks: the key is built in this thread's buffer.
        thread_local! {
            static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let hit = KEY.with(|key| {
            let mut key = key.borrow_mut();
            write_scoped_key(&mut key, app_id, account_id);
            cache.app_scoped_ids.get(key.as_str())
        });
        return hit.ok_or_else(|| conn.not_in_memory());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT scoped_id FROM app_scoped_ids WHERE app_id = ?1 AND account_id = ?2",
    )?;
    let found: Option<String> =
        optional(stmt.query_row(params![app_id, account_id], |r| r.get(0)))?;
    if let Some((cache, at)) = conn.fill() {
        cache.app_scoped_ids.put(
            scoped_key(app_id, account_id),
            at.app_scoped_ids,
            found.clone(),
        );
    }
    Ok(found)
}

pub fn insert_app_scoped_id(
    conn: &Writer,
    app_id: &str,
    account_id: &str,
    scoped_id: &str,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO app_scoped_ids (app_id, account_id, scoped_id) VALUES (?1, ?2, ?3)",
        params![app_id, account_id, scoped_id],
    )?;
    Ok(())
}

// ----- Facebook users and Pages -------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct FacebookUser {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub id: String,
    pub name: String,
    pub category: String,
    pub facebook_user_id: String,
    /// The Page tasks the Facebook user may perform (`MANAGE`, `CREATE_CONTENT`, ...).
    pub tasks: Vec<String>,
    pub created_at: i64,
    /// The Facebook user's role on the Page came through Business Manager.
    pub role_via_business_manager: bool,
}

pub fn insert_facebook_user(conn: &Writer, user: &FacebookUser) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO facebook_users (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![user.id, user.name, user.created_at],
    )?;
    Ok(())
}

pub fn facebook_user(conn: &Reader, id: &str) -> StoreResult<Option<FacebookUser>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, created_at FROM facebook_users WHERE id = ?1")?;
    optional(stmt.query_row([id], |r| {
        Ok(FacebookUser {
            id: r.get(0)?,
            name: r.get(1)?,
            created_at: r.get(2)?,
        })
    }))
}

fn page_from_row(r: &Row) -> crate::store::StoreResult<Page> {
    let tasks: String = r.get(4)?;
    Ok(Page {
        id: r.get(0)?,
        name: r.get(1)?,
        category: r.get(2)?,
        facebook_user_id: r.get(3)?,
        tasks: tasks
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        created_at: r.get(5)?,
        role_via_business_manager: r.get(6)?,
    })
}

pub fn insert_page(conn: &Writer, page: &Page) -> StoreResult<()> {
    // A Facebook user's Pages list in the order they were created (`store::order`).
    let key = super::order::oldest_first(
        page.created_at,
        super::order::next_sequence(conn)?,
        &page.id,
    );
    conn.execute(
        "INSERT INTO pages (id, name, category, facebook_user_id, tasks, created_at, role_via_business_manager, sort_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![page.id, page.name, page.category, page.facebook_user_id, page.tasks.join(","), page.created_at, page.role_via_business_manager, key],
    )?;
    Ok(())
}

/// One window of a Facebook user's Pages in creation order, keyset-paged on their sort key:
/// `after` a key (forward) or `before` one (backward, nearest first).
pub fn pages_window(
    conn: &Reader,
    facebook_user_id: &str,
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Page)>> {
    let (cursor, order) = match (before, after) {
        (Some(_), _) => ("sort_key < ?2", "DESC"),
        (None, Some(_)) => ("sort_key > ?2", "ASC"),
        (None, None) => ("CAST(?2 AS TEXT) IS NULL", "ASC"),
    };
    let sql = format!(
        "SELECT id, name, category, facebook_user_id, tasks, created_at, role_via_business_manager, sort_key
         FROM pages WHERE facebook_user_id = ?1 AND {cursor}
         ORDER BY sort_key {order} LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![facebook_user_id, before.or(after), limit as i64],
        |r| Ok((r.get::<_, String>(7)?, page_from_row(r)?)),
    )?;
    rows.collect::<Result<_, _>>()
}

pub fn page(conn: &Reader, id: &str) -> StoreResult<Option<Page>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, category, facebook_user_id, tasks, created_at, role_via_business_manager FROM pages WHERE id = ?1",
    )?;
    optional(stmt.query_row([id], page_from_row))
}

pub fn pages_of(conn: &Reader, facebook_user_id: &str) -> StoreResult<Vec<Page>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, category, facebook_user_id, tasks, created_at, role_via_business_manager FROM pages
         WHERE facebook_user_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([facebook_user_id], page_from_row)?;
    rows.collect::<Result<_, _>>()
}
