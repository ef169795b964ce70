//! The simulated audience: pure functions of (seed, account, media, virtual time, audience
//! profile). Nothing here reads the store or the clock, so the same inputs give the same
//! numbers on every instance and after every restart, and requests that do not read insights
//! never run any of it.
//!
//! Shape of the model:
//! - Each media has lifetime totals (views, reach, saves, ...) drawn from the account's
//!   followers at publishing time, its product type and a per-media "virality" draw.
//! - What a media has collected by time `t` is `floor(total × F(age))`, with
//!   `F(x) = 1 − (1 + x)·e^(−x)`, `x = age / τ`: activity rises after publishing, peaks at `τ`
//!   and decays. Floors of one increasing curve make every count monotone in time and make
//!   sums over consecutive windows telescope exactly.
//! - Likes and comments are not modelled: they are the media's real `like_count` and its real
//!   comment rows, so the media node, the comment edge and insights always agree.
//! - Followers grow by the profile's daily rate from the profile's anchor; gross follows
//!   are the net growth plus a churn that unfollows cancel.

use graph::ids::splitmix64;
use serde::{Deserialize, Serialize};

pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;

/// How long (in τ) a media keeps collecting: past this its counts no longer move, which lets
/// account sums skip old media exactly.
const SETTLED_AFTER_TAUS: f64 = 40.0;

/// Stories are seen for 24 hours (ref 001 L5058).
pub const STORY_LIFETIME: i64 = DAY;

/// A stable hash of the seed and some parts.
pub fn hash(seed: u64, parts: &[&str]) -> u64 {
    let mut h = splitmix64(seed ^ 0x1A5_1985_u64.wrapping_mul(0x9e37_79b9));
    for part in parts {
        for chunk in part.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = splitmix64(h ^ u64::from_le_bytes(word));
        }
        h = splitmix64(h ^ 0xff);
    }
    h
}

/// A uniform draw in [0, 1) from a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// An account's audience: who follows it and how they behave. Set through the control API,
/// else derived from the seed and the account's `followers_count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Followers at `anchor`.
    pub followers: i64,
    /// When `followers` was true (Unix seconds).
    pub anchor: i64,
    /// Net follower growth per day, as a fraction (0.002 = +0.2% a day; may be negative).
    pub daily_growth: f64,
    /// Share of the accounts reached that interact (saves, shares, replies).
    pub engagement_rate: f64,
    /// Share of followers a feed post reaches.
    pub reach_rate: f64,
    /// Age buckets and their weights.
    pub ages: Vec<(String, f64)>,
    /// `F`, `M`, `U` and their weights.
    pub genders: Vec<(String, f64)>,
    /// ISO country codes and their weights.
    pub countries: Vec<(String, f64)>,
    /// Cities (`"Name, Region"`) and their weights.
    pub cities: Vec<(String, f64)>,
    /// Where the account itself is (ISO code), if set: accounts in the EEA or Japan get no
    /// story replies counted (ref 001 L5073, 004 L1504-1531).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// How late insights data is, in hours (Meta: "can be delayed up to 48 hours", ref 001
    /// L5064, L6720); 0 unless set.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub data_delay_hours: i64,
    /// The audience's daily rhythm, worked out once from the countries' time zones.
    #[serde(skip)]
    rhythm: std::sync::OnceLock<Rhythm>,
}

/// When the audience is active over a UTC day: `1 + amp·cos(ωt + phase)`, the sum of each
/// country's local rhythm (busiest at 8 pm local time) weighted by its followers. Its integral
/// is the "active time" media collect in, so activity follows the clock and the time zones.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rhythm {
    amp: f64,
    phase: f64,
}

const OMEGA: f64 = std::f64::consts::TAU / DAY as f64;

impl Rhythm {
    /// Active seconds from the epoch to `t` (increasing: `amp` stays below 1).
    fn active(self, t: i64) -> f64 {
        t as f64 + self.amp / OMEGA * ((OMEGA * t as f64 + self.phase).sin() - self.phase.sin())
    }
}

pub const AGE_BUCKETS: &[&str] = &["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
pub const GENDERS: &[&str] = &["F", "M", "U"];

/// Countries the default audience is drawn from, with their UTC offsets in hours (for
/// `online_followers`).
const COUNTRIES: &[(&str, i64)] = &[
    ("US", -6),
    ("BR", -3),
    ("IN", 5),
    ("ID", 7),
    ("MX", -6),
    ("TR", 3),
    ("JP", 9),
    ("GB", 0),
    ("DE", 1),
    ("FR", 1),
    ("IT", 1),
    ("ES", 1),
    ("AR", -3),
    ("CO", -5),
    ("CA", -5),
    ("RU", 3),
    ("PH", 8),
    ("TH", 7),
    ("KR", 9),
    ("AU", 10),
    ("NL", 1),
    ("PL", 1),
    ("EG", 2),
    ("NG", 1),
    ("ZA", 2),
    ("SA", 3),
    ("AE", 4),
    ("PK", 5),
    ("VN", 7),
    ("MY", 8),
    ("CL", -4),
    ("PE", -5),
    ("PT", 0),
    ("SE", 1),
    ("BE", 1),
    ("CH", 1),
    ("AT", 1),
    ("IE", 0),
    ("NZ", 12),
    ("SG", 8),
    ("MA", 0),
    ("IQ", 3),
    ("LA", 7),
    ("UA", 2),
    ("GR", 2),
    ("IL", 2),
    ("DK", 1),
    ("NO", 1),
    ("FI", 2),
    ("RO", 2),
    ("HU", 1),
    ("CZ", 1),
];

const CITIES: &[(&str, &str)] = &[
    ("New York, New York", "US"),
    ("Los Angeles, California", "US"),
    ("Chicago, Illinois", "US"),
    ("Houston, Texas", "US"),
    ("San Francisco, California", "US"),
    ("Seattle, Washington", "US"),
    ("Miami, Florida", "US"),
    ("Austin, Texas", "US"),
    ("São Paulo, São Paulo (state)", "BR"),
    ("Rio de Janeiro, Rio de Janeiro (state)", "BR"),
    ("Mumbai, Maharashtra", "IN"),
    ("Delhi, Delhi", "IN"),
    ("Bangalore, Karnataka", "IN"),
    ("Jakarta, Jakarta", "ID"),
    ("Mexico City, Distrito Federal", "MX"),
    ("Guadalajara, Jalisco", "MX"),
    ("Istanbul, Istanbul Province", "TR"),
    ("Tokyo, Tokyo", "JP"),
    ("Osaka, Osaka", "JP"),
    ("London, England", "GB"),
    ("Manchester, England", "GB"),
    ("Berlin, Berlin", "DE"),
    ("Munich, Bavaria", "DE"),
    ("Paris, Île-de-France", "FR"),
    ("Lyon, Rhône-Alpes", "FR"),
    ("Rome, Lazio", "IT"),
    ("Milan, Lombardy", "IT"),
    ("Madrid, Comunidad de Madrid", "ES"),
    ("Barcelona, Catalonia", "ES"),
    ("Buenos Aires, Ciudad Autónoma de Buenos Aires", "AR"),
    ("Bogotá, Distrito Especial", "CO"),
    ("Toronto, Ontario", "CA"),
    ("Vancouver, British Columbia", "CA"),
    ("Moscow, Moscow", "RU"),
    ("Manila, Metro Manila", "PH"),
    ("Bangkok, Bangkok", "TH"),
    ("Seoul, Seoul", "KR"),
    ("Sydney, New South Wales", "AU"),
    ("Melbourne, Victoria", "AU"),
    ("Amsterdam, North Holland", "NL"),
    ("Warsaw, Masovian Voivodeship", "PL"),
    ("Cairo, Cairo Governorate", "EG"),
    ("Lagos, Lagos State", "NG"),
    ("Johannesburg, Gauteng", "ZA"),
    ("Riyadh, Riyadh Region", "SA"),
    ("Dubai, Dubai", "AE"),
    ("Karachi, Sindh", "PK"),
    ("Ho Chi Minh City, Ho Chi Minh City", "VN"),
    ("Kuala Lumpur, Kuala Lumpur", "MY"),
    ("Santiago, Santiago Metropolitan Region", "CL"),
    ("Lima, Lima Region", "PE"),
    ("Lisbon, Lisbon District", "PT"),
    ("Stockholm, Stockholm County", "SE"),
    ("Brussels, Brussels", "BE"),
    ("Zürich, Zurich", "CH"),
    ("Vienna, Vienna", "AT"),
    ("Dublin, Dublin", "IE"),
    ("Auckland, Auckland Region", "NZ"),
    ("Singapore, Singapore", "SG"),
];

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The European Economic Area: the EU's 27 and Iceland, Liechtenstein and Norway.
const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];
/// Story replies of EEA accounts are 0 from Dec 1, 2020 (004 L1527-1531: "after December 1,
/// 2020"), of Japanese accounts from Apr 14, 2021 (004 L1504-1508).
const EEA_REPLIES_ZERO_FROM: i64 = 1_606_867_200; // 2020-12-02T00:00:00Z
const JAPAN_REPLIES_ZERO_FROM: i64 = 1_618_358_400; // 2021-04-14T00:00:00Z

impl Profile {
    /// Whether a story this account published at `created_at` counts no replies.
    pub fn story_replies_withheld(&self, created_at: i64) -> bool {
        match self.country.as_deref() {
            Some("JP") => created_at >= JAPAN_REPLIES_ZERO_FROM,
            Some(c) if EEA.contains(&c) => created_at >= EEA_REPLIES_ZERO_FROM,
            _ => false,
        }
    }

    /// The time insights data is complete up to, at virtual `now`.
    pub fn data_as_of(&self, now: i64) -> i64 {
        now - self.data_delay_hours.clamp(0, 48) * HOUR
    }

    /// The audience an account has when nobody set one: its current `followers_count`, no
    /// net growth, and distributions drawn from the seed.
    pub fn derived(seed: u64, account_id: &str, followers: i64, anchor: i64) -> Profile {
        let draw = |what: &str, i: usize| unit(hash(seed, &[account_id, what, &i.to_string()]));
        let zipf = |what: &str, names: &[&str]| -> Vec<(String, f64)> {
            // A shuffled Zipf law: a few places dominate, a long tail follows.
            let mut ranked: Vec<(f64, &str)> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (draw(what, i), *n))
                .collect();
            ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
            ranked
                .iter()
                .enumerate()
                .map(|(rank, (_, n))| (n.to_string(), 1.0 / (rank as f64 + 1.0).powf(1.1)))
                .collect()
        };
        let country_names: Vec<&str> = COUNTRIES.iter().map(|c| c.0).collect();
        let city_names: Vec<&str> = CITIES.iter().map(|c| c.0).collect();
        let age_shape = [0.04, 0.28, 0.34, 0.18, 0.09, 0.05, 0.02];
        Profile {
            followers: followers.max(0),
            anchor,
            daily_growth: 0.0,
            engagement_rate: 0.03 + 0.05 * draw("engagement", 0),
            reach_rate: 0.18 + 0.2 * draw("reach", 0),
            ages: AGE_BUCKETS
                .iter()
                .zip(age_shape)
                .enumerate()
                .map(|(i, (a, w))| (a.to_string(), w * (0.7 + 0.6 * draw("age", i))))
                .collect(),
            genders: vec![
                ("F".into(), 0.4 + 0.2 * draw("gender", 0)),
                ("M".into(), 0.4 + 0.2 * draw("gender", 1)),
                ("U".into(), 0.03),
            ],
            countries: zipf("country", &country_names),
            cities: zipf("city", &city_names),
            country: None,
            data_delay_hours: 0,
            rhythm: Default::default(),
        }
    }

    /// Modelled followers at `t` (before explicit follows and unfollows).
    pub fn followers_at(&self, t: i64) -> i64 {
        let days = (t - self.anchor) as f64 / DAY as f64;
        let grown = self.followers as f64 * (1.0 + self.daily_growth).max(0.0).powf(days);
        grown.round().max(0.0) as i64
    }

    /// Gross new follows during `[from, to)`: net growth when positive plus churn (0.1% of
    /// followers a day) that the same number of unfollows cancel.
    pub fn follows_between(&self, seed: u64, account_id: &str, from: i64, to: i64) -> (i64, i64) {
        let net = self.followers_at(to) - self.followers_at(from);
        let churn =
            self.churn_until(seed, account_id, to) - self.churn_until(seed, account_id, from);
        (net.max(0) + churn, (-net).max(0) + churn)
    }

    /// Cumulative churn since the anchor: a floor of a smooth curve, so windows telescope.
    fn churn_until(&self, seed: u64, account_id: &str, t: i64) -> i64 {
        let rate = 0.001 * (0.8 + 0.4 * unit(hash(seed, &[account_id, "churn"])));
        let days = (t - self.anchor) as f64 / DAY as f64;
        let wiggle = 0.15 * (days * std::f64::consts::TAU / 7.0).sin();
        ((self.followers as f64 * rate) * (days + wiggle)).floor() as i64
    }

    /// The daily rhythm of this audience (see [`Rhythm`]).
    pub fn rhythm(&self) -> Rhythm {
        *self.rhythm.get_or_init(|| {
            let (mut re, mut im, mut total) = (0.0, 0.0, 0.0);
            for (offset, w) in self.time_zones() {
                // Peak when local time is 20:00: ω(t + offset) − ω·20h = 0.
                let theta = OMEGA * ((offset - 20) * HOUR) as f64;
                re += w * theta.cos();
                im += w * theta.sin();
                total += w;
            }
            if total <= 0.0 {
                return Rhythm::default();
            }
            Rhythm {
                amp: 0.6 * (re * re + im * im).sqrt() / total,
                phase: im.atan2(re),
            }
        })
    }

    /// The followers' UTC offsets (hours) and their weights.
    pub fn time_zones(&self) -> Vec<(i64, f64)> {
        self.countries
            .iter()
            .map(|(code, w)| {
                let offset = COUNTRIES.iter().find(|c| c.0 == code).map_or(0, |c| c.1);
                (offset, *w)
            })
            .collect()
    }
}

/// `F(x) = 1 − (1 + x)·e^(−x)`: the share of a media's lifetime activity collected after
/// `active` seconds of the audience's active time.
fn collected_active(active: f64, tau: i64) -> f64 {
    if active <= 0.0 {
        return 0.0;
    }
    let x = active / tau as f64;
    if x >= SETTLED_AFTER_TAUS {
        return 1.0;
    }
    1.0 - (1.0 + x) * (-x).exp()
}

/// The surface a media is on, as the model treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Feed,
    Reels,
    Story,
}

impl Surface {
    pub fn of(media_product_type: &str) -> Option<Surface> {
        match media_product_type {
            "FEED" => Some(Surface::Feed),
            "REELS" => Some(Surface::Reels),
            "STORY" => Some(Surface::Story),
            _ => None,
        }
    }

    /// τ: when a media's activity peaks.
    fn tau(self) -> i64 {
        match self {
            Surface::Feed => 8 * HOUR,
            Surface::Reels => 18 * HOUR,
            Surface::Story => 3 * HOUR,
        }
    }

    /// How long after publishing the media stops collecting anything (the settle horizon).
    pub fn horizon(self) -> i64 {
        match self {
            Surface::Story => STORY_LIFETIME,
            s => (s.tau() as f64 * SETTLED_AFTER_TAUS) as i64,
        }
    }
}

/// What the model needs to know about one media.
#[derive(Debug, Clone, Copy)]
pub struct MediaKey<'a> {
    pub id: &'a str,
    pub surface: Surface,
    pub created_at: i64,
}

/// A media's lifetime totals, before the curve.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub views: f64,
    pub reach: f64,
    pub saved: f64,
    pub shares: f64,
    pub profile_visits: f64,
    pub follows: f64,
    pub replies: f64,
    pub navigation: f64,
    pub link_taps: f64,
    /// Average watch time of a reel, milliseconds.
    pub avg_watch_ms: f64,
    pub rhythm: Rhythm,
}

/// Modelled counts a media has collected by some time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub views: i64,
    pub reach: i64,
    pub saved: i64,
    pub shares: i64,
    pub profile_visits: i64,
    pub follows: i64,
    pub replies: i64,
    pub navigation: i64,
    pub link_taps: i64,
    pub avg_watch_ms: i64,
}

impl Counts {
    pub fn minus(self, o: Counts) -> Counts {
        Counts {
            views: self.views - o.views,
            reach: self.reach - o.reach,
            saved: self.saved - o.saved,
            shares: self.shares - o.shares,
            profile_visits: self.profile_visits - o.profile_visits,
            follows: self.follows - o.follows,
            replies: self.replies - o.replies,
            navigation: self.navigation - o.navigation,
            link_taps: self.link_taps - o.link_taps,
            avg_watch_ms: self.avg_watch_ms,
        }
    }

    pub fn add(&mut self, o: Counts) {
        self.views += o.views;
        self.reach += o.reach;
        self.saved += o.saved;
        self.shares += o.shares;
        self.profile_visits += o.profile_visits;
        self.follows += o.follows;
        self.replies += o.replies;
        self.navigation += o.navigation;
        self.link_taps += o.link_taps;
    }
}

/// A media's lifetime totals under `profile`.
pub fn totals(seed: u64, account_id: &str, profile: &Profile, media: MediaKey) -> Totals {
    // One hash of (account, media), then a cheap mix per draw.
    let base = hash(seed, &[account_id, media.id]);
    let draw = |what: u64| unit(splitmix64(base ^ what.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    // Virality: a skewed draw, most posts ordinary, a few far above.
    let virality = 0.35 + 2.2 * draw(1).powi(3);
    let followers = profile.followers_at(media.created_at) as f64;
    let (reach_share, repeat) = match media.surface {
        Surface::Feed => (profile.reach_rate, 1.25 + 0.4 * draw(2)),
        Surface::Reels => (profile.reach_rate * 1.8, 1.5 + 0.8 * draw(2)),
        Surface::Story => (profile.reach_rate * 0.35, 1.1 + 0.2 * draw(2)),
    };
    let reach = followers * reach_share * virality;
    let engaged = reach * profile.engagement_rate;
    Totals {
        views: reach * repeat,
        reach,
        saved: engaged * (0.18 + 0.1 * draw(3)),
        shares: engaged * (0.08 + 0.1 * draw(4)),
        profile_visits: reach * (0.015 + 0.02 * draw(5)),
        follows: reach * (0.002 + 0.004 * draw(6)),
        replies: engaged * (0.04 + 0.05 * draw(7)),
        navigation: reach * repeat * (0.8 + 0.15 * draw(8)),
        link_taps: reach * (0.003 + 0.004 * draw(9)),
        avg_watch_ms: 2_500.0 + 12_000.0 * draw(10),
        rhythm: profile.rhythm(),
    }
}

/// What a media has collected by `t`.
pub fn counts_at(totals: &Totals, media: MediaKey, t: i64) -> Counts {
    let horizon = media.surface.horizon();
    let age = (t - media.created_at).min(horizon);
    let f = if age <= 0 {
        0.0
    } else if age >= horizon && media.surface != Surface::Story {
        1.0 // settled: exactly, so account sums can skip it
    } else {
        let r = totals.rhythm;
        let active = r.active(media.created_at + age) - r.active(media.created_at);
        collected_active(active, media.surface.tau())
    };
    let at = |total: f64| (total * f).floor() as i64;
    Counts {
        views: at(totals.views),
        reach: at(totals.reach),
        saved: at(totals.saved),
        shares: at(totals.shares),
        profile_visits: at(totals.profile_visits),
        follows: at(totals.follows),
        replies: at(totals.replies),
        navigation: at(totals.navigation),
        link_taps: at(totals.link_taps),
        avg_watch_ms: totals.avg_watch_ms.round() as i64,
    }
}

/// Slack under each count's fraction when deciding it has reached its final whole number, far
/// above the rounding of the curve's arithmetic.
const SETTLE_MARGIN: f64 = 1e-6;

/// A time from which the media's counts no longer move: [`counts_at`] answers its final counts
/// at every time from this one on (its floors have all reached their totals' whole parts, long
/// before the horizon for most media). Conservative: never earlier than the true time, and the
/// horizon itself when a total sits too close below a whole number to tell. Stories keep
/// collecting until they expire.
pub fn settled_by(totals: &Totals, media: MediaKey) -> i64 {
    let horizon = media.created_at.saturating_add(media.surface.horizon());
    if media.surface == Surface::Story {
        return horizon;
    }
    // Each count is floor(total·f): final once total·(1 − f) stays under its fraction.
    let mut slack = f64::INFINITY;
    for total in [
        totals.views,
        totals.reach,
        totals.saved,
        totals.shares,
        totals.profile_visits,
        totals.follows,
        totals.replies,
        totals.navigation,
        totals.link_taps,
    ] {
        if total <= 0.0 {
            continue; // floors of a non-positive total never move
        }
        let room = total.fract() - SETTLE_MARGIN - total * 1e-12;
        if room <= 0.0 {
            return horizon;
        }
        slack = slack.min(room / total);
    }
    if !slack.is_finite() {
        return media.created_at;
    }
    // 1 − f = (1 + x)·e^(−x) at x active taus: the least x with it under `slack`, by Newton
    // on ln(1 + x) − x − ln(slack) (decreasing, convex), checked before it is used.
    let target = slack.ln();
    let mut x = (-target).max(1.0);
    if slack >= 1.0 {
        x = 0.0; // (1 + x)·e^(−x) never exceeds 1
    }
    for _ in 0..50 {
        if x == 0.0 {
            break;
        }
        let h = (1.0 + x).ln() - x - target;
        let next = x + h / (1.0 - 1.0 / (1.0 + x));
        if (next - x).abs() < 1e-9 {
            x = next;
            break;
        }
        x = next;
    }
    let x = x + 1e-6;
    if !x.is_finite() || x >= SETTLED_AFTER_TAUS || (1.0 + x) * (-x).exp() > slack {
        return horizon;
    }
    // Active time runs at least 1 − amp as fast as the clock, and differs from elapsed time by
    // at most 2·amp/ω: after this long, `x` active taus have passed whatever the hour.
    let tau = media.surface.tau() as f64;
    let wait = x * tau + 2.0 * totals.rhythm.amp.abs() / OMEGA + 1.0;
    media
        .created_at
        .saturating_add(wait.ceil() as i64)
        .min(horizon)
}

/// Splits `total` over weights so the parts are whole numbers that sum to `total` exactly
/// (largest remainder).
pub fn apportion(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    if total <= 0 || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<i64> = exact.iter().map(|e| e.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// Followers online at each UTC hour of a day (`online_followers`): most are online in
/// their local evening.
pub fn online_by_hour(profile: &Profile, followers: i64, seed: u64, day: i64) -> Vec<i64> {
    let zones = profile.time_zones();
    let total_weight: f64 = zones
        .iter()
        .map(|z| z.1)
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    (0..24)
        .map(|hour: i64| {
            let share: f64 = zones
                .iter()
                .map(|(offset, w)| {
                    let local = (hour + offset).rem_euclid(24) as f64;
                    // A daily rhythm: low at 4am, high around 8pm local time.
                    let activity =
                        0.35 + 0.3 * ((local - 14.0) * std::f64::consts::PI / 12.0).sin();
                    w / total_weight * activity.max(0.05)
                })
                .sum();
            let noise =
                0.95 + 0.1 * unit(hash(seed, &["online", &day.to_string(), &hour.to_string()]));
            (followers as f64 * share * noise).round() as i64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(id: &str, created_at: i64) -> MediaKey<'_> {
        MediaKey {
            id,
            surface: Surface::Feed,
            created_at,
        }
    }

    /// From `settled_by` on, a media's counts are its final ones at every second sampled
    /// (exactly, whatever the audience size, rhythm or hour of publishing), and for most media
    /// that time comes well before the horizon, which is what lets account sums skip their
    /// curves (issue #12 benchmark).
    #[test]
    fn counts_stop_moving_from_settled_by_on() {
        let mut state = 17u64;
        let mut next = |below: i64| {
            state = splitmix64(state);
            (state % below as u64) as i64
        };
        let (mut sum_share, mut n) = (0.0, 0.0);
        for i in 0..3_000 {
            let followers = [50, 900, 20_000, 100_000, 3_000_000][next(5) as usize];
            let mut profile = Profile::derived(i as u64, "1784", followers, 0);
            if next(2) == 0 {
                profile.countries = vec![("JP".into(), 1.0)]; // a strong daily rhythm
            }
            let surface = [Surface::Feed, Surface::Reels][next(2) as usize];
            let id = format!("179{i}");
            let media = MediaKey {
                id: &id,
                surface,
                created_at: 1_700_000_000 + next(30 * DAY),
            };
            let t = totals(i as u64, "1784", &profile, media);
            let end = media.created_at + surface.horizon();
            let last = counts_at(&t, media, end);
            let from = settled_by(&t, media);
            assert!(from >= media.created_at && from <= end);
            for at in [
                from,
                from + 1,
                from + next(HOUR),
                from + next(end - from + 1),
                end - 1,
            ] {
                let at = at.min(end);
                assert_eq!(
                    counts_at(&t, media, at),
                    last,
                    "media {i} at {at} (from {from})"
                );
            }
            sum_share += (from - media.created_at) as f64 / surface.horizon() as f64;
            n += 1.0;
        }
        let share = sum_share / n;
        assert!(
            share < 0.5,
            "media settle at {share:.2} of the horizon on average"
        );
    }

    #[test]
    fn same_inputs_same_numbers() {
        let p = Profile::derived(7, "1784", 5000, 0);
        let q = Profile::derived(7, "1784", 5000, 0);
        assert_eq!(p, q);
        let m = feed("179", 1_000);
        assert_eq!(
            counts_at(&totals(7, "1784", &p, m), m, 90_000),
            counts_at(&totals(7, "1784", &q, m), m, 90_000)
        );
        assert_ne!(Profile::derived(8, "1784", 5000, 0), p);
    }

    #[test]
    fn counts_rise_then_settle_and_reach_stays_under_views() {
        let p = Profile::derived(7, "1784", 50_000, 0);
        let m = feed("179", 0);
        let t = totals(7, "1784", &p, m);
        let mut last = Counts::default();
        for hour in 0..24 * 20 {
            let c = counts_at(&t, m, hour * HOUR);
            assert!(c.views >= last.views && c.reach >= last.reach);
            assert!(c.reach <= c.views);
            last = c;
        }
        assert_eq!(counts_at(&t, m, 30 * DAY), counts_at(&t, m, 300 * DAY));
        // The first day's increase is larger than the tenth's: a rise then a decay.
        let day1 = counts_at(&t, m, DAY).views;
        let day10 = counts_at(&t, m, 10 * DAY).views - counts_at(&t, m, 9 * DAY).views;
        assert!(day1 > day10);
    }

    #[test]
    fn activity_follows_the_audience_local_evening() {
        // The same reel seen by a Japanese (UTC+9) and a Mexican (UTC-6) audience: the share
        // of views in 11:00-12:00 UTC (8 pm in Tokyo, 5 am in Mexico City) against 19:00-20:00
        // UTC (4 am in Tokyo, 1 pm in Mexico City).
        let share = |country: &str| {
            let mut p = Profile::derived(7, "1", 100_000, 0);
            p.countries = vec![(country.into(), 1.0)];
            let m = MediaKey {
                id: "179",
                surface: Surface::Reels,
                created_at: 0,
            };
            let t = totals(7, "1", &p, m);
            let gained = |hour: i64| {
                let a = DAY + hour * HOUR;
                (counts_at(&t, m, a + HOUR).views - counts_at(&t, m, a).views) as f64
            };
            gained(11) / gained(19)
        };
        assert!(
            share("JP") > 2.0 * share("MX"),
            "{} vs {}",
            share("JP"),
            share("MX")
        );
    }

    #[test]
    fn apportion_sums_exactly() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]).iter().sum::<i64>(), 10);
        assert_eq!(apportion(7, &[0.5, 0.25, 0.25]), vec![3, 2, 2]);
        assert_eq!(apportion(0, &[1.0]), vec![0]);
    }

    #[test]
    fn followers_grow_by_the_daily_rate() {
        let mut p = Profile::derived(7, "1", 1_000, 0);
        p.daily_growth = 0.01;
        assert_eq!(p.followers_at(0), 1_000);
        assert_eq!(p.followers_at(DAY), 1_010);
        let (follows, unfollows) = p.follows_between(7, "1", 0, DAY);
        assert_eq!(follows - unfollows, 10);
    }
}
