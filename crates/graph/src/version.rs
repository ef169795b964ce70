//! Graph API versions: which exist, which are still served on a given day, and how an
//! unversioned or expired request is resolved.
//!
//! Meta serves a version until two years after its successor ships; a call to an expired
//! version is served by the oldest available one, and an unversioned call uses the version the
//! app was created with, or the oldest available one if that has expired (ref 001 L504-507).

use std::fmt;

/// A Graph API version such as `v24.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    pub major: u16,
    pub minor: u16,
}

impl ApiVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        ApiVersion { major, minor }
    }

    /// Parses a path segment like `v24.0`; anything else is not a version segment.
    pub fn parse_segment(segment: &str) -> Option<ApiVersion> {
        // Read byte by byte: every Graph call's path (and every app's default) is parsed.
        let rest = segment.as_bytes().strip_prefix(b"v")?;
        let dot = rest.iter().position(|&b| b == b'.')?;
        let number = |digits: &[u8]| -> Option<u16> {
            if digits.is_empty() || digits.len() > 3 {
                return None;
            }
            digits.iter().try_fold(0u16, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0'))
            })
        };
        Some(ApiVersion::new(
            number(&rest[..dot])?,
            number(&rest[dot + 1..])?,
        ))
    }

    /// Whether Meta ever released this version.
    pub fn is_known(self) -> bool {
        RELEASES.iter().any(|(v, _)| *v == self)
    }

    /// Release date (Unix seconds, midnight UTC) of a known version.
    pub fn released_at(self) -> Option<i64> {
        RELEASES.iter().find(|(v, _)| *v == self).map(|(_, d)| *d)
    }

    /// When Meta stops serving this version: two years after its successor's release.
    /// `None` for the latest version, which has no successor yet.
    pub fn expires_at(self) -> Option<i64> {
        let index = RELEASES.iter().position(|(v, _)| *v == self)?;
        RELEASES
            .get(index + 1)
            .map(|(_, next)| next + TWO_YEARS_SECONDS)
    }

    pub fn is_available_at(self, now: i64) -> bool {
        self.is_known() && self.expires_at().is_none_or(|end| now < end)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// The latest version in the reference: "The latest version is: v24.0" (ref 001 L506).
pub const LATEST: ApiVersion = ApiVersion::new(24, 0);

const TWO_YEARS_SECONDS: i64 = 2 * 365 * 86_400 + 86_400;

/// Every Graph API version with its release date (midnight UTC), oldest first. The dates the
/// reference's changelog gives (004 L1109-1595) agree with these; the rest are Meta's public
/// changelog.
pub const RELEASES: &[(ApiVersion, i64)] = &[
    (ApiVersion::new(2, 0), 1_398_816_000),  // 2014-04-30
    (ApiVersion::new(2, 1), 1_407_369_600),  // 2014-08-07
    (ApiVersion::new(2, 2), 1_414_627_200),  // 2014-10-30
    (ApiVersion::new(2, 3), 1_427_241_600),  // 2015-03-25
    (ApiVersion::new(2, 4), 1_436_313_600),  // 2015-07-08
    (ApiVersion::new(2, 5), 1_444_176_000),  // 2015-10-07
    (ApiVersion::new(2, 6), 1_460_419_200),  // 2016-04-12
    (ApiVersion::new(2, 7), 1_468_368_000),  // 2016-07-13
    (ApiVersion::new(2, 8), 1_475_625_600),  // 2016-10-05
    (ApiVersion::new(2, 9), 1_492_473_600),  // 2017-04-18
    (ApiVersion::new(2, 10), 1_500_336_000), // 2017-07-18
    (ApiVersion::new(2, 11), 1_510_012_800), // 2017-11-07
    (ApiVersion::new(2, 12), 1_517_270_400), // 2018-01-30
    (ApiVersion::new(3, 0), 1_525_132_800),  // 2018-05-01
    (ApiVersion::new(3, 1), 1_532_563_200),  // 2018-07-26
    (ApiVersion::new(3, 2), 1_540_252_800),  // 2018-10-23
    (ApiVersion::new(3, 3), 1_556_582_400),  // 2019-04-30
    (ApiVersion::new(4, 0), 1_564_358_400),  // 2019-07-29
    (ApiVersion::new(5, 0), 1_572_307_200),  // 2019-10-29
    (ApiVersion::new(6, 0), 1_580_688_000),  // 2020-02-03
    (ApiVersion::new(7, 0), 1_588_636_800),  // 2020-05-05
    (ApiVersion::new(8, 0), 1_596_499_200),  // 2020-08-04
    (ApiVersion::new(9, 0), 1_604_966_400),  // 2020-11-10
    (ApiVersion::new(10, 0), 1_614_038_400), // 2021-02-23
    (ApiVersion::new(11, 0), 1_623_110_400), // 2021-06-08
    (ApiVersion::new(12, 0), 1_634_601_600), // 2021-10-19
    (ApiVersion::new(13, 0), 1_644_278_400), // 2022-02-08
    (ApiVersion::new(14, 0), 1_653_436_800), // 2022-05-25
    (ApiVersion::new(15, 0), 1_663_200_000), // 2022-09-15
    (ApiVersion::new(16, 0), 1_675_296_000), // 2023-02-02
    (ApiVersion::new(17, 0), 1_684_800_000), // 2023-05-23
    (ApiVersion::new(18, 0), 1_694_476_800), // 2023-09-12
    (ApiVersion::new(19, 0), 1_705_968_000), // 2024-01-23
    (ApiVersion::new(20, 0), 1_716_249_600), // 2024-05-21
    (ApiVersion::new(21, 0), 1_727_827_200), // 2024-10-02
    (ApiVersion::new(22, 0), 1_737_417_600), // 2025-01-21
    (ApiVersion::new(23, 0), 1_748_476_800), // 2025-05-29
    (ApiVersion::new(24, 0), 1_759_881_600), // 2025-10-08
];

/// All known versions, oldest first.
pub fn known_versions() -> impl Iterator<Item = ApiVersion> {
    RELEASES.iter().map(|(v, _)| *v)
}

/// The newest version Meta had released at `now`: what a new app records as its version that
/// day ("the latest version at the time you created your Meta app", ref 001 L504-507). Before
/// the first release, the first version.
pub fn newest_at(now: i64) -> ApiVersion {
    RELEASES
        .iter()
        .rev()
        .find(|(_, released)| *released <= now)
        .or(RELEASES.first())
        .map(|(v, _)| *v)
        .unwrap_or(LATEST)
}

/// The oldest version still served at `now`: the first whose successor shipped less than two
/// years ago (one pass over the releases; this runs on every request).
pub fn oldest_available(now: i64) -> ApiVersion {
    RELEASES
        .windows(2)
        .find(|pair| now < pair[1].1 + TWO_YEARS_SECONDS)
        .map(|pair| pair[0].0)
        .unwrap_or(LATEST)
}

/// The version that actually serves a request: an explicit version if still available (an
/// expired one is upgraded to the oldest available), else the app's version, else the oldest.
pub fn effective(
    requested: Option<ApiVersion>,
    app_default: Option<ApiVersion>,
    now: i64,
) -> ApiVersion {
    let oldest = oldest_available(now);
    match requested.or(app_default) {
        Some(v) if v.is_available_at(now) => v,
        _ => oldest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_2026: i64 = 1_795_219_200; // 2026-11-21

    #[test]
    fn the_newest_version_follows_the_day() {
        // ref 001 L504-507: an app records the latest version of the day it was created.
        assert_eq!(newest_at(NOV_2026), LATEST);
        assert_eq!(newest_at(1_759_881_600), ApiVersion::new(24, 0)); // 2025-10-08
        assert_eq!(newest_at(1_759_881_599), ApiVersion::new(23, 0));
        assert_eq!(newest_at(1_600_000_000), ApiVersion::new(8, 0)); // 2020-09-13
        assert_eq!(newest_at(0), ApiVersion::new(2, 0));
    }

    #[test]
    fn parses_version_segments() {
        assert_eq!(
            ApiVersion::parse_segment("v24.0"),
            Some(ApiVersion::new(24, 0))
        );
        assert_eq!(
            ApiVersion::parse_segment("v2.10"),
            Some(ApiVersion::new(2, 10))
        );
        assert_eq!(
            ApiVersion::parse_segment("v99.0"),
            Some(ApiVersion::new(99, 0))
        );
        for bad in [
            "24.0", "v24", "v.0", "v24.", "vx.0", "me", "v1234.0", "v-1.0", "v24.0.1", "v1.+2",
            "v24.1000", "V24.0",
        ] {
            assert_eq!(ApiVersion::parse_segment(bad), None, "{bad}");
        }
    }

    #[test]
    fn knows_the_reference_versions() {
        // ref 001 L219, L506: latest v24.0; 003 uses v19.0, 001 L1761 v4.0.
        assert!(ApiVersion::new(24, 0).is_known());
        assert!(ApiVersion::new(19, 0).is_known());
        assert!(ApiVersion::new(4, 0).is_known());
        assert!(!ApiVersion::new(25, 0).is_known());
        assert!(!ApiVersion::new(24, 1).is_known());
        assert_eq!(LATEST.to_string(), "v24.0");
    }

    #[test]
    fn versions_expire_two_years_after_their_successor() {
        // v21.0's successor v22.0 shipped 2025-01-21: served until early 2027.
        assert!(ApiVersion::new(21, 0).is_available_at(NOV_2026));
        // v20.0's successor v21.0 shipped 2024-10-02: gone by November 2026.
        assert!(!ApiVersion::new(20, 0).is_available_at(NOV_2026));
        assert_eq!(oldest_available(NOV_2026), ApiVersion::new(21, 0));
        assert!(LATEST.is_available_at(i64::MAX / 2));
    }

    #[test]
    fn resolves_the_effective_version() {
        let v19 = ApiVersion::new(19, 0);
        let v23 = ApiVersion::new(23, 0);
        assert_eq!(effective(Some(v23), None, NOV_2026), v23);
        assert_eq!(effective(None, Some(v23), NOV_2026), v23);
        // Expired versions are served by the oldest available one.
        assert_eq!(effective(Some(v19), None, NOV_2026), ApiVersion::new(21, 0));
        assert_eq!(effective(None, None, NOV_2026), ApiVersion::new(21, 0));
    }
}
