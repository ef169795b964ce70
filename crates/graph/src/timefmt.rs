//! Timestamp formats Meta uses: ISO-8601 with a `+0000` offset in responses, and the Pacific
//! wall-clock text inside token-expiry errors.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

/// `2019-04-05T07:56:32+0000`: UTC, no colon in the offset, no fraction (ref 000 L2895).
pub fn graph_time(unix: i64) -> String {
    let t = to_utc(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// RFC 3339 in UTC with a `Z`, as the control API speaks it.
pub fn rfc3339(unix: i64) -> String {
    let t = to_utc(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses RFC 3339 (any offset, optional fraction) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Meta's session-expiry wording: `Tuesday, 12-Mar-19 11:00:00 PDT`, in US Pacific time.
pub fn pacific_session_time(unix: i64) -> String {
    let utc = to_utc(unix);
    let dst = is_pacific_dst(unix, utc.year());
    let (offset_hours, zone) = if dst { (-7, "PDT") } else { (-8, "PST") };
    let offset = UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(UtcOffset::UTC);
    let t = utc.to_offset(offset);
    format!(
        "{}, {:02}-{}-{:02} {:02}:{:02}:{:02} {}",
        weekday_name(t.weekday()),
        t.day(),
        month_abbrev(t.month()),
        t.year().rem_euclid(100),
        t.hour(),
        t.minute(),
        t.second(),
        zone
    )
}

fn to_utc(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// US daylight time: from 02:00 PST on the second Sunday of March to 02:00 PDT on the first
/// Sunday of November.
/// US Pacific time's offset from UTC at `unix`, in seconds (-25200 in PDT, -28800 in PST).
pub fn pacific_offset(unix: i64) -> i64 {
    if is_pacific_dst(unix, to_utc(unix).year()) {
        -7 * 3600
    } else {
        -8 * 3600
    }
}

/// The first Pacific midnight strictly after `unix`: where Meta's daily insight buckets end
/// (`end_time` 08:00 UTC in winter, 07:00 in summer).
pub fn pacific_day_end(unix: i64) -> i64 {
    let offset = pacific_offset(unix);
    let next_local = ((unix + offset).div_euclid(86_400) + 1) * 86_400;
    let end = next_local - offset;
    let settled = pacific_offset(end - 1);
    if settled == offset {
        end
    } else {
        next_local - settled
    }
}

fn is_pacific_dst(unix: i64, year: i32) -> bool {
    let start = nth_sunday(year, Month::March, 2).map(|d| midnight_utc(d) + 10 * 3600);
    let end = nth_sunday(year, Month::November, 1).map(|d| midnight_utc(d) + 9 * 3600);
    match (start, end) {
        (Some(start), Some(end)) => unix >= start && unix < end,
        _ => false,
    }
}

fn nth_sunday(year: i32, month: Month, n: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let offset = (7 - first.weekday().number_days_from_sunday()) % 7;
    Date::from_calendar_date(year, month, 1 + offset + 7 * (n - 1)).ok()
}

fn midnight_utc(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn month_abbrev(month: Month) -> &'static str {
    match month {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacific_days_end_at_local_midnight() {
        // Winter: 08:00 UTC (ref 001 L1160-1180 sample); summer: 07:00 UTC.
        let jan = parse_rfc3339("2026-01-14T18:00:00Z").unwrap();
        assert_eq!(graph_time(pacific_day_end(jan)), "2026-01-15T08:00:00+0000");
        let jul = parse_rfc3339("2026-07-01T03:00:00Z").unwrap();
        assert_eq!(graph_time(pacific_day_end(jul)), "2026-07-01T07:00:00+0000");
        // The day DST starts (Mar 8, 2026) is 23 hours long.
        let mar = parse_rfc3339("2026-03-08T12:00:00Z").unwrap();
        assert_eq!(graph_time(pacific_day_end(mar)), "2026-03-09T07:00:00+0000");
        let end = pacific_day_end(jan);
        assert_eq!(pacific_day_end(end - 1), end);
        assert_eq!(pacific_day_end(end), end + 86_400);
    }

    #[test]
    fn graph_time_matches_documented_shape() {
        // ref 000 L2895: "2019-04-05T07:56:32+0000"
        assert_eq!(graph_time(1_554_450_992), "2019-04-05T07:56:32+0000");
    }

    #[test]
    fn rfc3339_round_trips() {
        assert_eq!(rfc3339(1_554_450_992), "2019-04-05T07:56:32Z");
        assert_eq!(parse_rfc3339("2019-04-05T07:56:32Z"), Some(1_554_450_992));
        assert_eq!(
            parse_rfc3339("2019-04-05T09:56:32+02:00"),
            Some(1_554_450_992)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn pacific_time_switches_with_daylight_saving() {
        // 2019-03-12 18:00:00 UTC is 11:00 PDT (DST began 2019-03-10).
        assert_eq!(
            pacific_session_time(1_552_413_600),
            "Tuesday, 12-Mar-19 11:00:00 PDT"
        );
        // 2019-01-15 20:00:00 UTC is 12:00 PST.
        assert_eq!(
            pacific_session_time(1_547_582_400),
            "Tuesday, 15-Jan-19 12:00:00 PST"
        );
    }
}
