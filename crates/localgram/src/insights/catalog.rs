//! Every insights metric: its title and description, what it applies to, its periods,
//! metric types and breakdowns, and the versions and dates it exists for. Sources: ref 001
//! L1087-1271 (guide), L5034-5594 (media), L6663-7331 (user); ref 004 changelog
//! (spec seed002-004 §8, §12); the rest is Meta's public reference (docs/decisions.md).

use graph::ApiVersion;

/// Unix seconds of a UTC date.
const fn date(days_since_epoch: i64) -> i64 {
    days_since_epoch * 86_400
}

/// 2023-12-11, 2024-07-02, 2024-08-19, 2025-01-08, 2025-01-21, 2025-04-21 (UTC midnights).
pub const DEC_11_2023: i64 = date(19_702);
pub const JUL_02_2024: i64 = date(19_906);
pub const AUG_19_2024: i64 = date(19_954);
pub const JAN_08_2025: i64 = date(20_096);
pub const JAN_21_2025: i64 = date(20_109);
pub const APR_21_2025: i64 = date(20_199);

/// A removal from the changelog: from `version` on, and for every version from `all_from`.
#[derive(Debug, Clone, Copy)]
pub struct Removal {
    pub version: u16,
    pub all_from: i64,
}

impl Removal {
    /// The changelog's rule (spec seed002-004 §12.1): in effect if the request's version is
    /// at least the one named, or the virtual date has reached the all-versions date.
    pub fn applies(self, version: ApiVersion, now: i64) -> bool {
        version >= ApiVersion::new(self.version, 0) || now >= self.all_from
    }
}

const V18_ALL: Removal = Removal {
    version: 18,
    all_from: DEC_11_2023,
};
const V20_ALL: Removal = Removal {
    version: 20,
    all_from: AUG_19_2024,
};
const V21_ALL: Removal = Removal {
    version: 21,
    all_from: JAN_08_2025,
};
const V22_ALL: Removal = Removal {
    version: 22,
    all_from: APR_21_2025,
};

/// Demographics timeframes removed from v20.0 (all versions Aug 19, 2024).
pub const TIMEFRAMES_REMOVED: Removal = V20_ALL;

// ---------------------------------------------------------------- media metrics

/// Which media a media metric applies to.
#[derive(Debug, Clone, Copy)]
pub struct MediaMetric {
    pub name: &'static str,
    pub feed: bool,
    pub reels: bool,
    pub story: bool,
    /// Carousels only (the v18 `carousel_album_*` metrics).
    pub album_only: bool,
    /// A metric of Threads posts (Postman list only): media here are not Threads posts, so
    /// it answers no data (an empty set).
    pub threads: bool,
    pub breakdown: Option<&'static str>,
    pub removed: Option<Removal>,
    /// Introduced for every version on this date (`views`, Jan 21, 2025).
    pub since: Option<i64>,
    pub title: &'static str,
    pub description: &'static str,
}

const fn media(
    name: &'static str,
    (feed, reels, story): (bool, bool, bool),
    title: &'static str,
    description: &'static str,
) -> MediaMetric {
    MediaMetric {
        name,
        feed,
        reels,
        story,
        album_only: false,
        threads: false,
        breakdown: None,
        removed: None,
        since: None,
        title,
        description,
    }
}

const F: (bool, bool, bool) = (true, false, false);
const R: (bool, bool, bool) = (false, true, false);
const S: (bool, bool, bool) = (false, false, true);
const FR: (bool, bool, bool) = (true, true, false);
const FS: (bool, bool, bool) = (true, false, true);
const FRS: (bool, bool, bool) = (true, true, true);

/// The media metrics table (ref 001 L5100-5200; spec seed001b §1), then the removed ones.
pub static MEDIA_METRICS: &[MediaMetric] = &[
    media("comments", FR, "Comments", "The number of comments on your post."),
    media("follows", FS, "Follows", "The number of accounts that started following you."),
    media("ig_reels_avg_watch_time", R, "Average watch time", "The average amount of time spent playing your reel."),
    media("ig_reels_video_view_total_time", R, "Watch time", "The total amount of time your reel was played, including any time spent replaying the reel."),
    media("likes", FR, "Likes", "The number of likes on your post."),
    MediaMetric { breakdown: Some("story_navigation_action_type"), ..media("navigation", S, "Navigation", "This is the total number of actions taken from your story. These are made up of metrics like exited, forward, back and next story.") },
    MediaMetric { breakdown: Some("action_type"), ..media("profile_activity", FS, "Profile activity", "[IG Insights] This header is the name of a metric that appears on an educational info sheet for a particular post, story, video or promotion. This metric is the sum of all profile actions people take when they engage with this content.") },
    media("profile_visits", FS, "Profile visits", "The number of times your profile was visited."),
    media("reach", FRS, "Reach", "Total number of unique accounts that have seen the media object"),
    media("replies", S, "Replies", "The number of replies to your story."),
    media("saved", FR, "Saved", "The number of saves of your post."),
    media("shares", FRS, "Shares", "The number of shares of your post."),
    MediaMetric { removed: None, ..media("total_interactions", FRS, "Interactions", "The number of likes, saves, comments and shares on your post, minus the number of unlikes, unsaves and deleted comments.") },
    MediaMetric { since: Some(JAN_21_2025), ..media("views", FRS, "Views", "The number of times your post was played or displayed.") },
    // Named only in the Postman collection (ref 000 L2996); descriptions from Meta's public
    // reference.
    media("content_views", FRS, "Content views", "The number of times your content was played or displayed."),
    media("reels_skip_rate", R, "Skip rate", "The percentage of views of your reel in which viewers skipped it within the first 3 seconds."),
    media("facebook_views", R, "Facebook views", "The number of times your reel was played or displayed on Facebook."),
    media("crossposted_views", R, "Cross-posted views", "The number of times your reel was played or displayed on Instagram and Facebook."),
    MediaMetric { threads: true, ..media("thread_replies", FRS, "", "") },
    MediaMetric { threads: true, ..media("reposts", FRS, "", "") },
    MediaMetric { threads: true, ..media("quotes", FRS, "", "") },
    MediaMetric { threads: true, ..media("thread_shares", FRS, "", "") },
    MediaMetric { threads: true, ..media("threads_views", FRS, "", "") },
    MediaMetric { threads: true, ..media("threads_media_clicks", FRS, "", "") },
    MediaMetric { threads: true, ..media("threads_reposts", FRS, "", "") },
    // Removed for v22.0+, all versions Apr 21, 2025 (impressions: see `impressions_removed`).
    MediaMetric { removed: Some(V22_ALL), ..media("impressions", FS, "Impressions", "Total number of times the media object has been seen") },
    MediaMetric { removed: Some(V22_ALL), ..media("plays", R, "Plays", "The number of times your reel started to play.") },
    MediaMetric { removed: Some(V22_ALL), ..media("clips_replays_count", R, "Replays", "The number of times your reel started to play again after an initial play.") },
    MediaMetric { removed: Some(V22_ALL), ..media("ig_reels_aggregated_all_plays_count", R, "Plays", "The number of times your reel started to play or replay, on Instagram and Facebook.") },
    // Removed for v21.0+, all versions Jan 8, 2025.
    MediaMetric { removed: Some(V21_ALL), ..media("video_views", FR, "Video Views", "Total number of times the video has been seen") },
    // Removed for v18.0+, all versions Dec 11, 2023.
    MediaMetric { removed: Some(V18_ALL), ..media("engagement", FR, "Engagement", "Total number of likes and comments on the media object") },
    MediaMetric { removed: Some(V18_ALL), ..media("exits", S, "Exits", "Number of times someone exited the story") },
    MediaMetric { removed: Some(V18_ALL), ..media("taps_forward", S, "Taps Forward", "Total number of taps to see this story's next photo or video") },
    MediaMetric { removed: Some(V18_ALL), ..media("taps_back", S, "Taps Back", "Total number of taps to see this story's previous photo or video") },
    MediaMetric { removed: Some(V18_ALL), album_only: true, ..media("carousel_album_impressions", F, "Carousel Album Impressions", "Total number of times the carousel album has been seen") },
    MediaMetric { removed: Some(V18_ALL), album_only: true, ..media("carousel_album_reach", F, "Carousel Album Reach", "Total number of unique accounts that have seen the carousel album") },
    MediaMetric { removed: Some(V18_ALL), album_only: true, ..media("carousel_album_engagement", F, "Carousel Album Engagement", "Total number of likes and comments on the carousel album") },
    MediaMetric { removed: Some(V18_ALL), album_only: true, ..media("carousel_album_saved", F, "Carousel Album Saved", "Total number of unique accounts that have saved the carousel album") },
    MediaMetric { removed: Some(V18_ALL), album_only: true, ..media("carousel_album_video_views", F, "Carousel Album Video Views", "Total number of unique accounts that have viewed video IG Media within the album") },
];

/// `total_interactions` on media: v18.0+ only until Dec 11, 2023 (ref 004 changelog).
pub const TOTAL_INTERACTIONS_FROM: Removal = V18_ALL;

/// Media `impressions`: removed for v22.0+; from Apr 21, 2025 for every version, but media
/// created on or before July 1, 2024 keep it on v21.0 and older (ref 001 L5036-5040).
pub fn media_impressions_removed(version: ApiVersion, now: i64, created_at: i64) -> bool {
    version >= ApiVersion::new(22, 0) || (now >= APR_21_2025 && created_at >= JUL_02_2024)
}

/// `action_type` values (ref 001 L5180), `story_navigation_action_type` values.
pub const ACTION_TYPES: &[&str] = &[
    "bio_link_clicked",
    "call",
    "direction",
    "email",
    "other",
    "text",
];
pub const NAVIGATION_TYPES: &[&str] = &["tap_forward", "tap_back", "tap_exit", "swipe_forward"];

pub fn media_metric(name: &str) -> Option<&'static MediaMetric> {
    MEDIA_METRICS.iter().find(|m| m.name == name)
}

/// The names a request may use at (version, now), for the "must be one of" error.
pub fn media_metric_names(now: i64) -> Vec<&'static str> {
    MEDIA_METRICS
        .iter()
        .filter(|m| m.since.is_none_or(|s| now >= s))
        .map(|m| m.name)
        .collect()
}

// ---------------------------------------------------------------- user metrics

/// How a user metric aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Daily buckets (`values` with `end_time`); `total_value` allowed when `total` is set.
    Series { total: bool },
    /// A simple total only (`metric_type=total_value` required).
    Total,
    /// Demographics: `period=lifetime`, `total_value` only, a `timeframe`.
    Demographics { timeframe_required: bool },
    /// `online_followers`: per-hour maps, `period=lifetime`, time series only.
    Hourly,
}

#[derive(Debug, Clone, Copy)]
pub struct UserMetric {
    pub name: &'static str,
    pub shape: Shape,
    pub periods: &'static [&'static str],
    pub breakdowns: &'static [&'static str],
    pub removed: Option<Removal>,
    pub since: Option<i64>,
    /// Answers nothing under 100 followers (ref 001 L6690-6700).
    pub needs_100_followers: bool,
    /// A metric of a Threads profile: accounts here have none, so no data (empty set).
    pub threads: bool,
    pub title: &'static str,
    pub description: &'static str,
}

const DAY_ONLY: &[&str] = &["day"];
const ROLLING: &[&str] = &["day", "week", "days_28"];
const LIFETIME: &[&str] = &["lifetime"];
const DEMOGRAPHIC_BREAKDOWNS: &[&str] = &["age", "city", "country", "gender"];

const fn user(
    name: &'static str,
    shape: Shape,
    title: &'static str,
    description: &'static str,
) -> UserMetric {
    UserMetric {
        name,
        shape,
        periods: DAY_ONLY,
        breakdowns: &[],
        removed: None,
        since: None,
        needs_100_followers: false,
        threads: false,
        title,
        description,
    }
}

const fn threads(name: &'static str) -> UserMetric {
    UserMetric {
        threads: true,
        ..user(name, Shape::Total, "", "")
    }
}

const TOTAL: Shape = Shape::Total;
const SERIES: Shape = Shape::Series { total: false };

/// The user metrics (ref 001 L6663-7331; seed000 §12 list), then the removed ones.
pub static USER_METRICS: &[UserMetric] = &[
    user("accounts_engaged", TOTAL, "Accounts engaged", "The number of accounts that have interacted with your content, including in ads. Content includes posts, stories, reels, videos and live videos. Interactions can include actions such as likes, saves, comments, shares or replies. This metric is estimated and in development."),
    UserMetric { breakdowns: &["media_product_type"], ..user("comments", TOTAL, "Comments", "The number of comments on your posts, reels, videos and live videos. This metric is in development.") },
    UserMetric { breakdowns: DEMOGRAPHIC_BREAKDOWNS, periods: LIFETIME, ..user("engaged_audience_demographics", Shape::Demographics { timeframe_required: true }, "Engaged audience demographics", "The demographic characteristics of the engaged audience, including countries, cities and gender distribution.") },
    UserMetric { needs_100_followers: true, ..user("follower_count", Shape::Series { total: true }, "Follower Count", "Total number of new followers each day within the specified range.") },
    UserMetric { breakdowns: DEMOGRAPHIC_BREAKDOWNS, periods: LIFETIME, needs_100_followers: true, ..user("follower_demographics", Shape::Demographics { timeframe_required: false }, "Follower demographics", "The demographic characteristics of followers, including countries, cities and gender distribution.") },
    UserMetric { breakdowns: &["follow_type"], needs_100_followers: true, ..user("follows_and_unfollows", TOTAL, "Follows and unfollows", "The number of accounts that followed you and the number of accounts that unfollowed you or left Instagram in the selected time period.") },
    UserMetric { breakdowns: &["media_product_type"], ..user("likes", TOTAL, "Likes", "The number of likes on your posts, reels and videos.") },
    UserMetric { periods: LIFETIME, needs_100_followers: true, ..user("online_followers", Shape::Hourly, "Online Followers", "Total number of the Business Account's followers who were online during the specified range") },
    UserMetric { breakdowns: &["contact_button_type"], ..user("profile_links_taps", TOTAL, "Profile links taps", "The number of taps on your business address, call button, email button and text button.") },
    UserMetric { breakdowns: &["media_product_type", "follow_type"], periods: ROLLING, ..user("reach", Shape::Series { total: true }, "Accounts reached", "The number of unique accounts that have seen your content, at least once, including in ads. Content includes posts, stories, reels, videos and live videos. Reach is different from impressions, which may include multiple views of your content by the same accounts. This metric is estimated and in development.") },
    UserMetric { breakdowns: DEMOGRAPHIC_BREAKDOWNS, periods: LIFETIME, ..user("reached_audience_demographics", Shape::Demographics { timeframe_required: true }, "Reached audience demographics", "The demographic characteristics of the reached audience, including countries, cities and gender distribution.") },
    user("replies", TOTAL, "Replies", "The number of replies you received from your story, including text replies and quick reaction replies."),
    UserMetric { breakdowns: &["media_product_type"], ..user("saved", TOTAL, "Saves", "The number of saves of your posts, reels and videos.") },
    UserMetric { breakdowns: &["media_product_type"], ..user("saves", TOTAL, "Saves", "The number of saves of your posts, reels and videos.") },
    UserMetric { breakdowns: &["media_product_type"], ..user("shares", TOTAL, "Shares", "The number of shares of your posts, stories, reels, videos and live videos.") },
    UserMetric { breakdowns: &["media_product_type"], ..user("total_interactions", TOTAL, "Content interactions", "The total number of post interactions, story interactions, reels interactions, video interactions and live video interactions, including any interactions on boosted content.") },
    UserMetric { breakdowns: &["follower_type", "media_product_type"], since: Some(JAN_21_2025), ..user("views", TOTAL, "Views", "The number of times your content was played or displayed. Content includes reels, posts, stories.") },
    user("content_views", TOTAL, "Content views", "The number of times your content was played or displayed."),
    threads("threads_likes"), threads("threads_replies"), threads("reposts"), threads("quotes"),
    threads("threads_followers"), threads("threads_follower_demographics"), threads("threads_views"),
    threads("threads_clicks"), threads("threads_reposts"),
    // Removed for v22.0+, all versions Apr 21, 2025.
    UserMetric { removed: Some(V22_ALL), periods: ROLLING, ..user("impressions", Shape::Series { total: true }, "Impressions", "Total number of times the Business Account's media objects have been viewed") },
    // Removed for v21.0+, all versions Jan 8, 2025.
    UserMetric { removed: Some(V21_ALL), ..user("profile_views", SERIES, "Profile Views", "Total number of users who have viewed the Business Account's profile within the specified period") },
    UserMetric { removed: Some(V21_ALL), ..user("website_clicks", SERIES, "Website Clicks", "Total number of taps on the website link in the Business Account's profile") },
    UserMetric { removed: Some(V21_ALL), ..user("email_contacts", SERIES, "Email Contacts", "Total number of taps on the email link in the Business Account's profile") },
    UserMetric { removed: Some(V21_ALL), ..user("get_directions_clicks", SERIES, "Get Directions Clicks", "Total number of taps on the directions link in the Business Account's profile") },
    UserMetric { removed: Some(V21_ALL), ..user("phone_call_clicks", SERIES, "Phone Call Clicks", "Total number of taps on the call link in the Business Account's profile") },
    UserMetric { removed: Some(V21_ALL), ..user("text_message_clicks", SERIES, "Text Message Clicks", "Total number of taps on the text message link in the Business Account's profile") },
    // Removed for v18.0+, all versions Dec 11, 2023.
    UserMetric { removed: Some(V18_ALL), periods: LIFETIME, needs_100_followers: true, ..user("audience_gender_age", Shape::Demographics { timeframe_required: false }, "Gender and Age", "The gender and age distribution of the Business Account's followers") },
    UserMetric { removed: Some(V18_ALL), periods: LIFETIME, needs_100_followers: true, ..user("audience_country", Shape::Demographics { timeframe_required: false }, "Audience Country", "The countries of the Business Account's followers") },
    UserMetric { removed: Some(V18_ALL), periods: LIFETIME, needs_100_followers: true, ..user("audience_city", Shape::Demographics { timeframe_required: false }, "Audience City", "The cities of the Business Account's followers") },
    UserMetric { removed: Some(V18_ALL), periods: LIFETIME, needs_100_followers: true, ..user("audience_locale", Shape::Demographics { timeframe_required: false }, "Audience Locale", "The locales by country codes of the Business Account's followers") },
];

pub fn user_metric(name: &str) -> Option<&'static UserMetric> {
    USER_METRICS.iter().find(|m| m.name == name)
}

pub fn user_metric_names(now: i64) -> Vec<&'static str> {
    USER_METRICS
        .iter()
        .filter(|m| m.since.is_none_or(|s| now >= s))
        .map(|m| m.name)
        .collect()
}

pub const PERIODS: &[&str] = &[
    "day",
    "week",
    "days_28",
    "month",
    "lifetime",
    "total_over_range",
];
pub const TIMEFRAMES: &[&str] = &[
    "last_14_days",
    "last_30_days",
    "last_90_days",
    "prev_month",
    "this_month",
    "this_week",
];
/// The timeframes v20.0 removed (ref 001 L6740; changelog May 21, 2024).
pub const OLD_TIMEFRAMES: &[&str] = &["last_14_days", "last_30_days", "last_90_days", "prev_month"];

pub const CONTACT_BUTTON_TYPES: &[&str] = &[
    "BOOK_NOW",
    "CALL",
    "DIRECTION",
    "EMAIL",
    "INSTANT_EXPERIENCE",
    "TEXT",
    "UNDEFINED",
];
pub const FOLLOW_TYPES: &[&str] = &["FOLLOWER", "NON_FOLLOWER"];

/// The `media_product_type` dimension value of a media, as Meta's responses print it
/// (sample ref 001 L6960-7000: `POST`, `CAROUSEL_CONTAINER`).
pub fn product_dimension(media_type: &str, media_product_type: &str) -> &'static str {
    match (media_type, media_product_type) {
        (_, "REELS") => "REEL",
        (_, "STORY") => "STORY",
        ("CAROUSEL_ALBUM", _) => "CAROUSEL_CONTAINER",
        _ => "POST",
    }
}
