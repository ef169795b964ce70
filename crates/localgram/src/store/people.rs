//! Instagram users who are not the apps' accounts: the commenters and customers tests play.

use super::sql::{params, Reader, Row, Writer};

use super::{accounts::username_taken, optional, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: String,
    pub username: String,
    pub name: String,
    pub profile_picture_url: Option<String>,
    pub is_private: bool,
    pub followers_count: i64,
    pub created_at: i64,
    /// Indirect reads of this person's media leave `like_count` out.
    pub hide_like_counts: bool,
}

const COLUMNS: &str =
    "id, username, name, profile_picture_url, is_private, followers_count, created_at, hide_like_counts";

fn from_row(r: &Row) -> crate::store::StoreResult<Person> {
    Ok(Person {
        id: r.get(0)?,
        username: r.get(1)?,
        name: r.get(2)?,
        profile_picture_url: r.get(3)?,
        is_private: r.get(4)?,
        followers_count: r.get(5)?,
        created_at: r.get(6)?,
        hide_like_counts: r.get(7)?,
    })
}

pub fn insert(conn: &Writer, person: &Person) -> StoreResult<()> {
    if username_taken(conn, &person.username)? {
        return Err(StoreError::Conflict(format!(
            "username {} is taken",
            person.username
        )));
    }
    conn.execute(
        &format!("INSERT INTO people ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            person.id,
            person.username,
            person.name,
            person.profile_picture_url,
            person.is_private,
            person.followers_count,
            person.created_at,
            person.hide_like_counts
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Reader, id: &str) -> StoreResult<Option<Person>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM people WHERE id = ?1"))?;
    optional(stmt.query_row([id], from_row))
}

/// The person with this username (stored in lower case).
pub fn by_username(conn: &Reader, username: &str) -> StoreResult<Option<Person>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM people WHERE username = ?1"))?;
    optional(stmt.query_row([username.to_ascii_lowercase()], from_row))
}

pub fn list(conn: &Reader) -> StoreResult<Vec<Person>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM people ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map((), from_row)?;
    rows.collect::<Result<_, _>>()
}
