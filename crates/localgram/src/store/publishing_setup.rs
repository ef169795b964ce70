//! What Meta knows outside the API that publishing depends on: Pages with location data
//! (for `location_id`) and per-account flags (restricted, spam, Page PPA and 2FA).

use super::sql::{params, Reader, Writer};

use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub latitude: String,
    pub longitude: String,
    pub created_at: i64,
}

pub fn insert_location(conn: &Writer, location: &Location) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO locations (id, name, latitude, longitude, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            location.id,
            location.name,
            location.latitude,
            location.longitude,
            location.created_at
        ],
    )?;
    Ok(())
}

pub fn location(conn: &Reader, id: &str) -> StoreResult<Option<Location>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, latitude, longitude, created_at FROM locations WHERE id = ?1",
    )?;
    optional(stmt.query_row([id], |r| {
        Ok(Location {
            id: r.get(0)?,
            name: r.get(1)?,
            latitude: r.get(2)?,
            longitude: r.get(3)?,
            created_at: r.get(4)?,
        })
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// 25/2207050 on every publishing call.
    pub restricted: bool,
    /// 4/2207051 when publishing.
    pub spam: bool,
    /// The linked Page requires Page Publishing Authorization, not completed.
    pub ppa_required: bool,
    /// The linked Page requires two-factor authentication the Facebook user has not done.
    pub two_factor_required: bool,
}

pub fn flags(conn: &Reader, account_id: &str) -> StoreResult<Flags> {
    let mut stmt = conn.prepare_cached(
        "SELECT restricted, spam, ppa_required, two_factor_required FROM publishing_flags
         WHERE account_id = ?1",
    )?;
    Ok(optional(stmt.query_row([account_id], |r| {
        Ok(Flags {
            restricted: r.get(0)?,
            spam: r.get(1)?,
            ppa_required: r.get(2)?,
            two_factor_required: r.get(3)?,
        })
    }))?
    .unwrap_or_default())
}

pub fn set_flags(conn: &Writer, account_id: &str, flags: Flags) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM publishing_flags WHERE account_id = ?1",
        [account_id],
    )?;
    conn.execute(
        "INSERT INTO publishing_flags (account_id, restricted, spam, ppa_required, two_factor_required)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            account_id,
            flags.restricted,
            flags.spam,
            flags.ppa_required,
            flags.two_factor_required
        ],
    )?;
    Ok(())
}

/// An Instagram user as tagging sees one: an account or a person, by username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstagramUser {
    pub id: String,
    pub is_private: bool,
}

/// The account or person with `username` (usernames are stored in lower case).
pub fn instagram_user(conn: &Reader, username: &str) -> StoreResult<Option<InstagramUser>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, is_private FROM accounts WHERE username = ?1
         UNION ALL SELECT id, is_private FROM people WHERE username = ?1",
    )?;
    optional(stmt.query_row([username.to_ascii_lowercase()], |r| {
        Ok(InstagramUser {
            id: r.get(0)?,
            is_private: r.get(1)?,
        })
    }))
}

/// Whether the account has an approved Instagram Shop (`shopping_product_tag_eligibility`).
pub fn set_shopping_eligibility(
    conn: &Writer,
    account_id: &str,
    eligible: bool,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE accounts SET shopping_product_tag_eligibility = ?2 WHERE id = ?1",
        params![account_id, eligible],
    )?;
    Ok(())
}
