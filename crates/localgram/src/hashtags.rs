//! Hashtags (issue #13): reading them out of text, their stable ids, indexing the media they
//! tag when media and comments are written, and the 30-hashtags-per-7-days search quota.
//! Reads never write: everything here that writes runs inside the caller's transaction.

use graph::GraphError;

use crate::store::hashtags::{self as store, Hashtag};
use crate::store::{StoreResult, Writer};

/// An account may search at most this many unique hashtags in a rolling window (ref 001
/// L1277-1278, L4062; 001 L9516-9517).
pub const SEARCH_QUOTA: i64 = 30;
/// The window: 7 days from each hashtag's first search, not reset by repeats.
pub const SEARCH_WINDOW_SECONDS: i64 = 7 * 86_400;
/// `recent_media` lists media published in the last 24 hours (ref 001 L4231-4235).
pub const RECENT_WINDOW_SECONDS: i64 = 86_400;

/// Whether a character may be part of a hashtag: letters and digits of any script, and `_`.
fn hashtag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A hashtag name as Instagram keeps it: lower case, without `#`.
pub fn normalise(name: &str) -> String {
    name.to_lowercase()
}

/// The hashtags a caption or comment uses, lower case, each once, in order of appearance.
pub fn names_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '#' {
            continue;
        }
        // `a#b` is not a hashtag: the `#` must start a word.
        if i > 0 && text[..i].chars().next_back().is_some_and(hashtag_char) {
            continue;
        }
        let mut name = String::new();
        while let Some(&(_, next)) = chars.peek() {
            if !hashtag_char(next) {
                break;
            }
            name.push(next);
            chars.next();
        }
        // A hashtag needs at least one letter: `#1` is a number, not a hashtag.
        if name.chars().any(|c| !c.is_numeric() && c != '_') {
            let name = normalise(&name);
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// A search query as a hashtag name: one word of letters, digits and `_`, an optional
/// leading `#` dropped. Anything else (emojis, spaces, punctuation) is refused: emojis are
/// not supported (ref 001 L1281, L8497).
pub fn query_name(q: &str) -> Result<String, GraphError> {
    let q = q.trim();
    let q = q.strip_prefix('#').unwrap_or(q);
    if q.is_empty() || !q.chars().all(hashtag_char) {
        return Err(GraphError::hashtag_query_invalid(q));
    }
    Ok(normalise(q))
}

/// FNV-1a: a fixed hash, so ids are the same in every build and every state.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The hashtag's id: static and global (ref 001 L4040-4041), so derived from the name alone,
/// shaped like Meta's (`17843857450040591`: `17843` and 12 digits). `attempt` picks another
/// id in the rare case the first one already names another object.
pub fn hashtag_id(name: &str, attempt: u32) -> String {
    let n = graph::ids::splitmix64(fnv1a(name.as_bytes()) ^ u64::from(attempt));
    format!("17843{:012}", n % 1_000_000_000_000)
}

/// The hashtag named `name`, registered if localgram has not met it before.
pub fn ensure(tx: &Writer, name: &str, now: i64) -> StoreResult<Hashtag> {
    if let Some(found) = store::by_name(tx, name)? {
        return Ok(found);
    }
    for attempt in 0..16 {
        let id = hashtag_id(name, attempt);
        if store::register(tx, &id, name, now)? {
            return Ok(Hashtag {
                id,
                name: name.to_string(),
                sensitive: false,
            });
        }
    }
    Err(crate::store::StoreError::Conflict(format!(
        "no free id for #{name}"
    )))
}

/// What a media is, for indexing.
pub struct Indexed<'a> {
    pub media_id: &'a str,
    pub by_person: bool,
    /// `FEED`, `REELS`, `STORY` or `LIVE`: hashtags on stories are not supported (ref 001
    /// L1280) and live broadcasts are not photos or videos.
    pub product: &'a str,
    pub created_at: i64,
    /// The media's own sort key.
    pub sort_key: &'a str,
}

/// Indexes the hashtags of `text` (a caption, or a comment its owner wrote) for a media.
pub fn index(tx: &Writer, media: &Indexed, text: Option<&str>, now: i64) -> StoreResult<()> {
    let Some(text) = text else {
        return Ok(());
    };
    if matches!(media.product, "STORY" | "LIVE") {
        return Ok(());
    }
    for name in names_in(text) {
        let hashtag = ensure(tx, &name, now)?;
        store::tag_media(
            tx,
            &hashtag.id,
            media.media_id,
            media.by_person,
            media.created_at,
            media.sort_key,
        )?;
    }
    Ok(())
}

/// Indexes a comment's hashtags when the media's owner wrote it on their own media: Instagram
/// lists a post under the hashtags its owner adds in a comment, as under its caption's.
pub fn index_owner_comment(
    tx: &Writer,
    media: &crate::store::media::Media,
    author_id: &str,
    text: &str,
    now: i64,
) -> StoreResult<()> {
    if author_id != media.account_id || media.parent_id.is_some() {
        return Ok(());
    }
    let key = if media.owner_is_person {
        crate::store::person_media::sort_key_of(tx, &media.id)?
    } else {
        crate::store::media::sort_key_of(tx, &media.id)?
    };
    let Some(key) = key else {
        return Ok(());
    };
    let indexed = Indexed {
        media_id: &media.id,
        by_person: media.owner_is_person,
        product: &media.media_product_type,
        created_at: media.created_at,
        sort_key: &key,
    };
    index(tx, &indexed, Some(text), now)
}

/// An account's search for a hashtag, counted against its quota inside the write
/// transaction (so the count is exact under concurrent calls and across instances: writes
/// are serialised). A hashtag first searched within the window is free and keeps its timer;
/// a new one needs room under the quota. Answers the hashtag, or Meta's error.
pub fn search(
    tx: &Writer,
    account_id: &str,
    name: &str,
    now: i64,
) -> StoreResult<Result<Hashtag, GraphError>> {
    let hashtag = ensure(tx, name, now)?;
    if hashtag.sensitive {
        return Ok(Err(GraphError::unknown_error()));
    }
    let window_start = now - SEARCH_WINDOW_SECONDS + 1;
    let current = store::first_searched(tx, account_id, &hashtag.id)?;
    if current.is_some_and(|at| at >= window_start) {
        return Ok(Ok(hashtag));
    }
    if store::searched_since(tx, account_id, window_start)? >= SEARCH_QUOTA {
        return Ok(Err(GraphError::hashtag_limit_reached()));
    }
    store::record_search(tx, account_id, &hashtag.id, now)?;
    Ok(Ok(hashtag))
}

/// Whether the account may read a hashtag's media now: it searched it within its window, or
/// it has room left under its quota (reads never write, so reading does not count).
pub fn may_read(
    r: &crate::store::Reader,
    account_id: &str,
    hashtag_id: &str,
    now: i64,
) -> StoreResult<bool> {
    let window_start = now - SEARCH_WINDOW_SECONDS + 1;
    if store::first_searched(r, account_id, hashtag_id)?.is_some_and(|at| at >= window_start) {
        return Ok(true);
    }
    Ok(store::searched_since(r, account_id, window_start)? < SEARCH_QUOTA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_words_after_a_hash() {
        assert_eq!(
            names_in("Loving #BlueBottle coffee #latte_art, #blue #2024 a#b #café #bluebottle"),
            vec!["bluebottle", "latte_art", "blue", "café"]
        );
        assert!(names_in("no tags # here").is_empty());
    }

    #[test]
    fn ids_are_stable_and_meta_shaped() {
        let id = hashtag_id("bluebottle", 0);
        assert_eq!(id, hashtag_id("bluebottle", 0));
        assert_ne!(id, hashtag_id("coke", 0));
        assert_ne!(id, hashtag_id("bluebottle", 1));
        assert_eq!(id.len(), 17);
        assert!(id.starts_with("17843"));
    }

    #[test]
    fn queries_refuse_emojis_and_spaces() {
        assert_eq!(query_name("#Coke").unwrap(), "coke");
        assert!(query_name("coke 🥤").is_err());
        assert!(query_name("🥤").is_err());
        assert!(query_name("two words").is_err());
        assert!(query_name("").is_err());
    }
}
