//! What insights read besides the model: audience profiles set through the control API, the
//! activity tests drove explicitly, and the real likes and comments of an account's media.

use super::sql::{params, Reader, Writer};
use std::collections::HashMap;

use super::{optional, StoreResult};

/// An account's audience profile as stored (JSON; `insights::model::Profile`).
pub fn profile(conn: &Reader, account_id: &str) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT profile FROM audience_profiles WHERE account_id = ?1")?;
    optional(stmt.query_row([account_id], |r| r.get(0)))
}

/// What an account's insights take from the control API besides its media: its audience
/// profile (JSON) if one was set, its explicit follows (+) and unfollows (-) by virtual time,
/// oldest first (they move its followers), and the explicit activity on each of its media.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audience {
    pub profile: Option<String>,
    pub follows: Vec<(i64, i64)>,
    /// Per media: `(at, kind, amount)`, oldest first.
    pub on_media: HashMap<String, Vec<(i64, String, i64)>>,
    /// What the insights module works out from these rows (the parsed profile), so that is
    /// done once per generation too.
    pub derived: Beside,
}

/// A value worked out from a cached one, kept beside it: built on first use, gone with it.
/// Not part of the value it sits beside: it compares equal and clones empty.
#[derive(Default)]
pub struct Beside(std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>);

impl Beside {
    /// The value kept here, built by `build` on first use; `None` if one of another type was
    /// kept first.
    pub fn get_or_init<T: std::any::Any + Send + Sync>(
        &self,
        build: impl FnOnce() -> T,
    ) -> Option<&T> {
        self.0.get_or_init(|| Box::new(build())).downcast_ref()
    }
}

impl Clone for Beside {
    fn clone(&self) -> Self {
        Beside::default()
    }
}

impl PartialEq for Beside {
    fn eq(&self, _: &Beside) -> bool {
        true
    }
}

impl std::fmt::Debug for Beside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Beside")
    }
}

impl Audience {
    /// Explicit follows minus unfollows up to `until`.
    pub fn net_follows(&self, until: i64) -> i64 {
        self.follows
            .iter()
            .take_while(|(at, _)| *at <= until)
            .map(|(_, delta)| delta)
            .sum()
    }

    /// A media's explicit activity up to `until`, summed per kind, by kind (what
    /// [`media_activity`] reads from the database).
    pub fn media_activity(&self, media_id: &str, until: i64) -> Vec<(String, i64)> {
        let mut sums: Vec<(String, i64)> = Vec::new();
        for (_, kind, amount) in self
            .on_media
            .get(media_id)
            .into_iter()
            .flatten()
            .take_while(|(at, _, _)| *at <= until)
        {
            match sums.binary_search_by(|(k, _)| k.as_str().cmp(kind)) {
                Ok(i) => sums[i].1 += amount,
                Err(i) => sums.insert(i, (kind.clone(), *amount)),
            }
        }
        sums
    }
}

/// An account's [`Audience`], from memory while neither table was written since it was read.
pub fn audience(conn: &Reader, account_id: &str) -> StoreResult<std::sync::Arc<Audience>> {
    if let Some(cache) = conn.memory() {
        return cache
            .audiences
            .get(account_id)
            .ok_or_else(|| conn.not_in_memory());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT at, media_id, kind, amount FROM insight_activity
         WHERE account_id = ?1 ORDER BY at",
    )?;
    let rows = stmt.query_map([account_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut found = Audience {
        profile: profile(conn, account_id)?,
        ..Audience::default()
    };
    for row in rows {
        let (at, media_id, kind, amount) = row?;
        match (kind.as_str(), media_id) {
            ("follows", _) => found.follows.push((at, amount)),
            ("unfollows", _) => found.follows.push((at, -amount)),
            (_, Some(media_id)) => found
                .on_media
                .entry(media_id)
                .or_default()
                .push((at, kind, amount)),
            (_, None) => {}
        }
    }
    let found = std::sync::Arc::new(found);
    if let Some((cache, at)) = conn.fill() {
        cache
            .audiences
            .put(account_id.to_string(), at.audiences, found.clone());
    }
    Ok(found)
}

pub fn set_profile(conn: &Writer, account_id: &str, profile: &str, now: i64) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO audience_profiles (account_id, profile, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET profile = ?2, updated_at = ?3",
        params![account_id, profile, now],
    )?;
    Ok(())
}

/// One explicit activity: `amount` of `kind` at `at`, on a media or on the account.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub at: i64,
    pub media_id: Option<String>,
    pub kind: String,
    pub amount: i64,
}

pub fn add_activity(conn: &Writer, account_id: &str, activity: &Activity) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO insight_activity (account_id, at, media_id, kind, amount)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            account_id,
            activity.at,
            activity.media_id,
            activity.kind,
            activity.amount
        ],
    )?;
    Ok(())
}

/// A media's explicit activity up to `until`, summed per kind.
pub fn media_activity(
    conn: &Reader,
    media_id: &str,
    until: i64,
) -> StoreResult<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, SUM(amount) FROM insight_activity
         WHERE media_id = ?1 AND at <= ?2 GROUP BY kind ORDER BY kind",
    )?;
    let rows = stmt.query_map(params![media_id, until], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// The `(media_type, media_product_type)` of the media an activity was on, if any.
pub type MediaKind = Option<(String, String)>;

/// An account's explicit activity by time, with the kind of its media if any.
fn account_activity(conn: &Reader, account_id: &str) -> StoreResult<Vec<(Activity, MediaKind)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.at, a.media_id, a.kind, a.amount, m.media_type, m.media_product_type
         FROM insight_activity a LEFT JOIN media m ON m.id = a.media_id
         WHERE a.account_id = ?1 ORDER BY a.at",
    )?;
    let rows = stmt.query_map(params![account_id], |r| {
        let media_type: Option<String> = r.get(4)?;
        let product: Option<String> = r.get(5)?;
        Ok((
            Activity {
                at: r.get(0)?,
                media_id: r.get(1)?,
                kind: r.get(2)?,
                amount: r.get(3)?,
            },
            media_type.zip(product),
        ))
    })?;
    rows.collect()
}

/// An account's explicit follows minus unfollows up to `until`.
pub fn net_follows(conn: &Reader, account_id: &str, until: i64) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(SUM(CASE WHEN kind = 'follows' THEN amount
                                  WHEN kind = 'unfollows' THEN -amount ELSE 0 END), 0)
         FROM insight_activity WHERE account_id = ?1 AND at <= ?2",
    )?;
    stmt.query_row(params![account_id, until], |r| r.get(0))
}

/// What account sums need about one media.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaFacts {
    pub id: String,
    pub media_type: String,
    pub media_product_type: String,
    pub created_at: i64,
    pub like_count: i64,
    /// Likes with a time of their own (people's likes, explicit activity): the rest of
    /// `like_count` counts at publishing.
    pub timed_likes: i64,
}

/// An account's top-level feed, reels and story media, by creation time, with their timed likes.
fn all_media(conn: &Reader, account_id: &str) -> StoreResult<Vec<MediaFacts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, media_type, media_product_type, created_at, like_count FROM media
         WHERE account_id = ?1 AND parent_id IS NULL
           AND media_product_type IN ('FEED', 'REELS', 'STORY')
         ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map(params![account_id], |r| {
        Ok(MediaFacts {
            id: r.get(0)?,
            media_type: r.get(1)?,
            media_product_type: r.get(2)?,
            created_at: r.get(3)?,
            like_count: r.get(4)?,
            timed_likes: 0,
        })
    })?;
    let mut media: Vec<MediaFacts> = rows.collect::<StoreResult<_>>()?;
    // Likes with a time of their own, per media (only media that have any come back).
    let mut stmt = conn.prepare_cached(
        "SELECT l.object_id, COUNT(*) FROM media m CROSS JOIN likes l
          WHERE l.object_id = m.id AND m.account_id = ?1
          GROUP BY l.object_id
         UNION ALL
         SELECT a.media_id, SUM(a.amount) FROM insight_activity a
          WHERE a.account_id = ?1 AND a.kind = 'likes' AND a.media_id IS NOT NULL
          GROUP BY a.media_id",
    )?;
    let timed = stmt.query_map(params![account_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut by_id: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for row in timed {
        let (id, n) = row?;
        *by_id.entry(id).or_default() += n;
    }
    if !by_id.is_empty() {
        for m in &mut media {
            m.timed_likes = by_id.get(&m.id).copied().unwrap_or(0);
        }
    }
    Ok(media)
}

/// Times of the comments (replies included) and of people's likes on an account's media, with
/// the media's type and product: `(time, media_type, product, is_like)`, by time.
fn all_interactions(
    conn: &Reader,
    account_id: &str,
) -> StoreResult<Vec<(i64, String, String, bool)>> {
    let mut stmt = conn.prepare_cached(
        // From the account's media to their comments and likes (both indexed by media).
        "SELECT c.created_at, m.media_type, m.media_product_type, 0 FROM media m
           CROSS JOIN comments c
          WHERE m.account_id = ?1 AND c.media_id = m.id
         UNION ALL
         SELECT l.created_at, m.media_type, m.media_product_type, 1 FROM media m
           CROSS JOIN likes l
          WHERE m.account_id = ?1 AND l.object_id = m.id",
    )?;
    let rows = stmt.query_map(params![account_id], |r| {
        let like: i64 = r.get(3)?;
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, like == 1))
    })?;
    let mut all: Vec<(i64, String, String, bool)> = rows.collect::<StoreResult<_>>()?;
    all.sort();
    Ok(all)
}

/// Everything an account's insights are summed from, read in one go and kept in the read
/// cache until one of its tables is written: the account's `followers_count` (None if there is
/// no such account), its audience profile, its top-level media in creation order, its explicit
/// activity by time and the times of the comments and people's likes on its media.
/// `derived` holds what the insights module works out from these rows (the model's totals and
/// their running sums), so that work is done once per generation too.
#[derive(Default)]
pub struct AccountRows {
    pub followers_count: Option<i64>,
    pub profile: Option<String>,
    pub media: Vec<MediaFacts>,
    pub activity: Vec<(Activity, MediaKind)>,
    pub interactions: Vec<(i64, String, String, bool)>,
    pub derived: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
}

/// An account's [`AccountRows`], from memory while none of its tables was written since.
pub fn account_rows(conn: &Reader, account_id: &str) -> StoreResult<std::sync::Arc<AccountRows>> {
    if let Some(cache) = conn.memory() {
        return cache
            .insight_accounts
            .get(account_id)
            .ok_or_else(|| conn.not_in_memory());
    }
    let mut stmt = conn.prepare_cached("SELECT followers_count FROM accounts WHERE id = ?1")?;
    let followers_count = optional(stmt.query_row([account_id], |r| r.get(0)))?;
    let found = std::sync::Arc::new(AccountRows {
        followers_count,
        profile: profile(conn, account_id)?,
        media: all_media(conn, account_id)?,
        activity: account_activity(conn, account_id)?,
        interactions: all_interactions(conn, account_id)?,
        derived: Default::default(),
    });
    if let Some((cache, at)) = conn.fill() {
        cache
            .insight_accounts
            .put(account_id.to_string(), at.insight_accounts, found.clone());
    }
    Ok(found)
}

/// An account's views over the day before `hour` as `compute` works them out, kept in memory
/// by (account, hour) until media, activity, profiles or accounts are written. A memory
/// reader answers from there, else computes from what the caches hold; a read transaction
/// computes from the database and keeps the answer.
pub fn daily_views(
    conn: &Reader,
    account_id: &str,
    hour: i64,
    compute: impl FnOnce(&Reader) -> StoreResult<i64>,
) -> StoreResult<i64> {
    let key = (account_id.to_string(), hour);
    // The stamp comes before anything is read, so a write meanwhile makes the answer stale.
    let keep = match (conn.memory(), conn.fill()) {
        (Some(cache), _) => {
            if let Some(views) = cache.insight_views.get(&key) {
                return Ok(views);
            }
            Some((cache, cache.insight_views.generation()))
        }
        (None, Some((cache, at))) => Some((cache, at.insight_views)),
        (None, None) => None,
    };
    let views = compute(conn)?;
    if let Some((cache, stamp)) = keep {
        cache.insight_views.put(key, stamp, views);
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Db, Location};

    /// `followers_count` is read on every IG User render: its audience comes from memory once
    /// read, until an activity or profile is written; follows count up to the time asked.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn an_audience_is_answered_from_memory_until_its_tables_are_written() {
        let db = Db::open(&Location::Ephemeral).expect("a database");
        db.write_blocking(|tx| {
            tx.execute(
                "INSERT INTO accounts (id, username, name, account_type, biography,
                    followers_count, follows_count, legacy_instagram_user_id, created_at)
                 VALUES ('17841', 'a', 'A', 'BUSINESS', '', 10, 0, '1', 0)",
                (),
            )
        })
        .expect("an account");
        let follow = |at: i64, kind: &'static str, amount: i64| {
            db.write_blocking(move |tx| {
                tx.execute(
                    "INSERT INTO insight_activity (account_id, at, kind, amount)
                     VALUES ('17841', ?1, ?2, ?3)",
                    params![at, kind, amount],
                )
            })
            .expect("an activity");
        };
        follow(100, "follows", 5);
        follow(200, "unfollows", 2);
        follow(150, "likes", 9);
        let probe = |r: &Reader| audience(r, "17841");
        let (missed, _) = db.read_memory_probe(probe);
        assert!(missed, "nothing was read yet");
        let read = db.read(move |r| audience(r, "17841")).await.expect("read");
        assert_eq!(read.follows, vec![(100, 5), (200, -2)]);
        assert_eq!(
            (
                read.net_follows(99),
                read.net_follows(150),
                read.net_follows(200)
            ),
            (0, 5, 3)
        );
        let (missed, cached) = db.read_memory_probe(probe);
        assert_eq!((missed, cached.expect("cached")), (false, read));
        follow(300, "follows", 1);
        let (missed, _) = db.read_memory_probe(probe);
        assert!(missed, "a new activity makes the cached audience stale");
    }

    /// What a media's insights read (`insights::media::MediaInputs`: its row, its account's
    /// audience with its explicit activity, the account's followers for a derived profile) is
    /// answered from memory once read, the same as the database answers, until a write to any
    /// table it comes from: explicit activity, the media row (a like or comment moves its
    /// counters), the audience profile (the data delay is part of it), the account.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn media_insight_inputs_come_from_memory_until_a_table_they_read_is_written() {
        let db = Db::open(&Location::Ephemeral).expect("a database");
        let write = |sql: &str| {
            let sql = sql.to_string();
            db.write_blocking(move |tx| tx.execute(&sql, ()))
                .expect("a write");
        };
        write(
            "INSERT INTO accounts (id, username, name, account_type, biography,
                followers_count, follows_count, legacy_instagram_user_id, created_at)
             VALUES ('17841', 'a', 'A', 'BUSINESS', '', 5000, 0, '1', 0)",
        );
        write(
            "INSERT INTO media (id, account_id, media_type, media_product_type, permalink,
                shortcode, like_count, comments_count, created_at, sort_key)
             VALUES ('179', '17841', 'IMAGE', 'FEED', 'p', 's', 3, 1, 1000, 'k')",
        );
        write(
            "INSERT INTO insight_activity (account_id, at, media_id, kind, amount)
             VALUES ('17841', 2000, '179', 'views', 4), ('17841', 2500, '179', 'views', 6),
                    ('17841', 2600, '179', 'saves', 2), ('17841', 9000, '179', 'views', 50),
                    ('17841', 2000, NULL, 'views', 70), ('17841', 2000, '178', 'views', 80)",
        );
        let now = 5000;
        type Inputs = (i64, Option<String>, Option<i64>, Vec<(String, i64)>);
        let probe = move |r: &Reader| -> StoreResult<Option<Inputs>> {
            let Some(media) = super::super::media::get(r, "179")? else {
                return Ok(None);
            };
            let audience = audience(r, &media.account_id)?;
            let account = super::super::accounts::get(r, &media.account_id)?;
            Ok(Some((
                media.like_count,
                audience.profile.clone(),
                account.map(|a| a.followers_count),
                audience.media_activity(&media.id, now),
            )))
        };
        let from_db = || db.read_blocking(move |r| probe(r)).expect("a read");
        let (missed, _) = db.read_memory_probe(probe);
        assert!(missed, "nothing was read yet");
        let read = from_db();
        let expected = (
            3,
            None,
            Some(5000),
            vec![("saves".to_string(), 2), ("views".to_string(), 10)],
        );
        assert_eq!(read, Some(expected.clone()));
        let (missed, cached) = db.read_memory_probe(probe);
        assert_eq!((missed, cached.expect("cached")), (false, Some(expected)));
        // The explicit sums agree with the database's own sums, up to the time asked.
        for until in [1999, 2000, 2550, 9000] {
            let summed = db
                .read_blocking(move |r| media_activity(r, "179", until))
                .expect("a read");
            let kept = db
                .read_blocking(move |r| audience(r, "17841"))
                .expect("a read")
                .media_activity("179", until);
            assert_eq!(kept, summed, "until {until}");
        }
        let writes = [
            "INSERT INTO insight_activity (account_id, at, media_id, kind, amount)
             VALUES ('17841', 3000, '179', 'views', 1)",
            "UPDATE media SET like_count = like_count + 1 WHERE id = '179'",
            "INSERT INTO audience_profiles (account_id, profile, updated_at)
             VALUES ('17841', '{\"data_delay_hours\": 6}', 0)",
            "UPDATE accounts SET followers_count = 6000 WHERE id = '17841'",
        ];
        for sql in writes {
            write(sql);
            let (missed, _) = db.read_memory_probe(probe);
            assert!(missed, "stale after {sql}");
            let direct = from_db();
            let (missed, cached) = db.read_memory_probe(probe);
            assert_eq!(
                (missed, &cached.expect("cached")),
                (false, &direct),
                "{sql}"
            );
        }
        let last = from_db().expect("the media");
        assert_eq!(
            last,
            (
                4,
                Some("{\"data_delay_hours\": 6}".to_string()),
                Some(6000),
                vec![("saves".to_string(), 2), ("views".to_string(), 11)]
            ),
            "every write shows"
        );
    }
}
