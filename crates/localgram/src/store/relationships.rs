//! How a person and an account stand (who follows whom, blocks), the person's verified
//! badge, and per-account messaging switches: what the User Profile API and the inbox rules
//! read.

use super::sql::{params, Reader, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Relationship {
    /// The person follows the account (`is_user_follow_business`).
    pub follows_account: bool,
    /// The account follows the person (`is_business_follow_user`).
    pub followed_by_account: bool,
    /// The person blocked the account.
    pub blocked: bool,
}

/// How they stand; no row means none of it.
pub fn get(conn: &Reader, person_id: &str, account_id: &str) -> StoreResult<Relationship> {
    let mut stmt = conn.prepare_cached(
        "SELECT follows_account, followed_by_account, blocked FROM person_relationships
         WHERE person_id = ?1 AND account_id = ?2",
    )?;
    let found = optional(stmt.query_row(params![person_id, account_id], |r| {
        Ok(Relationship {
            follows_account: r.get(0)?,
            followed_by_account: r.get(1)?,
            blocked: r.get(2)?,
        })
    }))?;
    Ok(found.unwrap_or_default())
}

pub fn set(conn: &Writer, person_id: &str, account_id: &str, r: Relationship) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO person_relationships
         (person_id, account_id, follows_account, followed_by_account, blocked)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (person_id, account_id) DO UPDATE SET
         follows_account = ?3, followed_by_account = ?4, blocked = ?5",
        params![
            person_id,
            account_id,
            r.follows_account,
            r.followed_by_account,
            r.blocked
        ],
    )?;
    Ok(())
}

pub fn is_verified(conn: &Reader, person_id: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached("SELECT is_verified_user FROM people WHERE id = ?1")?;
    Ok(optional(stmt.query_row([person_id], |r| r.get(0)))?.unwrap_or(false))
}

pub fn set_verified(conn: &Writer, person_id: &str, verified: bool) -> StoreResult<()> {
    conn.execute(
        "UPDATE people SET is_verified_user = ?2 WHERE id = ?1",
        params![person_id, verified],
    )?;
    Ok(())
}

/// Per-account messaging switches.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// The multi-image beta: `None` follows the rollout date.
    pub multi_image_send: Option<bool>,
    /// The account's own IGSID, once it messaged itself in the Instagram app.
    pub self_igsid: Option<String>,
}

pub fn settings(conn: &Reader, account_id: &str) -> StoreResult<Settings> {
    let mut stmt = conn.prepare_cached(
        "SELECT multi_image_send, self_igsid FROM messaging_settings WHERE account_id = ?1",
    )?;
    let found = optional(stmt.query_row([account_id], |r| {
        Ok(Settings {
            multi_image_send: r.get(0)?,
            self_igsid: r.get(1)?,
        })
    }))?;
    Ok(found.unwrap_or_default())
}

pub fn set_settings(conn: &Writer, account_id: &str, s: &Settings) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO messaging_settings (account_id, multi_image_send, self_igsid)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET multi_image_send = ?2, self_igsid = ?3",
        params![account_id, s.multi_image_send, s.self_igsid],
    )?;
    Ok(())
}

/// The account whose self IGSID this is.
pub fn self_igsid_owner(conn: &Reader, igsid: &str) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT account_id FROM messaging_settings WHERE self_igsid = ?1")?;
    optional(stmt.query_row([igsid], |r| r.get(0)))
}
