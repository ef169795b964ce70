//! The keys edges are ordered and paged by. Times alone tie (comments made in the same second,
//! conversations touched in the same millisecond), so every key carries a creation sequence
//! after the time: one counter for the whole store, advanced in the writing transaction, so
//! the order is total, follows the order of writes, and survives restarts (it is stored with
//! the row). The id comes last and keeps keys unique for rows written before the sequence
//! existed (migration 0009 gives them sequence 0).

use super::sql::Writer;
use super::{settings, StoreResult};

const SEQUENCE_KEY: &str = "order_seq";

/// Sequence 0 spelled as the keys spell it: rows written before the sequence existed.
const NO_SEQUENCE: i64 = 0;

/// Oldest-first keys add this to times and sequences so they keep 19 digits.
const OLDEST_FIRST_BASE: i64 = 1_000_000_000_000_000_000;

/// The next creation sequence number (1, 2, ...), inside the caller's transaction.
pub fn next_sequence(tx: &Writer) -> StoreResult<i64> {
    let current: i64 = settings::get(tx, SEQUENCE_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(NO_SEQUENCE);
    let next = current + 1;
    settings::set(tx, SEQUENCE_KEY, &next.to_string())?;
    Ok(next)
}

/// Newest first: the inverted time, then the inverted sequence (later writes first), then
/// the id. Ascending order of these keys is the listing order.
pub fn newest_first(time: i64, sequence: i64, id: &str) -> String {
    format!(
        "{:019}:{:019}:{id}",
        i64::MAX - time.max(0),
        i64::MAX - sequence.max(0)
    )
}

/// Oldest first: the time, then the sequence, then the id.
pub fn oldest_first(time: i64, sequence: i64, id: &str) -> String {
    format!(
        "{}:{}:{id}",
        OLDEST_FIRST_BASE + time.clamp(0, OLDEST_FIRST_BASE - 1),
        OLDEST_FIRST_BASE + sequence.clamp(0, OLDEST_FIRST_BASE - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_times_then_later_writes_come_first() {
        assert!(newest_first(2_000, 1, "a") < newest_first(1_000, 2, "b"));
        assert!(newest_first(1_000, 2, "z") < newest_first(1_000, 1, "a"));
        // A row from before the sequence (0) sorts after the same second's new rows.
        assert!(newest_first(1_000, 1, "z") < newest_first(1_000, NO_SEQUENCE, "a"));
        assert_eq!(
            newest_first(0, 0, "x").len(),
            newest_first(i64::MAX, 9, "x").len()
        );
    }

    #[test]
    fn oldest_first_is_creation_order() {
        assert!(oldest_first(1_000, 2, "z") < oldest_first(2_000, 1, "a"));
        assert!(oldest_first(1_000, 1, "z") < oldest_first(1_000, 2, "a"));
        assert_eq!(
            oldest_first(0, 0, "x").len(),
            oldest_first(1 << 40, 1 << 40, "x").len()
        );
    }

    #[test]
    fn the_migrations_sql_spelling_runs_to_the_same_keys() {
        // The expressions migrations/0009_fidelity.sql rewrites old rows with, run by the
        // engine, give the keys this module builds for sequence 0.
        let db = crate::store::Db::open(&crate::store::Location::Ephemeral).unwrap();
        let (newest, oldest): (String, String) = db
            .read_blocking(|r| {
                r.query_row(
                    "SELECT CAST(9223372036854775807 - ?1 AS TEXT) || ':9223372036854775807:' || ?2,
                            CAST(1000000000000000000 + ?1 AS TEXT) || ':1000000000000000000:' || ?2",
                    crate::store::params![1_767_225_600_i64, "17900"],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
            })
            .unwrap();
        assert_eq!(newest, newest_first(1_767_225_600, NO_SEQUENCE, "17900"));
        assert_eq!(oldest, oldest_first(1_767_225_600, NO_SEQUENCE, "17900"));
    }

    #[test]
    fn the_migration_spells_sequence_zero_the_same_way() {
        // migrations/0009_fidelity.sql writes old rows' keys with SQL string operations.
        let time = 1_767_225_600_i64;
        let sql_spelling = format!("{}:9223372036854775807:{}", i64::MAX - time, "17900");
        assert_eq!(newest_first(time, NO_SEQUENCE, "17900"), sql_spelling);
        let sql_spelling = format!("{}:1000000000000000000:{}", OLDEST_FIRST_BASE + time, "1");
        assert_eq!(oldest_first(time, NO_SEQUENCE, "1"), sql_spelling);
    }
}
